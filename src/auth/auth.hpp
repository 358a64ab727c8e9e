// Front door of auth/: roles, password hashing, users, sessions, API tokens, the access policy and the
// hash-chained audit log.
#pragma once

#include <span>

#include "auth/audit.hpp"
#include "auth/password.hpp"
#include "auth/policy.hpp"
#include "auth/roles.hpp"
#include "auth/sessions.hpp"
#include "auth/tokens.hpp"
#include "auth/users.hpp"
#include "store/store.hpp"

namespace kizuna::auth {

// Schema of auth/ (versions 100-199).
std::span<const store::Migration> Migrations();

}  // namespace kizuna::auth
