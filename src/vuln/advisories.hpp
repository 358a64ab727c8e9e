// Advisories (seed 001 section 6-3, figures 1-3; MISSION V14, V15, V19): the coordinator writes the public
// advisory of a case in Japanese and English, every save is kept as a revision, and the advisory becomes
// public exactly when its case does.
//
// Visibility is not stored here: an advisory is public iff its case is published (cases.published, set by
// ScheduleService::Release in the release job's one transaction). So the advisory page, its vendor pages,
// the CSAF documents, the feeds and the statistics — all read through this service — change together, at
// the publication instant, atomically. Before it, every reader except staff gets NotFound (never 403).
//
// What the public sees is assembled on read from the advisory's content and the live case: the vendor
// table (every vendor that received details, plus unreachable vendors — figure 3), each vendor's status and
// comment as last reported, and the update history (V15): the publication, every revision saved after it
// and every vendor status report after it, each with its date.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/audit.hpp"
#include "core/clock.hpp"
#include "formats/advisory_doc.hpp"
#include "store/store.hpp"
#include "vuln/cases.hpp"

namespace kizuna::vuln {

// An affected product of one vendor, as the coordinator lists it (CSAF product tree, affected systems).
struct AdvisoryProductInput {
    VendorId vendor;
    formats::AdvisoryProduct product;  // product_key: [A-Za-z0-9._-]{1,64}, unique within the vendor
};

struct VendorStatementInput {
    VendorId vendor;
    formats::Localized text;
};

// What the coordinator writes (PUT /api/v1/cases/{id}/advisory). Every text in both languages; at least the
// Japanese or the English title and overview are required.
struct AdvisoryContent {
    formats::Localized title;
    formats::Localized overview;
    formats::Localized affected_systems;
    formats::Localized details;
    formats::Localized impact;
    formats::Localized solution;
    std::vector<formats::AdvisoryReference> references;
    formats::Localized coordinator_notes;
    formats::Localized analysis;   // coordinator's analysis, prose
    std::string cvss31_vector;     // "" = not assessed; else scored by formats::ScoreCvss31 (field "cvss_v31")
    std::string cvss40_vector;     // "" = not assessed; else scored by formats::ScoreCvss40 (field "cvss_v40")
    std::vector<VendorStatementInput> vendor_statements;
    formats::Localized acknowledgements;
    std::vector<formats::RelatedDocument> related;
    std::vector<std::string> cve_ids;  // "CVE-YYYY-NNNN…" (4 or more digits), no duplicates
    std::vector<AdvisoryProductInput> products;
};

// The JSON form of the content: the API body of PUT /api/v1/cases/{id}/advisory (docs/API.md) and what is
// stored. Texts are {"ja": ..., "en": ...}; unknown fields are refused; errors name the field.
core::Result<AdvisoryContent> ParseAdvisoryContent(std::string_view json);
std::string AdvisoryContentJson(const AdvisoryContent& content);

// Checks every field (names it in the error) and normalises: CVSS vectors to their canonical form, CVE ids
// upper case. Pure; Save calls it.
core::Result<AdvisoryContent> ValidateAdvisoryContent(AdvisoryContent content);

// The advisory identifier (JVN style) for a case: the case identifier's number under "JVN#" for reports
// made in Japan (domestic, finder, other) and "JVNVU#" for those via CERT/CC or CPNI; a case identifier
// not of the form PREFIX#DIGITS is used as it is.
std::string AdvisoryIdFor(std::string_view case_identifier, Source source);
// The identifier as it appears in URLs: without '#' ("JVNVU12345678").
std::string AdvisorySlug(std::string_view advisory_id);

struct AdvisoryRevisionInfo {
    int revision;
    std::string at;
    std::string actor;
    std::string note;
    bool after_publication;
};

// One advisory with what pages need beyond the document.
struct AdvisoryRecord {
    formats::AdvisoryDoc doc;
    CaseId case_id;
    std::string slug;        // doc.id without '#'
    std::string case_identifier;  // the case's identifier ("JVNVU#12345678"); differs from doc.id for domestic reports
    int revision = 0;        // content revision (1 = first save)
    AdvisoryContent content;  // as written (for the editor)
    std::string publish_at;  // the decided instant while embargoed (staff only), else ""
    // Figure 2: per vendor (by vendor_key), the dates of its entries: the publication and every later report.
    std::vector<std::pair<std::string, std::vector<formats::AdvisoryRevision>>> vendor_history;
};

struct AdvisorySummary {
    std::string id;
    std::string slug;
    formats::Localized title;
    std::vector<std::string> cve_ids;
    std::vector<std::string> vendors;   // names (ja and en)
    std::vector<std::string> products;  // names (ja and en)
    std::vector<formats::Localized> vendor_names;  // the same vendors, both languages (for the page's language)
    // The coordinator's CVSS assessment for the list: v4.0 when scored, else v3.1; score < 0 = none.
    std::string cvss_version;  // "4.0" / "3.1" / ""
    double cvss_score = -1;
    std::string severity;      // "None" / "Low" / "Medium" / "High" / "Critical" / ""
    formats::AdvisorySource source;
    core::WallTime first_published{};
    core::WallTime last_updated{};
};

struct AdvisorySearch {
    std::string text;  // in id, title (ja/en), CVE id, vendor name, product name; case-insensitive; "" = all
    int page = 1;      // 1-based
    int per_page = 20;  // 1-100
};

struct AdvisoryPage {
    std::vector<AdvisorySummary> items;
    int total = 0;
    int page = 1;
    int per_page = 20;
};

// V19: counts of published advisories per quarter by source, and registered vendors over time.
struct QuarterCount {
    std::string quarter;  // "2026Q3"
    std::int64_t domestic = 0;
    std::int64_t certcc = 0;
    std::int64_t cpni = 0;
    std::int64_t cumulative_domestic = 0;
    std::int64_t cumulative_certcc = 0;
    std::int64_t cumulative_cpni = 0;
};
struct VendorQuarter {
    std::string quarter;
    std::int64_t registered = 0;  // newly registered in the quarter
    std::int64_t cumulative = 0;
};
struct AdvisoryStatistics {
    std::vector<QuarterCount> advisories;  // consecutive quarters, first publication to the current quarter
    std::vector<VendorQuarter> vendors;    // consecutive quarters, first registration to the current quarter
};

formats::AdvisorySource AdvisorySourceOf(Source source);
formats::AdvisoryVendorStatus ToAdvisoryStatus(VendorStatus status);

class AdvisoryService {
  public:
    // `utc_offset` places quarter boundaries for the statistics (the center's zone; Japan: +9 h).
    AdvisoryService(store::Database& db, const core::Clock& clock, const auth::AuditLog& audit,
                    std::chrono::minutes utc_offset = std::chrono::hours(9))
        : db_(db), clock_(clock), audit_(audit), utc_offset_(utc_offset) {}

    // Writes the advisory of a case (coordinators only, by the policy; others NotFound): creates it on the
    // first save, else a new revision. `note` is what the update history says for a save after publication
    // (default "内容を更新" / "Content updated"). Audited as "advisory.save".
    core::Result<AdvisoryRecord> Save(CaseId id, const AdvisoryContent& content, const formats::Localized& note,
                                      const Caller& caller);
    // The advisory of a case for its editor and preview (staff); nullopt when none is written yet.
    core::Result<std::optional<AdvisoryRecord>> ForCase(CaseId id, const Caller& caller) const;
    core::Result<std::vector<AdvisoryRevisionInfo>> Revisions(CaseId id, const Caller& caller) const;

    // One advisory by id ("JVNVU#12345678") or slug ("JVNVU12345678"): published → anyone; unpublished →
    // only callers the policy lets see an unpublished advisory (coordinators: the preview), else NotFound.
    // A preview by anyone but a coordinator is audited ("advisory.preview").
    core::Result<AdvisoryRecord> Get(const Caller& caller, std::string_view advisory_id) const;

    // Published advisories only, newest first; what anonymous users, feeds and the CSAF provider see.
    core::Result<std::vector<formats::AdvisoryDoc>> PublishedDocuments() const;
    // One advisory: published → anyone; unpublished → only staff entitled by the policy (preview), else kNotFound.
    core::Result<formats::AdvisoryDoc> Document(const Caller& caller, std::string_view advisory_id) const;

    // The public list and search: published advisories only, newest first.
    core::Result<AdvisoryPage> Search(const AdvisorySearch& query) const;
    core::Result<AdvisoryStatistics> Statistics() const;

    // Changes whenever anything a public advisory page shows may have changed (content revision, publication,
    // a vendor's status): a cache key for rendered pages. NotFound for ids that are not public.
    core::Result<std::string> PublicStamp(std::string_view advisory_id) const;

    // The published advisory of a case, for links from public pages (O4: a port's trend links the advisory
    // of the case attached to it): its id and URL slug, or nullopt while the case is unpublished or has no
    // advisory. Reads nothing confidential and audits nothing.
    struct PublicLink {
        std::string advisory_id;  // "JVNVU#12345678"
        std::string slug;         // "JVNVU12345678", the id in /advisories/{slug}
    };
    core::Result<std::optional<PublicLink>> PublishedLink(CaseId id) const;

  private:
    core::Result<AdvisoryRecord> Load(store::Connection& c, std::int64_t advisory_row) const;

    store::Database& db_;
    const core::Clock& clock_;
    const auth::AuditLog& audit_;
    std::chrono::minutes utc_offset_;
};

// Schema of the advisory tables (migration 1100).
std::string_view AdvisorySchema();

}  // namespace kizuna::vuln
