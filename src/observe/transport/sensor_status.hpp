// SensorStatusBoard: what the collector knows about each sensor, for the coordinators' sensor-status page
// (issue 6: last batch, lag, drops, anomalies). Kept in memory by the collector and written to a small JSON
// file (SensorStatusPath(data_dir)) by write-then-rename, at most once a second and on every heartbeat;
// the page reads it with LoadSensorStatus(). The file is advisory: losing its last second in a crash loses
// no events.
//
// Thread-safety: all members may be called concurrently.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"

namespace kizuna::observe {

struct SensorStatus {
    std::string sensor;
    std::string source;                  // "kizuna-sensor" or "ipfix"
    std::int64_t last_batch_micros = 0;  // wall time the last batch was stored (0: none yet)
    std::uint64_t last_sequence = 0;
    std::uint64_t batches = 0;           // received by this collector since it started (incl. resends)
    std::uint64_t events = 0;            // stored by this collector since it started
    // Wall time of storing minus packet time of the newest event in that batch: how far behind capture
    // the center is (spooling, batching and transport delay). 0 before the first batch.
    std::int64_t lag_micros = 0;
    std::int64_t last_heartbeat_micros = 0;
    std::int64_t up_from_micros = 0;     // from the last heartbeat
    std::uint64_t packets_received = 0;  // pcap counters, cumulative since the sensor started
    std::uint64_t packets_dropped = 0;
    std::uint64_t interface_dropped = 0;
    std::uint64_t lost = 0;              // IPFIX over UDP: records missing by sequence number
    std::map<std::string, std::uint64_t> anomalies;  // cumulative named decoder anomalies
};

class SensorStatusBoard {
  public:
    // `path` may be empty (keep in memory only). `clock` must outlive the board.
    SensorStatusBoard(std::string path, const core::Clock& clock) : path_(std::move(path)), clock_(clock) {}

    void RecordBatch(std::string_view sensor, std::string_view source, std::uint64_t sequence,
                     std::uint64_t stored_events, std::int64_t newest_event_micros);
    void RecordHeartbeat(std::string_view sensor, std::int64_t up_from_micros, std::uint64_t received,
                         std::uint64_t dropped, std::uint64_t interface_dropped,
                         const std::vector<std::pair<std::string, std::uint64_t>>& anomalies);
    void RecordLoss(std::string_view sensor, std::uint64_t lost_records);

    std::vector<SensorStatus> Snapshot() const;
    // Writes the file now (the collector calls it at shutdown).
    core::Status Flush();

  private:
    SensorStatus& Entry(std::string_view sensor);  // REQUIRES: mutex_ held
    void MaybeFlush(bool force);                   // REQUIRES: mutex_ not held

    std::string path_;
    const core::Clock& clock_;
    mutable std::mutex mutex_;
    std::map<std::string, SensorStatus, std::less<>> sensors_;
    core::SteadyTime last_flush_{};
};

// "<data_dir>/observe/sensor-status.json"
std::string SensorStatusPath(const std::string& data_dir);
// Reads the file the collector writes; an empty list when it does not exist yet. kDataLoss when unreadable.
core::Result<std::vector<SensorStatus>> LoadSensorStatus(const std::string& path);

}  // namespace kizuna::observe
