// Users admin (/users): the list of accounts with, for admins, forms to create an account, change its
// role, disable or enable it and set a new password; an overview of accounts, sessions and tokens. And the
// account page's token form (POST /account/tokens: a new API token of one's own, shown once).
// Coordinators may read the list (auth policy: kUser view); every change is admin-only and CSRF-checked.
// Rules (name and password rules, the last admin, ending sessions and revoking tokens) are
// auth::UserDirectory's.
#include "web/internal/handlers.hpp"

namespace kizuna::web::detail {
namespace {

using auth::Action;
using auth::ResourceKind;

constexpr auth::Role kRoles[] = {auth::Role::kAdmin, auth::Role::kCoordinator, auth::Role::kVendor,
                                 auth::Role::kReporter, auth::Role::kPartner, auth::Role::kSensor};

View Bool(bool b) { return b ? View::type::bool_true : View::type::bool_false; }

// The message key for a failed change: by field and code, never the domain's English text.
std::string ErrorKey(const core::Error& e) {
    if (e.code() == core::ErrorCode::kAlreadyExists) return "admin_error_user_exists";
    if (e.code() == core::ErrorCode::kFailedPrecondition) return "admin_error_last_admin";
    if (e.code() == core::ErrorCode::kNotFound) return "admin_error_no_user";
    const std::string field(e.field());
    if (field == "name") return "admin_error_user_name";
    if (field == "password" || field == "new_password") return "admin_error_password_rules";
    if (field == "email") return "admin_error_email";
    return "admin_error_invalid";
}

struct CreateForm {
    std::string name, display_name, email, organization, role = "reporter";
    std::string error;
};

http::Response UsersPage(http::Request& req, SiteServices& s, const CreateForm& form, int status) {
    RequestContext& ctx = Context(req);
    const Lang lang = ctx.lang;
    const bool admin = ctx.principal && ctx.principal->role == auth::Role::kAdmin;
    auto users = s.users.List();
    if (!users.ok()) return ErrorPage(req, s, 500);
    const std::string csrf = ctx.session ? ctx.session->csrf_token : "";
    View list{View::type::list};
    for (const auto& u : *users) {
        View row;
        row.set("name", u.name);
        row.set("display_name", u.display_name);
        row.set("role_label", RoleLabel(lang, u.role));
        row.set("organization", u.organization);
        row.set("email", u.email);
        auto created = core::ParseRfc3339(u.created_at);
        row.set("created_at", created ? s.zone.FormatMinutes(*created) : u.created_at);
        row.set("disabled", Bool(u.disabled));
        row.set("state", Translate(lang, u.disabled ? "admin_user_disabled_state" : "admin_user_active_state"));
        row.set("self", Bool(ctx.principal && ctx.principal->name == u.name));
        row.set("path", UrlEncode(u.name));
        View roles{View::type::list};
        for (auth::Role r : kRoles) {
            View o;
            o.set("value", std::string(auth::RoleName(r)));
            o.set("label", RoleLabel(lang, r));
            o.set("selected", Bool(r == u.role));
            roles.push_back(o);
        }
        row.set("roles", roles);
        list.push_back(row);
    }
    View view;
    view.set("users", list);
    view.set("admin", Bool(admin));
    view.set("csrf", csrf);
    view.set("zone", s.zone.name());
    View roles{View::type::list};
    for (auth::Role r : kRoles) {
        View o;
        o.set("value", std::string(auth::RoleName(r)));
        o.set("label", RoleLabel(lang, r));
        o.set("selected", Bool(form.role == auth::RoleName(r)));
        roles.push_back(o);
    }
    View f;
    f.set("name", form.name);
    f.set("display_name", form.display_name);
    f.set("email", form.email);
    f.set("organization", form.organization);
    f.set("roles", roles);
    if (!form.error.empty()) f.set("error", Translate(lang, form.error));
    else f.set("error", View::type::bool_false);  // not the page's own error, looked up outside the form
    view.set("form", f);
    // Overview for admins: accounts by role, live sessions and tokens (formerly on the dashboard).
    if (admin) {
        View stats{View::type::list};
        auto add = [&](const char* key, std::int64_t value) {
            View v;
            v.set("key", key);
            v.set("value", std::to_string(value));
            v.set("label", Translate(lang, std::string("stat_") + key));
            stats.push_back(v);
        };
        if (auto by_role = s.users.CountByRole(); by_role.ok()) {
            std::int64_t total = 0;
            for (const auto& [role, n] : *by_role) total += n;
            add("users", total);
            auto count_of = [&](auth::Role r) {
                auto it = by_role->find(r);
                return it == by_role->end() ? std::int64_t{0} : it->second;
            };
            add("coordinators", count_of(auth::Role::kCoordinator));
            add("vendors", count_of(auth::Role::kVendor));
            add("reporters", count_of(auth::Role::kReporter));
        }
        if (auto n = s.sessions.ActiveCount(); n.ok()) add("sessions", *n);
        if (auto n = s.tokens.ActiveCount(); n.ok()) add("tokens", *n);
        view.set("stats", stats);
    }
    // Message codes only: nothing from the query string is shown as text.
    const std::string done = req.Query("done").value_or("");
    for (const char* code : {"created", "role", "disabled", "enabled", "password"})
        if (done == code) view.set("notice", Translate(lang, std::string("admin_user_done_") + code));
    const std::string error = req.Query("error").value_or("");
    for (const char* key : {"admin_error_user_exists", "admin_error_last_admin", "admin_error_no_user",
                            "admin_error_user_name", "admin_error_password_rules", "admin_error_email",
                            "admin_error_invalid", "admin_error_self"})
        if (error == std::string(key).substr(12)) view.set("error", Translate(lang, key));
    http::Response r = RenderPage(req, s, "users", "users_title", std::move(view), status);
    r.SetHeader("Cache-Control", "no-store");
    return r;
}

// Admin-only, CSRF-checked change of one account; answers with a redirect to /users with a message code.
template <typename Fn>
http::Response ChangeUser(http::Request& req, SiteServices& s, Fn&& change) {
    if (auto denied = Check(req, Action::kUpdate, {ResourceKind::kUser}, false)) return *denied;
    if (!CsrfValid(req)) return ErrorPage(req, s, 403);
    const std::string name(req.Param("name"));
    return change(name);
}

http::Response Back(const core::Status& st, const char* done) {
    if (st.ok()) return http::Response::Redirect(std::string("/users?done=") + done);
    return http::Response::Redirect("/users?error=" + ErrorKey(st.error()).substr(12));
}

}  // namespace

void AddUserPages(http::Router& router, SiteServices& s) {
    router.Add("GET", "/users", [&s](http::Request& req) {
        if (auto denied = Check(req, Action::kView, {ResourceKind::kUser}, false)) return *denied;
        return UsersPage(req, s, {}, 200);
    });

    router.Add("POST", "/users", [&s](http::Request& req) {
        if (auto denied = Check(req, Action::kCreate, {ResourceKind::kUser}, false)) return *denied;
        if (!CsrfValid(req)) return ErrorPage(req, s, 403);
        CreateForm form;
        form.name = req.Form("name").value_or("");
        form.display_name = req.Form("display_name").value_or("");
        form.email = req.Form("email").value_or("");
        form.organization = req.Form("organization").value_or("");
        form.role = req.Form("role").value_or("");
        auto role = auth::ParseRole(form.role);
        if (!role.ok()) {
            form.error = "admin_error_invalid";
            return UsersPage(req, s, form, 400);
        }
        auth::NewUser u{form.name, *role, req.Form("password").value_or(""), form.display_name, form.email,
                        form.organization};
        auto created = s.users.Create(u, Context(req).principal->name);
        if (!created.ok()) {
            if (created.error().code() == core::ErrorCode::kInternal) return ErrorPage(req, s, 500);
            form.error = ErrorKey(created.error());
            return UsersPage(req, s, form, 400);  // what was typed stays in the form (not the password)
        }
        return http::Response::Redirect("/users?done=created");
    });

    router.Add("POST", "/users/{name}/role", [&s](http::Request& req) {
        return ChangeUser(req, s, [&](const std::string& name) {
            auto role = auth::ParseRole(req.Form("role").value_or(""));
            if (!role.ok()) return Back(role.error(), "role");
            return Back(s.users.SetRole(name, *role, Context(req).principal->name), "role");
        });
    });

    router.Add("POST", "/users/{name}/disable", [&s](http::Request& req) {
        return ChangeUser(req, s, [&](const std::string& name) {
            // An admin does not lock themselves out from this page.
            if (name == Context(req).principal->name) return http::Response::Redirect("/users?error=self");
            return Back(s.users.SetDisabled(name, true, Context(req).principal->name), "disabled");
        });
    });

    router.Add("POST", "/users/{name}/enable", [&s](http::Request& req) {
        return ChangeUser(req, s, [&](const std::string& name) {
            return Back(s.users.SetDisabled(name, false, Context(req).principal->name), "enabled");
        });
    });

    router.Add("POST", "/users/{name}/password", [&s](http::Request& req) {
        return ChangeUser(req, s, [&](const std::string& name) {
            if (name == Context(req).principal->name) return http::Response::Redirect("/users?error=self");
            return Back(s.users.ChangePassword(name, req.Form("new_password").value_or(""),
                                               Context(req).principal->name),
                        "password");
        });
    });

    // A new API token of one's own from the account page; the secret is shown once, on this answer only.
    router.Add("POST", "/account/tokens", [&s](http::Request& req) {
        RequestContext& ctx = Context(req);
        if (!ctx.principal) return http::Response::Redirect("/login?next=/account");
        if (auto denied = Check(req, Action::kCreate, {ResourceKind::kApiToken, ctx.principal->id}, false))
            return *denied;
        if (!ctx.session || !CsrfValid(req)) return ErrorPage(req, s, 403);
        const std::string label = req.Form("label").value_or("").substr(0, 100);
        std::optional<std::chrono::days> ttl;
        const std::string days = req.Form("days").value_or("");
        if (!days.empty() && days.size() < 6 && days.find_first_not_of("0123456789") == std::string::npos)
            ttl = std::chrono::days(std::stoi(days));
        auto token = s.tokens.Create(ctx.principal->name, label, ctx.principal->name, ttl);
        if (!token.ok()) {
            if (token.error().code() == core::ErrorCode::kInvalidArgument)
                return http::Response::Redirect("/account?error=token_days");
            return ErrorPage(req, s, 500);
        }
        View view;
        view.set("secret", token->secret);
        view.set("label", label);
        view.set("expires", s.zone.FormatMinutes(token->expires));
        view.set("zone", s.zone.name());
        http::Response r = RenderPage(req, s, "token_created", "admin_token_created_title", std::move(view), 201);
        r.SetHeader("Cache-Control", "no-store");
        return r;
    });
}

}  // namespace kizuna::web::detail
