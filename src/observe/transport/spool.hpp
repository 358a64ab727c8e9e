// Spool: the sensor's on-disk queue of batches not yet acknowledged by the collector. Every batch is written
// here, complete and fsynced, before it is sent, and deleted only after the collector's ack (which the
// collector sends only once the batch is durable in its event store). So neither a collector outage nor a
// `kill -9` of either side loses an event; a resend after reconnect is recognised by its sequence number.
//
// Layout of the directory (docs/formats/sensor-protocol.md, "Spool"):
//   <20-digit sequence>.batch   one encoded batch frame, exactly as sent on the wire
//   <...>.tmp                   a batch being written; removed at Open (it was never sent)
//   last_sequence               highest sequence number acknowledged when no later batch was spooled,
//                               decimal; with the batch files' names it keeps numbers from being reused
// A batch becomes visible by rename after its data is fsynced, and the directory is fsynced after the
// rename, so a listed batch is always complete.
//
// Thread-safety: all methods may be called concurrently (the capture thread appends, the sender reads
// and acknowledges).
#pragma once

#include <cstdint>
#include <mutex>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "observe/capture/scan_event.hpp"

namespace kizuna::observe {

class Spool {
  public:
    // Creates the directory when missing. Errors name the path (kInvalidArgument / kInternal).
    // `fresh_sequence` numbers the first batch of a spool that has never sent anything (no last_sequence
    // file, no batches): the sensor passes the wall clock in microseconds, so a sensor whose spool was
    // wiped still numbers above everything it sent before and its batches are not taken for resends.
    static core::Result<std::unique_ptr<Spool>> Open(const std::string& directory, std::uint64_t fresh_sequence = 1);

    // Assigns the next sequence number, writes and fsyncs the batch, returns its sequence number.
    core::Result<std::uint64_t> Append(std::span<const ScanEvent> events);

    // Sequence numbers waiting for an ack, ascending.
    std::vector<std::uint64_t> Pending() const;
    // At most `limit` pending sequence numbers above `after`, ascending (the sender's next ones to send,
    // without listing a long backlog every time).
    std::vector<std::uint64_t> PendingAfter(std::uint64_t after, std::size_t limit) const;
    std::size_t PendingCount() const;
    // Events waiting for an ack (sum over the pending batches).
    std::uint64_t PendingEvents() const;

    // The encoded frame of a pending batch. kNotFound when it was acknowledged meanwhile; kDataLoss when
    // the file does not hold a whole valid frame.
    core::Result<std::vector<std::uint8_t>> Read(std::uint64_t sequence) const;

    // The frame of a pending batch for sending: from memory when this process spooled it and it is among the
    // most recent ones (up to 64 MiB are kept; they were checksummed when encoded), else Read() from disk.
    core::Result<std::shared_ptr<const std::vector<std::uint8_t>>> Frame(std::uint64_t sequence) const;

    // The collector stored this batch: remember the sequence number, delete the file.
    core::Status Acknowledge(std::uint64_t sequence);

    // The collector reports it has stored everything up to `last_sequence` for this sensor: later batches
    // must be numbered above it (a sensor whose last_sequence file is older than the collector's store).
    core::Status RaiseFloor(std::uint64_t last_sequence);

    std::uint64_t next_sequence() const;
    const std::string& directory() const { return directory_; }

  private:
    explicit Spool(std::string directory) : directory_(std::move(directory)) {}
    std::string BatchPath(std::uint64_t sequence) const;
    core::Status WriteLastSequence(std::uint64_t sequence);

    std::string directory_;
    mutable std::mutex mutex_;
    std::map<std::uint64_t, std::uint32_t> pending_;  // sequence -> event count
    std::uint64_t pending_events_ = 0;
    std::uint64_t next_sequence_ = 1;
    std::uint64_t last_acknowledged_ = 0;
    // Frames spooled by this process and not yet acknowledged, while they fit in kMemoryFrameBytes.
    static constexpr std::size_t kMemoryFrameBytes = std::size_t{64} << 20;
    std::map<std::uint64_t, std::shared_ptr<const std::vector<std::uint8_t>>> recent_;
    std::size_t recent_bytes_ = 0;
};

}  // namespace kizuna::observe
