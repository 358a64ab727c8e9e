// Scheduler: runs durable jobs from the `jobs` table (see migrations.cpp) when they are due.
//
// Exactly once: a job is claimed by the UPDATE that marks it done, inside a write transaction that also holds
// everything its handler writes. Either all of that commits, or none of it does and the job stays pending, so
// a crash, a handler error or a second runner (thread or process) can never make a job's effects happen twice.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "core/log.hpp"
#include "core/result.hpp"
#include "store/store.hpp"

namespace kizuna::sched {

struct Job {
    std::int64_t id = 0;
    std::string kind;
    std::string key;      // "" for a job scheduled without a key
    std::string payload;  // opaque to the scheduler; the handler of `kind` parses it
    core::WallTime run_at;
    int attempts = 0;        // failed runs so far (0 on the first run)
    std::string last_error;  // text of the newest failure, "" when none
};

// Runs inside the job's own write transaction on `conn`: whatever the handler writes commits together with
// the job being marked done, so a job's effects happen exactly once even across crashes (a crash before the
// commit leaves the job pending and nothing of its effects). Side effects outside the database must go
// through durable queues (e.g. the mail queue table), never directly. A handler must not begin or end a
// transaction on `conn`. An error return (or an exception, which is caught) rolls back all its writes.
using Handler = std::function<core::Status(store::Connection& conn, const Job& job)>;

class Scheduler {
  public:
    static constexpr int kMaxAttempts = 10;
    static constexpr std::chrono::minutes kFirstBackoff{1};
    static constexpr std::chrono::minutes kMaxBackoff{60};

    // db, clock and log must outlive the Scheduler. REQUIRES: Migrations() applied to db.
    Scheduler(store::Database& db, const core::Clock& clock, core::Logger& log);
    ~Scheduler();  // stops the thread
    Scheduler(const Scheduler&) = delete;
    Scheduler& operator=(const Scheduler&) = delete;

    // REQUIRES: before Start() and before any RunDue()/NextDue() call (handlers are read without locking).
    // Registering a kind twice replaces its handler.
    void Register(std::string kind, Handler handler);

    // Schedules within the caller's transaction (REQUIRES: conn inside Transaction::Begin). `key` (optional,
    // e.g. "publish:case:12") is unique among pending jobs: scheduling the same key again moves the pending
    // job to the new time, kind and payload (reschedule, which also resets attempts) instead of adding a
    // second one. Returns the job id (the existing id on reschedule).
    static core::Result<std::int64_t> Schedule(store::Connection& conn, std::string_view kind, core::WallTime run_at,
                                               std::string_view payload = {}, std::string_view key = {});
    // Cancels (deletes) the pending job with this key; no-op when none. Same transaction rule. Done and failed
    // jobs with that key are kept.
    static core::Status Cancel(store::Connection& conn, std::string_view key);

    // Runs every job due at clock.Now() (run_at <= now), oldest first, each in its own transaction, and returns
    // how many completed. A handler error rolls the job's transaction back, records the error text and retries
    // later with exponential backoff (1 min, 2, 4 … capped at 1 h); after kMaxAttempts failed runs the job is
    // 'failed' (kept, visible in Failed()) and logged at error level. Jobs of an unregistered kind are left
    // pending and logged once per kind. Thread-safe, and safe against runners in other processes: a job is
    // claimed by the UPDATE that marks it done inside the handler's transaction. Returns an error only when
    // the store fails (jobs already completed in this call stay completed).
    core::Result<int> RunDue();

    // Background thread: calls RunDue at start (catch-up after downtime) and then whenever the next pending job
    // is due (sleeping until then, at most `poll` between checks so jobs scheduled by other processes are seen),
    // or when Wake() is called. Uses the injected clock for due-ness; real time only for waiting.
    // No-op when already started.
    void Start(std::chrono::milliseconds poll = std::chrono::seconds(1));
    // Returns after the thread has finished its current job (if any) and exited. No-op when not started.
    void Stop();
    // Call after Schedule() commits so a job due soon is not delayed by `poll`. Thread-safe.
    void Wake();

    // Pending jobs (all kinds), oldest run_at first.
    core::Result<std::vector<Job>> Pending();
    // Jobs that gave up after kMaxAttempts failures, newest id first.
    core::Result<std::vector<Job>> Failed();
    // The earliest run_at among pending jobs of registered kinds (the ones this scheduler would run);
    // nullopt when there are none.
    core::Result<std::optional<core::WallTime>> NextDue();

    // The delay before the next run after `failed_attempts` failures (>= 1): 1 min doubling, capped at 1 h.
    static std::chrono::microseconds Backoff(int failed_attempts);

  private:
    enum class Outcome { kCompleted, kFailed, kSkipped };

    // Claims job `id` (of `kind`, listed as due at `now`) and runs its handler in one transaction.
    core::Result<Outcome> RunOne(store::Connection& conn, std::int64_t id, const std::string& kind, core::WallTime now);
    // After the job's transaction rolled back: counts the failure and moves the job to its retry time, or
    // marks it 'failed' after kMaxAttempts.
    core::Status RecordFailure(store::Connection& conn, const Job& job, const std::string& error_text,
                               core::WallTime now);
    void NoteUnregistered(const std::string& kind);
    void Loop(std::chrono::milliseconds poll);

    store::Database& db_;
    const core::Clock& clock_;
    core::Logger& log_;
    std::map<std::string, Handler, std::less<>> handlers_;

    std::mutex unregistered_mu_;
    std::set<std::string> unregistered_logged_;  // guarded by unregistered_mu_

    std::mutex thread_mu_;
    std::condition_variable thread_cv_;
    bool stop_requested_ = false;  // guarded by thread_mu_
    bool wake_requested_ = false;  // guarded by thread_mu_
    std::thread thread_;
};

}  // namespace kizuna::sched
