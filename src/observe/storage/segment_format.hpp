// The event store's on-disk block format (docs/formats/event-store.md): a segment file is a 32-byte file
// header followed by blocks; a block is a 160-byte header (zone map, batch identity, CRC-32C) and a payload.
// Version 2 blocks (written now) hold a column directory and every column encoded on its own (raw,
// constant, run-length, delta-varint or zstd, each with its own CRC-32C), so a scan reads and decodes only
// the columns it needs. Version 1 blocks (one zstd frame of all columns) are still read. Pure
// encode/decode, no I/O.
#pragma once

#include <array>
#include <optional>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "observe/storage/event_store.hpp"
#include "observe/capture/scan_event.hpp"

struct ZSTD_CCtx_s;
struct ZSTD_DCtx_s;

namespace kizuna::observe::segment {

inline constexpr std::size_t kFileHeaderSize = 32;
inline constexpr std::size_t kBlockHeaderSize = 160;
inline constexpr std::size_t kMaxSensorName = 64;
inline constexpr std::uint32_t kMaxBlockEvents = 1u << 20;
inline constexpr std::array<char, 8> kFileMagicV1{'K', 'Z', 'S', 'E', 'G', 'v', '1', '\0'};
inline constexpr std::array<char, 8> kFileMagic{'K', 'Z', 'S', 'E', 'G', 'v', '2', '\0'};
inline constexpr std::array<char, 4> kBlockMagicV1{'K', 'Z', 'B', 'K'};  // one zstd frame of all columns
inline constexpr std::array<char, 4> kBlockMagic{'K', 'Z', 'B', '2'};    // per-column encoding

// Version 2 payload: a directory of kColumnCount entries, then the columns' bytes in column order.
inline constexpr std::size_t kColumnCount = 14;
inline constexpr std::size_t kDirectoryEntrySize = 12;  // u8 encoding, 3 reserved, u32 length, u32 CRC-32C
inline constexpr std::size_t kDirectorySize = kColumnCount * kDirectoryEntrySize;

// Column encodings of version 2.
enum class Encoding : std::uint8_t {
    kRaw = 0,    // n values of the column's width
    kConst = 1,  // one value, repeated n times
    kRle = 2,    // runs: u32 length (>= 1), value; lengths sum to n
    kDelta = 3,  // time only: n zigzag LEB128 differences of successive offsets from the block's min time
    kZstd = 4,   // one zstd frame of the raw bytes
};

// Block flag bits.
inline constexpr std::uint8_t kFlagIpv4Only = 0x01;  // addresses stored as 4 bytes (all IPv4-mapped)

// CRC-32C (Castagnoli), hardware-accelerated where the CPU has SSE 4.2.
std::uint32_t Crc32c(std::span<const std::uint8_t> data, std::uint32_t crc = 0);

// Protocol bit in the zone map's protocol mask.
std::uint8_t ProtocolBit(std::uint8_t protocol);
// Bit (0..127) of a country in the zone map's country set.
unsigned CountryBit(CountryCode country);

struct BlockHeader {
    std::uint8_t version = 2;       // 1: "KZBK" block, 2: "KZB2" block
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
    std::uint32_t version = 2;  // of the writer that created the file; blocks of either version may follow
};

std::array<std::uint8_t, kFileHeaderSize> EncodeFileHeader(const FileHeader& header);
core::Result<FileHeader> DecodeFileHeader(std::span<const std::uint8_t> bytes);

// Parses and sanity-checks a block header (magic, lengths, sensor). Does not check the CRC (needs payload).
core::Result<BlockHeader> DecodeBlockHeader(std::span<const std::uint8_t> bytes);
// Whole-block integrity. Version 1: the CRC stored in `header_bytes` matches header bytes 8..160 followed by
// the payload. Version 2: it matches header bytes 8..160 followed by the directory, the directory fits the
// payload, and every column's bytes match their directory CRC.
bool BlockChecksumOk(std::span<const std::uint8_t> header_bytes, std::span<const std::uint8_t> payload);
// Version 2 only: the header CRC over header bytes 8..160 followed by the directory (the first
// kDirectorySize payload bytes). Column bytes are checked one by one as a scan reads them.
bool HeaderChecksumOk(std::span<const std::uint8_t> header_bytes, std::span<const std::uint8_t> directory);

// One parsed directory entry: where a column's bytes lie in the payload.
struct ColumnEntry {
    Encoding encoding = Encoding::kRaw;
    std::uint32_t offset = 0;  // from the payload start (after the directory for the first column)
    std::uint32_t length = 0;
    std::uint32_t crc = 0;
};
using Directory = std::array<ColumnEntry, kColumnCount>;
// Parses a version 2 directory and checks it against the header: known encodings, lengths that sum to the
// payload, per-encoding length rules (raw = n × width, const = width, ...). kDataLoss otherwise.
core::Result<Directory> DecodeDirectory(const BlockHeader& header, std::span<const std::uint8_t> directory);
// Bytes per value of column `column` (0..13) in a block with these flags (addresses 4 or 16).
std::size_t ColumnWidth(std::size_t column, std::uint8_t flags);

// Decoded columns of one block; EventColumns views into it. Columns not decoded (projection) are empty.
struct DecodedBlock {
    std::size_t size = 0;
    std::string sensor;
    std::vector<std::int64_t> time_micros;
    std::vector<IpAddress> source, destination;
    std::vector<std::uint16_t> source_port, destination_port, ip_length;
    std::vector<std::uint8_t> protocol, ip_version, tcp_flags, icmp_type, icmp_code, ttl;
    std::vector<std::uint32_t> packets;
    std::vector<CountryCode> country;
    // Per column: the constant it was last filled with by a constant column, so a run of blocks with the
    // same constant (packets = 1) refills nothing. Cleared whenever the column is written otherwise.
    std::array<std::optional<std::uint64_t>, kColumnCount> filled_const{};

    EventColumns View() const;
};

// Reusable encoder/decoder with their zstd contexts and scratch buffers. Not thread-safe.
class BlockCodec {
  public:
    explicit BlockCodec(int compression_level);
    ~BlockCodec();
    BlockCodec(const BlockCodec&) = delete;
    BlockCodec& operator=(const BlockCodec&) = delete;

    // Encodes events[i] with country[i] into `out` (header + payload), replacing its contents, as a
    // version 2 block: per column the cheapest of constant, run-length and raw (delta-varint for time);
    // with a compression level >= 2 a raw column is zstd-compressed when that saves at least 1/8.
    // REQUIRES: 1 <= events.size() <= kMaxBlockEvents, countries.size() == events.size(), sensor valid.
    core::Result<void> Encode(std::string_view sensor, std::uint64_t seq, std::uint16_t part_index,
                              std::uint16_t part_count, std::span<const ScanEvent> events,
                              std::span<const CountryCode> countries, std::vector<std::uint8_t>& out);
    // The same as a version 1 block (one zstd frame of all columns): what stores before version 2 wrote.
    // Kept so tests can build v1 segments and prove they stay readable.
    core::Result<void> EncodeV1(std::string_view sensor, std::uint64_t seq, std::uint16_t part_index,
                                std::uint16_t part_count, std::span<const ScanEvent> events,
                                std::span<const CountryCode> countries, std::vector<std::uint8_t>& out);

    // Decodes a payload whose checksum has been checked (BlockChecksumOk). `columns` (a ColumnSet) selects
    // what to decode for version 2 blocks; version 1 blocks always decode every column. kDataLoss if the
    // payload does not fit the header.
    core::Result<void> Decode(const BlockHeader& header, std::span<const std::uint8_t> payload, DecodedBlock& out,
                              ColumnSet columns = kAllColumns);
    // Version 2: decodes one column from its bytes, checking them against entry.crc first (kDataLoss).
    core::Result<void> DecodeColumn(const BlockHeader& header, std::size_t column, const ColumnEntry& entry,
                                    std::span<const std::uint8_t> bytes, DecodedBlock& out, bool check_crc = true,
                                    bool in_place = false);

    // Version 2, raw columns other than time and addresses: the bytes of out's typed column, sized for the
    // block, so a reader can read the column straight into it and then call DecodeColumn with
    // `in_place` = true (checks the CRC, copies nothing). Empty for other columns or encodings.
    static std::span<std::uint8_t> RawTarget(const BlockHeader& header, std::size_t column, const ColumnEntry& entry,
                                             DecodedBlock& out);

  private:
    void EncodeColumn(std::size_t column, const std::uint8_t* raw, std::size_t n, std::size_t width,
                      std::vector<std::uint8_t>& out, std::uint8_t* entry);
    core::Status DecodeV1(const BlockHeader& header, std::span<const std::uint8_t> payload, DecodedBlock& out);

    int level_;
    ZSTD_CCtx_s* cctx_ = nullptr;
    ZSTD_DCtx_s* dctx_ = nullptr;
    std::vector<std::uint8_t> raw_;
    std::vector<std::uint8_t> scratch_;
};

}  // namespace kizuna::observe::segment
