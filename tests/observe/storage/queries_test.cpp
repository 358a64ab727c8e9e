// ObservationQueries over the embedded store: ranking, per-sensor averages that an outage does not drag
// down, daily series with every day present, countries, ICMP, activity bins, raw events per country/day.
#include "observe/storage/queries.hpp"

#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "support/temp_dir.hpp"

namespace kizuna::observe {
namespace {

constexpr std::int64_t kDay0 = 1'795'305'600'000'000;  // 2026-11-22T00:00:00Z

IpAddress V4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
    return IpAddress{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, a, b, c, d};
}

ScanEvent Event(std::int64_t micros, Protocol proto, std::uint16_t dport) {
    ScanEvent e;
    e.time = PacketTime{micros};
    e.source = V4(198, 51, 100, 7);
    e.destination = V4(192, 0, 2, 1);
    e.protocol = proto;
    e.destination_port = proto == Protocol::kIcmp ? 0 : dport;
    e.source_port = proto == Protocol::kIcmp ? 0 : 50000;
    if (proto == Protocol::kIcmp) e.icmp_type = static_cast<std::uint8_t>(dport);
    return e;
}

class QueriesTest : public ::testing::Test {
  protected:
    void SetUp() override {
        auto opened = EventStore::Open(tmp_.File("observe"), {});
        ASSERT_TRUE(opened.ok()) << opened.error().ToString();
        store_ = std::move(opened).value();
        queries_ = MakeStoreQueries(*store_);
    }
    void Append(std::string_view sensor, const std::vector<ScanEvent>& events) {
        auto outcome = store_->AppendBatch(sensor, store_->LastSequence(sensor) + 1, events);
        ASSERT_TRUE(outcome.ok()) << outcome.error().ToString();
    }
    // `count` events of one port spread over hours [first_hour, last_hour] of day `day`.
    static std::vector<ScanEvent> Spread(int day, int first_hour, int last_hour, int count, Protocol proto,
                                         std::uint16_t port) {
        std::vector<ScanEvent> events;
        int hours = last_hour - first_hour + 1;
        for (int i = 0; i < count; ++i) {
            std::int64_t t = kDay0 + day * kDayMicros + (first_hour + i % hours) * kBinMicros + i;
            events.push_back(Event(t, proto, port));
        }
        std::sort(events.begin(), events.end(), [](const ScanEvent& a, const ScanEvent& b) { return a.time < b.time; });
        return events;
    }
    static TimeRange Days(int first, int count) {
        return {PacketTime{kDay0 + first * kDayMicros}, PacketTime{kDay0 + (first + count) * kDayMicros}};
    }

    testing::TempDir tmp_;
    std::unique_ptr<EventStore> store_;
    std::unique_ptr<ObservationQueries> queries_;
};

// Sensor A is up all day and sees 100 packets on 23/tcp; sensor B is up only for the first 12 hours and sees
// 50. B counts as half a sensor, so the per-sensor average is 150 / 1.5 = 100, not 150 / 2 = 75.
TEST_F(QueriesTest, OutageDoesNotDragThePerSensorAverageDown) {
    ASSERT_TRUE(store_->RecordUptime("a", PacketTime{kDay0}, PacketTime{kDay0 + kDayMicros}).ok());
    ASSERT_TRUE(store_->RecordUptime("b", PacketTime{kDay0}, PacketTime{kDay0 + 12 * kBinMicros}).ok());
    Append("a", Spread(0, 0, 23, 100, Protocol::kTcp, 23));
    Append("b", Spread(0, 0, 11, 50, Protocol::kTcp, 23));
    Append("a", Spread(0, 0, 23, 30, Protocol::kUdp, 53));

    auto rows = queries_->TopPorts({Days(0, 1), std::nullopt, 10});
    ASSERT_TRUE(rows.ok()) << rows.error().ToString();
    ASSERT_EQ(rows->size(), 2u);
    EXPECT_EQ((*rows)[0].protocol, Protocol::kTcp);
    EXPECT_EQ((*rows)[0].port, 23);
    EXPECT_EQ((*rows)[0].packets, 150u);
    EXPECT_DOUBLE_EQ((*rows)[0].per_sensor, 100.0);
    EXPECT_EQ((*rows)[1].port, 53);
    EXPECT_DOUBLE_EQ((*rows)[1].per_sensor, 20.0);

    auto udp = queries_->TopPorts({Days(0, 1), Protocol::kUdp, 10});
    ASSERT_TRUE(udp.ok());
    ASSERT_EQ(udp->size(), 1u);
    EXPECT_EQ((*udp)[0].port, 53);

    auto limited = queries_->TopPorts({Days(0, 1), std::nullopt, 1});
    ASSERT_TRUE(limited.ok());
    EXPECT_EQ(limited->size(), 1u);
}

TEST_F(QueriesTest, DailySeriesHasEveryDayAndCountsOnlySensorsThatWereUp) {
    // Day 0: both sensors up all day; day 1: only a; day 2: nobody.
    ASSERT_TRUE(store_->RecordUptime("a", PacketTime{kDay0}, PacketTime{kDay0 + 2 * kDayMicros}).ok());
    ASSERT_TRUE(store_->RecordUptime("b", PacketTime{kDay0}, PacketTime{kDay0 + kDayMicros}).ok());
    Append("a", Spread(0, 0, 23, 40, Protocol::kTcp, 445));
    Append("b", Spread(0, 0, 23, 60, Protocol::kTcp, 445));
    Append("a", Spread(1, 0, 23, 70, Protocol::kTcp, 445));
    Append("a", Spread(1, 0, 23, 5, Protocol::kTcp, 22));

    auto points = queries_->PortDaily(Protocol::kTcp, 445, Days(0, 3));
    ASSERT_TRUE(points.ok()) << points.error().ToString();
    ASSERT_EQ(points->size(), 3u);
    EXPECT_EQ((*points)[0].day_start_micros, kDay0);
    EXPECT_EQ((*points)[0].packets, 100u);
    EXPECT_DOUBLE_EQ((*points)[0].effective_sensors, 2.0);
    EXPECT_DOUBLE_EQ((*points)[0].per_sensor, 50.0);
    EXPECT_EQ((*points)[1].packets, 70u);
    EXPECT_DOUBLE_EQ((*points)[1].per_sensor, 70.0);
    EXPECT_EQ((*points)[2].packets, 0u);
    EXPECT_DOUBLE_EQ((*points)[2].per_sensor, 0.0);

    auto activity = queries_->ActiveSensors(Days(0, 3), kDayMicros);
    ASSERT_TRUE(activity.ok());
    ASSERT_EQ(activity->size(), 3u);
    EXPECT_EQ((*activity)[0].active_sensors, 2u);
    EXPECT_EQ((*activity)[1].active_sensors, 1u);
    EXPECT_EQ((*activity)[2].active_sensors, 0u);
    auto hourly = queries_->ActiveSensors(Days(0, 1), kBinMicros);
    ASSERT_TRUE(hourly.ok());
    EXPECT_EQ(hourly->size(), 24u);
}

TEST_F(QueriesTest, CountriesIcmpAndRawEvents) {
    Append("a", Spread(0, 0, 23, 8, Protocol::kIcmp, 8));
    Append("a", Spread(0, 0, 23, 3, Protocol::kIcmp, 13));
    auto icmp = queries_->Icmp(Days(0, 1), 0);
    ASSERT_TRUE(icmp.ok());
    ASSERT_EQ(icmp->size(), 2u);
    EXPECT_EQ((*icmp)[0].type, 8);
    EXPECT_EQ((*icmp)[0].packets, 8u);
    EXPECT_EQ((*icmp)[1].type, 13);

    auto countries = queries_->Countries(Days(0, 1), 0);
    ASSERT_TRUE(countries.ok());
    ASSERT_EQ(countries->size(), 1u);
    EXPECT_EQ((*countries)[0].country, kUnknownCountry);
    EXPECT_EQ((*countries)[0].packets, 11u);

    auto raw = queries_->EventsFromCountry(kUnknownCountry, PacketTime{kDay0 + 5}, 0);
    ASSERT_TRUE(raw.ok());
    EXPECT_EQ(raw->size(), 11u);
    EXPECT_TRUE(std::is_sorted(raw->begin(), raw->end(),
                               [](const RawEventRow& x, const RawEventRow& y) { return x.event.time < y.event.time; }));
    auto none = queries_->EventsFromCountry(CountryCode{'J', 'P'}, PacketTime{kDay0}, 0);
    ASSERT_TRUE(none.ok());
    EXPECT_TRUE(none->empty());
    auto other_day = queries_->EventsFromCountry(kUnknownCountry, PacketTime{kDay0 + kDayMicros}, 0);
    ASSERT_TRUE(other_day.ok());
    EXPECT_TRUE(other_day->empty());
}

// Long periods are summed from day tables and the partial days at either end hour by hour; the result
// must equal a plain count of the events whose hour starts in the period.
TEST_F(QueriesTest, TopPortsOverPartialDaysEqualsAPlainCount) {
    std::vector<ScanEvent> events;
    for (int i = 0; i < 3 * 24 * 4; ++i) {
        std::int64_t t = kDay0 + static_cast<std::int64_t>(i) * kBinMicros / 4;
        events.push_back(Event(t, i % 3 ? Protocol::kTcp : Protocol::kUdp, static_cast<std::uint16_t>(20 + i % 7)));
    }
    Append("a", events);
    for (auto [from, to] : std::vector<std::pair<std::int64_t, std::int64_t>>{
             {kDay0 + 6 * kBinMicros, kDay0 + 2 * kDayMicros + 12 * kBinMicros},
             {kDay0 + 6 * kBinMicros + 1, kDay0 + 6 * kBinMicros + 2},
             {kDay0, kDay0 + 3 * kDayMicros},
             {kDay0 - kDayMicros, kDay0 + kDayMicros + 1}}) {
        std::map<std::pair<int, int>, std::uint64_t> expected, actual;
        for (const ScanEvent& e : events) {
            std::int64_t hour_start = e.time.micros_since_epoch / kBinMicros * kBinMicros;
            if (hour_start >= from && hour_start < to) expected[{static_cast<int>(e.protocol), e.destination_port}] += 1;
        }
        auto rows = queries_->TopPorts({{PacketTime{from}, PacketTime{to}}, std::nullopt, 0});
        ASSERT_TRUE(rows.ok());
        for (const PortRow& r : *rows) actual[{static_cast<int>(r.protocol), r.port}] = r.packets;
        EXPECT_EQ(actual, expected) << from << ".." << to;
    }
}

TEST_F(QueriesTest, RejectsReversedPeriod) {
    auto rows = queries_->TopPorts({{PacketTime{kDay0 + 1}, PacketTime{kDay0}}, std::nullopt, 10});
    ASSERT_FALSE(rows.ok());
    EXPECT_EQ(rows.error().field(), "to");
    EXPECT_FALSE(ParseProtocol("sctp", "proto").ok());
    EXPECT_EQ(*ParseProtocol("icmp", "proto"), Protocol::kIcmp);
}

}  // namespace
}  // namespace kizuna::observe
