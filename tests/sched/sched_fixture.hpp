// A migrated temporary SQLite file, a manual clock, and a Scheduler over them, plus an `effects` table that
// test handlers write to so each job's effects can be counted.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <string>

#include "sched/sched.hpp"
#include "support/manual_clock.hpp"
#include "support/temp_dir.hpp"

namespace kizuna::sched {

class SchedFixture : public ::testing::Test {
  protected:
    void SetUp() override { ASSERT_NO_FATAL_FAILURE(Open()); }
    void TearDown() override { Close(); }

    // Opens (or reopens, after Close) the database file and builds a fresh Scheduler: a server start.
    void Open() {
        auto db = store::OpenSqlite({.path = dir_.File("sched.db"), .pool_size = 4});
        ASSERT_TRUE(db.ok()) << db.error().ToString();
        db_ = std::move(db).value();
        auto migrated = store::Migrate(*db_, Migrations());
        ASSERT_TRUE(migrated.ok()) << migrated.error().ToString();
        auto created = db_->InTransaction([](store::Connection& c) {
            return c.ExecScript("CREATE TABLE IF NOT EXISTS effects (job_id INTEGER NOT NULL, note TEXT NOT NULL)");
        });
        ASSERT_TRUE(created.ok()) << created.error().ToString();
        scheduler_ = std::make_unique<Scheduler>(*db_, clock_, log_);
    }

    // Destroys the Scheduler and the Database: a server shutdown (or crash between transactions).
    void Close() {
        scheduler_.reset();
        db_.reset();
    }

    // A handler that records one effect row per run, with the payload as the note.
    static Handler Recorder() {
        return [](store::Connection& conn, const Job& job) {
            return conn.Exec("INSERT INTO effects(job_id, note) VALUES (?, ?)", {job.id, job.payload});
        };
    }

    std::int64_t ScheduleAt(std::string_view kind, core::WallTime at, std::string_view payload = {},
                            std::string_view key = {}) {
        auto id = db_->InTransaction<std::int64_t>(
            [&](store::Connection& c) { return Scheduler::Schedule(c, kind, at, payload, key); });
        EXPECT_TRUE(id.ok()) << id.error().ToString();
        return id.value_or(-1);
    }

    std::int64_t CountInt(const std::string& sql) {
        auto lease = db_->Acquire();
        EXPECT_TRUE(lease.ok());
        auto n = (*lease.value()).QueryInt(sql);
        EXPECT_TRUE(n.ok()) << n.error().ToString();
        return n.value_or(-1);
    }

    std::int64_t EffectCount() { return CountInt("SELECT count(*) FROM effects"); }

    int LogLinesContaining(const std::string& needle) {
        std::ifstream in(dir_.File("sched.log"));
        int count = 0;
        for (std::string line; std::getline(in, line);) count += line.find(needle) != std::string::npos ? 1 : 0;
        return count;
    }

    int RunDue() {
        auto ran = scheduler_->RunDue();
        EXPECT_TRUE(ran.ok()) << ran.error().ToString();
        return ran.value_or(-1);
    }

    kizuna::testing::TempDir dir_;
    kizuna::testing::ManualClock clock_;
    core::Logger log_{clock_, core::LogLevel::kDebug, dir_.File("sched.log")};
    std::unique_ptr<store::Database> db_;
    std::unique_ptr<Scheduler> scheduler_;
};

}  // namespace kizuna::sched
