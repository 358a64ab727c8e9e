// /mail: the coordinator's view of the mail gateway — quarantine (with reasons and a reprocess button),
// outbound messages not yet sent (with the reason they wait) and incoming reports. Mail carries embargoed
// case content, so the page is case-detail data: staff only, 404 for everyone else (anonymous included).
#include <cctype>
#include <cstdio>
#include <cstdlib>

#include "mail/mail.hpp"
#include "web/internal/handlers.hpp"
#include "web/i18n.hpp"

namespace kizuna::web::detail {
namespace {

bool MayUseMail(http::Request& req, auth::Action action) {
    RequestContext& ctx = Context(req);
    const auth::Principal* who = ctx.principal ? &*ctx.principal : nullptr;
    return auth::Authorize(who, action, {auth::ResourceKind::kCaseDetail}).allowed;
}

std::string LocalTime(SiteServices& s, const std::string& rfc3339) {
    auto t = core::ParseRfc3339(rfc3339);
    return t ? s.zone.FormatMinutes(*t) : rfc3339;
}

}  // namespace

void AddMailPages(http::Router& router, SiteServices& s) {
    router.Add("GET", "/mail", [&s](http::Request& req) {
        if (!MayUseMail(req, auth::Action::kView)) return ErrorPage(req, s, 404);
        RequestContext& ctx = Context(req);
        auto quarantine = s.mail_inbound.List("quarantined", 200);
        auto outbound = s.mail_outbound.List(true, 200);
        auto reports = s.mail_inbound.Reports(50);
        if (!quarantine.ok() || !outbound.ok() || !reports.ok()) return ErrorPage(req, s, 500);
        const std::string csrf = ctx.session ? ctx.session->csrf_token : "";
        View q{View::type::list};
        for (const auto& m : *quarantine) {
            View row;
            row.set("id", std::to_string(m.id));
            row.set("received", LocalTime(s, m.received_at));
            row.set("from", m.from_address);
            row.set("subject", m.subject);
            row.set("reason", m.reason);
            row.set("attempts", std::to_string(m.attempts));
            row.set("csrf", csrf);
            q.push_back(row);
        }
        View o{View::type::list};
        for (const auto& m : *outbound) {
            View row;
            row.set("id", std::to_string(m.mail_id));
            if (m.case_id) row.set("case_id", std::to_string(*m.case_id));
            row.set("case_identifier", m.case_identifier);
            row.set("to", m.to);
            row.set("subject", m.subject);
            row.set("state", m.delivery_state.empty() ? m.state : m.delivery_state);
            row.set("reason", m.reason);
            row.set("attempts", std::to_string(m.attempts));
            o.push_back(row);
        }
        View r{View::type::list};
        for (const auto& m : *reports) {
            View row;
            row.set("subject", m.subject);
            row.set("from", m.from_name.empty() ? m.from_address : m.from_name + " <" + m.from_address + ">");
            row.set("created", LocalTime(s, m.created_at));
            row.set("encrypted", m.encrypted ? View::type::bool_true : View::type::bool_false);
            if (!m.signer.empty()) row.set("signer", m.signer);
            row.set("signature_status", m.signature_status);
            if (m.case_hint) row.set("case_hint", std::to_string(*m.case_hint));
            row.set("body", m.body);
            View atts{View::type::list};
            for (const auto& a : m.attachments) atts.push_back(View(a));
            row.set("attachments", atts);
            r.push_back(row);
        }
        View view;
        view.set("has_quarantine", quarantine->empty() ? View::type::bool_false : View::type::bool_true);
        view.set("has_outbound", outbound->empty() ? View::type::bool_false : View::type::bool_true);
        view.set("quarantine", q);
        view.set("outbound", o);
        view.set("reports", r);
        if (auto done = req.Query("notice"); done && !done->empty()) view.set("notice", *done);
        return RenderPage(req, s, "mail", "mail_title", std::move(view));
    });

    router.Add("POST", "/mail/quarantine/{id}/reprocess", [&s](http::Request& req) {
        if (!MayUseMail(req, auth::Action::kUpdate)) return ErrorPage(req, s, 404);
        if (!CsrfValid(req)) return ErrorPage(req, s, 403);
        const std::int64_t id = std::atoll(std::string(req.Param("id")).c_str());
        auto result = s.mail_inbound.Reprocess(id);
        if (!result.ok()) {
            if (result.error().code() == core::ErrorCode::kNotFound) return ErrorPage(req, s, 404);
            if (result.error().code() != core::ErrorCode::kFailedPrecondition) return ErrorPage(req, s, 500);
        }
        std::string notice = "message " + std::to_string(id) + ": ";
        if (!result.ok()) notice += result.error().message();
        else if (result->state == "quarantined") notice += "still quarantined (" + result->reason + ")";
        else if (result->case_id) notice += "routed to thread " + result->thread;
        else notice += "became an incoming report";
        std::string encoded;
        for (unsigned char c : notice) {
            if (std::isalnum(c) || c == '-' || c == '.' || c == '_') {
                encoded += static_cast<char>(c);
            } else {
                char buf[4];
                std::snprintf(buf, sizeof buf, "%%%02X", c);
                encoded += buf;
            }
        }
        return http::Response::Redirect("/mail?notice=" + encoded);
    });
}

}  // namespace kizuna::web::detail
