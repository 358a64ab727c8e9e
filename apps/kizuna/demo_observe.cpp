// Demo observation data (issue 6): a year of synthetic scans seen by four sensors, written through the
// event store's normal append path (AppendBatch with country lookup, RecordUptime heartbeats), so the
// observation pages, trends and CLI queries of `kizuna demo` show full graphs.
//
// What is in it: a heavy-tailed port mix (445, 23, 22, 3389, … and a long tail of random ports), a weekly
// rhythm and day-to-day noise; three campaigns — TCP 37215 first observed about 200 days ago, sustained for
// two months and subsiding; TCP 5555 rising sharply 45 days ago and still going; TCP 8291 starting 12 days
// ago; TCP 9200 hammered by one single host for the last 25 days (as many packets as the 8291 campaign, but
// one source: not a trend — its port page shows packets up and unique sources flat); ICMP echo requests with
// a few unreachables; sources spread over address blocks of many countries;
// sensor-osaka-02 down for three weeks (no events, no heartbeats) so the per-sensor average can be seen not
// to drop. Deterministic (fixed seed) apart from "today".
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

#include "commands.hpp"
#include "observe/storage/storage.hpp"
#include "observe/transport/transport.hpp"
#include "observe/trends/trends.hpp"

namespace kizuna::app {
namespace {

using observe::Protocol;
using observe::ScanEvent;

constexpr std::int64_t kDay = observe::kDayMicros;
constexpr int kDemoDays = 365;
constexpr double kEventsPerSensorDay = 1400;  // a few /32 sensor addresses see about this many a day

struct DemoSensor {
    const char* name;
    double volume;                // relative to kEventsPerSensorDay
    int outage_from, outage_to;  // days ago, inclusive; outage_from < 0: none
};
constexpr DemoSensor kSensors[] = {
    {"sensor-tokyo-01", 1.0, -1, -1},
    {"sensor-osaka-02", 0.9, 150, 130},
    {"sensor-sapporo-03", 1.1, -1, -1},
    {"sensor-fukuoka-04", 0.8, -1, -1},
};

struct PortWeight {
    Protocol protocol;
    std::uint16_t port;
    double weight;
};
// The steady background, roughly the shape of a telescope's day: SMB and Telnet far ahead, then SSH, RDP, web.
constexpr PortWeight kBackground[] = {
    {Protocol::kTcp, 445, 26},  {Protocol::kTcp, 23, 18},   {Protocol::kTcp, 22, 9},    {Protocol::kTcp, 3389, 7},
    {Protocol::kTcp, 80, 5},    {Protocol::kTcp, 8080, 4},  {Protocol::kTcp, 1433, 3.2}, {Protocol::kTcp, 2323, 3},
    {Protocol::kTcp, 443, 2.5}, {Protocol::kTcp, 135, 2.2}, {Protocol::kTcp, 139, 1.8}, {Protocol::kTcp, 5900, 1.6},
    {Protocol::kTcp, 2967, 1.2}, {Protocol::kTcp, 6379, 1.1}, {Protocol::kUdp, 5060, 2.4}, {Protocol::kUdp, 53, 1.5},
    {Protocol::kUdp, 123, 1.2}, {Protocol::kUdp, 1900, 1.0}, {Protocol::kUdp, 137, 0.8},
};
constexpr double kTailWeight = 6;   // random ports 1024..65535
constexpr double kIcmpWeight = 4;   // ICMP (mostly echo requests)

// Campaign intensity (multiple of kEventsPerSensorDay share) on `days_ago`.
double Campaign37215(int days_ago) {
    if (days_ago > 200) return 0;
    const int age = 200 - days_ago;
    if (age < 60) return 0.05 + 0.01 * age / 6.0;  // first observed, then sustained
    return std::max(0.0, 0.15 * std::exp(-(age - 60) / 20.0));  // subsiding
}
double Campaign5555(int days_ago) {
    if (days_ago > 45) return 0.002;  // a trickle before
    return 0.12;
}
double Campaign8291(int days_ago) { return days_ago > 12 ? 0 : 0.06; }
constexpr int kNoisyScannerDays = 25;  // TCP 9200 from one host


// First octets of address blocks allocated in many regions; the country database decides the country.
constexpr std::uint8_t kSourceBlocks[] = {1,   14,  27,  36,  39,  42,  45,  58,  59,  60,  61,  101, 103, 106, 110,
                                          112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126,
                                          133, 150, 153, 163, 175, 180, 182, 183, 185, 186, 187, 188, 189, 190, 191,
                                          193, 194, 195, 196, 197, 200, 201, 202, 203, 210, 211, 218, 219, 220, 221,
                                          222, 223, 5,   23,  24,  31,  37,  41,  46,  62,  64,  66,  68,  71,  77,
                                          78,  79,  80,  81,  82,  83,  84,  85,  86,  87,  88,  89,  90,  91,  92};

// One noisy host's packets to TCP 9200 on one sensor and day (its own generator, so the rest of the demo
// data does not change with it).
void AddNoisyScanner(std::vector<ScanEvent>& events, std::mt19937& rng, std::int64_t day_start, std::int64_t day_end,
                     double volume, std::uint8_t sensor_octet) {
    const auto n = std::poisson_distribution<long>(kEventsPerSensorDay * volume * 0.6 *
                                                   static_cast<double>(day_end - day_start) / kDay)(rng);
    for (long i = 0; i < n; ++i) {
        ScanEvent e;
        e.time = observe::PacketTime{day_start + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(day_end - day_start))};
        e.source = observe::Ipv4Mapped(0x5BC8002Au);  // 91.200.0.42
        e.destination = observe::Ipv4Mapped(0xC6336400u | sensor_octet);
        e.protocol = Protocol::kTcp;
        e.destination_port = 9200;
        e.source_port = static_cast<std::uint16_t>(1024 + rng() % 64000);
        e.tcp_flags = observe::tcp_flag::kSyn;
        e.ip_length = 44;
        e.ttl = 51;
        events.push_back(e);
    }
    std::sort(events.begin(), events.end(), [](const ScanEvent& a, const ScanEvent& b) { return a.time < b.time; });
}

class DayGenerator {
  public:
    explicit DayGenerator(std::uint32_t seed) : rng_(seed) {
        for (const auto& p : kBackground) background_total_ += p.weight;
    }

    // One sensor's events of one day, in time order.
    std::vector<ScanEvent> Generate(std::int64_t day_start, std::int64_t day_end, int days_ago, double volume,
                                    std::uint8_t sensor_octet) {
        // Weekly rhythm (+-12 %) and a slow drift over the year, with day-to-day noise.
        const double weekday = 1 + 0.12 * std::sin(2 * M_PI * static_cast<double>(day_start / kDay % 7) / 7);
        const double drift = 1 + 0.25 * std::sin(2 * M_PI * days_ago / 365.0);
        const double fraction = static_cast<double>(day_end - day_start) / kDay;
        const double mean = kEventsPerSensorDay * volume * weekday * drift * fraction;
        const auto count = static_cast<std::size_t>(std::poisson_distribution<long>(std::max(mean, 1.0))(rng_));
        const double c37215 = Campaign37215(days_ago), c5555 = Campaign5555(days_ago), c8291 = Campaign8291(days_ago);
        const double total = background_total_ + kTailWeight + kIcmpWeight;
        std::uniform_real_distribution<double> unit(0, 1);
        std::vector<ScanEvent> events;
        events.reserve(count + static_cast<std::size_t>(mean * (c37215 + c5555 + c8291)) + 8);
        auto add = [&](Protocol protocol, std::uint16_t port) {
            ScanEvent e;
            e.time = observe::PacketTime{day_start + static_cast<std::int64_t>(unit(rng_) * static_cast<double>(day_end - day_start))};
            e.source = observe::Ipv4Mapped(static_cast<std::uint32_t>(kSourceBlocks[rng_() % std::size(kSourceBlocks)]) << 24 |
                          (rng_() & 0xFFFFFF));
            e.destination = observe::Ipv4Mapped(0xC6336400u | sensor_octet);  // 198.51.100.x: documentation addresses
            e.protocol = protocol;
            e.ip_version = 4;
            e.ttl = static_cast<std::uint8_t>(40 + rng_() % 80);
            if (protocol == Protocol::kIcmp) {
                const unsigned kind = rng_() % 10;
                e.icmp_type = kind < 8 ? 8 : 3;  // echo request, some unreachables (backscatter)
                e.icmp_code = kind < 8 ? 0 : static_cast<std::uint8_t>(kind == 8 ? 3 : 1);
                e.ip_length = 84;
            } else {
                e.destination_port = port;
                e.source_port = static_cast<std::uint16_t>(1024 + rng_() % 64000);
                e.tcp_flags = protocol == Protocol::kTcp ? observe::tcp_flag::kSyn : 0;
                e.ip_length = protocol == Protocol::kTcp ? 44 : 60;
            }
            events.push_back(e);
        };
        for (std::size_t i = 0; i < count; ++i) {
            double pick = unit(rng_) * total;
            if (pick < background_total_) {
                for (const auto& p : kBackground) {
                    if (pick < p.weight) {
                        add(p.protocol, p.port);
                        break;
                    }
                    pick -= p.weight;
                }
            } else if (pick < background_total_ + kTailWeight) {
                add(Protocol::kTcp, static_cast<std::uint16_t>(1024 + rng_() % 64512));
            } else {
                add(Protocol::kIcmp, 0);
            }
        }
        for (auto [share, port] : {std::pair{c37215, 37215}, {c5555, 5555}, {c8291, 8291}}) {
            if (share <= 0) continue;
            const auto n = std::poisson_distribution<long>(kEventsPerSensorDay * volume * fraction * share * 10)(rng_);
            for (long i = 0; i < n; ++i) add(Protocol::kTcp, static_cast<std::uint16_t>(port));
        }
        std::sort(events.begin(), events.end(), [](const ScanEvent& a, const ScanEvent& b) { return a.time < b.time; });
        return events;
    }

  private:
    std::mt19937 rng_;
    double background_total_ = 0;
};

core::Status SeedPortNotes(Center& center) {
    observe::PortNotes notes(*center.db, core::RealClock(), *center.audit);
    KZ_TRY(notes.Save(Protocol::kTcp, 37215,
                      "Huawei HG532 シリーズのルーターの脆弱性 (CVE-2017-17215) を狙ったスキャン / Scans for the Huawei "
                      "HG532 router vulnerability (CVE-2017-17215)",
                      {}, "coordinator"));
    KZ_TRY(notes.Save(Protocol::kTcp, 5555,
                      "インターネットに公開された Android Debug Bridge (ADB) を狙ったスキャン / Scans for Android Debug "
                      "Bridge (ADB) exposed to the Internet",
                      {}, "coordinator"));
    return core::Ok();
}

}  // namespace

core::Status SeedDemoObservations(Center& center) {
    KZ_ASSIGN(observe::StoreOptions options, ObserveStoreOptions(center.config));
    KZ_ASSIGN(auto store, observe::EventStore::Open(ObserveStoreDir(center.data_dir), options));
    if (store->EventCount() > 0) return core::Ok();
    const std::int64_t now = core::ToUnixMicros(core::RealClock().Now());
    const std::int64_t today = now - now % kDay;
    observe::SensorStatusBoard status(observe::SensorStatusPath(center.data_dir), core::RealClock());
    DayGenerator generator(20071231);
    std::mt19937 noisy_rng(9200);
    std::uint64_t total = 0;
    std::printf("Generating a year of demo observation data ...\n");
    std::fflush(stdout);
    for (int days_ago = kDemoDays - 1; days_ago >= 0; --days_ago) {
        const std::int64_t day_start = today - days_ago * kDay;
        const std::int64_t day_end = days_ago == 0 ? std::max(now, day_start + 1) : day_start + kDay;
        std::uint8_t octet = 10;
        std::uint64_t seq = static_cast<std::uint64_t>(kDemoDays - days_ago);
        for (const DemoSensor& sensor : kSensors) {
            ++octet;
            if (days_ago <= sensor.outage_from && days_ago >= sensor.outage_to) continue;
            auto events = generator.Generate(day_start, day_end, days_ago, sensor.volume, octet);
            if (days_ago < kNoisyScannerDays) AddNoisyScanner(events, noisy_rng, day_start, day_end, sensor.volume, octet);
            KZ_TRY(store->AppendBatch(sensor.name, seq, events));
            KZ_TRY(store->RecordUptime(sensor.name, observe::PacketTime{day_start}, observe::PacketTime{day_end}));
            total += events.size();
            if (days_ago == 0) {
                status.RecordBatch(sensor.name, "kizuna-sensor", seq, events.size(),
                                   events.empty() ? now : events.back().time.micros_since_epoch);
                status.RecordHeartbeat(sensor.name, today - kDemoDays * kDay, total / 4, 0, 0,
                                       {{"truncated_tcp", 3}, {"bad_ip_checksum", 1}});
            }
        }
    }
    KZ_TRY(store->Checkpoint());
    KZ_TRY(status.Flush());
    KZ_TRY(SeedPortNotes(center));
    std::printf("Demo observation data: %llu scan events from %zu sensors over %d days\n",
                static_cast<unsigned long long>(total), std::size(kSensors), kDemoDays);
    return core::Ok();
}

}  // namespace kizuna::app
