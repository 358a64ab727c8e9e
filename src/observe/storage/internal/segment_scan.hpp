// The event store's parallel scan over a consistent cut of its segments (EventStore::ParallelScan takes the
// cut under its state lock, then calls ScanSegments without it). Two phases: the block headers (and v2
// column directories) of every target are walked in order and pruned by their zone maps; then workers take
// the surviving blocks in order from a shared counter (worker 0 is the calling thread), each reading only
// the projected columns with one descriptor open at a time, and hand the decoded columns to the callback.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <vector>

#include "core/result.hpp"
#include "observe/storage/event_store.hpp"

namespace kizuna::observe::detail {

// One partition to scan: its segment file and the committed length readers may see.
struct ScanTarget {
    std::filesystem::path path;
    std::uint64_t length = 0;
};

// Adds blocks_total, blocks_pruned and rows_scanned to `scan_stats`. threads 0: DefaultScanThreads(). The
// callback returning false stops the scan; a read or checksum error stops it and is returned.
core::Status ScanSegments(const std::vector<ScanTarget>& targets, const ScanFilter& filter, unsigned threads,
                          const std::function<bool(unsigned worker, const EventColumns&)>& callback,
                          ScanStats& scan_stats);

}  // namespace kizuna::observe::detail
