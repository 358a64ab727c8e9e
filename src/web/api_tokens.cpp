// API tokens: GET /api/v1/tokens, DELETE /api/v1/tokens/{id}, and the account page's revoke form
// (POST /account/tokens/{id}/revoke), and the account page's password change (POST /account/password), which
// ends every session and revokes every token of the user. Owners see and revoke their own tokens; admins everyone's. A token
// of someone else answers 404 (its existence is not confirmed). Creation is POST /api/v1/tokens (api.cpp).
#include <nlohmann/json.hpp>

#include "web/internal/handlers.hpp"

namespace kizuna::web::detail {
namespace {

using auth::Action;
using auth::ResourceKind;
using nlohmann::json;

json TokenJson(const auth::TokenInfo& t) {
    json out{{"id", t.id},           {"user", t.user_name},  {"label", t.label},
             {"created_at", t.created_at}, {"revoked", t.revoked}, {"expired", t.expired}};
    out["expires_at"] = t.expires ? json(core::FormatRfc3339(*t.expires)) : json(nullptr);
    out["revoked_at"] = t.revoked_at.empty() ? json(nullptr) : json(t.revoked_at);
    return out;
}

std::optional<std::int64_t> TokenIdParam(http::Request& req) {
    const std::string text(req.Param("id"));
    if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    return std::stoll(text);
}

// The token, when the caller may manage it; nullopt (answer 404) otherwise.
core::Result<std::optional<auth::TokenInfo>> ManageableToken(SiteServices& s, const auth::Principal& who,
                                                             std::int64_t id) {
    KZ_ASSIGN(auto token, s.tokens.Find(id));
    if (!token) return token;
    auth::Resource resource{ResourceKind::kApiToken, token->user_id};
    if (!auth::Authorize(&who, Action::kDelete, resource).allowed) return std::optional<auth::TokenInfo>();
    return token;
}

}  // namespace

void AddTokenRoutes(http::Router& router, SiteServices& s) {
    router.Add("GET", "/api/v1/tokens", [&s](http::Request& req) {
        RequestContext& ctx = Context(req);
        if (!ctx.principal) return http::ErrorResponse(401, "unauthenticated", "log in or send an API token");
        // ?user=NAME: that user's tokens (admins; others only their own); ?all=1: everyone's (admins).
        const std::string user = req.Query("user").value_or(ctx.principal->name);
        const bool all = req.Query("all").value_or("") == "1";
        std::optional<auth::UserId> owner;
        if (all) {
            if (ctx.principal->role != auth::Role::kAdmin)
                return http::ErrorResponse(403, "permission_denied", "only admins list every token", "all");
        } else if (user == ctx.principal->name) {
            owner = ctx.principal->id;
        } else {
            if (ctx.principal->role != auth::Role::kAdmin)
                return http::ErrorResponse(403, "permission_denied", "admins manage tokens of others", "user");
            auto found = s.users.FindByName(user);
            if (!found.ok()) return ApiError(found.error(), req, s);
            if (!*found) return http::ErrorResponse(404, "not_found", "no such user", "user");
            owner = (*found)->id;
        }
        if (auto denied = Check(req, Action::kView, {ResourceKind::kApiToken, owner}, true)) return *denied;
        auto tokens = s.tokens.List(owner);
        if (!tokens.ok()) return ApiError(tokens.error(), req, s);
        json out = json::array();
        for (const auto& t : *tokens) out.push_back(TokenJson(t));
        http::Response r = http::Response::Json(200, json{{"tokens", out}});
        r.SetHeader("Cache-Control", "no-store");
        return r;
    });

    router.Add("DELETE", "/api/v1/tokens/{id}", [&s](http::Request& req) {
        RequestContext& ctx = Context(req);
        if (!ctx.principal) return http::ErrorResponse(401, "unauthenticated", "log in or send an API token");
        if (auto bad = RequireApiWrite(req)) return *bad;
        const auto id = TokenIdParam(req);
        if (!id) return http::ErrorResponse(404, "not_found", "no such token");
        auto token = ManageableToken(s, *ctx.principal, *id);
        if (!token.ok()) return ApiError(token.error(), req, s);
        if (!*token) return http::ErrorResponse(404, "not_found", "no such token");
        if (auto st = s.tokens.Revoke(*id, ctx.principal->name); !st.ok()) return ApiError(st.error(), req, s);
        auto after = s.tokens.Find(*id);
        if (!after.ok() || !*after) return http::ErrorResponse(500, "internal", "token vanished");
        return http::Response::Json(200, TokenJson(**after));
    });

    router.Add("POST", "/account/tokens/{id}/revoke", [&s](http::Request& req) {
        RequestContext& ctx = Context(req);
        if (!ctx.principal) return http::Response::Redirect("/login?next=/account");
        if (!ctx.session || !CsrfValid(req)) return ErrorPage(req, s, 403);
        const auto id = TokenIdParam(req);
        if (!id) return ErrorPage(req, s, 404);
        auto token = ManageableToken(s, *ctx.principal, *id);
        if (!token.ok()) return ErrorPage(req, s, 500);
        if (!*token) return ErrorPage(req, s, 404);
        if (auto st = s.tokens.Revoke(*id, ctx.principal->name); !st.ok()) {
            if (st.error().code() != core::ErrorCode::kFailedPrecondition) return ErrorPage(req, s, 500);
        }
        return http::Response::Redirect("/account?done=token_revoked");
    });

    router.Add("POST", "/account/password", [&s](http::Request& req) {
        RequestContext& ctx = Context(req);
        if (!ctx.principal) return http::Response::Redirect("/login?next=/account");
        if (!ctx.session || !CsrfValid(req)) return ErrorPage(req, s, 403);
        const std::string name = ctx.principal->name;
        auto found = s.users.FindForLogin(name);
        if (!found.ok()) return ErrorPage(req, s, 500);
        if (!*found || !auth::VerifyPassword((*found)->second, req.Form("current_password").value_or("")))
            return http::Response::Redirect("/account?error=password_wrong");
        auto st = s.users.ChangePassword(name, req.Form("new_password").value_or(""), name);
        if (!st.ok()) {
            if (st.error().code() == core::ErrorCode::kInvalidArgument)
                return http::Response::Redirect("/account?error=password_rules");
            return ErrorPage(req, s, 500);
        }
        // Every session ended with the change, this one too: log in again with the new password.
        http::Response r = http::Response::Redirect("/login?next=/account");
        http::CookieOptions drop = SessionCookieOptions(req);
        drop.max_age_seconds = 0;
        r.SetCookie(kSessionCookie, "", drop);
        return r;
    });
}

}  // namespace kizuna::web::detail
