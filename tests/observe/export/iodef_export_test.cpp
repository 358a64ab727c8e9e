// The daily IODEF export's pure parts: when the job runs next, which day a run exports, partner lists.
#include "observe/export/iodef_export.hpp"

#include <gtest/gtest.h>

namespace kizuna::observe {
namespace {

constexpr std::int64_t kDay0 = 1'795'305'600'000'000;  // 2026-11-22T00:00:00Z
constexpr std::int64_t kMinute = 60'000'000;

core::WallTime At(std::int64_t micros) { return core::FromUnixMicros(micros); }

TEST(IodefExportTest, NextRunIsTheNext0015Utc) {
    // Before 00:15: today's run; at or after it: tomorrow's.
    EXPECT_EQ(core::ToUnixMicros(NextIodefDailyRun(At(kDay0))), kDay0 + 15 * kMinute);
    EXPECT_EQ(core::ToUnixMicros(NextIodefDailyRun(At(kDay0 + 14 * kMinute))), kDay0 + 15 * kMinute);
    EXPECT_EQ(core::ToUnixMicros(NextIodefDailyRun(At(kDay0 + 15 * kMinute))), kDay0 + kDayMicros + 15 * kMinute);
    EXPECT_EQ(core::ToUnixMicros(NextIodefDailyRun(At(kDay0 + 23 * 60 * kMinute))),
              kDay0 + kDayMicros + 15 * kMinute);
}

TEST(IodefExportTest, ARunExportsThePreviousUtcDay) {
    EXPECT_EQ(FormatDate(IodefDayForRun(At(kDay0 + 15 * kMinute))), "2026-11-21");
    EXPECT_EQ(IodefDayForRun(At(kDay0 + 15 * kMinute)).micros_since_epoch, kDay0 - kDayMicros);
    // A late (catch-up) run still exports the day before its scheduled run_at's day.
    EXPECT_EQ(FormatDate(IodefDayForRun(At(kDay0 + kDayMicros - 1))), "2026-11-21");
    // Across a month/year boundary.
    EXPECT_EQ(FormatDate(IodefDayForRun(NextIodefDailyRun(At(kDay0 + 40 * kDayMicros)))), "2026-12-31");
}

TEST(IodefExportTest, PartnerListsParseAndNameTheField) {
    auto list = ParseCountryList(" jp, KR,,TW ,JP", "observe.iodef_partners");
    ASSERT_TRUE(list.ok()) << list.error().ToString();
    ASSERT_EQ(list->size(), 3u);
    EXPECT_EQ((*list)[0], (CountryCode{'J', 'P'}));
    EXPECT_EQ((*list)[1], (CountryCode{'K', 'R'}));
    EXPECT_EQ((*list)[2], (CountryCode{'T', 'W'}));
    EXPECT_TRUE(ParseCountryList("", "f")->empty());
    for (const char* bad : {"JPN", "J1", "JP;KR", "日本"}) {
        auto r = ParseCountryList(bad, "observe.iodef_partners");
        ASSERT_FALSE(r.ok()) << bad;
        EXPECT_EQ(r.error().field(), "observe.iodef_partners");
        EXPECT_EQ(r.error().code(), core::ErrorCode::kInvalidArgument);
    }
}

}  // namespace
}  // namespace kizuna::observe
