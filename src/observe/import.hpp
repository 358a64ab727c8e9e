// ImportCaptures: pcap/pcapng files -> the event store, through the same EventStore::AppendBatch as live
// ingest (MISSION O1: a center re-imports years of captures). Packets are decoded by PcapFileReader's
// Decoder, batched (one durable batch per `batch_events` events, sequence numbers continuing the sensor's
// watermark), and the sensor is recorded as up from each file's first to its last packet.
//
// Re-importing a file appends its events again (sequence numbers are per batch, not per file content).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "observe/decode.hpp"
#include "observe/event_store.hpp"

namespace kizuna::observe {

struct ImportOptions {
    std::size_t batch_events = 262144;
};

struct ImportReport {
    std::uint64_t files = 0;
    std::uint64_t records_read = 0;  // pcap records, decodable or not
    std::uint64_t events = 0;        // events stored
    std::uint64_t packets = 0;       // sum of the events' packet counts
    std::uint64_t batches = 0;
    AnomalyCounts anomalies;         // why records yielded no event, summed over the files
    std::optional<PacketTime> first, last;
};

// Stops at the first file that cannot be opened or is cut short (kNotFound / kInvalidArgument / kDataLoss,
// naming the file); batches already stored stay stored and are counted in `report`.
core::Result<void> ImportCaptures(EventStore& store, const std::vector<std::string>& files, std::string_view sensor,
                                  const ImportOptions& options, ImportReport& report);

}  // namespace kizuna::observe
