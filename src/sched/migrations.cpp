// sched/ owns migration versions 300-399.
#include "sched/sched.hpp"

namespace kizuna::sched {
namespace {

// One row per scheduled job. run_at_us (UNIX microseconds, UTC) is what due-ness compares; created_at and
// done_at are text for people: done_at is RFC 3339 from the injected clock, created_at the database's
// CURRENT_TIMESTAMP (Schedule() runs in the caller's transaction and has no clock). `key` is NULL for
// anonymous jobs; among pending jobs it is unique, so scheduling a key again reschedules. A done or failed
// job keeps its key, which may then be scheduled again. `attempts` counts failed runs; `last_error` holds the
// newest failure's text. A 'failed' job keeps the run_at of its last attempt.
constexpr std::string_view kJobs = R"sql(
CREATE TABLE jobs (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    key         TEXT,
    payload     TEXT NOT NULL DEFAULT '',
    run_at_us   INTEGER NOT NULL,
    state       TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','done','failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    created_at  TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,  -- the database's clock: Schedule() has none
    done_at     TEXT
);
CREATE UNIQUE INDEX jobs_pending_key ON jobs(key) WHERE state = 'pending';
CREATE INDEX jobs_by_state_run_at ON jobs(state, run_at_us);
)sql";

constexpr store::Migration kMigrations[] = {
    {300, "sched_jobs", kJobs},
};

}  // namespace

std::span<const store::Migration> Migrations() { return kMigrations; }

}  // namespace kizuna::sched
