// The event store's on-disk block format (docs/formats/event-store.md): a segment file is a 32-byte file
// header followed by blocks; a block is a 160-byte header (zone map, batch identity, CRC-32C) and a zstd
// frame holding the block's events column by column. Pure encode/decode, no I/O.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "observe/event_store.hpp"
#include "observe/scan_event.hpp"

struct ZSTD_CCtx_s;
struct ZSTD_DCtx_s;

namespace kizuna::observe::segment {

inline constexpr std::size_t kFileHeaderSize = 32;
inline constexpr std::size_t kBlockHeaderSize = 160;
inline constexpr std::size_t kMaxSensorName = 64;
inline constexpr std::uint32_t kMaxBlockEvents = 1u << 20;
inline constexpr std::array<char, 8> kFileMagic{'K', 'Z', 'S', 'E', 'G', 'v', '1', '\0'};
inline constexpr std::array<char, 4> kBlockMagic{'K', 'Z', 'B', 'K'};

// Block flag bits.
inline constexpr std::uint8_t kFlagIpv4Only = 0x01;  // addresses stored as 4 bytes (all IPv4-mapped)

// CRC-32C (Castagnoli), hardware-accelerated where the CPU has SSE 4.2.
std::uint32_t Crc32c(std::span<const std::uint8_t> data, std::uint32_t crc = 0);

// Protocol bit in the zone map's protocol mask.
std::uint8_t ProtocolBit(std::uint8_t protocol);
// Bit (0..127) of a country in the zone map's country set.
unsigned CountryBit(CountryCode country);

struct BlockHeader {
    std::uint32_t payload_len = 0;  // compressed bytes after the header
    std::uint32_t raw_len = 0;      // uncompressed column bytes
    std::uint32_t event_count = 0;
    std::uint16_t part_index = 0;  // this block's index among its batch's blocks
    std::uint16_t part_count = 1;  // blocks in the batch; > 1 needs a COMMIT record in control.log
    std::uint64_t seq = 0;
    std::int64_t min_time = 0;
    std::int64_t max_time = 0;
    std::uint16_t min_dport = 0, max_dport = 0, min_sport = 0, max_sport = 0;
    std::uint8_t protocol_mask = 0;
    std::uint8_t flags = 0;
    std::uint64_t packets = 0;
    std::array<std::uint8_t, 16> country_bits{};
    std::string sensor;

    bool MayMatch(const ScanFilter& filter) const;
};

struct FileHeader {
    std::int64_t day_start_micros = 0;
};

std::array<std::uint8_t, kFileHeaderSize> EncodeFileHeader(const FileHeader& header);
core::Result<FileHeader> DecodeFileHeader(std::span<const std::uint8_t> bytes);

// Parses and sanity-checks a block header (magic, lengths, sensor). Does not check the CRC (needs payload).
core::Result<BlockHeader> DecodeBlockHeader(std::span<const std::uint8_t> bytes);
// True when the CRC stored in `header_bytes` matches header bytes 8..160 followed by the payload.
bool BlockChecksumOk(std::span<const std::uint8_t> header_bytes, std::span<const std::uint8_t> payload);

// Decoded columns of one block; EventColumns views into it.
struct DecodedBlock {
    std::string sensor;
    std::vector<std::int64_t> time_micros;
    std::vector<IpAddress> source, destination;
    std::vector<std::uint16_t> source_port, destination_port, ip_length;
    std::vector<std::uint8_t> protocol, ip_version, tcp_flags, icmp_type, icmp_code, ttl;
    std::vector<std::uint32_t> packets;
    std::vector<CountryCode> country;

    EventColumns View() const;
};

// Reusable encoder/decoder with their zstd contexts and scratch buffers. Not thread-safe.
class BlockCodec {
  public:
    explicit BlockCodec(int compression_level);
    ~BlockCodec();
    BlockCodec(const BlockCodec&) = delete;
    BlockCodec& operator=(const BlockCodec&) = delete;

    // Encodes events[i] with country[i] into `out` (header + payload), replacing its contents.
    // REQUIRES: 1 <= events.size() <= kMaxBlockEvents, countries.size() == events.size(), sensor valid.
    core::Result<void> Encode(std::string_view sensor, std::uint64_t seq, std::uint16_t part_index,
                              std::uint16_t part_count, std::span<const ScanEvent> events,
                              std::span<const CountryCode> countries, std::vector<std::uint8_t>& out);

    // Decompresses and splits a payload whose CRC has been checked. kDataLoss if it does not fit the header.
    core::Result<void> Decode(const BlockHeader& header, std::span<const std::uint8_t> payload, DecodedBlock& out);

  private:
    int level_;
    ZSTD_CCtx_s* cctx_ = nullptr;
    ZSTD_DCtx_s* dctx_ = nullptr;
    std::vector<std::uint8_t> raw_;
};

}  // namespace kizuna::observe::segment
