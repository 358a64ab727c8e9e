#include "formats/cve5.hpp"

#include <nlohmann/json.hpp>

#include "formats/cvss.hpp"

namespace kizuna::formats {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::size_t kMaxTitle = 256;
constexpr std::size_t kMaxText = 4096;

bool IsUuid(std::string_view s) {
    if (s.size() != 36) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-') return false;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
            return false;
        }
    }
    return true;
}

// Length in characters (code points), as JSON Schema counts it.
std::size_t CodePoints(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

std::string Upper(std::string s) {
    for (char& c : s) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    return s;
}

bool IsHttpUrl(std::string_view url) {
    return (url.starts_with("https://") && url.size() > 8) || (url.starts_with("http://") && url.size() > 7);
}

std::string_view CveStatus(AdvisoryVendorStatus status) {
    switch (status) {
        case AdvisoryVendorStatus::kAffected:
        case AdvisoryVendorStatus::kAffectedInvestigating: return "affected";
        case AdvisoryVendorStatus::kNotAffected: return "unaffected";
        case AdvisoryVendorStatus::kNotAffectedInvestigating:
        case AdvisoryVendorStatus::kUnknown: return "unknown";
    }
    return "unknown";
}

Json Version(const VersionRange& range, std::string_view status) {
    const bool bounded = !range.introduced.empty() || !range.fixed.empty() || !range.last_affected.empty();
    if (!bounded) return Json{{"version", range.label}, {"status", status}};
    Json v{{"version", range.introduced.empty() ? "0" : range.introduced}, {"status", status}, {"versionType", "custom"}};
    if (!range.fixed.empty()) {
        v["lessThan"] = range.fixed;
    } else if (!range.last_affected.empty()) {
        v["lessThanOrEqual"] = range.last_affected;
    } else {
        v["lessThan"] = "*";  // from `introduced` on, no fix known
    }
    return v;
}

std::string Name(const Localized& name, const std::string& fallback) {
    const std::string& en = name.In("en");
    return en.empty() ? fallback : en;
}

// Descriptions-like arrays: English first, Japanese when written.
core::Result<Json> Texts(const Localized& text, std::string_view field, std::string_view value_key = "value") {
    Json out = Json::array();
    if (CodePoints(text.en) > kMaxText) {
        return core::InvalidArgument("over " + std::to_string(kMaxText) + " characters", std::string(field) + ".en");
    }
    if (CodePoints(text.ja) > kMaxText) {
        return core::InvalidArgument("over " + std::to_string(kMaxText) + " characters", std::string(field) + ".ja");
    }
    if (!text.en.empty()) out.push_back(Json{{"lang", "en"}, {value_key, text.en}});
    if (!text.ja.empty()) out.push_back(Json{{"lang", "ja"}, {value_key, text.ja}});
    return out;
}

}  // namespace

core::Result<std::vector<CveRecord>> RenderCveRecords(const AdvisoryDoc& doc, const CveAssigner& assigner) {
    KZ_TRY(CheckAdvisoryDoc(doc));
    if (!IsUuid(assigner.org_id)) return core::InvalidArgument("must be the CNA's UUID", "org_id");
    if (assigner.short_name.size() < 2 || assigner.short_name.size() > 32) {
        return core::InvalidArgument("must be 2-32 characters", "short_name");
    }
    if (!IsHttpUrl(assigner.advisory_url_prefix)) {
        return core::InvalidArgument("must be an http(s) URL", "advisory_url_prefix");
    }
    if (doc.title.en.empty()) return core::InvalidArgument("CVE records need an English title", "title.en");
    if (CodePoints(doc.title.en) > kMaxTitle) {
        return core::InvalidArgument("over " + std::to_string(kMaxTitle) + " characters", "title.en");
    }
    // The description: the details section, else (absent, or over the schema's 4096 characters in either
    // language) the overview, figure 1's first section.
    auto fits = [](const Localized& text) { return CodePoints(text.en) <= kMaxText && CodePoints(text.ja) <= kMaxText; };
    const bool use_details = !doc.details.en.empty() && (fits(doc.details) || !fits(doc.overview));
    const Localized& description = use_details ? doc.details : doc.overview;
    if (description.en.empty()) {
        return core::InvalidArgument("CVE records need an English overview or details", "overview.en");
    }
    KZ_ASSIGN(Json descriptions, Texts(description, use_details ? "details" : "overview"));

    Json affected = Json::array();
    for (const AdvisoryVendor& vendor : doc.vendors) {
        const std::string vendor_name = Name(vendor.name, vendor.vendor_key);
        const std::string_view status = CveStatus(vendor.status);
        if (vendor.products.empty()) {
            // The vendor as a whole: CVE's "n/a" product, the vendor's status as default.
            affected.push_back(Json{{"vendor", vendor_name}, {"product", "n/a"}, {"defaultStatus", status}});
            continue;
        }
        for (const AdvisoryProduct& product : vendor.products) {
            Json entry{{"vendor", vendor_name}, {"product", Name(product.name, product.product_key)}};
            if (product.versions.empty()) {
                entry["defaultStatus"] = status;
            } else {
                Json versions = Json::array();
                for (const VersionRange& range : product.versions) versions.push_back(Version(range, status));
                entry["versions"] = std::move(versions);
                entry["defaultStatus"] = "unknown";  // versions not listed: the vendor said nothing about them
            }
            affected.push_back(std::move(entry));
        }
    }

    Json metrics = Json::array();
    const Json scenarios = Json::array({Json{{"lang", "en"}, {"value", "GENERAL"}}});
    if (doc.analysis.cvss_v31) {
        auto scored = ScoreCvss31(doc.analysis.cvss_v31->vector);
        if (!scored.ok()) return core::InvalidArgument(scored.error().message(), "analysis.cvss_v31.vector");
        metrics.push_back(Json{{"format", "CVSS"},
                               {"scenarios", scenarios},
                               {"cvssV3_1", Json{{"version", "3.1"},
                                                 {"vectorString", scored->vector},
                                                 {"baseScore", scored->base},
                                                 {"baseSeverity", Upper(scored->severity)}}}});
    }
    if (doc.analysis.cvss_v40) {
        auto scored = ScoreCvss40(doc.analysis.cvss_v40->vector);
        if (!scored.ok()) return core::InvalidArgument(scored.error().message(), "analysis.cvss_v40.vector");
        metrics.push_back(Json{{"format", "CVSS"},
                               {"scenarios", scenarios},
                               {"cvssV4_0", Json{{"version", "4.0"},
                                                 {"vectorString", scored->vector},
                                                 {"baseScore", scored->score},
                                                 {"baseSeverity", Upper(scored->severity)}}}});
    }

    Json references = Json::array();
    references.push_back(Json{{"url", assigner.advisory_url_prefix + AdvisoryUrlSegment(doc.id)}, {"name", doc.id}});
    auto add_reference = [&](const std::string& url, const std::string& name, const char* tag) {
        if (!IsHttpUrl(url)) return;
        for (const Json& existing : references) {
            if (existing["url"] == url) return;  // uniqueItems
        }
        Json reference{{"url", url}};
        if (!name.empty()) reference["name"] = name;
        if (tag != nullptr) reference["tags"] = Json::array({tag});
        references.push_back(std::move(reference));
    };
    for (const AdvisoryVendor& vendor : doc.vendors) {
        add_reference(vendor.announcement_url, Name(vendor.name, vendor.vendor_key), "vendor-advisory");
    }
    for (const AdvisoryReference& reference : doc.references) add_reference(reference.url, reference.title.In("en"), nullptr);
    for (const RelatedDocument& related : doc.related) add_reference(related.url, related.id, "related");

    Json problem_types = Json::array(
        {Json{{"descriptions", Json::array({Json{{"lang", "en"}, {"description", doc.title.en}, {"type", "text"}}})}}});

    KZ_ASSIGN(Json solutions, Texts(doc.solution, "solution"));
    KZ_ASSIGN(Json credits, Texts(doc.acknowledgements, "acknowledgements"));
    Json timeline = Json::array();
    for (const AdvisoryRevision& revision : doc.revisions) {
        const std::string time = core::FormatRfc3339(revision.date);
        if (!revision.summary.en.empty()) timeline.push_back(Json{{"time", time}, {"lang", "en"}, {"value", revision.summary.en}});
        if (!revision.summary.ja.empty()) timeline.push_back(Json{{"time", time}, {"lang", "ja"}, {"value", revision.summary.ja}});
    }

    const std::string published = core::FormatRfc3339(doc.first_published);
    const std::string updated = core::FormatRfc3339(doc.last_updated);
    std::vector<CveRecord> records;
    for (const std::string& cve_id : doc.cve_ids) {
        Json cna;
        cna["providerMetadata"] =
            Json{{"orgId", assigner.org_id}, {"shortName", assigner.short_name}, {"dateUpdated", updated}};
        cna["datePublic"] = published;
        cna["title"] = doc.title.en;
        cna["descriptions"] = descriptions;
        cna["affected"] = affected.empty()
                              ? Json::array({Json{{"vendor", "n/a"}, {"product", "n/a"}, {"defaultStatus", "unknown"}}})
                              : affected;
        cna["problemTypes"] = problem_types;
        if (!metrics.empty()) cna["metrics"] = metrics;
        if (!solutions.empty()) cna["solutions"] = solutions;
        if (!credits.empty()) cna["credits"] = credits;
        if (!timeline.empty()) cna["timeline"] = timeline;
        cna["references"] = references;

        Json record;
        record["dataType"] = "CVE_RECORD";
        record["dataVersion"] = "5.1";
        record["cveMetadata"] = Json{{"cveId", cve_id},
                                     {"assignerOrgId", assigner.org_id},
                                     {"assignerShortName", assigner.short_name},
                                     {"state", "PUBLISHED"},
                                     {"datePublished", published},
                                     {"dateUpdated", updated}};
        record["containers"] = Json{{"cna", std::move(cna)}};
        records.push_back(CveRecord{cve_id, record.dump(2, ' ', false, Json::error_handler_t::replace) + "\n"});
    }
    return records;
}

}  // namespace kizuna::formats
