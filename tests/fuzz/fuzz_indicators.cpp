// Fuzzes indicator extraction (I3): arbitrary bytes as a report body, split into two texts at the first
// byte, through the Extractor. Nothing may crash or trip a sanitizer, and every indicator keeps the
// contract: a non-empty canonical value that parses back as its kind, a count of at least one, ports
// within 0-65535, timestamps in RFC 3339 UTC; refanging never makes a text longer.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "incident/indicators.hpp"

namespace {

void Check(bool condition) {
    if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace kizuna::incident;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    const std::size_t split = size == 0 ? 0 : data[0] % (size + 1);
    ExtractOptions options;
    options.default_year = 2026;
    options.max_timestamp_values = 16;
    Extractor extractor(options);
    extractor.Add(text.substr(0, split));
    extractor.Add(text.substr(split));
    Extraction e = extractor.Finish();
    std::size_t timestamp_values = 0;
    for (const Indicator& i : e.indicators) {
        Check(!i.value.empty());
        Check(i.count >= 1);
        switch (i.kind) {
            case IndicatorKind::kIpv4: Check(ParseIpv4(i.value).has_value()); break;
            case IndicatorKind::kIpv6: Check(ParseIpv6(i.value).has_value()); break;
            case IndicatorKind::kCidr: Check(ParsePrefix(i.value).has_value()); break;
            case IndicatorKind::kPort: Check(i.value.size() <= 5 && std::stoul(i.value) <= 65535); break;
            case IndicatorKind::kTimestamp:
                ++timestamp_values;
                Check(kizuna::core::ParseRfc3339(i.value).has_value());
                break;
            case IndicatorKind::kUrl: Check(i.value.find("://") != std::string::npos); break;
            case IndicatorKind::kEmail: Check(i.value.find('@') != std::string::npos); break;
            case IndicatorKind::kDomain: Check(i.value.find('.') != std::string::npos); break;
        }
        if (i.first_seen) Check(i.last_seen && *i.first_seen <= *i.last_seen);
    }
    Check(timestamp_values <= 16);
    Check(Refang(text).size() <= text.size());
    return 0;
}
