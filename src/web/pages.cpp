// Server-rendered pages: home, login/logout, account. (Dashboard and case list: pages_queue.cpp; users:
// pages_users.cpp; vendors: pages_vendors.cpp; audit log: pages_audit.cpp.)
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "web/internal/assets.hpp"
#include "web/internal/handlers.hpp"

namespace kizuna::web::detail {
namespace {

using auth::Action;
using auth::Resource;
using auth::ResourceKind;

struct NavItem {
    const char* href;
    const char* key;
};

std::vector<NavItem> NavFor(const auth::Principal* who) {
    std::vector<NavItem> nav = {{"/", "nav_home"}, {"/advisories/", "nav_advisories"}, {"/stats", "nav_stats"},
                                {"/report", "nav_report"}, {"/observe", "nav_observe"}};
    if (!who) return nav;
    if (who->role == auth::Role::kVendor) nav.push_back({"/cases", "nav_portal"});
    if (who->role == auth::Role::kReporter || who->role == auth::Role::kPartner) nav.push_back({"/cases", "nav_cases"});
    if (who->role == auth::Role::kAdmin || who->role == auth::Role::kCoordinator) {
        nav.push_back({"/dashboard", "nav_dashboard"});
        nav.push_back({"/cases", "nav_cases"});
        nav.push_back({"/vendors", "admin_nav_vendors"});
        nav.push_back({"/mail", "nav_mail"});
        nav.push_back({"/templates", "mailtpl_nav"});
        nav.push_back({"/audit", "nav_audit"});
        nav.push_back({"/users", "nav_users"});
    }
    nav.push_back({"/account", "nav_account"});
    return nav;
}

// Only same-site relative paths: "/x" but not "//evil.example" or "/\evil".
std::string SafeNext(const std::optional<std::string>& next) {
    if (!next || next->empty() || (*next)[0] != '/' || next->size() > 512) return {};
    if (next->size() > 1 && ((*next)[1] == '/' || (*next)[1] == '\\')) return {};
    for (char c : *next)
        if (static_cast<unsigned char>(c) < 0x20) return {};
    return *next;
}

std::string LandingFor(const auth::Principal& p) {
    if (p.role == auth::Role::kAdmin || p.role == auth::Role::kCoordinator) return "/dashboard";
    if (p.role == auth::Role::kVendor || p.role == auth::Role::kReporter || p.role == auth::Role::kPartner) return "/cases";
    return "/account";
}

// Public pages seen by anonymous visitors are the same for everyone in one language, except the login
// form's CSRF token. They are rendered once per (page, language) with a sentinel where the token goes,
// and the token is spliced in per request: rendering mustache on every hit would cost five times more.
class AnonymousPageCache {
  public:
    static constexpr std::string_view kTokenSentinel = "@@kizuna-csrf-token@@";

    std::string Get(const std::string& key, const std::function<std::string()>& render) {
        {
            std::lock_guard lock(mu_);
            if (auto it = pages_.find(key); it != pages_.end()) return it->second;
        }
        std::string html = render();
        std::lock_guard lock(mu_);
        return pages_.emplace(key, std::move(html)).first->second;
    }

  private:
    std::mutex mu_;
    std::map<std::string, std::string> pages_;
};

// Process-wide on purpose: these pages depend only on the embedded templates and the language.
AnonymousPageCache& PageCache() {
    static AnonymousPageCache cache;
    return cache;
}

std::string SpliceToken(std::string html, std::string_view token) {
    const auto sentinel = AnonymousPageCache::kTokenSentinel;
    for (auto pos = html.find(sentinel); pos != std::string::npos; pos = html.find(sentinel, pos + token.size()))
        html.replace(pos, sentinel.size(), token);
    return html;
}

http::Response LoginForm(http::Request& req, SiteServices& s, int status, const std::string& error,
                         const std::string& name) {
    // Double-submit token for the anonymous form: a random value in a SameSite=Strict cookie and in
    // the form; POST /login requires both to match.
    std::string csrf = req.Cookie(kLoginCsrfCookie).value_or("");
    if (csrf.size() != 64) csrf = core::RandomHex(32);
    const std::string next = SafeNext(req.Query("next") ? req.Query("next") : req.Form("next"));
    auto render = [&](std::string_view token) {
        View view;
        view.set("csrf", std::string(token));
        view.set("next", next);
        view.set("name", name);
        if (!error.empty()) view.set("error", error);
        return RenderHtml(req, "login", "login_title", std::move(view));
    };
    const bool plain = !Context(req).principal && error.empty() && name.empty() && next.empty();
    std::string html = plain ? SpliceToken(PageCache().Get("login:" + std::string(LangCode(Context(req).lang)),
                                                           [&] { return render(AnonymousPageCache::kTokenSentinel); }),
                                           csrf)
                             : render(csrf);
    (void)s;
    http::Response r = FinishPage(req, std::move(html), status);
    r.SetCookie(kLoginCsrfCookie, csrf, SessionCookieOptions(req));
    r.SetHeader("Cache-Control", "no-store");
    return r;
}

}  // namespace

std::string RoleLabel(Lang lang, auth::Role role) {
    return Translate(lang, "role_" + std::string(auth::RoleName(role)));
}

std::string RenderHtml(http::Request& req, std::string_view name, std::string_view title_key, View view) {
    RequestContext& ctx = Context(req);
    const Lang lang = ctx.lang;
    view.set("t", Messages(lang));
    std::string content = Render(name, view);

    View layout;
    layout.set("t", Messages(lang));
    layout.set("lang", std::string(LangCode(lang)));
    layout.set("title", Translate(lang, title_key));
    // A page may name itself ("JVN#12345678 Title") and add <link> elements to the head (feeds, CSAF).
    if (const View* own = view.get("page_title"); own && own->is_string()) layout.set("title", own->string_value());
    if (const View* links = view.get("head_links"); links && links->is_list()) layout.set("head_links", *links);
    layout.set("content", content);
    View nav{View::type::list};
    for (const NavItem& item : NavFor(ctx.who())) {
        View entry;
        entry.set("href", item.href);
        entry.set("label", Translate(lang, item.key));
        entry.set("current", req.path == item.href ? View::type::bool_true : View::type::bool_false);
        nav.push_back(entry);
    }
    layout.set("nav", nav);
    View langs{View::type::list};
    for (Lang l : {Lang::kJa, Lang::kEn}) {
        View entry;
        entry.set("code", std::string(LangCode(l)));
        entry.set("label", l == Lang::kJa ? "日本語" : "English");
        entry.set("href", req.path + "?lang=" + std::string(LangCode(l)));
        entry.set("current", l == lang ? View::type::bool_true : View::type::bool_false);
        langs.push_back(entry);
    }
    layout.set("langs", langs);
    if (ctx.principal) {
        View user;
        user.set("display_name", ctx.principal->display_name);
        user.set("role_label", RoleLabel(lang, ctx.principal->role));
        user.set("csrf", ctx.session ? ctx.session->csrf_token : "");
        layout.set("user", user);
    }
    return Render("layout", layout);
}

http::Response FinishPage(http::Request& req, std::string html, int status) {
    RequestContext& ctx = Context(req);
    http::Response r = http::Response::Html(status, std::move(html));
    r.SetHeader("Content-Language", LangCode(ctx.lang));
    if (ctx.lang_from_query) {
        http::CookieOptions keep = SessionCookieOptions(req);
        keep.max_age_seconds = 365LL * 24 * 3600;
        r.SetCookie(kLangCookie, LangCode(ctx.lang), keep);
    }
    return r;
}

http::Response RenderPage(http::Request& req, SiteServices& /*services*/, std::string_view name,
                          std::string_view title_key, View view, int status) {
    return FinishPage(req, RenderHtml(req, name, title_key, std::move(view)), status);
}

http::Response ErrorPage(http::Request& req, SiteServices& s, int status) {
    const Lang lang = Context(req).lang;
    // 403, 404 and 500 have their words in the main catalog; the other statuses a page may answer with
    // (400, 409, 413, 429, 503) in words.json; anything else says "error" rather than a wrong reason.
    std::string prefix = "error_500";
    if (status == 404 || status == 403) prefix = "error_" + std::to_string(status);
    else if (status == 400 || status == 409 || status == 413 || status == 429 || status == 503)
        prefix = "words_error_" + std::to_string(status);
    View view;
    view.set("heading", Translate(lang, prefix + "_title"));
    view.set("message", Translate(lang, prefix + "_text"));
    return RenderPage(req, s, "error", prefix + "_title", std::move(view), status);
}

void AddPages(http::Router& router, SiteServices& s) {
    router.Add("GET", "/", [&s](http::Request& req) {
        if (auto denied = Check(req, auth::Action::kView, {ResourceKind::kPublicPage}, false)) return *denied;
        if (Context(req).principal) return RenderPage(req, s, "home", "home_title", View{});
        return FinishPage(req,
                          PageCache().Get("home:" + std::string(LangCode(Context(req).lang)),
                                          [&] { return RenderHtml(req, "home", "home_title", View{}); }),
                          200);
    });

    router.Add("GET", "/static/{file...}", [](http::Request& req) {
        if (auto denied = Check(req, auth::Action::kView, {ResourceKind::kPublicPage}, false)) return *denied;
        auto body = EmbeddedFile("static/" + std::string(req.Param("file")));
        if (!body) return http::Response::Text(404, "not found");
        http::Response r(200);
        r.body = std::string(*body);
        r.SetHeader("Content-Type", req.path.ends_with(".css") ? "text/css; charset=utf-8" : "application/octet-stream");
        r.SetHeader("Cache-Control", "public, max-age=3600");
        return r;
    });

    router.Add("GET", "/login", [&s](http::Request& req) {
        if (auto denied = Check(req, auth::Action::kView, {ResourceKind::kPublicPage}, false)) return *denied;
        RequestContext& ctx = Context(req);
        if (ctx.principal && !ctx.principal->via_token) return http::Response::Redirect(LandingFor(*ctx.principal));
        return LoginForm(req, s, 200, "", "");
    });

    router.Add("POST", "/login", [&s](http::Request& req) {
        const Lang lang = Context(req).lang;
        const std::string name = req.Form("name").value_or("");
        const auto sent = req.Form("csrf");
        const auto cookie = req.Cookie(kLoginCsrfCookie);
        if (!sent || !cookie || !auth::CsrfTokenMatches(*sent, *cookie)) {
            s.log.Warn("login form without a valid CSRF token", {{"ip", req.remote_ip}});
            return LoginForm(req, s, 403, Translate(lang, "csrf_failed"), name);
        }
        auto session = s.sessions.Login(name, req.Form("password").value_or(""), req.remote_ip);
        if (!session.ok()) {
            const auto code = session.error().code();
            if (code == core::ErrorCode::kUnauthenticated)
                return LoginForm(req, s, 401, Translate(lang, "login_failed"), name);
            if (code == core::ErrorCode::kResourceExhausted)
                return LoginForm(req, s, 429, Translate(lang, "login_throttled"), name);
            s.log.Error("login failed", {{"error", session.error().ToString()}});
            return ErrorPage(req, s, 500);
        }
        std::string next = SafeNext(req.Form("next"));
        http::Response r = http::Response::Redirect(next.empty() ? LandingFor(session->principal) : next);
        http::CookieOptions options = SessionCookieOptions(req);
        options.max_age_seconds = std::chrono::duration_cast<std::chrono::seconds>(session->expires - s.clock.Now()).count();
        r.SetCookie(kSessionCookie, session->token, options);
        http::CookieOptions drop = SessionCookieOptions(req);
        drop.max_age_seconds = 0;
        r.SetCookie(kLoginCsrfCookie, "", drop);
        return r;
    });

    router.Add("POST", "/logout", [&s](http::Request& req) {
        RequestContext& ctx = Context(req);
        if (!ctx.session) return http::Response::Redirect("/");
        if (!CsrfValid(req)) return ErrorPage(req, s, 403);
        if (auto st = s.sessions.Logout(ctx.session->token, req.remote_ip); !st.ok())
            s.log.Error("logout failed", {{"error", st.error().ToString()}});
        http::Response r = http::Response::Redirect("/");
        http::CookieOptions drop = SessionCookieOptions(req);
        drop.max_age_seconds = 0;
        r.SetCookie(kSessionCookie, "", drop);
        return r;
    });

    router.Add("GET", "/account", [&s](http::Request& req) {
        RequestContext& ctx = Context(req);
        if (!ctx.principal) return http::Response::Redirect("/login?next=/account");
        if (auto denied = Check(req, auth::Action::kView, {ResourceKind::kUser, ctx.principal->id}, false))
            return *denied;
        auto user = s.users.FindByName(ctx.principal->name);
        if (!user.ok() || !user->has_value()) return ErrorPage(req, s, 500);
        const auth::User& u = **user;
        View view;
        view.set("name", u.name);
        view.set("display_name", u.display_name);
        view.set("role_label", RoleLabel(ctx.lang, u.role));
        view.set("email", u.email);
        view.set("organization", u.organization);
        // The caller's API tokens (never their secrets), each with a revoke form (CSRF-protected).
        auto tokens = s.tokens.List(u.id);
        if (!tokens.ok()) return ErrorPage(req, s, 500);
        View list{View::type::list};
        for (const auto& t : *tokens) {
            View row;
            row.set("id", std::to_string(t.id));
            row.set("label", t.label);
            auto created = core::ParseRfc3339(t.created_at);
            row.set("created", created ? s.zone.FormatMinutes(*created) : t.created_at);
            row.set("expires", t.expires ? s.zone.FormatMinutes(*t.expires) : Translate(ctx.lang, "token_never"));
            row.set("state", Translate(ctx.lang, t.revoked   ? "token_state_revoked"
                                                 : t.expired ? "token_state_expired"
                                                             : "token_state_active"));
            row.set("active", !t.revoked && !t.expired ? View::type::bool_true : View::type::bool_false);
            list.push_back(row);
        }
        view.set("tokens", list);
        view.set("zone", s.zone.name());
        view.set("csrf", ctx.session ? ctx.session->csrf_token : "");
        if (req.Query("done").value_or("") == "token_revoked") view.set("notice", Translate(ctx.lang, "token_revoked_notice"));
        // Message codes only: nothing from the query string is shown as text.
        const std::string error = req.Query("error").value_or("");
        if (error == "password_wrong" || error == "password_rules")
            view.set("password_error", Translate(ctx.lang, "account_" + error));
        if (error == "token_days") view.set("token_error", Translate(ctx.lang, "admin_error_token_days"));
        http::Response r = RenderPage(req, s, "account", "account_title", std::move(view));
        r.SetHeader("Cache-Control", "no-store");
        return r;
    });

}

}  // namespace kizuna::web::detail
