// Advisory pages (seed 001 6-3, figures 1-3; V14, V15): the public list with search, the advisory page,
// the per-vendor page, and the coordinator's editor on the case. While the case is embargoed the same
// advisory URL renders the preview for coordinators and 404 for everyone else (vuln::AdvisoryService
// decides through auth::Authorize); after the release it is public.
//
// Anonymous advisory pages are rendered once per (advisory, language) and served from memory, revalidated
// against AdvisoryService::PublicStamp (revision, release, every case event) at most once a second.
#include <algorithm>
#include <map>
#include <memory>
#include <mutex>

#include "web/internal/advisory_view.hpp"
#include "vuln/report_followup.hpp"
#include "web/internal/handlers.hpp"
#include "web/internal/labels.hpp"

namespace kizuna::web::detail {
namespace {

// Rendered anonymous advisory pages by (language, id). An entry's stamp is re-read at most once a second:
// a release needs no revalidation (an unpublished advisory is never cached, so the first hit after the
// instant renders it), and a later revision or vendor report (V15) shows within a second.
class RenderedAdvisories {
  public:
    static constexpr std::size_t kMaxEntries = 4000;
    static constexpr std::chrono::seconds kRevalidateAfter{1};

    struct Entry {
        std::shared_ptr<const std::string> html;
        std::string stamp;
        core::SteadyTime checked;
    };

    std::optional<Entry> Find(const std::string& key) {
        std::lock_guard lock(mu_);
        if (auto it = pages_.find(key); it != pages_.end()) return it->second;
        return std::nullopt;
    }
    void Put(const std::string& key, Entry entry) {
        std::lock_guard lock(mu_);
        if (pages_.size() >= kMaxEntries) pages_.clear();
        pages_[key] = std::move(entry);
    }
    void Touch(const std::string& key, core::SteadyTime now) {
        std::lock_guard lock(mu_);
        if (auto it = pages_.find(key); it != pages_.end()) it->second.checked = now;
    }

  private:
    std::mutex mu_;
    std::map<std::string, Entry> pages_;
};

http::Response AdvisoryError(http::Request& req, SiteServices& s, const core::Error& e) {
    if (e.code() == core::ErrorCode::kNotFound || e.code() == core::ErrorCode::kUnauthenticated)
        return ErrorPage(req, s, 404);
    if (e.code() == core::ErrorCode::kInvalidArgument) return ErrorPage(req, s, 404);
    s.log.Error("advisory page failed", {{"error", e.ToString()}, {"path", req.path}});
    return ErrorPage(req, s, 500);
}

std::string Replace(std::string text, std::string_view token, const std::string& value) {
    if (auto p = text.find(token); p != std::string::npos) text.replace(p, token.size(), value);
    return text;
}

struct TextField {
    const char* name;
    formats::Localized vuln::AdvisoryContent::*member;
    bool line;
    int rows;
};

constexpr TextField kTextFields[] = {
    {"title", &vuln::AdvisoryContent::title, true, 1},
    {"overview", &vuln::AdvisoryContent::overview, false, 4},
    {"affected_systems", &vuln::AdvisoryContent::affected_systems, false, 4},
    {"details", &vuln::AdvisoryContent::details, false, 6},
    {"impact", &vuln::AdvisoryContent::impact, false, 3},
    {"solution", &vuln::AdvisoryContent::solution, false, 4},
    {"coordinator_notes", &vuln::AdvisoryContent::coordinator_notes, false, 3},
    {"analysis", &vuln::AdvisoryContent::analysis, false, 3},
    {"acknowledgements", &vuln::AdvisoryContent::acknowledgements, false, 2},
};

std::vector<std::string> Words(std::string_view line) {
    std::vector<std::string> out;
    std::string word;
    for (char c : line) {
        if (c == ' ' || c == '\t' || c == ',' || c == '\r') {
            if (!word.empty()) out.push_back(std::move(word));
            word.clear();
        } else {
            word += c;
        }
    }
    if (!word.empty()) out.push_back(std::move(word));
    return out;
}

std::vector<std::string> FormLines(const std::string& text) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        std::size_t nl = text.find('\n', pos);
        std::string line = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
        if (!line.empty()) out.push_back(line);
        if (nl == std::string::npos) break;
        pos = nl + 1;
    }
    return out;
}

bool IsUrl(std::string_view s) { return s.starts_with("https://") || s.starts_with("http://"); }

// "URL title words" per line.
std::string ReferencesText(const std::vector<formats::AdvisoryReference>& refs) {
    std::string out;
    for (const auto& r : refs) out += r.url + (r.title.ja.empty() ? "" : " " + r.title.ja) + "\n";
    return out;
}
// "ID URL title words" per line, each part optional.
std::string RelatedText(const std::vector<formats::RelatedDocument>& related) {
    std::string out;
    for (const auto& r : related) {
        std::string line = r.id;
        if (!r.url.empty()) line += (line.empty() ? "" : " ") + r.url;
        if (!r.title.ja.empty()) line += (line.empty() ? "" : " ") + r.title.ja;
        out += line + "\n";
    }
    return out;
}

constexpr int kMaxProductRows = 200;

std::vector<std::string> SplitVersions(const std::string& text) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        const std::size_t sep = text.find(';', pos);
        std::string item = text.substr(pos, sep == std::string::npos ? std::string::npos : sep - pos);
        const auto b = item.find_first_not_of(" \t");
        if (b != std::string::npos) out.push_back(item.substr(b, item.find_last_not_of(" \t") - b + 1));
        if (sep == std::string::npos) break;
        pos = sep + 1;
    }
    return out;
}

// Product rows of the editor (prod_rows rows of prod_<field>_<i>): a row with an empty product id or its
// remove box ticked is left out. Versions are ';'-separated labels; "fixed in" goes on every range (or
// makes one, "< fixed", when no version is named).
void ApplyProductRows(http::Request& req, vuln::AdvisoryContent& c) {
    c.products.clear();
    const int rows = std::clamp(std::atoi(req.Form("prod_rows").value_or("0").c_str()), 0, kMaxProductRows);
    for (int i = 0; i < rows; ++i) {
        const std::string n = "_" + std::to_string(i);
        const std::string key = req.Form("prod_key" + n).value_or("");
        if (key.find_first_not_of(" \t") == std::string::npos || req.Form("prod_remove" + n)) continue;
        vuln::AdvisoryProductInput p;
        p.vendor = vuln::VendorId(std::atoll(req.Form("prod_vendor" + n).value_or("0").c_str()));
        p.product.product_key = key;
        p.product.name = {req.Form("prod_name_ja" + n).value_or(""), req.Form("prod_name_en" + n).value_or("")};
        const std::string fixed = req.Form("prod_fixed" + n).value_or("");
        for (const auto& label : SplitVersions(req.Form("prod_versions" + n).value_or("")))
            p.product.versions.push_back({label, "", fixed, ""});
        if (p.product.versions.empty() && fixed.find_first_not_of(" \t") != std::string::npos)
            p.product.versions.push_back({"< " + fixed, "", fixed, ""});
        c.products.push_back(std::move(p));
    }
}

// The form's fields onto the stored content, product rows included. Vendor statements come from one
// pair of fields per vendor of the case (statement_<vendor id>_ja / _en); an empty pair removes it.
void ApplyForm(http::Request& req, vuln::AdvisoryContent& c, const std::vector<vuln::CaseVendor>& vendors) {
    ApplyProductRows(req, c);
    c.vendor_statements.clear();
    for (const auto& v : vendors) {
        if (v.level != vuln::Level::kDetail) continue;
        const std::string base = "statement_" + std::to_string(v.vendor.value());
        formats::Localized text{req.Form(base + "_ja").value_or(""), req.Form(base + "_en").value_or("")};
        if (text.ja.find_first_not_of(" \r\n\t") != std::string::npos ||
            text.en.find_first_not_of(" \r\n\t") != std::string::npos)
            c.vendor_statements.push_back({v.vendor, std::move(text)});
    }
    for (const auto& f : kTextFields) {
        (c.*f.member).ja = req.Form(std::string(f.name) + "_ja").value_or("");
        (c.*f.member).en = req.Form(std::string(f.name) + "_en").value_or("");
    }
    c.cvss31_vector = req.Form("cvss_v31").value_or("");
    c.cvss40_vector = req.Form("cvss_v40").value_or("");
    c.cve_ids = Words(req.Form("cve_ids").value_or(""));
    c.references.clear();
    for (const auto& line : FormLines(req.Form("references").value_or(""))) {
        const auto sp = line.find(' ');
        formats::AdvisoryReference r;
        r.url = line.substr(0, sp);
        if (sp != std::string::npos) r.title.ja = line.substr(sp + 1);
        c.references.push_back(std::move(r));
    }
    c.related.clear();
    for (const auto& line : FormLines(req.Form("related").value_or(""))) {
        formats::RelatedDocument r;
        std::string rest = line;
        auto take = [&rest]() {
            const auto sp = rest.find(' ');
            std::string first = rest.substr(0, sp);
            rest = sp == std::string::npos ? "" : rest.substr(sp + 1);
            return first;
        };
        std::string first = take();
        if (IsUrl(first)) {
            r.url = first;
        } else {
            r.id = first;
            if (IsUrl(rest.substr(0, rest.find(' ')))) r.url = take();
        }
        r.title.ja = rest;
        c.related.push_back(std::move(r));
    }
}

// The affected-product rows: every product of the content, then `blank` empty rows; each row's vendor is
// chosen among the vendors that received the details (plus any vendor a product already names).
View ProductRows(Lang lang, const vuln::AdvisoryContent& content, const std::vector<vuln::CaseVendor>& vendors,
                 int blank) {
    View rows{View::type::list};
    auto options = [&](std::optional<vuln::VendorId> selected) {
        View list{View::type::list};
        bool found = false;
        for (const auto& v : vendors) {
            if (v.level != vuln::Level::kDetail && !(selected && *selected == v.vendor)) continue;
            View o;
            o.set("value", std::to_string(v.vendor.value()));
            o.set("label", v.name);
            const bool is = selected && *selected == v.vendor;
            found = found || is;
            o.set("selected", is ? View::type::bool_true : View::type::bool_false);
            list.push_back(o);
        }
        if (selected && !found) {
            View o;
            o.set("value", std::to_string(selected->value()));
            o.set("label", "#" + std::to_string(selected->value()));
            o.set("selected", View::type::bool_true);
            list.push_back(o);
        }
        return list;
    };
    auto status_of = [&](vuln::VendorId id) {
        for (const auto& v : vendors)
            if (v.vendor == id) return CodeLabel(lang, "vendor_status", vuln::Name(v.status));
        return std::string();
    };
    int index = 0;
    for (const auto& p : content.products) {
        View r;
        r.set("i", std::to_string(index++));
        r.set("vendors", options(p.vendor));
        r.set("key", p.product.product_key);
        r.set("name_ja", p.product.name.ja);
        r.set("name_en", p.product.name.en);
        std::string versions, fixed;
        for (const auto& v : p.product.versions) {
            if (v.label == "< " + v.fixed && p.product.versions.size() == 1) {
                fixed = v.fixed;
                break;
            }
            versions += (versions.empty() ? "" : "; ") + v.label;
            if (fixed.empty()) fixed = v.fixed;
        }
        r.set("versions", versions);
        r.set("fixed", fixed);
        r.set("status", status_of(p.vendor));
        r.set("existing", View::type::bool_true);
        rows.push_back(r);
    }
    for (int b = 0; b < blank; ++b) {
        View r;
        r.set("i", std::to_string(index++));
        r.set("vendors", options(std::nullopt));
        r.set("existing", View::type::bool_false);
        rows.push_back(r);
    }
    return rows;
}

View ReviewPanel(SiteServices& s, Lang lang, vuln::CaseId id, const vuln::Caller& caller) {
    View view;
    const vuln::ReportThrottle throttle{s.config.vuln.report_max_per_window,
                                        std::chrono::minutes(s.config.vuln.report_window_minutes)};
    vuln::ReportFollowUp follow(s.db, s.clock, s.audit, s.cases, throttle);
    auto review = follow.Review(id, caller);
    if (!review.ok()) return view;
    if (review->has_wishes) {
        View w;
        w.set("ack", CodeLabel(lang, "review_ack", vuln::Name(review->ack)));
        if (!review->ack_name.empty()) w.set("ack_name", review->ack_name);
        w.set("contacted", Translate(lang, review->vendor_contacted ? "review_contacted_yes" : "review_contacted_no"));
        if (!review->vendor_contacted_which.empty()) w.set("contacted_which", review->vendor_contacted_which);
        w.set("key", review->reply_key_fingerprint.empty() ? Translate(lang, "review_editor_no_key")
                                                           : review->reply_key_fingerprint);
        view.set("wishes", w);
    }
    auto list = [&](const std::vector<vuln::DraftComment>& items) {
        View out{View::type::list};
        for (const auto& c : items) {
            View row;
            auto t = core::ParseRfc3339(c.at);
            row.set("at", t ? s.zone.FormatMinutes(*t) : c.at);
            row.set("who", c.vendor.empty() ? Translate(lang, c.approved ? "review_feedback_approved"
                                                                         : "review_feedback_comment")
                                            : c.vendor + " (" + c.author + ")");
            row.set("revision", std::to_string(c.revision));
            row.set("body", c.body);
            out.push_back(row);
        }
        return out;
    };
    view.set("vendor_comments", list(review->vendor_comments));
    view.set("has_vendor_comments", review->vendor_comments.empty() ? View::type::bool_false : View::type::bool_true);
    view.set("reporter_feedback", list(review->reporter_feedback));
    view.set("has_reporter_feedback",
             review->reporter_feedback.empty() ? View::type::bool_false : View::type::bool_true);
    return view;
}

http::Response EditorPage(http::Request& req, SiteServices& s, vuln::CaseId id, const vuln::AdvisoryContent* submitted,
                          const std::string& error, int status, const std::string& products_error = "",
                          int blank_rows = 1) {
    const Lang lang = Context(req).lang;
    const vuln::Caller caller = CallerFor(req, s);
    auto kase = s.cases.Get(id, caller);
    if (!kase.ok()) return AdvisoryError(req, s, kase.error());
    auto existing = s.advisories.ForCase(id, caller);
    if (!existing.ok()) return AdvisoryError(req, s, existing.error());
    vuln::AdvisoryContent content;
    if (submitted) {
        content = *submitted;
    } else if (*existing) {
        content = (*existing)->content;
    } else {
        content.title = {kase->title, ""};
        content.overview = {kase->summary, ""};
    }
    View view;
    view.set("case_id", std::to_string(id.value()));
    view.set("case_identifier", kase->identifier);
    view.set("csrf", Context(req).session ? Context(req).session->csrf_token : "");
    if (*existing) {
        view.set("id", (*existing)->doc.id);
        view.set("slug", UrlEncode((*existing)->slug));
        view.set("revision", std::to_string((*existing)->revision));
        view.set("published", (*existing)->doc.published ? View::type::bool_true : View::type::bool_false);
    }
    View fields{View::type::list};
    for (const auto& f : kTextFields) {
        View fv;
        fv.set("name", f.name);
        fv.set("label", Translate(lang, std::string("adv_field_") + f.name));
        fv.set("ja", (content.*f.member).ja);
        fv.set("en", (content.*f.member).en);
        fv.set("line", f.line ? View::type::bool_true : View::type::bool_false);
        fv.set("rows", std::to_string(f.rows));
        fields.push_back(fv);
    }
    view.set("fields", fields);
    view.set("cvss_v31", content.cvss31_vector);
    view.set("cvss_v40", content.cvss40_vector);
    std::string cves;
    for (const auto& c : content.cve_ids) cves += (cves.empty() ? "" : ", ") + c;
    view.set("cve_ids", cves);
    view.set("references", ReferencesText(content.references));
    view.set("related", RelatedText(content.related));
    View statements{View::type::list};
    for (const auto& v : kase->vendors) {
        if (v.level != vuln::Level::kDetail) continue;  // only vendors in the public table make statements
        View sv;
        sv.set("vendor_id", std::to_string(v.vendor.value()));
        sv.set("name", v.name);
        for (const auto& st : content.vendor_statements) {
            if (st.vendor != v.vendor) continue;
            sv.set("ja", st.text.ja);
            sv.set("en", st.text.en);
        }
        statements.push_back(sv);
    }
    view.set("statements", statements);
    view.set("has_statements", statements.is_empty_list() ? View::type::bool_false : View::type::bool_true);
    View rows = ProductRows(lang, content, kase->vendors, blank_rows);
    view.set("prod_rows", std::to_string(content.products.size() + static_cast<std::size_t>(blank_rows)));
    view.set("products", rows);
    bool any_detail = false;
    for (const auto& v : kase->vendors) any_detail = any_detail || v.level == vuln::Level::kDetail;
    view.set("no_detail_vendors", any_detail ? View::type::bool_false : View::type::bool_true);
    if (!products_error.empty()) view.set("products_error", products_error);
    view.set("review", ReviewPanel(s, lang, id, caller));
    if (req.Query("done")) view.set("done", View::type::bool_true);
    if (!error.empty()) view.set("error", error);
    View revisions{View::type::list};
    if (auto list = s.advisories.Revisions(id, caller); list.ok()) {
        for (const auto& r : *list) {
            View rv;
            rv.set("revision", std::to_string(r.revision));
            auto t = core::ParseRfc3339(r.at);
            rv.set("at", t ? s.zone.FormatMinutes(*t) : r.at);
            rv.set("actor", r.actor);
            rv.set("note", r.note);
            rv.set("after", r.after_publication ? View::type::bool_true : View::type::bool_false);
            revisions.push_back(rv);
        }
        view.set("has_revisions", list->empty() ? View::type::bool_false : View::type::bool_true);
    }
    view.set("revisions", revisions);
    http::Response r = RenderPage(req, s, "advisory_edit", "adv_edit_heading", std::move(view), status);
    r.SetHeader("Cache-Control", "no-store");
    return r;
}

}  // namespace

void AddAdvisoryPages(http::Router& router, SiteServices& s) {
    // Anonymous advisory pages, per Site (held by the route), revalidated against the advisory's stamp.
    auto rendered = std::make_shared<RenderedAdvisories>();
    router.Add("GET", "/advisories", [](http::Request&) { return http::Response::Redirect("/advisories/"); });

    router.Add("GET", "/advisories/", [&s](http::Request& req) {
        if (auto denied = Check(req, auth::Action::kView, {auth::ResourceKind::kPublicPage}, false)) return *denied;
        const Lang lang = Context(req).lang;
        vuln::AdvisorySearch q;
        q.text = req.Query("q").value_or("");
        if (q.text.size() > 200) q.text.resize(200);
        q.page = std::max(1, std::atoi(req.Query("page").value_or("1").c_str()));
        q.per_page = 20;
        auto page = s.advisories.Search(q);
        if (!page.ok()) return AdvisoryError(req, s, page.error());
        View items{View::type::list};
        for (const auto& a : page->items) {
            View row;
            row.set("id", a.id);
            row.set("slug", UrlEncode(a.slug));
            row.set("title", a.title.In(LangCode(lang)));
            if (auto other = FallbackLang(lang, a.title)) row.set("title_lang", std::string(*other));
            View cves{View::type::list};
            for (const auto& c : a.cve_ids) cves.push_back(View(c));
            row.set("cves", cves);
            View vendors{View::type::list};
            for (std::size_t i = 0; i < a.vendor_names.size(); ++i) {
                const formats::Localized& v = a.vendor_names[i];
                View vv;
                vv.set("more", i + 1 < a.vendor_names.size() ? View::type::bool_true : View::type::bool_false);
                vv.set("name", v.In(LangCode(lang)));
                if (auto other = FallbackLang(lang, v)) vv.set("name_lang", std::string(*other));
                vendors.push_back(vv);
            }
            row.set("vendors", vendors);
            if (a.cvss_score >= 0) {
                View cvss;
                char score[16];
                std::snprintf(score, sizeof score, "%.1f", a.cvss_score);
                cvss.set("score", std::string(score));
                cvss.set("version", "CVSS v" + a.cvss_version);
                cvss.set("severity", Translate(lang, "severity_" + a.severity));
                cvss.set("severity_name", SeverityClass(a.severity));
                row.set("cvss", cvss);
            }
            row.set("published", AdvisoryDate(s, lang, a.first_published));
            row.set("updated", AdvisoryDate(s, lang, a.last_updated));
            items.push_back(row);
        }
        View view;
        view.set("items", items);
        view.set("lang_code", std::string(LangCode(lang)));
        view.set("q", q.text);
        view.set("count_text", Replace(Translate(lang, "adv_count"), "{{n}}", std::to_string(page->total)));
        const int pages = std::max(1, (page->total + page->per_page - 1) / page->per_page);
        view.set("page_text", std::to_string(page->page) + " / " + std::to_string(pages));
        const std::string base = "/advisories/?q=" + UrlEncode(q.text) + "&page=";
        if (page->page > 1) view.set("prev", base + std::to_string(page->page - 1));
        if (page->page < pages) view.set("next", base + std::to_string(page->page + 1));
        return RenderPage(req, s, "advisories", "adv_list_heading", std::move(view));
    });

    router.Add("GET", "/advisories/{id}", [&s, rendered](http::Request& req) {
        RequestContext& ctx = Context(req);
        const std::string id(req.Param("id"));
        std::string key, stamp;
        if (!ctx.principal) {
            key = std::string(LangCode(ctx.lang)) + "|" + id;
            const core::SteadyTime now = s.clock.Steady();
            auto cached = rendered->Find(key);
            if (cached && now - cached->checked < RenderedAdvisories::kRevalidateAfter)
                return FinishPage(req, *cached->html, 200);
            // Only published advisories have a stamp; anything else falls through to the service's answer.
            if (auto current = s.advisories.PublicStamp(id); current.ok()) {
                stamp = std::move(*current);
                if (cached && cached->stamp == stamp) {
                    rendered->Touch(key, now);
                    return FinishPage(req, *cached->html, 200);
                }
            }
        }
        auto rec = s.advisories.Get(CallerFor(req, s), id);
        if (!rec.ok()) return AdvisoryError(req, s, rec.error());
        std::string html = RenderHtml(req, "advisory", "adv_page_title", AdvisoryView(s, ctx.lang, *rec));
        if (!stamp.empty() && rec->doc.published)
            rendered->Put(key, {std::make_shared<const std::string>(html), stamp, s.clock.Steady()});
        http::Response r = FinishPage(req, std::move(html), 200);
        if (!rec->doc.published) r.SetHeader("Cache-Control", "no-store");
        return r;
    });

    router.Add("GET", "/advisories/{id}/vendors/{vendor}", [&s](http::Request& req) {
        RequestContext& ctx = Context(req);
        auto rec = s.advisories.Get(CallerFor(req, s), req.Param("id"));
        if (!rec.ok()) return AdvisoryError(req, s, rec.error());
        auto view = AdvisoryVendorView(s, ctx.lang, *rec, req.Param("vendor"));
        if (!view) return ErrorPage(req, s, 404);
        http::Response r = RenderPage(req, s, "advisory_vendor", "adv_vendor_page_title", std::move(*view));
        if (!rec->doc.published) r.SetHeader("Cache-Control", "no-store");
        return r;
    });

    // The coordinator's editor on the case (coordinators only: everyone else 404, anonymous to the login).
    router.Add("GET", "/cases/{id}/advisory", [&s](http::Request& req) {
        if (!Context(req).principal) return http::Response::Redirect("/login?next=" + req.path);
        auto id = CaseIdParam(req, s);
        if (!id.ok()) return AdvisoryError(req, s, id.error());
        return EditorPage(req, s, *id, nullptr, "", 200);
    });

    router.Add("POST", "/cases/{id}/advisory", [&s](http::Request& req) {
        RequestContext& ctx = Context(req);
        if (!ctx.principal) return http::Response::Redirect("/login");
        if (!CsrfValid(req)) return ErrorPage(req, s, 403);
        auto id = CaseIdParam(req, s);
        if (!id.ok()) return AdvisoryError(req, s, id.error());
        const vuln::Caller caller = CallerFor(req, s);
        auto existing = s.advisories.ForCase(*id, caller);
        if (!existing.ok()) return AdvisoryError(req, s, existing.error());
        auto kase = s.cases.Get(*id, caller);
        if (!kase.ok()) return AdvisoryError(req, s, kase.error());
        vuln::AdvisoryContent content = *existing ? (*existing)->content : vuln::AdvisoryContent{};
        ApplyForm(req, content, kase->vendors);
        // "Add a product row": show the form again as typed, with more empty rows, without saving.
        if (req.Form("more")) return EditorPage(req, s, *id, &content, "", 200, "", 3);
        const formats::Localized note{req.Form("note_ja").value_or(""), req.Form("note_en").value_or("")};
        auto saved = s.advisories.Save(*id, content, note, caller);
        if (!saved.ok()) {
            if (saved.error().code() != core::ErrorCode::kInvalidArgument) return AdvisoryError(req, s, saved.error());
            if (saved.error().field().starts_with("products"))
                return EditorPage(req, s, *id, &content, "", 422, Translate(Context(req).lang, "review_err_product_row"));
            const std::string msg = (saved.error().field().empty() ? "" : saved.error().field() + ": ") + saved.error().message();
            return EditorPage(req, s, *id, &content, msg, 422);
        }
        return http::Response::Redirect("/cases/" + std::to_string(id->value()) + "/advisory?done=1");
    });
}

}  // namespace kizuna::web::detail
