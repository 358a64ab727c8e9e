#include "observe/segment_format.hpp"

#include <zstd.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>

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
    std::memcpy(bytes.data(), kFileMagic.data(), kFileMagic.size());
    Put<std::uint32_t>(bytes.data(), 8, 1);  // format version
    Put<std::uint32_t>(bytes.data(), 12, static_cast<std::uint32_t>(kBlockHeaderSize));
    Put<std::int64_t>(bytes.data(), 16, header.day_start_micros);
    Put<std::uint32_t>(bytes.data(), 24, 0);
    Put<std::uint32_t>(bytes.data(), 28, Crc32c(std::span(bytes.data(), 28)));
    return bytes;
}

core::Result<FileHeader> DecodeFileHeader(std::span<const std::uint8_t> bytes) {
    if (bytes.size() < kFileHeaderSize) return core::DataLoss("segment file header is truncated");
    if (std::memcmp(bytes.data(), kFileMagic.data(), kFileMagic.size()) != 0) {
        return core::DataLoss("not a segment file (bad magic)");
    }
    if (Get<std::uint32_t>(bytes.data(), 28) != Crc32c(bytes.first(28))) {
        return core::DataLoss("segment file header checksum mismatch");
    }
    auto version = Get<std::uint32_t>(bytes.data(), 8);
    if (version != 1) return core::DataLoss("unsupported segment format version " + std::to_string(version));
    if (Get<std::uint32_t>(bytes.data(), 12) != kBlockHeaderSize) return core::DataLoss("unexpected block header size");
    return FileHeader{Get<std::int64_t>(bytes.data(), 16)};
}

core::Result<BlockHeader> DecodeBlockHeader(std::span<const std::uint8_t> bytes) {
    if (bytes.size() < kBlockHeaderSize) return core::DataLoss("block header is truncated");
    const std::uint8_t* b = bytes.data();
    if (std::memcmp(b + kOffMagic, kBlockMagic.data(), kBlockMagic.size()) != 0) {
        return core::DataLoss("bad block magic");
    }
    BlockHeader h;
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
    if (h.payload_len == 0 || h.payload_len > ZSTD_compressBound(h.raw_len)) {
        return core::DataLoss("bad block payload length");
    }
    if (h.min_time > h.max_time) return core::DataLoss("block zone map time range is inverted");
    h.sensor.assign(reinterpret_cast<const char*>(b + kOffSensor), sensor_len);
    return h;
}

bool BlockChecksumOk(std::span<const std::uint8_t> header_bytes, std::span<const std::uint8_t> payload) {
    std::uint32_t stored = Get<std::uint32_t>(header_bytes.data(), kOffCrc);
    std::uint32_t crc = Crc32c(header_bytes.subspan(8, kBlockHeaderSize - 8));
    crc = Crc32c(payload, crc);
    return crc == stored;
}

EventColumns DecodedBlock::View() const {
    EventColumns c;
    c.size = time_micros.size();
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

core::Result<void> BlockCodec::Encode(std::string_view sensor, std::uint64_t seq, std::uint16_t part_index,
                                      std::uint16_t part_count, std::span<const ScanEvent> events,
                                      std::span<const CountryCode> countries, std::vector<std::uint8_t>& out) {
    const std::size_t n = events.size();
    if (n == 0 || n > kMaxBlockEvents || countries.size() != n || sensor.empty() || sensor.size() > kMaxSensorName) {
        return core::Internal("block encode: bad arguments");
    }
    // Zone map and the address width in one pass.
    BlockHeader h;
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
    const std::size_t address = ipv4_only ? 4 : 16;
    const std::size_t address_offset = ipv4_only ? 12 : 0;
    const std::size_t raw_len = RawSize(n, ipv4_only);
    raw_.resize(raw_len);
    // One pass over the rows, scattering each field into its column (the layout of docs/formats/event-store.md).
    std::uint8_t* time_col = raw_.data();
    std::uint8_t* source_col = time_col + n * 8;
    std::uint8_t* destination_col = source_col + n * address;
    std::uint8_t* sport_col = destination_col + n * address;
    std::uint8_t* dport_col = sport_col + n * 2;
    std::uint8_t* length_col = dport_col + n * 2;
    std::uint8_t* proto_col = length_col + n * 2;
    std::uint8_t* version_col = proto_col + n;
    std::uint8_t* flags_col = version_col + n;
    std::uint8_t* type_col = flags_col + n;
    std::uint8_t* code_col = type_col + n;
    std::uint8_t* ttl_col = code_col + n;
    std::uint8_t* packets_col = ttl_col + n;
    std::uint8_t* country_col = packets_col + n * 4;
    for (std::size_t i = 0; i < n; ++i) {
        const ScanEvent& e = events[i];
        Put<std::uint64_t>(time_col, i * 8, static_cast<std::uint64_t>(e.time.micros_since_epoch - h.min_time));
        std::memcpy(source_col + i * address, e.source.data() + address_offset, address);
        std::memcpy(destination_col + i * address, e.destination.data() + address_offset, address);
        Put<std::uint16_t>(sport_col, i * 2, e.source_port);
        Put<std::uint16_t>(dport_col, i * 2, e.destination_port);
        Put<std::uint16_t>(length_col, i * 2, e.ip_length);
        proto_col[i] = static_cast<std::uint8_t>(e.protocol);
        version_col[i] = e.ip_version;
        flags_col[i] = e.tcp_flags;
        type_col[i] = e.icmp_type;
        code_col[i] = e.icmp_code;
        ttl_col[i] = e.ttl;
        Put<std::uint32_t>(packets_col, i * 4, e.packets);
        std::memcpy(country_col + i * 2, countries[i].data(), 2);
    }

    const std::size_t bound = ZSTD_compressBound(raw_len);
    out.resize(kBlockHeaderSize + bound);
    std::size_t compressed =
        ZSTD_compressCCtx(cctx_, out.data() + kBlockHeaderSize, bound, raw_.data(), raw_len, level_);
    if (ZSTD_isError(compressed)) return core::Internal(std::string("zstd compress: ") + ZSTD_getErrorName(compressed));
    out.resize(kBlockHeaderSize + compressed);

    std::uint8_t* b = out.data();
    std::memset(b, 0, kBlockHeaderSize);
    std::memcpy(b + kOffMagic, kBlockMagic.data(), kBlockMagic.size());
    Put<std::uint32_t>(b, kOffPayloadLen, static_cast<std::uint32_t>(compressed));
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
    b[kOffFlags] = ipv4_only ? kFlagIpv4Only : 0;
    b[kOffSensorLen] = static_cast<std::uint8_t>(sensor.size());
    Put<std::uint64_t>(b, kOffPackets, h.packets);
    std::memcpy(b + kOffCountryBits, h.country_bits.data(), h.country_bits.size());
    std::memcpy(b + kOffSensor, sensor.data(), sensor.size());
    std::uint32_t crc = Crc32c(std::span<const std::uint8_t>(b + 8, kBlockHeaderSize - 8));
    crc = Crc32c(std::span<const std::uint8_t>(b + kBlockHeaderSize, compressed), crc);
    Put<std::uint32_t>(b, kOffCrc, crc);
    return {};
}

core::Result<void> BlockCodec::Decode(const BlockHeader& header, std::span<const std::uint8_t> payload,
                                      DecodedBlock& out) {
    raw_.resize(header.raw_len);
    std::size_t got = ZSTD_decompressDCtx(dctx_, raw_.data(), raw_.size(), payload.data(), payload.size());
    if (ZSTD_isError(got) || got != header.raw_len) return core::DataLoss("block payload does not decompress");
    const std::size_t n = header.event_count;
    const bool ipv4_only = (header.flags & kFlagIpv4Only) != 0;
    const std::size_t address = ipv4_only ? 4 : 16;
    const std::uint8_t* p = raw_.data();
    out.sensor = header.sensor;
    out.time_micros.resize(n);
    for (std::size_t i = 0; i < n; ++i, p += 8) {
        out.time_micros[i] = header.min_time + static_cast<std::int64_t>(Get<std::uint64_t>(p, 0));
    }
    auto read_addresses = [&](std::vector<IpAddress>& column) {
        column.resize(n);
        for (std::size_t i = 0; i < n; ++i, p += address) {
            IpAddress a{};
            if (ipv4_only) {
                a[10] = 0xFF;
                a[11] = 0xFF;
                std::memcpy(a.data() + 12, p, 4);
            } else {
                std::memcpy(a.data(), p, 16);
            }
            column[i] = a;
        }
    };
    read_addresses(out.source);
    read_addresses(out.destination);
    auto read16 = [&](std::vector<std::uint16_t>& column) {
        column.resize(n);
        std::memcpy(column.data(), p, n * 2);
        p += n * 2;
    };
    auto read8 = [&](std::vector<std::uint8_t>& column) {
        column.assign(p, p + n);
        p += n;
    };
    read16(out.source_port);
    read16(out.destination_port);
    read16(out.ip_length);
    read8(out.protocol);
    read8(out.ip_version);
    read8(out.tcp_flags);
    read8(out.icmp_type);
    read8(out.icmp_code);
    read8(out.ttl);
    out.packets.resize(n);
    std::memcpy(out.packets.data(), p, n * 4);
    p += n * 4;
    out.country.resize(n);
    std::memcpy(out.country.data(), p, n * 2);
    return {};
}

}  // namespace kizuna::observe::segment
