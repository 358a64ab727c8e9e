#include "auth/sessions.hpp"

#include "auth/internal/crypto.hpp"
#include "auth/password.hpp"
#include "core/ids.hpp"

namespace kizuna::auth {
namespace {

// A syntactically valid argon2id hash of a random password: verifying against it when the user does
// not exist costs the same time as a real check, so response time does not reveal which names exist.
const std::string& DummyHash() {
    static const std::string hash = [] {
        auto h = HashPassword(core::RandomHex(16), PasswordLimits::Interactive());
        return h.ok() ? *h : std::string();
    }();
    return hash;
}

std::int64_t Micros(core::WallTime t) { return core::ToUnixMicros(t); }

}  // namespace

bool CsrfTokenMatches(std::string_view sent, std::string_view expected) {
    return !expected.empty() && detail::ConstantTimeEquals(sent, expected);
}

SessionLimits SessionLimits::FromConfig(const core::AuthConfig& c) {
    return {std::chrono::minutes(c.session_ttl_minutes), c.login_max_failures,
            std::chrono::minutes(c.login_window_minutes), std::chrono::minutes(c.login_lockout_minutes)};
}

core::Result<bool> SessionManager::Throttled(store::Connection& conn, std::string_view name,
                                             std::string_view remote_ip) {
    // Locked out when the window holds max_failures failures and the newest is within the lockout.
    const auto now = clock_.Now();
    const std::int64_t window_start = Micros(now - limits_.failure_window - limits_.lockout);
    // One address may fail more often than one account (several people behind one NAT), but not
    // without bound: that is password guessing across accounts.
    const std::pair<std::string, int> keys[] = {{"user:" + std::string(name), limits_.max_failures},
                                                {"ip:" + std::string(remote_ip), limits_.max_failures * 4}};
    for (const auto& [key, max_failures] : keys) {
        KZ_ASSIGN(auto rows, conn.Query("SELECT at_us FROM login_failures WHERE key = ? AND at_us >= ?"
                                        " ORDER BY at_us DESC",
                                        {key, window_start}));
        if (static_cast<int>(rows.size()) < max_failures) continue;
        const std::int64_t newest = rows.front().Int(0);
        const std::int64_t oldest_in_run = rows[static_cast<std::size_t>(max_failures - 1)].Int(0);
        const bool within_window =
            newest - oldest_in_run <= std::chrono::duration_cast<std::chrono::microseconds>(limits_.failure_window).count();
        const bool still_locked =
            Micros(now) - newest < std::chrono::duration_cast<std::chrono::microseconds>(limits_.lockout).count();
        if (within_window && still_locked) return true;
    }
    return false;
}

core::Result<Session> SessionManager::Login(std::string_view name, std::string_view password,
                                            std::string_view remote_ip) {
    const std::string ip(remote_ip);
    const std::int64_t attempt_us = Micros(clock_.Now());
    // Check and record the attempt in one write transaction (one writer at a time): the attempt is
    // counted as a failure before the password is checked, so parallel guesses cannot all pass the
    // check before any of them is recorded. A successful login withdraws its record below.
    struct Admission {
        bool throttled = false;
        std::int64_t ip_row = 0;
    };
    KZ_ASSIGN(Admission admission, db_.InTransaction<Admission>([&](store::Connection& c) -> core::Result<Admission> {
        Admission a;
        KZ_ASSIGN(a.throttled, Throttled(c, name, remote_ip));
        if (a.throttled) {
            KZ_TRY(audit_.Append(c, {std::string(name), "auth.login_throttled", "user:" + std::string(name), "", ip}));
            return a;
        }
        KZ_TRY(c.Exec("INSERT INTO login_failures(key, at_us) VALUES (?, ?)", {"ip:" + ip, attempt_us}));
        a.ip_row = c.LastInsertId();
        KZ_TRY(c.Exec("INSERT INTO login_failures(key, at_us) VALUES (?, ?)", {"user:" + std::string(name), attempt_us}));
        // Keep the table small: failures older than a day no longer matter.
        KZ_TRY(c.Exec("DELETE FROM login_failures WHERE at_us < ?", {attempt_us - 86'400'000'000LL}));
        return a;
    }));
    if (admission.throttled)
        return core::ResourceExhausted("too many failed logins; try again in " + std::to_string(limits_.lockout.count()) +
                                       " minutes");
    KZ_ASSIGN(auto found, users_.FindForLogin(name));
    const bool good = found ? VerifyPassword(found->second, password) : (VerifyPassword(DummyHash(), password), false);
    if (!good) {
        // The attempt is already recorded as a failure; only the audit entry remains.
        KZ_TRY(audit_.Append(db_, {std::string(name), "auth.login_failed", "user:" + std::string(name), "", ip}));
        return core::Unauthenticated("wrong user name or password");
    }
    const User& user = found->first;
    Session session{core::RandomHex(32), core::RandomHex(32),
                    Principal{user.id, user.name, user.display_name, user.role, false},
                    clock_.Now() + limits_.ttl};
    const std::int64_t now_us = Micros(clock_.Now());
    KZ_TRY(db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_TRY(c.Exec("INSERT INTO sessions(token_hash, user_id, csrf_token, created_us, expires_us, remote_ip)"
                      " VALUES (?, ?, ?, ?, ?, ?)",
                      {detail::Sha256Hex(session.token), user.id.value(), session.csrf_token, now_us,
                       Micros(session.expires), ip}));
        KZ_TRY(c.Exec("DELETE FROM login_failures WHERE key = ?", {"user:" + user.name}));
        KZ_TRY(c.Exec("DELETE FROM login_failures WHERE rowid = ?", {admission.ip_row}));
        KZ_TRY(c.Exec("DELETE FROM sessions WHERE expires_us < ?", {now_us}));
        auto seq = audit_.Append(c, {user.name, "auth.login", "user:" + user.name, "", ip});
        if (!seq.ok()) return seq.error();
        return core::Ok();
    }));
    return session;
}

core::Result<std::optional<Session>> SessionManager::Resolve(std::string_view token) {
    using Found = std::optional<Session>;
    if (token.size() != 64) return Found();
    KZ_ASSIGN(auto lease, db_.Acquire());
    KZ_ASSIGN(auto row, lease->QueryOne(
                            "SELECT u.id, u.name, u.display_name, u.role, s.csrf_token, s.expires_us"
                            " FROM sessions s JOIN users u ON u.id = s.user_id"
                            " WHERE s.token_hash = ? AND s.expires_us > ? AND u.disabled = 0",
                            {detail::Sha256Hex(token), Micros(clock_.Now())}));
    if (!row) return Found();
    KZ_ASSIGN(Role role, ParseRole(row->Text(3)));
    return Found(Session{std::string(token), row->Text(4),
                         Principal{UserId(row->Int(0)), row->Text(1), row->Text(2), role, false},
                         core::FromUnixMicros(row->Int(5))});
}

core::Status SessionManager::Logout(std::string_view token, std::string_view remote_ip) {
    KZ_ASSIGN(auto session, Resolve(token));
    if (!session) return core::Ok();
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_TRY(c.Exec("DELETE FROM sessions WHERE token_hash = ?", {detail::Sha256Hex(token)}));
        auto seq = audit_.Append(c, {session->principal.name, "auth.logout", "user:" + session->principal.name, "",
                                     std::string(remote_ip)});
        if (!seq.ok()) return seq.error();
        return core::Ok();
    });
}

core::Result<std::int64_t> SessionManager::ActiveCount() {
    KZ_ASSIGN(auto lease, db_.Acquire());
    return lease->QueryInt("SELECT count(*) FROM sessions WHERE expires_us > ?", {Micros(clock_.Now())});
}

}  // namespace kizuna::auth
