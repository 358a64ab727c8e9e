#include "core/clock.hpp"

#include <gtest/gtest.h>

#include "support/manual_clock.hpp"

namespace kizuna::core {
namespace {

TEST(ClockTest, FormatsRfc3339InUtc) {
    using namespace std::chrono;
    WallTime t = WallTime(sys_days(year(2026) / November / 22)) + hours(2) + minutes(20) + seconds(47);
    EXPECT_EQ(FormatRfc3339(t), "2026-11-22T02:20:47Z");
    EXPECT_EQ(FormatRfc3339(t + microseconds(1500)), "2026-11-22T02:20:47.001500Z");
}

TEST(ClockTest, ParsesRfc3339WithOffsets) {
    struct Case {
        const char* text;
        const char* expect;  // nullptr: rejected
    } cases[] = {
        {"2026-11-22T02:20:47Z", "2026-11-22T02:20:47Z"},
        {"2026-11-22T11:20:47+09:00", "2026-11-22T02:20:47Z"},
        {"2026-11-21T21:20:47.25-05:00", "2026-11-22T02:20:47.250000Z"},
        {"2026-02-30T00:00:00Z", nullptr},
        {"2026-11-22 02:20:47", nullptr},
        {"2026-11-22T02:20:47Zjunk", nullptr},
        {"", nullptr},
        {"2026-11-22T24:00:00Z", nullptr},
    };
    for (const Case& c : cases) {
        auto parsed = ParseRfc3339(c.text);
        if (c.expect == nullptr) {
            EXPECT_FALSE(parsed.has_value()) << c.text;
        } else {
            ASSERT_TRUE(parsed.has_value()) << c.text;
            EXPECT_EQ(FormatRfc3339(*parsed), c.expect) << c.text;
        }
    }
}

TEST(ClockTest, ManualClockMovesOnlyWhenTold) {
    testing::ManualClock clock;
    WallTime start = clock.Now();
    EXPECT_EQ(clock.Now(), start);
    clock.Advance(std::chrono::hours(24 * 45));
    EXPECT_EQ(clock.Now() - start, std::chrono::hours(24 * 45));
    EXPECT_EQ(FormatRfc3339(start), "2026-04-01T00:00:00Z");
}

}  // namespace
}  // namespace kizuna::core

#include "core/time_zone.hpp"

namespace kizuna::core {
namespace {

TEST(TimeZoneTest, ShowsUtcInTheViewersZone) {
    using namespace std::chrono;
    auto tokyo = TimeZone::Load("Asia/Tokyo");
    ASSERT_TRUE(tokyo.ok()) << tokyo.error().ToString();
    WallTime t = WallTime(sys_days(year(2026) / November / 22)) + hours(2) + minutes(20) + seconds(47);
    EXPECT_EQ(tokyo->FormatMinutes(t), "2026-11-22 11:20 JST");
    EXPECT_EQ(tokyo->FormatRfc3339Local(t), "2026-11-22T11:20:47+09:00");
    EXPECT_EQ(TimeZone::Load("Mars/Olympus").error().field(), "web.time_zone");
}

// Seed 001 2-3: three calendar months in the center's zone, not a fixed number of days.
TEST(TimeZoneTest, CalendarMonthsLaterStartAtLocalMidnight) {
    auto tokyo = TimeZone::Load("Asia/Tokyo");
    ASSERT_TRUE(tokyo.ok());
    struct Case {
        const char* at;
        const char* expect;
    };
    for (const Case& c : {Case{"2026-01-12T05:00:00+09:00", "2026-04-12T00:00:00+09:00"},   // 90 days
                          Case{"2026-06-01T23:30:00+09:00", "2026-09-01T00:00:00+09:00"},   // 92 days
                          Case{"2026-05-31T16:00:00Z", "2026-09-01T00:00:00+09:00"},        // 1 Jun in Tokyo
                          Case{"2026-11-30T10:00:00+09:00", "2027-03-01T00:00:00+09:00"},   // no 30 Feb
                          Case{"2027-11-29T10:00:00+09:00", "2028-02-29T00:00:00+09:00"},   // leap year
                          Case{"2026-10-31T10:00:00+09:00", "2027-01-31T00:00:00+09:00"}}) {
        auto at = ParseRfc3339(c.at);
        ASSERT_TRUE(at) << c.at;
        EXPECT_EQ(tokyo->FormatRfc3339Local(tokyo->StartOfDayMonthsLater(*at, 3)), c.expect) << c.at;
    }
    auto utc = TimeZone::Load("UTC");
    ASSERT_TRUE(utc.ok());
    EXPECT_EQ(FormatRfc3339(utc->StartOfDayMonthsLater(*ParseRfc3339("2026-05-31T16:00:00Z"), 3)),
              "2026-08-31T00:00:00Z");
}

}  // namespace
}  // namespace kizuna::core
