// imports.log: the captures whose import completed (EventStore::RecordImport), so importing the same file
// again is recognised as a duplicate. Layout (docs/formats/event-store.md): 8-byte magic "KZIMPv1\0", then
// records [u32 CRC-32C of the rest][u32 len][payload]; payload = u8 sensor length, sensor, 16-byte XXH3-128
// digest, 32-byte SHA-256 probe, u64 events, u64 packets, u16 file name length, file name (at most 1024).
//
// Thread-safety: none of its own; EventStore writes under append_mutex and publishes (Commit) and reads
// under state_mutex.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "observe/storage/event_store.hpp"
#include "observe/storage/segment_io.hpp"

namespace kizuna::observe::detail {

class ImportsLog {
  public:
    // Loads `dir`/imports.log (created unless read-only; a read-only store without one has no imports). A
    // torn or corrupt tail is truncated (read-only: ignored). Returns the bytes dropped.
    core::Result<std::uint64_t> Recover(const std::filesystem::path& dir, bool read_only);

    // Writes and syncs `record` after the last one, without publishing it. On failure the partial record is
    // truncated away; when even that fails, *unrecoverable is set (the store must refuse writes).
    core::Status Write(const ImportRecord& record, bool* unrecoverable);
    // Publishes the record the last successful Write stored.
    void Commit(const ImportRecord& record);

    std::optional<ImportRecord> Find(std::string_view sensor, const ContentDigest& digest) const;
    std::vector<ImportRecord> FindByProbe(std::string_view sensor, const ProbeDigest& probe) const;

  private:
    std::filesystem::path path_;
    segment::Fd fd_;
    std::uint64_t length_ = 0;
    std::uint64_t written_ = 0;  // bytes of the last Write, published by Commit
    std::map<std::pair<std::string, ContentDigest>, ImportRecord> records_;
};

}  // namespace kizuna::observe::detail
