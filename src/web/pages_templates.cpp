// Outgoing mail for coordinators (issue 13): the templates page (/templates: list, default vs override, edit
// ja/en subject and body with placeholder help, reset to default) and the notice preview
// (/cases/{id}/notices/{summary|detail}/preview: the exact mail per language and its recipients, editable for
// this sending, then sent, then a confirmation of what went to whom). Coordinators and admins only; anyone
// else gets the uniform 404. Rules live in vuln::MailTemplateService and vuln::CaseService.
#include "vuln/mail_templates.hpp"
#include "sched/sched.hpp"
#include "web/internal/handlers.hpp"

namespace kizuna::web::detail {
namespace {

using vuln::MailLang;

bool Staff(http::Request& req) {
    RequestContext& ctx = Context(req);
    return ctx.principal &&
           (ctx.principal->role == auth::Role::kAdmin || ctx.principal->role == auth::Role::kCoordinator);
}

std::string TemplateKey(std::string_view name) {
    std::string key = "mailtpl_name_" + std::string(name);
    for (char& ch : key)
        if (ch == '.') ch = '_';
    return key;
}

std::string LangLabel(Lang lang, MailLang mail_lang) {
    return Translate(lang, mail_lang == MailLang::kJa ? "mailtpl_lang_ja" : "mailtpl_lang_en");
}

std::string Local(SiteServices& s, const std::string& rfc3339) {
    auto t = core::ParseRfc3339(rfc3339);
    return t ? s.zone.FormatMinutes(*t) : rfc3339;
}

// The problem with an edited template in the user's words, with the placeholder it concerns.
std::string ProblemText(Lang lang, const vuln::MailTemplateProblem& p) {
    using Kind = vuln::MailTemplateProblem::Kind;
    std::string key;
    switch (p.kind) {
        case Kind::kEmpty: key = "mailtpl_err_empty"; break;
        case Kind::kTooLong: key = "mailtpl_err_too_long"; break;
        case Kind::kMultiline: key = "mailtpl_err_multiline"; break;
        case Kind::kUnknownPlaceholder: key = "mailtpl_err_unknown"; break;
        case Kind::kUnclosed: key = "mailtpl_err_unclosed"; break;
        case Kind::kMissingRequired: key = "mailtpl_err_missing"; break;
    }
    std::string text = Translate(lang, key);
    if (auto at = text.find("%s"); at != std::string::npos) text.replace(at, 2, "{{" + p.placeholder + "}}");
    return text;
}

struct Typed {  // what the user typed into one language's form, kept on a failed save
    MailLang lang;
    std::string subject;
    std::string body;
    std::string subject_error;
    std::string body_error;
};

View VersionView(Lang lang, const vuln::MailTemplateVersion& v, SiteServices& s, const std::string& name,
                 const std::string& csrf, const std::optional<Typed>& typed) {
    View out;
    out.set("lang", std::string(vuln::Name(v.lang)));
    out.set("lang_label", LangLabel(lang, v.lang));
    out.set("name", name);
    out.set("csrf", csrf);
    out.set("default_subject", v.defaults.subject);
    out.set("default_body", v.defaults.body);
    const bool overridden = v.override_text.has_value();
    out.set("overridden", overridden);
    if (overridden) {
        out.set("updated_by", v.updated_by);
        out.set("updated_at", Local(s, v.updated_at));
    }
    if (typed && typed->lang == v.lang) {
        out.set("subject", typed->subject);
        out.set("body", typed->body);
        if (!typed->subject_error.empty()) out.set("subject_error", typed->subject_error);
        if (!typed->body_error.empty()) out.set("body_error", typed->body_error);
    } else {
        out.set("subject", v.effective().subject);
        out.set("body", v.effective().body);
    }
    return out;
}

http::Response TemplatePage(http::Request& req, SiteServices& s, const vuln::MailTemplateView& t,
                            const std::optional<Typed>& typed, const std::string& notice, int status) {
    RequestContext& ctx = Context(req);
    const Lang lang = ctx.lang;
    const std::string name(t.def->name);
    const std::string csrf = ctx.session ? ctx.session->csrf_token : "";
    View view;
    view.set("edit_mode", true);
    view.set("name", name);
    view.set("label", Translate(lang, TemplateKey(name)));
    if (!notice.empty()) view.set("notice", notice);
    View placeholders{View::type::list};
    for (std::string_view p : t.def->placeholders) {
        View row;
        row.set("placeholder", "{{" + std::string(p) + "}}");
        row.set("meaning", Translate(lang, "mailtpl_ph_" + std::string(p)));
        const bool required = std::find(t.def->required.begin(), t.def->required.end(), p) != t.def->required.end();
        row.set("required", required);
        placeholders.push_back(row);
    }
    view.set("placeholders", placeholders);
    View versions{View::type::list};
    versions.push_back(VersionView(lang, t.ja, s, name, csrf, typed));
    versions.push_back(VersionView(lang, t.en, s, name, csrf, typed));
    view.set("versions", versions);
    http::Response page = RenderPage(req, s, "mail_templates", "mailtpl_title", std::move(view), status);
    page.SetHeader("Cache-Control", "no-store");
    return page;
}

std::optional<vuln::NoticeKind> KindParam(http::Request& req) {
    const std::string_view kind = req.Param("kind");
    if (kind == "summary") return vuln::NoticeKind::kSummary;
    if (kind == "detail") return vuln::NoticeKind::kDetail;
    return std::nullopt;
}

// Why a notice cannot be previewed or sent, in the user's words (the domain's reason stays in the log).
std::string NoticeProblem(Lang lang, const core::Error& e) {
    if (e.code() == core::ErrorCode::kInvalidArgument) {
        const std::string& field = e.field();
        return Translate(lang, field.starts_with("subject") ? "mailtpl_err_notice_subject" : "mailtpl_err_notice_body");
    }
    return Translate(lang, "mailtpl_notice_impossible");
}

struct PreviewInput {
    vuln::CaseId id;
    vuln::VendorId vendor;
    vuln::NoticeKind kind;
    bool obvious = false;
};

http::Response PreviewPage(http::Request& req, SiteServices& s, const PreviewInput& in,
                           const std::map<MailLang, vuln::MailText>& typed, const std::string& error, int status) {
    RequestContext& ctx = Context(req);
    const Lang lang = ctx.lang;
    const vuln::Caller caller = CallerFor(req, s);
    auto ref = s.cases.Reference(in.id, caller);
    if (!ref.ok()) return ErrorPage(req, s, 404);
    View view;
    view.set("case_id", std::to_string(in.id.value()));
    view.set("identifier", ref->identifier);
    view.set("kind", std::string(vuln::Name(in.kind)));
    view.set("kind_label", Translate(lang, in.kind == vuln::NoticeKind::kSummary ? "mailtpl_kind_summary"
                                                                                : "mailtpl_kind_detail"));
    view.set("vendor_id", std::to_string(in.vendor.value()));
    view.set("obvious", in.obvious);
    view.set("csrf", ctx.session ? ctx.session->csrf_token : "");
    if (!error.empty()) view.set("error", error);
    auto preview = s.cases.PreviewNotice(in.id, in.vendor, in.kind, in.obvious, caller);
    if (!preview.ok()) {
        if (preview.error().code() == core::ErrorCode::kNotFound) return ErrorPage(req, s, 404);
        view.set("impossible", NoticeProblem(lang, preview.error()));
        http::Response page = RenderPage(req, s, "notice_preview", "mailtpl_preview_title", std::move(view), 409);
        page.SetHeader("Cache-Control", "no-store");
        return page;
    }
    view.set("vendor", preview->vendor_name);
    View drafts{View::type::list};
    for (const auto& d : preview->drafts) {
        View row;
        row.set("lang", std::string(vuln::Name(d.lang)));
        row.set("lang_label", LangLabel(lang, d.lang));
        const auto edited = typed.find(d.lang);
        row.set("subject", edited != typed.end() ? edited->second.subject : d.text.subject);
        row.set("body", edited != typed.end() ? edited->second.body : d.text.body);
        View recipients{View::type::list};
        for (const auto& r : d.recipients) {
            View rr;
            rr.set("address", r.address);
            rr.set("encryption", Translate(lang, r.encrypted ? "mailtpl_encrypted" : "mailtpl_not_encrypted"));
            rr.set("encrypted", r.encrypted);
            recipients.push_back(rr);
        }
        row.set("recipients", recipients);
        drafts.push_back(row);
    }
    view.set("drafts", drafts);
    http::Response page = RenderPage(req, s, "notice_preview", "mailtpl_preview_title", std::move(view), status);
    page.SetHeader("Cache-Control", "no-store");
    return page;
}

std::optional<PreviewInput> ParsePreview(http::Request& req, SiteServices& s, bool form) {
    auto id = CaseIdParam(req, s);
    auto kind = KindParam(req);
    if (!id.ok() || !kind) return std::nullopt;
    const std::string vendor = form ? req.Form("vendor").value_or("") : std::string(req.Query("vendor").value_or(""));
    const std::int64_t vendor_id = std::atoll(vendor.c_str());
    if (vendor_id <= 0) return std::nullopt;
    const std::string obvious =
        form ? req.Form("obvious").value_or("") : std::string(req.Query("obvious").value_or(""));
    return PreviewInput{*id, vuln::VendorId(vendor_id), *kind, *kind == vuln::NoticeKind::kDetail && obvious == "1"};
}

}  // namespace

void AddMailTemplatePages(http::Router& router, SiteServices& s) {
    router.Add("GET", "/templates", [&s](http::Request& req) {
        if (!Staff(req)) return ErrorPage(req, s, 404);
        const Lang lang = Context(req).lang;
        vuln::MailTemplateService templates(s.db, s.clock, s.audit);
        auto list = templates.List(CallerFor(req, s));
        if (!list.ok()) return ErrorPage(req, s, 500);
        View rows{View::type::list};
        for (const auto& t : *list) {
            View row;
            row.set("name", std::string(t.def->name));
            row.set("label", Translate(lang, TemplateKey(t.def->name)));
            row.set("ja_state", Translate(lang, t.ja.override_text ? "mailtpl_state_edited" : "mailtpl_state_default"));
            row.set("en_state", Translate(lang, t.en.override_text ? "mailtpl_state_edited" : "mailtpl_state_default"));
            row.set("ja_subject", t.ja.effective().subject);
            rows.push_back(row);
        }
        View view;
        view.set("list_mode", true);
        view.set("templates", rows);
        http::Response page = RenderPage(req, s, "mail_templates", "mailtpl_title", std::move(view));
        page.SetHeader("Cache-Control", "no-store");
        return page;
    });

    router.Add("GET", "/templates/{name}", [&s](http::Request& req) {
        if (!Staff(req)) return ErrorPage(req, s, 404);
        vuln::MailTemplateService templates(s.db, s.clock, s.audit);
        auto t = templates.Get(req.Param("name"), CallerFor(req, s));
        if (!t.ok()) return ErrorPage(req, s, t.error().code() == core::ErrorCode::kNotFound ? 404 : 500);
        std::string notice;
        if (auto done = req.Query("done"); done == "saved" || done == "reset")
            notice = Translate(Context(req).lang, done == "saved" ? "mailtpl_saved" : "mailtpl_was_reset");
        return TemplatePage(req, s, *t, std::nullopt, notice, 200);
    });

    router.Add("POST", "/templates/{name}", [&s](http::Request& req) {
        if (!Staff(req)) return ErrorPage(req, s, 404);
        if (!CsrfValid(req)) return ErrorPage(req, s, 403);
        const Lang lang = Context(req).lang;
        const vuln::Caller caller = CallerFor(req, s);
        vuln::MailTemplateService templates(s.db, s.clock, s.audit);
        auto t = templates.Get(req.Param("name"), caller);
        if (!t.ok()) return ErrorPage(req, s, t.error().code() == core::ErrorCode::kNotFound ? 404 : 500);
        auto mail_lang = vuln::ParseMailLang(req.Form("lang").value_or(""));
        if (!mail_lang.ok()) return ErrorPage(req, s, 400);
        const std::string target = "/templates/" + UrlEncode(t->def->name);
        if (req.Form("action").value_or("") == "reset") {
            auto st = templates.Reset(t->def->name, *mail_lang, caller);
            if (!st.ok()) return ErrorPage(req, s, 500);
            return http::Response::Redirect(target + "?done=reset");
        }
        Typed typed{*mail_lang, req.Form("subject").value_or(""), req.Form("body").value_or(""), "", ""};
        // Browsers post CRLF line ends; the mail gateway writes CRLF itself.
        std::string body;
        for (char ch : typed.body)
            if (ch != '\r') body += ch;
        typed.body = body;
        if (auto problem = vuln::CheckMailTemplate(*t->def, typed.subject, typed.body)) {
            (problem->field == "subject" ? typed.subject_error : typed.body_error) = ProblemText(lang, *problem);
            return TemplatePage(req, s, *t, typed, "", 400);
        }
        auto st = templates.Save(t->def->name, *mail_lang, typed.subject, typed.body, caller);
        if (!st.ok()) return ErrorPage(req, s, 500);
        return http::Response::Redirect(target + "?done=saved");
    });

    router.Add("GET", "/cases/{id}/notices/{kind}/preview", [&s](http::Request& req) {
        if (!Staff(req)) return ErrorPage(req, s, 404);
        auto in = ParsePreview(req, s, false);
        if (!in) return ErrorPage(req, s, 404);
        return PreviewPage(req, s, *in, {}, "", 200);
    });

    router.Add("POST", "/cases/{id}/notices/{kind}/preview", [&s](http::Request& req) {
        if (!Staff(req)) return ErrorPage(req, s, 404);
        if (!CsrfValid(req)) return ErrorPage(req, s, 403);
        auto in = ParsePreview(req, s, true);
        if (!in) return ErrorPage(req, s, 404);
        const Lang lang = Context(req).lang;
        std::map<MailLang, vuln::MailText> edited;
        for (MailLang l : {MailLang::kJa, MailLang::kEn}) {
            const std::string suffix = "_" + std::string(vuln::Name(l));
            auto subject = req.Form("subject" + suffix);
            auto body = req.Form("body" + suffix);
            if (!subject || !body) continue;
            std::string clean;
            for (char ch : *body)
                if (ch != '\r') clean += ch;
            edited[l] = {*subject, clean};
        }
        auto sent = s.cases.SendNotice(in->id, in->vendor, in->kind, in->obvious, edited, CallerFor(req, s));
        if (!sent.ok()) {
            if (sent.error().code() == core::ErrorCode::kNotFound) return ErrorPage(req, s, 404);
            return PreviewPage(req, s, *in, edited, NoticeProblem(lang, sent.error()), 400);
        }
        s.scheduler.Wake();
        View view;
        view.set("case_id", std::to_string(in->id.value()));
        auto ref = s.cases.Reference(in->id, CallerFor(req, s));
        view.set("identifier", ref.ok() ? ref->identifier : std::string());
        view.set("kind_label", Translate(lang, in->kind == vuln::NoticeKind::kSummary ? "mailtpl_kind_summary"
                                                                                     : "mailtpl_kind_detail"));
        View rows{View::type::list};
        for (const auto& m : *sent) {
            View row;
            row.set("mail_id", std::to_string(m.mail_id));
            row.set("address", m.address);
            row.set("lang_label", LangLabel(lang, m.lang));
            row.set("subject", m.subject);
            row.set("encrypted", m.encrypted);
            row.set("encryption", Translate(lang, m.encrypted ? "mailtpl_encrypted" : "mailtpl_not_encrypted"));
            rows.push_back(row);
        }
        view.set("sent", rows);
        http::Response page = RenderPage(req, s, "notice_sent", "mailtpl_sent_title", std::move(view));
        page.SetHeader("Cache-Control", "no-store");
        return page;
    });
}

}  // namespace kizuna::web::detail
