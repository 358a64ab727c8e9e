#include "auth/audit.hpp"

#include "auth_fixture.hpp"

namespace kizuna::auth {
namespace {

using AuditTest = AuthFixture;

void AppendThree(AuditLog& log, store::Database& db) {
    for (const char* action : {"auth.login", "case.disclose", "auth.logout"})
        ASSERT_TRUE(log.Append(db, {"alice", action, "case:JVNVU#00000001", "{}", "127.0.0.1"}).ok());
}

TEST_F(AuditTest, AnIntactChainVerifies) {
    AppendThree(audit_, *db_);
    auto report = AuditLog::Verify(Conn());
    ASSERT_TRUE(report.ok());
    EXPECT_TRUE(report->intact) << report->problem;
    EXPECT_EQ(report->entries, 3);
}

TEST_F(AuditTest, RowsCannotBeUpdatedOrDeletedThroughSql) {
    AppendThree(audit_, *db_);
    core::Status upd = Conn().Exec("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2");
    ASSERT_FALSE(upd.ok());
    EXPECT_NE(upd.error().message().find("append-only"), std::string::npos);
    EXPECT_FALSE(Conn().Exec("DELETE FROM audit_log WHERE seq = 2").ok());
}

TEST_F(AuditTest, AlteredRowIsNamed) {
    AppendThree(audit_, *db_);
    ASSERT_TRUE(Conn().ExecScript("DROP TRIGGER audit_log_no_update;"
                                  "UPDATE audit_log SET actor = 'mallory' WHERE seq = 2;")
                    .ok());
    auto report = AuditLog::Verify(Conn());
    ASSERT_TRUE(report.ok());
    EXPECT_FALSE(report->intact);
    EXPECT_EQ(report->first_bad_seq, 2);
    EXPECT_EQ(report->problem, "entry 2 was altered");
}

TEST_F(AuditTest, RemovedRowIsNamed) {
    AppendThree(audit_, *db_);
    ASSERT_TRUE(Conn().ExecScript("DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = 2;").ok());
    auto report = AuditLog::Verify(Conn());
    ASSERT_TRUE(report.ok());
    EXPECT_FALSE(report->intact);
    EXPECT_EQ(report->first_bad_seq, 2);
    EXPECT_EQ(report->problem, "entry 2 is missing (removed)");
}

TEST_F(AuditTest, RemovedTailIsNamed) {
    AppendThree(audit_, *db_);
    ASSERT_TRUE(Conn().ExecScript("DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = 3;").ok());
    auto report = AuditLog::Verify(Conn());
    ASSERT_TRUE(report.ok());
    EXPECT_FALSE(report->intact);
    EXPECT_EQ(report->first_bad_seq, 3);
}

TEST_F(AuditTest, RewrittenRowWithRecomputedHashBreaksTheNextLink) {
    AppendThree(audit_, *db_);
    // An attacker who recomputes entry 2's own hash still breaks entry 3's prev_hash.
    AuditEntry forged{"mallory", "case.disclose", "case:JVNVU#00000001", "{}", "127.0.0.1"};
    auto rows = Conn().Query("SELECT at, prev_hash FROM audit_log WHERE seq = 2");
    ASSERT_TRUE(rows.ok());
    const std::string hash = AuditLog::ChainHash(2, (*rows)[0].Text(0), forged, (*rows)[0].Text(1));
    ASSERT_TRUE(Conn().ExecScript("DROP TRIGGER audit_log_no_update;").ok());
    ASSERT_TRUE(Conn().Exec("UPDATE audit_log SET actor = 'mallory', hash = ? WHERE seq = 2", {hash}).ok());
    auto report = AuditLog::Verify(Conn());
    ASSERT_TRUE(report.ok());
    EXPECT_FALSE(report->intact);
    EXPECT_EQ(report->first_bad_seq, 3);
}

TEST_F(AuditTest, UserCreationIsAudited) {
    MakeUser("alice", Role::kCoordinator);
    auto recent = AuditLog::Recent(Conn(), 10);
    ASSERT_TRUE(recent.ok());
    ASSERT_EQ(recent->size(), 1u);
    EXPECT_EQ((*recent)[0].entry.action, "user.create");
    EXPECT_EQ((*recent)[0].entry.object, "user:alice");
    EXPECT_EQ((*recent)[0].entry.detail.find("horse"), std::string::npos);  // no secrets
}

}  // namespace
}  // namespace kizuna::auth
