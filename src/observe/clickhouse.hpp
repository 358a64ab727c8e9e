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
// Thread-safety: every call makes its own HTTP request; objects may be shared between threads.
#pragma once

#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "observe/event_store.hpp"
#include "observe/queries.hpp"
#include "observe/scan_event.hpp"

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

    // Drops the three tables (tests and benchmarks).
    core::Status DropTables();

    const ClickHouseClient& client() const { return client_; }
    std::string Table(std::string_view name) const { return client_.options().table_prefix + std::string(name); }

  private:
    explicit ClickHouseStore(ClickHouseOptions options) : client_(std::move(options)) {}
    core::Status InsertEvents(std::string_view rows_binary) const;
    ClickHouseClient client_;
};

// ObservationQueries answered by ClickHouse. `store` must outlive the returned object.
std::unique_ptr<ObservationQueries> MakeClickHouseQueries(const ClickHouseStore& store);

}  // namespace kizuna::observe
