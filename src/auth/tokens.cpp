#include "auth/tokens.hpp"

#include "auth/internal/crypto.hpp"
#include "core/ids.hpp"

namespace kizuna::auth {

core::Result<IssuedToken> TokenService::Create(std::string_view user_name, std::string_view label,
                                               std::string_view actor) {
    if (label.size() > 100) return core::InvalidArgument("must be at most 100 characters", "label");
    const std::string secret = "kz_" + core::RandomHex(32);
    return db_.InTransaction<IssuedToken>([&](store::Connection& c) -> core::Result<IssuedToken> {
        KZ_ASSIGN(auto user, c.QueryOne("SELECT id FROM users WHERE name = ? AND disabled = 0",
                                        {std::string(user_name)}));
        if (!user) return core::NotFound("no active user named '" + std::string(user_name) + "'");
        KZ_TRY(c.Exec("INSERT INTO api_tokens(user_id, token_hash, label, created_at) VALUES (?, ?, ?, ?)",
                      {user->Int(0), detail::Sha256Hex(secret), std::string(label),
                       core::FormatRfc3339(clock_.Now())}));
        const std::int64_t id = c.LastInsertId();
        KZ_TRY(audit_.Append(c, {std::string(actor), "token.create", "user:" + std::string(user_name),
                                 "{\"token_id\":" + std::to_string(id) + "}", ""}));
        return IssuedToken{id, secret};
    });
}

core::Result<std::optional<Principal>> TokenService::Resolve(std::string_view secret) {
    using Found = std::optional<Principal>;
    if (secret.size() != 67 || secret.substr(0, 3) != "kz_") return Found();
    KZ_ASSIGN(auto lease, db_.Acquire());
    KZ_ASSIGN(auto row, lease->QueryOne("SELECT u.id, u.name, u.display_name, u.role FROM api_tokens t"
                                        " JOIN users u ON u.id = t.user_id"
                                        " WHERE t.token_hash = ? AND t.revoked = 0 AND u.disabled = 0",
                                        {detail::Sha256Hex(secret)}));
    if (!row) return Found();
    KZ_ASSIGN(Role role, ParseRole(row->Text(3)));
    return Found(Principal{UserId(row->Int(0)), row->Text(1), row->Text(2), role, true});
}

core::Status TokenService::Revoke(std::int64_t token_id, std::string_view actor) {
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_TRY(c.Exec("UPDATE api_tokens SET revoked = 1 WHERE id = ?", {token_id}));
        if (c.ChangedRows() == 0) return core::NotFound("no token " + std::to_string(token_id));
        auto seq = audit_.Append(c, {std::string(actor), "token.revoke", "token:" + std::to_string(token_id), "", ""});
        if (!seq.ok()) return seq.error();
        return core::Ok();
    });
}

core::Result<std::int64_t> TokenService::ActiveCount() {
    KZ_ASSIGN(auto lease, db_.Acquire());
    return lease->QueryInt("SELECT count(*) FROM api_tokens WHERE revoked = 0");
}

}  // namespace kizuna::auth
