#include <algorithm>
#include <map>
#include <vector>

#include "store/store.hpp"

namespace kizuna::store {

Result<MigrationReport> Migrate(Database& db, std::span<const Migration> migrations) {
    std::vector<Migration> ordered(migrations.begin(), migrations.end());
    std::sort(ordered.begin(), ordered.end(), [](const Migration& a, const Migration& b) { return a.version < b.version; });
    for (std::size_t i = 1; i < ordered.size(); ++i) {
        if (ordered[i].version == ordered[i - 1].version)
            return core::Internal("two migrations share version " + std::to_string(ordered[i].version));
    }

    KZ_ASSIGN(Lease lease, db.Acquire());
    Connection& conn = *lease;
    KZ_TRY(conn.ExecScript(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL"
        " DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')))"));

    KZ_ASSIGN(std::vector<Row> rows, conn.Query("SELECT version, name FROM schema_migrations ORDER BY version"));
    std::map<int, std::string> applied;
    for (const Row& row : rows) applied[static_cast<int>(row.Int(0))] = row.Text(1);

    for (const auto& [version, name] : applied) {
        auto it = std::find_if(ordered.begin(), ordered.end(), [&](const Migration& m) { return m.version == version; });
        if (it == ordered.end())
            return core::FailedPrecondition("database has migration " + std::to_string(version) + " (" + name +
                                            ") that this program does not know: it was written by a newer version");
        if (it->name != name)
            return core::FailedPrecondition("migration " + std::to_string(version) + " is recorded as '" + name +
                                            "' but this program calls it '" + std::string(it->name) + "'");
    }

    MigrationReport report;
    for (const Migration& m : ordered) {
        if (applied.count(m.version)) continue;
        KZ_ASSIGN(Transaction tx, Transaction::Begin(conn));
        Status st = conn.ExecScript(m.sql);
        if (!st.ok())
            return st.error().WithContext("migration " + std::to_string(m.version) + " (" + std::string(m.name) + ")");
        KZ_TRY(conn.Exec("INSERT INTO schema_migrations(version, name) VALUES (?, ?)",
                         {std::int64_t{m.version}, std::string(m.name)}));
        KZ_TRY(tx.Commit());
        ++report.applied;
    }
    report.current_version = ordered.empty() ? 0 : ordered.back().version;
    if (!applied.empty()) report.current_version = std::max(report.current_version, applied.rbegin()->first);
    return report;
}

}  // namespace kizuna::store
