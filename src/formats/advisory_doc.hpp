// One published (or previewed) advisory as plain data, in Japanese and English: the JVN-style layout of
// seed 001 section 6-3 (figures 1-3, MISSION V14) with its update history (V15). vuln/ fills it from the
// store; formats/ renders it as CSAF 2.0, CVE JSON 5 and feed entries; web/ renders it as pages.
// formats/ never depends on vuln/, so the vendor status is mirrored here (AdvisoryVendorStatus) and
// vuln/ maps its VendorStatus onto it one to one.
//
// Conventions: every text exists in both languages (`Localized`); an empty string means "not written in
// that language" and renderers fall back to the other language. Keys (vendor_key, product_key) are stable
// identifiers chosen by vuln/ (e.g. the vendor's registry id) that never change between exports of the same
// advisory: CSAF product ids and CVE records are derived from them. Times are UTC.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"

namespace kizuna::formats {

struct Localized {
    std::string ja;
    std::string en;

    // The text in `lang` ("ja" or "en"), else the other language's text.
    const std::string& In(std::string_view lang) const {
        const std::string& wanted = lang == "en" ? en : ja;
        return wanted.empty() ? (lang == "en" ? ja : en) : wanted;
    }
    bool Empty() const { return ja.empty() && en.empty(); }
    bool operator==(const Localized&) const = default;
};

// Mirrors vuln::VendorStatus (seed 001 6-3: 該当製品あり / あり：調査中 / なし / なし：調査中 / 不明).
enum class AdvisoryVendorStatus { kUnknown, kAffected, kAffectedInvestigating, kNotAffected, kNotAffectedInvestigating };

// Where the case came from (statistics V19 and the document's provenance).
enum class AdvisorySource { kDomestic, kCertCc, kCpni };

// One affected or checked version range of a product, as the vendor reported it. Free text for display plus
// optional machine-readable bounds (both empty when only `label` is known).
struct VersionRange {
    std::string label;          // "4.2.0 to 4.2.7", "all versions", "ver 1.0" - never empty
    std::string introduced;     // first affected version, inclusive ("" = from the beginning / unknown)
    std::string fixed;          // first version that is not affected ("" = no fix / unknown)
    std::string last_affected;  // last affected version, inclusive, when `fixed` is not known
    bool operator==(const VersionRange&) const = default;
};

struct AdvisoryProduct {
    std::string product_key;  // stable within the vendor, e.g. "router-x1000"; [A-Za-z0-9._-]+
    Localized name;
    std::vector<VersionRange> versions;  // empty = the product as a whole
    bool operator==(const AdvisoryProduct&) const = default;
};

struct AdvisoryVendor {
    std::string vendor_key;  // stable, e.g. "v17" (registry id); [A-Za-z0-9._-]+
    Localized name;
    AdvisoryVendorStatus status = AdvisoryVendorStatus::kUnknown;
    Localized comment;                     // vendor's comment, may be empty
    std::string announcement_url;          // vendor's own announcement page, may be empty
    std::optional<core::WallTime> status_updated;  // when the current status was last set, if known
    // Figure 3: the vendor could not be reached; users are advised to stop using the product.
    bool unreachable = false;
    std::optional<core::WallTime> unreachable_since;  // when contact attempts began (set when unreachable)
    std::vector<AdvisoryProduct> products;
    bool operator==(const AdvisoryVendor&) const = default;
};

struct AdvisoryReference {
    std::string url;
    Localized title;  // may be empty: the URL is shown
    bool operator==(const AdvisoryReference&) const = default;
};

// Coordinator's analysis: the CVSS vectors as the coordinator wrote them, scored by formats::ScoreCvss31 /
// ScoreCvss40 (vector canonical, score one decimal, severity "None".."Critical"). Absent = not assessed.
struct CvssV31Assessment {
    std::string vector;  // "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
    double base_score = 0;
    std::string severity;  // "Critical"
    bool operator==(const CvssV31Assessment&) const = default;
};
struct CvssV40Assessment {
    std::string vector;  // "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"
    double score = 0;
    std::string severity;
    bool operator==(const CvssV40Assessment&) const = default;
};
struct CoordinatorAnalysis {
    Localized text;  // prose, may be empty
    std::optional<CvssV31Assessment> cvss_v31;
    std::optional<CvssV40Assessment> cvss_v40;
    bool operator==(const CoordinatorAnalysis&) const = default;
};

// A statement the coordinator publishes on behalf of a vendor (distinct from the short table comment).
struct VendorStatement {
    std::string vendor_key;  // one of AdvisoryDoc::vendors
    Localized text;
    bool operator==(const VendorStatement&) const = default;
};

struct RelatedDocument {
    std::string id;   // e.g. "JVNVU#99999999" or a CERT/CC VU#; may be empty when only a URL is known
    Localized title;
    std::string url;  // may be empty
    bool operator==(const RelatedDocument&) const = default;
};

// One entry of the update history (V15): the first publication is revision 1.
struct AdvisoryRevision {
    core::WallTime date{};
    Localized summary;  // "公開" / "Published", "ベンダ情報を更新" / "Vendor information updated"
    bool operator==(const AdvisoryRevision&) const = default;
};

struct AdvisoryDoc {
    std::string id;  // "JVN#12345678", "JVNVU#12345678"; never empty
    Localized title;

    // Figure 1 sections, in page order.
    Localized overview;
    Localized affected_systems;
    Localized details;
    Localized impact;
    Localized solution;
    std::vector<AdvisoryVendor> vendors;  // vendor table, in table order
    std::vector<AdvisoryReference> references;
    Localized coordinator_notes;
    CoordinatorAnalysis analysis;
    std::vector<VendorStatement> vendor_statements;
    Localized acknowledgements;
    std::vector<RelatedDocument> related;

    std::vector<std::string> cve_ids;  // "CVE-2026-12345", in the order shown
    AdvisorySource source = AdvisorySource::kDomestic;

    core::WallTime first_published{};
    core::WallTime last_updated{};  // == latest revision's date
    std::vector<AdvisoryRevision> revisions;  // oldest first; never empty for a published advisory

    // false while embargoed (a staff preview); renderers of public formats only receive published ones.
    bool published = false;

    bool operator==(const AdvisoryDoc&) const = default;
};

// Stable lower_snake names: "unknown", "affected", "affected_investigating", "not_affected",
// "not_affected_investigating"; "domestic", "cert_cc", "cpni".
std::string_view Name(AdvisoryVendorStatus status);
std::string_view Name(AdvisorySource source);

// The advisory's segment of its public page URL: the id without '#' ("JVNVU#12345678" -> "JVNVU12345678"),
// the same rule as vuln::AdvisorySlug; '#' would start a URL fragment.
std::string AdvisoryUrlSegment(std::string_view advisory_id);

// The checks every renderer of public formats relies on. Errors: invalid_argument naming the field:
//   "id" empty; "revisions" empty; "vendors[i].vendor_key" / "vendors[i].products[j].product_key" empty,
//   with characters outside [A-Za-z0-9._-] or duplicated; "cve_ids[i]" not "CVE-YYYY-NNNN..." or
//   duplicated; "vendors[i].products[j].versions[k].label" empty.
core::Result<void> CheckAdvisoryDoc(const AdvisoryDoc& doc);

}  // namespace kizuna::formats
