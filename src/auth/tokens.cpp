#include "auth/tokens.hpp"

#include "auth/internal/crypto.hpp"
#include "core/ids.hpp"

namespace kizuna::auth {
namespace {

constexpr std::string_view kInfoColumns =
    "t.id, t.user_id, u.name, t.label, t.created_at, t.expires_us, t.revoked, coalesce(t.revoked_at, '')";

TokenInfo InfoFromRow(const store::Row& r, core::WallTime now) {
    TokenInfo info;
    info.id = r.Int(0);
    info.user_id = UserId(r.Int(1));
    info.user_name = r.Text(2);
    info.label = r.Text(3);
    info.created_at = r.Text(4);
    if (!r.IsNull(5)) info.expires = core::FromUnixMicros(r.Int(5));
    info.revoked = r.Int(6) != 0;
    info.revoked_at = r.Text(7);
    info.expired = info.expires && *info.expires <= now;
    return info;
}

}  // namespace

TokenLimits TokenLimits::FromConfig(const core::AuthConfig& c) {
    return {std::chrono::days(c.token_ttl_days), std::chrono::days(c.token_max_ttl_days)};
}

core::Result<IssuedToken> TokenService::Create(std::string_view user_name, std::string_view label,
                                               std::string_view actor, std::optional<std::chrono::days> ttl) {
    if (label.size() > 100) return core::InvalidArgument("must be at most 100 characters", "label");
    const std::chrono::days lifetime = ttl.value_or(limits_.default_ttl);
    if (lifetime.count() < 1) return core::InvalidArgument("must be at least 1", "expires_in_days");
    if (lifetime > limits_.max_ttl)
        return core::InvalidArgument("must be at most " + std::to_string(limits_.max_ttl.count()), "expires_in_days");
    const std::string secret = "kz_" + core::RandomHex(32);
    const core::WallTime now = clock_.Now();
    const core::WallTime expires = now + lifetime;
    return db_.InTransaction<IssuedToken>([&](store::Connection& c) -> core::Result<IssuedToken> {
        KZ_ASSIGN(auto user, c.QueryOne("SELECT id FROM users WHERE name = ? AND disabled = 0",
                                        {std::string(user_name)}));
        if (!user) return core::NotFound("no active user named '" + std::string(user_name) + "'");
        KZ_TRY(c.Exec("INSERT INTO api_tokens(user_id, token_hash, label, created_at, expires_us) VALUES (?, ?, ?, ?, ?)",
                      {user->Int(0), detail::Sha256Hex(secret), std::string(label), core::FormatRfc3339(now),
                       core::ToUnixMicros(expires)}));
        const std::int64_t id = c.LastInsertId();
        KZ_TRY(audit_.Append(c, {std::string(actor), "token.create", "user:" + std::string(user_name),
                                 "{\"token_id\":" + std::to_string(id) + ",\"expires\":\"" +
                                     core::FormatRfc3339(expires) + "\"}",
                                 ""}));
        return IssuedToken{id, secret, expires};
    });
}

core::Result<std::optional<Principal>> TokenService::Resolve(std::string_view secret) {
    using Found = std::optional<Principal>;
    if (secret.size() != 67 || secret.substr(0, 3) != "kz_") return Found();
    KZ_ASSIGN(auto lease, db_.Acquire());
    KZ_ASSIGN(auto row, lease->QueryOne("SELECT u.id, u.name, u.display_name, u.role FROM api_tokens t"
                                        " JOIN users u ON u.id = t.user_id"
                                        " WHERE t.token_hash = ? AND t.revoked = 0 AND u.disabled = 0"
                                        " AND (t.expires_us IS NULL OR t.expires_us > ?)",
                                        {detail::Sha256Hex(secret), core::ToUnixMicros(clock_.Now())}));
    if (!row) return Found();
    KZ_ASSIGN(Role role, ParseRole(row->Text(3)));
    return Found(Principal{UserId(row->Int(0)), row->Text(1), row->Text(2), role, true});
}

core::Status TokenService::Revoke(std::int64_t token_id, std::string_view actor) {
    const std::string now = core::FormatRfc3339(clock_.Now());
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_ASSIGN(auto row, c.QueryOne("SELECT t.revoked, u.name FROM api_tokens t JOIN users u ON u.id = t.user_id"
                                       " WHERE t.id = ?",
                                       {token_id}));
        if (!row) return core::NotFound("no token " + std::to_string(token_id));
        if (row->Int(0) != 0) return core::FailedPrecondition("token " + std::to_string(token_id) + " is already revoked");
        KZ_TRY(c.Exec("UPDATE api_tokens SET revoked = 1, revoked_at = ? WHERE id = ?", {now, token_id}));
        auto seq = audit_.Append(c, {std::string(actor), "token.revoke", "token:" + std::to_string(token_id),
                                     "{\"user\":\"" + row->Text(1) + "\"}", ""});
        if (!seq.ok()) return seq.error();
        return core::Ok();
    });
}

core::Result<std::optional<TokenInfo>> TokenService::Find(std::int64_t token_id) {
    KZ_ASSIGN(auto lease, db_.Acquire());
    KZ_ASSIGN(auto row, lease->QueryOne("SELECT " + std::string(kInfoColumns) +
                                            " FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = ?",
                                        {token_id}));
    if (!row) return std::optional<TokenInfo>();
    return std::optional<TokenInfo>(InfoFromRow(*row, clock_.Now()));
}

core::Result<std::vector<TokenInfo>> TokenService::List(std::optional<UserId> user) {
    KZ_ASSIGN(auto lease, db_.Acquire());
    const std::string sql = "SELECT " + std::string(kInfoColumns) +
                            " FROM api_tokens t JOIN users u ON u.id = t.user_id" +
                            (user ? " WHERE t.user_id = ?" : "") + " ORDER BY t.id DESC";
    auto rows = user ? lease->Query(sql, {user->value()}) : lease->Query(sql);
    if (!rows.ok()) return rows.error();
    std::vector<TokenInfo> out;
    const core::WallTime now = clock_.Now();
    for (const auto& r : *rows) out.push_back(InfoFromRow(r, now));
    return out;
}

core::Result<std::int64_t> TokenService::RevokeAllOf(store::Connection& conn, UserId user, std::string_view revoked_at) {
    KZ_TRY(conn.Exec("UPDATE api_tokens SET revoked = 1, revoked_at = ? WHERE user_id = ? AND revoked = 0",
                     {std::string(revoked_at), user.value()}));
    return conn.ChangedRows();
}

core::Result<std::int64_t> TokenService::ActiveCount() {
    KZ_ASSIGN(auto lease, db_.Acquire());
    return lease->QueryInt("SELECT count(*) FROM api_tokens WHERE revoked = 0 AND (expires_us IS NULL OR expires_us > ?)",
                           {core::ToUnixMicros(clock_.Now())});
}

}  // namespace kizuna::auth
