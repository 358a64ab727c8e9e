// The gate every request passes: who is calling (token or session), in which language, and the
// translation of policy denials into responses.
#pragma once

#include <optional>
#include <string>

#include "auth/auth.hpp"
#include "http/http.hpp"
#include "web/i18n.hpp"
#include "web/site.hpp"

namespace kizuna::web::detail {

inline constexpr std::string_view kSessionCookie = "kz_session";
inline constexpr std::string_view kLoginCsrfCookie = "kz_login_csrf";
inline constexpr std::string_view kLangCookie = "kz_lang";

struct RequestContext {
    std::optional<auth::Principal> principal;
    std::optional<auth::Session> session;  // set for browser sessions (carries the CSRF token)
    Lang lang = Lang::kJa;
    bool lang_from_query = false;          // ?lang= given: remember it in a cookie
    const auth::Principal* who() const { return principal ? &*principal : nullptr; }
};

// Resolves the caller and language and stores the context in request.user_context.
// A bad bearer token is an error (401), not an anonymous request.
core::Result<RequestContext*> Admit(http::Request& request, SiteServices& services);
RequestContext& Context(http::Request& request);

// nullopt when allowed; otherwise the response for the denial. Pages redirect anonymous callers to the
// login page; the API answers 401. Hidden resources answer 404 for both.
std::optional<http::Response> Check(http::Request& request, auth::Action action, const auth::Resource& resource,
                                    bool api);

// For unsafe methods: the posted CSRF token must match the session's (forms: field "csrf"; API calls
// with a session cookie: header X-CSRF-Token). Token-authenticated API calls need none.
bool CsrfValid(http::Request& request);

http::CookieOptions SessionCookieOptions(const http::Request& request);

}  // namespace kizuna::web::detail
