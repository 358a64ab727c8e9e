// JSON API (/api/v1/...) and the operational endpoints /healthz and /metrics.
#include <nlohmann/json.hpp>

#include "web/internal/handlers.hpp"

namespace kizuna::web::detail {
namespace {

using auth::Action;
using auth::ResourceKind;
using nlohmann::json;

json UserJson(const auth::User& u) {
    return {{"name", u.name},   {"display_name", u.display_name}, {"role", auth::RoleName(u.role)},
            {"email", u.email}, {"organization", u.organization}, {"created_at", u.created_at}};
}

// Unsafe API calls made with a browser session must carry X-CSRF-Token; token calls need none.
std::optional<http::Response> RequireCsrf(http::Request& req) {
    if (CsrfValid(req)) return std::nullopt;
    return http::ErrorResponse(403, "permission_denied", "missing or wrong CSRF token", "X-CSRF-Token");
}

}  // namespace

void AddApi(http::Router& router, SiteServices& s) {
    router.Add("GET", "/healthz", [&s](http::Request& req) {
        if (auto denied = Check(req, Action::kView, {ResourceKind::kHealth}, true)) return *denied;
        // Liveness plus a round trip to the database: a pooled connection and a trivial statement.
        auto lease = s.db.Acquire();
        if (!lease.ok() || !(*lease)->Exec("SELECT 1").ok())
            return http::Response::Json(503, json{{"status", "unavailable"}, {"database", "error"}});
        http::Response r(200);
        r.body = R"({"status":"ok","database":"ok"})";
        r.SetHeader("Content-Type", "application/json");
        r.SetHeader("Cache-Control", "no-store");
        return r;
    });

    router.Add("GET", "/metrics", [&s](http::Request& req) {
        if (auto denied = Check(req, Action::kView, {ResourceKind::kMetrics}, true)) return *denied;
        http::Response r(200);
        r.body = s.metrics.RenderPrometheus();
        r.SetHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        return r;
    });

    router.Add("GET", "/api/v1/me", [](http::Request& req) {
        RequestContext& ctx = Context(req);
        if (!ctx.principal) return http::ErrorResponse(401, "unauthenticated", "log in or send an API token");
        return http::Response::Json(200, json{{"name", ctx.principal->name},
                                              {"display_name", ctx.principal->display_name},
                                              {"role", auth::RoleName(ctx.principal->role)},
                                              {"via_token", ctx.principal->via_token}});
    });

    router.Add("GET", "/api/v1/users", [&s](http::Request& req) {
        if (auto denied = Check(req, Action::kView, {ResourceKind::kUser}, true)) return *denied;
        auto users = s.users.List();
        if (!users.ok()) return http::ErrorResponse(users.error(), req, s.log);
        json out = json::array();
        for (const auto& u : *users) out.push_back(UserJson(u));
        return http::Response::Json(200, json{{"users", out}});
    });

    router.Add("POST", "/api/v1/users", [&s](http::Request& req) {
        if (auto denied = Check(req, Action::kCreate, {ResourceKind::kUser}, true)) return *denied;
        if (auto bad = RequireCsrf(req)) return *bad;
        auto body = http::ParseJsonBody(req);
        if (!body.ok()) return http::ErrorResponse(body.error());
        http::JsonObjectReader r(*body);
        auto parsed = [&]() -> core::Result<auth::NewUser> {
            KZ_TRY(r.RejectUnknown({"name", "role", "password", "display_name", "email", "organization"}));
            auth::NewUser u;
            KZ_ASSIGN(u.name, r.RequireString("name", 1, 64));
            KZ_ASSIGN(std::string role, r.RequireString("role", 1, 32));
            KZ_ASSIGN(u.role, auth::ParseRole(role));
            KZ_ASSIGN(auto password, r.OptionalString("password", 0, 1024));
            u.password = password.value_or("");
            KZ_ASSIGN(auto display, r.OptionalString("display_name", 0, 200));
            u.display_name = display.value_or("");
            KZ_ASSIGN(auto email, r.OptionalString("email", 0, 254));
            u.email = email.value_or("");
            KZ_ASSIGN(auto org, r.OptionalString("organization", 0, 200));
            u.organization = org.value_or("");
            return u;
        }();
        if (!parsed.ok()) return http::ErrorResponse(parsed.error());
        auto user = s.users.Create(*parsed, Context(req).principal->name);
        if (!user.ok()) return http::ErrorResponse(user.error(), req, s.log);
        http::Response resp = http::Response::Json(201, UserJson(*user));
        resp.SetHeader("Location", "/api/v1/users/" + user->name);
        return resp;
    });

    router.Add("POST", "/api/v1/tokens", [&s](http::Request& req) {
        RequestContext& ctx = Context(req);
        auto body = http::ParseJsonBody(req);
        if (!body.ok()) return http::ErrorResponse(body.error());
        http::JsonObjectReader r(*body);
        if (auto st = r.RejectUnknown({"user", "label", "expires_in_days"}); !st.ok()) return http::ErrorResponse(st.error());
        auto name = r.OptionalString("user", 1, 64);
        auto label = r.OptionalString("label", 0, 100);
        auto days = r.OptionalInt("expires_in_days", 1, 36500);
        if (!name.ok()) return http::ErrorResponse(name.error());
        if (!label.ok()) return http::ErrorResponse(label.error());
        if (!days.ok()) return http::ErrorResponse(days.error());
        const std::string user_name = name->value_or(ctx.principal ? ctx.principal->name : "");
        auth::Resource resource{ResourceKind::kApiToken};
        if (ctx.principal && user_name == ctx.principal->name) resource.owner = ctx.principal->id;
        if (auto denied = Check(req, Action::kCreate, resource, true)) return *denied;
        // Only an admin's token mints tokens (policy); everyone else creates them from a browser session.
        if (auto bad = RequireCsrf(req)) return *bad;
        std::optional<std::chrono::days> ttl;
        if (*days) ttl = std::chrono::days(**days);
        auto token = s.tokens.Create(user_name, label->value_or(""), ctx.principal->name, ttl);
        if (!token.ok()) return http::ErrorResponse(token.error(), req, s.log);
        http::Response resp = http::Response::Json(201, json{{"id", token->id},
                                                             {"user", user_name},
                                                             {"token", token->secret},
                                                             {"expires_at", core::FormatRfc3339(token->expires)}});
        resp.SetHeader("Cache-Control", "no-store");
        return resp;
    });

    router.Add("GET", "/api/v1/audit/verify", [&s](http::Request& req) {
        if (auto denied = Check(req, Action::kView, {ResourceKind::kAuditLog}, true)) return *denied;
        auto lease = s.db.Acquire();
        if (!lease.ok()) return http::ErrorResponse(lease.error(), req, s.log);
        auto report = s.audit.VerifyAll(**lease);
        if (!report.ok()) return http::ErrorResponse(report.error(), req, s.log);
        json out{{"intact", report->intact}, {"entries", report->entries}, {"checkpoints", report->checkpoints},
                 {"keyed", report->keyed}};
        if (!report->intact) {
            out["first_bad_seq"] = report->first_bad_seq ? json(*report->first_bad_seq) : json(nullptr);
            out["problem"] = report->problem;
            out["problems"] = report->problems;
        }
        return http::Response::Json(200, out);
    });
}

}  // namespace kizuna::web::detail

namespace kizuna::web::detail {

http::Response ApiError(const core::Error& error, http::Request& request, SiteServices& services) {
    return http::ErrorResponse(error, request, services.log);
}

}  // namespace kizuna::web::detail
