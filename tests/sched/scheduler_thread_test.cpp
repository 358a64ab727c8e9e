// The background thread with the real clock. Bounds are generous (seconds) so a loaded CI machine passes.
#include <atomic>
#include <chrono>
#include <thread>

#include "sched_fixture.hpp"

namespace kizuna::sched {
namespace {

using namespace std::chrono_literals;

class SchedThreadTest : public SchedFixture {
  protected:
    // Waits (real time) until pred holds or `limit` passes.
    template <typename Pred>
    static bool WaitFor(Pred pred, std::chrono::milliseconds limit = 5s) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < deadline) {
            if (pred()) return true;
            std::this_thread::sleep_for(5ms);
        }
        return pred();
    }

    std::int64_t ScheduleReal(std::chrono::milliseconds ahead, std::string_view payload = {}) {
        const auto at = std::chrono::time_point_cast<std::chrono::microseconds>(real_.Now() + ahead);
        auto id = db_->InTransaction<std::int64_t>(
            [&](store::Connection& c) { return Scheduler::Schedule(c, "remind", at, payload); });
        EXPECT_TRUE(id.ok()) << id.error().ToString();
        return id.value_or(-1);
    }

    core::SystemClock real_;
};

TEST_F(SchedThreadTest, RunsAJobScheduledAheadAndStopsPromptly) {
    Scheduler scheduler(*db_, real_, log_);
    std::atomic<int> runs{0};
    scheduler.Register("remind", [&](store::Connection& conn, const Job& job) {
        ++runs;
        return conn.Exec("INSERT INTO effects(job_id, note) VALUES (?, ?)", {job.id, job.payload});
    });
    scheduler.Start(50ms);
    const auto scheduled = std::chrono::steady_clock::now();
    ScheduleReal(200ms);
    scheduler.Wake();
    EXPECT_TRUE(WaitFor([&] { return runs.load() == 1; }));
    EXPECT_GE(std::chrono::steady_clock::now() - scheduled, 150ms);  // not (much) before its time
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(runs.load(), 1);

    const auto stop_start = std::chrono::steady_clock::now();
    scheduler.Stop();
    EXPECT_LT(std::chrono::steady_clock::now() - stop_start, 2s);
    EXPECT_EQ(EffectCount(), 1);
}

TEST_F(SchedThreadTest, StartCatchesUpOnOverdueJobs) {
    for (int i = 0; i < 3; ++i) ScheduleReal(-std::chrono::milliseconds(24h), std::to_string(i));
    Scheduler scheduler(*db_, real_, log_);
    scheduler.Register("remind", Recorder());
    scheduler.Start(10s);  // a long poll: catch-up must not wait for it
    EXPECT_TRUE(WaitFor([&] { return EffectCount() == 3; }));
    scheduler.Stop();
}

TEST_F(SchedThreadTest, WakeRunsAJobWithoutWaitingForThePoll) {
    Scheduler scheduler(*db_, real_, log_);
    scheduler.Register("remind", Recorder());
    scheduler.Start(30s);
    std::this_thread::sleep_for(50ms);  // let the first (empty) round finish and start sleeping
    ScheduleReal(0ms);
    scheduler.Wake();
    EXPECT_TRUE(WaitFor([&] { return EffectCount() == 1; }, 5s));
    const auto stop_start = std::chrono::steady_clock::now();
    scheduler.Stop();  // must not sit out the 30 s poll
    EXPECT_LT(std::chrono::steady_clock::now() - stop_start, 2s);
}

TEST_F(SchedThreadTest, UsesTheInjectedClockForDueness) {
    scheduler_->Register("remind", Recorder());
    ScheduleAt("remind", clock_.Now() + std::chrono::hours(24 * 45), "in 45 days");
    scheduler_->Start(20ms);
    std::this_thread::sleep_for(100ms);
    EXPECT_EQ(EffectCount(), 0);
    clock_.Advance(std::chrono::hours(24 * 45));
    scheduler_->Wake();
    EXPECT_TRUE(WaitFor([&] { return EffectCount() == 1; }));
    // The destructor (in TearDown) stops the thread.
}

}  // namespace
}  // namespace kizuna::sched
