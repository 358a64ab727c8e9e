// import_progress.log: the durable progress of unfinished imports (EventStore::AppendImportBatch). Layout
// (docs/formats/event-store.md): 8-byte magic "KZPRGv1\0", then records
//   [u32 CRC-32C of the rest][u32 payload length][u8 type][payload]
// type 1 INTENT: u64 seq, u8 sensor length, sensor, 32-byte probe, u64 records, u64 events, u64 packets,
//                i64 first micros, i64 last micros — the file's state once batch `seq` of `sensor` is stored;
// type 2 ABORT:  u64 seq, u8 sensor length, sensor — that batch is not stored;
// type 3 DONE:   u8 sensor length, sensor, 32-byte probe — the file's import completed (imports.log).
// Intents are written (and synced) before their batch and one at a time, so an intent followed by any record
// but its ABORT was stored; only the last record can be undecided, and the sensor's watermark decides it.
//
// Thread-safety: none of its own; EventStore writes under append_mutex and reads under state_mutex.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/result.hpp"
#include "observe/storage/event_store.hpp"
#include "observe/storage/segment_io.hpp"

namespace kizuna::observe::detail {

class ImportProgressLog {
  public:
    // Loads `dir`/import_progress.log (creating it unless read-only), truncates a torn tail, and decides a
    // last undecided intent: stored iff watermark(sensor) >= its seq (then durably recorded unless read-only).
    core::Status Recover(const std::filesystem::path& dir, bool read_only,
                         const std::function<std::uint64_t(std::string_view sensor)>& watermark);

    // Durable when they return.
    core::Status AppendIntent(std::uint64_t seq, const ImportProgress& progress);
    core::Status AppendAbort(std::string_view sensor, std::uint64_t seq);
    core::Status AppendDone(std::string_view sensor, const ProbeDigest& probe);

    // The pending intent's batch was stored: it becomes the file's progress.
    void Commit();
    void Forget(std::string_view sensor, const ProbeDigest& probe);
    std::optional<ImportProgress> Find(std::string_view sensor, const ProbeDigest& probe) const;

  private:
    enum class Type : std::uint8_t { kIntent = 1, kAbort = 2, kDone = 3 };
    using Key = std::pair<std::string, ProbeDigest>;

    core::Status AppendRecord(Type type, const std::vector<std::uint8_t>& payload);
    bool Apply(Type type, std::span<const std::uint8_t> payload);

    std::filesystem::path path_;
    segment::Fd fd_;
    std::uint64_t length_ = 0;
    std::map<Key, ImportProgress> progress_;
    std::optional<std::pair<std::uint64_t, ImportProgress>> pending_;  // seq, state once stored
};

}  // namespace kizuna::observe::detail
