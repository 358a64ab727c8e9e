// ClickHouse backend (issue 6 "scale-out"): an optional sink and query backend for when one machine's
// embedded store is not enough. Talks to ClickHouse's HTTP interface (port 8123 by default; Debian's
// clickhouse-server 18.16) with libcurl; selected in the config with [observe] backend = "clickhouse" and
// clickhouse_url.
//
// Tables (created by Open, names prefixed with options.table_prefix):
//   <p>events  — one row per ScanEvent with its sensor, batch sequence and stored country; MergeTree
//                partitioned by month, ordered by (day, protocol, dst_port)
//   <p>uptime  — (sensor, hour) a sensor was up: heartbeats and the hours its events fall in, as in the
//                embedded store's active bins
//   <p>batches — (sensor, seq) of stored batches: the per-sensor watermark that makes AppendBatch idempotent
//
// ClickHouseQueries answers ObservationQueries with the same rules as the embedded store (queries.hpp):
// hour bins selected by their start, per-sensor average = packets / (active sensor-hours / covered hours),
// the same ranking; the totals are GROUP BYs in ClickHouse, the arithmetic is done here in the same order
// so both backends give the same numbers (tests/observe/clickhouse_test.cpp compares them).
//
// Durability: AppendBatch inserts the events, then the uptime hours, then the batch row; it returns after
// ClickHouse acknowledged all three (ClickHouse's own durability: no fsync per insert). A crash between the
// inserts leaves events without their batch row; the resent batch is then stored again — use the embedded
// store where exactly-once matters, and CopyFrom() to mirror it into ClickHouse.
//
// The live sink (ClickHouseForwarder, [observe] backend = "clickhouse"): the embedded store stays the durable
// log and the ack's promise; ClickHouse is a mirror kept current asynchronously. Exactly-once per
// (sensor, seq) rests on two facts: (1) one batch's events go in ONE insert (a batch is at most 65,536 rows,
// below max_insert_block_size, so ClickHouse writes it as one part: all rows or none), each row carrying its
// seq; so the watermark max(seq) over <p>events and <p>batches per sensor says exactly which batches are
// there, and a batch at or below it is skipped (a resend, a retry whose first attempt did arrive, a restart).
// (2) ClickHouse holds, per sensor, a prefix of that sensor's batches in seq order — the forwarder inserts
// in store order and never skips one; when it must (queue overflow, a restart while ClickHouse lagged),
// the sensor is caught up from the store: CatchUp() counts ClickHouse's rows per (sensor, day) and inserts
// the rest of that day's events in the store's append order (= seq order per sensor), then records the
// store's watermark as a batch row. Rows copied by CatchUp carry seq 0. Assumes ClickHouse's tables mirror
// this one store (rows from elsewhere would be taken for the store's own).
//
// Thread-safety: every call makes its own HTTP request; objects may be shared between threads.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>

#include "core/log.hpp"
#include "core/result.hpp"
#include "observe/storage/event_store.hpp"
#include "observe/storage/queries.hpp"
#include "observe/storage/store_listener.hpp"
#include "observe/capture/scan_event.hpp"

namespace kizuna::observe {

struct ClickHouseOptions {
    std::string url = "http://127.0.0.1:8123";  // HTTP interface; no trailing slash needed
    std::string table_prefix = "kizuna_observe_";  // [A-Za-z0-9_]
    std::chrono::seconds timeout{300};
};

// One statement over HTTP. Errors: kUnavailable when the server cannot be reached, kInternal with
// ClickHouse's message when it rejects the statement.
class ClickHouseClient {
  public:
    explicit ClickHouseClient(ClickHouseOptions options) : options_(std::move(options)) {}
    // Runs `sql` (sent as the POST body) and returns the response body.
    core::Result<std::string> Query(std::string_view sql) const;
    // INSERT with data in the body: `insert` is e.g. "INSERT INTO t FORMAT RowBinary".
    core::Result<std::string> Insert(std::string_view insert, std::string_view data) const;
    const ClickHouseOptions& options() const { return options_; }

  private:
    core::Result<std::string> Post(const std::string& url, std::string_view body) const;
    ClickHouseOptions options_;
};

class ClickHouseStore {
  public:
    // Connects and creates the tables when missing. kInvalidArgument (field "observe.clickhouse_url" or
    // "table_prefix") for bad options; kUnavailable when the server does not answer.
    static core::Result<std::unique_ptr<ClickHouseStore>> Open(ClickHouseOptions options);

    // Same contract as EventStore::AppendBatch except for durability (see above). `countries` holds the
    // stored country of each event (same length as events).
    core::Result<AppendOutcome> AppendBatch(std::string_view sensor, std::uint64_t seq,
                                            std::span<const ScanEvent> events, std::span<const CountryCode> countries);
    // Every hour overlapping [from, to) becomes active for the sensor.
    core::Status RecordUptime(std::string_view sensor, PacketTime from, PacketTime to);
    core::Result<std::uint64_t> LastSequence(std::string_view sensor) const;
    core::Result<std::uint64_t> EventCount() const;

    // Mirrors the embedded store into ClickHouse: every event of `range` (with its sensor and stored
    // country) and the active hours. Returns the number of events copied. Meant for an empty ClickHouse
    // table set (loading, benchmarks, tests); events are not deduplicated against what is there.
    core::Result<std::uint64_t> CopyFrom(const EventStore& store, TimeRange range);

    // Copies what ClickHouse lacks of `sensor`'s events (prefix rule above; empty ClickHouse: everything)
    // and its active hours, then records the store's watermark for the sensor. `barrier`, when given, is
    // held from before the store's LastSequence is read until its scan snapshot is taken, and `at_barrier`
    // runs under it (the forwarder drops its queued batches of the sensor there: the snapshot holds them).
    // Returns the number of events copied.
    core::Result<std::uint64_t> CatchUp(const EventStore& store, std::string_view sensor, std::mutex* barrier = nullptr,
                                        const std::function<void()>& at_barrier = {});
    // Inserts one stored batch: its events (one insert, each row with seq), their hours, the batch row. No
    // watermark check (the caller's). `countries` as for AppendBatch.
    core::Status InsertBatch(std::string_view sensor, std::uint64_t seq, std::span<const ScanEvent> events,
                             std::span<const CountryCode> countries);
    // Per sensor, the highest seq whose batch ClickHouse holds (max over events and batch rows).
    core::Result<std::map<std::string, std::uint64_t, std::less<>>> Watermarks() const;

    // Drops the three tables (tests and benchmarks).
    core::Status DropTables();

    const ClickHouseClient& client() const { return client_; }
    std::string Table(std::string_view name) const { return client_.options().table_prefix + std::string(name); }

  private:
    explicit ClickHouseStore(ClickHouseOptions options) : client_(std::move(options)) {}
    core::Status InsertEvents(std::string_view rows_binary) const;
    ClickHouseClient client_;
};

struct ForwarderOptions {
    ClickHouseOptions clickhouse;
    std::filesystem::path geo_database;  // the store's (same lookup, so the same stored countries); empty: ZZ
    std::uint64_t max_queued_events = 8'000'000;  // ~0.5 GB; beyond it batches are left to CatchUp
    std::chrono::milliseconds retry_min{200};
    std::chrono::milliseconds retry_max{10'000};
};

// The live ClickHouse sink: a StoreListener for StoreSink (the collector, IPFIX) that forwards every batch
// and uptime span the store made durable, from a thread of its own. Nothing it does delays an ack: a
// notification only queues (in memory, bounded). While ClickHouse is down the queue waits and the thread
// retries with backoff (re-reading the watermarks, so a retry never inserts twice); a batch the queue
// cannot hold, and whatever ClickHouse lacks when the forwarder starts, is caught up from the store.
class ClickHouseForwarder : public StoreListener {
  public:
    // `store` and `log` must outlive the forwarder. Does not need ClickHouse to be up. kInvalidArgument for
    // bad options (the URL, the geo database).
    static core::Result<std::unique_ptr<ClickHouseForwarder>> Start(const EventStore& store, ForwarderOptions options,
                                                                  core::Logger& log);
    ~ClickHouseForwarder() override;  // Stop()
    ClickHouseForwarder(const ClickHouseForwarder&) = delete;
    ClickHouseForwarder& operator=(const ClickHouseForwarder&) = delete;

    std::mutex& order_mutex() override;
    void BatchStored(std::string_view sensor, std::uint64_t sequence, std::span<const ScanEvent> events) override;
    void UptimeStored(std::string_view sensor, PacketTime from, PacketTime to) override;

    // Waits until ClickHouse holds everything stored so far (queue empty, no catch-up due); false on timeout.
    bool WaitCaughtUp(std::chrono::milliseconds timeout);
    // Stops the thread; what is still queued is caught up from the store at the next start.
    void Stop();

    struct Counters {
        std::uint64_t batches_forwarded = 0;
        std::uint64_t batches_skipped = 0;  // at or below ClickHouse's watermark
        std::uint64_t events_forwarded = 0;
        std::uint64_t events_caught_up = 0;
        std::uint64_t failures = 0;  // failed attempts (ClickHouse down or refusing)
        std::uint64_t queued_events = 0;
    };
    Counters counters() const;

    struct Impl;

  private:
    explicit ClickHouseForwarder(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// ObservationQueries answered by ClickHouse. `store` must outlive the returned object.
std::unique_ptr<ObservationQueries> MakeClickHouseQueries(const ClickHouseStore& store);

}  // namespace kizuna::observe
