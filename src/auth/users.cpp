#include "auth/users.hpp"

#include "auth/tokens.hpp"

namespace kizuna::auth {
namespace {

constexpr std::string_view kColumns = "id, name, display_name, email, organization, role, disabled, created_at";

User FromRow(const store::Row& r) {
    auto role = ParseRole(r.Text(5));
    return User{UserId(r.Int(0)), r.Text(1), r.Text(2), r.Text(3), r.Text(4),
                role.ok() ? *role : Role::kReporter, r.Int(6) != 0, r.Text(7)};
}

}  // namespace

core::Status CheckUserName(std::string_view name) {
    if (name.empty()) return core::InvalidArgument("must not be empty", "name");
    if (name.size() > 64) return core::InvalidArgument("must be at most 64 characters", "name");
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && !(i > 0 && (c == '.' || c == '_' || c == '-')))
            return core::InvalidArgument("may contain only a-z, 0-9 and . _ - (not first)", "name");
    }
    return core::Ok();
}

core::Result<User> UserDirectory::Create(const NewUser& u, std::string_view actor) {
    KZ_TRY(CheckUserName(u.name));
    if (u.display_name.size() > 200) return core::InvalidArgument("must be at most 200 characters", "display_name");
    if (u.email.size() > 254) return core::InvalidArgument("must be at most 254 characters", "email");
    if (!u.email.empty() && u.email.find('@') == std::string::npos)
        return core::InvalidArgument("must be an e-mail address", "email");
    store::Value hash = store::Null();
    if (!u.password.empty()) {
        KZ_TRY(CheckPasswordRules(u.password));
        KZ_ASSIGN(std::string h, HashPassword(u.password, limits_));
        hash = std::move(h);
    } else if (u.role != Role::kSensor) {
        return core::InvalidArgument("must be set for every role but sensor", "password");
    }
    const std::string created = core::FormatRfc3339(clock_.Now());
    return db_.InTransaction<User>([&](store::Connection& c) -> core::Result<User> {
        core::Status st = c.Exec(
            "INSERT INTO users(name, display_name, email, organization, role, password_hash, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            {u.name, u.display_name.empty() ? u.name : u.display_name, u.email, u.organization,
             std::string(RoleName(u.role)), hash, created});
        if (!st.ok()) {
            if (st.error().code() == core::ErrorCode::kAlreadyExists)
                return core::AlreadyExists("user '" + u.name + "' already exists", "name");
            return st.error();
        }
        const UserId id(c.LastInsertId());
        KZ_TRY(audit_.Append(c, {std::string(actor), "user.create", "user:" + u.name,
                                 "{\"role\":\"" + std::string(RoleName(u.role)) + "\"}", ""}));
        return User{id, u.name, u.display_name.empty() ? u.name : u.display_name, u.email, u.organization,
                    u.role, false, created};
    });
}

core::Result<std::optional<User>> UserDirectory::FindByName(std::string_view name) {
    KZ_ASSIGN(auto lease, db_.Acquire());
    KZ_ASSIGN(auto row, lease->QueryOne("SELECT " + std::string(kColumns) + " FROM users WHERE name = ?",
                                        {std::string(name)}));
    if (!row) return std::optional<User>();
    return std::optional<User>(FromRow(*row));
}

core::Result<std::vector<User>> UserDirectory::List() {
    KZ_ASSIGN(auto lease, db_.Acquire());
    KZ_ASSIGN(auto rows, lease->Query("SELECT " + std::string(kColumns) + " FROM users ORDER BY name"));
    std::vector<User> users;
    for (const auto& r : rows) users.push_back(FromRow(r));
    return users;
}

core::Result<std::map<Role, std::int64_t>> UserDirectory::CountByRole() {
    KZ_ASSIGN(auto lease, db_.Acquire());
    KZ_ASSIGN(auto rows, lease->Query("SELECT role, count(*) FROM users WHERE disabled = 0 GROUP BY role"));
    std::map<Role, std::int64_t> counts;
    for (const auto& r : rows) {
        if (auto role = ParseRole(r.Text(0)); role.ok()) counts[*role] = r.Int(1);
    }
    return counts;
}

namespace {

// Ends the user's sessions and revokes its tokens; returns the audit detail saying how many.
core::Result<std::string> RevokeAccess(store::Connection& c, UserId user, const std::string& now) {
    KZ_TRY(c.Exec("DELETE FROM sessions WHERE user_id = ?", {user.value()}));
    const std::int64_t sessions = c.ChangedRows();
    KZ_ASSIGN(std::int64_t tokens, TokenService::RevokeAllOf(c, user, now));
    return "{\"sessions_ended\":" + std::to_string(sessions) + ",\"tokens_revoked\":" + std::to_string(tokens) + "}";
}

}  // namespace

core::Status UserDirectory::SetDisabled(std::string_view name, bool disabled, std::string_view actor) {
    const std::string now = core::FormatRfc3339(clock_.Now());
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_ASSIGN(auto row, c.QueryOne("SELECT id FROM users WHERE name = ?", {std::string(name)}));
        if (!row) return core::NotFound("no user named '" + std::string(name) + "'");
        const UserId id(row->Int(0));
        KZ_TRY(c.Exec("UPDATE users SET disabled = ? WHERE id = ?", {std::int64_t{disabled ? 1 : 0}, id.value()}));
        std::string detail;
        if (disabled) {
            KZ_ASSIGN(detail, RevokeAccess(c, id, now));
        }
        auto seq = audit_.Append(c, {std::string(actor), disabled ? "user.disable" : "user.enable",
                                     "user:" + std::string(name), detail, ""});
        if (!seq.ok()) return seq.error();
        return core::Ok();
    });
}

core::Status UserDirectory::SetRole(std::string_view name, Role role, std::string_view actor) {
    const std::string now = core::FormatRfc3339(clock_.Now());
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_ASSIGN(auto row, c.QueryOne("SELECT id, role, disabled FROM users WHERE name = ?", {std::string(name)}));
        if (!row) return core::NotFound("no user named '" + std::string(name) + "'");
        const UserId id(row->Int(0));
        const std::string from = row->Text(1);
        if (from == RoleName(role)) return core::Ok();
        if (from == "admin" && row->Int(2) == 0) {
            KZ_ASSIGN(auto admins, c.QueryInt("SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0"));
            if (admins <= 1) return core::FailedPrecondition("the last admin keeps the admin role");
        }
        KZ_TRY(c.Exec("UPDATE users SET role = ? WHERE id = ?", {std::string(RoleName(role)), id.value()}));
        KZ_ASSIGN(std::string revoked, RevokeAccess(c, id, now));
        auto seq = audit_.Append(c, {std::string(actor), "user.role", "user:" + std::string(name),
                                     "{\"from\":\"" + from + "\",\"to\":\"" + std::string(RoleName(role)) + "\"," +
                                         revoked.substr(1),
                                     ""});
        if (!seq.ok()) return seq.error();
        return core::Ok();
    });
}

core::Status UserDirectory::ChangePassword(std::string_view name, std::string_view new_password,
                                           std::string_view actor) {
    KZ_TRY(CheckPasswordRules(new_password));
    KZ_ASSIGN(std::string hash, HashPassword(new_password, limits_));
    const std::string now = core::FormatRfc3339(clock_.Now());
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_ASSIGN(auto row, c.QueryOne("SELECT id FROM users WHERE name = ?", {std::string(name)}));
        if (!row) return core::NotFound("no user named '" + std::string(name) + "'");
        const UserId id(row->Int(0));
        KZ_TRY(c.Exec("UPDATE users SET password_hash = ? WHERE id = ?", {hash, id.value()}));
        KZ_ASSIGN(std::string detail, RevokeAccess(c, id, now));
        auto seq = audit_.Append(c, {std::string(actor), "user.password_change", "user:" + std::string(name),
                                     detail, ""});
        if (!seq.ok()) return seq.error();
        return core::Ok();
    });
}

core::Result<std::optional<std::pair<User, std::string>>> UserDirectory::FindForLogin(std::string_view name) {
    KZ_ASSIGN(auto lease, db_.Acquire());
    KZ_ASSIGN(auto row, lease->QueryOne("SELECT " + std::string(kColumns) +
                                            ", password_hash FROM users WHERE name = ? AND disabled = 0",
                                        {std::string(name)}));
    using Found = std::optional<std::pair<User, std::string>>;
    if (!row || row->IsNull(8)) return Found();
    return Found(std::make_pair(FromRow(*row), row->Text(8)));
}

}  // namespace kizuna::auth
