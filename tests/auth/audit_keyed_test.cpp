// The keyed audit chain and its checkpoints outside the database: tampering by someone who can write
// the database file (here: a separate raw sqlite3 connection, as an attacker would) must show.
#include <sqlite3.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>

#include "auth/audit_files.hpp"
#include "auth_fixture.hpp"

namespace kizuna::auth {
namespace {

class AuditKeyedTest : public AuthFixture {
  protected:
    void SetUp() override {
        AuthFixture::SetUp();
        ASSERT_FALSE(HasFatalFailure());
    }

    // Keys the log (first start): entries so far stay v1, later ones are keyed.
    void Key() {
        auto keying = OpenAuditKeying(*db_, dir_.path(), clock_);
        ASSERT_TRUE(keying.ok()) << keying.error().ToString();
        keyed_ = std::make_unique<AuditLog>(clock_, *keying);
    }

    void Append(const AuditLog& log, int n, const char* action = "case.disclose") {
        for (int i = 0; i < n; ++i) {
            clock_.Advance(std::chrono::seconds(1));
            ASSERT_TRUE(log.Append(*db_, {"alice", action, "case:JVNVU#0000000" + std::to_string(i),
                                          "{\"vendor\":\"v" + std::to_string(i) + "\"}", "192.0.2.1"})
                            .ok());
        }
    }

    void Checkpoint() {
        auto cp = keyed_->WriteCheckpoint(*db_);
        ASSERT_TRUE(cp.ok()) << cp.error().ToString();
    }

    // The attacker: a raw connection to the database file, no Kizuna code, no key.
    void Attack(const std::string& sql) {
        lease_.reset();
        sqlite3* raw = nullptr;
        ASSERT_EQ(sqlite3_open(dir_.File("auth.db").c_str(), &raw), SQLITE_OK);
        char* err = nullptr;
        const int rc = sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, &err);
        std::string message = err ? err : "";
        sqlite3_free(err);
        sqlite3_close(raw);
        ASSERT_EQ(rc, SQLITE_OK) << message;
    }

    // Re-chains every entry from `from_seq` on with the public, unkeyed formula and rewrites the anchor:
    // what an attacker without the key can do after removing or editing entries.
    void RechainFrom(std::int64_t from_seq) {
        auto rows = Conn().Query("SELECT seq, at, actor, action, object, detail, remote_ip FROM audit_log"
                                 " WHERE seq >= ? ORDER BY seq",
                                 {from_seq});
        ASSERT_TRUE(rows.ok());
        auto prev_row = Conn().QueryOne("SELECT hash FROM audit_log WHERE seq = ?", {from_seq - 1});
        ASSERT_TRUE(prev_row.ok());
        std::string prev = *prev_row ? (*prev_row)->Text(0) : std::string(64, '0');
        std::string sql = "DROP TRIGGER IF EXISTS audit_log_no_update;";
        std::int64_t last = from_seq - 1;
        for (const auto& r : *rows) {
            AuditEntry e{r.Text(2), r.Text(3), r.Text(4), r.Text(5), r.Text(6)};
            const std::string hash = AuditLog::ChainHash(r.Int(0), r.Text(1), e, prev);
            sql += "UPDATE audit_log SET prev_hash = '" + prev + "', hash = '" + hash +
                   "' WHERE seq = " + std::to_string(r.Int(0)) + ";";
            prev = hash;
            last = r.Int(0);
        }
        sql += "UPDATE audit_anchor SET last_seq = " + std::to_string(last) + ", last_hash = '" + prev + "';";
        Attack(sql);
    }

    AuditVerifyReport VerifyFull() {
        auto report = keyed_->VerifyAll(Conn());
        EXPECT_TRUE(report.ok()) << report.error().ToString();
        return report.ok() ? *report : AuditVerifyReport{};
    }

    static bool Mentions(const AuditVerifyReport& r, const std::string& words) {
        for (const auto& p : r.problems)
            if (p.find(words) != std::string::npos) return true;
        return false;
    }

    std::unique_ptr<AuditLog> keyed_;
};

TEST_F(AuditKeyedTest, FirstStartCreatesAPrivateKeyAndTheMarker) {
    Append(audit_, 2);  // entries from before keying
    Key();
    struct stat st{};
    ASSERT_EQ(::stat(AuditKeyPath(dir_.path()).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    ASSERT_EQ(::stat(AuditCheckpointPath(dir_.path()).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_EQ(*Conn().QueryInt("SELECT keyed_after_seq FROM audit_keying"), 2);
    // A second start reuses the key and writes no second marker.
    const std::string key = keyed_->keying()->key;
    Key();
    EXPECT_EQ(keyed_->keying()->key, key);
    auto lines = detail::ReadCheckpoints(AuditCheckpointPath(dir_.path()));
    ASSERT_TRUE(lines.ok() && lines->has_value());
    ASSERT_EQ((*lines)->size(), 1u);
    EXPECT_EQ((**lines)[0].kind, "keyed");
    EXPECT_EQ((**lines)[0].last_seq, 2);
}

TEST_F(AuditKeyedTest, LegacyAndKeyedEntriesWithCheckpointsVerify) {
    Append(audit_, 3);
    Key();
    Append(*keyed_, 4);
    Checkpoint();
    Append(*keyed_, 2);
    Checkpoint();
    const AuditVerifyReport r = VerifyFull();
    EXPECT_TRUE(r.intact) << r.problem;
    EXPECT_EQ(r.entries, 9);
    EXPECT_EQ(r.checkpoints, 3);
    EXPECT_TRUE(r.keyed);
    // Keyed entries are not the public formula.
    auto row = Conn().QueryOne("SELECT at, actor, action, object, detail, remote_ip, prev_hash, hash FROM audit_log"
                               " WHERE seq = 5");
    ASSERT_TRUE(row.ok() && row->has_value());
    const auto& x = **row;
    EXPECT_NE(AuditLog::ChainHash(5, x.Text(0), {x.Text(1), x.Text(2), x.Text(3), x.Text(4), x.Text(5)}, x.Text(6)),
              x.Text(7));
}

TEST_F(AuditKeyedTest, TruncationWithTheAnchorRewrittenIsNamed) {
    Key();
    Append(*keyed_, 5);
    Checkpoint();
    // Drop the trigger, delete the newest two entries, point the anchor at entry 3.
    Attack(
        "DROP TRIGGER audit_log_no_delete;"
        "DELETE FROM audit_log WHERE seq > 3;"
        "UPDATE audit_anchor SET last_seq = 3, last_hash = (SELECT hash FROM audit_log WHERE seq = 3);");
    // The database alone cannot tell (this is what `audit verify` checked before).
    auto db_only = AuditLog::Verify(Conn());
    ASSERT_TRUE(db_only.ok());
    EXPECT_TRUE(db_only->intact);
    const AuditVerifyReport r = VerifyFull();
    EXPECT_FALSE(r.intact);
    EXPECT_TRUE(Mentions(r, "truncated")) << r.problem;
    EXPECT_TRUE(Mentions(r, "recorded 5 entries up to entry 5, the log now ends at entry 3")) << r.problem;
}

TEST_F(AuditKeyedTest, DeletingOneEntryAndRechainingTheRestIsNamed) {
    Key();
    Append(*keyed_, 5);
    Checkpoint();
    // Remove entry 3, renumber 4 and 5, re-chain from 3 with the public formula, fix the anchor.
    Attack(
        "DROP TRIGGER audit_log_no_delete; DROP TRIGGER audit_log_no_update;"
        "DELETE FROM audit_log WHERE seq = 3;"
        "UPDATE audit_log SET seq = seq - 1 WHERE seq > 3;");
    RechainFrom(3);
    const AuditVerifyReport r = VerifyFull();
    EXPECT_FALSE(r.intact);
    EXPECT_EQ(r.first_bad_seq, 3);
    EXPECT_TRUE(Mentions(r, "entry 3 was altered or re-chained")) << r.problem;
    // And the checkpoint of entry 5 no longer matches: the log ends at 4.
    EXPECT_TRUE(Mentions(r, "truncated")) << r.problem;
}

TEST_F(AuditKeyedTest, RechainingEntriesFromBeforeKeyingIsNamed) {
    // Legacy (unkeyed) entries are verified as before up to the marker; the marker's head, MACed in the
    // checkpoint file, pins them: rewriting one and re-chaining the rest shows.
    Append(audit_, 4);
    Key();
    Attack("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET detail = '{}' WHERE seq = 2;");
    RechainFrom(2);
    EXPECT_TRUE(AuditLog::Verify(Conn())->intact);  // the chain itself is consistent again
    const AuditVerifyReport r = VerifyFull();
    EXPECT_FALSE(r.intact);
    EXPECT_TRUE(Mentions(r, "re-chained: entry 4 differs from the checkpoint")) << r.problem;
}

TEST_F(AuditKeyedTest, ASingleEditedRowIsNamed) {
    Key();
    Append(*keyed_, 3);
    Checkpoint();
    Attack("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET detail = '{\"vendor\":\"nobody\"}' WHERE seq = 2;");
    const AuditVerifyReport r = VerifyFull();
    EXPECT_FALSE(r.intact);
    EXPECT_EQ(r.first_bad_seq, 2);
    EXPECT_EQ(r.problem, "entry 2 was altered or re-chained (its MAC does not match the audit key)");
}

TEST_F(AuditKeyedTest, AMissingKeyOrCheckpointFileIsNamed) {
    Key();
    Append(*keyed_, 2);
    Checkpoint();
    ASSERT_EQ(std::rename(AuditCheckpointPath(dir_.path()).c_str(), dir_.File("moved").c_str()), 0);
    AuditVerifyReport r = VerifyFull();
    EXPECT_FALSE(r.intact);
    EXPECT_TRUE(Mentions(r, "the checkpoint file " + AuditCheckpointPath(dir_.path()) + " is missing")) << r.problem;
    // Nor does the next checkpoint quietly start a new file.
    auto cp = keyed_->WriteCheckpoint(*db_);
    ASSERT_FALSE(cp.ok());
    EXPECT_EQ(cp.error().code(), core::ErrorCode::kFailedPrecondition);
    ASSERT_EQ(std::rename(dir_.File("moved").c_str(), AuditCheckpointPath(dir_.path()).c_str()), 0);
    EXPECT_TRUE(VerifyFull().intact);

    ASSERT_EQ(std::remove(AuditKeyPath(dir_.path()).c_str()), 0);
    auto loaded = LoadAuditKeying(dir_.path());
    ASSERT_TRUE(loaded.ok());
    auto without_key = AuditLog::Verify(Conn(), *loaded);
    ASSERT_TRUE(without_key.ok());
    EXPECT_FALSE(without_key->intact);
    EXPECT_EQ(without_key->problem, "the audit key file " + AuditKeyPath(dir_.path()) +
                                        " is missing: keyed entries and checkpoints cannot be verified");
    // A restart must not quietly make a new key: the keyed entries would become unverifiable.
    auto reopened = OpenAuditKeying(*db_, dir_.path(), clock_);
    ASSERT_FALSE(reopened.ok());
    EXPECT_EQ(reopened.error().code(), core::ErrorCode::kFailedPrecondition);
}

TEST_F(AuditKeyedTest, AForgedCheckpointLineIsNamed) {
    Key();
    Append(*keyed_, 2);
    Checkpoint();
    // Someone appends a checkpoint for a shorter log without the key.
    std::ofstream(AuditCheckpointPath(dir_.path()), std::ios::app)
        << "kizuna-audit-checkpoint 1 head 2026-01-01T00:00:00Z 1 1 " << std::string(64, 'a') << " "
        << std::string(64, 'b') << "\n";
    const AuditVerifyReport r = VerifyFull();
    EXPECT_FALSE(r.intact);
    EXPECT_TRUE(Mentions(r, "checkpoint line 3 is not authentic")) << r.problem;
}

TEST_F(AuditKeyedTest, RemovingTheMarkerFromTheDatabaseIsNamed) {
    Append(audit_, 2);
    Key();
    Append(*keyed_, 2);
    Attack("DROP TRIGGER audit_keying_no_delete; DELETE FROM audit_keying;");
    const AuditVerifyReport r = VerifyFull();
    EXPECT_FALSE(r.intact);
    EXPECT_TRUE(Mentions(r, "the keying marker was removed from the database")) << r.problem;
}

}  // namespace
}  // namespace kizuna::auth
