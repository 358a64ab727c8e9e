// Fuzzes the event store's segment format (docs/formats/event-store.md): arbitrary bytes as a segment file
// (file header, then blocks of version 1 — header checks, checksum, zstd payload, column split — or version
// 2 — directory, per-column encodings and checksums, projections), as single version 2 columns of every
// encoding, and as a date/time flag. Nothing may crash or trip a sanitizer; a block that decodes must have
// the columns its header promises, and events encoded from the input must decode to themselves in both
// versions.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

#include "observe/storage/event_store.hpp"
#include "observe/storage/segment_format.hpp"

namespace {

void Check(bool condition) {
    if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace kizuna::observe;
    std::span<const std::uint8_t> bytes(data, size);
    (void)ParseDateOrTime(std::string_view(reinterpret_cast<const char*>(data), size), "from");

    static segment::BlockCodec codec(1);
    segment::DecodedBlock block;
    std::size_t pos = 0;
    if (size >= segment::kFileHeaderSize && segment::DecodeFileHeader(bytes.first(segment::kFileHeaderSize)).ok()) {
        pos = segment::kFileHeaderSize;
    }
    while (pos + segment::kBlockHeaderSize <= size) {
        auto header_bytes = bytes.subspan(pos, segment::kBlockHeaderSize);
        auto header = segment::DecodeBlockHeader(header_bytes);
        if (!header.ok()) break;
        if (header->payload_len > size - pos - segment::kBlockHeaderSize) break;
        auto payload = bytes.subspan(pos + segment::kBlockHeaderSize, header->payload_len);
        (void)segment::BlockChecksumOk(header_bytes, payload);
        if (codec.Decode(*header, payload, block).ok()) {
            EventColumns columns = block.View();
            Check(columns.size == header->event_count);
            Check(columns.country.size() == columns.size && columns.packets.size() == columns.size);
            Check(columns.time_micros.size() == columns.size && columns.source.size() == columns.size);
            ScanFilter filter;
            for (std::size_t i = 0; i < columns.size; ++i) (void)filter.Matches(columns, i);
        }
        segment::DecodedBlock projected;
        if (codec.Decode(*header, payload, projected, column::kDestinationPort | column::kPackets).ok()) {
            Check(projected.View().destination_port.size() == header->event_count);
            Check(projected.View().packets.size() == header->event_count);
        }
        pos += segment::kBlockHeaderSize + header->payload_len;
    }

    // The input as one column of a small block, in every encoding and column.
    if (size >= 1) {
        segment::BlockHeader h;
        h.event_count = 1 + data[0] % 64;
        h.flags = data[0] & 1 ? segment::kFlagIpv4Only : 0;
        auto column_bytes = bytes.subspan(1);
        for (std::size_t c = 0; c < segment::kColumnCount; ++c) {
            for (std::uint8_t enc = 0; enc <= 4; ++enc) {
                segment::ColumnEntry entry{static_cast<segment::Encoding>(enc), 0,
                                           static_cast<std::uint32_t>(column_bytes.size()), 0};
                segment::DecodedBlock one;
                if (codec.DecodeColumn(h, c, entry, column_bytes, one, false).ok()) Check(one.size == h.event_count);
            }
        }
    }

    // Round trip: the input's bytes as events.
    std::size_t n = std::min<std::size_t>(size / sizeof(ScanEvent), 64);
    if (n == 0) return 0;
    std::vector<ScanEvent> events(n);
    std::vector<CountryCode> countries(n, CountryCode{'J', 'P'});
    for (std::size_t i = 0; i < n; ++i) {
        std::memcpy(&events[i], data + i * sizeof(ScanEvent), sizeof(ScanEvent));
        // Keep times small enough that max - min fits the format's unsigned offsets.
        events[i].time.micros_since_epoch &= 0x0000FFFFFFFFFFFFLL;
    }
    std::vector<std::uint8_t> encoded;
    Check(codec.Encode("fuzz", 1, 0, 1, events, countries, encoded).ok());
    auto header = segment::DecodeBlockHeader(encoded);
    Check(header.ok());
    auto payload = std::span<const std::uint8_t>(encoded).subspan(segment::kBlockHeaderSize);
    Check(segment::BlockChecksumOk(std::span<const std::uint8_t>(encoded).first(segment::kBlockHeaderSize), payload));
    Check(codec.Decode(*header, payload, block).ok());
    EventColumns columns = block.View();
    for (std::size_t i = 0; i < n; ++i) Check(columns.Row(i) == events[i]);
    // And as a version 1 block.
    Check(codec.EncodeV1("fuzz", 1, 0, 1, events, countries, encoded).ok());
    header = segment::DecodeBlockHeader(encoded);
    Check(header.ok() && header->version == 1);
    payload = std::span<const std::uint8_t>(encoded).subspan(segment::kBlockHeaderSize);
    Check(segment::BlockChecksumOk(std::span<const std::uint8_t>(encoded).first(segment::kBlockHeaderSize), payload));
    Check(codec.Decode(*header, payload, block).ok());
    columns = block.View();
    for (std::size_t i = 0; i < n; ++i) Check(columns.Row(i) == events[i]);
    return 0;
}
