// Exact unique sources and targets per UTC day and destination port (MISSION O4): how many distinct source
// addresses scanned a port on a day, and how many distinct destination (sensor) addresses they hit. The
// trend rule needs them — a campaign is many sources; one noisy scanner with the same packet count is one —
// and DShield's trend score is defined over them.
//
// Counts are exact (no sketches): a hash set per (port, day) over the raw events of that day. Events that
// stand for no packets (an IPFIX flow record with packetDeltaCount 0) are not counted, as they count in no
// packet total either. For ICMP/ICMPv6 the "port" is type * 256 + code, as in the rollups.
//
// Two implementations with the same answers (tests/observe/clickhouse_distinct_test.cpp compares them):
//   MakeStoreDistinctCounts      — the embedded EventStore: one raw Scan per UTC day, for all requested ports
//                                  at once; results cached per (protocol, port, day) in memory;
//   MakeClickHouseDistinctCounts — ClickHouse: uniqExact(src), uniqExact(dst) GROUP BY day (no cache needed).
//
// Cache invalidation (embedded): a cached (port, day) entry remembers the port's packet total of that day
// from the rollups, which the store updates durably at ingest. Late events for that port and day raise the
// total (every counted event adds ≥ 1 packet), so the entry no longer matches and the day is scanned again;
// late events for other ports or days leave it valid. A day whose total is 0 needs no scan at all. The cache
// is bounded (kMaxCachedDays entries, cleared when full) and lives as long as the object (the server's).
//
// Thread-safety: both implementations may be called from several threads at once.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "core/result.hpp"
#include "observe/storage/event_store.hpp"
#include "observe/capture/scan_event.hpp"

namespace kizuna::observe {

class ClickHouseStore;

struct PortKey {
    Protocol protocol = Protocol::kTcp;
    std::uint16_t port = 0;  // ICMP/ICMPv6: type * 256 + code
    friend auto operator<=>(const PortKey&, const PortKey&) = default;
};

// One UTC day of one port.
struct UniqueDay {
    std::int64_t day_start_micros = 0;  // UTC midnight
    std::uint64_t sources = 0;          // distinct source addresses
    std::uint64_t targets = 0;          // distinct destination addresses (sensor addresses; only the count leaves)
    friend bool operator==(const UniqueDay&, const UniqueDay&) = default;
};

inline constexpr std::size_t kMaxCachedDays = 1'000'000;  // (port, day) entries of the embedded cache
inline constexpr std::int64_t kMaxDistinctDays = 3660;     // longest range one call may ask for

class DistinctCounts {
  public:
    virtual ~DistinctCounts() = default;

    // For each port, one UniqueDay per UTC day overlapping `range` (whole days, ascending, zeros where
    // nothing was seen). kInvalidArgument (field "to") for an empty range, (field "from") for more than
    // kMaxDistinctDays days.
    virtual core::Result<std::map<PortKey, std::vector<UniqueDay>>> Daily(const std::vector<PortKey>& ports,
                                                                          TimeRange range) const = 0;

    // One port's days (same contract).
    core::Result<std::vector<UniqueDay>> PortDaily(Protocol protocol, std::uint16_t port, TimeRange range) const {
        const PortKey key{protocol, port};
        KZ_ASSIGN(auto all, Daily({key}, range));
        return std::move(all[key]);
    }
};

// `store` must outlive the returned object.
std::unique_ptr<DistinctCounts> MakeStoreDistinctCounts(const EventStore& store);
// `store` must outlive the returned object (implemented in clickhouse_queries.cpp).
std::unique_ptr<DistinctCounts> MakeClickHouseDistinctCounts(const ClickHouseStore& store);

}  // namespace kizuna::observe
