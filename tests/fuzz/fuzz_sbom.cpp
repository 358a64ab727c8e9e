// Fuzzes SBOM import: arbitrary bytes into ParseSbom (size and depth limits, nlohmann parse, format detection,
// the CycloneDX and SPDX walkers) and every accepted component through NormalizeComponentName. Nothing may
// throw, crash or trip a sanitizer; accepted SBOMs must keep their contract (non-empty names, no NUL, no more
// than kMaxSbomComponents, no duplicate (name, version)); rejections must name a field.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "formats/sbom.hpp"

namespace {

void Check(bool condition) {
    if (!condition) std::abort();
}

bool HasNul(const std::string& text) { return text.find('\0') != std::string::npos; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto sbom = kizuna::formats::ParseSbom(text);
    if (!sbom.ok()) {
        auto code = sbom.error().code();
        Check(code == kizuna::core::ErrorCode::kInvalidArgument || code == kizuna::core::ErrorCode::kTooLarge);
        Check(!sbom.error().field().empty());
        return 0;
    }
    Check(sbom->components.size() <= kizuna::formats::kMaxSbomComponents);
    Check(!HasNul(sbom->subject) && !HasNul(sbom->spec_version));
    std::set<std::pair<std::string, std::string>> seen;
    for (const auto& component : sbom->components) {
        Check(!component.name.empty());
        Check(!HasNul(component.name) && !HasNul(component.version) && !HasNul(component.purl) &&
              !HasNul(component.supplier));
        std::string normalised = kizuna::formats::NormalizeComponentName(component.name);
        Check(seen.emplace(normalised, component.version).second);
        (void)kizuna::formats::NormalizeComponentName(component.purl);
    }
    (void)kizuna::formats::NormalizeComponentName(text.substr(0, 256));
    return 0;
}
