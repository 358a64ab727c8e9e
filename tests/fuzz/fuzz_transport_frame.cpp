// Fuzzes the sensor transport decoder: arbitrary bytes through DecodeFrame, frame after frame, as the
// collector and the sensor read them. Nothing may crash or read out of bounds; every accepted frame must
// re-encode to exactly the bytes it was decoded from (the format has one encoding per message).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "observe/transport/protocol.hpp"

namespace {

void Check(bool condition) {
    if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace kizuna::observe::transport;
    std::span<const std::uint8_t> input(data, size);
    while (!input.empty()) {
        auto decoded = DecodeFrame(input);
        if (!decoded.ok() || decoded->consumed == 0) break;
        Check(decoded->consumed <= input.size());
        std::vector<std::uint8_t> again;
        Encode(decoded->message, again);
        Check(again.size() == decoded->consumed);
        Check(std::equal(again.begin(), again.end(), input.begin()));
        input = input.subspan(decoded->consumed);
    }
    return 0;
}
