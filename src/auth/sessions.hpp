// Browser sessions: login with throttling, session lookup, CSRF tokens, logout.
//
// The cookie value is 32 random bytes (hex); only its SHA-256 is stored, so a copy of the database
// does not let anyone take over a session. Each session carries its own CSRF token, which every form
// posts back and which is compared in constant time.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "auth/audit.hpp"
#include "auth/roles.hpp"
#include "auth/users.hpp"
#include "core/clock.hpp"
#include "core/config.hpp"
#include "store/store.hpp"

namespace kizuna::auth {

struct SessionLimits {
    std::chrono::minutes ttl{12 * 60};
    int max_failures = 5;  // per account; an address may fail 4x as often
    std::chrono::minutes failure_window{15};
    std::chrono::minutes lockout{15};
    static SessionLimits FromConfig(const core::AuthConfig& config);
};

struct Session {
    std::string token;       // the cookie value; shown once, never stored
    std::string csrf_token;
    Principal principal;
    core::WallTime expires;
};

// Constant-time comparison of a posted CSRF token with the session's.
bool CsrfTokenMatches(std::string_view sent, std::string_view expected);

class SessionManager {
  public:
    SessionManager(store::Database& db, const core::Clock& clock, UserDirectory& users, const AuditLog& audit,
                   SessionLimits limits)
        : db_(db), clock_(clock), users_(users), audit_(audit), limits_(limits) {}

    // Checks the password and opens a session. Errors: kUnauthenticated ("wrong user name or password",
    // the same text whether or not the user exists) or kResourceExhausted after too many failures for
    // the account or the address within the window. Every outcome is audited.
    core::Result<Session> Login(std::string_view name, std::string_view password, std::string_view remote_ip);

    // The session for a cookie value, if it exists and has not expired.
    core::Result<std::optional<Session>> Resolve(std::string_view token);

    core::Status Logout(std::string_view token, std::string_view remote_ip);

    // Number of unexpired sessions (dashboard).
    core::Result<std::int64_t> ActiveCount();

  private:
    core::Result<bool> Throttled(store::Connection& conn, std::string_view name, std::string_view remote_ip);

    store::Database& db_;
    const core::Clock& clock_;
    UserDirectory& users_;
    const AuditLog& audit_;
    SessionLimits limits_;
};

}  // namespace kizuna::auth
