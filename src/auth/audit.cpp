#include "auth/audit.hpp"

#include "auth/internal/crypto.hpp"

namespace kizuna::auth {
namespace {
const std::string kGenesis(64, '0');

void AppendField(std::string& out, std::string_view field) {
    out += std::to_string(field.size());
    out += ':';
    out += field;
    out += ';';
}
}  // namespace

std::string AuditLog::ChainHash(std::int64_t seq, const std::string& at, const AuditEntry& e,
                                const std::string& prev_hash) {
    std::string canonical = "kizuna-audit-v1;";
    AppendField(canonical, std::to_string(seq));
    AppendField(canonical, at);
    AppendField(canonical, e.actor);
    AppendField(canonical, e.action);
    AppendField(canonical, e.object);
    AppendField(canonical, e.detail);
    AppendField(canonical, e.remote_ip);
    AppendField(canonical, prev_hash);
    return detail::Sha256Hex(canonical);
}

core::Result<std::int64_t> AuditLog::Append(store::Connection& conn, const AuditEntry& entry) const {
    KZ_ASSIGN(auto anchor, conn.QueryOne("SELECT last_seq, last_hash FROM audit_anchor WHERE id = 1"));
    const std::int64_t seq = anchor ? anchor->Int(0) + 1 : 1;
    const std::string prev = anchor ? anchor->Text(1) : kGenesis;
    const std::string at = core::FormatRfc3339(clock_.Now());
    const std::string hash = ChainHash(seq, at, entry, prev);
    KZ_TRY(conn.Exec(
        "INSERT INTO audit_log(seq, at, actor, action, object, detail, remote_ip, prev_hash, hash)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {seq, at, entry.actor, entry.action, entry.object, entry.detail, entry.remote_ip, prev, hash}));
    KZ_TRY(conn.Exec(
        "INSERT INTO audit_anchor(id, last_seq, last_hash) VALUES (1, ?, ?)"
        " ON CONFLICT(id) DO UPDATE SET last_seq = excluded.last_seq, last_hash = excluded.last_hash",
        {seq, hash}));
    return seq;
}

core::Result<std::int64_t> AuditLog::Append(store::Database& db, const AuditEntry& entry) const {
    return db.InTransaction<std::int64_t>([&](store::Connection& c) { return Append(c, entry); });
}

core::Result<AuditVerifyReport> AuditLog::Verify(store::Connection& conn) {
    KZ_ASSIGN(auto rows, conn.Query("SELECT seq, at, actor, action, object, detail, remote_ip, prev_hash, hash"
                                    " FROM audit_log ORDER BY seq"));
    AuditVerifyReport report;
    auto fail = [&](std::int64_t seq, std::string problem) {
        report.intact = false;
        report.first_bad_seq = seq;
        report.problem = std::move(problem);
        return report;
    };
    std::string prev = kGenesis;
    std::int64_t expected_seq = 1;
    for (const store::Row& row : rows) {
        const std::int64_t seq = row.Int(0);
        if (seq != expected_seq)
            return fail(expected_seq, "entry " + std::to_string(expected_seq) + " is missing (removed)");
        AuditEntry e{row.Text(2), row.Text(3), row.Text(4), row.Text(5), row.Text(6)};
        if (row.Text(7) != prev)
            return fail(seq, "entry " + std::to_string(seq) + " does not chain to entry " + std::to_string(seq - 1));
        const std::string hash = ChainHash(seq, row.Text(1), e, prev);
        if (hash != row.Text(8)) return fail(seq, "entry " + std::to_string(seq) + " was altered");
        prev = hash;
        ++expected_seq;
        ++report.entries;
    }
    KZ_ASSIGN(auto anchor, conn.QueryOne("SELECT last_seq, last_hash FROM audit_anchor WHERE id = 1"));
    const std::int64_t last = expected_seq - 1;
    if (anchor) {
        if (anchor->Int(0) != last)
            return fail(last + 1, "entries after " + std::to_string(last) + " up to " +
                                      std::to_string(anchor->Int(0)) + " are missing (removed)");
        if (anchor->Text(1) != prev) return fail(last, "entry " + std::to_string(last) + " was altered");
    } else if (last != 0) {
        return fail(1, "the audit anchor is missing");
    }
    return report;
}

core::Result<std::int64_t> AuditLog::Count(store::Connection& conn) {
    return conn.QueryInt("SELECT coalesce(max(seq), 0) FROM audit_log");
}

core::Result<std::vector<AuditRecord>> AuditLog::Recent(store::Connection& conn, int limit) {
    KZ_ASSIGN(auto rows, conn.Query("SELECT seq, at, actor, action, object, detail, remote_ip, prev_hash, hash"
                                    " FROM audit_log ORDER BY seq DESC LIMIT ?",
                                    {std::int64_t{limit}}));
    std::vector<AuditRecord> out;
    for (const auto& row : rows) {
        out.push_back({row.Int(0), row.Text(1), {row.Text(2), row.Text(3), row.Text(4), row.Text(5), row.Text(6)},
                       row.Text(7), row.Text(8)});
    }
    return out;
}

}  // namespace kizuna::auth
