// Issue 12 schema migrations on a database written by the previous schema: `published` becomes derived from
// `published_at`, absent times become NULL (data kept), and the status columns reject values a CHECK would.
#include <gtest/gtest.h>

#include <vector>

#include "auth/auth.hpp"
#include "sched/sched.hpp"
#include "support/temp_dir.hpp"
#include "vuln/vuln.hpp"

namespace kizuna::vuln {
namespace {

constexpr int kFirstIssue12Migration = 1030;

std::vector<store::Migration> AllMigrations(bool before_issue12_only) {
    std::vector<store::Migration> all;
    for (const auto& m : auth::Migrations())
        if (!before_issue12_only || m.version < 110) all.push_back(m);
    for (const auto& m : Migrations())
        if (!before_issue12_only || m.version < kFirstIssue12Migration || m.version == 1100) all.push_back(m);
    for (const auto& m : sched::Migrations()) all.push_back(m);
    return all;
}

class SchemaMigrationTest : public ::testing::Test {
  protected:
    void SetUp() override {
        db_ = std::move(store::OpenSqlite({.path = dir_.File("kizuna.db")})).value();
        auto migrated = store::Migrate(*db_, AllMigrations(true));
        ASSERT_TRUE(migrated.ok()) << migrated.error().ToString();
        auto lease = db_->Acquire();
        ASSERT_TRUE(lease.ok());
        store::Connection& c = **lease;
        // As the previous schema stored them: '' for "not yet", published kept beside published_at.
        ASSERT_TRUE(c.Exec("INSERT INTO vendors(id, name, registration_kind, registration_state, created_at)"
                           " VALUES (1, 'V', 'general', 'registered', '2026-01-01T00:00:00Z')")
                        .ok());
        ASSERT_TRUE(c.Exec("INSERT INTO cases(id, identifier, receipt_id, title, source, state, created_at,"
                           " published, published_at, publish_at) VALUES"
                           " (1, 'JVNVU#1', 'R-1', 'public', 'domestic', 'coordinating', '2026-01-01T00:00:00Z', 1,"
                           "  '2026-03-01T00:00:00Z', '2026-03-01T00:00:00Z'),"
                           " (2, 'JVNVU#2', 'R-2', 'embargoed', 'domestic', 'coordinating', '2026-01-02T00:00:00Z', 0,"
                           "  '', '')")
                        .ok());
        ASSERT_TRUE(c.Exec("INSERT INTO date_change_requests(case_id, vendor_id, requested_at, reason, state, created_at,"
                           " decided_at) VALUES (1, 1, '2026-04-01T00:00:00Z', 'r', 'granted', '2026-02-01T00:00:00Z',"
                           " '2026-02-02T00:00:00Z'), (2, 1, '2026-04-01T00:00:00Z', 'r', 'open',"
                           " '2026-02-01T00:00:00Z', '')")
                        .ok());
    }

    void MigrateToCurrent() {
        auto migrated = store::Migrate(*db_, AllMigrations(false));
        ASSERT_TRUE(migrated.ok()) << migrated.error().ToString();
        EXPECT_GE(migrated->applied, 4);
    }

    kizuna::testing::TempDir dir_;
    std::unique_ptr<store::Database> db_;
};

TEST_F(SchemaMigrationTest, AbsentTimesBecomeNullAndPublishedIsDerived) {
    MigrateToCurrent();
    auto lease = db_->Acquire();
    ASSERT_TRUE(lease.ok());
    store::Connection& c = **lease;
    auto rows = c.Query("SELECT id, published, published_at, publish_at FROM cases ORDER BY id");
    ASSERT_TRUE(rows.ok());
    ASSERT_EQ(rows->size(), 2u);
    EXPECT_EQ((*rows)[0].Int(1), 1);
    EXPECT_EQ((*rows)[0].Text(2), "2026-03-01T00:00:00Z");
    EXPECT_EQ((*rows)[0].Text(3), "2026-03-01T00:00:00Z");
    EXPECT_EQ((*rows)[1].Int(1), 0);
    EXPECT_TRUE((*rows)[1].IsNull(2));
    EXPECT_TRUE((*rows)[1].IsNull(3));
    auto decided = c.Query("SELECT decided_at FROM date_change_requests ORDER BY case_id");
    ASSERT_TRUE(decided.ok());
    EXPECT_EQ((*decided)[0].Text(0), "2026-02-02T00:00:00Z");
    EXPECT_TRUE((*decided)[1].IsNull(0));

    // One source of truth: setting the time publishes, and the flag cannot be written out of step.
    ASSERT_TRUE(c.Exec("UPDATE cases SET published_at = '2026-05-01T00:00:00Z' WHERE id = 2").ok());
    EXPECT_EQ(*c.QueryInt("SELECT published FROM cases WHERE id = 2"), 1);
    EXPECT_FALSE(c.Exec("UPDATE cases SET published = 0 WHERE id = 2").ok());
    // New rows get NULL, not '', for the times that have not happened.
    ASSERT_TRUE(c.Exec("INSERT INTO cases(id, identifier, receipt_id, title, source, state, created_at) VALUES"
                       " (3, 'JVNVU#3', 'R-3', 'new', 'domestic', 'received', '2026-06-01T00:00:00Z')")
                    .ok());
    EXPECT_EQ(*c.QueryInt("SELECT count(*) FROM cases WHERE id = 3 AND published_at IS NULL AND publish_at IS NULL"
                          " AND published = 0"),
              1);
}

TEST_F(SchemaMigrationTest, StatusColumnsRejectUnknownValues) {
    MigrateToCurrent();
    auto lease = db_->Acquire();
    ASSERT_TRUE(lease.ok());
    store::Connection& c = **lease;
    const std::string insert_report =
        "INSERT INTO status_reports(case_id, vendor_id, status, reported_at, reported_by) VALUES (1, 1, ?, "
        "'2026-02-01T00:00:00Z', 'v')";
    auto bad = c.Exec(insert_report, {std::string("pwned")});
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().ToString().find("status_reports.status"), std::string::npos) << bad.error().ToString();
    ASSERT_TRUE(c.Exec(insert_report, {std::string("affected")}).ok());
    EXPECT_FALSE(c.Exec("UPDATE status_reports SET status = 'fixed?' WHERE case_id = 1").ok());
    EXPECT_EQ(*c.QueryInt("SELECT count(*) FROM status_reports WHERE status = 'affected'"), 1);

    const std::string insert_event =
        "INSERT INTO vendor_registration_events(vendor_id, from_state, to_state, at, actor) VALUES (1, ?, ?, "
        "'2026-02-01T00:00:00Z', 'c')";
    EXPECT_TRUE(c.Exec(insert_event, {std::string(""), std::string("applied")}).ok());
    EXPECT_TRUE(c.Exec(insert_event, {std::string("applied"), std::string("registered")}).ok());
    EXPECT_FALSE(c.Exec(insert_event, {std::string("applied"), std::string("")}).ok());
    EXPECT_FALSE(c.Exec(insert_event, {std::string("bogus"), std::string("registered")}).ok());
    EXPECT_FALSE(c.Exec("UPDATE vendor_registration_events SET to_state = 'x'").ok());
}

}  // namespace
}  // namespace kizuna::vuln
