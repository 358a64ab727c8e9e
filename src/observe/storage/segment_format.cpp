#include "observe/storage/segment_format.hpp"

#include <zstd.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <type_traits>

namespace kizuna::observe::segment {

static_assert(std::endian::native == std::endian::little, "the store's formats are little-endian");

namespace {

// ---- CRC-32C ----------------------------------------------------------------------------------------

std::array<std::uint32_t, 256> MakeCrcTable() {
    std::array<std::uint32_t, 256> table{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t c = i;
        for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        table[i] = c;
    }
    return table;
}

std::uint32_t Crc32cSoftware(const std::uint8_t* p, std::size_t n, std::uint32_t crc) {
    static const std::array<std::uint32_t, 256> table = MakeCrcTable();
    for (std::size_t i = 0; i < n; ++i) crc = table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
    return crc;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) std::uint32_t Crc32cHardware(const std::uint8_t* p, std::size_t n,
                                                               std::uint32_t crc) {
    std::uint64_t c = crc;
    while (n >= 8) {
        std::uint64_t word;
        std::memcpy(&word, p, 8);
        c = __builtin_ia32_crc32di(c, word);
        p += 8;
        n -= 8;
    }
    auto c32 = static_cast<std::uint32_t>(c);
    while (n > 0) {
        c32 = __builtin_ia32_crc32qi(c32, *p++);
        --n;
    }
    return c32;
}
#endif

// ---- little-endian field access ---------------------------------------------------------------------

template <typename T>
void Put(std::uint8_t* base, std::size_t offset, T value) {
    std::memcpy(base + offset, &value, sizeof(T));
}
template <typename T>
T Get(const std::uint8_t* base, std::size_t offset) {
    T value;
    std::memcpy(&value, base + offset, sizeof(T));
    return value;
}

// Block header field offsets (docs/formats/event-store.md).
enum : std::size_t {
    kOffMagic = 0,
    kOffCrc = 4,
    kOffPayloadLen = 8,
    kOffRawLen = 12,
    kOffEventCount = 16,
    kOffPartIndex = 20,
    kOffPartCount = 22,
    kOffSeq = 24,
    kOffMinTime = 32,
    kOffMaxTime = 40,
    kOffMinDport = 48,
    kOffMaxDport = 50,
    kOffMinSport = 52,
    kOffMaxSport = 54,
    kOffProtoMask = 56,
    kOffFlags = 57,
    kOffSensorLen = 58,
    kOffReserved = 59,  // 5 bytes of zero
    kOffPackets = 64,
    kOffCountryBits = 72,
    kOffSensor = 88,  // 64 bytes, zero-padded
    kOffTail = 152,   // 8 bytes of zero
};

bool IsIpv4Mapped(const IpAddress& a) {
    static constexpr std::array<std::uint8_t, 12> kPrefix{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
    return std::memcmp(a.data(), kPrefix.data(), 12) == 0;
}

std::size_t RawSize(std::size_t n, bool ipv4_only) {
    std::size_t address = ipv4_only ? 4 : 16;
    return n * (8 + 2 * address + 2 + 2 + 2 + 1 + 1 + 1 + 1 + 1 + 1 + 4 + 2);
}

}  // namespace

std::uint32_t Crc32c(std::span<const std::uint8_t> data, std::uint32_t crc) {
    crc = ~crc;
#if defined(__x86_64__)
    static const bool hardware = __builtin_cpu_supports("sse4.2");
    crc = hardware ? Crc32cHardware(data.data(), data.size(), crc) : Crc32cSoftware(data.data(), data.size(), crc);
#else
    crc = Crc32cSoftware(data.data(), data.size(), crc);
#endif
    return ~crc;
}

std::uint8_t ProtocolBit(std::uint8_t protocol) {
    switch (protocol) {
        case static_cast<std::uint8_t>(Protocol::kTcp): return 0x01;
        case static_cast<std::uint8_t>(Protocol::kUdp): return 0x02;
        case static_cast<std::uint8_t>(Protocol::kIcmp): return 0x04;
        case static_cast<std::uint8_t>(Protocol::kIcmpv6): return 0x08;
        default: return 0x80;
    }
}

unsigned CountryBit(CountryCode country) {
    auto letter = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<unsigned>(c - 'A') : 26u; };
    return (letter(country[0]) * 27 + letter(country[1])) % 128;
}

bool BlockHeader::MayMatch(const ScanFilter& filter) const {
    if (max_time < filter.range.from.micros_since_epoch || min_time >= filter.range.to.micros_since_epoch) {
        return false;
    }
    if (filter.protocol && (protocol_mask & ProtocolBit(static_cast<std::uint8_t>(*filter.protocol))) == 0) {
        return false;
    }
    if (filter.destination_port && (*filter.destination_port < min_dport || *filter.destination_port > max_dport)) {
        return false;
    }
    if (filter.country) {
        unsigned bit = CountryBit(*filter.country);
        if ((country_bits[bit / 8] & (1u << (bit % 8))) == 0) return false;
    }
    if (filter.sensor && *filter.sensor != sensor) return false;
    return true;
}

std::array<std::uint8_t, kFileHeaderSize> EncodeFileHeader(const FileHeader& header) {
    std::array<std::uint8_t, kFileHeaderSize> bytes{};
    const auto& magic = header.version == 1 ? kFileMagicV1 : kFileMagic;
    std::memcpy(bytes.data(), magic.data(), magic.size());
    Put<std::uint32_t>(bytes.data(), 8, header.version == 1 ? 1 : 2);  // format version
    Put<std::uint32_t>(bytes.data(), 12, static_cast<std::uint32_t>(kBlockHeaderSize));
    Put<std::int64_t>(bytes.data(), 16, header.day_start_micros);
    Put<std::uint32_t>(bytes.data(), 24, 0);
    Put<std::uint32_t>(bytes.data(), 28, Crc32c(std::span(bytes.data(), 28)));
    return bytes;
}

core::Result<FileHeader> DecodeFileHeader(std::span<const std::uint8_t> bytes) {
    if (bytes.size() < kFileHeaderSize) return core::DataLoss("segment file header is truncated");
    std::uint32_t magic_version = 0;
    if (std::memcmp(bytes.data(), kFileMagic.data(), kFileMagic.size()) == 0) {
        magic_version = 2;
    } else if (std::memcmp(bytes.data(), kFileMagicV1.data(), kFileMagicV1.size()) == 0) {
        magic_version = 1;
    } else {
        return core::DataLoss("not a segment file (bad magic)");
    }
    if (Get<std::uint32_t>(bytes.data(), 28) != Crc32c(bytes.first(28))) {
        return core::DataLoss("segment file header checksum mismatch");
    }
    auto version = Get<std::uint32_t>(bytes.data(), 8);
    if (version != magic_version) return core::DataLoss("unsupported segment format version " + std::to_string(version));
    if (Get<std::uint32_t>(bytes.data(), 12) != kBlockHeaderSize) return core::DataLoss("unexpected block header size");
    return FileHeader{Get<std::int64_t>(bytes.data(), 16), version};
}

core::Result<BlockHeader> DecodeBlockHeader(std::span<const std::uint8_t> bytes) {
    if (bytes.size() < kBlockHeaderSize) return core::DataLoss("block header is truncated");
    const std::uint8_t* b = bytes.data();
    BlockHeader h;
    if (std::memcmp(b + kOffMagic, kBlockMagic.data(), kBlockMagic.size()) == 0) {
        h.version = 2;
    } else if (std::memcmp(b + kOffMagic, kBlockMagicV1.data(), kBlockMagicV1.size()) == 0) {
        h.version = 1;
    } else {
        return core::DataLoss("bad block magic");
    }
    h.payload_len = Get<std::uint32_t>(b, kOffPayloadLen);
    h.raw_len = Get<std::uint32_t>(b, kOffRawLen);
    h.event_count = Get<std::uint32_t>(b, kOffEventCount);
    h.part_index = Get<std::uint16_t>(b, kOffPartIndex);
    h.part_count = Get<std::uint16_t>(b, kOffPartCount);
    h.seq = Get<std::uint64_t>(b, kOffSeq);
    h.min_time = Get<std::int64_t>(b, kOffMinTime);
    h.max_time = Get<std::int64_t>(b, kOffMaxTime);
    h.min_dport = Get<std::uint16_t>(b, kOffMinDport);
    h.max_dport = Get<std::uint16_t>(b, kOffMaxDport);
    h.min_sport = Get<std::uint16_t>(b, kOffMinSport);
    h.max_sport = Get<std::uint16_t>(b, kOffMaxSport);
    h.protocol_mask = b[kOffProtoMask];
    h.flags = b[kOffFlags];
    std::uint8_t sensor_len = b[kOffSensorLen];
    h.packets = Get<std::uint64_t>(b, kOffPackets);
    std::memcpy(h.country_bits.data(), b + kOffCountryBits, h.country_bits.size());
    if (h.event_count == 0 || h.event_count > kMaxBlockEvents) return core::DataLoss("bad block event count");
    if (h.part_count == 0 || h.part_index >= h.part_count) return core::DataLoss("bad block part numbering");
    if (sensor_len == 0 || sensor_len > kMaxSensorName) return core::DataLoss("bad block sensor length");
    bool ipv4_only = (h.flags & kFlagIpv4Only) != 0;
    if (h.raw_len != RawSize(h.event_count, ipv4_only)) return core::DataLoss("block raw length does not fit its events");
    if (h.version == 1) {
        if (h.payload_len == 0 || h.payload_len > ZSTD_compressBound(h.raw_len)) {
            return core::DataLoss("bad block payload length");
        }
    } else {
        // Every column is at most its raw size, except time as varints (up to 10 bytes instead of 8).
        std::uint64_t bound = kDirectorySize + std::uint64_t{h.raw_len} + 2ull * h.event_count;
        if (h.payload_len < kDirectorySize || h.payload_len > bound) return core::DataLoss("bad block payload length");
    }
    if (h.min_time > h.max_time) return core::DataLoss("block zone map time range is inverted");
    h.sensor.assign(reinterpret_cast<const char*>(b + kOffSensor), sensor_len);
    return h;
}

bool HeaderChecksumOk(std::span<const std::uint8_t> header_bytes, std::span<const std::uint8_t> directory) {
    if (header_bytes.size() < kBlockHeaderSize) return false;
    std::uint32_t stored = Get<std::uint32_t>(header_bytes.data(), kOffCrc);
    std::uint32_t crc = Crc32c(header_bytes.subspan(8, kBlockHeaderSize - 8));
    crc = Crc32c(directory, crc);
    return crc == stored;
}

std::size_t ColumnWidth(std::size_t column, std::uint8_t flags) {
    static constexpr std::array<std::uint8_t, kColumnCount> kWidths{8, 16, 16, 2, 2, 2, 1, 1, 1, 1, 1, 1, 4, 2};
    if ((column == 1 || column == 2) && (flags & kFlagIpv4Only) != 0) return 4;
    return column < kColumnCount ? kWidths[column] : 0;
}

core::Result<Directory> DecodeDirectory(const BlockHeader& header, std::span<const std::uint8_t> directory) {
    if (header.version != 2 || directory.size() < kDirectorySize) return core::DataLoss("block directory is truncated");
    Directory dir;
    const std::uint64_t n = header.event_count;
    std::uint64_t offset = kDirectorySize;
    for (std::size_t c = 0; c < kColumnCount; ++c) {
        const std::uint8_t* e = directory.data() + c * kDirectoryEntrySize;
        ColumnEntry& entry = dir[c];
        entry.encoding = static_cast<Encoding>(e[0]);
        entry.length = Get<std::uint32_t>(e, 4);
        entry.crc = Get<std::uint32_t>(e, 8);
        entry.offset = static_cast<std::uint32_t>(offset);
        const std::uint64_t width = ColumnWidth(c, header.flags);
        const std::uint64_t len = entry.length;
        bool fits = false;
        switch (entry.encoding) {
            case Encoding::kRaw: fits = len == n * width; break;
            case Encoding::kConst: fits = len == width; break;
            case Encoding::kRle: fits = len > 0 && len % (4 + width) == 0 && len / (4 + width) <= n; break;
            case Encoding::kDelta: fits = c == 0 && len >= n && len <= 10 * n; break;
            case Encoding::kZstd: fits = len > 0 && len <= ZSTD_compressBound(n * width); break;
        }
        if (!fits || e[1] != 0 || e[2] != 0 || e[3] != 0) {
            return core::DataLoss("block column " + std::to_string(c) + " has a bad encoding or length");
        }
        offset += len;
    }
    if (offset != header.payload_len) return core::DataLoss("block column lengths do not add up to the payload");
    return dir;
}

bool BlockChecksumOk(std::span<const std::uint8_t> header_bytes, std::span<const std::uint8_t> payload) {
    if (header_bytes.size() < kBlockHeaderSize) return false;
    if (std::memcmp(header_bytes.data(), kBlockMagic.data(), kBlockMagic.size()) != 0) {
        std::uint32_t stored = Get<std::uint32_t>(header_bytes.data(), kOffCrc);
        std::uint32_t crc = Crc32c(header_bytes.subspan(8, kBlockHeaderSize - 8));
        return Crc32c(payload, crc) == stored;
    }
    if (payload.size() < kDirectorySize || !HeaderChecksumOk(header_bytes, payload.first(kDirectorySize))) return false;
    auto header = DecodeBlockHeader(header_bytes);
    if (!header.ok() || header->payload_len != payload.size()) return false;
    auto dir = DecodeDirectory(*header, payload.first(kDirectorySize));
    if (!dir.ok()) return false;
    for (const ColumnEntry& entry : *dir) {
        if (Crc32c(payload.subspan(entry.offset, entry.length)) != entry.crc) return false;
    }
    return true;
}

EventColumns DecodedBlock::View() const {
    EventColumns c;
    c.size = size;
    c.sensor = sensor;
    c.time_micros = time_micros;
    c.source = source;
    c.destination = destination;
    c.source_port = source_port;
    c.destination_port = destination_port;
    c.ip_length = ip_length;
    c.protocol = protocol;
    c.ip_version = ip_version;
    c.tcp_flags = tcp_flags;
    c.icmp_type = icmp_type;
    c.icmp_code = icmp_code;
    c.ttl = ttl;
    c.packets = packets;
    c.country = country;
    return c;
}

BlockCodec::BlockCodec(int compression_level)
    : level_(compression_level), cctx_(ZSTD_createCCtx()), dctx_(ZSTD_createDCtx()) {}

BlockCodec::~BlockCodec() {
    ZSTD_freeCCtx(cctx_);
    ZSTD_freeDCtx(dctx_);
}

namespace {

// Zone map and address width of a block's events, and the raw column bytes (v1 payload layout: columns back
// to back, each n values of its width, in column order).
bool BuildRaw(std::span<const ScanEvent> events, std::span<const CountryCode> countries, BlockHeader& h,
              std::vector<std::uint8_t>& raw, std::array<std::size_t, kColumnCount + 1>& starts) {
    const std::size_t n = events.size();
    h.min_time = std::numeric_limits<std::int64_t>::max();
    h.max_time = std::numeric_limits<std::int64_t>::min();
    h.min_dport = h.min_sport = 0xFFFF;
    bool ipv4_only = true;
    for (std::size_t i = 0; i < n; ++i) {
        const ScanEvent& e = events[i];
        h.min_time = std::min(h.min_time, e.time.micros_since_epoch);
        h.max_time = std::max(h.max_time, e.time.micros_since_epoch);
        h.min_dport = std::min(h.min_dport, e.destination_port);
        h.max_dport = std::max(h.max_dport, e.destination_port);
        h.min_sport = std::min(h.min_sport, e.source_port);
        h.max_sport = std::max(h.max_sport, e.source_port);
        h.protocol_mask |= ProtocolBit(static_cast<std::uint8_t>(e.protocol));
        h.packets += e.packets;
        unsigned bit = CountryBit(countries[i]);
        h.country_bits[bit / 8] |= static_cast<std::uint8_t>(1u << (bit % 8));
        ipv4_only = ipv4_only && IsIpv4Mapped(e.source) && IsIpv4Mapped(e.destination);
    }
    h.flags = ipv4_only ? kFlagIpv4Only : 0;
    const std::size_t address = ipv4_only ? 4 : 16;
    const std::size_t address_offset = ipv4_only ? 12 : 0;
    starts[0] = 0;
    for (std::size_t c = 0; c < kColumnCount; ++c) starts[c + 1] = starts[c] + n * ColumnWidth(c, h.flags);
    raw.resize(starts[kColumnCount]);
    std::uint8_t* col[kColumnCount];
    for (std::size_t c = 0; c < kColumnCount; ++c) col[c] = raw.data() + starts[c];
    for (std::size_t i = 0; i < n; ++i) {
        const ScanEvent& e = events[i];
        Put<std::uint64_t>(col[0], i * 8, static_cast<std::uint64_t>(e.time.micros_since_epoch - h.min_time));
        std::memcpy(col[1] + i * address, e.source.data() + address_offset, address);
        std::memcpy(col[2] + i * address, e.destination.data() + address_offset, address);
        Put<std::uint16_t>(col[3], i * 2, e.source_port);
        Put<std::uint16_t>(col[4], i * 2, e.destination_port);
        Put<std::uint16_t>(col[5], i * 2, e.ip_length);
        col[6][i] = static_cast<std::uint8_t>(e.protocol);
        col[7][i] = e.ip_version;
        col[8][i] = e.tcp_flags;
        col[9][i] = e.icmp_type;
        col[10][i] = e.icmp_code;
        col[11][i] = e.ttl;
        Put<std::uint32_t>(col[12], i * 4, e.packets);
        std::memcpy(col[13] + i * 2, countries[i].data(), 2);
    }
    return ipv4_only;
}

void WriteHeader(std::uint8_t* b, const std::array<char, 4>& magic, const BlockHeader& h, std::string_view sensor,
                 std::uint64_t seq, std::uint16_t part_index, std::uint16_t part_count, std::size_t n,
                 std::size_t payload_len, std::size_t raw_len) {
    std::memset(b, 0, kBlockHeaderSize);
    std::memcpy(b + kOffMagic, magic.data(), magic.size());
    Put<std::uint32_t>(b, kOffPayloadLen, static_cast<std::uint32_t>(payload_len));
    Put<std::uint32_t>(b, kOffRawLen, static_cast<std::uint32_t>(raw_len));
    Put<std::uint32_t>(b, kOffEventCount, static_cast<std::uint32_t>(n));
    Put<std::uint16_t>(b, kOffPartIndex, part_index);
    Put<std::uint16_t>(b, kOffPartCount, part_count);
    Put<std::uint64_t>(b, kOffSeq, seq);
    Put<std::int64_t>(b, kOffMinTime, h.min_time);
    Put<std::int64_t>(b, kOffMaxTime, h.max_time);
    Put<std::uint16_t>(b, kOffMinDport, h.min_dport);
    Put<std::uint16_t>(b, kOffMaxDport, h.max_dport);
    Put<std::uint16_t>(b, kOffMinSport, h.min_sport);
    Put<std::uint16_t>(b, kOffMaxSport, h.max_sport);
    b[kOffProtoMask] = h.protocol_mask;
    b[kOffFlags] = h.flags;
    b[kOffSensorLen] = static_cast<std::uint8_t>(sensor.size());
    Put<std::uint64_t>(b, kOffPackets, h.packets);
    std::memcpy(b + kOffCountryBits, h.country_bits.data(), h.country_bits.size());
    std::memcpy(b + kOffSensor, sensor.data(), sensor.size());
}

// Runs of equal values in a column of `width`-byte values.
template <typename T>
std::size_t CountRuns(const std::uint8_t* p, std::size_t n) {
    std::size_t runs = 1;
    T prev = Get<T>(p, 0);
    for (std::size_t i = 1; i < n; ++i) {
        T v = Get<T>(p, i * sizeof(T));
        runs += v != prev;
        prev = v;
    }
    return runs;
}

std::size_t CountRunsAny(const std::uint8_t* p, std::size_t n, std::size_t width) {
    switch (width) {
        case 1: return CountRuns<std::uint8_t>(p, n);
        case 2: return CountRuns<std::uint16_t>(p, n);
        case 4: return CountRuns<std::uint32_t>(p, n);
        case 8: return CountRuns<std::uint64_t>(p, n);
        default: {
            std::size_t runs = 1;
            for (std::size_t i = 1; i < n; ++i) runs += std::memcmp(p + i * width, p + (i - 1) * width, width) != 0;
            return runs;
        }
    }
}

}  // namespace

void BlockCodec::EncodeColumn(std::size_t column, const std::uint8_t* raw, std::size_t n, std::size_t width,
                              std::vector<std::uint8_t>& out, std::uint8_t* entry) {
    const std::size_t start = out.size();
    Encoding encoding = Encoding::kRaw;
    const std::size_t runs = CountRunsAny(raw, n, width);
    if (runs == 1) {
        encoding = Encoding::kConst;
        out.insert(out.end(), raw, raw + width);
    } else if (column == 0) {
        // Time: offsets from the block minimum, mostly ascending: zigzag varints of the differences.
        encoding = Encoding::kDelta;
        out.resize(start + n * 10);
        std::uint8_t* p = out.data() + start;
        std::uint64_t prev = 0;
        for (std::size_t i = 0; i < n; ++i) {
            std::uint64_t v = Get<std::uint64_t>(raw, i * 8);
            auto diff = static_cast<std::int64_t>(v - prev);
            std::uint64_t zz = (static_cast<std::uint64_t>(diff) << 1) ^ static_cast<std::uint64_t>(diff >> 63);
            prev = v;
            while (zz >= 0x80) {
                *p++ = static_cast<std::uint8_t>(zz | 0x80);
                zz >>= 7;
            }
            *p++ = static_cast<std::uint8_t>(zz);
        }
        out.resize(static_cast<std::size_t>(p - out.data()));
    } else if (runs * (4 + width) * 4 <= n * width) {
        encoding = Encoding::kRle;
        out.resize(start + runs * (4 + width));
        std::uint8_t* p = out.data() + start;
        std::size_t i = 0;
        while (i < n) {
            std::size_t j = i + 1;
            while (j < n && std::memcmp(raw + j * width, raw + i * width, width) == 0) ++j;
            Put<std::uint32_t>(p, 0, static_cast<std::uint32_t>(j - i));
            std::memcpy(p + 4, raw + i * width, width);
            p += 4 + width;
            i = j;
        }
    } else {
        const std::size_t size = n * width;
        if (level_ >= 2) {
            const std::size_t bound = ZSTD_compressBound(size);
            out.resize(start + bound);
            std::size_t got = ZSTD_compressCCtx(cctx_, out.data() + start, bound, raw, size, level_);
            if (!ZSTD_isError(got) && got < size - size / 8) {
                encoding = Encoding::kZstd;
                out.resize(start + got);
            } else {
                out.resize(start);
            }
        }
        if (encoding == Encoding::kRaw) out.insert(out.end(), raw, raw + size);
    }
    const std::size_t length = out.size() - start;
    entry[0] = static_cast<std::uint8_t>(encoding);
    entry[1] = entry[2] = entry[3] = 0;
    Put<std::uint32_t>(entry, 4, static_cast<std::uint32_t>(length));
    Put<std::uint32_t>(entry, 8, Crc32c(std::span<const std::uint8_t>(out.data() + start, length)));
}

// The REQUIREs of BlockCodec::Encode (both versions).
static core::Result<void> CheckEncodeArguments(std::string_view sensor, std::span<const ScanEvent> events,
                                               std::span<const CountryCode> countries) {
    const std::size_t n = events.size();
    if (n == 0 || n > kMaxBlockEvents || countries.size() != n || sensor.empty() || sensor.size() > kMaxSensorName) {
        return core::Internal("block encode: bad arguments");
    }
    return {};
}

core::Result<void> BlockCodec::Encode(std::string_view sensor, std::uint64_t seq, std::uint16_t part_index,
                                      std::uint16_t part_count, std::span<const ScanEvent> events,
                                      std::span<const CountryCode> countries, std::vector<std::uint8_t>& out) {
    const std::size_t n = events.size();
    KZ_TRY(CheckEncodeArguments(sensor, events, countries));
    BlockHeader h;
    std::array<std::size_t, kColumnCount + 1> starts{};
    BuildRaw(events, countries, h, raw_, starts);
    out.resize(kBlockHeaderSize + kDirectorySize);
    out.reserve(kBlockHeaderSize + kDirectorySize + raw_.size() + 2 * n + 64);
    std::array<std::uint8_t, kDirectorySize> directory{};
    for (std::size_t c = 0; c < kColumnCount; ++c) {
        EncodeColumn(c, raw_.data() + starts[c], n, ColumnWidth(c, h.flags), out,
                     directory.data() + c * kDirectoryEntrySize);
    }
    std::memcpy(out.data() + kBlockHeaderSize, directory.data(), kDirectorySize);
    std::uint8_t* b = out.data();
    WriteHeader(b, kBlockMagic, h, sensor, seq, part_index, part_count, n, out.size() - kBlockHeaderSize, raw_.size());
    std::uint32_t crc = Crc32c(std::span<const std::uint8_t>(b + 8, kBlockHeaderSize - 8));
    crc = Crc32c(std::span<const std::uint8_t>(b + kBlockHeaderSize, kDirectorySize), crc);
    Put<std::uint32_t>(b, kOffCrc, crc);
    return {};
}

core::Result<void> BlockCodec::EncodeV1(std::string_view sensor, std::uint64_t seq, std::uint16_t part_index,
                                        std::uint16_t part_count, std::span<const ScanEvent> events,
                                        std::span<const CountryCode> countries, std::vector<std::uint8_t>& out) {
    const std::size_t n = events.size();
    KZ_TRY(CheckEncodeArguments(sensor, events, countries));
    BlockHeader h;
    std::array<std::size_t, kColumnCount + 1> starts{};
    BuildRaw(events, countries, h, raw_, starts);
    const std::size_t raw_len = raw_.size();
    const std::size_t bound = ZSTD_compressBound(raw_len);
    out.resize(kBlockHeaderSize + bound);
    std::size_t compressed =
        ZSTD_compressCCtx(cctx_, out.data() + kBlockHeaderSize, bound, raw_.data(), raw_len, level_);
    if (ZSTD_isError(compressed)) return core::Internal(std::string("zstd compress: ") + ZSTD_getErrorName(compressed));
    out.resize(kBlockHeaderSize + compressed);
    std::uint8_t* b = out.data();
    WriteHeader(b, kBlockMagicV1, h, sensor, seq, part_index, part_count, n, compressed, raw_len);
    std::uint32_t crc = Crc32c(std::span<const std::uint8_t>(b + 8, kBlockHeaderSize - 8));
    crc = Crc32c(std::span<const std::uint8_t>(b + kBlockHeaderSize, compressed), crc);
    Put<std::uint32_t>(b, kOffCrc, crc);
    return {};
}

core::Result<void> BlockCodec::Decode(const BlockHeader& header, std::span<const std::uint8_t> payload,
                                      DecodedBlock& out, ColumnSet columns) {
    if (header.version == 1) return DecodeV1(header, payload, out);
    if (payload.size() != header.payload_len) return core::DataLoss("block payload length does not match its header");
    KZ_ASSIGN(Directory dir, DecodeDirectory(header, payload.first(std::min(payload.size(), kDirectorySize))));
    out.sensor = header.sensor;
    out.size = header.event_count;
    for (std::size_t c = 0; c < kColumnCount; ++c) {
        if ((columns & (1u << c)) == 0) continue;
        KZ_TRY(DecodeColumn(header, c, dir[c], payload.subspan(dir[c].offset, dir[c].length), out, false));
    }
    return {};
}

namespace {

// Expands `bytes` (n values of `width`, already raw) into the typed column.
template <typename T>
void FromRaw(const std::uint8_t* bytes, std::size_t n, std::vector<T>& column) {
    column.resize(n);
    std::memcpy(column.data(), bytes, n * sizeof(T));
}

void AddressesFromRaw(const std::uint8_t* p, std::size_t n, std::size_t width, std::vector<IpAddress>& column) {
    column.resize(n);
    if (width == 16) {
        std::memcpy(column.data(), p, n * 16);
        return;
    }
    for (std::size_t i = 0; i < n; ++i, p += 4) {
        IpAddress a{};
        a[10] = 0xFF;
        a[11] = 0xFF;
        std::memcpy(a.data() + 12, p, 4);
        column[i] = a;
    }
}

}  // namespace

std::span<std::uint8_t> BlockCodec::RawTarget(const BlockHeader& header, std::size_t c, const ColumnEntry& entry,
                                              DecodedBlock& out) {
    const std::size_t n = header.event_count;
    if (entry.encoding != Encoding::kRaw || entry.length != n * ColumnWidth(c, header.flags)) return {};
    if (c < kColumnCount) out.filled_const[c].reset();
    auto bytes_of = [n](auto& column) {
        column.resize(n);
        return std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(column.data()), n * sizeof(column[0]));
    };
    switch (c) {
        case 3: return bytes_of(out.source_port);
        case 4: return bytes_of(out.destination_port);
        case 5: return bytes_of(out.ip_length);
        case 6: return bytes_of(out.protocol);
        case 7: return bytes_of(out.ip_version);
        case 8: return bytes_of(out.tcp_flags);
        case 9: return bytes_of(out.icmp_type);
        case 10: return bytes_of(out.icmp_code);
        case 11: return bytes_of(out.ttl);
        case 12: return bytes_of(out.packets);
        case 13: return bytes_of(out.country);
        default: return {};
    }
}

core::Result<void> BlockCodec::DecodeColumn(const BlockHeader& header, std::size_t c, const ColumnEntry& entry,
                                            std::span<const std::uint8_t> bytes, DecodedBlock& out, bool check_crc,
                                            bool in_place) {
    const std::size_t n = header.event_count;
    const std::size_t width = ColumnWidth(c, header.flags);
    auto bad = [&](std::string_view why) {
        return core::DataLoss("block column " + std::to_string(c) + ": " + std::string(why));
    };
    if (c >= kColumnCount || bytes.size() != entry.length) return bad("truncated");
    if (check_crc && Crc32c(bytes) != entry.crc) return bad("checksum mismatch");
    out.size = n;
    if (entry.encoding != Encoding::kConst || c <= 2) out.filled_const[c].reset();
    if (in_place) {
        // The bytes already are the typed column (RawTarget).
        if (entry.encoding != Encoding::kRaw || bytes.size() != n * width) return bad("not a raw column");
        return {};
    }
    // Raw values of the column: straight from the payload (raw) or expanded into scratch_.
    const std::uint8_t* raw = nullptr;
    switch (entry.encoding) {
        case Encoding::kRaw:
            if (bytes.size() != n * width) return bad("raw length does not fit the event count");
            raw = bytes.data();
            break;
        case Encoding::kConst: {
            if (bytes.size() != width) return bad("constant length does not fit the column width");
            // Straight into the typed column (no scratch copy), and not at all when it already holds n copies.
            auto fill = [&](auto& column) {
                using T = typename std::remove_reference_t<decltype(column)>::value_type;
                T value;
                std::memcpy(&value, bytes.data(), sizeof(T));
                std::uint64_t key = 0;
                std::memcpy(&key, bytes.data(), sizeof(T));
                if (column.size() == n && out.filled_const[c] == key) return;
                column.assign(n, value);
                out.filled_const[c] = key;
            };
            switch (c) {
                case 0: {
                    std::int64_t offset = Get<std::int64_t>(bytes.data(), 0);
                    out.time_micros.assign(n, header.min_time + offset);
                    return {};
                }
                case 1:
                case 2: {
                    IpAddress a{};
                    if (width == 4) {
                        a[10] = a[11] = 0xFF;
                        std::memcpy(a.data() + 12, bytes.data(), 4);
                    } else {
                        std::memcpy(a.data(), bytes.data(), 16);
                    }
                    (c == 1 ? out.source : out.destination).assign(n, a);
                    return {};
                }
                case 3: fill(out.source_port); return {};
                case 4: fill(out.destination_port); return {};
                case 5: fill(out.ip_length); return {};
                case 6: fill(out.protocol); return {};
                case 7: fill(out.ip_version); return {};
                case 8: fill(out.tcp_flags); return {};
                case 9: fill(out.icmp_type); return {};
                case 10: fill(out.icmp_code); return {};
                case 11: fill(out.ttl); return {};
                case 12: fill(out.packets); return {};
                case 13: fill(out.country); return {};
                default: return bad("no such column");
            }
        }
        case Encoding::kRle: {
            if (bytes.size() % (4 + width) != 0) return bad("run-length data is truncated");
            scratch_.resize(n * width);
            std::size_t filled = 0;
            for (std::size_t off = 0; off < bytes.size(); off += 4 + width) {
                std::uint32_t run = Get<std::uint32_t>(bytes.data(), off);
                if (run == 0 || run > n - filled) return bad("runs do not add up to the event count");
                for (std::uint32_t k = 0; k < run; ++k, ++filled) {
                    std::memcpy(scratch_.data() + filled * width, bytes.data() + off + 4, width);
                }
            }
            if (filled != n) return bad("runs do not add up to the event count");
            raw = scratch_.data();
            break;
        }
        case Encoding::kDelta: {
            if (c != 0) return bad("delta encoding on a column other than time");
            out.time_micros.resize(n);
            const std::uint8_t* p = bytes.data();
            const std::uint8_t* end = p + bytes.size();
            std::uint64_t value = 0;
            for (std::size_t i = 0; i < n; ++i) {
                std::uint64_t zz = 0;
                unsigned shift = 0;
                for (;;) {
                    if (p == end || shift > 63) return bad("varint runs past the column");
                    std::uint8_t byte = *p++;
                    zz |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
                    if ((byte & 0x80) == 0) break;
                    shift += 7;
                }
                auto diff = static_cast<std::int64_t>(zz >> 1) ^ -static_cast<std::int64_t>(zz & 1);
                value += static_cast<std::uint64_t>(diff);
                out.time_micros[i] = header.min_time + static_cast<std::int64_t>(value);
            }
            if (p != end) return bad("trailing bytes after the last varint");
            return {};
        }
        case Encoding::kZstd: {
            scratch_.resize(n * width);
            std::size_t got = ZSTD_decompressDCtx(dctx_, scratch_.data(), scratch_.size(), bytes.data(), bytes.size());
            if (ZSTD_isError(got) || got != n * width) return bad("does not decompress to its size");
            raw = scratch_.data();
            break;
        }
        default: return bad("unknown encoding");
    }
    switch (c) {
        case 0:
            out.time_micros.resize(n);
            for (std::size_t i = 0; i < n; ++i) {
                out.time_micros[i] = header.min_time + static_cast<std::int64_t>(Get<std::uint64_t>(raw, i * 8));
            }
            break;
        case 1: AddressesFromRaw(raw, n, width, out.source); break;
        case 2: AddressesFromRaw(raw, n, width, out.destination); break;
        case 3: FromRaw(raw, n, out.source_port); break;
        case 4: FromRaw(raw, n, out.destination_port); break;
        case 5: FromRaw(raw, n, out.ip_length); break;
        case 6: FromRaw(raw, n, out.protocol); break;
        case 7: FromRaw(raw, n, out.ip_version); break;
        case 8: FromRaw(raw, n, out.tcp_flags); break;
        case 9: FromRaw(raw, n, out.icmp_type); break;
        case 10: FromRaw(raw, n, out.icmp_code); break;
        case 11: FromRaw(raw, n, out.ttl); break;
        case 12: FromRaw(raw, n, out.packets); break;
        case 13: FromRaw(raw, n, out.country); break;
        default: break;
    }
    return {};
}

core::Status BlockCodec::DecodeV1(const BlockHeader& header, std::span<const std::uint8_t> payload, DecodedBlock& out) {
    raw_.resize(header.raw_len);
    std::size_t got = ZSTD_decompressDCtx(dctx_, raw_.data(), raw_.size(), payload.data(), payload.size());
    if (ZSTD_isError(got) || got != header.raw_len) return core::DataLoss("block payload does not decompress");
    const std::size_t n = header.event_count;
    const std::size_t address = (header.flags & kFlagIpv4Only) != 0 ? 4 : 16;
    const std::uint8_t* p = raw_.data();
    out.sensor = header.sensor;
    out.size = n;
    out.filled_const = {};
    out.time_micros.resize(n);
    for (std::size_t i = 0; i < n; ++i, p += 8) {
        out.time_micros[i] = header.min_time + static_cast<std::int64_t>(Get<std::uint64_t>(p, 0));
    }
    AddressesFromRaw(p, n, address, out.source);
    p += n * address;
    AddressesFromRaw(p, n, address, out.destination);
    p += n * address;
    auto take = [&](auto& column) {
        FromRaw(p, n, column);
        p += n * sizeof(column[0]);
    };
    take(out.source_port);
    take(out.destination_port);
    take(out.ip_length);
    take(out.protocol);
    take(out.ip_version);
    take(out.tcp_flags);
    take(out.icmp_type);
    take(out.icmp_code);
    take(out.ttl);
    take(out.packets);
    take(out.country);
    return core::Ok();
}

}  // namespace kizuna::observe::segment
