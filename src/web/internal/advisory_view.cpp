#include "web/internal/advisory_view.hpp"

#include <cctype>

#include "formats/csaf.hpp"
#include "web/i18n.hpp"

namespace kizuna::web::detail {
namespace {

View Bool(bool b) { return b ? View::type::bool_true : View::type::bool_false; }

std::string VendorHref(const vuln::AdvisoryRecord& rec, const std::string& key) {
    return "/advisories/" + rec.slug + "/vendors/" + key;
}

std::string StatusLabel(Lang lang, formats::AdvisoryVendorStatus status) {
    return Translate(lang, "status_" + std::string(AdvisoryStatusName(status)));
}

// Figure 3's fixed wording with the date contact began.
std::string UnreachableNote(SiteServices& s, Lang lang, const formats::AdvisoryVendor& v) {
    std::string note = Translate(lang, "adv_unreachable_note");
    const std::string date = v.unreachable_since ? AdvisoryDate(s, lang, *v.unreachable_since) : "-";
    if (auto p = note.find("{{date}}"); p != std::string::npos) note.replace(p, 8, date);
    return note;
}

std::string VersionsText(const formats::AdvisoryProduct& p) {
    std::string out;
    for (const auto& v : p.versions) out += (out.empty() ? "" : ", ") + v.label;
    return out;
}

}  // namespace

std::optional<std::string_view> FallbackLang(Lang lang, const formats::Localized& text) {
    const std::string& wanted = lang == Lang::kEn ? text.en : text.ja;
    const std::string& other = lang == Lang::kEn ? text.ja : text.en;
    if (!wanted.empty() || other.empty()) return std::nullopt;
    return lang == Lang::kEn ? std::string_view("ja") : std::string_view("en");
}

std::string UntranslatedNote(Lang lang) { return Translate(lang, "public_untranslated"); }

View LocalText(Lang lang, const formats::Localized& text) {
    if (text.Empty()) return Bool(false);
    View out;
    out.set("text", text.In(LangCode(lang)));
    if (auto other = FallbackLang(lang, text)) {
        out.set("text_lang", std::string(*other));
        out.set("untranslated", UntranslatedNote(lang));
    }
    return out;
}

View AdvisoryHeadLinks(Lang lang, const vuln::AdvisoryRecord& rec) {
    View links{View::type::list};
    auto add = [&links](std::string rel, std::string type, std::string href, std::string title, std::string hreflang) {
        View l;
        l.set("rel", std::move(rel));
        if (!type.empty()) l.set("type", std::move(type));
        l.set("href", std::move(href));
        l.set("title", std::move(title));
        if (!hreflang.empty()) l.set("hreflang", std::move(hreflang));
        links.push_back(l);
    };
    // The same advisory in the other language (the page itself switches with ?lang=).
    const Lang other = lang == Lang::kEn ? Lang::kJa : Lang::kEn;
    add("alternate", "text/html", "/advisories/" + rec.slug + "?lang=" + std::string(LangCode(other)),
        Translate(lang, other == Lang::kEn ? "public_link_en" : "public_link_ja"), std::string(LangCode(other)));
    // The machine-readable document is only distributed once published (CSAF provider, 2026/jvn_....json).
    if (rec.doc.published)
        add("alternate", "application/json", "/.well-known/csaf/white/" + formats::CsafDistributionPath(rec.doc),
            Translate(lang, "public_link_csaf"), "en");
    return links;
}

std::string Fill(std::string text, std::initializer_list<std::pair<std::string_view, std::string>> values) {
    for (const auto& [token, value] : values)
        if (auto p = text.find(token); p != std::string::npos) text.replace(p, token.size(), value);
    return text;
}

std::string SeverityClass(const std::string& severity) {
    std::string out;
    for (char c : severity) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string AdvisoryDate(SiteServices& s, Lang lang, core::WallTime t) {
    const std::string local = s.zone.FormatRfc3339Local(t);  // "2026-11-22T11:20:47+09:00"
    if (local.size() < 10) return local;
    if (lang == Lang::kEn) return local.substr(0, 10);
    const int month = std::atoi(local.substr(5, 2).c_str());
    const int day = std::atoi(local.substr(8, 2).c_str());
    return local.substr(0, 4) + "年" + std::to_string(month) + "月" + std::to_string(day) + "日";
}

std::string_view AdvisoryStatusName(formats::AdvisoryVendorStatus status) {
    switch (status) {
        case formats::AdvisoryVendorStatus::kUnknown: return "unknown";
        case formats::AdvisoryVendorStatus::kAffected: return "affected";
        case formats::AdvisoryVendorStatus::kAffectedInvestigating: return "affected_investigating";
        case formats::AdvisoryVendorStatus::kNotAffected: return "not_affected";
        case formats::AdvisoryVendorStatus::kNotAffectedInvestigating: return "not_affected_investigating";
    }
    return "unknown";
}

View AdvisoryView(SiteServices& s, Lang lang, const vuln::AdvisoryRecord& rec) {
    const std::string_view code = LangCode(lang);
    const formats::AdvisoryDoc& d = rec.doc;
    View v;
    v.set("preview", Bool(!d.published));
    if (!rec.publish_at.empty()) {
        auto t = core::ParseRfc3339(rec.publish_at);
        v.set("publish_at", t ? s.zone.FormatMinutes(*t) : rec.publish_at);
    }
    v.set("id", d.id);
    v.set("title", d.title.In(code));
    if (auto other = FallbackLang(lang, d.title)) {
        v.set("title_lang", std::string(*other));
        v.set("title_note", UntranslatedNote(lang));
    }
    v.set("page_title", d.id + " " + d.title.In(code));
    v.set("head_links", AdvisoryHeadLinks(lang, rec));
    v.set("lang_code", std::string(code));
    if (d.published) v.set("csaf_href", "/.well-known/csaf/white/" + formats::CsafDistributionPath(d));
    if (!rec.case_identifier.empty() && rec.case_identifier != d.id) {
        View ids;
        ids.set("case_identifier", rec.case_identifier);
        ids.set("note", Fill(Translate(lang, "public_identifier_note"), {{"{{case}}", rec.case_identifier}, {"{{advisory}}", d.id}}));
        v.set("identifiers", ids);
    }
    v.set("published", AdvisoryDate(s, lang, d.first_published));
    v.set("updated", AdvisoryDate(s, lang, d.last_updated));
    View cves{View::type::list};
    for (const auto& c : d.cve_ids) cves.push_back(View(c));
    v.set("cves", cves);
    v.set("has_cves", Bool(!d.cve_ids.empty()));
    v.set("overview", LocalText(lang, d.overview));
    v.set("affected_systems", LocalText(lang, d.affected_systems));
    v.set("details", LocalText(lang, d.details));
    v.set("impact", LocalText(lang, d.impact));
    v.set("solution", LocalText(lang, d.solution));

    View products{View::type::list};
    View table{View::type::list};
    View unreachable{View::type::list};
    for (const auto& vendor : d.vendors) {
        for (const auto& p : vendor.products) {
            View pv;
            pv.set("vendor", vendor.name.In(code));
            if (auto other = FallbackLang(lang, vendor.name)) pv.set("vendor_lang", std::string(*other));
            pv.set("name", p.name.In(code));
            if (auto other = FallbackLang(lang, p.name)) pv.set("name_lang", std::string(*other));
            pv.set("versions", VersionsText(p));
            products.push_back(pv);
        }
        View row;
        row.set("key", vendor.vendor_key);
        row.set("name", vendor.name.In(code));
        if (auto other = FallbackLang(lang, vendor.name)) row.set("name_lang", std::string(*other));
        row.set("href", VendorHref(rec, vendor.vendor_key));
        if (vendor.unreachable) {
            row.set("note", UnreachableNote(s, lang, vendor));
            unreachable.push_back(row);
            continue;
        }
        row.set("status", StatusLabel(lang, vendor.status));
        row.set("status_name", std::string(AdvisoryStatusName(vendor.status)));
        row.set("comment", LocalText(lang, vendor.comment));
        row.set("url", vendor.announcement_url);
        table.push_back(row);
    }
    v.set("products", products);
    v.set("has_products", Bool(!products.is_empty_list()));
    v.set("show_affected", Bool(!d.affected_systems.Empty() || !products.is_empty_list()));
    v.set("has_table", Bool(!table.is_empty_list()));
    v.set("vendors", table);
    v.set("unreachable", unreachable);
    View statements{View::type::list};
    for (const auto& st : d.vendor_statements) {
        View sv;
        std::string name = st.vendor_key;
        for (const auto& vendor : d.vendors)
            if (vendor.vendor_key == st.vendor_key) name = vendor.name.In(code);
        sv.set("vendor", name);
        sv.set("statement", LocalText(lang, st.text));
        statements.push_back(sv);
    }
    v.set("statements", statements);
    v.set("has_statements", Bool(!d.vendor_statements.empty()));
    v.set("show_vendors", Bool(!d.vendors.empty() || !d.vendor_statements.empty()));

    View refs{View::type::list};
    for (const auto& r : d.references) {
        View rv;
        rv.set("url", r.url);
        const std::string& title = r.title.In(code);
        rv.set("title", title.empty() ? r.url : title);
        if (auto other = FallbackLang(lang, r.title)) rv.set("ref_lang", std::string(*other));
        rv.set("show_url", Bool(!title.empty()));
        refs.push_back(rv);
    }
    v.set("references", refs);
    v.set("has_references", Bool(!d.references.empty()));
    v.set("coordinator_notes", LocalText(lang, d.coordinator_notes));
    v.set("analysis", LocalText(lang, d.analysis.text));
    View cvss{View::type::list};
    char score[16];
    if (d.analysis.cvss_v31) {
        View cv;
        cv.set("version", "CVSS v3.1");
        std::snprintf(score, sizeof score, "%.1f", d.analysis.cvss_v31->base_score);
        cv.set("score", std::string(score));
        cv.set("severity", Translate(lang, "severity_" + d.analysis.cvss_v31->severity));
        cv.set("severity_name", SeverityClass(d.analysis.cvss_v31->severity));
        cv.set("vector", d.analysis.cvss_v31->vector);
        cvss.push_back(cv);
    }
    if (d.analysis.cvss_v40) {
        View cv;
        cv.set("version", "CVSS v4.0");
        std::snprintf(score, sizeof score, "%.1f", d.analysis.cvss_v40->score);
        cv.set("score", std::string(score));
        cv.set("severity", Translate(lang, "severity_" + d.analysis.cvss_v40->severity));
        cv.set("severity_name", SeverityClass(d.analysis.cvss_v40->severity));
        cv.set("vector", d.analysis.cvss_v40->vector);
        cvss.push_back(cv);
    }
    v.set("cvss", cvss);
    v.set("has_cvss", Bool(!cvss.is_empty_list()));
    v.set("show_analysis", Bool(!d.analysis.text.Empty() || !cvss.is_empty_list()));
    v.set("acknowledgements", LocalText(lang, d.acknowledgements));
    View related{View::type::list};
    for (const auto& r : d.related) {
        View rv;
        std::string label = r.id;
        const std::string& title = r.title.In(code);
        if (!title.empty()) label += (label.empty() ? "" : " ") + title;
        if (label.empty()) label = r.url;
        rv.set("label", label);
        if (auto other = FallbackLang(lang, r.title)) rv.set("label_lang", std::string(*other));
        rv.set("url", r.url);
        related.push_back(rv);
    }
    v.set("related", related);
    v.set("has_related", Bool(!d.related.empty()));
    View history{View::type::list};
    for (const auto& h : d.revisions) {
        View hv;
        hv.set("date", AdvisoryDate(s, lang, h.date));
        hv.set("text", h.summary.In(code));
        if (auto other = FallbackLang(lang, h.summary)) hv.set("text_lang", std::string(*other));
        history.push_back(hv);
    }
    v.set("history", history);
    v.set("has_history", Bool(!d.revisions.empty()));
    return v;
}

std::optional<View> AdvisoryVendorView(SiteServices& s, Lang lang, const vuln::AdvisoryRecord& rec,
                                       std::string_view vendor_key) {
    const std::string_view code = LangCode(lang);
    const formats::AdvisoryDoc& d = rec.doc;
    const formats::AdvisoryVendor* vendor = nullptr;
    for (const auto& v : d.vendors)
        if (v.vendor_key == vendor_key) vendor = &v;
    if (!vendor) return std::nullopt;
    View v;
    v.set("preview", Bool(!d.published));
    v.set("id", d.id);
    v.set("advisory_href", "/advisories/" + rec.slug);
    v.set("title", d.title.In(code));
    std::string heading = Translate(lang, "adv_vendor_heading");
    for (auto [token, value] : {std::pair<std::string_view, std::string>{"{{vendor}}", vendor->name.In(code)}, {"{{id}}", d.id}})
        if (auto p = heading.find(token); p != std::string::npos) heading.replace(p, token.size(), value);
    v.set("heading", heading);
    v.set("status", StatusLabel(lang, vendor->status));
    v.set("status_name", std::string(AdvisoryStatusName(vendor->status)));
    if (vendor->unreachable) {
        View u;
        u.set("note", UnreachableNote(s, lang, *vendor));
        v.set("unreachable", u);
    }
    v.set("comment", LocalText(lang, vendor->comment));
    v.set("url", vendor->announcement_url);
    for (const auto& st : d.vendor_statements)
        if (st.vendor_key == vendor_key) v.set("statement", LocalText(lang, st.text));
    v.set("page_title", heading);
    View history{View::type::list};
    for (const auto& [key, entries] : rec.vendor_history) {
        if (key != vendor_key) continue;
        for (const auto& h : entries) {
            View hv;
            hv.set("date", AdvisoryDate(s, lang, h.date));
            hv.set("text", h.summary.In(code));
            if (auto other = FallbackLang(lang, h.summary)) hv.set("text_lang", std::string(*other));
            history.push_back(hv);
        }
    }
    v.set("history", history);
    return v;
}

}  // namespace kizuna::web::detail
