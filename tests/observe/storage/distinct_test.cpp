// Unique sources and targets per (port, day) from the embedded store (O4), and what they change in the trend
// rule: a campaign from many sources is an onset, one noisy source with the same packets is not.
#include "observe/storage/distinct.hpp"

#include <gtest/gtest.h>

#include <random>

#include "observe/storage/queries.hpp"
#include "observe/trends/trend_list.hpp"
#include "support/temp_dir.hpp"

namespace kizuna::observe {
namespace {

constexpr std::int64_t kDay = kDayMicros;
constexpr std::int64_t kStart = 1'767'225'600'000'000LL;  // 2026-01-01T00:00:00Z


ScanEvent Tcp(std::int64_t time, std::uint32_t src, std::uint32_t dst, std::uint16_t port, std::uint32_t packets = 1) {
    ScanEvent e;
    e.time = PacketTime{time};
    e.source = Ipv4Mapped(src);
    e.destination = Ipv4Mapped(dst);
    e.protocol = Protocol::kTcp;
    e.destination_port = port;
    e.source_port = 40000;
    e.tcp_flags = tcp_flag::kSyn;
    e.ip_length = 40;
    e.packets = packets;
    return e;
}

class DistinctTest : public ::testing::Test {
  protected:
    void SetUp() override {
        auto store = EventStore::Open(dir_.File("observe"), {});
        ASSERT_TRUE(store.ok()) << store.error().ToString();
        store_ = std::move(store).value();
    }
    void Append(const std::string& sensor, std::vector<ScanEvent> events) {
        std::sort(events.begin(), events.end(), [](const auto& a, const auto& b) { return a.time < b.time; });
        auto r = store_->AppendBatch(sensor, ++seq_[sensor], events);
        ASSERT_TRUE(r.ok()) << r.error().ToString();
    }

    kizuna::testing::TempDir dir_;
    std::unique_ptr<EventStore> store_;
    std::map<std::string, std::uint64_t> seq_;
};

TEST_F(DistinctTest, CountsDistinctSourcesAndTargetsPerPortAndDay) {
    const std::uint32_t a = 0x01020304, b = 0x0E000001, c = 0x1B000002, d = 0x24000003;
    const std::uint32_t x = 0xC0000201, y = 0xC0000202;
    std::vector<ScanEvent> day0 = {
        Tcp(kStart + 10, a, x, 23), Tcp(kStart + 20, a, y, 23, 5), Tcp(kStart + 30, b, x, 23),
        Tcp(kStart + 40, c, x, 23), Tcp(kStart + 50, d, y, 23, 0),  // no packets: not counted anywhere
        Tcp(kStart + 60, a, x, 445),
    };
    ScanEvent udp = Tcp(kStart + 70, b, y, 53);
    udp.protocol = Protocol::kUdp;
    udp.tcp_flags = 0;
    day0.push_back(udp);
    for (std::uint32_t src : {a, b}) {
        ScanEvent echo = Tcp(kStart + 80, src, x, 0);
        echo.protocol = Protocol::kIcmp;
        echo.tcp_flags = 0;
        echo.icmp_type = 8;
        day0.push_back(echo);
    }
    Append("tokyo", day0);
    // Another sensor sees one of the same sources (counted once) and a new one: 23 has a, b, c and the new
    // one (d sent no packets), targets x, y and the other sensor. Day 2 has one source.
    Append("osaka", {Tcp(kStart + 100, a, 0xC6336401, 23), Tcp(kStart + 200, 0x3A000009, 0xC6336401, 23)});
    Append("tokyo", {Tcp(kStart + 2 * kDay + 5, b, x, 23)});

    auto counts = MakeStoreDistinctCounts(*store_);
    const PortKey telnet{Protocol::kTcp, 23}, smb{Protocol::kTcp, 445}, dns{Protocol::kUdp, 53},
        echo{Protocol::kIcmp, 8 << 8}, none{Protocol::kTcp, 80};
    // A range cutting into day 2: whole days are reported.
    auto got = counts->Daily({telnet, smb, dns, echo, none}, {PacketTime{kStart}, PacketTime{kStart + 2 * kDay + 1}});
    ASSERT_TRUE(got.ok()) << got.error().ToString();
    ASSERT_EQ(got->size(), 5u);
    const std::vector<UniqueDay> telnet_days = {{kStart, 4, 3}, {kStart + kDay, 0, 0}, {kStart + 2 * kDay, 1, 1}};
    EXPECT_EQ(got->at(telnet), telnet_days);
    EXPECT_EQ(got->at(smb)[0], (UniqueDay{kStart, 1, 1}));
    EXPECT_EQ(got->at(dns)[0], (UniqueDay{kStart, 1, 1}));
    EXPECT_EQ(got->at(echo)[0], (UniqueDay{kStart, 2, 1}));
    for (const auto& u : got->at(none)) EXPECT_EQ(u.sources + u.targets, 0u);

    // The single-port form agrees (and is answered from the cache).
    auto one = counts->PortDaily(Protocol::kTcp, 23, {PacketTime{kStart}, PacketTime{kStart + 3 * kDay}});
    ASSERT_TRUE(one.ok());
    EXPECT_EQ(*one, telnet_days);

    // Bad ranges name the field.
    auto empty = counts->Daily({telnet}, {PacketTime{kStart}, PacketTime{kStart}});
    ASSERT_FALSE(empty.ok());
    EXPECT_EQ(empty.error().field(), "to");
    auto huge = counts->Daily({telnet}, {PacketTime{kStart}, PacketTime{kStart + (kMaxDistinctDays + 1) * kDay}});
    ASSERT_FALSE(huge.ok());
    EXPECT_EQ(huge.error().field(), "from");
}

TEST_F(DistinctTest, LateEventsForACachedDayAreCounted) {
    Append("tokyo", {Tcp(kStart + 10, 1, 100, 23), Tcp(kStart + 20, 2, 100, 23), Tcp(kStart + 30, 3, 100, 445)});
    auto counts = MakeStoreDistinctCounts(*store_);
    const TimeRange day0{PacketTime{kStart}, PacketTime{kStart + kDay}};
    auto first = counts->PortDaily(Protocol::kTcp, 23, day0);
    ASSERT_TRUE(first.ok());
    EXPECT_EQ((*first)[0], (UniqueDay{kStart, 2, 1}));
    // Late events for the cached day (a sensor's spool drained hours later): a new source on 23 and a new
    // target, and traffic on another port that must not disturb 23's entry.
    Append("osaka", {Tcp(kStart + 40, 7, 101, 23), Tcp(kStart + 50, 8, 101, 445)});
    auto second = counts->PortDaily(Protocol::kTcp, 23, day0);
    ASSERT_TRUE(second.ok());
    EXPECT_EQ((*second)[0], (UniqueDay{kStart, 3, 2}));
    // A repeat of a known source adds packets but no source: recounted, still exact.
    Append("osaka", {Tcp(kStart + 60, 7, 101, 23)});
    auto third = counts->PortDaily(Protocol::kTcp, 23, day0);
    ASSERT_TRUE(third.ok());
    EXPECT_EQ((*third)[0], (UniqueDay{kStart, 3, 2}));
    auto smb = counts->PortDaily(Protocol::kTcp, 445, day0);
    ASSERT_TRUE(smb.ok());
    EXPECT_EQ((*smb)[0], (UniqueDay{kStart, 2, 2}));
}

// 130 days of a quiet background on two ports (about 5 sources a day, about 10 packets each), then for the
// last 10 days the same extra packets on both: on TCP 2323 from 400 new sources (a campaign), on TCP 7547
// from one source (one noisy scanner).
TEST_F(DistinctTest, CampaignFromManySourcesIsAnOnsetOneNoisySourceIsNot) {
    constexpr int kDays = 130;
    constexpr int kSurgeFrom = 120;
    std::mt19937 rng(7);
    for (int day = 0; day < kDays; ++day) {
        std::vector<ScanEvent> events;
        const std::int64_t t0 = kStart + day * kDay;
        for (std::uint16_t port : {2323, 7547}) {
            const int sources = 4 + static_cast<int>(rng() % 3);
            for (int s = 0; s < sources; ++s) {
                const std::uint32_t src = 0x0B000000u + static_cast<std::uint32_t>(rng() % 100000);
                const int packets = 8 + static_cast<int>(rng() % 5);
                for (int p = 0; p < packets; ++p)
                    events.push_back(Tcp(t0 + static_cast<std::int64_t>(rng() % kDay), src, 0xC6336401 + rng() % 4, port));
            }
            if (day < kSurgeFrom) continue;
            for (int s = 0; s < 400; ++s) {
                const std::uint32_t src = port == 2323 ? 0x70000000u + static_cast<std::uint32_t>(day * 1000 + s)
                                                       : 0x7F000001u;  // always the same host
                events.push_back(Tcp(t0 + s * 1000, src, 0xC6336401 + rng() % 4, port));
            }
        }
        Append("tokyo", events);
    }
    auto queries = MakeStoreQueries(*store_);
    auto counts = MakeStoreDistinctCounts(*store_);
    const std::int64_t today = kStart + kDays * kDay;

    // Same packets on both ports during the surge.
    auto a = queries->PortDaily(Protocol::kTcp, 2323, {PacketTime{today - kDay}, PacketTime{today}});
    auto b = queries->PortDaily(Protocol::kTcp, 7547, {PacketTime{today - kDay}, PacketTime{today}});
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_NEAR(static_cast<double>((*a)[0].packets), static_cast<double>((*b)[0].packets), 40);

    auto campaign = PortTrend(*queries, Protocol::kTcp, 2323, today, counts.get());
    auto noisy = PortTrend(*queries, Protocol::kTcp, 7547, today, counts.get());
    ASSERT_TRUE(campaign.ok() && noisy.ok());
    ASSERT_EQ(campaign->episodes.size(), 1u);
    EXPECT_EQ(campaign->episodes[0].onset_micros, kStart + kSurgeFrom * kDay);
    EXPECT_FALSE(campaign->episodes[0].first_observed);
    EXPECT_EQ(campaign->current, TrendState::kSustained);
    ASSERT_TRUE(campaign->episodes[0].source_baseline.has_value());
    EXPECT_LE(*campaign->episodes[0].source_baseline, 6);
    EXPECT_TRUE(noisy->episodes.empty());
    EXPECT_EQ(noisy->current, TrendState::kQuiet);
    // The days carry the counts and DShield's score, which sees the campaign too.
    const TrendPoint& last = campaign->days.back();
    ASSERT_TRUE(last.sources && last.targets && last.dshield_score);
    EXPECT_GE(*last.sources, 400);
    EXPECT_EQ(*last.targets, 4);
    EXPECT_GT(*last.dshield_score, 10);
    ASSERT_TRUE(noisy->days.back().sources.has_value());
    EXPECT_LE(*noisy->days.back().sources, 7);

    // Packets alone cannot tell them apart: both are onsets without the counts.
    auto blind = PortTrend(*queries, Protocol::kTcp, 7547, today);
    ASSERT_TRUE(blind.ok());
    EXPECT_EQ(blind->episodes.size(), 1u);

    // The trends list shows the campaign and not the noisy port.
    auto listed = ListTrends(*queries, {}, today, counts.get());
    ASSERT_TRUE(listed.ok()) << listed.error().ToString();
    ASSERT_EQ(listed->size(), 1u);
    EXPECT_EQ((*listed)[0].port, 2323);
    ASSERT_TRUE((*listed)[0].episode.has_value());
    auto listed_blind = ListTrends(*queries, {}, today);
    ASSERT_TRUE(listed_blind.ok());
    EXPECT_EQ(listed_blind->size(), 2u);
}

}  // namespace
}  // namespace kizuna::observe
