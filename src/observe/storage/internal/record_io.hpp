// Little-endian fixed-width fields of the event store's logs (control.log, imports.log,
// import_progress.log, checkpoint.bin): written with Put, read with Take, which refuses to read past the end.
#pragma once

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "observe/storage/segment_io.hpp"

namespace kizuna::observe::detail {

template <typename T>
void Put(std::vector<std::uint8_t>& out, T value) {
    std::uint8_t b[sizeof(T)];
    std::memcpy(b, &value, sizeof(T));
    out.insert(out.end(), b, b + sizeof(T));
}

// False (and `in` unchanged) when fewer than sizeof(T) bytes are left.
template <typename T>
bool Take(std::span<const std::uint8_t>& in, T& value) {
    if (in.size() < sizeof(T)) return false;
    std::memcpy(&value, in.data(), sizeof(T));
    in = in.subspan(sizeof(T));
    return true;
}

// 1 to 64 of [A-Za-z0-9._-]; kInvalidArgument naming "sensor" otherwise.
core::Status ValidateSensor(std::string_view sensor);

// (Re)starts the log file `fd` at `path` in `dir` as just its 8-byte magic, synced with its directory.
core::Status InitLogFile(const segment::Fd& fd, const std::filesystem::path& path, const std::filesystem::path& dir,
                         std::span<const char> magic);

// Walks the records [u32 CRC-32C of the rest][u32 payload length][type_bytes][payload] of a log read whole
// into `bytes`, from `pos` on, while each is whole, intact (length <= max_payload, CRC) and accepted by
// `apply` (given the type bytes and the payload). Returns the position after the last accepted record.
std::uint64_t WalkLogRecords(std::span<const std::uint8_t> bytes, std::uint64_t pos, std::size_t type_bytes,
                             std::size_t max_payload, const std::function<bool(std::span<const std::uint8_t>)>& apply);

}  // namespace kizuna::observe::detail
