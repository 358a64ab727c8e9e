// The advisory as the coordinator writes it: validation (each error names its field) and its JSON form,
// which is both the API body (docs/API.md) and what advisories.content / advisory_revisions.content store.
#include <nlohmann/json.hpp>

#include <set>

#include "core/json_depth.hpp"
#include "formats/cvss.hpp"
#include "vuln/advisories.hpp"
#include "vuln/internal/advisory_json.hpp"

namespace kizuna::vuln {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxTitle = 300;
constexpr std::size_t kMaxText = 100000;
constexpr std::size_t kMaxUrl = 2000;
constexpr std::size_t kMaxItems = 200;

bool HasControlExceptNewlines(std::string_view s) {
    for (unsigned char c : s)
        if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c == 0x7f) return true;
    return false;
}

std::string Trim(std::string_view s) {
    std::size_t b = 0, e = s.size();
    while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r' || s[b] == '\n')) ++b;
    while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r' || s[e - 1] == '\n')) --e;
    return std::string(s.substr(b, e - b));
}

core::Status CheckText(formats::Localized& t, const std::string& field, std::size_t max, bool required) {
    t.ja = Trim(t.ja);
    t.en = Trim(t.en);
    for (auto [text, lang] : {std::pair{&t.ja, "ja"}, {&t.en, "en"}}) {
        if (text->size() > max)
            return core::InvalidArgument("at most " + std::to_string(max) + " bytes", field + "." + lang);
        if (HasControlExceptNewlines(*text)) return core::InvalidArgument("contains control characters", field + "." + lang);
    }
    if (required && t.Empty()) return core::InvalidArgument("required in Japanese or English", field);
    return core::Ok();
}

// Only absolute http(s) URLs: they become links on public pages.
core::Status CheckUrl(std::string& url, const std::string& field, bool required) {
    url = Trim(url);
    if (url.empty()) {
        if (required) return core::InvalidArgument("required", field);
        return core::Ok();
    }
    if (url.size() > kMaxUrl) return core::InvalidArgument("at most 2000 bytes", field);
    if (!(url.starts_with("https://") || url.starts_with("http://")) || url.size() < 9)
        return core::InvalidArgument("must be an http:// or https:// URL", field);
    for (unsigned char c : url)
        if (c <= 0x20 || c == 0x7f || c == '"' || c == '<' || c == '>')
            return core::InvalidArgument("must not contain spaces, quotes or angle brackets", field);
    return core::Ok();
}

bool IsCveId(std::string_view s) {
    // CVE-YYYY-NNNN with 4 or more digits (CVE ID syntax since 2014), year from 1999.
    if (s.size() < 13 || s.size() > 24 || s.substr(0, 4) != "CVE-" || s[8] != '-') return false;
    for (std::size_t i = 4; i < 8; ++i)
        if (s[i] < '0' || s[i] > '9') return false;
    if (s.substr(4, 4) < "1999") return false;
    for (std::size_t i = 9; i < s.size(); ++i)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

bool IsKey(std::string_view s) {
    if (s.empty() || s.size() > 64) return false;
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-'))
            return false;
    return true;
}

std::string Upper(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return out;
}

// --- JSON -------------------------------------------------------------------------------------------------

json LocalizedJson(const formats::Localized& t) { return {{"ja", t.ja}, {"en", t.en}}; }

core::Result<formats::Localized> LocalizedFrom(const json& j, const std::string& field) {
    if (j.is_null()) return formats::Localized{};
    if (j.is_string()) return formats::Localized{j.get<std::string>(), ""};
    if (!j.is_object()) return core::InvalidArgument("must be an object {\"ja\": ..., \"en\": ...}", field);
    formats::Localized out;
    for (const auto& [k, v] : j.items()) {
        if (k != "ja" && k != "en") return core::InvalidArgument("unknown language (ja, en)", field + "." + k);
        if (!v.is_string()) return core::InvalidArgument("must be a string", field + "." + k);
        (k == "ja" ? out.ja : out.en) = v.get<std::string>();
    }
    return out;
}

core::Result<std::string> StringFrom(const json& obj, const char* key, const std::string& field) {
    if (!obj.contains(key) || obj.at(key).is_null()) return std::string();
    if (!obj.at(key).is_string()) return core::InvalidArgument("must be a string", field + "." + key);
    return obj.at(key).get<std::string>();
}

core::Result<const json*> ArrayFrom(const json& obj, const char* key) {
    static const json kEmpty = json::array();
    if (!obj.contains(key) || obj.at(key).is_null()) return &kEmpty;
    if (!obj.at(key).is_array()) return core::InvalidArgument("must be an array", key);
    if (obj.at(key).size() > kMaxItems) return core::InvalidArgument("at most 200 items", key);
    return &obj.at(key);
}

core::Result<std::int64_t> VendorIdFrom(const json& item, const std::string& field) {
    if (!item.contains("vendor_id") || !item.at("vendor_id").is_number_integer() || item.at("vendor_id").get<std::int64_t>() <= 0)
        return core::InvalidArgument("must be a vendor id (a positive integer)", field + ".vendor_id");
    return item.at("vendor_id").get<std::int64_t>();
}

core::Status RejectUnknown(const json& obj, std::initializer_list<std::string_view> known, const std::string& field) {
    for (const auto& [k, v] : obj.items()) {
        bool ok = false;
        for (auto name : known) ok = ok || k == name;
        if (!ok) {
            // An empty key still gets a name, so the error always says which field.
            const std::string name = k.empty() ? std::string("\"\"") : k;
            return core::InvalidArgument("unknown field", field.empty() ? name : field + "." + name);
        }
    }
    return core::Ok();
}

constexpr std::initializer_list<std::pair<const char*, formats::Localized AdvisoryContent::*>> kTexts = {
    {"title", &AdvisoryContent::title},
    {"overview", &AdvisoryContent::overview},
    {"affected_systems", &AdvisoryContent::affected_systems},
    {"details", &AdvisoryContent::details},
    {"impact", &AdvisoryContent::impact},
    {"solution", &AdvisoryContent::solution},
    {"coordinator_notes", &AdvisoryContent::coordinator_notes},
    {"analysis", &AdvisoryContent::analysis},
    {"acknowledgements", &AdvisoryContent::acknowledgements},
};

}  // namespace

core::Result<AdvisoryContent> ValidateAdvisoryContent(AdvisoryContent c) {
    for (const auto& [name, member] : kTexts) {
        const std::string field = name;
        const bool required = field == "title" || field == "overview";
        KZ_TRY(CheckText(c.*member, field, field == "title" ? kMaxTitle : kMaxText, required));
        if (field == "title" && (c.title.ja.find('\n') != std::string::npos || c.title.en.find('\n') != std::string::npos))
            return core::InvalidArgument("must be one line", "title");
    }
    c.cvss31_vector = Trim(c.cvss31_vector);
    if (!c.cvss31_vector.empty()) {
        auto scored = formats::ScoreCvss31(c.cvss31_vector);
        if (!scored.ok()) return core::InvalidArgument(scored.error().message(), "cvss_v31");
        c.cvss31_vector = scored->vector;
    }
    c.cvss40_vector = Trim(c.cvss40_vector);
    if (!c.cvss40_vector.empty()) {
        auto scored = formats::ScoreCvss40(c.cvss40_vector);
        if (!scored.ok()) return core::InvalidArgument(scored.error().message(), "cvss_v40");
        c.cvss40_vector = scored->vector;
    }
    std::set<std::string> seen;
    for (std::size_t i = 0; i < c.cve_ids.size(); ++i) {
        const std::string field = "cve_ids[" + std::to_string(i) + "]";
        c.cve_ids[i] = Upper(Trim(c.cve_ids[i]));
        if (!IsCveId(c.cve_ids[i])) return core::InvalidArgument("must look like CVE-2026-12345", field);
        if (!seen.insert(c.cve_ids[i]).second) return core::InvalidArgument("listed twice", field);
    }
    if (c.cve_ids.size() > kMaxItems) return core::InvalidArgument("at most 200 items", "cve_ids");
    for (std::size_t i = 0; i < c.references.size(); ++i) {
        const std::string field = "references[" + std::to_string(i) + "]";
        KZ_TRY(CheckUrl(c.references[i].url, field + ".url", true));
        KZ_TRY(CheckText(c.references[i].title, field + ".title", kMaxTitle, false));
    }
    for (std::size_t i = 0; i < c.related.size(); ++i) {
        const std::string field = "related[" + std::to_string(i) + "]";
        auto& r = c.related[i];
        r.id = Trim(r.id);
        if (r.id.size() > 100 || HasControlExceptNewlines(r.id) || r.id.find('\n') != std::string::npos)
            return core::InvalidArgument("at most 100 characters on one line", field + ".id");
        KZ_TRY(CheckUrl(r.url, field + ".url", false));
        KZ_TRY(CheckText(r.title, field + ".title", kMaxTitle, false));
        if (r.id.empty() && r.url.empty() && r.title.Empty())
            return core::InvalidArgument("needs an id, a title or a URL", field);
    }
    for (std::size_t i = 0; i < c.vendor_statements.size(); ++i) {
        const std::string field = "vendor_statements[" + std::to_string(i) + "]";
        KZ_TRY(CheckText(c.vendor_statements[i].text, field + ".text", kMaxText, true));
        for (std::size_t j = 0; j < i; ++j)
            if (c.vendor_statements[j].vendor == c.vendor_statements[i].vendor)
                return core::InvalidArgument("one statement per vendor", field + ".vendor_id");
    }
    for (std::size_t i = 0; i < c.products.size(); ++i) {
        const std::string field = "products[" + std::to_string(i) + "]";
        auto& p = c.products[i];
        if (!IsKey(p.product.product_key))
            return core::InvalidArgument("must be 1-64 of A-Z a-z 0-9 . _ -", field + ".product_key");
        KZ_TRY(CheckText(p.product.name, field + ".name", kMaxTitle, true));
        for (std::size_t j = 0; j < i; ++j)
            if (c.products[j].vendor == p.vendor && c.products[j].product.product_key == p.product.product_key)
                return core::InvalidArgument("listed twice for this vendor", field + ".product_key");
        for (std::size_t k = 0; k < p.product.versions.size(); ++k) {
            auto& v = p.product.versions[k];
            const std::string vf = field + ".versions[" + std::to_string(k) + "]";
            v.label = Trim(v.label);
            v.introduced = Trim(v.introduced);
            v.fixed = Trim(v.fixed);
            v.last_affected = Trim(v.last_affected);
            if (v.label.empty() || v.label.size() > 200) return core::InvalidArgument("must be 1-200 bytes", vf + ".label");
            for (const std::string* s : {&v.label, &v.introduced, &v.fixed, &v.last_affected})
                if (s->size() > 200 || HasControlExceptNewlines(*s) || s->find('\n') != std::string::npos)
                    return core::InvalidArgument("one line of at most 200 bytes", vf);
        }
    }
    return c;
}

namespace detail {

core::Result<AdvisoryContent> ContentFromJson(const json& body) {
    if (!body.is_object()) return core::InvalidArgument("must be a JSON object", "body");
    KZ_TRY(RejectUnknown(body,
                         {"title", "overview", "affected_systems", "details", "impact", "solution", "references",
                          "coordinator_notes", "analysis", "cvss_v31", "cvss_v40", "vendor_statements",
                          "acknowledgements", "related", "cve_ids", "products", "note"},
                         ""));
    AdvisoryContent c;
    for (const auto& [name, member] : kTexts) {
        if (!body.contains(name)) continue;
        KZ_ASSIGN(c.*member, LocalizedFrom(body.at(name), name));
    }
    KZ_ASSIGN(c.cvss31_vector, StringFrom(body, "cvss_v31", ""));
    KZ_ASSIGN(c.cvss40_vector, StringFrom(body, "cvss_v40", ""));
    {
        KZ_ASSIGN(const json* list, ArrayFrom(body, "cve_ids"));
        for (std::size_t i = 0; i < list->size(); ++i) {
            if (!(*list)[i].is_string())
                return core::InvalidArgument("must be a string", "cve_ids[" + std::to_string(i) + "]");
            c.cve_ids.push_back((*list)[i].get<std::string>());
        }
    }
    {
        KZ_ASSIGN(const json* list, ArrayFrom(body, "references"));
        for (std::size_t i = 0; i < list->size(); ++i) {
            const std::string field = "references[" + std::to_string(i) + "]";
            const json& item = (*list)[i];
            formats::AdvisoryReference r;
            if (item.is_string()) {
                r.url = item.get<std::string>();
            } else if (item.is_object()) {
                KZ_TRY(RejectUnknown(item, {"url", "title"}, field));
                KZ_ASSIGN(r.url, StringFrom(item, "url", field));
                if (item.contains("title")) {
                    KZ_ASSIGN(r.title, LocalizedFrom(item.at("title"), field + ".title"));
                }
            } else {
                return core::InvalidArgument("must be a URL or {url, title}", field);
            }
            c.references.push_back(std::move(r));
        }
    }
    {
        KZ_ASSIGN(const json* list, ArrayFrom(body, "related"));
        for (std::size_t i = 0; i < list->size(); ++i) {
            const std::string field = "related[" + std::to_string(i) + "]";
            const json& item = (*list)[i];
            if (!item.is_object()) return core::InvalidArgument("must be an object {id, title, url}", field);
            KZ_TRY(RejectUnknown(item, {"id", "url", "title"}, field));
            formats::RelatedDocument r;
            KZ_ASSIGN(r.id, StringFrom(item, "id", field));
            KZ_ASSIGN(r.url, StringFrom(item, "url", field));
            if (item.contains("title")) {
                KZ_ASSIGN(r.title, LocalizedFrom(item.at("title"), field + ".title"));
            }
            c.related.push_back(std::move(r));
        }
    }
    {
        KZ_ASSIGN(const json* list, ArrayFrom(body, "vendor_statements"));
        for (std::size_t i = 0; i < list->size(); ++i) {
            const std::string field = "vendor_statements[" + std::to_string(i) + "]";
            const json& item = (*list)[i];
            if (!item.is_object()) return core::InvalidArgument("must be an object {vendor_id, text}", field);
            KZ_TRY(RejectUnknown(item, {"vendor_id", "text"}, field));
            VendorStatementInput s;
            KZ_ASSIGN(auto vid, VendorIdFrom(item, field));
            s.vendor = VendorId(vid);
            if (item.contains("text")) {
                KZ_ASSIGN(s.text, LocalizedFrom(item.at("text"), field + ".text"));
            }
            c.vendor_statements.push_back(std::move(s));
        }
    }
    {
        KZ_ASSIGN(const json* list, ArrayFrom(body, "products"));
        for (std::size_t i = 0; i < list->size(); ++i) {
            const std::string field = "products[" + std::to_string(i) + "]";
            const json& item = (*list)[i];
            if (!item.is_object()) return core::InvalidArgument("must be an object", field);
            KZ_TRY(RejectUnknown(item, {"vendor_id", "product_key", "name", "versions"}, field));
            AdvisoryProductInput p;
            KZ_ASSIGN(auto vid, VendorIdFrom(item, field));
            p.vendor = VendorId(vid);
            KZ_ASSIGN(p.product.product_key, StringFrom(item, "product_key", field));
            if (item.contains("name")) {
                KZ_ASSIGN(p.product.name, LocalizedFrom(item.at("name"), field + ".name"));
            }
            if (item.contains("versions")) {
                const json& versions = item.at("versions");
                if (!versions.is_array() || versions.size() > kMaxItems)
                    return core::InvalidArgument("must be an array of at most 200 items", field + ".versions");
                for (std::size_t k = 0; k < versions.size(); ++k) {
                    const std::string vf = field + ".versions[" + std::to_string(k) + "]";
                    const json& v = versions[k];
                    formats::VersionRange range;
                    if (v.is_string()) {
                        range.label = v.get<std::string>();
                    } else if (v.is_object()) {
                        KZ_TRY(RejectUnknown(v, {"label", "introduced", "fixed", "last_affected"}, vf));
                        KZ_ASSIGN(range.label, StringFrom(v, "label", vf));
                        KZ_ASSIGN(range.introduced, StringFrom(v, "introduced", vf));
                        KZ_ASSIGN(range.fixed, StringFrom(v, "fixed", vf));
                        KZ_ASSIGN(range.last_affected, StringFrom(v, "last_affected", vf));
                    } else {
                        return core::InvalidArgument("must be a label or {label, introduced, fixed, last_affected}", vf);
                    }
                    p.product.versions.push_back(std::move(range));
                }
            }
            c.products.push_back(std::move(p));
        }
    }
    return ValidateAdvisoryContent(std::move(c));
}

json ContentToJson(const AdvisoryContent& c) {
    json out = json::object();
    for (const auto& [name, member] : kTexts) out[name] = LocalizedJson(c.*member);
    out["cvss_v31"] = c.cvss31_vector;
    out["cvss_v40"] = c.cvss40_vector;
    out["cve_ids"] = c.cve_ids;
    json refs = json::array();
    for (const auto& r : c.references) refs.push_back({{"url", r.url}, {"title", LocalizedJson(r.title)}});
    out["references"] = refs;
    json related = json::array();
    for (const auto& r : c.related) related.push_back({{"id", r.id}, {"title", LocalizedJson(r.title)}, {"url", r.url}});
    out["related"] = related;
    json statements = json::array();
    for (const auto& s : c.vendor_statements)
        statements.push_back({{"vendor_id", s.vendor.value()}, {"text", LocalizedJson(s.text)}});
    out["vendor_statements"] = statements;
    json products = json::array();
    for (const auto& p : c.products) {
        json versions = json::array();
        for (const auto& v : p.product.versions)
            versions.push_back(
                {{"label", v.label}, {"introduced", v.introduced}, {"fixed", v.fixed}, {"last_affected", v.last_affected}});
        products.push_back({{"vendor_id", p.vendor.value()},
                            {"product_key", p.product.product_key},
                            {"name", LocalizedJson(p.product.name)},
                            {"versions", versions}});
    }
    out["products"] = products;
    return out;
}

}  // namespace detail

core::Result<AdvisoryContent> ParseAdvisoryContent(std::string_view text) {
    constexpr std::size_t kMaxBody = 4 * 1024 * 1024;
    if (text.size() > kMaxBody) return core::InvalidArgument("at most 4 MiB", "body");
    // The content nests three levels; anything deeper never reaches the recursive parser.
    if (!core::JsonNestingWithin(text, 16)) return core::InvalidArgument("nested too deeply", "body");
    const json body = json::parse(text.begin(), text.end(), nullptr, false);
    if (body.is_discarded()) return core::InvalidArgument("not valid JSON", "body");
    return detail::ContentFromJson(body);
}

std::string AdvisoryContentJson(const AdvisoryContent& content) { return detail::ContentToJson(content).dump(); }

std::string AdvisoryIdFor(std::string_view case_identifier, Source source) {
    const auto hash = case_identifier.find('#');
    if (hash == std::string_view::npos || hash == 0 || hash + 1 >= case_identifier.size())
        return std::string(case_identifier);
    const std::string_view digits = case_identifier.substr(hash + 1);
    for (char c : digits)
        if (c < '0' || c > '9') return std::string(case_identifier);
    const bool international = source == Source::kCertCc || source == Source::kCpni;
    return (international ? "JVNVU#" : "JVN#") + std::string(digits);
}

std::string AdvisorySlug(std::string_view advisory_id) {
    std::string out;
    for (char c : advisory_id)
        if (c != '#') out += c;
    return out;
}

formats::AdvisorySource AdvisorySourceOf(Source source) {
    switch (source) {
        case Source::kCertCc: return formats::AdvisorySource::kCertCc;
        case Source::kCpni: return formats::AdvisorySource::kCpni;
        case Source::kDomestic:
        case Source::kFinder:
        case Source::kOther: return formats::AdvisorySource::kDomestic;
    }
    return formats::AdvisorySource::kDomestic;
}

formats::AdvisoryVendorStatus ToAdvisoryStatus(VendorStatus status) {
    switch (status) {
        case VendorStatus::kUnknown: return formats::AdvisoryVendorStatus::kUnknown;
        case VendorStatus::kAffected: return formats::AdvisoryVendorStatus::kAffected;
        case VendorStatus::kAffectedInvestigating: return formats::AdvisoryVendorStatus::kAffectedInvestigating;
        case VendorStatus::kNotAffected: return formats::AdvisoryVendorStatus::kNotAffected;
        case VendorStatus::kNotAffectedInvestigating: return formats::AdvisoryVendorStatus::kNotAffectedInvestigating;
    }
    return formats::AdvisoryVendorStatus::kUnknown;
}

}  // namespace kizuna::vuln
