// Pages of vulnerability coordination: the case page (the report form is in pages_report.cpp; the case
// list — coordinator console, vendor portal, a reporter's own reports — is in pages_queue.cpp),
// whose forms post to /cases/{id}/act. Every decision is vuln::CaseService's; this file renders.
#include <sstream>

#include "sched/sched.hpp"
#include "web/internal/case_page.hpp"
#include "web/internal/handlers.hpp"

namespace kizuna::web::detail {
namespace {

std::vector<std::string> Lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
        if (!line.empty()) out.push_back(line);
    }
    return out;
}



// After a form on the case page. Success redirects to the page with ?done=<action> (a code from the
// handler's fixed list: the page says what happened, a crafted link cannot put words on it). A failure
// shows the page again, the form as it was typed and the error beside its field, in the viewer's language;
// the service's English message never reaches the page.
std::string ErrorWords(Lang lang, const core::Error& e) {
    std::string_view code;
    switch (e.code()) {
        case core::ErrorCode::kInvalidArgument:
            code = "invalid";
            break;
        case core::ErrorCode::kFailedPrecondition:
            code = "precondition";
            break;
        case core::ErrorCode::kPermissionDenied:
            code = "denied";
            break;
        case core::ErrorCode::kAlreadyExists:
            code = "exists";
            break;
        case core::ErrorCode::kResourceExhausted:
            code = "throttled";
            break;
        default:
            code = "failed";
    }
    // The most precise words available: for this field and code, else for the code.
    const std::string field_key = "case_err_" + e.field() + "_" + std::string(code);
    if (!e.field().empty() && Translate(lang, field_key) != field_key) return Translate(lang, field_key);
    return Translate(lang, "banner_" + std::string(code));
}

constexpr std::string_view kDoneActions[] = {
    "verify", "add_vendor", "summary", "details", "details_direct", "request_registration", "answer", "status",
    "suggest_vendor", "propose", "decide", "change_date", "accept_date", "grant_change", "refuse_change", "leak",
    "unreachable", "early_request", "early_approve", "early_refuse", "related_name", "related_approve",
    "related_key", "coordinator_key", "message", "close", "reject", "owner"};

http::Response AfterAction(http::Request& req, SiteServices& s, vuln::CaseId id, const std::string& action,
                           const core::Status& st, const std::string& thread, const std::string& row) {
    if (st.ok()) {
        std::string query;
        // The thread was checked by the service (st is ok); it goes into a URL, so only thread names pass.
        if (!thread.empty() && thread.find_first_not_of("abcdefghijklmnopqrstuvwxyz:0123456789") == std::string::npos)
            query += "thread=" + thread + "&";
        bool known = false;
        for (std::string_view a : kDoneActions) known = known || a == action;
        query += "done=" + (known ? action : std::string("1"));
        return http::Response::Redirect("/cases/" + std::to_string(id.value()) + "?" + query +
                                        (action == "message" ? "#messages" : ""));
    }
    CaseFormFailure failed{CaseFormOf(action), st.error().field(), ErrorWords(Context(req).lang, st.error()), row};
    const int status = st.error().code() == core::ErrorCode::kInvalidArgument ? 422 : http::HttpStatusFor(st.error().code());
    return RenderCasePage(req, s, id, &failed, status);
}

// A publication instant from the form: a date and a time in the center's zone (the inputs the page shows),
// or, from older clients, an RFC 3339 instant in `publish_at`.
core::Result<core::WallTime> PublishAt(http::Request& req, SiteServices& s) {
    if (auto rfc = req.Form("publish_at")) {
        if (auto at = core::ParseRfc3339(*rfc)) return *at;
        return core::InvalidArgument("must be an RFC 3339 date-time such as 2026-05-16T10:00:00+09:00", "publish_at");
    }
    auto at = s.zone.FromLocal(req.Form("publish_date").value_or(""), req.Form("publish_time").value_or(""));
    if (!at) return core::InvalidArgument("give a date and a time", "publish_at");
    return *at;
}

http::Response CaseError(http::Request& req, SiteServices& s, const core::Error& e) {
    if (e.code() == core::ErrorCode::kUnauthenticated) return http::Response::Redirect("/login?next=" + req.path);
    if (e.code() == core::ErrorCode::kNotFound) return ErrorPage(req, s, 404);
    if (e.code() == core::ErrorCode::kPermissionDenied) return ErrorPage(req, s, 403);
    s.log.Error("case page failed", {{"error", e.ToString()}, {"path", req.path}});
    return ErrorPage(req, s, 500);
}

}  // namespace

void AddCasePages(http::Router& router, SiteServices& s) {
    router.Add("GET", "/cases/{id}", [&s](http::Request& req) {
        RequestContext& ctx = Context(req);
        if (!ctx.principal) return http::Response::Redirect("/login?next=" + req.path);
        auto id = CaseIdParam(req, s);
        if (!id.ok()) return CaseError(req, s, id.error());
        return RenderCasePage(req, s, *id);
    });

    router.Add("POST", "/cases/{id}/act", [&s](http::Request& req) {
        RequestContext& ctx = Context(req);
        if (!ctx.principal) return http::Response::Redirect("/login");
        if (!CsrfValid(req)) return ErrorPage(req, s, 403);
        auto id = CaseIdParam(req, s);
        if (!id.ok()) return CaseError(req, s, id.error());
        const vuln::Caller caller = CallerFor(req, s);
        const std::string action = req.Form("action").value_or("");
        auto vendor = [&]() { return vuln::VendorId(std::atoll(req.Form("vendor").value_or("0").c_str())); };
        core::Status st;
        std::string thread;
        if (action == "verify") {
            auto result = vuln::ParseVerification(req.Form("result").value_or(""), "result");
            st = result.ok() ? s.cases.Verify(*id, *result, req.Form("note").value_or(""), caller) : core::Status(result.error());
        } else if (action == "add_vendor") {
            // Any registered vendor (chosen from the registry list) or a suggested one.
            if (vendor().value() <= 0) st = core::InvalidArgument("choose a vendor", "vendor");
            else st = s.cases.AddVendor(*id, vendor(), caller);
        } else if (action == "close") {
            st = s.cases.Close(*id, req.Form("reason").value_or(""), caller);
        } else if (action == "reject") {
            st = s.cases.Reject(*id, req.Form("reason").value_or(""), caller);
        } else if (action == "owner") {
            const std::string owner = req.Form("owner").value_or("");
            st = s.cases.AssignOwner(*id, owner.empty() ? std::nullopt : std::optional(auth::UserId(std::atoll(owner.c_str()))),
                                     caller);
        } else if (action == "summary") {
            st = s.cases.SendSummary(*id, vendor(), caller);
        } else if (action == "details" || action == "details_direct") {
            st = s.cases.DiscloseDetails(*id, vendor(), action == "details_direct", caller);
        } else if (action == "request_registration") {
            auto channel = vuln::ParseChannel(req.Form("channel").value_or(""));
            st = channel.ok() ? s.cases.RequestRegistration(*id, vendor(), *channel, req.Form("address").value_or(""), caller)
                              : core::Status(channel.error());
        } else if (action == "answer") {
            auto answer = vuln::ParseAnswer(req.Form("answer").value_or(""));
            st = answer.ok() ? s.cases.AnswerSummary(*id, *answer, caller) : core::Status(answer.error());
        } else if (action == "status") {
            auto status = vuln::ParseVendorStatus(req.Form("status").value_or(""));
            if (status.ok()) {
                vuln::StatusReport r{*status, req.Form("public_text").value_or(""), Lines(req.Form("urls").value_or("")),
                                     req.Form("affected_products").value_or(""), req.Form("plan").value_or(""),
                                     req.Form("schedule").value_or("")};
                // The page's form carries what it showed: only the fields the vendor changed are replaced,
                // the others keep what is on file now (vuln::MergeStatusReport).
                if (req.Form("shown_status") && caller.vendor) {
                    auto now = s.cases.Get(*id, caller);
                    if (now.ok() && !now->vendors.empty()) {
                        const vuln::CaseVendor& mine = now->vendors.front();
                        const vuln::StatusReport current{mine.status, mine.status_text, mine.status_urls,
                                                         mine.affected_products, mine.plan, mine.schedule};
                        const vuln::StatusReport shown{
                            vuln::ParseVendorStatus(*req.Form("shown_status")).value_or(vuln::VendorStatus::kUnknown),
                            req.Form("shown_public_text").value_or(""), Lines(req.Form("shown_urls").value_or("")),
                            req.Form("shown_affected_products").value_or(""), req.Form("shown_plan").value_or(""),
                            req.Form("shown_schedule").value_or("")};
                        r = vuln::MergeStatusReport(current, shown, r);
                    }
                }
                st = s.cases.ReportStatus(*id, r, caller);
            } else {
                st = status.error();
            }
        } else if (action == "suggest_vendor") {
            st = s.cases.SuggestVendor(*id, req.Form("vendor_name").value_or(""), req.Form("note").value_or(""), caller);
        } else if (action == "propose" || action == "decide" || action == "change_date") {
            auto at = PublishAt(req, s);
            const std::string reason = req.Form("reason").value_or("");
            if (!at.ok()) {
                st = at.error();
            } else if (action == "propose") {
                st = s.schedule.Propose(*id, *at, reason, caller);
            } else if (action == "decide") {
                st = s.schedule.Decide(*id, *at, reason, caller);
            } else {
                auto request = s.schedule.RequestChange(*id, *at, reason, caller);
                if (!request.ok()) st = request.error();
            }
        } else if (action == "accept_date") {
            st = s.schedule.Accept(*id, caller);
        } else if (action == "grant_change" || action == "refuse_change") {
            st = s.schedule.DecideChange(*id, std::atoll(req.Form("request").value_or("0").c_str()),
                                         action == "grant_change", caller);
        } else if (action == "leak") {
            st = s.schedule.ReportLeak(*id, req.Form("reason").value_or(""), std::nullopt, caller);
        } else if (action == "unreachable") {
            st = s.schedule.DeclareUnreachable(*id, vendor(), caller);
        } else if (action == "early_request") {
            auto what = vuln::ParseNoticeContent(req.Form("what").value_or("information"));
            if (!what.ok()) {
                st = what.error();
            } else {
                auto notice = s.early_notices.Request(*id, req.FormAll("sector"), *what, req.Form("reason").value_or(""), caller);
                if (!notice.ok()) st = notice.error();
            }
        } else if (action == "early_approve" || action == "early_refuse") {
            const vuln::EarlyNoticeId notice(std::atoll(req.Form("notice").value_or("0").c_str()));
            bool belongs = false;
            if (auto list = s.early_notices.List(*id, caller); list.ok())
                for (const auto& n : *list) belongs = belongs || n.id == notice;
            if (!belongs) {
                st = core::NotFound("no such early notice");
            } else {
                st = action == "early_approve" ? s.early_notices.Approve(notice, caller)
                                               : s.early_notices.Refuse(notice, req.Form("reason").value_or(""), caller);
            }
        } else if (action == "related_name") {
            auto r = s.secondary.RegisterRelated(*id,
                                                 {req.Form("name").value_or(""), req.Form("person").value_or(""),
                                                  req.Form("email").value_or(""), req.Form("phone").value_or("")},
                                                 caller);
            if (!r.ok()) st = r.error();
        } else if (action == "related_approve") {
            auto r = s.secondary.Approve(*id, vuln::RelatedId(std::atoll(req.Form("related").value_or("0").c_str())), caller);
            if (!r.ok()) st = r.error();
        } else if (action == "related_key") {
            st = s.secondary.SetKey(*id, vuln::RelatedId(std::atoll(req.Form("related").value_or("0").c_str())),
                                    req.Form("key").value_or(""), caller);
        } else if (action == "coordinator_key") {
            st = s.international.SetKey(*id,
                                        vuln::CoordinatorId(std::atoll(req.Form("coordinator").value_or("0").c_str())),
                                        req.Form("key").value_or(""), caller);
        } else if (action == "message") {
            thread = req.Form("thread").value_or("");
            auto msg = s.cases.PostMessage(*id, thread, req.Form("body").value_or(""), caller);
            if (!msg.ok()) st = msg.error();
        } else {
            st = core::InvalidArgument("unknown action", "action");
        }
        if (!st.ok() && st.error().code() == core::ErrorCode::kNotFound) return ErrorPage(req, s, 404);
        if (st.ok()) s.scheduler.Wake();
        // Per-row forms name their row, so that the error and the typed value go back to that row.
        std::string row;
        for (const char* key : {"vendor", "notice", "related", "coordinator", "request"})
            if (auto v = req.Form(key)) row = *v;
        return AfterAction(req, s, *id, action, st, thread, row);
    });
}

}  // namespace kizuna::web::detail
