// Observation queries, Kizuna's event store against ClickHouse on the same events (issue 6,
// bench/observe_query.sh runs it). Loads N synthetic events (a year, 8 sensors, skewed ports) into a fresh
// embedded store through AppendBatch and mirrors them into ClickHouse (ClickHouseStore::CopyFrom), then
// times, best of several runs each:
//   top-10 ports over the year        Kizuna from rollups | ClickHouse GROUP BY over the raw events
//   per-sensor daily averages         Kizuna from rollups | ClickHouse, for the year's top-10 ports
//   raw scan: packets per dst port    Kizuna's columnar ParallelScan of two columns over every event |
//                                     ClickHouse GROUP BY dst_port (max_threads 2); full answers compared
// and prints one line per measurement plus the ratios.
//
// usage: observe_query_bench DIR CLICKHOUSE_URL [EVENTS]   (CLICKHOUSE_URL "-": Kizuna's raw scan only)
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "observe/storage/storage.hpp"

namespace {

using namespace kizuna::observe;
using Clock = std::chrono::steady_clock;

constexpr std::int64_t kStart = 1'735'689'600'000'000LL;  // 2025-01-01T00:00:00Z
constexpr int kDays = 365;
constexpr int kSensors = 8;
constexpr int kRuns = 5;
constexpr int kScanRounds = 10;

double BestMs(const std::function<void()>& fn) {
    double best = 1e18;
    for (int i = 0; i < kRuns; ++i) {
        const auto t0 = Clock::now();
        fn();
        best = std::min(best, std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
    return best;
}

template <typename T>
T Must(kizuna::core::Result<T> r, const char* what) {
    if (!r.ok()) {
        std::fprintf(stderr, "%s: %s\n", what, r.error().ToString().c_str());
        std::exit(1);
    }
    return std::move(r).value();
}

void MustOk(const kizuna::core::Status& s, const char* what) {
    if (!s.ok()) {
        std::fprintf(stderr, "%s: %s\n", what, s.error().ToString().c_str());
        std::exit(1);
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s DIR CLICKHOUSE_URL [EVENTS]\n", argv[0]);
        return 2;
    }
    const std::filesystem::path dir = argv[1];
    const std::string url = argv[2];
    std::uint64_t total = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 10'000'000;
    const bool scan_only = url == "-";
    if (!scan_only) std::filesystem::remove_all(dir / "store");

    // 1. Load the embedded store: one batch per sensor and day, Zipf-like port skew over 2,000 ports.
    auto store = Must(EventStore::Open(dir / "store", {}), "open store");
    std::mt19937_64 rng(7);
    std::vector<std::uint16_t> ports(2000);
    for (std::size_t i = 0; i < ports.size(); ++i) ports[i] = static_cast<std::uint16_t>(i < 20 ? 20 + i * 97 : 1024 + i * 31);
    std::vector<double> weights(ports.size());
    for (std::size_t i = 0; i < weights.size(); ++i) weights[i] = 1.0 / std::pow(static_cast<double>(i + 1), 1.1);
    std::discrete_distribution<std::size_t> pick(weights.begin(), weights.end());
    const std::uint64_t per_batch = std::max<std::uint64_t>(1, total / (kDays * kSensors));
    const auto load0 = Clock::now();
    std::uint64_t loaded = 0;
    std::vector<ScanEvent> batch;
    if (scan_only && store->EventCount() > 0) loaded = total = store->EventCount();  // reuse the store
    for (int day = 0; day < kDays && loaded < total; ++day) {
        for (int s = 0; s < kSensors && loaded < total; ++s) {
            batch.clear();
            const std::uint64_t n = std::min(per_batch, total - loaded);
            for (std::uint64_t i = 0; i < n; ++i) {
                ScanEvent e;
                e.time = PacketTime{kStart + day * kDayMicros + static_cast<std::int64_t>(i * (kDayMicros / n))};
                e.source[10] = e.source[11] = 0xff;
                const std::uint64_t r = rng();
                std::memcpy(&e.source[12], &r, 4);
                e.destination = e.source;
                e.destination[15] = static_cast<std::uint8_t>(s);
                e.destination_port = ports[pick(rng)];
                e.source_port = static_cast<std::uint16_t>(r >> 40);
                e.tcp_flags = tcp_flag::kSyn;
                e.ip_length = 44;
                e.ttl = 50;
                batch.push_back(e);
            }
            (void)Must(store->AppendBatch("sensor-" + std::to_string(s), static_cast<std::uint64_t>(day + 1), batch),
                       "append");
            loaded += n;
        }
    }
    const double load_s = std::chrono::duration<double>(Clock::now() - load0).count();
    std::printf("kizuna.load events=%llu seconds=%.2f events_per_s=%.0f\n", static_cast<unsigned long long>(loaded),
                load_s, static_cast<double>(loaded) / load_s);

    if (url == "-") {
        // Profiling aid (no ClickHouse): the raw scan alone, repeated, e.g. under `perf record`.
        ScanFilter ports_only;
        ports_only.columns = column::kDestinationPort | column::kPackets;
        for (unsigned threads : {1u, EventStore::DefaultScanThreads()}) {
            std::vector<std::vector<std::uint64_t>> partial(threads, std::vector<std::uint64_t>(65536));
            const double ms = BestMs([&] {
                for (int rep = 0; rep < 4; ++rep) {
                    (void)Must(store->ParallelScan(ports_only, threads,
                                                   [&](unsigned w, const EventColumns& c) {
                                                       std::uint64_t* acc = partial[w].data();
                                                       for (std::size_t i = 0; i < c.size; ++i)
                                                           acc[c.destination_port[i]] += c.packets[i];
                                                       return true;
                                                   }),
                               "scan");
                }
            }) / 4;
            rusage before{}, after{};
            getrusage(RUSAGE_SELF, &before);
            for (int rep = 0; rep < 4; ++rep) {
                (void)Must(store->ParallelScan(ports_only, threads,
                                               [&](unsigned w, const EventColumns& c) {
                                                   std::uint64_t* acc = partial[w].data();
                                                   for (std::size_t i = 0; i < c.size; ++i)
                                                       acc[c.destination_port[i]] += c.packets[i];
                                                   return true;
                                               }),
                           "scan");
            }
            getrusage(RUSAGE_SELF, &after);
            auto cpu = [](const rusage& r) {
                return (r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1e3 + (r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e3;
            };
            std::printf("scan.kizuna_threads=%u scan.kizuna_ms=%.1f rows_per_s=%.0f cpu_ms_per_scan=%.1f\n", threads, ms,
                        static_cast<double>(loaded) / (ms / 1000), (cpu(after) - cpu(before)) / 4);
        }
        return 0;
    }

    // 2. Mirror into ClickHouse.
    auto ch = Must(ClickHouseStore::Open({.url = url, .table_prefix = "bench_"}), "open clickhouse");
    MustOk(ch->DropTables(), "drop");
    ch = Must(ClickHouseStore::Open({.url = url, .table_prefix = "bench_"}), "open clickhouse");
    const TimeRange year{PacketTime{kStart}, PacketTime{kStart + kDays * kDayMicros}};
    const auto copy0 = Clock::now();
    const std::uint64_t copied = Must(ch->CopyFrom(*store, year), "copy");
    (void)Must(ch->client().Query("OPTIMIZE TABLE bench_events FINAL"), "optimize");
    std::printf("clickhouse.load events=%llu seconds=%.2f\n", static_cast<unsigned long long>(copied),
                std::chrono::duration<double>(Clock::now() - copy0).count());

    auto kizuna_q = MakeStoreQueries(*store);
    auto ch_q = MakeClickHouseQueries(*ch);
    std::vector<PortRow> top_k, top_c;
    const double top_kizuna = BestMs([&] { top_k = Must(kizuna_q->TopPorts({.range = year, .limit = 10}), "top"); });
    const double top_ch = BestMs([&] { top_c = Must(ch_q->TopPorts({.range = year, .limit = 10}), "top ch"); });
    bool same = top_k.size() == top_c.size();
    for (std::size_t i = 0; same && i < top_k.size(); ++i)
        same = top_k[i].port == top_c[i].port && top_k[i].packets == top_c[i].packets;
    std::printf("top10.kizuna_rollups_ms=%.2f top10.clickhouse_ms=%.2f same_answer=%s\n", top_kizuna, top_ch,
                same ? "yes" : "NO");

    const double daily_kizuna = BestMs([&] {
        for (const auto& row : top_k) (void)Must(kizuna_q->PortDaily(row.protocol, row.port, year), "daily");
    });
    const double daily_ch = BestMs([&] {
        for (const auto& row : top_k) (void)Must(ch_q->PortDaily(row.protocol, row.port, year), "daily ch");
    });
    std::printf("daily10.kizuna_rollups_ms=%.2f daily10.clickhouse_ms=%.2f\n", daily_kizuna, daily_ch);

    // 3. Raw scan: packets per destination port over every stored event. Kizuna reads only the two columns
    // (projection) on every core (ParallelScan, one accumulator per worker, merged); ClickHouse runs the same
    // GROUP BY with its max_threads (2, scripts/clickhouse.sh). Both full answers are compared port by port.
    std::uint64_t scanned = 0;
    std::vector<std::uint64_t> per_port(65536);
    const unsigned threads = EventStore::DefaultScanThreads();
    ScanFilter ports_only;
    ports_only.columns = column::kDestinationPort | column::kPackets;
    // The three are timed interleaved (kizuna, kizuna 1 thread, ClickHouse, repeated kScanRounds times, best
    // of each), so a change in the machine's load during the run hits all of them alike.
    double scan_kizuna = 1e18, scan_serial = 1e18, scan_ch = 1e18;
    auto timed = [](const std::function<void()>& fn) {
        const auto t0 = Clock::now();
        fn();
        return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    };
    const auto kizuna_scan = [&] {
        std::vector<std::vector<std::uint64_t>> partial(threads, std::vector<std::uint64_t>(65536));
        std::vector<std::uint64_t> rows(threads);
        (void)Must(store->ParallelScan(ports_only, threads,
                                       [&](unsigned w, const EventColumns& c) {
                                           std::uint64_t* acc = partial[w].data();
                                           const std::uint16_t* port = c.destination_port.data();
                                           const std::uint32_t* packets = c.packets.data();
                                           for (std::size_t i = 0; i < c.size; ++i) acc[port[i]] += packets[i];
                                           rows[w] += c.size;
                                           return true;
                                       }),
                   "scan");
        std::fill(per_port.begin(), per_port.end(), 0);
        scanned = 0;
        for (unsigned w = 0; w < threads; ++w) {
            for (std::size_t p = 0; p < per_port.size(); ++p) per_port[p] += partial[w][p];
            scanned += rows[w];
        }
    };
    std::vector<std::uint64_t> serial_port(65536);
    const auto serial_scan = [&] {
        std::fill(serial_port.begin(), serial_port.end(), 0);
        (void)Must(store->Scan(ports_only, [&](const EventColumns& c) {
                       for (std::size_t i = 0; i < c.size; ++i) serial_port[c.destination_port[i]] += c.packets[i];
                       return true;
                   }),
                   "scan serial");
    };
    std::string ch_answer;
    const auto ch_scan = [&] {
        ch_answer = Must(ch->client().Query("SELECT dst_port, sum(packets) FROM bench_events GROUP BY dst_port "
                                            "FORMAT TabSeparated"),
                         "scan ch");
    };
    for (int round = 0; round < kScanRounds; ++round) {
        scan_kizuna = std::min(scan_kizuna, timed(kizuna_scan));
        scan_serial = std::min(scan_serial, timed(serial_scan));
        scan_ch = std::min(scan_ch, timed(ch_scan));
    }
    std::vector<std::uint64_t> ch_port(65536);
    for (std::size_t pos = 0; pos < ch_answer.size();) {
        std::size_t eol = ch_answer.find('\n', pos);
        if (eol == std::string::npos) eol = ch_answer.size();
        std::string line = ch_answer.substr(pos, eol - pos);
        pos = eol + 1;
        std::size_t tab = line.find('\t');
        if (tab == std::string::npos) continue;
        ch_port[std::strtoul(line.c_str(), nullptr, 10) & 0xFFFF] += std::strtoull(line.c_str() + tab + 1, nullptr, 10);
    }
    const bool scan_same = per_port == ch_port && serial_port == per_port;
    const double rows_kizuna = static_cast<double>(scanned) / (scan_kizuna / 1000);
    const double rows_serial = static_cast<double>(scanned) / (scan_serial / 1000);
    const double rows_ch = static_cast<double>(copied) / (scan_ch / 1000);
    std::printf("scan.kizuna_threads=%u scan.kizuna_ms=%.1f scan.kizuna_rows_per_s=%.0f scan.kizuna_1thread_ms=%.1f "
                "scan.kizuna_1thread_rows_per_s=%.0f scan.clickhouse_ms=%.1f scan.clickhouse_rows_per_s=%.0f "
                "same_answer=%s\n",
                threads, scan_kizuna, rows_kizuna, scan_serial, rows_serial, scan_ch, rows_ch, scan_same ? "yes" : "NO");
    const auto stats = store->Stats();
    std::printf("kizuna.segment_bytes=%llu bytes_per_event=%.2f\n", static_cast<unsigned long long>(stats.segment_bytes),
                static_cast<double>(stats.segment_bytes) / static_cast<double>(std::max<std::uint64_t>(1, stats.events)));
    std::printf("RATIO top10 clickhouse/kizuna = %.1fx (goal: kizuna from rollups < 50 ms: %s)\n", top_ch / top_kizuna,
                top_kizuna < 50 ? "met" : "NOT met");
    std::printf("RATIO daily10 clickhouse/kizuna = %.1fx (goal: < 50 ms: %s)\n", daily_ch / daily_kizuna,
                daily_kizuna < 50 ? "met" : "NOT met");
    std::printf("RATIO raw scan kizuna/clickhouse rows/s = %.2fx (goal >= 2x: %s; same answer: %s)\n",
                rows_kizuna / rows_ch, rows_kizuna >= 2 * rows_ch && scan_same ? "met" : "NOT met", scan_same ? "yes" : "NO");
    MustOk(ch->DropTables(), "drop");
    return 0;
}
