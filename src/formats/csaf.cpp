#include "formats/csaf.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "formats/cvss.hpp"

namespace kizuna::formats {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::string_view kTlpUrl = "https://www.first.org/tlp/";

// Note titles and fixed sentences in both languages.
struct Label {
    std::string_view en;
    std::string_view ja;
    std::string_view In(CsafLanguage lang) const { return lang == CsafLanguage::kJa ? ja : en; }
};
constexpr Label kOverview{"Overview", "概要"};
constexpr Label kAffectedSystems{"Affected systems", "影響を受けるシステム"};
constexpr Label kDetails{"Description", "詳細情報"};
constexpr Label kImpact{"Impact", "想定される影響"};
constexpr Label kSolution{"Solution", "対策方法"};
constexpr Label kCoordinatorNotes{"Coordinator's notes", "JPCERT/CCからの補足情報"};
constexpr Label kCoordinatorAnalysis{"Coordinator's analysis", "JPCERT/CCによる脆弱性分析結果"};
constexpr Label kVendorStatement{"Vendor statement: ", "ベンダの声明: "};
constexpr Label kVendorComment{"Vendor comment: ", "ベンダからのコメント: "};
constexpr Label kVendorAnnouncement{"Vendor announcement: ", "ベンダの告知ページ: "};
constexpr Label kRelated{"Related document: ", "関連文書: "};
constexpr Label kAdvisoryPage{"This advisory", "本アドバイザリ"};
constexpr Label kUnreachableTitle{"Vendor unreachable: ", "製品開発者と連絡が取れない: "};
constexpr Label kUnreachableText{
    "The coordinator has been unable to reach the developer since %s. Users are advised to stop using the "
    "product.",
    "%s より製品開発者への連絡を試みていますが、連絡が取れていません。当該製品の使用を停止することを推奨します。"};

std::string Date(core::WallTime t) { return core::FormatRfc3339(t); }

std::string Upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    return out;
}

bool IsHttpUrl(std::string_view url) {
    return (url.starts_with("https://") && url.size() > 8) || (url.starts_with("http://") && url.size() > 7);
}

Json Note(std::string_view category, std::string_view title, const std::string& text) {
    Json note;
    note["category"] = category;
    note["text"] = text;
    note["title"] = title;
    return note;
}

std::string VendorName(const AdvisoryVendor& vendor, CsafLanguage lang) {
    const std::string& name = vendor.name.In(LanguageTag(lang));
    return name.empty() ? vendor.vendor_key : name;
}

std::string ProductName(const AdvisoryProduct& product, CsafLanguage lang) {
    const std::string& name = product.name.In(LanguageTag(lang));
    return name.empty() ? product.product_key : name;
}

// A machine-readable range when bounds are known (purl-spec "vers", generic scheme), else the label.
std::string RangeName(const VersionRange& range) {
    std::vector<std::string> constraints;
    if (!range.introduced.empty()) constraints.push_back(">=" + range.introduced);
    if (!range.fixed.empty()) {
        constraints.push_back("<" + range.fixed);
    } else if (!range.last_affected.empty()) {
        constraints.push_back("<=" + range.last_affected);
    }
    if (constraints.empty()) return range.label;
    std::string vers = "vers:generic/";
    for (std::size_t i = 0; i < constraints.size(); ++i) {
        if (i > 0) vers += "|";
        vers += constraints[i];
    }
    return vers;
}

enum class CsafStatus { kKnownAffected, kKnownNotAffected, kUnderInvestigation };

CsafStatus MapStatus(AdvisoryVendorStatus status) {
    switch (status) {
        case AdvisoryVendorStatus::kAffected:
        case AdvisoryVendorStatus::kAffectedInvestigating: return CsafStatus::kKnownAffected;
        case AdvisoryVendorStatus::kNotAffected: return CsafStatus::kKnownNotAffected;
        case AdvisoryVendorStatus::kNotAffectedInvestigating:
        case AdvisoryVendorStatus::kUnknown: return CsafStatus::kUnderInvestigation;
    }
    return CsafStatus::kUnderInvestigation;
}

Json Leaf(std::string_view category, const std::string& branch_name, const std::string& full_name,
          const std::string& product_id) {
    Json branch;
    branch["category"] = category;
    branch["name"] = branch_name;
    branch["product"] = Json{{"name", full_name}, {"product_id", product_id}};
    return branch;
}

// The product tree and, per vendor, the product ids of its leaves.
struct Tree {
    Json branches = Json::array();
    std::vector<std::vector<std::string>> leaf_ids;  // parallel to doc.vendors
};

Tree BuildTree(const AdvisoryDoc& doc, CsafLanguage lang) {
    Tree tree;
    for (const AdvisoryVendor& vendor : doc.vendors) {
        std::vector<std::string> ids;
        const std::string vendor_name = VendorName(vendor, lang);
        if (vendor.products.empty()) {
            ids.push_back(CsafProductId(vendor.vendor_key));
            tree.branches.push_back(Leaf("vendor", vendor_name, vendor_name, ids.back()));
        } else {
            Json vendor_branch{{"category", "vendor"}, {"name", vendor_name}, {"branches", Json::array()}};
            for (const AdvisoryProduct& product : vendor.products) {
                const std::string product_name = ProductName(product, lang);
                if (product.versions.empty()) {
                    ids.push_back(CsafProductId(vendor.vendor_key, product.product_key));
                    vendor_branch["branches"].push_back(
                        Leaf("product_name", product_name, vendor_name + " " + product_name, ids.back()));
                    continue;
                }
                Json product_branch{{"category", "product_name"}, {"name", product_name}, {"branches", Json::array()}};
                for (const VersionRange& range : product.versions) {
                    ids.push_back(CsafProductId(vendor.vendor_key, product.product_key, &range));
                    product_branch["branches"].push_back(Leaf("product_version_range", RangeName(range),
                                                              vendor_name + " " + product_name + " " + range.label,
                                                              ids.back()));
                }
                vendor_branch["branches"].push_back(std::move(product_branch));
            }
            tree.branches.push_back(std::move(vendor_branch));
        }
        tree.leaf_ids.push_back(std::move(ids));
    }
    return tree;
}

bool HasFixedVersion(const AdvisoryVendor& vendor) {
    for (const AdvisoryProduct& product : vendor.products) {
        for (const VersionRange& range : product.versions) {
            if (!range.fixed.empty()) return true;
        }
    }
    return false;
}

std::string UnreachableText(const AdvisoryVendor& vendor, CsafLanguage lang) {
    const std::string since = vendor.unreachable_since ? Date(*vendor.unreachable_since).substr(0, 10) : "?";
    const std::string_view pattern = kUnreachableText.In(lang);
    const std::size_t at = pattern.find("%s");
    return std::string(pattern.substr(0, at)) + since + std::string(pattern.substr(at + 2));
}

core::Result<Json> Scores(const AdvisoryDoc& doc, const std::vector<std::string>& affected) {
    Json scores = Json::array();
    if (!doc.analysis.cvss_v31 || affected.empty()) return scores;
    auto scored = ScoreCvss31(doc.analysis.cvss_v31->vector);
    if (!scored.ok()) {
        return core::InvalidArgument(scored.error().message(), "analysis.cvss_v31.vector");
    }
    Json cvss{{"version", "3.1"},
              {"vectorString", scored->vector},
              {"baseScore", scored->base},
              {"baseSeverity", Upper(scored->severity)}};
    scores.push_back(Json{{"products", affected}, {"cvss_v3", std::move(cvss)}});
    return scores;
}

}  // namespace

std::string_view LanguageTag(CsafLanguage lang) { return lang == CsafLanguage::kJa ? "ja" : "en"; }

std::string CsafProductId(std::string_view vendor_key, std::string_view product_key, const VersionRange* range) {
    std::string id = "CSAFPID-";
    id += vendor_key;
    if (product_key.empty()) return id;
    id += "-";
    id += product_key;
    if (range == nullptr) return id;
    // FNV-1a 64: tiny, fixed forever, and independent of the range's position in the list.
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    for (unsigned char c : range->label) {
        hash ^= c;
        hash *= 0x100000001b3ULL;
    }
    std::array<char, 17> hex{};
    std::snprintf(hex.data(), hex.size(), "%016llx", static_cast<unsigned long long>(hash));
    id += "-";
    id += hex.data();
    return id;
}

std::string CsafFileName(std::string_view tracking_id) {
    std::string name;
    bool in_run = false;
    for (char c : tracking_id) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        const bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-';
        if (keep) {
            name += c;
            in_run = false;
        } else if (!in_run) {
            name += '_';
            in_run = true;
        }
    }
    return name + ".json";
}

std::string CsafDistributionPath(const AdvisoryDoc& doc) {
    return Date(doc.first_published).substr(0, 4) + "/" + CsafFileName(doc.id);
}

core::Result<std::string> RenderCsaf(const AdvisoryDoc& doc, const CsafPublisher& publisher, CsafLanguage lang) {
    KZ_TRY(CheckAdvisoryDoc(doc));
    if (doc.vendors.empty()) {
        return core::InvalidArgument("a CSAF security advisory needs at least one vendor", "vendors");
    }
    const std::string_view tag = LanguageTag(lang);
    const std::string title = doc.title.In(tag).empty() ? doc.id : doc.title.In(tag);

    // document
    Json document;
    document["category"] = "csaf_security_advisory";
    document["csaf_version"] = "2.0";
    document["lang"] = tag;
    document["title"] = title;
    Json pub{{"category", "coordinator"}, {"name", publisher.name}, {"namespace", publisher.namespace_url}};
    if (!publisher.contact_details.empty()) pub["contact_details"] = publisher.contact_details;
    if (!publisher.issuing_authority.empty()) pub["issuing_authority"] = publisher.issuing_authority;
    document["publisher"] = std::move(pub);
    document["distribution"] = Json{{"tlp", Json{{"label", "WHITE"}, {"url", kTlpUrl}}}};
    if (doc.analysis.cvss_v31) {
        auto scored = ScoreCvss31(doc.analysis.cvss_v31->vector);
        if (!scored.ok()) return core::InvalidArgument(scored.error().message(), "analysis.cvss_v31.vector");
        document["aggregate_severity"] = Json{{"text", scored->severity}};
    }

    Json notes = Json::array();
    auto add_note = [&](std::string_view category, const Label& label, const Localized& text) {
        if (!text.In(tag).empty()) notes.push_back(Note(category, label.In(lang), text.In(tag)));
    };
    add_note("summary", kOverview, doc.overview);
    add_note("general", kAffectedSystems, doc.affected_systems);
    add_note("details", kDetails, doc.details);
    add_note("general", kImpact, doc.impact);
    add_note("general", kSolution, doc.solution);
    add_note("other", kCoordinatorNotes, doc.coordinator_notes);
    add_note("other", kCoordinatorAnalysis, doc.analysis.text);
    for (const VendorStatement& statement : doc.vendor_statements) {
        if (statement.text.In(tag).empty()) continue;
        std::string who = statement.vendor_key;
        for (const AdvisoryVendor& vendor : doc.vendors) {
            if (vendor.vendor_key == statement.vendor_key) who = VendorName(vendor, lang);
        }
        notes.push_back(Note("other", std::string(kVendorStatement.In(lang)) + who, statement.text.In(tag)));
    }
    for (const AdvisoryVendor& vendor : doc.vendors) {
        if (vendor.unreachable) {
            notes.push_back(Note("general", std::string(kUnreachableTitle.In(lang)) + VendorName(vendor, lang),
                                 UnreachableText(vendor, lang)));
        }
    }
    if (notes.empty()) notes.push_back(Note("summary", kOverview.In(lang), title));
    document["notes"] = std::move(notes);

    Json references = Json::array();
    if (IsHttpUrl(publisher.advisory_url_prefix)) {
        std::string url = publisher.advisory_url_prefix + AdvisoryUrlSegment(doc.id);
        if (lang == CsafLanguage::kEn) url += "?lang=en";
        references.push_back(
            Json{{"category", "self"}, {"summary", std::string(kAdvisoryPage.In(lang)) + " " + doc.id}, {"url", url}});
    }
    for (const AdvisoryReference& reference : doc.references) {
        if (!IsHttpUrl(reference.url)) continue;
        const std::string& summary = reference.title.In(tag);
        references.push_back(
            Json{{"category", "external"}, {"summary", summary.empty() ? reference.url : summary}, {"url", reference.url}});
    }
    for (const RelatedDocument& related : doc.related) {
        if (!IsHttpUrl(related.url)) continue;
        std::string summary = std::string(kRelated.In(lang)) + related.id;
        if (!related.title.In(tag).empty()) summary += (related.id.empty() ? "" : " ") + related.title.In(tag);
        references.push_back(Json{{"category", "external"}, {"summary", summary}, {"url", related.url}});
    }
    if (!references.empty()) document["references"] = std::move(references);

    Json history = Json::array();
    for (std::size_t i = 0; i < doc.revisions.size(); ++i) {
        const AdvisoryRevision& revision = doc.revisions[i];
        const std::string& summary = revision.summary.In(tag);
        history.push_back(Json{{"date", Date(revision.date)},
                               {"number", std::to_string(i + 1)},
                               {"summary", summary.empty() ? std::string("-") : summary}});
    }
    document["tracking"] = Json{{"current_release_date", Date(doc.last_updated)},
                                {"generator", Json{{"engine", Json{{"name", "Kizuna"},
                                                                   {"version", publisher.engine_version}}}}},
                                {"id", doc.id},
                                {"initial_release_date", Date(doc.first_published)},
                                {"revision_history", std::move(history)},
                                {"status", "final"},
                                {"version", std::to_string(doc.revisions.size())}};

    // product_tree
    Tree tree = BuildTree(doc, lang);

    // product_status, remediations, vendor references: the same for every CVE of the advisory.
    std::vector<std::string> known_affected, known_not_affected, under_investigation;
    Json remediations = Json::array();
    Json vendor_references = Json::array();
    for (std::size_t i = 0; i < doc.vendors.size(); ++i) {
        const AdvisoryVendor& vendor = doc.vendors[i];
        const std::vector<std::string>& ids = tree.leaf_ids[i];
        const CsafStatus status = MapStatus(vendor.status);
        auto& bucket = status == CsafStatus::kKnownAffected      ? known_affected
                       : status == CsafStatus::kKnownNotAffected ? known_not_affected
                                                                 : under_investigation;
        bucket.insert(bucket.end(), ids.begin(), ids.end());
        if (IsHttpUrl(vendor.announcement_url)) {
            vendor_references.push_back(Json{{"category", "external"},
                                             {"summary", std::string(kVendorAnnouncement.In(lang)) +
                                                             VendorName(vendor, lang)},
                                             {"url", vendor.announcement_url}});
        }
        if (vendor.unreachable) {
            remediations.push_back(Json{{"category", "no_fix_planned"},
                                        {"details", UnreachableText(vendor, lang)},
                                        {"product_ids", ids}});
        } else if (status == CsafStatus::kKnownAffected && !doc.solution.In(tag).empty()) {
            const bool fixed = HasFixedVersion(vendor) || IsHttpUrl(vendor.announcement_url);
            Json remediation{{"category", fixed ? "vendor_fix" : "mitigation"},
                             {"details", doc.solution.In(tag)},
                             {"product_ids", ids}};
            if (IsHttpUrl(vendor.announcement_url)) remediation["url"] = vendor.announcement_url;
            remediations.push_back(std::move(remediation));
        }
    }
    Json product_status = Json::object();
    if (!known_affected.empty()) product_status["known_affected"] = known_affected;
    if (!known_not_affected.empty()) product_status["known_not_affected"] = known_not_affected;
    if (!under_investigation.empty()) product_status["under_investigation"] = under_investigation;

    Json vuln_notes = Json::array();
    {
        const Localized& description = !doc.details.In(tag).empty() ? doc.details : doc.overview;
        vuln_notes.push_back(Note("description", kDetails.In(lang),
                                  description.In(tag).empty() ? title : description.In(tag)));
        if (!doc.impact.In(tag).empty()) vuln_notes.push_back(Note("general", kImpact.In(lang), doc.impact.In(tag)));
        for (std::size_t i = 0; i < doc.vendors.size(); ++i) {
            const AdvisoryVendor& vendor = doc.vendors[i];
            if (vendor.comment.In(tag).empty()) continue;
            vuln_notes.push_back(Note("other", std::string(kVendorComment.In(lang)) + VendorName(vendor, lang),
                                      vendor.comment.In(tag)));
        }
        if (doc.analysis.cvss_v40) {
            auto scored = ScoreCvss40(doc.analysis.cvss_v40->vector);
            if (!scored.ok()) return core::InvalidArgument(scored.error().message(), "analysis.cvss_v40.vector");
            // CSAF 2.0 scores carry CVSS v2/v3 only; v4.0 travels as a note until CSAF 2.1.
            char score[8];
            std::snprintf(score, sizeof score, "%.1f", scored->score);
            vuln_notes.push_back(Note("other", "CVSS v4.0", scored->vector + " (" + score + " " + scored->severity + ")"));
        }
    }
    KZ_ASSIGN(Json scores, Scores(doc, known_affected));

    auto vulnerability = [&](const std::string* cve) {
        Json v;
        if (!doc.acknowledgements.In(tag).empty()) {
            v["acknowledgments"] = Json::array({Json{{"summary", doc.acknowledgements.In(tag)}}});
        }
        if (cve != nullptr) v["cve"] = *cve;
        v["notes"] = vuln_notes;
        v["product_status"] = product_status;
        if (!vendor_references.empty()) v["references"] = vendor_references;
        if (!remediations.empty()) v["remediations"] = remediations;
        if (!scores.empty()) v["scores"] = scores;
        if (cve == nullptr) v["title"] = title;
        return v;
    };
    Json vulnerabilities = Json::array();
    for (const std::string& cve : doc.cve_ids) vulnerabilities.push_back(vulnerability(&cve));
    if (doc.cve_ids.empty()) vulnerabilities.push_back(vulnerability(nullptr));

    Json csaf;
    csaf["document"] = std::move(document);
    csaf["product_tree"] = Json{{"branches", std::move(tree.branches)}};
    csaf["vulnerabilities"] = std::move(vulnerabilities);
    // Invalid UTF-8 (never from the store, which only keeps parsed JSON) becomes U+FFFD instead of throwing.
    return csaf.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

namespace {

std::vector<const AdvisoryDoc*> NewestFirst(const std::vector<AdvisoryDoc>& docs) {
    std::vector<const AdvisoryDoc*> sorted;
    for (const AdvisoryDoc& doc : docs) sorted.push_back(&doc);
    std::stable_sort(sorted.begin(), sorted.end(), [](const AdvisoryDoc* a, const AdvisoryDoc* b) {
        if (a->last_updated != b->last_updated) return a->last_updated > b->last_updated;
        return a->id > b->id;
    });
    return sorted;
}

}  // namespace

std::string RenderCsafIndex(const std::vector<AdvisoryDoc>& docs) {
    std::string out;
    for (const AdvisoryDoc* doc : NewestFirst(docs)) out += CsafDistributionPath(*doc) + "\n";
    return out;
}

std::string RenderCsafChanges(const std::vector<AdvisoryDoc>& docs) {
    std::string out;
    for (const AdvisoryDoc* doc : NewestFirst(docs)) {
        out += "\"" + CsafDistributionPath(*doc) + "\",\"" + Date(doc->last_updated) + "\"\n";
    }
    return out;
}

std::string RenderProviderMetadata(const CsafPublisher& publisher, std::string_view base_url,
                                   core::WallTime last_updated) {
    const std::string base(base_url);
    Json metadata;
    metadata["canonical_url"] = base + "/.well-known/csaf/provider-metadata.json";
    metadata["distributions"] = Json::array({Json{{"directory_url", base + "/.well-known/csaf/white/"}}});
    metadata["last_updated"] = Date(last_updated);
    metadata["list_on_CSAF_aggregators"] = true;
    metadata["metadata_version"] = "2.0";
    metadata["mirror_on_CSAF_aggregators"] = true;
    Json pub{{"category", "coordinator"}, {"name", publisher.name}, {"namespace", publisher.namespace_url}};
    if (!publisher.contact_details.empty()) pub["contact_details"] = publisher.contact_details;
    if (!publisher.issuing_authority.empty()) pub["issuing_authority"] = publisher.issuing_authority;
    metadata["publisher"] = std::move(pub);
    metadata["role"] = "csaf_provider";
    return metadata.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace kizuna::formats
