// /mail: the coordinator's view of the mail gateway — quarantine (with reasons and a reprocess button),
// outbound messages not yet sent (with the reason they wait) and incoming reports: attributed (a good
// signature by a registered party's key) or unverified (with the sender the mail claims), the signed text
// apart from what the signature does not cover, attachments to download, and the action that makes a case
// of a report. Mail carries embargoed case content, so the page is case-detail data: staff only, 404 for
// everyone else (anonymous included). An attachment routed into a vendor's thread may also be downloaded
// by that vendor (the thread is theirs); every download is audited and never cached.
#include <cctype>
#include <cstdio>
#include <cstdlib>

#include "mail/mail.hpp"
#include "web/internal/handlers.hpp"
#include "web/internal/mail_words.hpp"
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

std::int64_t NumericParam(http::Request& req, std::string_view name) {
    const std::string text(req.Param(name));
    char* end = nullptr;
    const long long v = std::strtoll(text.c_str(), &end, 10);
    return text.empty() || *end != '\0' || v <= 0 ? 0 : v;
}

// Content-Disposition for a name from a stranger's mail: a plain ASCII fallback (no quotes, no path,
// no controls) and the exact name as RFC 5987 UTF-8.
std::string AttachmentDisposition(const std::string& name, const std::string& fallback) {
    std::string ascii;
    std::string encoded;
    for (unsigned char c : name) {
        if (std::isalnum(c) || c == '.' || c == '-' || c == '_') {
            ascii += static_cast<char>(c);
            encoded += static_cast<char>(c);
        } else {
            if (c < 0x80) ascii += '_';  // quotes, slashes, controls: never into the quoted name
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", c);
            encoded += buf;
        }
    }
    if (ascii.empty() || ascii.find_first_not_of("._") == std::string::npos) ascii = fallback;
    std::string out = "attachment; filename=\"" + ascii + "\"";
    if (!encoded.empty()) out += "; filename*=UTF-8''" + encoded;
    return out;
}

http::Response Download(std::string content, const std::string& disposition) {
    http::Response r(200);
    r.body = std::move(content);
    r.SetHeader("Content-Type", "application/octet-stream");  // never rendered inline, whatever the mail said
    r.SetHeader("Content-Disposition", disposition);
    r.SetHeader("Cache-Control", "no-store");
    r.SetHeader("X-Content-Type-Options", "nosniff");
    return r;
}

std::string VerificationKey(const std::string& verification) {
    if (verification == "attributed") return "mail_verification_attributed";
    if (verification == "mismatch") return "mail_verification_mismatch";
    return "mail_verification_unverified";
}

// The outcome of a reprocess (?done=quarantined|routed|report|failed&id=N) in words, with the message's
// current reason read from the store (the quarantine list), never from the query string.
std::string MailNotice(Lang lang, http::Request& req, const std::vector<mail::InboundItem>& quarantine) {
    const std::string done = req.Query("done").value_or("");
    const std::string id_text = req.Query("id").value_or("");
    if (done.empty() || id_text.empty() || id_text.size() > 18 || id_text.find_first_not_of("0123456789") != std::string::npos)
        return "";
    if (done != "quarantined" && done != "routed" && done != "report" && done != "failed") return "";
    std::string reason;
    for (const auto& m : quarantine)
        if (std::to_string(m.id) == id_text) reason = MailReasonWords(lang, m.reason).text;
    std::string text = Translate(lang, "words_mail_notice_" + done);
    for (auto [tag, value] : {std::pair<std::string, std::string>{"{{id}}", id_text}, {"{{reason}}", reason}})
        if (auto p = text.find(tag); p != std::string::npos) text.replace(p, tag.size(), value);
    return text;
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
        const Lang lang = ctx.lang;
        View q{View::type::list};
        for (const auto& m : *quarantine) {
            View row;
            row.set("id", std::to_string(m.id));
            row.set("received", LocalTime(s, m.received_at));
            row.set("from", m.from_address);
            row.set("subject", m.subject);
            const MailReason reason = MailReasonWords(lang, m.reason);
            row.set("reason", reason.text);
            if (!reason.detail.empty()) row.set("reason_detail", reason.detail);
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
            row.set("state", MailStateWords(lang, m.delivery_state.empty() ? m.state : m.delivery_state));
            const MailReason reason = MailReasonWords(lang, m.reason);
            row.set("reason", reason.text);
            if (!reason.detail.empty()) row.set("reason_detail", reason.detail);
            row.set("attempts", std::to_string(m.attempts));
            o.push_back(row);
        }
        View r{View::type::list};
        for (const auto& m : *reports) {
            View row;
            row.set("id", std::to_string(m.id));
            row.set("inbound_id", std::to_string(m.inbound_id));
            row.set("subject", m.subject);
            row.set("from", m.from_name.empty() ? m.from_address : m.from_name + " <" + m.from_address + ">");
            row.set("created", LocalTime(s, m.created_at));
            row.set("encrypted", m.encrypted ? View::type::bool_true : View::type::bool_false);
            if (!m.signer.empty()) row.set("signer", m.signer);
            row.set("signature_status", SignatureStatusWords(lang, m.signature_status));
            const bool attributed = m.verification == "attributed";
            row.set("attributed", attributed ? View::type::bool_true : View::type::bool_false);
            row.set("verification", Translate(lang, VerificationKey(m.verification)));
            if (!m.party_name.empty()) row.set("party_name", PartyNameWords(lang, m.party_name));
            if (!m.verification_reason.empty()) {
                const MailReason reason = MailReasonWords(lang, m.verification_reason);
                row.set("verification_reason", reason.text);
                if (!reason.detail.empty()) row.set("verification_detail", reason.detail);
            }
            if (m.case_hint) row.set("case_hint", std::to_string(*m.case_hint));
            if (m.case_id) row.set("case_id", std::to_string(*m.case_id));
            else row.set("case_csrf", csrf);
            row.set("body", m.body);
            if (!m.unsigned_body.empty()) row.set("unsigned_body", m.unsigned_body);
            // "Signed" only for what a good signature covers.
            row.set("body_signed", !m.signer.empty() && m.signature_status == "good" ? View::type::bool_true
                                                                                      : View::type::bool_false);
            View atts{View::type::list};
            for (const auto& a : m.files) {
                View file;
                file.set("id", std::to_string(a.id));
                file.set("name", a.filename.empty() ? Translate(lang, "mail_unnamed") : a.filename);
                file.set("media_type", a.media_type);
                file.set("size", std::to_string(a.size));
                file.set("signed", a.covered ? View::type::bool_true : View::type::bool_false);
                atts.push_back(file);
            }
            row.set("attachments", atts);
            r.push_back(row);
        }
        // What happens to mail claiming a vendor that its key did not sign (V17), per vendor.
        auto vendors = s.vendors.List();
        if (!vendors.ok()) return ErrorPage(req, s, 500);
        View policies{View::type::list};
        for (const auto& v : *vendors) {
            View row;
            row.set("id", std::to_string(v.id.value()));
            row.set("name", v.name);
            row.set("accepts", v.accept_unsigned_mail ? View::type::bool_true : View::type::bool_false);
            row.set("policy", Translate(lang, v.accept_unsigned_mail ? "mail_policy_hold" : "mail_policy_quarantine"));
            row.set("next", v.accept_unsigned_mail ? "0" : "1");
            row.set("csrf", csrf);
            policies.push_back(row);
        }
        View view;
        view.set("vendor_policies", policies);
        view.set("has_vendor_policies", vendors->empty() ? View::type::bool_false : View::type::bool_true);
        view.set("has_quarantine", quarantine->empty() ? View::type::bool_false : View::type::bool_true);
        view.set("has_outbound", outbound->empty() ? View::type::bool_false : View::type::bool_true);
        view.set("quarantine", q);
        view.set("outbound", o);
        view.set("reports", r);
        if (auto done = MailNotice(lang, req, *quarantine); !done.empty()) view.set("notice", done);
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
        // The outcome as a code and the message id: the page says it in the viewer's words (nothing from the
        // query string is shown as text).
        std::string outcome = "failed";
        if (result.ok()) outcome = result->state == "quarantined" ? "quarantined" : result->case_id ? "routed" : "report";
        return http::Response::Redirect("/mail?done=" + outcome + "&id=" + std::to_string(id));
    });

    // The per-vendor setting from the /mail page (the same as PUT /api/v1/vendors/{vendor}/mail-policy).
    router.Add("POST", "/mail/vendors/{id}/unsigned", [&s](http::Request& req) {
        if (!MayUseMail(req, auth::Action::kUpdate)) return ErrorPage(req, s, 404);
        if (!CsrfValid(req)) return ErrorPage(req, s, 403);
        const std::string accept = req.Form("accept").value_or("");
        if (accept != "0" && accept != "1") return ErrorPage(req, s, 400);
        auto st = s.vendors.SetAcceptUnsignedMail(vuln::VendorId(NumericParam(req, "id")), accept == "1",
                                                  Context(req).principal->name);
        if (!st.ok()) return ErrorPage(req, s, st.error().code() == core::ErrorCode::kNotFound ? 404 : 500);
        return http::Response::Redirect("/mail#mail-policies");
    });

    // V2 from a mail report: a case with the mail's subject and text; the report, its original message
    // and its attachments stay linked to the case (shown on the case page).
    router.Add("POST", "/mail/reports/{id}/case", [&s](http::Request& req) {
        if (!MayUseMail(req, auth::Action::kCreate)) return ErrorPage(req, s, 404);
        if (!CsrfValid(req)) return ErrorPage(req, s, 403);
        auto report = s.mail_inbound.Report(NumericParam(req, "id"));
        if (!report.ok()) return ErrorPage(req, s, report.error().code() == core::ErrorCode::kNotFound ? 404 : 500);
        if (report->case_id) return http::Response::Redirect("/cases/" + std::to_string(*report->case_id));
        vuln::NewCase n;
        n.title = report->subject.empty() ? Translate(Context(req).lang, "mail_no_subject") : report->subject.substr(0, 300);
        n.details = report->body;
        if (!report->unsigned_body.empty()) n.details += "\n\n[" + Translate(Context(req).lang, "mail_part_unsigned") + "]\n" + report->unsigned_body;
        if (n.details.find_first_not_of(" \r\n\t") == std::string::npos) n.details = n.title;
        n.details = n.details.substr(0, 200000);
        n.reporter_name = report->from_name.substr(0, 200);
        n.reporter_email = report->from_address;
        n.source = vuln::Source::kFinder;
        auto receipt = s.cases.Submit(n, CallerFor(req, s));
        if (!receipt.ok()) {
            s.log.Error("mail report to case failed", {{"error", receipt.error().ToString()}});
            return ErrorPage(req, s, http::HttpStatusFor(receipt.error().code()));
        }
        if (auto st = s.mail_inbound.LinkReportToCase(report->id, receipt->id.value()); !st.ok()) {
            s.log.Error("linking mail report to case failed", {{"error", st.error().ToString()}});
            return ErrorPage(req, s, 500);
        }
        auto audited = s.audit.Append(s.db, {Context(req).principal->name, "mail.report_to_case",
                                             "case:" + receipt->identifier,
                                             "{\"mail_report\":" + std::to_string(report->id) + ",\"inbound\":" +
                                                 std::to_string(report->inbound_id) + "}",
                                             req.remote_ip});
        if (!audited.ok()) return ErrorPage(req, s, 500);
        return http::Response::Redirect("/cases/" + std::to_string(receipt->id.value()));
    });

    // An attachment of inbound mail. Staff; or the vendor whose thread the message was routed into.
    router.Add("GET", "/mail/attachments/{id}", [&s](http::Request& req) {
        auto file = s.mail_inbound.Attachment(NumericParam(req, "id"));
        if (!file.ok() && file.error().code() != core::ErrorCode::kNotFound) return ErrorPage(req, s, 500);
        bool allowed = MayUseMail(req, auth::Action::kView);
        if (!allowed && file.ok() && file->case_id && file->thread.starts_with("vendor:")) {
            // The thread is the caller's own: vuln decides (through the access policy) whether this caller
            // may read it, exactly as for the thread itself.
            const vuln::Caller caller = CallerFor(req, s);
            allowed = caller.vendor && file->thread == "vendor:" + std::to_string(caller.vendor->value()) &&
                      s.cases.Messages(vuln::CaseId(*file->case_id), file->thread, caller).ok();
        }
        if (!allowed || !file.ok()) return ErrorPage(req, s, 404);  // hidden: must not learn it exists
        RequestContext& ctx = Context(req);
        auto audited = s.audit.Append(
            s.db, {ctx.principal->name, "mail.attachment_download", "mail_attachment:" + std::to_string(file->info.id),
                   "{\"inbound\":" + std::to_string(file->inbound_id) + ",\"bytes\":" + std::to_string(file->info.size) +
                       (file->case_id ? ",\"case\":" + std::to_string(*file->case_id) : std::string()) + "}",
                   req.remote_ip});
        if (!audited.ok()) return ErrorPage(req, s, 500);
        return Download(std::move(file->content),
                        AttachmentDisposition(file->info.filename, "attachment-" + std::to_string(file->info.id)));
    });

    // The original message as delivered (RFC 5322 bytes), staff only.
    router.Add("GET", "/mail/messages/{id}/raw", [&s](http::Request& req) {
        if (!MayUseMail(req, auth::Action::kView)) return ErrorPage(req, s, 404);
        const std::int64_t id = NumericParam(req, "id");
        auto raw = s.mail_inbound.Raw(id);
        if (!raw.ok()) return ErrorPage(req, s, raw.error().code() == core::ErrorCode::kNotFound ? 404 : 500);
        auto audited = s.audit.Append(s.db, {Context(req).principal->name, "mail.message_download",
                                             "mail_inbound:" + std::to_string(id), "", req.remote_ip});
        if (!audited.ok()) return ErrorPage(req, s, 500);
        return Download(std::move(*raw), "attachment; filename=\"message-" + std::to_string(id) + ".eml\"");
    });
}

}  // namespace kizuna::web::detail
