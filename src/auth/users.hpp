// User accounts. Names are the login handles: 1-64 characters of [a-z0-9._-], starting with a letter or digit.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "auth/audit.hpp"
#include "auth/password.hpp"
#include "auth/roles.hpp"
#include "core/clock.hpp"
#include "store/store.hpp"

namespace kizuna::auth {

struct NewUser {
    std::string name;
    Role role = Role::kReporter;
    std::string password;  // empty: the account cannot log in with a password (token-only, e.g. sensors)
    std::string display_name;
    std::string email;
    std::string organization;
};

struct User {
    UserId id;
    std::string name;
    std::string display_name;
    std::string email;
    std::string organization;
    Role role;
    bool disabled;
    std::string created_at;
};

core::Status CheckUserName(std::string_view name);

class UserDirectory {
  public:
    UserDirectory(store::Database& db, const core::Clock& clock, const AuditLog& audit, PasswordLimits limits)
        : db_(db), clock_(clock), audit_(audit), limits_(limits) {}

    // Creates the user and writes "user.create" to the audit log in the same transaction.
    core::Result<User> Create(const NewUser& user, std::string_view actor);
    core::Result<std::optional<User>> FindByName(std::string_view name);
    core::Result<std::vector<User>> List();
    core::Result<std::map<Role, std::int64_t>> CountByRole();

    // Disables (or enables again) an account. Disabling ends every session of the user and revokes all
    // of its API tokens in the same transaction; audited as "user.disable" / "user.enable".
    core::Status SetDisabled(std::string_view name, bool disabled, std::string_view actor);
    // Sets a new password (checked against the rules). Ends every session and revokes every token of the
    // user: whoever knew the old password may have made them. Audited as "user.password_change".
    core::Status ChangePassword(std::string_view name, std::string_view new_password, std::string_view actor);

    // Changes the account's role. Ends every session and revokes every token of the user (they were given
    // for the old role); refuses to take the role from the last enabled admin (FailedPrecondition).
    // Audited as "user.role".
    core::Status SetRole(std::string_view name, Role role, std::string_view actor);

    // For login: the stored hash (nullopt when the user is unknown, disabled or password-less).
    core::Result<std::optional<std::pair<User, std::string>>> FindForLogin(std::string_view name);

  private:
    store::Database& db_;
    const core::Clock& clock_;
    const AuditLog& audit_;
    PasswordLimits limits_;
};

}  // namespace kizuna::auth
