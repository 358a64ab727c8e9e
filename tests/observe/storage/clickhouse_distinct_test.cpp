// Unique sources and targets per (port, day) from ClickHouse (uniqExact) equal the embedded store's exact
// counts on the same events (O4), with a private server from scripts/clickhouse.sh. Skips, saying why, only
// when clickhouse-server is not installed or cannot start.
#include <gtest/gtest.h>

#include <random>

#include "observe/storage/clickhouse.hpp"
#include "observe/storage/distinct.hpp"
#include "support/fail_closed.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace kizuna::observe {
namespace {

constexpr std::int64_t kStart = 1'767'225'600'000'000LL;  // 2026-01-01T00:00:00Z
constexpr int kDays = 9;

IpAddress Address(std::uint32_t v, bool v6) {
    IpAddress ip{};
    if (v6) {
        ip[0] = 0x20, ip[1] = 0x01, ip[2] = 0x0d, ip[3] = 0xb8;
        ip[12] = static_cast<std::uint8_t>(v >> 24), ip[13] = static_cast<std::uint8_t>(v >> 16);
        ip[14] = static_cast<std::uint8_t>(v >> 8), ip[15] = static_cast<std::uint8_t>(v);
        return ip;
    }
    return Ipv4Mapped(v);
}

TEST(ClickHouseDistinctTest, UniqueSourcesAndTargetsEqualOnBothBackends) {
    kizuna::testing::TempDir dir;
    const std::string script = std::string(KIZUNA_SOURCE_DIR) + "/scripts/clickhouse.sh";
    auto started = kizuna::testing::RunCommand({"/bin/bash", script, "start", dir.File("clickhouse")});
    if (started.exit_code != 0)
        KIZUNA_MISSING_TOOL("clickhouse-server could not start")
            << " (exit " << started.exit_code << "): " << started.err;
    struct Stop {
        std::string script, dir;
        ~Stop() { kizuna::testing::RunCommand({"/bin/bash", script, "stop", dir}); }
    } stop{script, dir.File("clickhouse")};
    const std::string url = started.out.substr(0, started.out.find('\n'));

    auto store = EventStore::Open(dir.File("observe"), {});
    ASSERT_TRUE(store.ok()) << store.error().ToString();
    // Three sensors; sources drawn from small pools so repeats are common (distinct < events); IPv4 and IPv6;
    // ICMP echo and unreachable; a few flow records with no packets (counted by neither).
    std::mt19937 rng(11);
    const std::uint16_t ports[] = {23, 445, 2323, 5555, 37215};
    std::uint64_t seq = 0;
    for (int day = 0; day < kDays; ++day) {
        for (std::uint32_t sensor = 0; sensor < 3; ++sensor) {
            std::vector<ScanEvent> events;
            for (int i = 0; i < 300; ++i) {
                ScanEvent e;
                e.time = PacketTime{kStart + day * kDayMicros + static_cast<std::int64_t>(rng() % kDayMicros)};
                const bool v6 = rng() % 10 == 0;
                e.ip_version = v6 ? 6 : 4;
                e.source = Address(0x0A000000u + rng() % (day == 6 ? 2000 : 150), v6);
                e.destination = Address(0xC0000200u + sensor * 8 + rng() % 8, false);
                if (rng() % 12 == 0) {
                    e.protocol = Protocol::kIcmp;
                    e.icmp_type = rng() % 4 == 0 ? 3 : 8;
                    e.icmp_code = e.icmp_type == 3 ? 1 : 0;
                } else {
                    e.protocol = rng() % 5 == 0 ? Protocol::kUdp : Protocol::kTcp;
                    e.destination_port = ports[std::min(rng() % 5, rng() % 5)];
                    e.source_port = 40000;
                }
                e.packets = rng() % 40 == 0 ? 0 : 1 + rng() % 3;
                events.push_back(e);
            }
            std::sort(events.begin(), events.end(), [](const auto& a, const auto& b) { return a.time < b.time; });
            ASSERT_TRUE((*store)->AppendBatch("sensor-" + std::to_string(sensor), ++seq, events).ok());
        }
    }
    auto ch = ClickHouseStore::Open({.url = url});
    ASSERT_TRUE(ch.ok()) << ch.error().ToString();
    const TimeRange all{PacketTime{kStart - kDayMicros}, PacketTime{kStart + (kDays + 1) * kDayMicros}};
    ASSERT_TRUE((*ch)->CopyFrom(**store, all).ok());

    auto embedded = MakeStoreDistinctCounts(**store);
    auto clickhouse = MakeClickHouseDistinctCounts(**ch);
    std::vector<PortKey> keys;
    for (Protocol p : {Protocol::kTcp, Protocol::kUdp})
        for (std::uint16_t port : ports) keys.push_back({p, port});
    keys.push_back({Protocol::kIcmp, 8 << 8});
    keys.push_back({Protocol::kIcmp, 3 << 8 | 1});
    keys.push_back({Protocol::kTcp, 9999});  // never seen
    // The whole period, and a range cutting through days 2 and 6 (whole days are reported).
    for (const TimeRange range : {all, TimeRange{PacketTime{kStart + 2 * kDayMicros + 777},
                                               PacketTime{kStart + 6 * kDayMicros + 5}}}) {
        auto a = embedded->Daily(keys, range);
        auto b = clickhouse->Daily(keys, range);
        ASSERT_TRUE(a.ok()) << a.error().ToString();
        ASSERT_TRUE(b.ok()) << b.error().ToString();
        ASSERT_EQ(*a, *b);
        std::uint64_t sources = 0;
        for (const auto& [key, days] : *a)
            for (const auto& d : days) sources += d.sources;
        EXPECT_GT(sources, 500u);
    }
    // Day 6 had a wider pool of sources: more distinct sources on TCP 23 than any other day.
    auto telnet = clickhouse->PortDaily(Protocol::kTcp, 23, {PacketTime{kStart}, PacketTime{kStart + kDays * kDayMicros}});
    ASSERT_TRUE(telnet.ok());
    for (int d = 0; d < kDays; ++d)
        if (d != 6) {
            EXPECT_GT((*telnet)[6].sources, (*telnet)[static_cast<std::size_t>(d)].sources) << d;
        }
}

}  // namespace
}  // namespace kizuna::observe
