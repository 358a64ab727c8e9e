// API bearer tokens: "kz_" + 64 hex characters, shown once at creation; only the SHA-256 is stored.
//
// Lifecycle: every token expires (TokenLimits: a default and a maximum lifetime, from [auth] in the
// config); it can be listed (never its secret) and revoked by its owner or an admin; all of a user's
// tokens are revoked when the account is disabled or its password changes (users.hpp).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "auth/audit.hpp"
#include "auth/roles.hpp"
#include "core/clock.hpp"
#include "core/config.hpp"
#include "store/store.hpp"

namespace kizuna::auth {

struct IssuedToken {
    std::int64_t id;
    std::string secret;  // the bearer value; not recoverable later
    core::WallTime expires;
};

struct TokenLimits {
    std::chrono::days default_ttl{90};
    std::chrono::days max_ttl{365};
    static TokenLimits FromConfig(const core::AuthConfig& config);
};

// What a listing shows of a token: never the secret or its hash.
struct TokenInfo {
    std::int64_t id = 0;
    UserId user_id;
    std::string user_name;
    std::string label;
    std::string created_at;
    std::optional<core::WallTime> expires;  // nullopt: a token from before expiry existed (see migration 103)
    bool revoked = false;
    std::string revoked_at;
    bool expired = false;  // at the time of listing
};

class TokenService {
  public:
    TokenService(store::Database& db, const core::Clock& clock, const AuditLog& audit, TokenLimits limits = {})
        : db_(db), clock_(clock), audit_(audit), limits_(limits) {}

    // `ttl`: lifetime; nullopt for the default. Errors: kInvalidArgument (field "expires_in_days") when
    // longer than the maximum or shorter than a day; kNotFound for an unknown or disabled user.
    core::Result<IssuedToken> Create(std::string_view user_name, std::string_view label, std::string_view actor,
                                     std::optional<std::chrono::days> ttl = std::nullopt);
    // The principal for an "Authorization: Bearer ..." value; nullopt when unknown, revoked or expired.
    core::Result<std::optional<Principal>> Resolve(std::string_view secret);
    // Errors: kNotFound when there is no such token, kFailedPrecondition when already revoked.
    core::Status Revoke(std::int64_t token_id, std::string_view actor);
    // One token (for the access decision before a revocation); nullopt when unknown.
    core::Result<std::optional<TokenInfo>> Find(std::int64_t token_id);
    // Tokens of one user (nullopt: of everyone), newest first.
    core::Result<std::vector<TokenInfo>> List(std::optional<UserId> user);
    // Revokes every active token of the user inside the caller's write transaction; returns how many.
    static core::Result<std::int64_t> RevokeAllOf(store::Connection& conn, UserId user, std::string_view revoked_at);
    core::Result<std::int64_t> ActiveCount();

    const TokenLimits& limits() const { return limits_; }

  private:
    store::Database& db_;
    const core::Clock& clock_;
    const AuditLog& audit_;
    TokenLimits limits_;
};

}  // namespace kizuna::auth
