// EventStore: the embedded ISDAS event store (MISSION O1/O2). Scan events are kept in the data directory's
// observe/ subdirectory as time-partitioned (one partition per UTC day), compressed, columnar segment files
// whose blocks carry zone maps (min/max time, ports, protocols) so scans skip what cannot match. Rollups
// (hour x sensor x protocol x destination port; hour x sensor x source country; hour x sensor x ICMP
// type/code) and the sensors' active hours are kept at ingest, so graphs over a year never touch raw events.
// The byte layout is specified in docs/formats/event-store.md.
//
// Durability: the segment files are the log. AppendBatch appends one checksummed block per UTC day the batch
// touches and fsyncs before it returns; Open() verifies every block written after the last checkpoint,
// truncates a torn or corrupt tail, and rebuilds rollups, watermarks and active hours from what survives.
// A batch is either entirely stored or entirely absent after a crash (kill -9 at any moment).
//
// Thread-safety: all member functions may be called from several threads at once (one internal lock for
// writers, readers share a snapshot lock); AppendBatch calls are serialised.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "observe/capture/scan_event.hpp"

namespace kizuna::observe {

// Two upper-case ASCII letters (ISO 3166-1 alpha-2); "ZZ" when unknown or no geo database is configured.
using CountryCode = std::array<char, 2>;
inline constexpr CountryCode kUnknownCountry{'Z', 'Z'};

// Length of a rollup/activity bin: one hour. Bins start at multiples of kBinMicros since the epoch (UTC).
inline constexpr std::int64_t kBinMicros = 3'600'000'000LL;
inline constexpr std::int64_t kDayMicros = 86'400'000'000LL;

// Half-open time interval [from, to) in packet time.
struct TimeRange {
    PacketTime from;
    PacketTime to;
    bool Contains(PacketTime t) const { return from <= t && t < to; }
};

struct StoreOptions {
    // zstd level for event blocks (1 = fastest; 3 = zstd's default). Higher levels trade ingest speed for size.
    int compression_level = 1;
    // Events per block at most; a batch larger than this is split into several blocks (same atomicity).
    std::uint32_t max_block_events = 65536;
    // Path of a MaxMind-format (.mmdb) country database; empty = no lookup, every source is "ZZ".
    // The app's default is config [observe] geo_database (see docs/OPERATIONS.md).
    std::filesystem::path geo_database;
    // A checkpoint (rollups + watermarks + verified segment lengths, write-then-rename) is written after
    // this many bytes of new segment data, and at Close(); it only bounds how much Open() must replay.
    std::uint64_t checkpoint_bytes = 256ull << 20;
    // Read-only: no lock, no recovery writes (a torn tail is ignored, not truncated), AppendBatch and
    // RecordUptime fail with kFailedPrecondition. For queries while another process (the collector) writes;
    // such a reader sees the store as it was at Open().
    bool read_only = false;
};

enum class AppendOutcome { kStored, kDuplicate };

// The columns of the event store, as bits of a ColumnSet (a scan's projection, ScanFilter::columns). The bit
// order is the segment format's column order (docs/formats/event-store.md).
using ColumnSet = std::uint32_t;
namespace column {
inline constexpr ColumnSet kTime = 1u << 0;
inline constexpr ColumnSet kSource = 1u << 1;
inline constexpr ColumnSet kDestination = 1u << 2;
inline constexpr ColumnSet kSourcePort = 1u << 3;
inline constexpr ColumnSet kDestinationPort = 1u << 4;
inline constexpr ColumnSet kIpLength = 1u << 5;
inline constexpr ColumnSet kProtocol = 1u << 6;
inline constexpr ColumnSet kIpVersion = 1u << 7;
inline constexpr ColumnSet kTcpFlags = 1u << 8;
inline constexpr ColumnSet kIcmpType = 1u << 9;
inline constexpr ColumnSet kIcmpCode = 1u << 10;
inline constexpr ColumnSet kTtl = 1u << 11;
inline constexpr ColumnSet kPackets = 1u << 12;
inline constexpr ColumnSet kCountry = 1u << 13;
}  // namespace column
inline constexpr ColumnSet kAllColumns = (1u << 14) - 1;

// One block's columns after decoding, handed to Scan() callbacks. The spans of the columns the scan projects
// (ScanFilter::columns) have `size` elements, the others are empty; all stay valid only during the
// callback. Times are absolute microseconds since the epoch.
struct EventColumns {
    std::size_t size = 0;
    std::string_view sensor;  // every event of a block comes from one sensor
    std::span<const std::int64_t> time_micros;
    std::span<const IpAddress> source;
    std::span<const IpAddress> destination;
    std::span<const std::uint16_t> source_port;
    std::span<const std::uint16_t> destination_port;
    std::span<const std::uint16_t> ip_length;
    std::span<const std::uint8_t> protocol;  // Protocol values
    std::span<const std::uint8_t> ip_version;
    std::span<const std::uint8_t> tcp_flags;
    std::span<const std::uint8_t> icmp_type;
    std::span<const std::uint8_t> icmp_code;
    std::span<const std::uint8_t> ttl;
    std::span<const std::uint32_t> packets;
    std::span<const CountryCode> country;

    // Row i as a ScanEvent (for callers that want rows). REQUIRES: every column projected (the default).
    ScanEvent Row(std::size_t i) const;
};

// What a raw Scan() should read. Blocks whose zone map excludes the filter are skipped without being
// decompressed; the callback still sees every row of a block that overlaps, so it must test rows itself
// (or call Matches()).
struct ScanFilter {
    TimeRange range{PacketTime{INT64_MIN}, PacketTime{INT64_MAX}};
    std::optional<Protocol> protocol;
    std::optional<std::uint16_t> destination_port;
    std::optional<CountryCode> country;
    std::optional<std::string> sensor;
    // Projection: the columns the callback reads (default all). Only these are read from disk and decoded;
    // the columns the filter's own conditions test (time when the range is bounded, protocol, destination
    // port, country) are added, so Matches() always works.
    ColumnSet columns = kAllColumns;

    // The projection plus the columns Matches() needs for this filter.
    ColumnSet EffectiveColumns() const;

    bool Matches(const EventColumns& columns, std::size_t row) const;
};

struct ScanStats {
    std::uint64_t partitions_total = 0;
    std::uint64_t partitions_pruned = 0;  // skipped by the partition (day) alone
    std::uint64_t blocks_total = 0;       // blocks in partitions that were opened
    std::uint64_t blocks_pruned = 0;      // skipped by their zone map
    std::uint64_t rows_scanned = 0;       // rows in blocks handed to the callback
};

// Rollup rows (sums of ScanEvent::packets). `hour` is the bin start in microseconds since the epoch.
struct PortRollupRow {
    std::int64_t hour;
    std::uint32_t sensor;  // id from SensorName()
    Protocol protocol;
    std::uint16_t port;  // destination port; for ICMP/ICMPv6 type * 256 + code (nfdump's convention)
    std::uint64_t packets;
};
struct CountryRollupRow {
    std::int64_t hour;
    std::uint32_t sensor;
    CountryCode country;
    std::uint64_t packets;
};
struct IcmpRollupRow {
    std::int64_t hour;
    std::uint32_t sensor;
    Protocol protocol;  // kIcmp or kIcmpv6
    std::uint8_t type;
    std::uint8_t code;
    std::uint64_t packets;
};
// Sensor `sensor` was up during the hour starting at `hour`.
struct ActiveBin {
    std::int64_t hour;
    std::uint32_t sensor;
};

// One UTC day of one port: packets over all sensors, and the day's activity (sensor-hours up, hours with
// any sensor up). `day` is the day start in microseconds since the epoch.
struct DayPortRow {
    std::int64_t day;
    std::uint64_t packets;
    std::uint64_t sensor_hours;
    std::uint64_t covered_hours;
};

// What `kizuna observe import` remembers per sensor of each file it imported completely, so that importing
// the same capture again is recognised as a duplicate instead of being counted twice: `digest`, the
// XXH3-128 of the file's bytes (a 128-bit content hash that reads at memory speed), and `probe`, the SHA-256
// of the file's size and its first and last MiB. Files with different probes differ, so only a file whose
// probe matches an earlier import needs its digest before anything is stored; a duplicate must match both.
using ContentDigest = std::array<std::uint8_t, 16>;
using ProbeDigest = std::array<std::uint8_t, 32>;
struct ImportRecord {
    std::string sensor;
    ContentDigest digest{};
    ProbeDigest probe{};
    std::string file;  // the file's name when it was imported (informational)
    std::uint64_t events = 0;
    std::uint64_t packets = 0;
};

// How far `kizuna observe import` durably got in a file it has not finished (import_progress.log), so that
// the next import of the same file (same sensor, same ImportRecord::probe) resumes after `records` pcap
// records: nothing lost, nothing counted twice. Written atomically with each batch (AppendImportBatch) and
// cleared when the file's import completes (RecordImport).
struct ImportProgress {
    std::string sensor;
    ProbeDigest probe{};
    std::uint64_t records = 0;  // pcap records consumed (stored, or yielding no event)
    std::uint64_t events = 0;   // events stored from the file so far
    std::uint64_t packets = 0;
    // Packet time span of the stored part (empty while first > last).
    std::int64_t first_micros = INT64_MAX;
    std::int64_t last_micros = INT64_MIN;
};

struct StoreStats {
    std::uint64_t events = 0;   // stored events (not packets)
    std::uint64_t packets = 0;  // sum of ScanEvent::packets
    std::uint64_t batches = 0;
    std::uint64_t blocks = 0;
    std::uint64_t partitions = 0;
    std::uint64_t segment_bytes = 0;     // compressed bytes on disk in segment files
    std::uint64_t recovered_bytes_dropped = 0;  // torn/corrupt tail bytes truncated by the last Open()
};

class EventStore {
  public:
    // Opens or creates the store in `dir` (the data directory's observe/ subdirectory in the app).
    // Recovers from a crash: verifies blocks after the last checkpoint and truncates a torn tail.
    // Errors: kInvalidArgument for bad options or an unreadable geo database, kDataLoss for a corrupt
    // checkpoint or segment header that cannot be recovered, kInternal for I/O failures.
    static core::Result<std::unique_ptr<EventStore>> Open(const std::filesystem::path& dir, StoreOptions options);

    EventStore(const EventStore&) = delete;
    EventStore& operator=(const EventStore&) = delete;
    // Writes a checkpoint (errors ignored: the segments remain the truth).
    ~EventStore();

    // Durable when it returns: events, rollups and the sensor's sequence watermark are on disk (fsync) —
    // the collector acknowledges a batch only after this returns. Idempotent per (sensor, seq): a batch
    // whose seq is <= the last stored seq for that sensor returns kDuplicate and stores nothing.
    // Country of the source is looked up here and stored with each event. An empty batch advances the
    // watermark. Events also mark their sensor active in their hour. `sensor` must be 1..64 bytes of
    // [A-Za-z0-9._-] (kInvalidArgument, field "sensor"); seq must be >= 1.
    core::Result<AppendOutcome> AppendBatch(std::string_view sensor, std::uint64_t seq,
                                            std::span<const ScanEvent> events);
    // The same with the sources' countries already looked up (countries[i] for events[i], e.g. by a
    // GeoLookup on the decoding thread of `kizuna observe import`); kInvalidArgument (field "countries")
    // when the sizes differ.
    core::Result<AppendOutcome> AppendBatch(std::string_view sensor, std::uint64_t seq,
                                            std::span<const ScanEvent> events, std::span<const CountryCode> countries);

    // The options the store was opened with (its geo database, for callers that look up countries).
    const StoreOptions& options() const;

    // Sensor was up during [from, to): heartbeats define the sensor's active time bins (hours). Every hour
    // that overlaps [from, to) becomes active. Durable when it returns.
    core::Result<void> RecordUptime(std::string_view sensor, PacketTime from, PacketTime to);

    // The import of a file with this content for this sensor, if one completed (imports.log).
    std::optional<ImportRecord> FindImport(std::string_view sensor, const ContentDigest& digest) const;
    // Completed imports for this sensor whose probe equals `probe` (candidates for a duplicate).
    std::vector<ImportRecord> FindImportsByProbe(std::string_view sensor, const ProbeDigest& probe) const;
    // Remembers a completed import; durable (fsync) when it returns. Call after the file's last batch.
    // Clears the file's ImportProgress (sensor + probe).
    core::Result<void> RecordImport(const ImportRecord& record);

    // Appends a batch of a file being imported with the next sequence number of `progress.sensor`, and
    // records `progress` (the file's state including this batch) as the file's durable progress — atomically:
    // after an error, a crash or SIGKILL at any moment, FindImportProgress returns `progress` exactly when the
    // batch is stored. How: an intent record (seq, progress) is synced to import_progress.log before the batch;
    // a failed batch writes an abort record; Open() decides an intent left last by a crash from the sensor's
    // watermark (the store's lock means nothing else was written in between). Empty batches are allowed (they
    // only advance the watermark and the progress).
    core::Result<AppendOutcome> AppendImportBatch(std::span<const ScanEvent> events,
                                                  std::span<const CountryCode> countries,
                                                  const ImportProgress& progress);
    // The durable progress of an unfinished import of the file with this probe for this sensor.
    std::optional<ImportProgress> FindImportProgress(std::string_view sensor, const ProbeDigest& probe) const;

    // 0 for a sensor never seen.
    std::uint64_t LastSequence(std::string_view sensor) const;
    std::uint64_t EventCount() const;  // stored events (not packets), all sensors
    StoreStats Stats() const;

    // Sensors known to the store (ids are dense from 0, in order of first appearance, stable forever).
    std::vector<std::string> Sensors() const;
    std::string SensorName(std::uint32_t id) const;

    // Rollup and activity rows whose hour lies in [range.from, range.to) — rounded outward to whole hours
    // is the caller's business: rows are selected by hour start. Rows are unordered.
    std::vector<PortRollupRow> PortRollup(TimeRange range, std::optional<Protocol> protocol = {}) const;
    std::vector<CountryRollupRow> CountryRollup(TimeRange range) const;
    std::vector<IcmpRollupRow> IcmpRollup(TimeRange range) const;
    std::vector<ActiveBin> ActiveBins(TimeRange range) const;

    // The same rows without materialising them (year-long queries). The store's read lock is held while
    // the visitor runs: it must not call the store's writers.
    void VisitPortRollup(TimeRange range, std::optional<Protocol> protocol,
                         const std::function<void(const PortRollupRow&)>& visitor) const;
    void VisitCountryRollup(TimeRange range, const std::function<void(const CountryRollupRow&)>& visitor) const;
    // Packets per (protocol, port) over all sensors for the hours whose start lies in the range, summed. Whole
    // UTC days inside the range come from day tables, so a year costs 365 small tables. `totals` is indexed
    // by ProtocolIndex(protocol) << 16 | port (size 4 << 16) and added to.
    void SumPorts(TimeRange range, std::vector<std::uint64_t>& totals) const;
    // One port's packets per (hour, sensor) with packets > 0: a point lookup per active sensor and hour, so
    // a year of one port costs hours x sensors probes, not a walk over every port.
    void VisitPortSeries(Protocol protocol, std::uint16_t port, TimeRange range,
                         const std::function<void(const PortRollupRow&)>& visitor) const;

    // One port per UTC day whose start lies in the range, from the day tables (a year is 365 lookups, not
    // hours x sensors probes). Days with neither packets nor activity are left out; rows ascend by day.
    std::vector<DayPortRow> PortDays(Protocol protocol, std::uint16_t port, TimeRange range) const;

    // Raw columnar scan over the stored events with zone-map pruning; partitions in time order, blocks in
    // append order, all on the calling thread. Reads only the projected columns (filter.columns). The
    // callback returns false to stop early.
    core::Result<ScanStats> Scan(const ScanFilter& filter,
                                 const std::function<bool(const EventColumns&)>& callback) const;

    // The same scan on `threads` threads (0 = one per core). Blocks are handed out to workers 0..threads-1
    // in no particular order; callback(worker, columns) runs concurrently for different workers, but never
    // twice at once for the same worker, so a callback that only touches state of its own worker (e.g.
    // per-worker accumulators, indexed by `worker`, merged after the call) needs no locking. Worker 0 is the
    // calling thread. A callback returning false stops the scan: the other workers finish the block they
    // are in and take no more. Returns after every worker has finished.
    core::Result<ScanStats> ParallelScan(const ScanFilter& filter, unsigned threads,
                                         const std::function<bool(unsigned worker, const EventColumns&)>& callback) const;
    // Workers ParallelScan(…, 0, …) uses.
    static unsigned DefaultScanThreads();

    // Writes a checkpoint now (write-then-rename + fsync). Optional: only shortens the next Open().
    core::Result<void> Checkpoint();

    struct Impl;

  private:
    explicit EventStore(std::unique_ptr<Impl> impl);
    core::Result<AppendOutcome> AppendEvents(std::string_view sensor, std::uint64_t seq, std::span<const ScanEvent> events,
                                       std::span<const CountryCode> countries, bool countries_given);
    // REQUIRES: append_mutex held, sensor valid, seq >= 1, store writable.
    core::Result<AppendOutcome> AppendLocked(std::string_view sensor, std::uint64_t seq, std::span<const ScanEvent> events,
                                             std::span<const CountryCode> countries, bool countries_given);
    std::unique_ptr<Impl> impl_;
};

// Parses "YYYY-MM-DD" (UTC midnight) or an RFC 3339 time ("2026-11-22T05:00:00Z"). kInvalidArgument names
// `field` on failure.
core::Result<PacketTime> ParseDateOrTime(std::string_view text, std::string_view field);
// "2026-11-22" for the UTC day containing t.
std::string FormatDate(PacketTime t);
// "2026-11-22T05:00:00.123456Z"
std::string FormatTimestamp(PacketTime t);

}  // namespace kizuna::observe
