#include "sched/scheduler.hpp"

#include <algorithm>
#include <exception>
#include <limits>
#include <utility>

namespace kizuna::sched {
namespace {

using store::Value;

constexpr std::string_view kJobColumns = "id, kind, key, payload, run_at_us, attempts, last_error";
// Due jobs are listed in pages so that a large backlog (long downtime) does not load into memory at once.
constexpr std::int64_t kDuePageSize = 256;

Job JobFromRow(const store::Row& row) {
    Job job;
    job.id = row.Int(0);
    job.kind = row.Text(1);
    job.key = row.Text(2);
    job.payload = row.Text(3);
    job.run_at = core::FromUnixMicros(row.Int(4));
    job.attempts = static_cast<int>(row.Int(5));
    job.last_error = row.Text(6);
    return job;
}

core::Result<std::vector<Job>> QueryJobs(store::Database& db, const std::string& where_and_order) {
    KZ_ASSIGN(store::Lease lease, db.Acquire());
    KZ_ASSIGN(auto rows, lease->Query("SELECT " + std::string(kJobColumns) + " FROM jobs " + where_and_order));
    std::vector<Job> jobs;
    jobs.reserve(rows.size());
    for (const store::Row& row : rows) jobs.push_back(JobFromRow(row));
    return jobs;
}

// Handlers are foreign code: an exception is turned into an error so it rolls the job back like one.
core::Status CallHandler(const Handler& handler, store::Connection& conn, const Job& job) {
    try {
        return handler(conn, job);
    } catch (const std::exception& e) {
        return core::Internal(std::string("handler threw: ") + e.what());
    } catch (...) {
        return core::Internal("handler threw a non-standard exception");
    }
}

}  // namespace

Scheduler::Scheduler(store::Database& db, const core::Clock& clock, core::Logger& log)
    : db_(db), clock_(clock), log_(log) {}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Register(std::string kind, Handler handler) { handlers_[std::move(kind)] = std::move(handler); }

std::chrono::microseconds Scheduler::Backoff(int failed_attempts) {
    std::chrono::microseconds delay = kFirstBackoff;
    for (int i = 1; i < failed_attempts && delay < kMaxBackoff; ++i) delay *= 2;
    return std::min<std::chrono::microseconds>(delay, kMaxBackoff);
}

core::Result<std::int64_t> Scheduler::Schedule(store::Connection& conn, std::string_view kind, core::WallTime run_at,
                                               std::string_view payload, std::string_view key) {
    if (kind.empty()) return core::InvalidArgument("job kind must not be empty", "kind");
    const std::int64_t run_at_us = core::ToUnixMicros(run_at);
    if (!key.empty()) {
        // The caller's write transaction makes this look-up-then-write atomic; the partial unique index
        // jobs_pending_key is the backstop.
        KZ_ASSIGN(auto existing,
                  conn.QueryOne("SELECT id FROM jobs WHERE key = ? AND state = 'pending'", {std::string(key)}));
        if (existing) {
            const std::int64_t id = existing->Int(0);
            KZ_TRY(
                conn.Exec("UPDATE jobs SET kind = ?, payload = ?, run_at_us = ?, attempts = 0, last_error = NULL"
                          " WHERE id = ?",
                          {std::string(kind), std::string(payload), run_at_us, id}));
            return id;
        }
    }
    KZ_TRY(conn.Exec(
        "INSERT INTO jobs(kind, key, payload, run_at_us, state, attempts) VALUES (?, ?, ?, ?, 'pending', 0)",
        {std::string(kind), key.empty() ? store::Null() : Value(std::string(key)), std::string(payload), run_at_us}));
    return conn.LastInsertId();
}

core::Status Scheduler::Cancel(store::Connection& conn, std::string_view key) {
    if (key.empty()) return core::Ok();  // jobs without a key cannot be named, so there is none to cancel
    return conn.Exec("DELETE FROM jobs WHERE key = ? AND state = 'pending'", {std::string(key)});
}

core::Result<int> Scheduler::RunDue() {
    const core::WallTime now = clock_.Now();
    const std::int64_t now_us = core::ToUnixMicros(now);
    KZ_ASSIGN(store::Lease lease, db_.Acquire());
    int completed = 0;
    // Keyset cursor over (run_at_us, id): jobs that fail are moved into the future, so they are not seen twice.
    std::int64_t after_run_at_us = std::numeric_limits<std::int64_t>::min();
    std::int64_t after_id = 0;
    while (true) {
        KZ_ASSIGN(auto rows, lease->Query("SELECT id, kind, run_at_us FROM jobs"
                                          " WHERE state = 'pending' AND run_at_us <= ?"
                                          " AND (run_at_us > ? OR (run_at_us = ? AND id > ?))"
                                          " ORDER BY run_at_us, id LIMIT ?",
                                          {now_us, after_run_at_us, after_run_at_us, after_id, kDuePageSize}));
        for (const store::Row& row : rows) {
            const std::int64_t id = row.Int(0);
            const std::string kind = row.Text(1);
            after_run_at_us = row.Int(2);
            after_id = id;
            if (handlers_.find(kind) == handlers_.end()) {
                NoteUnregistered(kind);
                continue;
            }
            KZ_ASSIGN(Outcome outcome, RunOne(*lease, id, kind, now));
            if (outcome == Outcome::kCompleted) ++completed;
        }
        if (static_cast<std::int64_t>(rows.size()) < kDuePageSize) break;
    }
    return completed;
}

core::Result<Scheduler::Outcome> Scheduler::RunOne(store::Connection& conn, std::int64_t id, const std::string& kind,
                                                   core::WallTime now) {
    const std::int64_t now_us = core::ToUnixMicros(now);
    Job job;
    std::string error_text;
    {
        KZ_ASSIGN(store::Transaction tx, store::Transaction::Begin(conn));
        // The claim. Another runner that completed the job first, a Cancel, or a reschedule into the future or
        // to another kind since the job was listed all leave zero rows changed; then this runner skips it.
        KZ_TRY(
            conn.Exec("UPDATE jobs SET state = 'done', done_at = ?"
                      " WHERE id = ? AND state = 'pending' AND run_at_us <= ? AND kind = ?",
                      {core::FormatRfc3339(now), id, now_us, kind}));
        if (conn.ChangedRows() != 1) return Outcome::kSkipped;  // tx rolls back (nothing was written)
        KZ_ASSIGN(auto row, conn.QueryOne("SELECT " + std::string(kJobColumns) + " FROM jobs WHERE id = ?", {id}));
        if (!row) return core::Internal("sched: claimed job " + std::to_string(id) + " vanished");
        job = JobFromRow(*row);
        core::Status status = CallHandler(handlers_.find(kind)->second, conn, job);
        if (status.ok()) {
            KZ_TRY(tx.Commit());
            return Outcome::kCompleted;
        }
        error_text = status.error().ToString();
    }  // tx rolls back: the handler's writes and the claim are undone
    KZ_TRY(RecordFailure(conn, job, error_text, now));
    return Outcome::kFailed;
}

core::Status Scheduler::RecordFailure(store::Connection& conn, const Job& job, const std::string& error_text,
                                      core::WallTime now) {
    KZ_ASSIGN(store::Transaction tx, store::Transaction::Begin(conn));
    const int attempts = job.attempts + 1;
    const bool give_up = attempts >= kMaxAttempts;
    const std::int64_t retry_at_us = core::ToUnixMicros(now + Backoff(attempts));
    // Guarded by the run_at seen at the claim: a reschedule in between wins over this retry time.
    KZ_TRY(
        conn.Exec("UPDATE jobs SET attempts = ?, last_error = ?, state = ?, run_at_us = ?"
                  " WHERE id = ? AND state = 'pending' AND run_at_us = ?",
                  {std::int64_t{attempts}, error_text, std::string(give_up ? "failed" : "pending"),
                   give_up ? core::ToUnixMicros(job.run_at) : retry_at_us, job.id, core::ToUnixMicros(job.run_at)}));
    if (conn.ChangedRows() != 1) return core::Ok();
    KZ_TRY(tx.Commit());
    if (give_up) {
        log_.Error(
            "sched: job failed for good",
            {{"job_id", job.id}, {"kind", job.kind}, {"key", job.key}, {"attempts", attempts}, {"error", error_text}});
    } else {
        log_.Warn("sched: job failed, will retry",
                  {{"job_id", job.id},
                   {"kind", job.kind},
                   {"key", job.key},
                   {"attempts", attempts},
                   {"error", error_text},
                   {"retry_at", core::FormatRfc3339(core::FromUnixMicros(retry_at_us))}});
    }
    return core::Ok();
}

void Scheduler::NoteUnregistered(const std::string& kind) {
    std::lock_guard<std::mutex> lock(unregistered_mu_);
    if (!unregistered_logged_.insert(kind).second) return;
    log_.Warn("sched: due jobs of an unregistered kind are left pending", {{"kind", kind}});
}

core::Result<std::vector<Job>> Scheduler::Pending() {
    return QueryJobs(db_, "WHERE state = 'pending' ORDER BY run_at_us, id");
}

core::Result<std::vector<Job>> Scheduler::Failed() { return QueryJobs(db_, "WHERE state = 'failed' ORDER BY id DESC"); }

core::Result<std::optional<core::WallTime>> Scheduler::NextDue() {
    if (handlers_.empty()) return std::optional<core::WallTime>();
    std::string sql = "SELECT min(run_at_us) FROM jobs WHERE state = 'pending' AND kind IN (";
    std::vector<Value> kinds;
    for (const auto& [kind, handler] : handlers_) {
        sql += kinds.empty() ? "?" : ", ?";
        kinds.emplace_back(kind);
    }
    sql += ")";
    KZ_ASSIGN(store::Lease lease, db_.Acquire());
    KZ_ASSIGN(auto rows, lease->Query(sql, std::span<const Value>(kinds)));
    if (rows.empty() || rows.front().IsNull(0)) return std::optional<core::WallTime>();
    return std::optional<core::WallTime>(core::FromUnixMicros(rows.front().Int(0)));
}

void Scheduler::Start(std::chrono::milliseconds poll) {
    std::lock_guard<std::mutex> lock(thread_mu_);
    if (thread_.joinable()) return;
    stop_requested_ = false;
    wake_requested_ = false;
    thread_ = std::thread([this, poll] { Loop(poll); });
}

void Scheduler::Stop() {
    {
        std::lock_guard<std::mutex> lock(thread_mu_);
        if (!thread_.joinable()) return;
        stop_requested_ = true;
    }
    thread_cv_.notify_all();
    thread_.join();
    thread_ = std::thread();
}

void Scheduler::Wake() {
    {
        std::lock_guard<std::mutex> lock(thread_mu_);
        wake_requested_ = true;
    }
    thread_cv_.notify_all();
}

void Scheduler::Loop(std::chrono::milliseconds poll) {
    std::unique_lock<std::mutex> lock(thread_mu_);
    while (!stop_requested_) {
        wake_requested_ = false;  // a Wake() from here on (during the run) triggers another round
        lock.unlock();
        std::chrono::milliseconds wait = poll;
        core::Result<int> ran = RunDue();
        if (!ran.ok()) {
            log_.Warn("sched: run failed, retrying after the poll interval", {{"error", ran.error().ToString()}});
        } else {
            core::Result<std::optional<core::WallTime>> next = NextDue();
            if (!next.ok()) {
                log_.Warn("sched: cannot read the next due time", {{"error", next.error().ToString()}});
            } else if (next->has_value()) {
                const auto until_due = **next - clock_.Now();
                if (until_due <= until_due.zero()) {
                    // Still due after a run: go again at once if that run made progress (a backlog, or a job
                    // scheduled meanwhile); otherwise another runner holds it, and polling avoids a busy loop.
                    wait = *ran > 0 ? std::chrono::milliseconds(0) : poll;
                } else {
                    wait = std::min(poll, std::chrono::ceil<std::chrono::milliseconds>(until_due));
                }
            }
        }
        lock.lock();
        thread_cv_.wait_for(lock, wait, [this] { return stop_requested_ || wake_requested_; });
    }
}

}  // namespace kizuna::sched
