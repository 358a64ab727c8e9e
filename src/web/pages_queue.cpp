// The coordinators' work queue (issue 13): the dashboard (my cases, unowned new reports, cases waiting on
// me, overdue cases, messages not yet answered), the case list (/cases: filters, sorting, pages; the vendor
// portal and a reporter's own reports for other roles) and the owner form (POST /cases/{id}/owner).
// The rules — what is due when, what waits on whom — are vuln::CaseQueue's; this file renders.
#include <algorithm>
#include <memory>

#include "web/internal/handlers.hpp"
#include "web/internal/labels.hpp"

namespace kizuna::web::detail {
namespace {

constexpr int kPerPage = 25;

vuln::ResponseDays DaysFrom(const core::Config& config) {
    return {config.vuln.response_days_received, config.vuln.response_days_verified,
            config.vuln.response_days_coordinating};
}

View Bool(bool b) { return b ? View::type::bool_true : View::type::bool_false; }

http::Response QueueError(http::Request& req, SiteServices& s, const core::Error& e) {
    if (e.code() == core::ErrorCode::kUnauthenticated) return http::Response::Redirect("/login?next=" + req.path);
    if (e.code() == core::ErrorCode::kNotFound) return ErrorPage(req, s, 404);
    if (e.code() == core::ErrorCode::kPermissionDenied) return ErrorPage(req, s, 403);
    s.log.Error("work queue page failed", {{"error", e.ToString()}, {"path", req.path}});
    return ErrorPage(req, s, 500);
}

// The newest audit entries, for the dashboard's "recent activity".
View AuditRows(SiteServices& s, store::Connection& conn, int limit, Lang lang) {
    View rows{View::type::list};
    auto recent = auth::AuditLog::Recent(conn, limit);
    if (!recent.ok()) return rows;
    for (const auto& r : *recent) {
        View row;
        row.set("seq", std::to_string(r.seq));
        row.set("at", r.at);
        auto t = core::ParseRfc3339(r.at);
        row.set("at_local", t ? s.zone.FormatMinutes(*t) : r.at);
        row.set("actor", r.entry.actor);
        row.set("action_label", AuditActionLabel(lang, r.entry.action));
        row.set("object", AuditObjectLabel(conn, lang, r.entry.object));
        row.set("remote_ip", r.entry.remote_ip);
        rows.push_back(row);
    }
    return rows;
}

std::string Local(SiteServices& s, const std::string& rfc3339) {
    auto t = core::ParseRfc3339(rfc3339);
    return t ? s.zone.FormatMinutes(*t) : rfc3339;
}

View CaseRow(SiteServices& s, Lang lang, const vuln::QueueCase& c, core::WallTime now) {
    View row;
    row.set("id", std::to_string(c.id.value()));
    row.set("identifier", c.identifier);
    row.set("title", c.title);
    row.set("state_label", CodeLabel(lang, "case_state", vuln::Name(c.state)));
    row.set("source_label", CodeLabel(lang, "source", vuln::Name(c.source)));
    row.set("verification_label", CodeLabel(lang, "verification", vuln::Name(c.verification)));
    row.set("owner", c.owner ? c.owner_display_name : Translate(lang, "admin_owner_none"));
    row.set("owned", Bool(c.owner.has_value()));
    row.set("vendor_count", std::to_string(c.vendor_count));
    row.set("updated", s.zone.FormatMinutes(c.last_activity));
    row.set("created", Local(s, c.created_at));
    row.set("due", c.due ? s.zone.FormatMinutes(*c.due) : Translate(lang, "admin_due_none"));
    row.set("overdue", Bool(c.overdue));
    if (c.overdue && c.due) {
        const auto late = std::chrono::duration_cast<std::chrono::hours>(now - *c.due).count();
        const auto days_late = std::max<std::int64_t>(1, (late + 23) / 24);  // begun days: an hour late is a day late
        std::string late_text = Translate(lang, "admin_days_late");
        if (auto at = late_text.find("{n}"); at != std::string::npos) late_text.replace(at, 3, std::to_string(days_late));
        row.set("late", late_text);
    }
    View reasons{View::type::list};
    auto reason = [&](const char* key, int n) {
        if (n <= 0) return;
        View r;
        r.set("text", Translate(lang, key) + " " + std::to_string(n));
        reasons.push_back(r);
    };
    reason("admin_reason_messages", c.unanswered_threads);
    reason("admin_reason_requests", c.open_requests);
    if (c.overdue) {
        View r;
        r.set("text", Translate(lang, "admin_reason_overdue"));
        reasons.push_back(r);
    }
    row.set("reasons", reasons);
    return row;
}

View CaseRows(SiteServices& s, Lang lang, const std::vector<vuln::QueueCase>& list, core::WallTime now) {
    View rows{View::type::list};
    for (const auto& c : list) rows.push_back(CaseRow(s, lang, c, now));
    return rows;
}

// The sender of a message in words: the vendor's name, "the reporter", or the role.
std::string FromLabel(Lang lang, const vuln::UnansweredMessage& m) {
    if (!m.vendor_name.empty()) return m.vendor_name;
    if (m.thread == "reporter") return Translate(lang, "admin_from_reporter");
    return Translate(lang, "role_" + m.author_role);
}

std::string ResponseDaysText(Lang lang, const vuln::ResponseDays& d) {
    auto part = [&](vuln::CaseState st, int n) {
        return CodeLabel(lang, "case_state", vuln::Name(st)) + " " + std::to_string(n) + Translate(lang, "admin_days_unit");
    };
    return part(vuln::CaseState::kReceived, d.received) + " / " + part(vuln::CaseState::kVerified, d.verified) + " / " +
           part(vuln::CaseState::kCoordinating, d.coordinating);
}

// A link to /cases with the current filters and one parameter changed.
struct ListParams {
    std::string state, source, owner, vendor, q, sort, dir;
    int page = 1;
    std::string Href(std::string_view key, const std::string& value) const {
        ListParams p = *this;
        if (key == "sort") {
            p.dir = (p.sort == value && p.dir == "desc") ? "asc" : "desc";
            p.sort = value;
            p.page = 1;
        } else if (key == "page") {
            p.page = std::stoi(value);
        }
        std::string out = "/cases?";
        auto add = [&](const char* k, const std::string& v) {
            if (v.empty()) return;
            if (out.back() != '?') out += '&';
            out += k;
            out += '=';
            out += UrlEncode(v);
        };
        add("state", p.state);
        add("source", p.source);
        add("owner", p.owner);
        add("vendor", p.vendor);
        add("q", p.q);
        add("sort", p.sort);
        add("dir", p.dir);
        if (p.page > 1) add("page", std::to_string(p.page));
        if (out.back() == '?') out.pop_back();
        return out;
    }
};

View Options(Lang lang, std::string_view kind, std::initializer_list<const char*> codes, const std::string& chosen) {
    View list{View::type::list};
    for (const char* code : codes) {
        View o;
        o.set("value", code);
        o.set("label", CodeLabel(lang, kind, code));
        o.set("selected", Bool(chosen == code));
        list.push_back(o);
    }
    return list;
}

http::Response StaffCaseList(http::Request& req, SiteServices& s, vuln::CaseQueue& queue, const vuln::Caller& caller) {
    const Lang lang = Context(req).lang;
    ListParams p;
    p.state = req.Query("state").value_or("");
    p.source = req.Query("source").value_or("");
    p.owner = req.Query("owner").value_or("");
    p.vendor = req.Query("vendor").value_or("");
    p.q = req.Query("q").value_or("");
    p.sort = req.Query("sort").value_or("id");
    p.dir = req.Query("dir").value_or("desc");
    vuln::CaseQuery q;
    if (auto st = vuln::ParseCaseState(p.state); st.ok()) q.state = *st; else p.state.clear();
    if (auto src = vuln::ParseSource(p.source); src.ok()) q.source = *src; else p.source.clear();
    q.owner = p.owner.size() <= 64 ? p.owner : "";
    if (!p.vendor.empty()) {
        char* end = nullptr;
        const long long v = std::strtoll(p.vendor.c_str(), &end, 10);
        if (*end == '\0' && v > 0) q.vendor = vuln::VendorId(v); else p.vendor.clear();
    }
    q.text = p.q.substr(0, 200);
    auto sort = vuln::ParseCaseSort(p.sort);
    if (!sort) p.sort = "id";
    q.sort = sort.value_or(vuln::CaseSort::kId);
    if (p.dir != "asc") p.dir = "desc";
    q.descending = p.dir == "desc";
    const std::string page_text = req.Query("page").value_or("1");
    q.page = page_text.size() < 7 && !page_text.empty() && page_text.find_first_not_of("0123456789") == std::string::npos
                 ? std::stoi(page_text)
                 : 1;
    q.per_page = kPerPage;
    auto page = queue.Search(q, caller);
    if (!page.ok()) return QueueError(req, s, page.error());
    p.page = page->page;
    const core::WallTime now = s.clock.Now();

    View view;
    view.set("staff", View::type::bool_true);
    view.set("heading", Translate(lang, "cases_heading"));
    view.set("zone", s.zone.name());
    view.set("cases", CaseRows(s, lang, page->items, now));
    view.set("q", p.q);
    view.set("states", Options(lang, "case_state", {"received", "verified", "coordinating", "rejected", "closed"}, p.state));
    view.set("sources", Options(lang, "source", {"domestic", "certcc", "cpni", "finder", "other"}, p.source));
    View owners{View::type::list};
    auto owner_option = [&](const std::string& value, const std::string& label) {
        View o;
        o.set("value", value);
        o.set("label", label);
        o.set("selected", Bool(p.owner == value));
        owners.push_back(o);
    };
    owner_option("me", Translate(lang, "admin_owner_me"));
    owner_option("none", Translate(lang, "admin_owner_none"));
    if (auto staff = queue.PossibleOwners(caller); staff.ok())
        for (const auto& [name, display] : *staff) owner_option(name, display);
    view.set("owners", owners);
    View vendors{View::type::list};
    if (auto list = s.vendors.List(); list.ok())
        for (const auto& v : *list) {
            View o;
            o.set("value", std::to_string(v.id.value()));
            o.set("label", v.name);
            o.set("selected", Bool(p.vendor == std::to_string(v.id.value())));
            vendors.push_back(o);
        }
    view.set("vendors", vendors);
    View sorts{View::type::list};
    for (auto [key, label] : {std::pair{"id", "admin_sort_id"}, {"state", "admin_sort_state"},
                              {"updated", "admin_sort_updated"}, {"due", "admin_sort_due"}}) {
        View o;
        o.set("key", key);
        o.set("href", p.Href("sort", key));
        o.set("label", Translate(lang, label));
        o.set("current", Bool(p.sort == key));
        o.set("arrow", p.sort == key ? (p.dir == "desc" ? "▼" : "▲") : "");
        sorts.push_back(o);
    }
    view.set("sorts", sorts);
    View pager;
    pager.set("page", std::to_string(page->page));
    pager.set("pages", std::to_string(page->pages()));
    pager.set("total", std::to_string(page->total));
    if (page->page > 1) pager.set("prev", p.Href("page", std::to_string(page->page - 1)));
    if (page->page < page->pages()) pager.set("next", p.Href("page", std::to_string(page->page + 1)));
    view.set("pager", pager);
    return RenderPage(req, s, "cases", "cases_title", std::move(view));
}

// Vendors (the portal), reporters and partners: the cases they may know, in pages.
http::Response OwnCaseList(http::Request& req, SiteServices& s, const vuln::Caller& caller) {
    const Lang lang = Context(req).lang;
    vuln::CaseFilter filter;
    filter.text = req.Query("q").value_or("").substr(0, 200);
    auto list = s.cases.List(caller, filter);
    if (!list.ok()) return QueueError(req, s, list.error());
    const int total = static_cast<int>(list->size());
    const int pages = total == 0 ? 1 : (total + kPerPage - 1) / kPerPage;
    const std::string page_text = req.Query("page").value_or("1");
    int page = page_text.size() < 7 && !page_text.empty() &&
                       page_text.find_first_not_of("0123456789") == std::string::npos
                   ? std::stoi(page_text)
                   : 1;
    page = std::clamp(page, 1, pages);
    View cases{View::type::list};
    for (int i = (page - 1) * kPerPage; i < total && i < page * kPerPage; ++i) {
        const auto& c = (*list)[static_cast<std::size_t>(i)];
        View row;
        row.set("id", std::to_string(c.id.value()));
        row.set("identifier", c.identifier);
        row.set("title", c.title);
        row.set("state_label", CodeLabel(lang, "case_state", vuln::Name(c.state)));
        row.set("level_label", CodeLabel(lang, "level", vuln::Name(c.caller_level)));
        row.set("status_label", CodeLabel(lang, "vendor_status", vuln::Name(c.caller_status)));
        row.set("created", Local(s, c.created_at));
        cases.push_back(row);
    }
    View view;
    view.set("cases", cases);
    view.set("vendor", Bool(caller.vendor.has_value()));
    view.set("zone", s.zone.name());
    view.set("heading", Translate(lang, caller.vendor ? "portal_heading" : "cases_heading"));
    View pager;
    pager.set("page", std::to_string(page));
    pager.set("pages", std::to_string(pages));
    pager.set("total", std::to_string(total));
    const std::string q = filter.text.empty() ? "" : "&q=" + UrlEncode(filter.text);
    if (page > 1) pager.set("prev", "/cases?page=" + std::to_string(page - 1) + q);
    if (page < pages) pager.set("next", "/cases?page=" + std::to_string(page + 1) + q);
    view.set("pager", pager);
    return RenderPage(req, s, "cases", "cases_title", std::move(view));
}

}  // namespace

void AddQueuePages(http::Router& router, SiteServices& s) {
    auto queue = std::make_shared<vuln::CaseQueue>(s.db, s.clock, s.audit, DaysFrom(s.config));

    router.Add("GET", "/dashboard", [&s, queue](http::Request& req) {
        if (auto denied = Check(req, auth::Action::kView, {auth::ResourceKind::kDashboard}, false)) return *denied;
        const Lang lang = Context(req).lang;
        const vuln::Caller caller = CallerFor(req, s);
        auto q = queue->For(caller);
        if (!q.ok()) return QueueError(req, s, q.error());
        const core::WallTime now = s.clock.Now();
        View view;
        view.set("zone", s.zone.name());
        view.set("csrf", Context(req).session ? Context(req).session->csrf_token : "");
        // Each box is an object holding its rows, so one partial (_queue_table) renders all three.
        auto box = [&](const std::vector<vuln::QueueCase>& list) {
            View b;
            b.set("rows", CaseRows(s, lang, list, now));
            return b;
        };
        view.set("mine", box(q->mine));
        view.set("waiting", box(q->waiting_on_me));
        view.set("overdue", box(q->overdue));
        view.set("unowned", CaseRows(s, lang, q->unowned_new, now));
        view.set("can_take", Bool(Context(req).session.has_value()));
        View messages{View::type::list};
        for (const auto& m : q->messages) {
            View row;
            row.set("case_id", std::to_string(m.case_id.value()));
            row.set("identifier", m.identifier);
            row.set("from", FromLabel(lang, m));
            row.set("at", Local(s, m.at));
            row.set("excerpt", m.excerpt);
            messages.push_back(row);
        }
        view.set("messages", messages);
        view.set("response_days", ResponseDaysText(lang, queue->days()));
        if (auto lease = s.db.Acquire(); lease.ok()) view.set("audit", AuditRows(s, **lease, 10, lang));
        const std::string done = req.Query("done").value_or("");
        if (done == "assigned") view.set("notice", Translate(lang, "admin_assigned_notice"));
        return RenderPage(req, s, "dashboard", "dashboard_title", std::move(view));
    });

    router.Add("GET", "/cases", [&s, queue](http::Request& req) {
        RequestContext& ctx = Context(req);
        if (!ctx.principal) return http::Response::Redirect("/login?next=/cases");
        const vuln::Caller caller = CallerFor(req, s);
        if (caller.staff()) return StaffCaseList(req, s, *queue, caller);
        return OwnCaseList(req, s, caller);
    });

    // Gives a case to a coordinator ("me" for the caller, "" for nobody); back to where the form was.
    router.Add("POST", "/cases/{id}/owner", [&s, queue](http::Request& req) {
        RequestContext& ctx = Context(req);
        if (!ctx.principal) return http::Response::Redirect("/login?next=/dashboard");
        auto id = CaseIdParam(req, s);
        if (!id.ok()) return QueueError(req, s, id.error());
        if (auto denied = Check(req, auth::Action::kUpdate, {auth::ResourceKind::kCase}, false)) return *denied;
        if (!CsrfValid(req)) return ErrorPage(req, s, 403);
        std::string owner = req.Form("owner").value_or("");
        if (owner == "me") owner = ctx.principal->name;
        auto st = queue->AssignOwner(*id, owner.empty() ? std::nullopt : std::optional<std::string>(owner),
                                     CallerFor(req, s));
        if (!st.ok() && st.error().code() != core::ErrorCode::kInvalidArgument) return QueueError(req, s, st.error());
        const std::string back = req.Form("back").value_or("") == "case" ? "/cases/" + std::to_string(id->value())
                                                                          : std::string("/dashboard");
        return http::Response::Redirect(back + (st.ok() ? "?done=assigned" : "?error=owner"));
    });
}

}  // namespace kizuna::web::detail
