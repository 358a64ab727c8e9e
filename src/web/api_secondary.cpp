// V16 secondary distribution: the public /related form where a related organisation asks with the case
// identifier its vendor gave it, and the JSON API for vendors (naming related organisations) and
// coordinators (listing, approving, refusing). Rules live in vuln::SecondaryService.
#include <nlohmann/json.hpp>

#include "vuln/secondary.hpp"
#include "web/internal/handlers.hpp"

namespace kizuna::web::detail {
namespace {

using nlohmann::json;

// The form never echoes what was typed: the same page whatever the identifier was.
http::Response RelatedForm(http::Request& req, SiteServices& s, int status, const std::string& error) {
    RequestContext& ctx = Context(req);
    std::string csrf;
    if (ctx.session) {
        csrf = ctx.session->csrf_token;
    } else {
        csrf = req.Cookie(kLoginCsrfCookie).value_or("");
        if (csrf.size() != 64) csrf = core::RandomHex(32);
    }
    View view;
    view.set("csrf", csrf);
    view.set("page_en", ctx.lang == Lang::kEn);
    if (!error.empty()) view.set("error", error);
    http::Response r = RenderPage(req, s, "related", "related_title", std::move(view), status);
    if (!ctx.session) r.SetCookie(kLoginCsrfCookie, csrf, SessionCookieOptions(req));
    r.SetHeader("Cache-Control", "no-store");
    return r;
}

std::string_view FieldKey(const std::string& field) {
    if (field == "identifier") return "related_field_identifier";
    if (field == "name") return "related_field_name";
    if (field == "person") return "related_field_person";
    if (field == "email") return "related_field_email";
    if (field == "phone") return "related_field_phone";
    if (field == "key") return "related_field_key";
    return "";
}

json ContactJson(const vuln::RelatedContact& c) {
    return json{{"name", c.name}, {"person", c.person}, {"email", c.email}, {"phone", c.phone}};
}

json RelatedJson(const vuln::RelatedOrganization& o) {
    json out{{"id", o.id.value()},
             {"vendor_id", o.vendor.value()},
             {"vendor", o.vendor_name},
             {"name", o.contact.name},
             {"person", o.contact.person},
             {"email", o.contact.email},
             {"phone", o.contact.phone},
             {"lang", vuln::Name(o.contact.lang.value_or(vuln::MailLang::kJa))},
             {"state", vuln::Name(o.state)},
             {"named_by", o.named_by},
             {"named_at", o.named_at},
             {"claimed", nullptr},
             {"decided_by", o.decided_by},
             {"decided_at", o.decided_at},
             {"refusal_reason", o.refusal_reason},
             {"sent_level", o.sent_level == vuln::Level::kNone ? json(nullptr) : json(vuln::Name(o.sent_level))},
             {"key_fingerprint", o.key_fingerprint},
             {"key_info", o.key_info}};
    if (!o.claimed_at.empty()) {
        out["claimed"] = ContactJson(o.claimed);
        out["claimed"]["at"] = o.claimed_at;
    }
    return out;
}

core::Result<json> Body(http::Request& req) {
    if (req.body.empty()) return json::object();
    return http::ParseJsonBody(req);
}

}  // namespace

void AddSecondaryRoutes(http::Router& router, SiteServices& s) {
    // --- the public form ------------------------------------------------------------------------------
    router.Add("GET", "/related", [&s](http::Request& req) {
        if (auto denied = Check(req, auth::Action::kView, {auth::ResourceKind::kPublicPage}, false)) return *denied;
        return RelatedForm(req, s, 200, "");
    });

    router.Add("POST", "/related", [&s](http::Request& req) {
        const Lang lang = Context(req).lang;
        if (!FormCsrfValid(req)) return RelatedForm(req, s, 403, Translate(lang, "csrf_failed"));
        vuln::RelatedContact claimant{req.Form("name").value_or(""), req.Form("person").value_or(""),
                                      req.Form("email").value_or(""), req.Form("phone").value_or(""),
                                      req.Form("key").value_or("")};
        if (auto lang = req.Form("lang"); lang && !lang->empty()) {
            auto parsed = vuln::ParseMailLang(*lang);
            if (!parsed.ok()) return RelatedForm(req, s, 400, Translate(Context(req).lang, "related_invalid"));
            claimant.lang = *parsed;
        }
        auto outcome = s.secondary.Claim(req.Form("identifier").value_or(""), claimant, req.remote_ip);
        if (!outcome.ok()) {
            const core::Error& e = outcome.error();
            if (e.code() == core::ErrorCode::kResourceExhausted)
                return RelatedForm(req, s, 429, Translate(lang, "related_throttled"));
            if (e.code() == core::ErrorCode::kInvalidArgument) {
                // Only which field is malformed: nothing about the identifier's validity, no echo.
                const std::string_view key = FieldKey(e.field());
                return RelatedForm(req, s, 400,
                                   Translate(lang, "related_invalid") +
                                       (key.empty() ? std::string() : " (" + Translate(lang, key) + ")"));
            }
            s.log.Error("related claim failed", {{"error", e.ToString()}});
            return ErrorPage(req, s, 500);
        }
        // Every outcome (claimed, unknown identifier, wrong organisation, already claimed): the same page.
        http::Response r = RenderPage(req, s, "related_done", "related_title", View{}, 200);
        r.SetHeader("Cache-Control", "no-store");
        return r;
    });

    // --- the JSON API ---------------------------------------------------------------------------------
    router.Add("GET", "/api/v1/cases/{id}/related-organizations", [&s](http::Request& req) {
        auto id = CaseIdParam(req, s);
        if (!id.ok()) return ApiError(id.error(), req, s);
        auto list = s.secondary.List(*id, CallerFor(req, s));
        if (!list.ok()) return ApiError(list.error(), req, s);
        json out = json::array();
        for (const auto& o : *list) out.push_back(RelatedJson(o));
        return http::Response::Json(200, json{{"related_organizations", out}});
    });

    router.Add("POST", "/api/v1/cases/{id}/related-organizations", [&s](http::Request& req) {
        if (auto bad = RequireApiWrite(req)) return *bad;
        auto id = CaseIdParam(req, s);
        if (!id.ok()) return ApiError(id.error(), req, s);
        auto body = Body(req);
        if (!body.ok()) return ApiError(body.error(), req, s);
        http::JsonObjectReader r(*body);
        auto created = [&]() -> core::Result<vuln::RelatedId> {
            KZ_ASSIGN(std::string name, r.RequireString("name", 0, 1000));
            KZ_ASSIGN(std::string person, r.RequireString("person", 0, 1000));
            KZ_ASSIGN(std::string email, r.RequireString("email", 0, 1000));
            KZ_ASSIGN(auto phone, r.OptionalString("phone", 0, 1000));
            KZ_ASSIGN(auto vendor, r.OptionalInt("vendor_id", 1, INT64_MAX));
            KZ_ASSIGN(auto lang_text, r.OptionalString("lang", 0, 10));
            vuln::RelatedContact contact{name, person, email, phone.value_or(""), ""};
            if (lang_text) {
                KZ_ASSIGN(contact.lang, vuln::ParseMailLang(*lang_text));
            }
            std::optional<vuln::VendorId> on_behalf;
            if (vendor) on_behalf = vuln::VendorId(*vendor);
            return s.secondary.RegisterRelated(*id, contact, CallerFor(req, s), on_behalf);
        }();
        if (!created.ok()) return ApiError(created.error(), req, s);
        return http::Response::Json(201, json{{"id", created->value()}, {"state", "named"}});
    });

    router.Add("POST", "/api/v1/cases/{id}/related-organizations/{rid}/approve", [&s](http::Request& req) {
        if (auto bad = RequireApiWrite(req)) return *bad;
        auto id = CaseIdParam(req, s);
        if (!id.ok()) return ApiError(id.error(), req, s);
        const long long rid = std::atoll(std::string(req.Param("rid")).c_str());
        auto mail = s.secondary.Approve(*id, vuln::RelatedId(rid), CallerFor(req, s));
        if (!mail.ok()) return ApiError(mail.error(), req, s);
        return http::Response::Json(200, json{{"ok", true}, {"state", "approved"}, {"mail_id", *mail}});
    });

    // {"key": "<ASCII-armored public key>"}: registers or replaces the organisation's key (staff).
    router.Add("PUT", "/api/v1/cases/{id}/related-organizations/{rid}/key", [&s](http::Request& req) {
        if (auto bad = RequireApiWrite(req)) return *bad;
        auto id = CaseIdParam(req, s);
        if (!id.ok()) return ApiError(id.error(), req, s);
        const long long rid = std::atoll(std::string(req.Param("rid")).c_str());
        auto body = Body(req);
        if (!body.ok()) return ApiError(body.error(), req, s);
        http::JsonObjectReader r(*body);
        core::Status st = [&]() -> core::Status {
            KZ_TRY(r.RejectUnknown({"key"}));
            KZ_ASSIGN(std::string key, r.RequireString("key", 1, 1024 * 1024));
            return s.secondary.SetKey(*id, vuln::RelatedId(rid), key, CallerFor(req, s));
        }();
        if (!st.ok()) return ApiError(st.error(), req, s);
        return http::Response::Json(200, json{{"ok", true}});
    });

    router.Add("POST", "/api/v1/cases/{id}/related-organizations/{rid}/refuse", [&s](http::Request& req) {
        if (auto bad = RequireApiWrite(req)) return *bad;
        auto id = CaseIdParam(req, s);
        if (!id.ok()) return ApiError(id.error(), req, s);
        const long long rid = std::atoll(std::string(req.Param("rid")).c_str());
        auto body = Body(req);
        if (!body.ok()) return ApiError(body.error(), req, s);
        http::JsonObjectReader r(*body);
        auto reason = r.OptionalString("reason", 0, 4000);
        if (!reason.ok()) return ApiError(reason.error(), req, s);
        core::Status st = s.secondary.Refuse(*id, vuln::RelatedId(rid), reason->value_or(""), CallerFor(req, s));
        if (!st.ok()) return ApiError(st.error(), req, s);
        return http::Response::Json(200, json{{"ok", true}, {"state", "refused"}});
    });
}

}  // namespace kizuna::web::detail
