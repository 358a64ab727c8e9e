// API bearer tokens: "kz_" + 64 hex characters, shown once at creation; only the SHA-256 is stored.
#pragma once

#include <optional>
#include <string>

#include "auth/audit.hpp"
#include "auth/roles.hpp"
#include "core/clock.hpp"
#include "store/store.hpp"

namespace kizuna::auth {

struct IssuedToken {
    std::int64_t id;
    std::string secret;  // the bearer value; not recoverable later
};

class TokenService {
  public:
    TokenService(store::Database& db, const core::Clock& clock, const AuditLog& audit)
        : db_(db), clock_(clock), audit_(audit) {}

    core::Result<IssuedToken> Create(std::string_view user_name, std::string_view label, std::string_view actor);
    // The principal for an "Authorization: Bearer ..." value; nullopt when unknown or revoked.
    core::Result<std::optional<Principal>> Resolve(std::string_view secret);
    core::Status Revoke(std::int64_t token_id, std::string_view actor);
    core::Result<std::int64_t> ActiveCount();

  private:
    store::Database& db_;
    const core::Clock& clock_;
    const AuditLog& audit_;
};

}  // namespace kizuna::auth
