#include "store/store.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "support/temp_dir.hpp"

namespace kizuna::store {
namespace {

std::unique_ptr<Database> OpenTemp(const testing::TempDir& dir, int pool = 2) {
    auto db = OpenSqlite({.path = dir.File("t.db"), .pool_size = pool});
    EXPECT_TRUE(db.ok()) << db.error().ToString();
    return std::move(db).value();
}

TEST(StoreTest, OpensInWalModeWithForeignKeys) {
    testing::TempDir dir;
    auto db = OpenTemp(dir);
    auto lease = db->Acquire();
    ASSERT_TRUE(lease.ok());
    auto mode = (*lease)->QueryOne("PRAGMA journal_mode");
    ASSERT_TRUE(mode.ok());
    EXPECT_EQ((*mode)->Text(0), "wal");
    EXPECT_EQ(*(*lease)->QueryInt("PRAGMA foreign_keys"), 1);
}

TEST(StoreTest, BindsAndReadsEveryValueType) {
    testing::TempDir dir;
    auto db = OpenTemp(dir);
    auto lease = db->Acquire();
    Connection& c = **lease;
    ASSERT_TRUE(c.ExecScript("CREATE TABLE t(i INTEGER, r REAL, s TEXT, b BLOB, n TEXT)").ok());
    ASSERT_TRUE(c.Exec("INSERT INTO t VALUES (?, ?, ?, ?, ?)",
                       {std::int64_t{42}, 2.5, std::string("日本語"), Blob{std::string("\0\1", 2)}, Null()})
                    .ok());
    auto row = c.QueryOne("SELECT i, r, s, b, n FROM t");
    ASSERT_TRUE(row.ok() && row->has_value());
    const Row& r = **row;
    EXPECT_EQ(r.Int(0), 42);
    EXPECT_DOUBLE_EQ(r.Real(1), 2.5);
    EXPECT_EQ(r.Text(2), "日本語");
    EXPECT_EQ(std::get<Blob>(r.at(3)).bytes, std::string("\0\1", 2));
    EXPECT_TRUE(r.IsNull(4));
    EXPECT_FALSE(r.OptText(4).has_value());
}

TEST(StoreTest, TransactionRollsBackUnlessCommitted) {
    testing::TempDir dir;
    auto db = OpenTemp(dir);
    {
        auto lease = db->Acquire();
        ASSERT_TRUE((*lease)->ExecScript("CREATE TABLE t(x INTEGER)").ok());
        {
            auto tx = Transaction::Begin(**lease);
            ASSERT_TRUE(tx.ok());
            ASSERT_TRUE((*lease)->Exec("INSERT INTO t VALUES (1)").ok());
        }  // destroyed without Commit
        EXPECT_EQ(*(*lease)->QueryInt("SELECT count(*) FROM t"), 0);
    }
    Status st = db->InTransaction([](Connection& c) { return c.Exec("INSERT INTO t VALUES (2)"); });
    ASSERT_TRUE(st.ok());
    Status failed = db->InTransaction([](Connection& c) -> Status {
        KZ_TRY(c.Exec("INSERT INTO t VALUES (3)"));
        return core::InvalidArgument("changed my mind");
    });
    EXPECT_FALSE(failed.ok());
    auto lease = db->Acquire();
    EXPECT_EQ(*(*lease)->QueryInt("SELECT sum(x) FROM t"), 2);
}

TEST(StoreTest, ConstraintErrorsMapToCodes) {
    testing::TempDir dir;
    auto db = OpenTemp(dir);
    auto lease = db->Acquire();
    Connection& c = **lease;
    ASSERT_TRUE(c.ExecScript("CREATE TABLE p(id INTEGER PRIMARY KEY, name TEXT UNIQUE);"
                             "CREATE TABLE ch(id INTEGER PRIMARY KEY, p INTEGER NOT NULL REFERENCES p(id));")
                    .ok());
    ASSERT_TRUE(c.Exec("INSERT INTO p(name) VALUES ('a')").ok());
    Status dup = c.Exec("INSERT INTO p(name) VALUES ('a')");
    ASSERT_FALSE(dup.ok());
    EXPECT_EQ(dup.error().code(), core::ErrorCode::kAlreadyExists);
    Status fk = c.Exec("INSERT INTO ch(p) VALUES (99)");
    ASSERT_FALSE(fk.ok());
    EXPECT_EQ(fk.error().code(), core::ErrorCode::kFailedPrecondition);
    Status syntax = c.Exec("SELEKT 1");
    ASSERT_FALSE(syntax.ok());
    EXPECT_NE(syntax.error().message().find("SELEKT"), std::string::npos);
}

TEST(StoreTest, PreparedStatementsAreReused) {
    testing::TempDir dir;
    auto db = OpenTemp(dir);
    auto lease = db->Acquire();
    auto a = (*lease)->Prepare("SELECT 1");
    auto b = (*lease)->Prepare("SELECT 1");
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(*a, *b);
}

TEST(StoreTest, ConcurrentWritersSerializeWithoutErrors) {
    testing::TempDir dir;
    auto db = OpenTemp(dir, 4);
    ASSERT_TRUE(db->InTransaction([](Connection& c) { return c.ExecScript("CREATE TABLE t(x INTEGER)"); }).ok());
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 50; ++i) {
                Status st = db->InTransaction(
                    [&](Connection& c) { return c.Exec("INSERT INTO t VALUES (?)", {std::int64_t{t * 100 + i}}); });
                if (!st.ok()) ++failures;
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(failures.load(), 0);
    auto lease = db->Acquire();
    EXPECT_EQ(*(*lease)->QueryInt("SELECT count(*) FROM t"), 200);
    EXPECT_GT(db->stats().queries(), 200u);
}

TEST(StoreTest, StatsRenderPrometheusFamilies) {
    testing::TempDir dir;
    auto db = OpenTemp(dir);
    {
        auto lease = db->Acquire();
        ASSERT_TRUE((*lease)->Exec("SELECT 1").ok());
    }
    std::string out;
    db->stats().RenderPrometheus(out, db->backend());
    EXPECT_NE(out.find("# TYPE kizuna_db_query_duration_seconds histogram"), std::string::npos);
    EXPECT_NE(out.find("kizuna_db_query_duration_seconds_count{backend=\"sqlite\"} "), std::string::npos);
}

}  // namespace
}  // namespace kizuna::store
