#include <gtest/gtest.h>

#include "store/store.hpp"
#include "support/temp_dir.hpp"

namespace kizuna::store {
namespace {

const Migration kV1[] = {
    {1, "create_things", "CREATE TABLE things(id INTEGER PRIMARY KEY, name TEXT NOT NULL)"},
};
const Migration kV2[] = {
    {1, "create_things", "CREATE TABLE things(id INTEGER PRIMARY KEY, name TEXT NOT NULL)"},
    {2, "add_colour", "ALTER TABLE things ADD COLUMN colour TEXT"},
};

TEST(MigrateTest, AppliesPendingOnceInOrder) {
    testing::TempDir dir;
    auto db = std::move(OpenSqlite({.path = dir.File("m.db")})).value();
    auto first = Migrate(*db, kV1);
    ASSERT_TRUE(first.ok()) << first.error().ToString();
    EXPECT_EQ(first->applied, 1);
    auto again = Migrate(*db, kV1);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->applied, 0);
    auto upgrade = Migrate(*db, kV2);
    ASSERT_TRUE(upgrade.ok());
    EXPECT_EQ(upgrade->applied, 1);
    EXPECT_EQ(upgrade->current_version, 2);
    auto lease = db->Acquire();
    EXPECT_TRUE((*lease)->Exec("INSERT INTO things(name, colour) VALUES ('x', 'red')").ok());
}

TEST(MigrateTest, RefusesADatabaseFromANewerProgram) {
    testing::TempDir dir;
    auto db = std::move(OpenSqlite({.path = dir.File("m.db")})).value();
    ASSERT_TRUE(Migrate(*db, kV2).ok());
    auto old = Migrate(*db, kV1);
    ASSERT_FALSE(old.ok());
    EXPECT_EQ(old.error().code(), core::ErrorCode::kFailedPrecondition);
    EXPECT_NE(old.error().message().find("newer"), std::string::npos);
}

TEST(MigrateTest, AFailedMigrationLeavesNoTrace) {
    testing::TempDir dir;
    auto db = std::move(OpenSqlite({.path = dir.File("m.db")})).value();
    const Migration broken[] = {{1, "half", "CREATE TABLE a(x INTEGER); CREATE TABLE a(y INTEGER);"}};
    auto r = Migrate(*db, broken);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message().find("migration 1 (half)"), std::string::npos);
    auto lease = db->Acquire();
    EXPECT_EQ(*(*lease)->QueryInt("SELECT count(*) FROM sqlite_master WHERE name = 'a'"), 0);
    EXPECT_EQ(*(*lease)->QueryInt("SELECT count(*) FROM schema_migrations"), 0);
}

}  // namespace
}  // namespace kizuna::store
