// The work queue: due dates per state from the last activity (manual clock), the dashboard's lists,
// owner assignment and the staff case list's filters, sorting and pages.
#include <gtest/gtest.h>

#include "vuln_fixture.hpp"

namespace kizuna::vuln {
namespace {

using std::chrono::days;
using std::chrono::hours;

const ResponseDays kDays{3, 5, 14};

TEST(ResponseDaysTest, DueIsLastActivityPlusTheStatesDays) {
    const core::WallTime t0 = kizuna::testing::ManualClock::DefaultStart();
    EXPECT_EQ(DueAt(CaseState::kReceived, t0, kDays), t0 + days(3));
    EXPECT_EQ(DueAt(CaseState::kVerified, t0, kDays), t0 + days(5));
    EXPECT_EQ(DueAt(CaseState::kCoordinating, t0, kDays), t0 + days(14));
    EXPECT_FALSE(DueAt(CaseState::kRejected, t0, kDays).has_value());
    EXPECT_FALSE(DueAt(CaseState::kClosed, t0, kDays).has_value());
}

TEST(ResponseDaysTest, OverdueOnlyAfterTheDueInstantAndNeverWhenClosed) {
    const core::WallTime t0 = kizuna::testing::ManualClock::DefaultStart();
    struct Row {
        CaseState state;
        core::WallTime now;
        bool overdue;
    };
    const Row rows[] = {
        {CaseState::kReceived, t0 + days(3), false},                       // exactly due: not yet late
        {CaseState::kReceived, t0 + days(3) + std::chrono::microseconds(1), true},
        {CaseState::kVerified, t0 + days(4), false},
        {CaseState::kVerified, t0 + days(5) + hours(1), true},
        {CaseState::kCoordinating, t0 + days(13), false},
        {CaseState::kCoordinating, t0 + days(15), true},
        {CaseState::kClosed, t0 + days(400), false},
        {CaseState::kRejected, t0 + days(400), false},
    };
    for (const auto& r : rows)
        EXPECT_EQ(IsOverdue(r.state, t0, kDays, r.now), r.overdue)
            << Name(r.state) << " at +" << std::chrono::duration_cast<hours>(r.now - t0).count() << "h";
}

TEST(CaseSortTest, NamesRoundTrip) {
    for (auto s : {CaseSort::kId, CaseSort::kState, CaseSort::kUpdated, CaseSort::kDue})
        EXPECT_EQ(ParseCaseSort(Name(s)), s);
    EXPECT_FALSE(ParseCaseSort("title; DROP TABLE").has_value());
}

class WorkQueueTest : public VulnFixture {
  protected:
    void SetUp() override {
        VulnFixture::SetUp();
        queue_ = std::make_unique<CaseQueue>(*db_, clock_, audit_, kDays);
        other_coord_ = User("suzuki", auth::Role::kCoordinator);
    }
    CaseId NewReport(const std::string& title) {
        NewCase n;
        n.title = title;
        n.summary = "summary";
        n.details = "details";
        auto r = cases_->Submit(n, Reporter());
        EXPECT_TRUE(r.ok()) << r.error().ToString();
        return r->id;
    }
    static std::vector<std::int64_t> Ids(const std::vector<QueueCase>& list) {
        std::vector<std::int64_t> out;
        for (const auto& c : list) out.push_back(c.id.value());
        return out;
    }
    std::unique_ptr<CaseQueue> queue_;
    auth::Principal other_coord_;
};

TEST_F(WorkQueueTest, UnownedNewReportThenMineAfterAssignment) {
    const CaseId id = NewReport("new report");
    auto q = queue_->For(Coord());
    ASSERT_TRUE(q.ok()) << q.error().ToString();
    EXPECT_EQ(Ids(q->unowned_new), std::vector<std::int64_t>{id.value()});
    EXPECT_TRUE(q->mine.empty());

    ASSERT_TRUE(queue_->AssignOwner(id, "coord", Coord()).ok());
    q = queue_->For(Coord());
    ASSERT_TRUE(q.ok());
    EXPECT_TRUE(q->unowned_new.empty());
    EXPECT_EQ(Ids(q->mine), std::vector<std::int64_t>{id.value()});
    EXPECT_EQ(q->mine[0].owner_name, "coord");
    // Someone else's queue does not list it as theirs.
    auto theirs = queue_->For(Caller{&other_coord_, std::nullopt});
    ASSERT_TRUE(theirs.ok());
    EXPECT_TRUE(theirs->mine.empty());

    // The assignment is audited.
    auto lease = db_->Acquire();
    ASSERT_TRUE(lease.ok());
    EXPECT_EQ((*lease)->QueryInt("SELECT count(*) FROM audit_log WHERE action = 'case.assign'").value(), 1);
}

TEST_F(WorkQueueTest, OverdueFollowsTheClockAndActivityMovesTheDueDate) {
    const CaseId id = NewReport("old report");
    clock_.Advance(days(2));
    auto q = queue_->For(Coord());
    ASSERT_TRUE(q.ok());
    EXPECT_TRUE(q->overdue.empty());
    clock_.Advance(days(1) + hours(1));  // 3 days and an hour after the report: past "received = 3"
    q = queue_->For(Coord());
    ASSERT_TRUE(q.ok());
    ASSERT_EQ(Ids(q->overdue), std::vector<std::int64_t>{id.value()});
    EXPECT_TRUE(q->overdue[0].overdue);
    // Verifying it is activity in a new state: due 5 days later, not overdue now.
    ASSERT_TRUE(cases_->Verify(id, Verification::kReproduced, "ok", Coord()).ok());
    q = queue_->For(Coord());
    ASSERT_TRUE(q.ok());
    EXPECT_TRUE(q->overdue.empty());
    clock_.Advance(days(5) + hours(1));
    q = queue_->For(Coord());
    ASSERT_TRUE(q.ok());
    EXPECT_EQ(Ids(q->overdue), std::vector<std::int64_t>{id.value()});
    EXPECT_EQ(q->overdue[0].state, CaseState::kVerified);
}

TEST_F(WorkQueueTest, VendorMessageWaitsOnTheOwnerUntilAnswered) {
    const CaseId id = VerifiedCase();
    ASSERT_TRUE(cases_->AddVendor(id, a_, Coord()).ok());
    ASSERT_TRUE(cases_->SendSummary(id, a_, Coord()).ok());
    ASSERT_TRUE(queue_->AssignOwner(id, "coord", Coord()).ok());
    const std::string thread = "vendor:" + std::to_string(a_.value());
    auto q = queue_->For(Coord());
    ASSERT_TRUE(q.ok());
    EXPECT_TRUE(q->waiting_on_me.empty()) << "the summary notice is the center's own message";
    ASSERT_TRUE(cases_->PostMessage(id, thread, "Which firmware versions?", VendorCaller(a_)).ok());
    q = queue_->For(Coord());
    ASSERT_TRUE(q.ok());
    EXPECT_EQ(Ids(q->waiting_on_me), std::vector<std::int64_t>{id.value()});
    ASSERT_EQ(q->messages.size(), 1u);
    EXPECT_EQ(q->messages[0].thread, thread);
    EXPECT_EQ(q->messages[0].vendor_name, "さくら電機");
    EXPECT_EQ(q->messages[0].excerpt, "Which firmware versions?");
    ASSERT_TRUE(cases_->PostMessage(id, thread, "All up to 2.1.", Coord()).ok());
    q = queue_->For(Coord());
    ASSERT_TRUE(q.ok());
    EXPECT_TRUE(q->waiting_on_me.empty());
    EXPECT_TRUE(q->messages.empty());
}

TEST_F(WorkQueueTest, OnlyEnabledStaffOwnCases) {
    const CaseId id = NewReport("r");
    EXPECT_EQ(queue_->AssignOwner(id, "finder", Coord()).error().field(), "owner");
    EXPECT_EQ(queue_->AssignOwner(id, "nobody", Coord()).error().field(), "owner");
    ASSERT_TRUE(users_->SetDisabled("suzuki", true, "test").ok());
    EXPECT_EQ(queue_->AssignOwner(id, "suzuki", Coord()).error().field(), "owner");
    EXPECT_EQ(queue_->AssignOwner(id, "coord", Reporter()).error().code(), core::ErrorCode::kNotFound);
    EXPECT_EQ(queue_->AssignOwner(id, "coord", VendorCaller(a_)).error().code(), core::ErrorCode::kNotFound);
    EXPECT_EQ(queue_->For(Anonymous()).error().code(), core::ErrorCode::kUnauthenticated);
    EXPECT_EQ(queue_->Search({}, VendorCaller(a_)).error().code(), core::ErrorCode::kNotFound);
    ASSERT_TRUE(queue_->AssignOwner(id, "coord", Coord()).ok());
    ASSERT_TRUE(queue_->AssignOwner(id, std::nullopt, Coord()).ok());
    auto q = queue_->For(Coord());
    ASSERT_TRUE(q.ok());
    EXPECT_EQ(q->unowned_new.size(), 1u);
}

TEST_F(WorkQueueTest, SearchFiltersSortsAndPages) {
    std::vector<CaseId> ids;
    for (int i = 0; i < 7; ++i) {
        ids.push_back(NewReport("report " + std::to_string(i)));
        clock_.Advance(hours(1));
    }
    const CaseId with_vendor = VerifiedCase();
    ASSERT_TRUE(cases_->AddVendor(with_vendor, b_, Coord()).ok());
    ASSERT_TRUE(queue_->AssignOwner(ids[2], "suzuki", Coord()).ok());
    ASSERT_TRUE(queue_->AssignOwner(ids[4], "coord", Coord()).ok());

    CaseQuery all;
    all.per_page = 3;
    auto p1 = queue_->Search(all, Coord());
    ASSERT_TRUE(p1.ok());
    EXPECT_EQ(p1->total, 8);
    EXPECT_EQ(p1->pages(), 3);
    EXPECT_EQ(Ids(p1->items), (std::vector<std::int64_t>{with_vendor.value(), ids[6].value(), ids[5].value()}));
    all.page = 3;
    auto p3 = queue_->Search(all, Coord());
    ASSERT_TRUE(p3.ok());
    EXPECT_EQ(Ids(p3->items), (std::vector<std::int64_t>{ids[1].value(), ids[0].value()}));
    all.page = 99;  // clamped to the last page
    EXPECT_EQ(queue_->Search(all, Coord())->page, 3);

    CaseQuery ascending;
    ascending.descending = false;
    ascending.sort = CaseSort::kUpdated;
    auto up = queue_->Search(ascending, Coord());
    ASSERT_TRUE(up.ok());
    EXPECT_EQ(up->items.front().id, ids[0]);

    CaseQuery by_state;
    by_state.state = CaseState::kVerified;
    EXPECT_EQ(Ids(queue_->Search(by_state, Coord())->items), std::vector<std::int64_t>{with_vendor.value()});

    CaseQuery by_owner;
    by_owner.owner = "suzuki";
    EXPECT_EQ(Ids(queue_->Search(by_owner, Coord())->items), std::vector<std::int64_t>{ids[2].value()});
    by_owner.owner = "me";
    EXPECT_EQ(Ids(queue_->Search(by_owner, Coord())->items), std::vector<std::int64_t>{ids[4].value()});
    by_owner.owner = "none";
    EXPECT_EQ(queue_->Search(by_owner, Coord())->total, 6);

    CaseQuery by_vendor;
    by_vendor.vendor = b_;
    EXPECT_EQ(Ids(queue_->Search(by_vendor, Coord())->items), std::vector<std::int64_t>{with_vendor.value()});

    CaseQuery by_text;
    by_text.text = "report 3";
    EXPECT_EQ(Ids(queue_->Search(by_text, Coord())->items), std::vector<std::int64_t>{ids[3].value()});

    // Due: the oldest received report is due first; the verified case (5 days) after the received ones.
    CaseQuery by_due;
    by_due.sort = CaseSort::kDue;
    by_due.descending = false;
    auto due = queue_->Search(by_due, Coord());
    ASSERT_TRUE(due.ok());
    EXPECT_EQ(due->items.front().id, ids[0]);
    EXPECT_EQ(due->items.back().id, with_vendor);
}

}  // namespace
}  // namespace kizuna::vuln
