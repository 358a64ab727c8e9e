// ObservationQueries: the questions the observation pages, the CLI and the IODEF export ask (MISSION O2/O3),
// behind one interface with one implementation per backend: the embedded EventStore (MakeStoreQueries,
// answered from rollups) and ClickHouse (O3's clickhouse_queries). Both must give the same answers.
//
// Per-sensor average (the seeds' "average per sensor"): a sensor counts only for the hours it was up
// (heartbeats / RecordUptime, or events in that hour). For a period,
//     effective_sensors = active sensor-hours / hours in which at least one sensor was active
//     per_sensor        = packets / effective_sensors          (0 when no sensor was active)
// so a sensor down for half the period counts as half a sensor and does not drag the average down, and a
// period longer than the data does not dilute it. Daily series apply the same rule per UTC day.
//
// Ranking: rows are ordered by per_sensor descending, then packets descending, then key ascending, so the
// order is total and both backends agree. Times are selected by hour bins: an hour belongs to the query when
// its start lies in [range.from, range.to). Dates are UTC.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "observe/storage/event_store.hpp"
#include "observe/capture/scan_event.hpp"

namespace kizuna::observe {

// ProtocolName (scan_event.hpp) spells them. Accepts "tcp", "udp", "icmp", "icmpv6" (case-sensitive); kInvalidArgument naming `field` otherwise.
core::Result<Protocol> ParseProtocol(std::string_view text, std::string_view field);

struct TopPortsQuery {
    TimeRange range;
    std::optional<Protocol> protocol;  // none: TCP, UDP, ICMP and ICMPv6 together, ranked as one list
    std::size_t limit = 10;            // 0 = all
};

// One destination port. For ICMP/ICMPv6 `port` is type * 256 + code (as in the rollup).
struct PortRow {
    Protocol protocol;
    std::uint16_t port;
    std::uint64_t packets;  // total over all sensors
    double per_sensor;      // packets / effective_sensors
};

// One UTC day of one port: every day of the range appears, with zeros where nothing was seen.
struct DailyPoint {
    std::int64_t day_start_micros;  // UTC midnight
    std::uint64_t packets;
    double effective_sensors;
    double per_sensor;
};

struct CountryRow {
    CountryCode country;  // "ZZ" = unknown
    std::uint64_t packets;
    double per_sensor;
};

struct IcmpRow {
    Protocol protocol;  // kIcmp or kIcmpv6
    std::uint8_t type;
    std::uint8_t code;
    std::uint64_t packets;
    double per_sensor;
};

// Sensors up in one bin (hour, or day when asked per day).
struct ActivityRow {
    std::int64_t bin_start_micros;
    std::uint32_t active_sensors;        // distinct sensors up at any time in the bin
    double effective_sensors;            // active sensor-hours / hours of the bin with any sensor up
};

// One raw event with its sensor and stored country (for IODEF and drill-down).
struct RawEventRow {
    ScanEvent event;
    std::string sensor;
    CountryCode country;
};

class ObservationQueries {
  public:
    virtual ~ObservationQueries() = default;

    // Destination ports ranked by per-sensor average over the period.
    virtual core::Result<std::vector<PortRow>> TopPorts(const TopPortsQuery& query) const = 0;

    // One port's per-sensor daily average over the days overlapping `range` (whole UTC days).
    virtual core::Result<std::vector<DailyPoint>> PortDaily(Protocol protocol, std::uint16_t port,
                                                            TimeRange range) const = 0;

    // Source countries ranked by per-sensor average; limit 0 = all.
    virtual core::Result<std::vector<CountryRow>> Countries(TimeRange range, std::size_t limit) const = 0;

    // ICMP/ICMPv6 type/code pairs ranked by per-sensor average; limit 0 = all.
    virtual core::Result<std::vector<IcmpRow>> Icmp(TimeRange range, std::size_t limit) const = 0;

    // Active sensors per bin over the range; bin_micros is kBinMicros or kDayMicros. Every bin of the
    // range appears (zeros where no sensor was up).
    virtual core::Result<std::vector<ActivityRow>> ActiveSensors(TimeRange range, std::int64_t bin_micros) const = 0;

    // The raw events from `country` during the UTC day starting at day_start (time order; ties in
    // sensor, then source order). At most `limit` rows (0 = all).
    virtual core::Result<std::vector<RawEventRow>> EventsFromCountry(CountryCode country, PacketTime day_start,
                                                                     std::size_t limit) const = 0;
};

// Queries answered by the embedded store: rollups for the aggregates, a pruned raw scan for
// EventsFromCountry. `store` must outlive the returned object.
std::unique_ptr<ObservationQueries> MakeStoreQueries(const EventStore& store);

}  // namespace kizuna::observe
