// The publication schedule driven through time with a manual clock: the 45-day default, proposals and a
// date change in a three-vendor case, a silent vendor at the deadline, the release exactly once, a leak
// bringing the date forward, and the 3-month unreachable path.
#include "vuln/schedule.hpp"

#include "vuln_fixture.hpp"

namespace kizuna::vuln {
namespace {

using core::ErrorCode;
using std::chrono::hours;

class ScheduleTest : public VulnFixture {
  protected:
    void SetUp() override {
        VulnFixture::SetUp();
        log_ = std::make_unique<core::Logger>(clock_, core::LogLevel::kError);
        schedule_ = std::make_unique<ScheduleService>(*db_, clock_, audit_);
        scheduler_ = std::make_unique<sched::Scheduler>(*db_, clock_, *log_);
        schedule_->RegisterJobs(*scheduler_);
        e_ = RegisteredVendor("Ezo Devices", RegistrationKind::kGeneral, "ezo", {"EZ-7"});
    }

    // A verified three-vendor case with details disclosed to all three.
    CaseId ThreeVendorCase() {
        CaseId id = VerifiedCase({"SR-1000 Router", "HN Gateway", "EZ-7"});
        for (VendorId v : {a_, b_, e_}) {
            EXPECT_TRUE(cases_->AddVendor(id, v, Coord()).ok());
            EXPECT_TRUE(cases_->DiscloseDetails(id, v, true, Coord()).ok());
        }
        return id;
    }

    int Count(const std::string& sql, std::int64_t id) {
        auto lease = db_->Acquire();
        return static_cast<int>(*(*lease)->QueryInt(sql, {id}));
    }

    std::unique_ptr<core::Logger> log_;
    std::unique_ptr<ScheduleService> schedule_;
    std::unique_ptr<sched::Scheduler> scheduler_;
    VendorId e_;
};

TEST_F(ScheduleTest, DefaultTargetIs45DaysFromTheStartOfHandling) {
    CaseId id = ThreeVendorCase();
    auto v = schedule_->View(id, Coord());
    ASSERT_TRUE(v.ok()) << v.error().ToString();
    EXPECT_EQ(v->handling_started_at, "2026-04-01T00:00:00Z");
    EXPECT_EQ(v->default_target, "2026-05-16T00:00:00Z");
    // Another date needs a reason.
    const auto later = *core::ParseRfc3339("2026-06-30T01:00:00Z");
    EXPECT_EQ(schedule_->Propose(id, later, "", Coord()).error().field(), "reason");
    EXPECT_TRUE(schedule_->Propose(id, later, "vendor fix time: firmware rebuild", Coord()).ok());
    EXPECT_TRUE(schedule_->Propose(id, *core::ParseRfc3339(v->default_target), "", Coord()).ok());
}

TEST_F(ScheduleTest, DateChangeInAThreeVendorCase) {
    CaseId id = ThreeVendorCase();
    const auto proposed = *core::ParseRfc3339("2026-05-16T01:00:00Z");
    ASSERT_TRUE(schedule_->Propose(id, proposed, "", Coord()).ok());
    const int mails_after_proposal = Count("SELECT count(*) FROM mail_queue WHERE case_id = ?", id.value());
    ASSERT_TRUE(schedule_->Accept(id, VendorCaller(a_)).ok());
    ASSERT_TRUE(schedule_->Accept(id, VendorCaller(e_)).ok());
    const auto wanted = *core::ParseRfc3339("2026-06-02T01:00:00Z");
    EXPECT_EQ(schedule_->RequestChange(id, wanted, "", VendorCaller(b_)).error().field(), "reason");
    ASSERT_TRUE(schedule_->RequestChange(id, wanted, "patch QA needs two more weeks", VendorCaller(b_)).ok());

    // The coordinator sees every vendor's answer (the impact on the others) and the request.
    auto v = schedule_->View(id, Coord());
    ASSERT_EQ(v->vendors.size(), 3u);
    int accepted = 0;
    for (const auto& vd : v->vendors) accepted += vd.answer == DateAnswer::kAccepted;
    EXPECT_EQ(accepted, 2);
    ASSERT_EQ(v->change_requests.size(), 1u);
    // A vendor sees only its own row and requests.
    auto mine = schedule_->View(id, VendorCaller(a_));
    ASSERT_TRUE(mine.ok());
    EXPECT_EQ(mine->vendors.size(), 1u);
    EXPECT_TRUE(mine->change_requests.empty());

    ASSERT_TRUE(schedule_->DecideChange(id, v->change_requests[0].id, true, Coord()).ok());
    v = schedule_->View(id, Coord());
    EXPECT_EQ(v->publish_at, "2026-06-02T01:00:00Z");
    // The vendor's reason stays with its request (coordinators and that vendor); the case's reason, which
    // every vendor reads, does not carry it.
    EXPECT_EQ(v->publish_reason.find("patch QA"), std::string::npos);
    EXPECT_EQ(v->change_requests[0].reason, "patch QA needs two more weeks");
    EXPECT_EQ(schedule_->View(id, VendorCaller(a_))->publish_reason.find("patch QA"), std::string::npos);
    EXPECT_EQ(schedule_->View(id, VendorCaller(b_))->change_requests.at(0).reason, "patch QA needs two more weeks");
    EXPECT_EQ(v->change_requests[0].state, "granted");
    // Everyone was told about the decision.
    EXPECT_EQ(Count("SELECT count(*) FROM mail_queue WHERE case_id = ?", id.value()), mails_after_proposal + 3);
    EXPECT_GE(Count("SELECT count(*) FROM case_events WHERE case_id = ? AND kind LIKE 'schedule.%'", id.value()), 5);
    EXPECT_EQ(schedule_->DecideChange(id, v->change_requests[0].id, true, Coord()).error().code(),
              ErrorCode::kFailedPrecondition);
}

TEST_F(ScheduleTest, SilentVendorIsRemindedAndReadsUnknownAtTheInstant) {
    CaseId id = ThreeVendorCase();
    ASSERT_TRUE(cases_->ReportStatus(id, {VendorStatus::kAffected, "fixed"}, VendorCaller(a_)).ok());
    ASSERT_TRUE(cases_->ReportStatus(id, {VendorStatus::kNotAffected, "n/a"}, VendorCaller(b_)).ok());
    const auto at = *core::ParseRfc3339("2026-05-16T01:00:00Z");
    ASSERT_TRUE(schedule_->Decide(id, at, "", Coord()).ok());  // e_ never answered: the coordinator decides
    EXPECT_EQ(*scheduler_->RunDue(), 0);
    clock_.Set(at - hours(24 * 7));
    EXPECT_EQ(*scheduler_->RunDue(), 1);  // the 7-day reminder, to e_ only
    EXPECT_EQ(Count("SELECT count(*) FROM case_events WHERE case_id = ? AND kind = 'schedule.reminder'", id.value()), 1);
    clock_.Set(at - hours(24));
    EXPECT_EQ(*scheduler_->RunDue(), 1);
    EXPECT_EQ(Count("SELECT count(*) FROM case_events WHERE case_id = ? AND kind = 'schedule.reminder'", id.value()), 2);

    // Until the instant nothing is reachable by the public; at the instant the case is released once.
    EXPECT_EQ(cases_->Get(id, Anonymous()).error().code(), ErrorCode::kUnauthenticated);
    clock_.Set(at - std::chrono::seconds(1));
    EXPECT_EQ(*scheduler_->RunDue(), 0);
    EXPECT_FALSE(schedule_->View(id, Coord())->published);
    clock_.Set(at);
    EXPECT_EQ(*scheduler_->RunDue(), 1);
    EXPECT_EQ(*scheduler_->RunDue(), 0);
    auto v = schedule_->View(id, Coord());
    EXPECT_TRUE(v->published);
    EXPECT_EQ(v->published_at, "2026-05-16T01:00:00Z");
    EXPECT_EQ(Count("SELECT count(*) FROM case_events WHERE case_id = ? AND kind = 'case.published'", id.value()), 1);
    for (const auto& vd : v->vendors)
        if (vd.vendor == e_) {
            EXPECT_EQ(vd.status, VendorStatus::kUnknown);
        }
    auto public_view = cases_->Get(id, Anonymous());
    ASSERT_TRUE(public_view.ok());
    EXPECT_FALSE(public_view->details.has_value());  // the advisory, not the report, is what gets published
}

TEST_F(ScheduleTest, ALeakBringsThePublicationForward) {
    CaseId id = ThreeVendorCase();
    ASSERT_TRUE(schedule_->Decide(id, *core::ParseRfc3339("2026-05-16T01:00:00Z"), "", Coord()).ok());
    clock_.Advance(hours(24 * 10));
    EXPECT_EQ(schedule_->ReportLeak(id, "", std::nullopt, Coord()).error().field(), "reason");
    EXPECT_EQ(schedule_->ReportLeak(id, "PoC posted", *core::ParseRfc3339("2026-06-01T00:00:00Z"), Coord()).error().field(),
              "publish_at");
    const auto soon = clock_.Now() + hours(2);
    ASSERT_TRUE(schedule_->ReportLeak(id, "PoC posted on a public forum", soon, Coord()).ok());
    auto v = schedule_->View(id, Coord());
    EXPECT_EQ(v->publish_at, core::FormatRfc3339(soon));
    EXPECT_EQ(v->leak_risk, "high");
    EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'case.leak' AND ? > 0", id.value()), 1);
    clock_.Set(soon);
    EXPECT_GE(*scheduler_->RunDue(), 1);
    clock_.Set(*core::ParseRfc3339("2026-06-01T00:00:00Z"));
    (void)scheduler_->RunDue();  // the old instant: the job was moved, so nothing is released twice
    EXPECT_EQ(Count("SELECT count(*) FROM case_events WHERE case_id = ? AND kind = 'case.published'", id.value()), 1);
    EXPECT_EQ(schedule_->ReportLeak(id, "again", std::nullopt, Coord()).error().code(), ErrorCode::kFailedPrecondition);
}

TEST_F(ScheduleTest, UnreachableAfterThreeMonthsOfTrying) {
    CaseId id = VerifiedCase();
    ASSERT_TRUE(cases_->AddVendor(id, d_, Coord()).ok());
    ASSERT_TRUE(cases_->RequestRegistration(id, d_, Channel::kEmail, "info@unknowncam.example", Coord()).ok());
    clock_.Advance(hours(24 * 30));
    ASSERT_TRUE(cases_->LogContactAttempt(id, d_, Channel::kPhone, "+81-3-0000-0000", "no answer", Coord()).ok());
    EXPECT_TRUE(schedule_->UnreachableCandidates(id, Coord())->empty());
    EXPECT_EQ(schedule_->DeclareUnreachable(id, d_, Coord()).error().code(), ErrorCode::kFailedPrecondition);
    clock_.Set(*core::ParseRfc3339("2026-07-01T00:00:00Z"));  // 91 days after the first attempt
    EXPECT_EQ(*scheduler_->RunDue(), 1);  // one clock per vendor, from the first attempt
    EXPECT_EQ(Count("SELECT count(*) FROM case_events WHERE case_id = ? AND kind = 'vendor.unreachable_proposed'",
                    id.value()),
              1);
    auto candidates = schedule_->UnreachableCandidates(id, Coord());
    ASSERT_EQ(candidates->size(), 1u);
    EXPECT_EQ((*candidates)[0].first_attempt, "2026-04-01T00:00:00Z");
    EXPECT_EQ((*candidates)[0].attempts, 2);
    ASSERT_TRUE(schedule_->DeclareUnreachable(id, d_, Coord()).ok());
    auto after = schedule_->View(id, Coord());
    ASSERT_TRUE(after.ok());
    for (const auto& vd : after->vendors)
        if (vd.vendor == d_) {
            EXPECT_TRUE(vd.unreachable);
            EXPECT_EQ(vd.unreachable_since, "2026-04-01T00:00:00Z");
        }
}

// Seed 001 2-3: three calendar months from the first contact attempt, in the center's zone (Asia/Tokyo),
// not 91 days: 12 January → from 12 April (90 days); 1 June → not before 1 September (92 days).
TEST_F(ScheduleTest, UnreachableCountsCalendarMonthsInTheCentersZone) {
    ScheduleService tokyo(*db_, clock_, audit_, *core::TimeZone::Load("Asia/Tokyo"));
    struct Case {
        const char* first_attempt;
        const char* just_before;  // the old 91-day rule or the day before: not yet
        const char* from;         // 00:00 JST of the day three months later
    };
    for (const Case& k : {Case{"2026-01-12T01:00:00Z", "2026-04-11T14:59:59Z", "2026-04-11T15:00:00Z"},
                          Case{"2026-06-01T01:00:00Z", "2026-08-31T03:00:00Z", "2026-08-31T15:00:00Z"}}) {
        clock_.Set(*core::ParseRfc3339(k.first_attempt));
        CaseId id = VerifiedCase();
        ASSERT_TRUE(cases_->AddVendor(id, d_, Coord()).ok());
        ASSERT_TRUE(cases_->LogContactAttempt(id, d_, Channel::kEmail, "info@unknowncam.example", "", Coord()).ok());
        clock_.Set(*core::ParseRfc3339(k.just_before));
        EXPECT_TRUE(tokyo.UnreachableCandidates(id, Coord())->empty()) << k.first_attempt;
        EXPECT_EQ(tokyo.DeclareUnreachable(id, d_, Coord()).error().code(), ErrorCode::kFailedPrecondition);
        clock_.Set(*core::ParseRfc3339(k.from));
        auto candidates = tokyo.UnreachableCandidates(id, Coord());
        ASSERT_EQ(candidates->size(), 1u) << k.first_attempt;
        EXPECT_EQ((*candidates)[0].candidate_from, k.from);
        EXPECT_TRUE(tokyo.DeclareUnreachable(id, d_, Coord()).ok());
    }
    // The old fixed 91 days would have allowed the second case on 31 August.
    EXPECT_EQ(core::FormatRfc3339(*core::ParseRfc3339("2026-06-01T01:00:00Z") + std::chrono::days(91)),
              "2026-08-31T01:00:00Z");
}

// V9: an answer counts for the date it was given for; a new date (decision, granted change, leak) needs
// everyone's answer again, and a decided date can be accepted.
TEST_F(ScheduleTest, ANewDateNeedsANewAnswerFromEveryone) {
    CaseId id = ThreeVendorCase();
    auto agreed = [&]() {
        auto view = schedule_->View(id, Coord());
        EXPECT_TRUE(view.ok());
        int n = 0;
        for (const auto& vd : view->vendors) n += vd.agreed_current;
        return n;
    };
    EXPECT_EQ(schedule_->Accept(id, VendorCaller(a_)).error().code(), ErrorCode::kFailedPrecondition);
    const auto first = *core::ParseRfc3339("2026-05-16T01:00:00Z");
    ASSERT_TRUE(schedule_->Propose(id, first, "", Coord()).ok());
    ASSERT_TRUE(schedule_->Accept(id, VendorCaller(a_)).ok());
    ASSERT_TRUE(schedule_->Accept(id, VendorCaller(b_)).ok());
    EXPECT_EQ(agreed(), 2);
    ASSERT_TRUE(schedule_->Decide(id, first, "", Coord()).ok());  // the date they agreed to
    EXPECT_EQ(agreed(), 2);
    EXPECT_EQ(schedule_->View(id, Coord())->current_date, "2026-05-16T01:00:00Z");
    ASSERT_TRUE(schedule_->Decide(id, first + hours(12), "", Coord()).ok());
    EXPECT_EQ(agreed(), 0);
    auto reset = schedule_->View(id, Coord());
    ASSERT_TRUE(reset.ok());
    for (const auto& vd : reset->vendors) EXPECT_EQ(vd.answer, DateAnswer::kNone);
    ASSERT_TRUE(schedule_->Accept(id, VendorCaller(e_)).ok());  // a decided date can be accepted
    EXPECT_EQ(agreed(), 1);
    auto request = schedule_->RequestChange(id, first + hours(48), "more time", VendorCaller(a_));
    ASSERT_TRUE(request.ok());
    ASSERT_TRUE(schedule_->DecideChange(id, *request, true, Coord()).ok());
    EXPECT_EQ(agreed(), 0);
    ASSERT_TRUE(schedule_->Accept(id, VendorCaller(b_)).ok());
    clock_.Advance(hours(24));
    ASSERT_TRUE(schedule_->ReportLeak(id, "PoC posted", clock_.Now() + hours(1), Coord()).ok());
    EXPECT_EQ(agreed(), 0);
}

TEST_F(ScheduleTest, TheDecidedInstantReachesRelatedBodies) {
    CaseId id = ThreeVendorCase();
    {
        auto lease = db_->Acquire();
        ASSERT_TRUE((*lease)->Exec("INSERT INTO case_coordinators(case_id, name, contact_email, added_at, added_by)"
                                   " VALUES (?, 'CERT/CC', 'cert@cert.example.org', '2026-04-01T00:00:00Z', 'coord')",
                                   {id.value()})
                        .ok());
    }
    ASSERT_TRUE(schedule_->Decide(id, *core::ParseRfc3339("2026-05-16T01:00:00Z"), "", Coord()).ok());
    auto lease = db_->Acquire();
    EXPECT_EQ(*(*lease)->QueryInt("SELECT count(*) FROM mail_queue WHERE case_id = ? AND to_address ="
                                  " 'cert@cert.example.org' AND subject LIKE '%Publication date decided'",
                                  {id.value()}),
              1);
}

TEST_F(ScheduleTest, TheDateIsConfidential) {
    CaseId id = ThreeVendorCase();
    ASSERT_TRUE(schedule_->Decide(id, *core::ParseRfc3339("2026-05-16T01:00:00Z"), "", Coord()).ok());
    EXPECT_EQ(schedule_->View(id, Anonymous()).error().code(), ErrorCode::kUnauthenticated);
    EXPECT_EQ(schedule_->View(id, VendorCaller(c_)).error().code(), ErrorCode::kNotFound);
    EXPECT_EQ(schedule_->View(id, OtherReporter()).error().code(), ErrorCode::kNotFound);
    EXPECT_EQ(schedule_->View(id, Reporter()).error().code(), ErrorCode::kNotFound);
    EXPECT_TRUE(schedule_->View(id, VendorCaller(a_)).ok());
    EXPECT_EQ(schedule_->Decide(id, clock_.Now() + hours(1), "x", VendorCaller(a_)).error().code(), ErrorCode::kNotFound);
    EXPECT_EQ(schedule_->Accept(id, Coord()).error().code(), ErrorCode::kPermissionDenied);
}

}  // namespace
}  // namespace kizuna::vuln
