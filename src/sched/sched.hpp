// Front door of sched/: a durable job scheduler inside the center. Jobs (reminders, deadlines, the
// publication instant of a vulnerability case) are rows in the `jobs` table, so they survive restarts; each due
// job runs once, in its own write transaction, and jobs whose time passed while the server was down run on the
// next RunDue()/Start() (catch-up).
#pragma once

#include <span>

#include "sched/scheduler.hpp"
#include "store/store.hpp"

namespace kizuna::sched {

// Schema of sched/ (versions 300-399): the `jobs` table.
std::span<const store::Migration> Migrations();

}  // namespace kizuna::sched
