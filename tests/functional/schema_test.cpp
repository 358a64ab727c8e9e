// The schema of a fully migrated database (`kizuna migrate`, every module's migrations), checked as data:
// every foreign key has an index whose leading columns are the key's columns (else each lookup of a case's
// rows, and every foreign-key check on delete, scans the table), and every status/state column is checked
// (a CHECK constraint, or for columns added before the rule, the BEFORE INSERT/UPDATE triggers of
// migration 1031). Tables added later are covered without changing this test.
#include <sqlite3.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace kizuna::testing {
namespace {

using Rows = std::vector<std::vector<std::string>>;

struct DbCloser {
    void operator()(sqlite3* db) const { sqlite3_close(db); }
};
using Db = std::unique_ptr<sqlite3, DbCloser>;

Rows Query(sqlite3* db, const std::string& sql) {
    Rows rows;
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sql << ": " << sqlite3_errmsg(db);
    while (st && sqlite3_step(st) == SQLITE_ROW) {
        std::vector<std::string> row;
        for (int i = 0; i < sqlite3_column_count(st); ++i) {
            const auto* text = sqlite3_column_text(st, i);
            row.emplace_back(text ? reinterpret_cast<const char*>(text) : "");
        }
        rows.push_back(std::move(row));
    }
    sqlite3_finalize(st);
    return rows;
}

class SchemaTest : public ::testing::Test {
  protected:
    void SetUp() override {
        auto migrated = RunCommand({KIZUNA_BIN, "migrate", "--data-dir", dir_.File("data")});
        ASSERT_EQ(migrated.exit_code, 0) << migrated.err;
        sqlite3* raw = nullptr;
        ASSERT_EQ(sqlite3_open_v2(dir_.File("data/kizuna.db").c_str(), &raw, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
        db_.reset(raw);
        for (const auto& row : Query(db_.get(), "SELECT name, sql FROM sqlite_schema WHERE type = 'table'"
                                                " AND name NOT LIKE 'sqlite_%'"))
            tables_[row[0]] = row[1];
        ASSERT_GT(tables_.size(), 20u);
    }

    // The column lists of the table's indexes (the rowid/INTEGER PRIMARY KEY counts as one).
    std::vector<std::vector<std::string>> Indexes(const std::string& table) {
        std::vector<std::vector<std::string>> indexes;
        for (const auto& index : Query(db_.get(), "SELECT name FROM pragma_index_list('" + table + "')")) {
            std::vector<std::string> columns;
            for (const auto& col :
                 Query(db_.get(), "SELECT name FROM pragma_index_info('" + index[0] + "') ORDER BY seqno"))
                columns.push_back(col[0]);
            indexes.push_back(columns);
        }
        const auto pk = Query(db_.get(), "SELECT name, type FROM pragma_table_info('" + table + "') WHERE pk > 0");
        if (pk.size() == 1 && pk[0][1] == "INTEGER") indexes.push_back({pk[0][0]});
        return indexes;
    }

    TempDir dir_;
    Db db_;
    std::map<std::string, std::string> tables_;
};

TEST_F(SchemaTest, EveryForeignKeyHasAnIndexWhoseLeadingColumnsItIs) {
    std::vector<std::string> missing;
    int foreign_keys = 0;
    for (const auto& [table, sql] : tables_) {
        // A foreign key of several columns shares its id over several rows.
        std::map<std::string, std::vector<std::string>> keys;
        for (const auto& row : Query(db_.get(), "SELECT id, \"from\", \"table\" FROM pragma_foreign_key_list('" +
                                                    table + "') ORDER BY id, seq"))
            keys[row[0] + " -> " + row[2]].push_back(row[1]);
        const auto indexes = Indexes(table);
        for (const auto& [key, columns] : keys) {
            ++foreign_keys;
            const std::set<std::string> wanted(columns.begin(), columns.end());
            const bool covered = std::any_of(indexes.begin(), indexes.end(), [&](const auto& index) {
                if (index.size() < columns.size()) return false;
                return std::set<std::string>(index.begin(), index.begin() + columns.size()) == wanted;
            });
            if (!covered) {
                std::string names;
                for (const auto& c : columns) names += (names.empty() ? "" : ",") + c;
                missing.push_back(table + "(" + names + ")");
            }
        }
    }
    EXPECT_GT(foreign_keys, 40);
    std::string list;
    for (const auto& m : missing) list += "\n  " + m;
    EXPECT_TRUE(missing.empty()) << "foreign keys without an index:" << list;
}

TEST_F(SchemaTest, EveryStatusColumnIsChecked) {
    // Free-text status details are not states: status_text/status_urls/status_at.
    const std::regex state_column("^(.*_)?(state|status)$");
    // The mail gateway's signature_status is a verification outcome whose vocabulary issue 12's inbound
    // rules are redefining; it is left out here on purpose (see docs/OPERATIONS.md, Schema).
    const std::set<std::string> excluded = {"mail_inbound.signature_status", "mail_reports.signature_status"};
    std::map<std::string, std::string> triggers;  // table -> all its trigger SQL
    for (const auto& row : Query(db_.get(), "SELECT tbl_name, sql FROM sqlite_schema WHERE type = 'trigger'"))
        triggers[row[0]] += row[1] + "\n";
    std::vector<std::string> unchecked;
    int checked = 0;
    for (const auto& [table, sql] : tables_) {
        for (const auto& col : Query(db_.get(), "SELECT name FROM pragma_table_info('" + table + "')")) {
            const std::string& name = col[0];
            if (!std::regex_match(name, state_column) || excluded.count(table + "." + name)) continue;
            const std::regex in_check("CHECK\\s*\\(\\s*" + name + "\\s+IN\\b", std::regex::icase);
            const std::regex in_trigger("NEW\\." + name + "\\s+NOT\\s+IN\\b", std::regex::icase);
            const std::string& table_triggers = triggers[table];
            if (std::regex_search(sql, in_check) ||
                (std::regex_search(table_triggers, in_trigger) &&
                 table_triggers.find("BEFORE INSERT") != std::string::npos &&
                 table_triggers.find("BEFORE UPDATE") != std::string::npos)) {
                ++checked;
            } else {
                unchecked.push_back(table + "." + name);
            }
        }
    }
    EXPECT_GT(checked, 10);
    std::string list;
    for (const auto& u : unchecked) list += "\n  " + u;
    EXPECT_TRUE(unchecked.empty()) << "status columns without a CHECK (or checking triggers):" << list;
}

TEST_F(SchemaTest, PublishedIsDerivedFromPublishedAt) {
    // table_xinfo: hidden = 2 (virtual) or 3 (stored) for a generated column.
    const auto published = Query(db_.get(), "SELECT hidden FROM pragma_table_xinfo('cases') WHERE name = 'published'");
    ASSERT_EQ(published.size(), 1u);
    EXPECT_TRUE(published[0][0] == "2" || published[0][0] == "3") << published[0][0];
    const auto at = Query(db_.get(), "SELECT \"notnull\", dflt_value FROM pragma_table_info('cases')"
                                     " WHERE name IN ('published_at', 'publish_at')");
    ASSERT_EQ(at.size(), 2u);
    for (const auto& row : at) EXPECT_EQ(row[0], "0") << "absent times are NULL, not ''";
}

}  // namespace
}  // namespace kizuna::testing
