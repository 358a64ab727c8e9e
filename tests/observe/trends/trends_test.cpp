#include "observe/trends/detection.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "auth/auth.hpp"
#include "support/manual_clock.hpp"
#include "support/temp_dir.hpp"

namespace kizuna::observe {
namespace {

constexpr std::int64_t kDay = 86'400'000'000LL;
constexpr std::int64_t kStart = 1'767'225'600'000'000LL;  // 2026-01-01T00:00:00Z

// A synthetic port: `base` packets per sensor a day with a weekly swing of ±`weekly` and Poisson-like noise
// (seeded: the same series every run), plus `extra[d]` on day d; sources and targets scale with the level.
std::vector<TrendDay> Series(std::size_t days, double base, double weekly, const std::vector<double>& extra = {},
                             unsigned seed = 1) {
    std::mt19937 rng(seed);
    std::vector<TrendDay> out;
    for (std::size_t d = 0; d < days; ++d) {
        double mean = base * (1 + weekly * std::sin(2 * M_PI * static_cast<double>(d) / 7));
        if (d < extra.size()) mean += extra[d];
        const double level = mean > 0 ? std::poisson_distribution<long>(mean)(rng) : 0;
        TrendDay day;
        day.day_start_micros = kStart + static_cast<std::int64_t>(d) * kDay;
        day.level = level;
        day.sources = std::round(level / 4);
        day.targets = std::round(std::min(level, 5000.0) / 2);
        out.push_back(day);
    }
    return out;
}

std::vector<std::size_t> OnsetDays(const TrendAnalysis& a) {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < a.days.size(); ++i)
        if (a.days[i].state == TrendState::kOnset) out.push_back(i);
    return out;
}

TEST(TrendsTest, BusySteadyPortHasNoOnsetWhereDShieldsScoreIsHigh) {
    // 20,000 packets a day, ±15 % over the week: nothing changes, but DShield's chi-square-like score
    // reads the weekly swing as a trend on almost every day.
    const auto days = Series(120, 20000, 0.15);
    const auto a = AnalyseTrend(days);
    EXPECT_TRUE(OnsetDays(a).empty());
    EXPECT_EQ(a.current, TrendState::kQuiet);
    int dshield_alarms = 0;
    for (const auto& p : a.days)
        if (p.dshield_score && *p.dshield_score > 3) ++dshield_alarms;
    EXPECT_GT(dshield_alarms, 60);
}

TEST(TrendsTest, PortNeverSeenBeforeIsFirstObservedWhereDShieldHasNoScore) {
    std::vector<double> extra(60, 0);
    for (std::size_t d = 40; d < 60; ++d) extra[d] = 300;
    const auto a = AnalyseTrend(Series(60, 0, 0, extra));
    ASSERT_EQ(OnsetDays(a), std::vector<std::size_t>{40});
    ASSERT_EQ(a.episodes.size(), 1u);
    EXPECT_TRUE(a.episodes[0].first_observed);
    EXPECT_FALSE(a.days[40].dshield_score.has_value());  // s = 0: DShield divides by zero
    for (std::size_t d = 42; d < 60; ++d) EXPECT_EQ(a.days[d].state, TrendState::kSustained) << d;
    EXPECT_EQ(a.current, TrendState::kSustained);
}

TEST(TrendsTest, SharpRiseIsAnOnsetThenSustainedThenSubsidingThenQuiet) {
    // 200/day, then a campaign: ×8 for 30 days, then back.
    std::vector<double> extra(150, 0);
    for (std::size_t d = 60; d < 90; ++d) extra[d] = 1400;
    const auto a = AnalyseTrend(Series(150, 200, 0.1, extra, 7));
    ASSERT_EQ(OnsetDays(a), std::vector<std::size_t>{60});
    ASSERT_EQ(a.episodes.size(), 1u);
    const auto& e = a.episodes[0];
    EXPECT_FALSE(e.first_observed);
    EXPECT_NEAR(e.baseline, 200, 40);
    EXPECT_GT(e.peak_level, 1400);
    for (std::size_t d = 61; d < 90; ++d) EXPECT_EQ(a.days[d].state, TrendState::kSustained) << d;
    // Subsiding from the first days after the campaign, quiet a week later.
    ASSERT_TRUE(e.subsiding_micros.has_value());
    const auto subsiding_day = (*e.subsiding_micros - kStart) / kDay;
    EXPECT_GE(subsiding_day, 90);
    EXPECT_LE(subsiding_day, 92);
    ASSERT_TRUE(e.ended_micros.has_value());
    EXPECT_LE((*e.ended_micros - kStart) / kDay, 100);
    EXPECT_EQ(a.current, TrendState::kQuiet);
}

TEST(TrendsTest, OneDaySpikeOrOneNoisyScannerIsNotACampaign) {
    // A single-day spike is an onset that subsides at once (it does not stay "sustained").
    std::vector<double> extra(80, 0);
    extra[50] = 3000;
    const auto spike = AnalyseTrend(Series(80, 300, 0.1, extra, 3));
    ASSERT_EQ(OnsetDays(spike), std::vector<std::size_t>{50});
    EXPECT_EQ(spike.days[53].state, TrendState::kSubsiding);
    EXPECT_EQ(spike.current, TrendState::kQuiet);

    // Packets ×10 from the same number of sources (one host hammering): no onset, because the unique
    // sources did not rise.
    auto days = Series(80, 300, 0.1, {}, 4);
    for (std::size_t d = 50; d < 80; ++d) days[d].level *= 10;
    EXPECT_TRUE(OnsetDays(AnalyseTrend(days)).empty());
    // Without source counts the same packet surge is an onset (the level is all there is).
    for (auto& d : days) d.sources.reset(), d.targets.reset();
    EXPECT_EQ(OnsetDays(AnalyseTrend(days)), std::vector<std::size_t>{50});
}

TEST(TrendsTest, TooLittleHistoryOrAGradualRiseIsNotAnOnset) {
    std::vector<double> extra(6, 500);
    EXPECT_TRUE(OnsetDays(AnalyseTrend(Series(6, 0, 0, extra))).empty());
    // +1 % a day for 100 days: the baseline follows; nothing is sharp.
    std::vector<TrendDay> slow;
    for (int d = 0; d < 100; ++d)
        slow.push_back({kStart + d * kDay, 1000 * std::pow(1.01, d), std::nullopt, std::nullopt});
    EXPECT_TRUE(OnsetDays(AnalyseTrend(slow)).empty());
    EXPECT_TRUE(AnalyseTrend({}).days.empty());
}

TEST(TrendsTest, DShieldScoreMatchesItsFormula) {
    EXPECT_NEAR(*DShieldTrendScore(20, 10, 40, 20), std::sqrt(100.0 / 10 + 400.0 / 20), 1e-12);
    EXPECT_FALSE(DShieldTrendScore(5, 0, 5, 2).has_value());
    EXPECT_EQ(TrendStateName(TrendState::kSubsiding), "subsiding");
}

TEST(PortNotesTest, SaveReplaceListDeleteAndValidate) {
    kizuna::testing::TempDir dir;
    kizuna::testing::ManualClock clock;
    auto db = std::move(store::OpenSqlite({.path = dir.File("notes.db")})).value();
    std::vector<store::Migration> migrations;
    for (const auto& m : auth::Migrations()) migrations.push_back(m);
    for (const auto& m : TrendMigrations()) migrations.push_back(m);
    ASSERT_TRUE(store::Migrate(*db, migrations).ok());
    auth::AuditLog audit(clock);
    PortNotes notes(*db, clock, audit);
    ASSERT_TRUE(notes.Save(Protocol::kTcp, 37215, "Huawei HG532 (CVE-2017-17215)", {12, 3, 12}, "coord").ok());
    ASSERT_TRUE(notes.Save(Protocol::kUdp, 5060, "SIP scanning", {}, "coord").ok());
    auto got = notes.Get(Protocol::kTcp, 37215);
    ASSERT_TRUE(got.ok());
    ASSERT_TRUE(got->has_value());
    EXPECT_EQ((*got)->note, "Huawei HG532 (CVE-2017-17215)");
    EXPECT_EQ((*got)->case_ids, (std::vector<std::int64_t>{3, 12}));  // sorted, deduplicated
    EXPECT_EQ((*got)->updated_by, "coord");
    ASSERT_TRUE(notes.Save(Protocol::kTcp, 37215, "replaced", {4}, "admin").ok());
    auto all = notes.All();
    ASSERT_TRUE(all.ok());
    ASSERT_EQ(all->size(), 2u);
    EXPECT_EQ((*all)[0].protocol, Protocol::kTcp);
    EXPECT_EQ((*all)[0].note, "replaced");
    EXPECT_EQ((*all)[1].port, 5060);

    auto too_long = notes.Save(Protocol::kTcp, 1, std::string(2001, 'x'), {}, "coord");
    ASSERT_FALSE(too_long.ok());
    EXPECT_EQ(too_long.error().field(), "note");
    // 2000 Japanese characters (6000 bytes) are fine: the limit counts characters.
    std::string ja;
    for (int i = 0; i < 2000; ++i) ja += "脆";
    EXPECT_TRUE(notes.Save(Protocol::kTcp, 2, ja, {}, "coord").ok());
    auto bad_id = notes.Save(Protocol::kTcp, 1, "x", {0}, "coord");
    ASSERT_FALSE(bad_id.ok());
    EXPECT_EQ(bad_id.error().field(), "case_ids");
    EXPECT_FALSE(notes.Save(Protocol::kTcp, 1, "x", std::vector<std::int64_t>(21, 1), "coord").ok());

    ASSERT_TRUE(notes.Save(Protocol::kUdp, 5060, "", {}, "coord").ok());  // empty: deleted
    EXPECT_FALSE(notes.Get(Protocol::kUdp, 5060)->has_value());
    // Every accepted change is in the audit log; rejected ones are not.
    auto lease = db->Acquire();
    ASSERT_TRUE(lease.ok());
    auto recent = auth::AuditLog::Recent(**lease, 100);
    ASSERT_TRUE(recent.ok());
    int note_entries = 0;
    for (const auto& r : *recent) note_entries += r.entry.action == "observe.port_note";
    EXPECT_EQ(note_entries, 5);
}

}  // namespace
}  // namespace kizuna::observe
