// control.log: the event store's small durable facts beside the segments (docs/formats/event-store.md).
// Layout: 8-byte magic "KZCTLv1\0", then records
//   [u32 CRC-32C of the rest][u32 payload length][u8 type][payload], payload = u32 sensor id, then
//   type 1 SENSOR:    the sensor's name (ids are given in order: the n-th SENSOR record names id n);
//   type 2 WATERMARK: u64 seq — an empty batch was stored;
//   type 3 UPTIME:    i64 from, i64 to (micros) — the sensor was up;
//   type 4 COMMIT:    u64 seq, u16 parts — a batch spread over several day partitions is complete.
// Each Append is synced before it returns; a failed append is truncated away. Recovery replays the records
// after the checkpoint's length and cuts a torn or corrupt tail.
//
// Thread-safety: none of its own; EventStore appends under append_mutex.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <vector>

#include "core/result.hpp"
#include "observe/storage/segment_io.hpp"

namespace kizuna::observe::detail {

class ControlLog {
  public:
    enum class Type : std::uint8_t { kSensor = 1, kWatermark = 2, kUptime = 3, kCommit = 4 };
    // One record: its type, sensor id and the rest of its payload. Returns false for a record that cannot be
    // used (the log is cut there, like a torn tail), or an error (DataLoss) that fails the store's open.
    using Visitor = std::function<core::Result<bool>(Type type, std::uint32_t sensor, std::span<const std::uint8_t> rest)>;

    // Opens `dir`/control.log (created with its magic unless read-only; a read-only store without one is
    // empty) and replays every whole record from byte `start` on (the checkpoint's length; 0: the first
    // record). A torn or corrupt tail is truncated (read-only: ignored). Returns the bytes dropped.
    core::Result<std::uint64_t> Recover(const std::filesystem::path& dir, bool read_only, std::uint64_t start,
                                        const Visitor& apply);

    // Appends and syncs one record; `payload` starts with the u32 sensor id. On failure the partial record
    // is truncated away; when even that fails, *unrecoverable is set (the store must refuse writes).
    core::Status Append(Type type, std::span<const std::uint8_t> payload, bool* unrecoverable);

    // Bytes of whole records (what a checkpoint records).
    std::uint64_t length() const { return length_; }

  private:
    std::filesystem::path path_;
    segment::Fd fd_;
    std::uint64_t length_ = 0;
};

}  // namespace kizuna::observe::detail
