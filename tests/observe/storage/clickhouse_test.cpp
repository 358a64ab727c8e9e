// The same events in the embedded store and in a private ClickHouse server (scripts/clickhouse.sh) must give
// the same answers to every ObservationQueries question. When clickhouse-server is not installed or cannot
// start: fails in CI (CI=true), skips loudly elsewhere (support/fail_closed.hpp).
#include "observe/storage/clickhouse.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <random>

#include "support/manual_clock.hpp"
#include "support/fail_closed.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace kizuna::observe {
namespace {

constexpr std::int64_t kHour = kBinMicros;
constexpr std::int64_t kStart = 1'767'225'600'000'000LL;  // 2026-01-01T00:00:00Z
constexpr int kDays = 12;

std::string GeoDatabase() {
    const std::string path = std::string(KIZUNA_SOURCE_DIR) +
                             "/third_party/geo/node_modules/@ip-location-db/geo-whois-asn-country-mmdb/"
                             "geo-whois-asn-country.mmdb";
    return std::filesystem::exists(path) ? path : "";
}

IpAddress V4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
    IpAddress ip{};
    ip[10] = ip[11] = 0xff;
    ip[12] = a, ip[13] = b, ip[14] = c, ip[15] = d;
    return ip;
}

// Three sensors over 12 days, one down for days 4–6; skewed TCP/UDP ports and ICMP types; sources from
// several /8s so a country database gives several countries.
std::vector<std::pair<std::string, std::vector<ScanEvent>>> Batches() {
    std::mt19937 rng(42);
    const std::uint16_t ports[] = {445, 23, 22, 80, 3389, 1433, 8080, 5900, 37215, 2323, 53, 123};
    const std::uint8_t first_octets[] = {1, 14, 27, 36, 43, 58, 61, 101, 110, 126, 133, 150, 175, 185, 202, 210};
    std::vector<std::pair<std::string, std::vector<ScanEvent>>> batches;
    for (const std::string sensor : {"tokyo-1", "osaka-1", "fukuoka-1"}) {
        for (int day = 0; day < kDays; ++day) {
            if (sensor == "osaka-1" && day >= 4 && day <= 6) continue;  // outage
            std::vector<ScanEvent> events;
            for (int i = 0; i < 400; ++i) {
                ScanEvent e;
                e.time = PacketTime{kStart + day * kDayMicros + static_cast<std::int64_t>(rng() % kDayMicros)};
                e.source = V4(first_octets[rng() % std::size(first_octets)], rng() % 256, rng() % 256, rng() % 256);
                e.destination = V4(192, 0, 2, rng() % 256);
                const unsigned kind = rng() % 20;
                if (kind == 0) {
                    e.protocol = Protocol::kIcmp;
                    e.icmp_type = rng() % 3 == 0 ? 0 : 8;
                } else {
                    e.protocol = kind < 4 ? Protocol::kUdp : Protocol::kTcp;
                    // Zipf-like skew: low indexes far more often.
                    e.destination_port = ports[std::min<std::size_t>(rng() % 12, rng() % 12)];
                    e.source_port = static_cast<std::uint16_t>(1024 + rng() % 60000);
                    e.tcp_flags = e.protocol == Protocol::kTcp ? tcp_flag::kSyn : 0;
                }
                e.ip_length = 40;
                e.ttl = 50;
                e.packets = 1 + rng() % 3;
                events.push_back(e);
            }
            std::sort(events.begin(), events.end(), [](const auto& a, const auto& b) { return a.time < b.time; });
            batches.push_back({sensor, std::move(events)});
        }
    }
    return batches;
}

class ClickHouseTest : public ::testing::Test {
  protected:
    void SetUp() override {
        auto started = kizuna::testing::RunCommand(
            {"/bin/bash", std::string(KIZUNA_SOURCE_DIR) + "/scripts/clickhouse.sh", "start", dir_.File("clickhouse")});
        if (started.exit_code != 0)
            KIZUNA_MISSING_TOOL("clickhouse-server could not start")
                << " (exit " << started.exit_code << "): " << started.err;
        url_ = started.out.substr(0, started.out.find('\n'));
        started_ = true;
    }
    void TearDown() override {
        if (started_)
            kizuna::testing::RunCommand(
                {"/bin/bash", std::string(KIZUNA_SOURCE_DIR) + "/scripts/clickhouse.sh", "stop", dir_.File("clickhouse")});
    }

    kizuna::testing::TempDir dir_;
    std::string url_;
    bool started_ = false;
};

TEST_F(ClickHouseTest, SameEventsGiveTheSameAnswersOnBothBackends) {
    StoreOptions options;
    options.geo_database = GeoDatabase();
    // Without the country database every source is "ZZ" and the country comparison would prove nothing.
    if (options.geo_database.empty()) KIZUNA_MISSING_TOOL("country database missing") << ": run scripts/setup.sh";
    auto store = EventStore::Open(dir_.File("observe"), options);
    ASSERT_TRUE(store.ok()) << store.error().ToString();
    std::map<std::string, std::uint64_t> seq;
    for (const auto& [sensor, events] : Batches()) {
        ASSERT_TRUE((*store)->AppendBatch(sensor, ++seq[sensor], events).ok());
        // Heartbeats for the whole day the sensor was up.
        const std::int64_t day = events.front().time.micros_since_epoch / kDayMicros * kDayMicros;
        ASSERT_TRUE((*store)->RecordUptime(sensor, PacketTime{day}, PacketTime{day + kDayMicros}).ok());
    }
    auto ch = ClickHouseStore::Open({.url = url_});
    ASSERT_TRUE(ch.ok()) << ch.error().ToString();
    const TimeRange all{PacketTime{kStart - kDayMicros}, PacketTime{kStart + (kDays + 1) * kDayMicros}};
    auto copied = (*ch)->CopyFrom(**store, all);
    ASSERT_TRUE(copied.ok()) << copied.error().ToString();
    EXPECT_EQ(*copied, (*store)->EventCount());
    EXPECT_EQ(*(*ch)->EventCount(), (*store)->EventCount());

    auto embedded = MakeStoreQueries(**store);
    auto clickhouse = MakeClickHouseQueries(**ch);
    // Whole period, a period cutting through hours and through the outage, one protocol.
    const TimeRange ranges[] = {all, {PacketTime{kStart + 3 * kDayMicros + 5 * kHour + 1234},
                                      PacketTime{kStart + 8 * kDayMicros + 17 * kHour + 99}}};
    for (const TimeRange& range : ranges) {
        for (std::optional<Protocol> proto : {std::optional<Protocol>{}, std::optional<Protocol>{Protocol::kTcp},
                                               std::optional<Protocol>{Protocol::kUdp}}) {
            auto a = embedded->TopPorts({.range = range, .protocol = proto, .limit = 0});
            auto b = clickhouse->TopPorts({.range = range, .protocol = proto, .limit = 0});
            ASSERT_TRUE(a.ok() && b.ok()) << (b.ok() ? "" : b.error().ToString());
            ASSERT_EQ(a->size(), b->size());
            ASSERT_GT(a->size(), 5u);
            for (std::size_t i = 0; i < a->size(); ++i) {
                EXPECT_EQ((*a)[i].protocol, (*b)[i].protocol) << i;
                EXPECT_EQ((*a)[i].port, (*b)[i].port) << i;
                EXPECT_EQ((*a)[i].packets, (*b)[i].packets) << i;
                EXPECT_DOUBLE_EQ((*a)[i].per_sensor, (*b)[i].per_sensor) << i;
            }
        }
        auto ca = embedded->Countries(range, 0);
        auto cb = clickhouse->Countries(range, 0);
        ASSERT_TRUE(ca.ok() && cb.ok());
        ASSERT_EQ(ca->size(), cb->size());
        // The sources come from 16 /8s in several registries: several known countries, not all "ZZ".
        const auto known = std::count_if(ca->begin(), ca->end(),
                                         [](const CountryRow& row) { return row.country != kUnknownCountry; });
        EXPECT_GE(known, 3) << "every source is unknown (\"ZZ\"): the country database was not used";
        for (std::size_t i = 0; i < ca->size(); ++i) {
            EXPECT_EQ((*ca)[i].country, (*cb)[i].country);
            EXPECT_EQ((*ca)[i].packets, (*cb)[i].packets);
            EXPECT_DOUBLE_EQ((*ca)[i].per_sensor, (*cb)[i].per_sensor);
        }
        auto ia = embedded->Icmp(range, 0);
        auto ib = clickhouse->Icmp(range, 0);
        ASSERT_TRUE(ia.ok() && ib.ok());
        ASSERT_EQ(ia->size(), ib->size());
        ASSERT_GE(ia->size(), 2u);
        for (std::size_t i = 0; i < ia->size(); ++i) {
            EXPECT_EQ((*ia)[i].type, (*ib)[i].type);
            EXPECT_EQ((*ia)[i].code, (*ib)[i].code);
            EXPECT_EQ((*ia)[i].packets, (*ib)[i].packets);
            EXPECT_DOUBLE_EQ((*ia)[i].per_sensor, (*ib)[i].per_sensor);
        }
        for (std::uint16_t port : {445, 37215, 9999}) {
            auto pa = embedded->PortDaily(Protocol::kTcp, port, range);
            auto pb = clickhouse->PortDaily(Protocol::kTcp, port, range);
            ASSERT_TRUE(pa.ok() && pb.ok());
            ASSERT_EQ(pa->size(), pb->size());
            for (std::size_t d = 0; d < pa->size(); ++d) {
                EXPECT_EQ((*pa)[d].day_start_micros, (*pb)[d].day_start_micros);
                EXPECT_EQ((*pa)[d].packets, (*pb)[d].packets) << port << " day " << d;
                EXPECT_DOUBLE_EQ((*pa)[d].effective_sensors, (*pb)[d].effective_sensors) << d;
                EXPECT_DOUBLE_EQ((*pa)[d].per_sensor, (*pb)[d].per_sensor) << d;
            }
        }
        for (std::int64_t bin : {kBinMicros, kDayMicros}) {
            auto aa = embedded->ActiveSensors(range, bin);
            auto ab = clickhouse->ActiveSensors(range, bin);
            ASSERT_TRUE(aa.ok() && ab.ok());
            ASSERT_EQ(aa->size(), ab->size());
            for (std::size_t i = 0; i < aa->size(); ++i) {
                EXPECT_EQ((*aa)[i].bin_start_micros, (*ab)[i].bin_start_micros);
                EXPECT_EQ((*aa)[i].active_sensors, (*ab)[i].active_sensors) << i;
                EXPECT_DOUBLE_EQ((*aa)[i].effective_sensors, (*ab)[i].effective_sensors) << i;
            }
        }
    }
    // The outage shows: on day 5 only two sensors were active.
    auto day5 = clickhouse->ActiveSensors({PacketTime{kStart + 5 * kDayMicros}, PacketTime{kStart + 6 * kDayMicros}},
                                          kDayMicros);
    ASSERT_TRUE(day5.ok());
    EXPECT_EQ((*day5)[0].active_sensors, 2u);

    // Raw events of one country and day: the same rows in the same order.
    auto countries = embedded->Countries(all, 1);
    ASSERT_TRUE(countries.ok());
    const CountryCode cc = (*countries)[0].country;
    auto ra = embedded->EventsFromCountry(cc, PacketTime{kStart + 2 * kDayMicros}, 0);
    auto rb = clickhouse->EventsFromCountry(cc, PacketTime{kStart + 2 * kDayMicros}, 0);
    ASSERT_TRUE(ra.ok() && rb.ok());
    ASSERT_EQ(ra->size(), rb->size());
    ASSERT_GT(ra->size(), 0u);
    for (std::size_t i = 0; i < ra->size(); ++i) {
        EXPECT_EQ((*ra)[i].event, (*rb)[i].event) << i;
        EXPECT_EQ((*ra)[i].sensor, (*rb)[i].sensor);
    }
}

TEST_F(ClickHouseTest, AppendBatchIsIdempotentPerSensorAndValidates) {
    auto ch = ClickHouseStore::Open({.url = url_, .table_prefix = "append_test_"});
    ASSERT_TRUE(ch.ok()) << ch.error().ToString();
    std::vector<ScanEvent> events(3);
    for (int i = 0; i < 3; ++i) {
        events[i].time = PacketTime{kStart + i * kHour};
        events[i].destination_port = 23;
        events[i].source = V4(1, 2, 3, static_cast<std::uint8_t>(i));
    }
    const std::vector<CountryCode> countries(3, CountryCode{'J', 'P'});
    EXPECT_EQ(*(*ch)->AppendBatch("s1", 1, events, countries), AppendOutcome::kStored);
    EXPECT_EQ(*(*ch)->AppendBatch("s1", 1, events, countries), AppendOutcome::kDuplicate);
    EXPECT_EQ(*(*ch)->AppendBatch("s2", 1, events, countries), AppendOutcome::kStored);
    EXPECT_EQ(*(*ch)->LastSequence("s1"), 1u);
    EXPECT_EQ(*(*ch)->EventCount(), 6u);
    auto q = MakeClickHouseQueries(**ch);
    auto top = q->TopPorts({.range = {PacketTime{kStart}, PacketTime{kStart + kDayMicros}}, .protocol = {}, .limit = 5});
    ASSERT_TRUE(top.ok());
    ASSERT_EQ(top->size(), 1u);
    EXPECT_EQ((*top)[0].packets, 6u);
    EXPECT_DOUBLE_EQ((*top)[0].per_sensor, 3.0);  // two sensors, each up in the three hours of their events
    auto bad = (*ch)->AppendBatch("bad name'", 2, events, countries);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().field(), "sensor");
    EXPECT_EQ((*ch)->AppendBatch("s1", 0, events, countries).error().field(), "seq");
    EXPECT_FALSE(ClickHouseStore::Open({.url = "ftp://x"}).ok());
    EXPECT_FALSE(ClickHouseStore::Open({.url = url_, .table_prefix = "x; DROP"}).ok());
    ASSERT_TRUE((*ch)->DropTables().ok());
}

// CatchUp copies exactly what ClickHouse lacks: ClickHouse holds the first batches of a sensor (as the live
// sink leaves it after an outage), CatchUp adds the rest per day, a second CatchUp adds nothing.
TEST_F(ClickHouseTest, CatchUpCopiesOnlyWhatClickHouseLacks) {
    auto store = EventStore::Open(dir_.File("observe"), StoreOptions{});
    ASSERT_TRUE(store.ok()) << store.error().ToString();
    auto ch = ClickHouseStore::Open({.url = url_, .table_prefix = "catchup_test_"});
    ASSERT_TRUE(ch.ok()) << ch.error().ToString();
    std::map<std::string, std::uint64_t> seq, total;
    int forwarded = 0;
    for (const auto& [sensor, events] : Batches()) {
        const auto s = ++seq[sensor];
        ASSERT_TRUE((*store)->AppendBatch(sensor, s, events).ok());
        total[sensor] += events.size();
        if (sensor == "tokyo-1" && s <= 5) {  // the live sink got these before ClickHouse went away
            const std::vector<CountryCode> countries(events.size(), kUnknownCountry);
            ASSERT_TRUE((*ch)->InsertBatch(sensor, s, events, countries).ok());
            ++forwarded;
        }
    }
    ASSERT_EQ(forwarded, 5);
    auto marks = (*ch)->Watermarks();
    ASSERT_TRUE(marks.ok()) << marks.error().ToString();
    EXPECT_EQ((*marks)["tokyo-1"], 5u);
    std::uint64_t copied = 0;
    for (const auto& sensor : (*store)->Sensors()) {
        auto caught_up = (*ch)->CatchUp(**store, sensor);
        ASSERT_TRUE(caught_up.ok()) << caught_up.error().ToString();
        copied += *caught_up;
    }
    EXPECT_EQ(copied, (*store)->EventCount() - 5 * 400);
    EXPECT_EQ(*(*ch)->EventCount(), (*store)->EventCount());
    marks = (*ch)->Watermarks();
    ASSERT_TRUE(marks.ok());
    for (const auto& [sensor, last] : seq) EXPECT_EQ((*marks)[sensor], last) << sensor;
    // Nothing is missing any more.
    for (const auto& sensor : (*store)->Sensors()) EXPECT_EQ(*(*ch)->CatchUp(**store, sensor), 0u) << sensor;
    EXPECT_EQ(*(*ch)->EventCount(), (*store)->EventCount());
    // And the answers agree.
    auto embedded = MakeStoreQueries(**store);
    auto clickhouse = MakeClickHouseQueries(**ch);
    const TopPortsQuery query{.range = {PacketTime{kStart}, PacketTime{kStart + kDays * kDayMicros}}, .protocol = {}, .limit = 10};
    auto a = embedded->TopPorts(query);
    auto b = clickhouse->TopPorts(query);
    ASSERT_TRUE(a.ok() && b.ok());
    ASSERT_EQ(a->size(), b->size());
    for (std::size_t i = 0; i < a->size(); ++i) {
        EXPECT_EQ((*a)[i].port, (*b)[i].port);
        EXPECT_EQ((*a)[i].packets, (*b)[i].packets);
        EXPECT_DOUBLE_EQ((*a)[i].per_sensor, (*b)[i].per_sensor);
    }
    ASSERT_TRUE((*ch)->DropTables().ok());
}

// The forwarder as the collector uses it: every stored batch is forwarded in the background, a batch
// notified twice (a resend) is inserted once. (ClickHouse going away mid-stream: tests/functional.)
TEST_F(ClickHouseTest, ForwarderDeliversQueuedBatchesExactlyOnce) {
    auto store = EventStore::Open(dir_.File("observe"), StoreOptions{});
    ASSERT_TRUE(store.ok()) << store.error().ToString();
    kizuna::testing::ManualClock clock;
    core::Logger log(clock, core::LogLevel::kError);
    ForwarderOptions options;
    options.clickhouse = {.url = url_, .table_prefix = "forward_test_"};
    options.retry_max = std::chrono::milliseconds(500);
    auto forwarder = ClickHouseForwarder::Start(**store, options, log);
    ASSERT_TRUE(forwarder.ok()) << forwarder.error().ToString();
    ASSERT_TRUE((*forwarder)->WaitCaughtUp(std::chrono::seconds(30)));  // connected; the store is empty
    std::uint64_t seq = 0;
    for (const auto& [sensor, events] : Batches()) {
        if (sensor != "fukuoka-1") continue;
        std::lock_guard order((*forwarder)->order_mutex());
        ASSERT_TRUE((*store)->AppendBatch(sensor, ++seq, events).ok());
        (*forwarder)->BatchStored(sensor, seq, events);
        if (seq == 3) (*forwarder)->BatchStored(sensor, seq, events);  // notified twice
    }
    ASSERT_TRUE((*forwarder)->WaitCaughtUp(std::chrono::seconds(60)));
    auto ch = ClickHouseStore::Open({.url = url_, .table_prefix = "forward_test_"});
    ASSERT_TRUE(ch.ok());
    EXPECT_EQ(*(*ch)->EventCount(), (*store)->EventCount());
    const auto counters = (*forwarder)->counters();
    EXPECT_EQ(counters.batches_forwarded, seq);
    EXPECT_EQ(counters.batches_skipped, 1u);
    EXPECT_EQ(counters.events_forwarded, (*store)->EventCount());
    EXPECT_EQ(counters.events_caught_up, 0u);
    (*forwarder)->Stop();
    ASSERT_TRUE((*ch)->DropTables().ok());
}

TEST(ClickHouseClientTest, UnreachableServerIsUnavailable) {
    ClickHouseClient client({.url = "http://127.0.0.1:1", .timeout = std::chrono::seconds(5)});
    auto r = client.Query("SELECT 1");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), core::ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace kizuna::observe
