// ObservationQueries over ClickHouse: totals by GROUP BY in ClickHouse, the per-sensor arithmetic and the
// ranking here, in the same order as the embedded store's queries.cpp, so both backends agree.
#include <algorithm>
#include <charconv>
#include <map>
#include <tuple>

#include "observe/storage/clickhouse.hpp"
#include "observe/storage/internal/clickhouse.hpp"
#include "observe/storage/distinct.hpp"
#include "observe/storage/internal/per_sensor.hpp"

namespace kizuna::observe {
namespace {

using detail::CheckRange;
using detail::PerSensor;
using detail::RankAndCut;

using detail::CeilDiv;
using detail::FloorDiv;

constexpr std::int64_t kMaxBins = 200'000;
constexpr std::int64_t kHoursPerDay = kDayMicros / kBinMicros;

std::uint64_t U64(std::string_view s) {
    std::uint64_t v = 0;
    std::from_chars(s.data(), s.data() + s.size(), v);
    return v;
}
std::int64_t I64(std::string_view s) {
    std::int64_t v = 0;
    std::from_chars(s.data(), s.data() + s.size(), v);
    return v;
}

// Hour indexes h with from <= h * kBinMicros < to: the embedded store's "hour start in [from, to)".
struct Hours {
    std::int64_t lo, hi;  // [lo, hi)
};
Hours HoursOf(TimeRange range) {
    return {CeilDiv(range.from.micros_since_epoch, kBinMicros), CeilDiv(range.to.micros_since_epoch, kBinMicros)};
}

// WHERE clause for events whose hour lies in `h`, with a day predicate so ClickHouse prunes partitions and
// primary-key ranges.
std::string EventHours(Hours h) {
    return "day >= " + detail::DateLiteral(h.lo * kBinMicros) + " AND day <= " +
           detail::DateLiteral(std::max(h.lo, h.hi - 1) * kBinMicros) + " AND intDiv(time_us, " +
           std::to_string(kBinMicros) + ") >= " + std::to_string(h.lo) + " AND intDiv(time_us, " +
           std::to_string(kBinMicros) + ") < " + std::to_string(h.hi);
}

constexpr std::string_view kPortExpr = "if(protocol IN (1, 58), icmp_type * 256 + icmp_code, dst_port)";

struct Activity {
    std::uint64_t sensor_hours = 0;
    std::uint64_t covered_hours = 0;
    std::uint32_t sensors = 0;
    double Effective() const { return detail::EffectiveSensors(sensor_hours, covered_hours); }
};

class ClickHouseQueries final : public ObservationQueries {
  public:
    explicit ClickHouseQueries(const ClickHouseStore& store) : store_(store) {}

    core::Result<std::vector<PortRow>> TopPorts(const TopPortsQuery& query) const override {
        KZ_TRY(CheckRange(query.range));
        const Hours h = HoursOf(query.range);
        std::string where = EventHours(h);
        if (query.protocol) where += " AND protocol = " + std::to_string(static_cast<int>(*query.protocol));
        KZ_ASSIGN(auto body, Run("SELECT protocol, " + std::string(kPortExpr) + " AS port, sum(packets) FROM " +
                                 store_.Table("events") + " WHERE " + where + " GROUP BY protocol, port"));
        KZ_ASSIGN(auto activity, ActivityByBin(h, 0));
        const double effective = activity[0].Effective();
        std::vector<PortRow> rows;
        for (const auto& f : detail::ParseTsv(body)) {
            if (f.size() < 3) continue;
            const std::uint64_t packets = U64(f[2]);
            rows.push_back({static_cast<Protocol>(U64(f[0])), static_cast<std::uint16_t>(U64(f[1])), packets,
                            PerSensor(packets, effective)});
        }
        RankAndCut(rows, query.limit, [](const PortRow& r) { return std::make_tuple(static_cast<int>(r.protocol), r.port); });
        return rows;
    }

    core::Result<std::vector<DailyPoint>> PortDaily(Protocol protocol, std::uint16_t port,
                                                    TimeRange range) const override {
        KZ_TRY(CheckRange(range));
        const std::int64_t first_day = FloorDiv(range.from.micros_since_epoch, kDayMicros);
        const std::int64_t last_day = FloorDiv(range.to.micros_since_epoch - 1, kDayMicros);
        if (last_day - first_day >= kMaxBins) return core::InvalidArgument("period too long", "from");
        const Hours h{first_day * kHoursPerDay, (last_day + 1) * kHoursPerDay};
        KZ_ASSIGN(auto body, Run("SELECT intDiv(time_us, " + std::to_string(kDayMicros) + ") AS d, sum(packets) FROM " +
                                 store_.Table("events") + " WHERE " + EventHours(h) + " AND protocol = " +
                                 std::to_string(static_cast<int>(protocol)) + " AND " + std::string(kPortExpr) +
                                 " = " + std::to_string(port) + " GROUP BY d"));
        std::map<std::int64_t, std::uint64_t> packets;
        for (const auto& f : detail::ParseTsv(body))
            if (f.size() >= 2) packets[I64(f[0])] += U64(f[1]);
        KZ_ASSIGN(auto activity, ActivityByBin(h, kHoursPerDay));
        std::vector<DailyPoint> points;
        for (std::int64_t day = first_day; day <= last_day; ++day) {
            auto p = packets.find(day);
            auto a = activity.find(day);
            const std::uint64_t n = p == packets.end() ? 0 : p->second;
            const double effective = a == activity.end() ? 0.0 : a->second.Effective();
            points.push_back({day * kDayMicros, n, effective, PerSensor(n, effective)});
        }
        return points;
    }

    core::Result<std::vector<CountryRow>> Countries(TimeRange range, std::size_t limit) const override {
        KZ_TRY(CheckRange(range));
        const Hours h = HoursOf(range);
        KZ_ASSIGN(auto body, Run("SELECT country, sum(packets) FROM " + store_.Table("events") + " WHERE " +
                                 EventHours(h) + " GROUP BY country"));
        KZ_ASSIGN(auto activity, ActivityByBin(h, 0));
        const double effective = activity[0].Effective();
        std::vector<CountryRow> rows;
        for (const auto& f : detail::ParseTsv(body)) {
            if (f.size() < 2 || f[0].size() != 2) continue;
            const std::uint64_t packets = U64(f[1]);
            rows.push_back({CountryCode{f[0][0], f[0][1]}, packets, PerSensor(packets, effective)});
        }
        RankAndCut(rows, limit, [](const CountryRow& r) { return r.country; });
        return rows;
    }

    core::Result<std::vector<IcmpRow>> Icmp(TimeRange range, std::size_t limit) const override {
        KZ_TRY(CheckRange(range));
        const Hours h = HoursOf(range);
        KZ_ASSIGN(auto body, Run("SELECT protocol, icmp_type, icmp_code, sum(packets) FROM " + store_.Table("events") +
                                 " WHERE " + EventHours(h) +
                                 " AND protocol IN (1, 58) GROUP BY protocol, icmp_type, icmp_code"));
        KZ_ASSIGN(auto activity, ActivityByBin(h, 0));
        const double effective = activity[0].Effective();
        std::vector<IcmpRow> rows;
        for (const auto& f : detail::ParseTsv(body)) {
            if (f.size() < 4) continue;
            const std::uint64_t packets = U64(f[3]);
            rows.push_back({static_cast<Protocol>(U64(f[0])), static_cast<std::uint8_t>(U64(f[1])),
                            static_cast<std::uint8_t>(U64(f[2])), packets, PerSensor(packets, effective)});
        }
        RankAndCut(rows, limit, [](const IcmpRow& r) { return std::make_tuple(static_cast<int>(r.protocol), r.type, r.code); });
        return rows;
    }

    core::Result<std::vector<ActivityRow>> ActiveSensors(TimeRange range, std::int64_t bin_micros) const override {
        KZ_TRY(CheckRange(range));
        if (bin_micros != kBinMicros && bin_micros != kDayMicros)
            return core::InvalidArgument("bin must be an hour or a day", "bin");
        const std::int64_t first = FloorDiv(range.from.micros_since_epoch, bin_micros);
        const std::int64_t last = FloorDiv(range.to.micros_since_epoch - 1, bin_micros);
        if (last - first >= kMaxBins) return core::InvalidArgument("period too long for this bin", "from");
        KZ_ASSIGN(auto activity, ActivityByBin(HoursOf(range), bin_micros / kBinMicros));
        std::vector<ActivityRow> rows;
        for (std::int64_t bin = first; bin <= last; ++bin) {
            auto a = activity.find(bin);
            if (a == activity.end()) rows.push_back({bin * bin_micros, 0, 0.0});
            else rows.push_back({bin * bin_micros, a->second.sensors, a->second.Effective()});
        }
        return rows;
    }

    core::Result<std::vector<RawEventRow>> EventsFromCountry(CountryCode country, PacketTime day_start,
                                                             std::size_t limit) const override {
        const std::int64_t day = FloorDiv(day_start.micros_since_epoch, kDayMicros);
        std::string sql =
            "SELECT time_us, sensor, protocol, hex(src), hex(dst), src_port, dst_port, ip_length, ip_version,"
            " tcp_flags, icmp_type, icmp_code, ttl, packets FROM " + store_.Table("events") +
            " WHERE day = " + detail::DateLiteral(day * kDayMicros) + " AND country = " +
            detail::SqlString(std::string_view(country.data(), 2)) + " ORDER BY time_us, sensor, src";
        if (limit != 0) sql += " LIMIT " + std::to_string(limit);
        KZ_ASSIGN(auto body, Run(sql));
        std::vector<RawEventRow> rows;
        for (const auto& f : detail::ParseTsv(body)) {
            if (f.size() < 14) continue;
            RawEventRow r;
            r.event.time = PacketTime{I64(f[0])};
            r.sensor = std::string(f[1]);
            r.event.protocol = static_cast<Protocol>(U64(f[2]));
            Unhex(f[3], r.event.source);
            Unhex(f[4], r.event.destination);
            r.event.source_port = static_cast<std::uint16_t>(U64(f[5]));
            r.event.destination_port = static_cast<std::uint16_t>(U64(f[6]));
            r.event.ip_length = static_cast<std::uint16_t>(U64(f[7]));
            r.event.ip_version = static_cast<std::uint8_t>(U64(f[8]));
            r.event.tcp_flags = static_cast<std::uint8_t>(U64(f[9]));
            r.event.icmp_type = static_cast<std::uint8_t>(U64(f[10]));
            r.event.icmp_code = static_cast<std::uint8_t>(U64(f[11]));
            r.event.ttl = static_cast<std::uint8_t>(U64(f[12]));
            r.event.packets = static_cast<std::uint32_t>(U64(f[13]));
            r.country = country;
            rows.push_back(std::move(r));
        }
        return rows;
    }

  private:
    static void Unhex(std::string_view hex, IpAddress& out) {
        auto nibble = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
        for (std::size_t i = 0; i < out.size() && 2 * i + 1 < hex.size(); ++i)
            out[i] = static_cast<std::uint8_t>(nibble(hex[2 * i]) << 4 | nibble(hex[2 * i + 1]));
    }

    core::Result<std::string> Run(const std::string& sql) const {
        return store_.client().Query(sql + " FORMAT TabSeparated");
    }

    // Sensor-hours, covered hours and distinct sensors per bin of `bin_hours` hours (0: one bin, key 0).
    core::Result<std::map<std::int64_t, Activity>> ActivityByBin(Hours h, std::int64_t bin_hours) const {
        const std::string bin = bin_hours == 0 ? "0" : "intDiv(hour, " + std::to_string(bin_hours) + ")";
        KZ_ASSIGN(auto body, Run("SELECT " + bin + " AS b, count(), uniqExact(hour), uniqExact(sensor) FROM (SELECT DISTINCT hour, sensor FROM " +
                                 store_.Table("uptime") + " WHERE hour >= " + std::to_string(h.lo) +
                                 " AND hour < " + std::to_string(h.hi) + ") GROUP BY b"));
        std::map<std::int64_t, Activity> bins;
        for (const auto& f : detail::ParseTsv(body)) {
            if (f.size() < 4) continue;
            Activity& a = bins[I64(f[0])];
            a.sensor_hours = U64(f[1]);
            a.covered_hours = U64(f[2]);
            a.sensors = static_cast<std::uint32_t>(U64(f[3]));
        }
        return bins;
    }

    const ClickHouseStore& store_;
};

// Unique sources and targets per (port, UTC day): uniqExact in ClickHouse, the zero-filled days here, so the
// answers equal the embedded store's (distinct.hpp).
class ClickHouseDistinctCounts final : public DistinctCounts {
  public:
    explicit ClickHouseDistinctCounts(const ClickHouseStore& store) : store_(store) {}

    core::Result<std::map<PortKey, std::vector<UniqueDay>>> Daily(const std::vector<PortKey>& ports,
                                                                  TimeRange range) const override {
        KZ_TRY(CheckRange(range));
        const std::int64_t first_day = FloorDiv(range.from.micros_since_epoch, kDayMicros);
        const std::int64_t last_day = FloorDiv(range.to.micros_since_epoch - 1, kDayMicros);
        if (last_day - first_day >= kMaxDistinctDays) return core::InvalidArgument("period too long", "from");
        std::map<PortKey, std::vector<UniqueDay>> out;
        for (const PortKey& p : ports) {
            auto& series = out[p];
            series.clear();
            for (std::int64_t day = first_day; day <= last_day; ++day) series.push_back({day * kDayMicros, 0, 0});
        }
        if (out.empty()) return out;
        // Real ports by dst_port (the primary key prunes); ICMP by the rollups' type * 256 + code.
        std::string which;
        for (const auto& [p, series] : out) {
            const bool icmp = p.protocol == Protocol::kIcmp || p.protocol == Protocol::kIcmpv6;
            which += std::string(which.empty() ? "" : " OR ") + "(protocol = " + std::to_string(static_cast<int>(p.protocol)) +
                     " AND " + (icmp ? std::string(kPortExpr) : std::string("dst_port")) + " = " + std::to_string(p.port) + ")";
        }
        const Hours h{first_day * kHoursPerDay, (last_day + 1) * kHoursPerDay};
        KZ_ASSIGN(auto body, Run("SELECT protocol, " + std::string(kPortExpr) + " AS port, intDiv(time_us, " +
                                 std::to_string(kDayMicros) + ") AS d, uniqExactIf(src, packets > 0),"
                                 " uniqExactIf(dst, packets > 0) FROM " + store_.Table("events") + " WHERE " +
                                 EventHours(h) + " AND (" + which + ") GROUP BY protocol, port, d"));
        for (const auto& f : detail::ParseTsv(body)) {
            if (f.size() < 5) continue;
            const PortKey key{static_cast<Protocol>(U64(f[0])), static_cast<std::uint16_t>(U64(f[1]))};
            auto it = out.find(key);
            const std::int64_t index = I64(f[2]) - first_day;
            if (it == out.end() || index < 0 || index >= static_cast<std::int64_t>(it->second.size())) continue;
            UniqueDay& u = it->second[static_cast<std::size_t>(index)];
            u.sources = U64(f[3]);
            u.targets = U64(f[4]);
        }
        return out;
    }

  private:
    core::Result<std::string> Run(const std::string& sql) const {
        return store_.client().Query(sql + " FORMAT TabSeparated");
    }
    const ClickHouseStore& store_;
};

}  // namespace

std::unique_ptr<ObservationQueries> MakeClickHouseQueries(const ClickHouseStore& store) {
    return std::make_unique<ClickHouseQueries>(store);
}

std::unique_ptr<DistinctCounts> MakeClickHouseDistinctCounts(const ClickHouseStore& store) {
    return std::make_unique<ClickHouseDistinctCounts>(store);
}

}  // namespace kizuna::observe
