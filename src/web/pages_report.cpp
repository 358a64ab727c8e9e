// The public reporter's pages (issue 13): the report form with attachments, acknowledgement preference,
// "have you contacted the vendor?" and an OpenPGP key for replies; the receipt with the status secret shown
// once; the status lookup (/report/status) where the reporter follows its report and reviews the
// acknowledgement text; the same view for a reporter's own account (/cases/{id}/report-status); and the
// vendors' review of the advisory draft of their case (/cases/{id}/draft). Every rule is
// vuln::ReportFollowUp's; this file parses and renders.
#include <sstream>

#include "web/internal/form_data.hpp"
#include "web/internal/handlers.hpp"
#include "web/internal/labels.hpp"
#include "vuln/report_followup.hpp"

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

std::vector<std::string> CommaList(const std::string& text) {
    std::vector<std::string> out;
    std::string item;
    std::istringstream in(text);
    while (std::getline(in, item, ',')) {
        const auto b = item.find_first_not_of(' ');
        const auto e = item.find_last_not_of(' ');
        if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
    }
    return out;
}

vuln::ReportFollowUp FollowUp(SiteServices& s) {
    const vuln::ReportThrottle throttle{s.config.vuln.report_max_per_window,
                                        std::chrono::minutes(s.config.vuln.report_window_minutes)};
    return vuln::ReportFollowUp(s.db, s.clock, s.audit, s.cases, throttle);
}

// The anonymous forms' double-submit token (the login form's cookie), or the session's own token.
std::string FormToken(http::Request& req) {
    RequestContext& ctx = Context(req);
    if (ctx.session) return ctx.session->csrf_token;
    std::string csrf = req.Cookie(kLoginCsrfCookie).value_or("");
    if (csrf.size() != 64) csrf = core::RandomHex(32);
    return csrf;
}

bool FormTokenValid(http::Request& req, const FormData& form) {
    RequestContext& ctx = Context(req);
    if (ctx.principal && ctx.principal->via_token) return true;
    const auto sent = form.Field("csrf");
    if (!sent) return false;
    if (ctx.session) return auth::CsrfTokenMatches(*sent, ctx.session->csrf_token);
    const auto cookie = req.Cookie(kLoginCsrfCookie);
    return cookie && auth::CsrfTokenMatches(*sent, *cookie);
}

http::Response WithToken(http::Request& req, http::Response r, const std::string& csrf) {
    if (!Context(req).session) r.SetCookie(kLoginCsrfCookie, csrf, SessionCookieOptions(req));
    r.SetHeader("Cache-Control", "no-store");
    return r;
}

// Fields of the report form that can carry an error beside them.
constexpr std::string_view kReportFields[] = {"title", "summary", "details", "keywords", "reporter_email",
                                              "ack_name", "vendor_contacted_which", "reply_key", "attachments"};

std::string FieldKeyOf(std::string_view field) {
    for (std::string_view f : kReportFields)
        if (field == f || (field.starts_with(f) && field.size() > f.size() && field[f.size()] == '[')) return std::string(f);
    return {};
}

// The report form, empty or as submitted (everything typed kept; files must be chosen again), with an error
// beside the field it belongs to, or at the top when it belongs to none.
http::Response ReportForm(http::Request& req, SiteServices& s, int status, const FormData* form,
                          const std::string& field, const std::string& message) {
    RequestContext& ctx = Context(req);
    const Lang lang = ctx.lang;
    const std::string csrf = FormToken(req);
    View view;
    if (form) {
        for (const char* f : {"title", "summary", "details", "products", "components", "keywords", "reporter_name",
                              "reporter_email", "ack_name", "vendor_contacted_which", "reply_key"})
            view.set(f, form->Value(f));
    }
    const std::string ack = form ? form->Value("ack") : "";
    view.set("label_ack_name", CodeLabel(lang, "review_ack", "name"));
    view.set("label_ack_anonymous", CodeLabel(lang, "review_ack", "anonymous"));
    view.set("ack_anonymous", ack == "anonymous" ? View::type::bool_true : View::type::bool_false);
    const bool contacted = form && form->Value("vendor_contacted") == "yes";
    view.set("contacted_yes", contacted ? View::type::bool_true : View::type::bool_false);
    view.set("contacted_no", form && form->Value("vendor_contacted") == "no" ? View::type::bool_true
                                                                             : View::type::bool_false);
    view.set("csrf", csrf);
    view.set("logged_in", ctx.principal ? View::type::bool_true : View::type::bool_false);
    view.set("had_files", form && !form->Files("attachments").empty() && !message.empty() ? View::type::bool_true
                                                                                          : View::type::bool_false);
    if (!message.empty()) {
        if (!field.empty()) {
            view.set("err_" + field, message);
            view.set("error", Translate(lang, "review_form_has_errors"));
        } else {
            view.set("error", message);
        }
    }
    return WithToken(req, RenderPage(req, s, "report", "report_title", std::move(view), status), csrf);
}

std::string Local(SiteServices& s, const std::string& rfc3339) {
    auto t = core::ParseRfc3339(rfc3339);
    return t ? s.zone.FormatMinutes(*t) : rfc3339;
}

std::string Replace(std::string text, std::string_view token, std::string_view value) {
    if (auto at = text.find(token); at != std::string::npos) text.replace(at, token.size(), value);
    return text;
}

// The status view for the reporter (anonymous with its secret, or its own account).
View StatusView(SiteServices& s, Lang lang, const vuln::ReportStatusView& st) {
    View view;
    view.set("identifier", st.identifier);
    view.set("receipt_id", st.receipt_id);
    view.set("title", st.title);
    const std::string stage(vuln::Name(st.stage));
    view.set("stage", stage);
    view.set("stage_label", CodeLabel(lang, "review_stage", stage));
    view.set("stage_help", CodeLabel(lang, "review_stage_help", stage));
    view.set("vendors_text", Replace(Translate(lang, "review_vendors_notified_n"), "{{n}}",
                                     std::to_string(st.vendors_notified)));
    view.set("publish_at", st.publish_at ? s.zone.FormatMinutes(*st.publish_at) + " (" + s.zone.name() + ")"
                                         : Translate(lang, "review_publish_not_decided"));
    view.set("ack_label", CodeLabel(lang, "review_ack", vuln::Name(st.ack)));
    if (st.ack == vuln::AckPreference::kName && !st.ack_name.empty()) view.set("ack_name", st.ack_name);
    if (st.has_draft) {
        view.set("has_draft", View::type::bool_true);
        view.set("draft_revision", std::to_string(st.draft_revision));
        const std::string text = st.acknowledgements.In(LangCode(lang));
        if (!text.empty()) view.set("ack_text", text);
    }
    View feedback{View::type::list};
    bool approved_current = false;
    for (const auto& f : st.feedback) {
        View row;
        row.set("at", Local(s, f.at));
        row.set("revision", std::to_string(f.revision));
        row.set("kind", Translate(lang, f.approved ? "review_feedback_approved" : "review_feedback_comment"));
        row.set("body", f.body);
        feedback.push_back(row);
        if (f.approved && f.revision == st.draft_revision) approved_current = true;
    }
    view.set("feedback", feedback);
    view.set("has_feedback", st.feedback.empty() ? View::type::bool_false : View::type::bool_true);
    view.set("approved_current", approved_current ? View::type::bool_true : View::type::bool_false);
    return view;
}

http::Response StatusLookupForm(http::Request& req, SiteServices& s, int status, const std::string& receipt_id,
                                const std::string& error) {
    const std::string csrf = FormToken(req);
    View view;
    view.set("csrf", csrf);
    view.set("lookup", View::type::bool_true);
    view.set("receipt_id", receipt_id);
    if (!error.empty()) view.set("error", error);
    return WithToken(req, RenderPage(req, s, "report_status", "review_status_title", std::move(view), status), csrf);
}

http::Response PageError(http::Request& req, SiteServices& s, const core::Error& e) {
    if (e.code() == core::ErrorCode::kUnauthenticated) return http::Response::Redirect("/login?next=" + req.path);
    if (e.code() == core::ErrorCode::kNotFound || e.code() == core::ErrorCode::kPermissionDenied)
        return ErrorPage(req, s, 404);
    s.log.Error("review page failed", {{"error", e.ToString()}, {"path", req.path}});
    return ErrorPage(req, s, 500);
}

std::string FeedbackError(Lang lang, const core::Error& e) {
    if (e.code() == core::ErrorCode::kFailedPrecondition) return Translate(lang, "review_err_no_draft");
    return Translate(lang, "review_err_comment");
}

View DraftView(SiteServices& s, Lang lang, const vuln::VendorDraft& d) {
    const std::string code(LangCode(lang));
    View view;
    view.set("case_id", std::to_string(d.id.value()));
    view.set("identifier", d.identifier);
    if (d.has_draft) {
        view.set("has_draft", View::type::bool_true);
        view.set("revision", std::to_string(d.revision));
        view.set("title", d.title.In(code));
        View sections{View::type::list};
        const std::pair<const char*, const formats::Localized*> parts[] = {
            {"overview", &d.overview}, {"affected_systems", &d.affected_systems}, {"details", &d.details},
            {"impact", &d.impact},     {"solution", &d.solution},                 {"acknowledgements", &d.acknowledgements}};
        for (const auto& [name, text] : parts) {
            if (text->Empty()) continue;
            View sv;
            sv.set("label", Translate(lang, std::string("adv_field_") + name));
            sv.set("text", text->In(code));
            sections.push_back(sv);
        }
        view.set("sections", sections);
        std::string cves;
        for (const auto& c : d.cve_ids) cves += (cves.empty() ? "" : ", ") + c;
        if (!cves.empty()) view.set("cves", cves);
        View products{View::type::list};
        for (const auto& p : d.products) {
            View pv;
            pv.set("name", p.name.In(code));
            std::string versions;
            for (const auto& v : p.versions) versions += (versions.empty() ? "" : ", ") + v.label;
            pv.set("versions", versions);
            products.push_back(pv);
        }
        view.set("products", products);
        view.set("has_products", d.products.empty() ? View::type::bool_false : View::type::bool_true);
        if (!d.statement.Empty()) view.set("statement", d.statement.In(code));
    }
    View comments{View::type::list};
    for (const auto& c : d.comments) {
        View cv;
        cv.set("at", Local(s, c.at));
        cv.set("revision", std::to_string(c.revision));
        cv.set("author", c.author);
        cv.set("body", c.body);
        comments.push_back(cv);
    }
    view.set("comments", comments);
    view.set("has_comments", d.comments.empty() ? View::type::bool_false : View::type::bool_true);
    return view;
}

}  // namespace

void AddReportPages(http::Router& router, SiteServices& s) {
    router.Add("GET", "/report", [&s](http::Request& req) {
        if (auto denied = Check(req, auth::Action::kView, {auth::ResourceKind::kPublicPage}, false)) return *denied;
        return ReportForm(req, s, 200, nullptr, "", "");
    });

    router.Add("POST", "/report", [&s](http::Request& req) {
        const Lang lang = Context(req).lang;
        const FormData form(req);
        if (!FormTokenValid(req, form)) return ReportForm(req, s, 403, &form, "", Translate(lang, "csrf_failed"));
        vuln::NewCase n;
        n.title = form.Value("title");
        n.summary = form.Value("summary");
        n.details = form.Value("details");
        n.reporter_name = form.Value("reporter_name");
        n.reporter_email = form.Value("reporter_email");
        n.products = Lines(form.Value("products"));
        n.keywords = CommaList(form.Value("keywords"));
        for (const std::string& line : Lines(form.Value("components"))) {
            const auto space = line.find(' ');
            n.components.push_back({line.substr(0, space), space == std::string::npos ? "" : line.substr(space + 1)});
        }
        n.source = vuln::Source::kFinder;
        vuln::ReportWishes wishes;
        wishes.ack = form.Value("ack") == "anonymous" ? vuln::AckPreference::kAnonymous : vuln::AckPreference::kName;
        wishes.ack_name = form.Value("ack_name");
        wishes.vendor_contacted = form.Value("vendor_contacted") == "yes";
        wishes.vendor_contacted_which = form.Value("vendor_contacted_which");
        wishes.reply_key = form.Value("reply_key");
        for (const FormFile* f : form.Files("attachments"))
            wishes.attachments.push_back({f->filename, f->media_type, f->content});
        auto receipt = FollowUp(s).Submit(n, wishes, CallerFor(req, s), req.remote_ip);
        if (!receipt.ok()) {
            const core::Error& e = receipt.error();
            if (e.code() == core::ErrorCode::kResourceExhausted) {
                http::Response r = ReportForm(req, s, 429, &form, "", Translate(lang, "report_throttled"));
                r.SetHeader("Retry-After", "600");
                return r;
            }
            if (e.code() != core::ErrorCode::kInvalidArgument && e.code() != core::ErrorCode::kTooLarge) {
                s.log.Error("report form failed", {{"error", e.ToString()}});
                return ReportForm(req, s, 500, &form, "", Translate(lang, "review_err_failed"));
            }
            const std::string field = FieldKeyOf(e.field());
            return ReportForm(req, s, http::HttpStatusFor(e.code()), &form, field,
                              Translate(lang, field.empty() ? "review_err_failed" : "review_err_" + field));
        }
        View view;
        view.set("receipt_id", receipt->receipt.receipt_id);
        view.set("identifier", receipt->receipt.identifier);
        view.set("secret", receipt->secret);
        view.set("files", std::to_string(wishes.attachments.size()));
        view.set("has_files", wishes.attachments.empty() ? View::type::bool_false : View::type::bool_true);
        view.set("csrf", FormToken(req));
        http::Response r = RenderPage(req, s, "receipt", "receipt_title", std::move(view), 201);
        r.SetHeader("Cache-Control", "no-store");
        return r;
    });

    router.Add("GET", "/report/status", [&s](http::Request& req) {
        if (auto denied = Check(req, auth::Action::kView, {auth::ResourceKind::kPublicPage}, false)) return *denied;
        return StatusLookupForm(req, s, 200, "", "");
    });

    // One POST for the lookup and the reporter's actions: the receipt id and secret travel with every form
    // (never in a URL). action = "" (look up), "comment" or "approve".
    router.Add("POST", "/report/status", [&s](http::Request& req) {
        const Lang lang = Context(req).lang;
        const FormData form(req);
        const std::string receipt_id = form.Value("receipt_id");
        const std::string secret = form.Value("secret");
        if (!FormTokenValid(req, form)) return StatusLookupForm(req, s, 403, receipt_id, Translate(lang, "csrf_failed"));
        vuln::ReportFollowUp follow = FollowUp(s);
        const std::string action = form.Value("action");
        std::string action_error, notice;
        if (action == "comment" || action == "approve") {
            auto st = follow.AcknowledgementFeedback(receipt_id, secret, req.remote_ip, form.Value("body"),
                                                     action == "approve");
            if (!st.ok()) {
                if (st.error().code() == core::ErrorCode::kNotFound || st.error().code() == core::ErrorCode::kResourceExhausted) {
                    const bool throttled = st.error().code() == core::ErrorCode::kResourceExhausted;
                    return StatusLookupForm(req, s, throttled ? 429 : 404, receipt_id,
                                            Translate(lang, throttled ? "review_lookup_throttled" : "review_lookup_failed"));
                }
                action_error = FeedbackError(lang, st.error());
            } else {
                notice = Translate(lang, action == "approve" ? "review_approved_notice" : "review_comment_notice");
            }
        }
        auto status = follow.Lookup(receipt_id, secret, req.remote_ip);
        if (!status.ok()) {
            const core::ErrorCode code = status.error().code();
            if (code == core::ErrorCode::kResourceExhausted) {
                http::Response r = StatusLookupForm(req, s, 429, receipt_id, Translate(lang, "review_lookup_throttled"));
                r.SetHeader("Retry-After", "600");
                return r;
            }
            if (code == core::ErrorCode::kNotFound)
                return StatusLookupForm(req, s, 404, receipt_id, Translate(lang, "review_lookup_failed"));
            return PageError(req, s, status.error());
        }
        View view = StatusView(s, lang, *status);
        const std::string csrf = FormToken(req);
        view.set("csrf", csrf);
        view.set("secret", secret);
        view.set("action_url", "/report/status");
        view.set("anonymous", View::type::bool_true);
        if (!action_error.empty()) view.set("action_error", action_error);
        if (!notice.empty()) view.set("notice", notice);
        if (!action_error.empty()) view.set("body", form.Value("body"));
        return WithToken(req, RenderPage(req, s, "report_status", "review_status_title", std::move(view)), csrf);
    });

    // The same view for the reporter's own account.
    router.Add("GET", "/cases/{id}/report-status", [&s](http::Request& req) {
        RequestContext& ctx = Context(req);
        if (!ctx.principal) return http::Response::Redirect("/login?next=" + req.path);
        auto id = CaseIdParam(req, s);
        if (!id.ok()) return PageError(req, s, id.error());
        auto status = FollowUp(s).ForReporter(*id, CallerFor(req, s));
        if (!status.ok()) return PageError(req, s, status.error());
        View view = StatusView(s, ctx.lang, *status);
        view.set("csrf", ctx.session ? ctx.session->csrf_token : "");
        view.set("action_url", "/cases/" + std::to_string(id->value()) + "/report-status");
        view.set("case_id", std::to_string(id->value()));
        const std::string done = req.Query("done").value_or("");
        if (done == "approve" || done == "comment")
            view.set("notice", Translate(ctx.lang, done == "approve" ? "review_approved_notice" : "review_comment_notice"));
        const std::string error = req.Query("error").value_or("");
        if (error == "no_draft" || error == "comment") view.set("action_error", Translate(ctx.lang, "review_err_" + error));
        http::Response r = RenderPage(req, s, "report_status", "review_status_title", std::move(view));
        r.SetHeader("Cache-Control", "no-store");
        return r;
    });

    router.Add("POST", "/cases/{id}/report-status", [&s](http::Request& req) {
        RequestContext& ctx = Context(req);
        if (!ctx.principal) return http::Response::Redirect("/login?next=" + req.path);
        if (!CsrfValid(req)) return ErrorPage(req, s, 403);
        auto id = CaseIdParam(req, s);
        if (!id.ok()) return PageError(req, s, id.error());
        const std::string action = req.Form("action").value_or("");
        auto st = FollowUp(s).AcknowledgementFeedback(*id, CallerFor(req, s), req.Form("body").value_or(""),
                                                       action == "approve");
        const std::string base = "/cases/" + std::to_string(id->value()) + "/report-status";
        if (!st.ok()) {
            if (st.error().code() == core::ErrorCode::kNotFound) return PageError(req, s, st.error());
            return http::Response::Redirect(base + "?error=" +
                                            (st.error().code() == core::ErrorCode::kFailedPrecondition ? "no_draft" : "comment"));
        }
        return http::Response::Redirect(base + "?done=" + (action == "approve" ? "approve" : "comment"));
    });

    // A vendor of the case reads the advisory draft and comments on it.
    router.Add("GET", "/cases/{id}/draft", [&s](http::Request& req) {
        RequestContext& ctx = Context(req);
        if (!ctx.principal) return http::Response::Redirect("/login?next=" + req.path);
        auto id = CaseIdParam(req, s);
        if (!id.ok()) return PageError(req, s, id.error());
        auto draft = FollowUp(s).DraftForVendor(*id, CallerFor(req, s));
        if (!draft.ok()) return PageError(req, s, draft.error());
        View view = DraftView(s, ctx.lang, *draft);
        view.set("csrf", ctx.session ? ctx.session->csrf_token : "");
        if (req.Query("done")) view.set("notice", Translate(ctx.lang, "review_draft_comment_notice"));
        const std::string error = req.Query("error").value_or("");
        if (error == "no_draft" || error == "comment") view.set("error", Translate(ctx.lang, "review_err_" + error));
        http::Response r = RenderPage(req, s, "draft_review", "review_draft_title", std::move(view));
        r.SetHeader("Cache-Control", "no-store");
        return r;
    });

    router.Add("POST", "/cases/{id}/draft/comment", [&s](http::Request& req) {
        RequestContext& ctx = Context(req);
        if (!ctx.principal) return http::Response::Redirect("/login?next=" + req.path);
        if (!CsrfValid(req)) return ErrorPage(req, s, 403);
        auto id = CaseIdParam(req, s);
        if (!id.ok()) return PageError(req, s, id.error());
        auto comment = FollowUp(s).CommentOnDraft(*id, req.Form("body").value_or(""), CallerFor(req, s));
        const std::string base = "/cases/" + std::to_string(id->value()) + "/draft";
        if (!comment.ok()) {
            if (comment.error().code() == core::ErrorCode::kNotFound) return PageError(req, s, comment.error());
            return http::Response::Redirect(
                base + "?error=" + (comment.error().code() == core::ErrorCode::kFailedPrecondition ? "no_draft" : "comment"));
        }
        return http::Response::Redirect(base + "?done=1");
    });
}

}  // namespace kizuna::web::detail
