// Unique sources and targets per (port, day) (O4), Kizuna's embedded store against ClickHouse's uniqExact on
// the same events (bench/observe_distinct.sh runs it). Loads N synthetic events over the trend window (120
// days, 4 sensors, skewed ports, sources drawn from a large pool so most repeat) into a fresh embedded store
// and mirrors them into ClickHouse, then times what the trends page asks — the daily unique counts of the 40
// busiest ports over 120 days:
//   cold   Kizuna, a fresh DistinctCounts (one raw scan per day for all 40 ports)   | ClickHouse uniqExact
//   warm   Kizuna, the same object again (the rollup-validated cache: no raw scan)  | ClickHouse uniqExact
// checks that both give the same numbers, and prints the ratios.
//
// usage: observe_distinct_bench DIR CLICKHOUSE_URL [EVENTS]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "observe/storage/storage.hpp"

namespace {

using namespace kizuna::observe;
using Clock = std::chrono::steady_clock;

constexpr std::int64_t kStart = 1'735'689'600'000'000LL;  // 2025-01-01T00:00:00Z
constexpr int kDays = 120;
constexpr int kSensors = 4;
constexpr int kRuns = 5;

template <typename T>
T Must(kizuna::core::Result<T> r, const char* what) {
    if (!r.ok()) {
        std::fprintf(stderr, "%s: %s\n", what, r.error().ToString().c_str());
        std::exit(1);
    }
    return std::move(r).value();
}

double Ms(const std::function<void()>& fn) {
    const auto t0 = Clock::now();
    fn();
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

IpAddress V4(std::uint32_t v) {
    IpAddress ip{};
    ip[10] = ip[11] = 0xff;
    ip[12] = static_cast<std::uint8_t>(v >> 24), ip[13] = static_cast<std::uint8_t>(v >> 16);
    ip[14] = static_cast<std::uint8_t>(v >> 8), ip[15] = static_cast<std::uint8_t>(v);
    return ip;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s DIR CLICKHOUSE_URL [EVENTS]\n", argv[0]);
        return 2;
    }
    const std::string dir = argv[1];
    const std::string url = argv[2];
    const std::uint64_t events = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 5'000'000;
    auto store = Must(EventStore::Open(dir + "/observe", {}), "open store");
    std::mt19937_64 rng(20261122);
    const std::uint64_t per_batch = events / (kDays * kSensors) + 1;
    std::uint64_t seq = 0, stored = 0;
    const auto load0 = Clock::now();
    for (int day = 0; day < kDays; ++day) {
        for (int sensor = 0; sensor < kSensors; ++sensor) {
            std::vector<ScanEvent> batch(per_batch);
            for (auto& e : batch) {
                e.time = PacketTime{kStart + day * kDayMicros + static_cast<std::int64_t>(rng() % kDayMicros)};
                e.source = V4(0x0A000000u + static_cast<std::uint32_t>(rng() % 2'000'000));
                e.destination = V4(0xC6336400u + static_cast<std::uint32_t>(sensor * 16 + rng() % 16));
                e.protocol = rng() % 10 == 0 ? Protocol::kUdp : Protocol::kTcp;
                // Zipf-like: port index i with probability ~ 1/(i+1) over 2000 ports.
                const double u = std::uniform_real_distribution<double>(0, 1)(rng);
                e.destination_port = static_cast<std::uint16_t>(1 + static_cast<int>(std::pow(2000.0, u)) % 2000);
                e.source_port = 40000;
                e.packets = 1;
            }
            std::sort(batch.begin(), batch.end(), [](const auto& a, const auto& b) { return a.time < b.time; });
            Must(store->AppendBatch("sensor-" + std::to_string(sensor), ++seq, batch), "append");
            stored += batch.size();
        }
    }
    const double load_s = std::chrono::duration<double>(Clock::now() - load0).count();
    auto ch = Must(ClickHouseStore::Open({.url = url, .table_prefix = "bench_distinct_"}), "clickhouse");
    (void)ch->DropTables();
    ch = Must(ClickHouseStore::Open({.url = url, .table_prefix = "bench_distinct_"}), "clickhouse");
    const TimeRange all{PacketTime{kStart}, PacketTime{kStart + kDays * kDayMicros}};
    Must(ch->CopyFrom(*store, all), "copy");
    std::printf("events: %llu over %d days, %d sensors (loaded in %.1f s)\n", static_cast<unsigned long long>(stored),
                kDays, kSensors, load_s);

    auto queries = MakeStoreQueries(*store);
    auto top = Must(queries->TopPorts({.range = all, .protocol = std::nullopt, .limit = 40}), "top ports");
    std::vector<PortKey> ports;
    for (const auto& r : top) ports.push_back({r.protocol, r.port});

    auto clickhouse = MakeClickHouseDistinctCounts(*ch);
    std::map<PortKey, std::vector<UniqueDay>> a, b;
    double cold = 1e18, warm = 1e18, chm = 1e18;
    for (int run = 0; run < kRuns; ++run) {
        auto embedded = MakeStoreDistinctCounts(*store);
        cold = std::min(cold, Ms([&] { a = Must(embedded->Daily(ports, all), "embedded"); }));
        warm = std::min(warm, Ms([&] { a = Must(embedded->Daily(ports, all), "embedded warm"); }));
        chm = std::min(chm, Ms([&] { b = Must(clickhouse->Daily(ports, all), "clickhouse"); }));
    }
    if (a != b) {
        std::fprintf(stderr, "MISMATCH between the embedded store and ClickHouse\n");
        return 1;
    }
    std::uint64_t sources = 0;
    for (const auto& [k, days] : a)
        for (const auto& d : days) sources += d.sources;
    std::printf("unique sources/targets, %zu ports x %d days (sum of daily sources %llu; answers equal)\n",
                ports.size(), kDays, static_cast<unsigned long long>(sources));
    std::printf("  kizuna cold (raw scan)   %9.1f ms\n", cold);
    std::printf("  kizuna warm (cache)      %9.1f ms\n", warm);
    std::printf("  clickhouse uniqExact     %9.1f ms\n", chm);
    std::printf("ratios: clickhouse/kizuna-cold %.2fx, clickhouse/kizuna-warm %.1fx\n", chm / cold, chm / warm);
    (void)ch->DropTables();
    return 0;
}
