#include "web/internal/gate.hpp"


namespace kizuna::web::detail {

core::Result<RequestContext*> Admit(http::Request& request, SiteServices& services) {
    auto ctx = std::make_shared<RequestContext>();
    const Lang fallback = services.config.web.default_lang == "en" ? Lang::kEn : Lang::kJa;
    auto query_lang = request.Query("lang");
    ctx->lang = ChooseLang(query_lang, request.Cookie(kLangCookie), request.Header("Accept-Language"), fallback);
    ctx->lang_from_query = query_lang && ParseLang(*query_lang).has_value();

    std::string_view authz = request.Header("Authorization");
    if (!authz.empty()) {
        if (authz.size() < 7 || (authz.substr(0, 7) != "Bearer " && authz.substr(0, 7) != "bearer "))
            return core::Unauthenticated("Authorization must be 'Bearer <token>'");
        KZ_ASSIGN(auto principal, services.tokens.Resolve(authz.substr(7)));
        if (!principal) return core::Unauthenticated("unknown or revoked API token");
        ctx->principal = std::move(*principal);
    } else if (auto cookie = request.Cookie(kSessionCookie)) {
        KZ_ASSIGN(auto session, services.sessions.Resolve(*cookie));
        if (session) {  // an expired cookie is simply anonymous
            ctx->principal = session->principal;
            ctx->session = std::move(*session);
        }
    }
    RequestContext* raw = ctx.get();
    request.user_context = std::move(ctx);
    return raw;
}

RequestContext& Context(http::Request& request) {
    if (!request.user_context) request.user_context = std::make_shared<RequestContext>();
    return *static_cast<RequestContext*>(request.user_context.get());
}

std::optional<http::Response> Check(http::Request& request, auth::Action action, const auth::Resource& resource,
                                    bool api) {
    RequestContext& ctx = Context(request);
    const auth::Decision d = auth::Authorize(ctx.who(), action, resource);
    if (d.allowed) return std::nullopt;
    switch (d.denial) {
        case auth::Denial::kUnauthenticated:
            if (api) {
                auto r = http::ErrorResponse(401, "unauthenticated", "log in or send an API token");
                r.SetHeader("WWW-Authenticate", "Bearer realm=\"kizuna\"");
                return r;
            }
            return http::Response::Redirect("/login?next=" + request.path);
        case auth::Denial::kHidden:
            return api ? http::ErrorResponse(404, "not_found", "not found")
                       : http::Response::Text(404, "not found");  // replaced by the site's 404 page
        case auth::Denial::kForbidden:
        case auth::Denial::kNone:
            return api ? http::ErrorResponse(403, "permission_denied", std::string(d.reason))
                       : http::Response::Text(403, "forbidden");
    }
    return http::Response::Text(403, "forbidden");
}

bool CsrfValid(http::Request& request) {
    RequestContext& ctx = Context(request);
    if (ctx.principal && ctx.principal->via_token) return true;
    if (!ctx.session) return false;
    std::optional<std::string> sent = request.Form("csrf");
    if (!sent) {
        std::string_view header = request.Header("X-CSRF-Token");
        if (!header.empty()) sent = std::string(header);
    }
    return sent && auth::CsrfTokenMatches(*sent, ctx.session->csrf_token);
}

std::optional<http::Response> RequireApiWrite(http::Request& request) {
    if (!Context(request).principal) return http::ErrorResponse(401, "unauthenticated", "log in or send an API token");
    if (CsrfValid(request)) return std::nullopt;
    return http::ErrorResponse(403, "permission_denied", "missing or wrong CSRF token", "X-CSRF-Token");
}

bool FormCsrfValid(http::Request& request) {
    if (Context(request).session) return CsrfValid(request);
    const auto sent = request.Form("csrf");
    const auto cookie = request.Cookie(kLoginCsrfCookie);
    return sent && cookie && auth::CsrfTokenMatches(*sent, *cookie);
}

http::CookieOptions SessionCookieOptions(const http::Request& request) {
    http::CookieOptions options;
    options.http_only = true;
    options.same_site = "Strict";
    options.secure = request.tls;
    return options;
}

}  // namespace kizuna::web::detail
