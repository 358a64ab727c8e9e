// A failing handler: its writes roll back, the job retries with exponential backoff, and gives up after
// Scheduler::kMaxAttempts failures.
#include <stdexcept>

#include "sched_fixture.hpp"

namespace kizuna::sched {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(SchedBackoff, DoublesFromOneMinuteCappedAtOneHour) {
    const struct {
        int failed_attempts;
        std::chrono::minutes delay;
    } cases[] = {{1, minutes(1)},  {2, minutes(2)},  {3, minutes(4)},  {4, minutes(8)},  {5, minutes(16)},
                 {6, minutes(32)}, {7, minutes(60)}, {9, minutes(60)}, {50, minutes(60)}};
    for (const auto& c : cases) EXPECT_EQ(Scheduler::Backoff(c.failed_attempts), c.delay) << c.failed_attempts;
}

// Writes an effect, then fails: the effect must never be visible.
Handler WritesThenFails(int& calls) {
    return [&calls](store::Connection& conn, const Job& job) -> core::Status {
        ++calls;
        KZ_TRY(conn.Exec("INSERT INTO effects(job_id, note) VALUES (?, 'must roll back')", {job.id}));
        return core::Error(core::ErrorCode::kUnavailable, "mail queue full");
    };
}

TEST_F(SchedFixture, FailingHandlerRollsBackAndRetriesWithBackoff) {
    int calls = 0;
    scheduler_->Register("remind", WritesThenFails(calls));
    ScheduleAt("remind", clock_.Now());
    EXPECT_EQ(RunDue(), 0);
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(EffectCount(), 0);
    auto pending = scheduler_->Pending();
    ASSERT_TRUE(pending.ok());
    ASSERT_EQ(pending->size(), 1u);
    EXPECT_EQ((*pending)[0].attempts, 1);
    EXPECT_NE((*pending)[0].last_error.find("mail queue full"), std::string::npos);
    EXPECT_EQ((*pending)[0].run_at, clock_.Now() + minutes(1));

    EXPECT_EQ(RunDue(), 0);  // not yet: backoff
    EXPECT_EQ(calls, 1);
    clock_.Advance(seconds(59));
    EXPECT_EQ(RunDue(), 0);
    EXPECT_EQ(calls, 1);
    clock_.Advance(seconds(1));
    EXPECT_EQ(RunDue(), 0);
    EXPECT_EQ(calls, 2);
    auto next = scheduler_->NextDue();
    ASSERT_TRUE(next.ok());
    ASSERT_TRUE(next->has_value());
    EXPECT_EQ(**next, clock_.Now() + minutes(2));
}

TEST_F(SchedFixture, GivesUpAfterTenAttempts) {
    int calls = 0;
    scheduler_->Register("remind", WritesThenFails(calls));
    ScheduleAt("remind", clock_.Now(), "", "remind:doomed");
    for (int i = 0; i < 30 && calls < Scheduler::kMaxAttempts; ++i) {
        EXPECT_EQ(RunDue(), 0);
        clock_.Advance(hours(1));  // at least every backoff
    }
    EXPECT_EQ(calls, Scheduler::kMaxAttempts);
    clock_.Advance(hours(24));
    EXPECT_EQ(RunDue(), 0);
    EXPECT_EQ(calls, Scheduler::kMaxAttempts);
    EXPECT_EQ(EffectCount(), 0);

    auto failed = scheduler_->Failed();
    ASSERT_TRUE(failed.ok());
    ASSERT_EQ(failed->size(), 1u);
    EXPECT_EQ((*failed)[0].attempts, Scheduler::kMaxAttempts);
    EXPECT_EQ((*failed)[0].key, "remind:doomed");
    EXPECT_NE((*failed)[0].last_error.find("mail queue full"), std::string::npos);
    auto pending = scheduler_->Pending();
    ASSERT_TRUE(pending.ok());
    EXPECT_TRUE(pending->empty());

    // The key of a failed job is free again.
    scheduler_->Register("remind", Recorder());
    ScheduleAt("remind", clock_.Now(), "retry by hand", "remind:doomed");
    EXPECT_EQ(RunDue(), 1);
    EXPECT_EQ(EffectCount(), 1);
}

TEST_F(SchedFixture, RecoversAfterTransientFailures) {
    int calls = 0;
    scheduler_->Register("remind", [&](store::Connection& conn, const Job& job) -> core::Status {
        ++calls;
        if (job.attempts < 2) return core::Error(core::ErrorCode::kUnavailable, "not yet");
        return conn.Exec("INSERT INTO effects(job_id, note) VALUES (?, 'ok')", {job.id});
    });
    ScheduleAt("remind", clock_.Now());
    EXPECT_EQ(RunDue(), 0);
    clock_.Advance(minutes(1));
    EXPECT_EQ(RunDue(), 0);
    clock_.Advance(minutes(2));
    EXPECT_EQ(RunDue(), 1);
    EXPECT_EQ(calls, 3);
    EXPECT_EQ(EffectCount(), 1);
}

TEST_F(SchedFixture, ThrowingHandlerCountsAsAFailure) {
    scheduler_->Register("remind", [](store::Connection& conn, const Job& job) -> core::Status {
        (void)conn.Exec("INSERT INTO effects(job_id, note) VALUES (?, 'must roll back')", {job.id});
        throw std::runtime_error("boom");
    });
    ScheduleAt("remind", clock_.Now());
    EXPECT_EQ(RunDue(), 0);
    EXPECT_EQ(EffectCount(), 0);
    auto pending = scheduler_->Pending();
    ASSERT_TRUE(pending.ok());
    ASSERT_EQ(pending->size(), 1u);
    EXPECT_NE((*pending)[0].last_error.find("boom"), std::string::npos);
}

TEST_F(SchedFixture, OneFailingJobDoesNotBlockOthers) {
    scheduler_->Register("bad", [](store::Connection&, const Job&) { return core::Internal("nope"); });
    scheduler_->Register("good", Recorder());
    ScheduleAt("bad", clock_.Now());
    ScheduleAt("good", clock_.Now() + seconds(1));
    clock_.Advance(seconds(1));
    EXPECT_EQ(RunDue(), 1);
    EXPECT_EQ(EffectCount(), 1);
}

}  // namespace
}  // namespace kizuna::sched
