#include "auth/audit.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "auth/audit_files.hpp"
#include "auth/internal/crypto.hpp"

namespace kizuna::auth {
namespace {
const std::string kGenesis(64, '0');
constexpr std::string_view kRecordColumns = "seq, at, actor, action, object, detail, remote_ip, prev_hash, hash";

void AppendField(std::string& out, std::string_view field) {
    out += std::to_string(field.size());
    out += ':';
    out += field;
    out += ';';
}

std::string Canonical(std::string_view scheme, std::int64_t seq, const std::string& at, const AuditEntry& e,
                      const std::string& prev_hash) {
    std::string canonical(scheme);
    AppendField(canonical, std::to_string(seq));
    AppendField(canonical, at);
    AppendField(canonical, e.actor);
    AppendField(canonical, e.action);
    AppendField(canonical, e.object);
    AppendField(canonical, e.detail);
    AppendField(canonical, e.remote_ip);
    AppendField(canonical, prev_hash);
    return canonical;
}

AuditRecord RecordFromRow(const store::Row& row) {
    return {row.Int(0), row.Text(1), {row.Text(2), row.Text(3), row.Text(4), row.Text(5), row.Text(6)},
            row.Text(7), row.Text(8)};
}

class Findings {
  public:
    explicit Findings(AuditVerifyReport& report) : report_(report) {}
    void Add(std::optional<std::int64_t> seq, std::string problem) {
        if (report_.intact) {
            report_.intact = false;
            report_.first_bad_seq = seq;
            report_.problem = problem;
        }
        report_.problems.push_back(std::move(problem));
    }

  private:
    AuditVerifyReport& report_;
};

// Walks the chain. `marker` is the last v1 seq (nullopt: unknown, treat everything as v1 unless it
// fails, then only linkage is checked); `key` empty: keyed entries are checked for linkage only.
core::Result<std::map<std::int64_t, std::string>> WalkChain(store::Connection& conn, AuditVerifyReport& report,
                                                            std::optional<std::int64_t> marker, std::string_view key) {
    Findings findings(report);
    std::map<std::int64_t, std::string> hash_at;
    KZ_ASSIGN(auto rows, conn.Query("SELECT " + std::string(kRecordColumns) + " FROM audit_log ORDER BY seq"));
    std::string prev = kGenesis;
    std::int64_t expected_seq = 1;
    bool broken = false;  // after the first break, report nothing more from the walk (one cause, many symptoms)
    for (const store::Row& row : rows) {
        const AuditRecord r = RecordFromRow(row);
        if (!broken && r.seq != expected_seq) {
            findings.Add(expected_seq, "entry " + std::to_string(expected_seq) + " is missing (removed)");
            broken = true;
        }
        if (!broken && r.prev_hash != prev) {
            findings.Add(r.seq, "entry " + std::to_string(r.seq) + " does not chain to entry " +
                                    std::to_string(r.seq - 1));
            broken = true;
        }
        const bool is_v1 = !marker || r.seq <= *marker;
        if (!broken) {
            if (is_v1) {
                if (AuditLog::ChainHash(r.seq, r.at, r.entry, r.prev_hash) != r.hash) {
                    findings.Add(r.seq, "entry " + std::to_string(r.seq) + " was altered");
                    broken = true;
                }
            } else if (!key.empty() &&
                       !detail::ConstantTimeEquals(AuditLog::KeyedChainHash(key, r.seq, r.at, r.entry, r.prev_hash),
                                                   r.hash)) {
                findings.Add(r.seq, "entry " + std::to_string(r.seq) +
                                        " was altered or re-chained (its MAC does not match the audit key)");
                broken = true;
            }
        }
        hash_at[r.seq] = r.hash;
        prev = r.hash;
        expected_seq = r.seq + 1;
        if (!broken) ++report.entries;
    }
    const std::int64_t last = expected_seq - 1;
    KZ_ASSIGN(auto anchor, conn.QueryOne("SELECT last_seq, last_hash FROM audit_anchor WHERE id = 1"));
    if (!broken) {
        if (anchor) {
            if (anchor->Int(0) != last)
                findings.Add(last + 1, "entries after " + std::to_string(last) + " up to " +
                                           std::to_string(anchor->Int(0)) + " are missing (removed)");
            else if (anchor->Text(1) != prev)
                findings.Add(last, "entry " + std::to_string(last) + " was altered");
        } else if (last != 0) {
            findings.Add(1, "the audit anchor is missing");
        }
    }
    return hash_at;
}

}  // namespace

std::string AuditLog::ChainHash(std::int64_t seq, const std::string& at, const AuditEntry& e,
                                const std::string& prev_hash) {
    return detail::Sha256Hex(Canonical("kizuna-audit-v1;", seq, at, e, prev_hash));
}

std::string AuditLog::KeyedChainHash(std::string_view key, std::int64_t seq, const std::string& at,
                                     const AuditEntry& e, const std::string& prev_hash) {
    return detail::HmacSha256Hex(key, Canonical("kizuna-audit-v2;", seq, at, e, prev_hash));
}

core::Result<std::int64_t> AuditLog::Append(store::Connection& conn, const AuditEntry& entry) const {
    KZ_ASSIGN(auto anchor, conn.QueryOne("SELECT last_seq, last_hash FROM audit_anchor WHERE id = 1"));
    const std::int64_t seq = anchor ? anchor->Int(0) + 1 : 1;
    const std::string prev = anchor ? anchor->Text(1) : kGenesis;
    const std::string at = core::FormatRfc3339(clock_.Now());
    const std::string hash = keyed() ? KeyedChainHash(keying_->key, seq, at, entry, prev) : ChainHash(seq, at, entry, prev);
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
    AuditVerifyReport report;
    KZ_ASSIGN(auto marker, conn.QueryOne("SELECT keyed_after_seq FROM audit_keying WHERE id = 1"));
    std::optional<std::int64_t> last_v1;
    if (marker) last_v1 = marker->Int(0);
    KZ_TRY(WalkChain(conn, report, last_v1, ""));
    return report;
}

core::Result<AuditVerifyReport> AuditLog::VerifyAll(store::Connection& conn) const {
    if (!keying_) return Verify(conn);
    return Verify(conn, *keying_);
}

core::Result<AuditVerifyReport> AuditLog::Verify(store::Connection& conn, const AuditKeying& keying) {
    AuditVerifyReport report;
    Findings findings(report);
    if (keying.key.empty())
        findings.Add(std::nullopt, "the audit key file " + keying.key_path +
                                       " is missing: keyed entries and checkpoints cannot be verified");
    report.keyed = !keying.key.empty();
    KZ_ASSIGN(auto file, detail::ReadCheckpoints(keying.checkpoint_path));
    if (!file)
        findings.Add(std::nullopt, "the checkpoint file " + keying.checkpoint_path +
                                       " is missing: truncation and re-chaining cannot be ruled out");
    const std::vector<AuditCheckpoint> checkpoints = file ? *file : std::vector<AuditCheckpoint>{};

    // Authentic lines only; the first "keyed" line is the marker.
    std::vector<AuditCheckpoint> authentic;
    for (std::size_t i = 0; i < checkpoints.size(); ++i) {
        const AuditCheckpoint& c = checkpoints[i];
        if (keying.key.empty()) break;
        const bool ok = !c.kind.empty() &&
                        detail::ConstantTimeEquals(detail::HmacSha256Hex(keying.key, detail::CheckpointLineBody(c)), c.mac);
        if (!ok) {
            findings.Add(std::nullopt, "checkpoint line " + std::to_string(i + 1) +
                                           " is not authentic (altered or forged)");
            continue;
        }
        authentic.push_back(c);
    }
    std::optional<AuditCheckpoint> file_marker;
    for (const auto& c : authentic)
        if (c.kind == "keyed") {
            file_marker = c;
            break;
        }
    KZ_ASSIGN(auto db_marker, conn.QueryOne("SELECT keyed_after_seq, head FROM audit_keying WHERE id = 1"));
    std::optional<std::int64_t> last_v1;
    if (file_marker) {
        last_v1 = file_marker->last_seq;
        if (!db_marker)
            findings.Add(std::nullopt, "the keying marker was removed from the database");
        else if (db_marker->Int(0) != file_marker->last_seq || db_marker->Text(1) != file_marker->head)
            findings.Add(std::nullopt, "the keying marker in the database differs from the checkpoint file");
    } else {
        if (db_marker) last_v1 = db_marker->Int(0);
        if (file && !keying.key.empty())
            findings.Add(std::nullopt, "the checkpoint file has no keying marker (first line)");
    }
    if (!last_v1 && !keying.key.empty())
        findings.Add(std::nullopt, "no keying marker: the log cannot say which entries must be keyed");

    KZ_ASSIGN(auto hash_at, WalkChain(conn, report, last_v1, keying.key));
    const std::int64_t db_last = hash_at.empty() ? 0 : hash_at.rbegin()->first;
    std::set<std::string> said;  // one message per kind is enough when many checkpoints disagree
    for (const auto& c : authentic) {
        ++report.checkpoints;
        if (c.last_seq == 0) continue;
        if (c.last_seq > db_last) {
            std::string msg = "truncated: the checkpoint of " + c.at + " recorded " + std::to_string(c.entries) +
                              " entries up to entry " + std::to_string(c.last_seq) + ", the log now ends at entry " +
                              std::to_string(db_last);
            if (said.insert("truncated").second) findings.Add(db_last + 1, std::move(msg));
            continue;
        }
        auto it = hash_at.find(c.last_seq);
        if (it == hash_at.end()) {
            if (said.insert("missing " + std::to_string(c.last_seq)).second)
                findings.Add(c.last_seq, "entry " + std::to_string(c.last_seq) + " recorded by the checkpoint of " +
                                             c.at + " is missing (removed)");
        } else if (it->second != c.head) {
            if (said.insert("rechained").second)
                findings.Add(c.last_seq, "re-chained: entry " + std::to_string(c.last_seq) +
                                             " differs from the checkpoint of " + c.at +
                                             " (entries up to it were rewritten)");
        }
    }
    return report;
}

core::Result<std::optional<AuditCheckpoint>> AuditLog::WriteCheckpoint(store::Database& db) const {
    using Out = std::optional<AuditCheckpoint>;
    if (!keyed()) return core::FailedPrecondition("the audit log has no key: checkpoints cannot be written");
    AuditCheckpoint cp;
    cp.kind = "head";
    {
        KZ_ASSIGN(auto lease, db.Acquire());
        KZ_ASSIGN(auto anchor, lease->QueryOne("SELECT last_seq, last_hash FROM audit_anchor WHERE id = 1"));
        cp.last_seq = anchor ? anchor->Int(0) : 0;
        cp.head = anchor ? anchor->Text(1) : kGenesis;
        KZ_ASSIGN(cp.entries, lease->QueryInt("SELECT count(*) FROM audit_log"));
    }
    KZ_ASSIGN(auto existing, detail::ReadCheckpoints(keying_->checkpoint_path));
    if (existing && !existing->empty() && existing->back().last_seq == cp.last_seq && existing->back().head == cp.head)
        return Out();
    cp.at = core::FormatRfc3339(clock_.Now());
    cp.mac = detail::HmacSha256Hex(keying_->key, detail::CheckpointLineBody(cp));
    KZ_TRY(detail::AppendCheckpoint(keying_->checkpoint_path, cp));
    return Out(cp);
}

core::Result<std::int64_t> AuditLog::Count(store::Connection& conn) {
    return conn.QueryInt("SELECT coalesce(max(seq), 0) FROM audit_log");
}

core::Result<std::vector<AuditRecord>> AuditLog::Recent(store::Connection& conn, int limit) {
    KZ_ASSIGN(auto rows, conn.Query("SELECT " + std::string(kRecordColumns) + " FROM audit_log ORDER BY seq DESC LIMIT ?",
                                    {std::int64_t{limit}}));
    std::vector<AuditRecord> out;
    for (const auto& row : rows) out.push_back(RecordFromRow(row));
    return out;
}

core::Result<AuditPage> AuditLog::Search(store::Connection& conn, const AuditQuery& q) {
    std::string where = " WHERE 1 = 1";
    std::vector<store::Value> args;
    if (!q.actor.empty()) {
        where += " AND actor = ?";
        args.emplace_back(q.actor);
    }
    if (!q.action.empty()) {
        if (q.action.back() == '.') {
            where += " AND substr(action, 1, ?) = ?";
            args.emplace_back(static_cast<std::int64_t>(q.action.size()));
        } else {
            where += " AND action = ?";
        }
        args.emplace_back(q.action);
    }
    if (!q.object.empty()) {
        where += " AND instr(object, ?) > 0";
        args.emplace_back(q.object);
    }
    if (!q.from.empty()) {
        where += " AND at >= ?";
        args.emplace_back(q.from);
    }
    if (!q.to.empty()) {
        where += " AND at < ?";
        args.emplace_back(q.to);
    }
    AuditPage page;
    {
        KZ_ASSIGN(auto counted, conn.Query("SELECT count(*) FROM audit_log" + where, std::span<const store::Value>(args)));
        page.total = counted.empty() ? 0 : counted.front().Int(0);
    }
    args.emplace_back(static_cast<std::int64_t>(std::clamp(q.limit, 1, 500)));
    args.emplace_back(static_cast<std::int64_t>(std::max(q.offset, 0)));
    KZ_ASSIGN(auto rows, conn.Query("SELECT " + std::string(kRecordColumns) + " FROM audit_log" + where +
                                        " ORDER BY seq DESC LIMIT ? OFFSET ?",
                                    std::span<const store::Value>(args)));
    for (const auto& row : rows) page.records.push_back(RecordFromRow(row));
    return page;
}

core::Result<std::vector<std::string>> AuditLog::DistinctActors(store::Connection& conn) {
    KZ_ASSIGN(auto rows, conn.Query("SELECT DISTINCT actor FROM audit_log ORDER BY actor LIMIT 500"));
    std::vector<std::string> out;
    for (const auto& r : rows) out.push_back(r.Text(0));
    return out;
}

core::Result<std::vector<std::string>> AuditLog::DistinctActions(store::Connection& conn) {
    KZ_ASSIGN(auto rows, conn.Query("SELECT DISTINCT action FROM audit_log ORDER BY action LIMIT 500"));
    std::vector<std::string> out;
    for (const auto& r : rows) out.push_back(r.Text(0));
    return out;
}

}  // namespace kizuna::auth
