// Due-ness, ordering, exactly-once, keys, catch-up and durability across restarts.
#include <atomic>
#include <thread>
#include <vector>

#include "sched_fixture.hpp"

namespace kizuna::sched {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

TEST_F(SchedFixture, RunsWhenDueNotBefore) {
    scheduler_->Register("remind", Recorder());
    ScheduleAt("remind", clock_.Now() + minutes(10), "hello");
    EXPECT_EQ(RunDue(), 0);
    clock_.Advance(minutes(9) + seconds(59));
    EXPECT_EQ(RunDue(), 0);
    EXPECT_EQ(EffectCount(), 0);
    clock_.Advance(seconds(1));  // run_at <= now: due exactly at its instant
    EXPECT_EQ(RunDue(), 1);
    EXPECT_EQ(EffectCount(), 1);
    auto pending = scheduler_->Pending();
    ASSERT_TRUE(pending.ok());
    EXPECT_TRUE(pending->empty());
}

TEST_F(SchedFixture, DueJobsRunInRunAtOrderAndCountIsReturned) {
    std::vector<std::string> order;
    scheduler_->Register("remind", [&](store::Connection&, const Job& job) {
        order.push_back(job.payload);
        return core::Ok();
    });
    const auto t0 = clock_.Now();
    ScheduleAt("remind", t0 + minutes(3), "c");
    ScheduleAt("remind", t0 + minutes(1), "a");
    ScheduleAt("remind", t0 + hours(5), "later");
    ScheduleAt("remind", t0 + minutes(2), "b");
    clock_.Advance(minutes(3));
    EXPECT_EQ(RunDue(), 3);
    EXPECT_EQ(order, (std::vector<std::string>{"a", "b", "c"}));
    auto next = scheduler_->NextDue();
    ASSERT_TRUE(next.ok());
    ASSERT_TRUE(next->has_value());
    EXPECT_EQ(**next, t0 + hours(5));
}

TEST_F(SchedFixture, HandlerSeesTheJob) {
    Job seen;
    scheduler_->Register("publish", [&](store::Connection&, const Job& job) {
        seen = job;
        return core::Ok();
    });
    const auto at = clock_.Now() + seconds(1);
    const std::int64_t id = ScheduleAt("publish", at, "{\"case\":12}", "publish:case:12");
    clock_.Advance(seconds(1));
    EXPECT_EQ(RunDue(), 1);
    EXPECT_EQ(seen.id, id);
    EXPECT_EQ(seen.kind, "publish");
    EXPECT_EQ(seen.key, "publish:case:12");
    EXPECT_EQ(seen.payload, "{\"case\":12}");
    EXPECT_EQ(seen.run_at, at);
    EXPECT_EQ(seen.attempts, 0);
    EXPECT_EQ(CountInt("SELECT count(*) FROM jobs WHERE state = 'done' AND done_at IS NOT NULL"), 1);
}

TEST_F(SchedFixture, RunDueTwiceRunsOnce) {
    scheduler_->Register("remind", Recorder());
    ScheduleAt("remind", clock_.Now());
    EXPECT_EQ(RunDue(), 1);
    EXPECT_EQ(RunDue(), 0);
    clock_.Advance(hours(24));
    EXPECT_EQ(RunDue(), 0);
    EXPECT_EQ(EffectCount(), 1);
}

TEST_F(SchedFixture, ConcurrentRunnersCompleteEachJobExactlyOnce) {
    scheduler_->Register("remind", Recorder());
    // A second scheduler over the same database, as another process would have.
    Scheduler other(*db_, clock_, log_);
    other.Register("remind", Recorder());
    constexpr int kJobs = 100;
    auto scheduled = db_->InTransaction([&](store::Connection& c) -> core::Status {
        for (int i = 0; i < kJobs; ++i) KZ_TRY(Scheduler::Schedule(c, "remind", clock_.Now(), std::to_string(i)));
        return core::Ok();
    });
    ASSERT_TRUE(scheduled.ok()) << scheduled.error().ToString();

    std::atomic<int> completed{0};
    std::atomic<int> errors{0};
    auto runner = [&](Scheduler& s) {
        auto ran = s.RunDue();
        if (ran.ok())
            completed += *ran;
        else
            ++errors;
    };
    std::thread a(runner, std::ref(*scheduler_));
    std::thread b(runner, std::ref(other));
    std::thread c(runner, std::ref(*scheduler_));
    a.join();
    b.join();
    c.join();
    EXPECT_EQ(errors.load(), 0);
    EXPECT_EQ(completed.load(), kJobs);
    EXPECT_EQ(EffectCount(), kJobs);
    EXPECT_EQ(CountInt("SELECT count(DISTINCT job_id) FROM effects"), kJobs);
    EXPECT_EQ(CountInt("SELECT count(*) FROM jobs WHERE state = 'done'"), kJobs);
}

TEST_F(SchedFixture, SchedulingAKeyAgainReschedules) {
    scheduler_->Register("publish", Recorder());
    const auto t0 = clock_.Now();
    const std::int64_t first = ScheduleAt("publish", t0 + hours(1), "v1", "publish:case:12");
    const std::int64_t second = ScheduleAt("publish", t0 + hours(3), "v2", "publish:case:12");
    EXPECT_EQ(first, second);
    auto pending = scheduler_->Pending();
    ASSERT_TRUE(pending.ok());
    ASSERT_EQ(pending->size(), 1u);
    EXPECT_EQ((*pending)[0].run_at, t0 + hours(3));
    EXPECT_EQ((*pending)[0].payload, "v2");

    clock_.Advance(hours(2));
    EXPECT_EQ(RunDue(), 0);  // moved away from its old time
    clock_.Advance(hours(1));
    EXPECT_EQ(RunDue(), 1);
    EXPECT_EQ(CountInt("SELECT count(*) FROM effects WHERE note = 'v2'"), 1);
    EXPECT_EQ(EffectCount(), 1);
}

TEST_F(SchedFixture, KeylessJobsAreIndependent) {
    scheduler_->Register("remind", Recorder());
    const std::int64_t a = ScheduleAt("remind", clock_.Now(), "x");
    const std::int64_t b = ScheduleAt("remind", clock_.Now(), "x");
    EXPECT_NE(a, b);
    EXPECT_EQ(RunDue(), 2);
}

TEST_F(SchedFixture, CancelRemovesThePendingJob) {
    scheduler_->Register("publish", Recorder());
    ScheduleAt("publish", clock_.Now() + hours(1), "", "publish:case:7");
    ScheduleAt("publish", clock_.Now() + hours(1), "", "publish:case:8");
    auto cancelled = db_->InTransaction([](store::Connection& c) { return Scheduler::Cancel(c, "publish:case:7"); });
    ASSERT_TRUE(cancelled.ok()) << cancelled.error().ToString();
    auto again = db_->InTransaction([](store::Connection& c) { return Scheduler::Cancel(c, "publish:case:7"); });
    ASSERT_TRUE(again.ok());  // no-op when none
    auto none = db_->InTransaction([](store::Connection& c) { return Scheduler::Cancel(c, "no-such-key"); });
    ASSERT_TRUE(none.ok());
    clock_.Advance(hours(1));
    EXPECT_EQ(RunDue(), 1);
    EXPECT_EQ(EffectCount(), 1);
}

TEST_F(SchedFixture, ADoneJobsKeyCanBeScheduledAgain) {
    scheduler_->Register("remind", Recorder());
    const std::int64_t first = ScheduleAt("remind", clock_.Now(), "1", "remind:weekly");
    EXPECT_EQ(RunDue(), 1);
    const std::int64_t second = ScheduleAt("remind", clock_.Now() + hours(24 * 7), "2", "remind:weekly");
    EXPECT_NE(first, second);
    clock_.Advance(hours(24 * 7));
    EXPECT_EQ(RunDue(), 1);
    EXPECT_EQ(EffectCount(), 2);
}

TEST_F(SchedFixture, AHandlerMayRescheduleItsOwnKey) {
    int runs = 0;
    scheduler_->Register("tick", [&](store::Connection& conn, const Job& job) -> core::Status {
        ++runs;
        KZ_TRY(Scheduler::Schedule(conn, "tick", job.run_at + hours(1), "", job.key));
        return core::Ok();
    });
    ScheduleAt("tick", clock_.Now(), "", "tick");
    EXPECT_EQ(RunDue(), 1);
    clock_.Advance(hours(1));
    EXPECT_EQ(RunDue(), 1);
    EXPECT_EQ(runs, 2);
    EXPECT_EQ(CountInt("SELECT count(*) FROM jobs WHERE state = 'pending' AND key = 'tick'"), 1);
}

TEST_F(SchedFixture, EmptyKindIsRejected) {
    auto id = db_->InTransaction<std::int64_t>(
        [&](store::Connection& c) { return Scheduler::Schedule(c, "", clock_.Now()); });
    ASSERT_FALSE(id.ok());
    EXPECT_EQ(id.error().code(), core::ErrorCode::kInvalidArgument);
}

TEST_F(SchedFixture, UnregisteredKindStaysPending) {
    scheduler_->Register("remind", Recorder());
    ScheduleAt("mystery", clock_.Now());
    ScheduleAt("remind", clock_.Now());
    EXPECT_EQ(RunDue(), 1);
    EXPECT_EQ(RunDue(), 0);
    auto pending = scheduler_->Pending();
    ASSERT_TRUE(pending.ok());
    ASSERT_EQ(pending->size(), 1u);
    EXPECT_EQ((*pending)[0].kind, "mystery");
    EXPECT_EQ(LogLinesContaining("unregistered kind"), 1);  // logged once, not on every run
    auto next = scheduler_->NextDue();                      // only kinds this scheduler runs
    ASSERT_TRUE(next.ok());
    EXPECT_FALSE(next->has_value());
}

TEST_F(SchedFixture, CatchUpAfterDowntime) {
    scheduler_->Register("remind", Recorder());
    const auto t0 = clock_.Now();
    for (int day = 1; day <= 5; ++day) ScheduleAt("remind", t0 + hours(24 * day), std::to_string(day));
    ScheduleAt("remind", t0 + hours(24 * 30), "future");
    Close();
    clock_.Advance(hours(24 * 6));  // the server was down for six days
    ASSERT_NO_FATAL_FAILURE(Open());
    scheduler_->Register("remind", Recorder());
    EXPECT_EQ(RunDue(), 5);
    EXPECT_EQ(EffectCount(), 5);
    EXPECT_EQ(RunDue(), 0);
}

TEST_F(SchedFixture, CatchUpOfALargeBacklogCrossesPages) {
    scheduler_->Register("remind", Recorder());
    constexpr int kJobs = 600;  // more than one page of due jobs
    auto scheduled = db_->InTransaction([&](store::Connection& c) -> core::Status {
        for (int i = 0; i < kJobs; ++i) KZ_TRY(Scheduler::Schedule(c, "remind", clock_.Now() + seconds(i % 7)));
        return core::Ok();
    });
    ASSERT_TRUE(scheduled.ok());
    clock_.Advance(hours(24));
    EXPECT_EQ(RunDue(), kJobs);
    EXPECT_EQ(EffectCount(), kJobs);
}

TEST_F(SchedFixture, ScheduledJobSurvivesARestartAndRunsOnce) {
    ScheduleAt("remind", clock_.Now() + minutes(5), "durable", "remind:1");
    Close();
    ASSERT_NO_FATAL_FAILURE(Open());
    scheduler_->Register("remind", Recorder());
    EXPECT_EQ(RunDue(), 0);
    clock_.Advance(minutes(5));
    EXPECT_EQ(RunDue(), 1);
    Close();
    ASSERT_NO_FATAL_FAILURE(Open());
    scheduler_->Register("remind", Recorder());
    EXPECT_EQ(RunDue(), 0);
    EXPECT_EQ(CountInt("SELECT count(*) FROM effects WHERE note = 'durable'"), 1);
}

TEST_F(SchedFixture, ScheduleRolledBackWithTheCallersTransaction) {
    scheduler_->Register("remind", Recorder());
    auto failed = db_->InTransaction([&](store::Connection& c) -> core::Status {
        KZ_TRY(Scheduler::Schedule(c, "remind", clock_.Now()));
        return core::FailedPrecondition("caller changed its mind");
    });
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(RunDue(), 0);
}

}  // namespace
}  // namespace kizuna::sched
