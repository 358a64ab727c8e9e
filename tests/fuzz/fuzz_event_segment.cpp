// Fuzzes the event store's segment format (docs/formats/event-store.md): arbitrary bytes as a segment file
// (file header, then blocks: header checks, checksum, zstd payload, column split) and as a date/time flag.
// Nothing may crash or trip a sanitizer; a block that decodes must have the columns its header promises, and
// events encoded from the input must decode to themselves.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

#include "observe/event_store.hpp"
#include "observe/segment_format.hpp"

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
            ScanFilter filter;
            for (std::size_t i = 0; i < columns.size; ++i) (void)filter.Matches(columns, i);
        }
        pos += segment::kBlockHeaderSize + header->payload_len;
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
    return 0;
}
