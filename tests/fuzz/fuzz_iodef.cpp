// Fuzzes IODEF import (I8): arbitrary bytes into ParseIodef (libxml2 parse, DOCTYPE refusal, schema
// validation against the embedded IODEF 1/2 schemas, the reader). Nothing may crash or trip a sanitizer;
// an accepted document has a version of 1 or 2, and a rejection names "iodef" or "iodef.<Element>".
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "incident/iodef.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto doc = kizuna::incident::ParseIodef(text);
    if (doc.ok()) {
        if (doc->version != 1 && doc->version != 2) std::abort();
        for (const auto& incident : doc->incidents) (void)kizuna::incident::RenderIodef2(incident);
    } else if (doc.error().field().rfind("iodef", 0) != 0) {
        std::abort();
    }
    return 0;
}
