// ImportCaptures: pcap/pcapng files -> the event store, through the same EventStore::AppendBatch as live
// ingest (MISSION O1: a center re-imports years of captures). Packets are decoded by PcapFileReader's
// Decoder, batched (one durable batch per `batch_events` events, sequence numbers continuing the sensor's
// watermark), and the sensor is recorded as up from each file's first to its last packet.
//
// Each completed file's content digest is remembered per sensor (EventStore::RecordImport, after its last batch):
// importing the same content again for the same sensor stores nothing and is reported as a duplicate. The
// full digest is taken on a helper thread while the file is imported; only a file whose probe (size, first
// and last MiB) matches an earlier import is digested before anything is stored.
//
// An import cut short (error, disk full, crash, SIGKILL) resumes: each batch is stored together with how far
// the file got (EventStore::AppendImportBatch), and the next import of the same file (same sensor and probe)
// skips the records already stored — nothing lost, nothing counted twice (docs/OPERATIONS.md).
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "observe/capture/decode.hpp"
#include "observe/storage/event_store.hpp"

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
    // Files skipped because this sensor already imported the same content (with that earlier import).
    struct Duplicate {
        std::string file;
        ImportRecord previous;
    };
    std::vector<Duplicate> duplicates;
    // Files an earlier, interrupted import had partly stored: the import went on after `records` records.
    struct Resumed {
        std::string file;
        std::uint64_t records = 0;
    };
    std::vector<Resumed> resumed;
};

// XXH3-128 of a file's bytes (canonical big-endian form). kNotFound / kInternal naming the file.
core::Result<ContentDigest> DigestFile(const std::string& path);
// The cheap fingerprint of ImportRecord::probe: SHA-256 over the file size (u64 little-endian), its first
// MiB and its last MiB (the whole file when smaller).
core::Result<ProbeDigest> ProbeFile(const std::string& path);
std::string DigestHex(std::span<const std::uint8_t> digest);

// Duplicates are skipped (counted in report.files and listed in report.duplicates), not errors.
// Stops at the first file that cannot be opened or is cut short (kNotFound / kInvalidArgument / kDataLoss,
// naming the file); batches already stored stay stored, are counted in `report`, and the next import of the
// file resumes after them (report.resumed).
core::Result<void> ImportCaptures(EventStore& store, const std::vector<std::string>& files, std::string_view sensor,
                                  const ImportOptions& options, ImportReport& report);

}  // namespace kizuna::observe
