// Fuzzes IPFIX decoding: the input is cut into messages by their header lengths (as the TCP listener does)
// and each is parsed by one session, so templates from earlier messages shape later ones. Nothing may crash
// or read out of bounds; every event must carry a supported protocol and IP version.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "observe/capture/ipfix.hpp"

namespace {

void Check(bool condition) {
    if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace kizuna::observe;
    IpfixSession session;
    std::span<const std::uint8_t> input(data, size);
    std::vector<ScanEvent> events;
    while (input.size() >= 4) {
        auto length = IpfixMessageLength(input.first(4));
        // A bad header: still feed the rest as one message (the UDP path), then stop.
        const std::size_t take = length.ok() && *length <= input.size() ? *length : input.size();
        auto info = session.Parse(input.first(take), events);
        if (info.ok()) Check(info->events <= info->data_records && info->time_out_of_range_records <= info->events);
        input = input.subspan(take);
    }
    for (const auto& event : events) {
        const auto proto = static_cast<int>(event.protocol);
        Check(proto == 1 || proto == 6 || proto == 17 || proto == 58);
        Check(event.ip_version == 4 || event.ip_version == 6);
    }
    return 0;
}
