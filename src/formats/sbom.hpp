// SBOM import: a vendor's software composition for one product, read from CycloneDX JSON (1.x) or SPDX JSON
// (2.x) into the few fields the vendor matcher needs. Only the JSON encodings are read; XML and tag-value are
// refused with a hint to export JSON.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace kizuna::formats {

// Limits on hostile or absurd input. Anything over them is refused as a whole, never truncated.
inline constexpr std::size_t kMaxSbomBytes = 16 * 1024 * 1024;
inline constexpr int kMaxSbomDepth = 64;  // JSON objects and arrays nested deeper than this
inline constexpr std::size_t kMaxSbomComponents = 100'000;  // counted before de-duplication

// One software component as the document names it (not normalised; see NormalizeComponentName).
// Strings never contain NUL. Absent optional fields are empty.
struct SbomComponent {
    std::string name;      // never empty
    std::string version;   // CycloneDX "version", SPDX "versionInfo"
    std::string purl;      // package URL ("pkg:generic/openssl@3.0.7"); CycloneDX "purl", SPDX purl externalRef
    std::string supplier;  // CycloneDX supplier.name (else publisher); SPDX supplier without "Organization: "

    bool operator==(const SbomComponent&) const = default;
};

enum class SbomFormat { kCycloneDx, kSpdx };

struct Sbom {
    SbomFormat format = SbomFormat::kCycloneDx;
    std::string spec_version;  // CycloneDX specVersion ("1.5"); SPDX version without "SPDX-" ("2.3")
    // CycloneDX: metadata.component.name. SPDX: the name of the package the document describes, else the
    // document's name. May be empty for a CycloneDX BOM without metadata.component.
    std::string subject;
    // In document order (depth first for nested CycloneDX components), one per (name, version): a later
    // duplicate only fills in a purl or supplier the first one lacked.
    std::vector<SbomComponent> components;
};

// Detects the format ("bomFormat": "CycloneDX" or "spdxVersion": "SPDX-2.x") and reads:
//   CycloneDX: metadata.component (the subject; its nested components[] are components), components[] and,
//              recursively, their nested components[].
//   SPDX:      packages[] (required) with name, versionInfo, supplier and externalRefs of referenceType "purl".
//              The package named by documentDescribes, or else by a DESCRIBES relationship from
//              SPDXRef-DOCUMENT, is the subject and not a component.
// Errors (never thrown):
//   invalid_argument with `field` = the JSON path at fault and a short reason, e.g. field
//     "components[3].name" message "must be a string"; field "bomFormat" message "not an SBOM (expected
//     CycloneDX or SPDX JSON)"; whole-document problems (empty, not JSON, not an object, nesting over
//     kMaxSbomDepth) name field "sbom".
//   too_large (field "sbom" or "components"/"packages") for input over kMaxSbomBytes or more than
//     kMaxSbomComponents components.
core::Result<Sbom> ParseSbom(std::string_view json_text);

// The name used for matching: ASCII-lower-cased and trimmed of whitespace ("OpenSSL " -> "openssl"). A package
// URL yields its (percent-decoded) name part: "pkg:deb/debian/OpenSSL@3.0.7?arch=mips" -> "openssl".
std::string NormalizeComponentName(std::string_view name);

}  // namespace kizuna::formats
