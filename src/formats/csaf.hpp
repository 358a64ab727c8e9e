// CSAF 2.0 (OASIS Common Security Advisory Framework, https://docs.oasis-open.org/csaf/csaf/v2.0/) rendering
// of a published advisory: one `csaf_security_advisory` document, and the pieces a CSAF provider serves
// beside it (file name, provider-metadata.json, index.txt, changes.csv). Pure functions: no clock, no store.
//
// Vendor status -> product_status (deterministic; docs/formats/csaf.md explains the choice):
//   affected                    -> known_affected
//   affected_investigating      -> known_affected       (the vendor confirmed affected products; the ongoing
//                                                        investigation only concerns further products)
//   not_affected                -> known_not_affected
//   not_affected_investigating  -> under_investigation  (no affected product found *yet*: not a conclusion)
//   unknown                     -> under_investigation  (no answer: CSAF has no "unknown"; the closest
//                                                        status that makes no claim either way)
//
// Product ids are derived only from the stable keys and the version range, never from positions, so the same
// advisory yields the same ids in every export (see CsafProductId).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "formats/advisory_doc.hpp"

namespace kizuna::formats {

// Who publishes; from the [csaf] configuration. `namespace_url` is the publisher's trust domain
// ("https://jvn.example.jp"); `advisory_url_prefix` + AdvisoryUrlSegment(id) is the public advisory page.
struct CsafPublisher {
    std::string name = "Kizuna coordination center";
    std::string namespace_url = "https://kizuna.invalid";
    std::string contact_details;         // may be empty
    std::string issuing_authority;       // may be empty
    std::string advisory_url_prefix;     // "https://jvn.example.jp/advisories/" (empty: no self link)
    std::string engine_version = "0.1";  // tracking.generator.engine.version
};

enum class CsafLanguage { kEn, kJa };
std::string_view LanguageTag(CsafLanguage lang);  // "en" / "ja"

// The document as JSON text (two-space indent, fixed key order: the same doc gives the same bytes).
// REQUIRES: nothing; errors are values.
// Errors: invalid_argument naming the field at fault when the doc cannot make a valid CSAF document:
//   "id" empty; "revisions" empty; "vendors[i].vendor_key" / "...products[j].product_key" empty or with
//   characters outside [A-Za-z0-9._-]; duplicate vendor or product key; a CVSS vector that does not score.
core::Result<std::string> RenderCsaf(const AdvisoryDoc& doc, const CsafPublisher& publisher, CsafLanguage lang);

// The product_id of one leaf of the product tree: "CSAFPID-<vendor_key>" (vendor without listed products),
// "CSAFPID-<vendor_key>-<product_key>" (product without versions) or
// "CSAFPID-<vendor_key>-<product_key>-<16 hex of FNV-1a-64 of the range's label>" (one version range).
std::string CsafProductId(std::string_view vendor_key, std::string_view product_key = {},
                          const VersionRange* range = nullptr);

// CSAF 2.0 section 5.1 file name rule: tracking id lower-cased, every run of characters outside [+\-a-z0-9]
// replaced by "_", then ".json". "JVNVU#12345678" -> "jvnvu_12345678.json".
std::string CsafFileName(std::string_view tracking_id);

// "<year of initial release>/<file name>", the path under the distribution directory (section 7.1.11).
std::string CsafDistributionPath(const AdvisoryDoc& doc);

// index.txt (section 7.1.13): one distribution path per line, newest first (by last update, then id).
std::string RenderCsafIndex(const std::vector<AdvisoryDoc>& docs);
// changes.csv (section 7.1.14): "\"<path>\",\"<current_release_date RFC 3339>\"" per line, newest first.
std::string RenderCsafChanges(const std::vector<AdvisoryDoc>& docs);

// provider-metadata.json (section 7.1.20, role csaf_provider): `base_url` is the site's public origin
// ("https://jvn.example.jp"); the white distribution directory is base_url + "/.well-known/csaf/white".
// `last_updated` is the newest advisory update.
std::string RenderProviderMetadata(const CsafPublisher& publisher, std::string_view base_url,
                                   core::WallTime last_updated);

}  // namespace kizuna::formats
