#include "observe/storage/queries.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

#include "observe/storage/rollup.hpp"
#include "observe/storage/internal/per_sensor.hpp"

namespace kizuna::observe {

core::Result<Protocol> ParseProtocol(std::string_view text, std::string_view field) {
    if (text == "tcp") return Protocol::kTcp;
    if (text == "udp") return Protocol::kUdp;
    if (text == "icmp") return Protocol::kIcmp;
    if (text == "icmpv6") return Protocol::kIcmpv6;
    return core::InvalidArgument("unknown protocol '" + std::string(text.substr(0, 20)) + "' (tcp, udp, icmp, icmpv6)",
                                 std::string(field));
}

namespace {

using detail::CheckRange;
using detail::PerSensor;
using detail::RankAndCut;

constexpr std::int64_t kMaxBins = 200'000;

// Active sensor-hours and hours with any sensor up, per bin of `bin_micros` (or one bin for the whole range
// when bin_micros is 0), from the store's activity bits.
struct Activity {
    std::uint64_t sensor_hours = 0;
    std::uint64_t covered_hours = 0;
    std::set<std::uint32_t> sensors;
    double Effective() const { return detail::EffectiveSensors(sensor_hours, covered_hours); }
};

std::map<std::int64_t, Activity> ActivityByBin(const EventStore& store, TimeRange range, std::int64_t bin_micros) {
    std::map<std::int64_t, Activity> bins;
    std::int64_t last_hour = INT64_MIN;
    std::int64_t last_bin = INT64_MIN;
    for (const ActiveBin& b : store.ActiveBins(range)) {
        std::int64_t bin = bin_micros == 0 ? 0 : Rollups::FloorDiv(b.hour, bin_micros) * bin_micros;
        Activity& a = bins[bin];
        a.sensor_hours += 1;
        a.sensors.insert(b.sensor);
        // ActiveBins lists each hour's sensors together, hours ascending.
        if (b.hour != last_hour || bin != last_bin) a.covered_hours += 1;
        last_hour = b.hour;
        last_bin = bin;
    }
    return bins;
}

class StoreQueries final : public ObservationQueries {
  public:
    explicit StoreQueries(const EventStore& store) : store_(store) {}

    core::Result<std::vector<PortRow>> TopPorts(const TopPortsQuery& query) const override {
        KZ_TRY(CheckRange(query.range));
        std::vector<std::uint64_t> totals;
        store_.SumPorts(query.range, totals);
        double effective = ActivityByBin(store_, query.range, 0)[0].Effective();
        std::vector<PortRow> rows;
        for (std::size_t key = 0; key < totals.size(); ++key) {
            if (totals[key] == 0) continue;
            Protocol proto = ProtocolFromIndex(static_cast<unsigned>(key >> 16));
            if (query.protocol && *query.protocol != proto) continue;
            rows.push_back({proto, static_cast<std::uint16_t>(key & 0xFFFF), totals[key], PerSensor(totals[key], effective)});
        }
        RankAndCut(rows, query.limit, [](const PortRow& r) { return std::make_tuple(static_cast<int>(r.protocol), r.port); });
        return rows;
    }

    core::Result<std::vector<DailyPoint>> PortDaily(Protocol protocol, std::uint16_t port,
                                                    TimeRange range) const override {
        KZ_TRY(CheckRange(range));
        std::int64_t first_day = Rollups::FloorDiv(range.from.micros_since_epoch, kDayMicros);
        std::int64_t last_day = Rollups::FloorDiv(range.to.micros_since_epoch - 1, kDayMicros);
        if (last_day - first_day >= kMaxBins) return core::InvalidArgument("period too long", "from");
        TimeRange days{PacketTime{first_day * kDayMicros}, PacketTime{(last_day + 1) * kDayMicros}};
        // Whole days from the store's day tables: packets of the port and the day's activity.
        std::vector<DayPortRow> rows = store_.PortDays(protocol, port, days);
        std::vector<DailyPoint> points;
        auto row = rows.begin();
        for (std::int64_t day = first_day; day <= last_day; ++day) {
            std::int64_t start = day * kDayMicros;
            while (row != rows.end() && row->day < start) ++row;
            std::uint64_t n = 0;
            double effective = 0.0;
            if (row != rows.end() && row->day == start) {
                n = row->packets;
                effective = detail::EffectiveSensors(row->sensor_hours, row->covered_hours);
            }
            points.push_back({start, n, effective, PerSensor(n, effective)});
        }
        return points;
    }

    core::Result<std::vector<CountryRow>> Countries(TimeRange range, std::size_t limit) const override {
        KZ_TRY(CheckRange(range));
        std::map<CountryCode, std::uint64_t> totals;
        store_.VisitCountryRollup(range, [&](const CountryRollupRow& r) { totals[r.country] += r.packets; });
        double effective = ActivityByBin(store_, range, 0)[0].Effective();
        std::vector<CountryRow> rows;
        for (const auto& [country, packets] : totals) rows.push_back({country, packets, PerSensor(packets, effective)});
        RankAndCut(rows, limit, [](const CountryRow& r) { return r.country; });
        return rows;
    }

    core::Result<std::vector<IcmpRow>> Icmp(TimeRange range, std::size_t limit) const override {
        KZ_TRY(CheckRange(range));
        std::map<std::tuple<int, int, int>, std::uint64_t> totals;
        for (Protocol proto : {Protocol::kIcmp, Protocol::kIcmpv6}) {
            store_.VisitPortRollup(range, proto, [&](const PortRollupRow& r) {
                totals[{static_cast<int>(r.protocol), r.port >> 8, r.port & 0xFF}] += r.packets;
            });
        }
        double effective = ActivityByBin(store_, range, 0)[0].Effective();
        std::vector<IcmpRow> rows;
        for (const auto& [key, packets] : totals) {
            rows.push_back({static_cast<Protocol>(std::get<0>(key)), static_cast<std::uint8_t>(std::get<1>(key)),
                            static_cast<std::uint8_t>(std::get<2>(key)), packets, PerSensor(packets, effective)});
        }
        RankAndCut(rows, limit, [](const IcmpRow& r) { return std::make_tuple(static_cast<int>(r.protocol), r.type, r.code); });
        return rows;
    }

    core::Result<std::vector<ActivityRow>> ActiveSensors(TimeRange range, std::int64_t bin_micros) const override {
        KZ_TRY(CheckRange(range));
        if (bin_micros != kBinMicros && bin_micros != kDayMicros) {
            return core::InvalidArgument("bin must be an hour or a day", "bin");
        }
        std::int64_t first = Rollups::FloorDiv(range.from.micros_since_epoch, bin_micros);
        std::int64_t last = Rollups::FloorDiv(range.to.micros_since_epoch - 1, bin_micros);
        if (last - first >= kMaxBins) return core::InvalidArgument("period too long for this bin", "from");
        std::map<std::int64_t, Activity> activity = ActivityByBin(store_, range, bin_micros);
        std::vector<ActivityRow> rows;
        for (std::int64_t bin = first; bin <= last; ++bin) {
            auto a = activity.find(bin * bin_micros);
            if (a == activity.end()) {
                rows.push_back({bin * bin_micros, 0, 0.0});
            } else {
                rows.push_back({bin * bin_micros, static_cast<std::uint32_t>(a->second.sensors.size()), a->second.Effective()});
            }
        }
        return rows;
    }

    core::Result<std::vector<RawEventRow>> EventsFromCountry(CountryCode country, PacketTime day_start,
                                                             std::size_t limit) const override {
        std::int64_t day = Rollups::FloorDiv(day_start.micros_since_epoch, kDayMicros) * kDayMicros;
        ScanFilter filter;
        filter.range = {PacketTime{day}, PacketTime{day + kDayMicros}};
        filter.country = country;
        std::vector<RawEventRow> rows;
        KZ_TRY(store_.Scan(filter, [&](const EventColumns& c) {
            for (std::size_t i = 0; i < c.size; ++i) {
                if (filter.Matches(c, i)) rows.push_back({c.Row(i), std::string(c.sensor), c.country[i]});
            }
            return true;
        }));
        std::stable_sort(rows.begin(), rows.end(), [](const RawEventRow& a, const RawEventRow& b) {
            if (a.event.time != b.event.time) return a.event.time < b.event.time;
            if (a.sensor != b.sensor) return a.sensor < b.sensor;
            return a.event.source < b.event.source;
        });
        if (limit != 0 && rows.size() > limit) rows.resize(limit);
        return rows;
    }

  private:
    const EventStore& store_;
};

}  // namespace

std::unique_ptr<ObservationQueries> MakeStoreQueries(const EventStore& store) {
    return std::make_unique<StoreQueries>(store);
}

}  // namespace kizuna::observe
