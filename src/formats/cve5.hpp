// CVE JSON 5 (CVE Record Format 5.1, https://github.com/CVEProject/cve-schema) records of a published
// advisory: one PUBLISHED record per CVE id, each carrying the whole advisory's affected products, texts
// (English required by the schema, Japanese beside it; the details, or the overview when the details are
// missing or over the schema's 4096 characters), CVSS v3.1/v4.0 metrics, references and update
// timeline. Pure functions: no clock, no store.
//
// Vendor status -> CVE product status: affected and affected_investigating -> "affected"; not_affected ->
// "unaffected"; not_affected_investigating and unknown -> "unknown" (the record claims no more than the
// vendor did). Version ranges with bounds become version/lessThan (fixed) or version/lessThanOrEqual (last
// affected) entries of versionType "custom"; a range known only by its label is one "version" entry.
#pragma once

#include <string>
#include <vector>

#include "core/result.hpp"
#include "formats/advisory_doc.hpp"

namespace kizuna::formats {

// The CNA publishing the records; from the [cve] configuration.
struct CveAssigner {
    std::string org_id;               // the CNA's UUID in the CVE Services user registry
    std::string short_name;           // "JPCERT", 2-32 characters
    std::string advisory_url_prefix;  // + AdvisoryUrlSegment(id) = the public advisory page (the records' first reference)
};

struct CveRecord {
    std::string cve_id;  // "CVE-2026-10001"
    std::string json;    // the record, two-space indented, fixed key order
};

// One record per doc.cve_ids, in that order. Empty when the advisory has no CVE id.
// Errors: invalid_argument naming the field:
//   the AdvisoryDoc checks (CheckAdvisoryDoc); "org_id" not a UUID; "short_name" not 2-32 characters;
//   "advisory_url_prefix" not http(s); "title.en" / "overview.en" missing (the CVE Program requires English
//   text) or over the schema's length limits (title 256, texts 4096 characters); a CVSS vector that does
//   not score ("analysis.cvss_v31.vector" / "analysis.cvss_v40.vector").
core::Result<std::vector<CveRecord>> RenderCveRecords(const AdvisoryDoc& doc, const CveAssigner& assigner);

}  // namespace kizuna::formats
