// Issue 13: closing and rejecting with a reason, the case owner, adding any vendor, the status form's
// merge rule and the default publication instant at a business hour.
#include "vuln_fixture.hpp"

namespace kizuna::vuln {
namespace {

using core::ErrorCode;
using CaseLifecycleTest = VulnFixture;

TEST_F(CaseLifecycleTest, CloseNeedsAReasonAndIsStaffOnly) {
    const CaseId id = VerifiedCase();
    EXPECT_EQ(cases_->Close(id, "  ", Coord()).error().field(), "reason");
    EXPECT_EQ(cases_->Close(id, "fixed upstream", VendorCaller(a_)).error().code(), ErrorCode::kNotFound);
    EXPECT_EQ(cases_->Close(id, "fixed upstream", Reporter()).error().code(), ErrorCode::kNotFound);
    EXPECT_EQ(cases_->Close(CaseId(9999), "x", Coord()).error().code(), ErrorCode::kNotFound);
    ASSERT_TRUE(cases_->Close(id, "fixed upstream, published by the vendor", Coord()).ok());
    auto v = cases_->Get(id, Coord());
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v->state, CaseState::kClosed);
    EXPECT_EQ(v->closed_reason, "fixed upstream, published by the vendor");
    EXPECT_EQ(cases_->Close(id, "again", Coord()).error().code(), ErrorCode::kFailedPrecondition);
    auto timeline = cases_->Timeline(id, Coord());
    ASSERT_TRUE(timeline.ok());
    EXPECT_EQ(timeline->back().kind, "case.closed");
    EXPECT_EQ(timeline->back().text, "fixed upstream, published by the vendor");
    EXPECT_EQ(timeline->back().actor_display, "coord");
    // The reporter (not staff) never sees why.
    auto mine = cases_->Get(id, Reporter());
    ASSERT_TRUE(mine.ok());
    EXPECT_EQ(mine->closed_reason, "");
}

TEST_F(CaseLifecycleTest, RejectOnlyBeforeCoordination) {
    NewCase n;
    n.title = "not a vulnerability";
    n.details = "d";
    auto r = cases_->Submit(n, Reporter());
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(cases_->Reject(r->id, "", Coord()).error().field(), "reason");
    ASSERT_TRUE(cases_->Reject(r->id, "works as documented", Coord()).ok());
    EXPECT_EQ(cases_->Get(r->id, Coord())->state, CaseState::kRejected);
    // Once vendors are told, the case is closed, not rejected.
    const CaseId id = VerifiedCase();
    ASSERT_TRUE(cases_->AddVendor(id, a_, Coord()).ok());
    ASSERT_TRUE(cases_->SendSummary(id, a_, Coord()).ok());
    EXPECT_EQ(cases_->Reject(id, "too late", Coord()).error().code(), ErrorCode::kFailedPrecondition);
}

TEST_F(CaseLifecycleTest, OwnerIsAnEnabledCoordinator) {
    const CaseId id = VerifiedCase();
    auth::Principal second = User("tanaka", auth::Role::kCoordinator);
    auto candidates = cases_->OwnerCandidates(id, Coord());
    ASSERT_TRUE(candidates.ok());
    ASSERT_EQ(candidates->size(), 2u);
    EXPECT_EQ(cases_->AssignOwner(id, reporter_.id, Coord()).error().field(), "owner");
    EXPECT_EQ(cases_->AssignOwner(id, second.id, VendorCaller(a_)).error().code(), ErrorCode::kNotFound);
    ASSERT_TRUE(cases_->AssignOwner(id, second.id, Coord()).ok());
    auto v = cases_->Get(id, Coord());
    ASSERT_TRUE(v->owner.has_value());
    EXPECT_EQ(*v->owner, second.id);
    EXPECT_EQ(v->owner_name, "tanaka");
    ASSERT_TRUE(cases_->AssignOwner(id, std::nullopt, Coord()).ok());
    EXPECT_FALSE(cases_->Get(id, Coord())->owner.has_value());
    EXPECT_EQ(cases_->OwnerCandidates(id, VendorCaller(a_)).error().code(), ErrorCode::kNotFound);
}

TEST_F(CaseLifecycleTest, AnyRegistryVendorCanBeAdded) {
    const CaseId id = VerifiedCase({"SR-1000 Router"});
    auto addable = cases_->AddableVendors(id, Coord());
    ASSERT_TRUE(addable.ok());
    EXPECT_EQ(addable->size(), 4u);  // every vendor, suggested or not
    ASSERT_TRUE(cases_->AddVendor(id, b_, Coord()).ok());
    addable = cases_->AddableVendors(id, Coord());
    ASSERT_EQ(addable->size(), 3u);
    for (const auto& v : *addable) EXPECT_NE(v.id, b_);
    EXPECT_EQ(cases_->AddableVendors(id, VendorCaller(a_)).error().code(), ErrorCode::kNotFound);
}

TEST_F(CaseLifecycleTest, StatusMergeKeepsWhatTheVendorDidNotTouch) {
    const StatusReport current{VendorStatus::kAffected, "Fixed in 2.4.1", {"https://a.example/1"}, "SR-1000", "update", "May"};
    // The form showed the same; the vendor changed only its URL.
    StatusReport submitted = current;
    submitted.urls = {"https://a.example/2"};
    StatusReport merged = MergeStatusReport(current, current, submitted);
    EXPECT_EQ(merged.public_text, "Fixed in 2.4.1");
    EXPECT_EQ(merged.urls, std::vector<std::string>{"https://a.example/2"});
    // The form was shown before someone else changed the comment: an untouched field keeps the new value.
    StatusReport newer = current;
    newer.public_text = "Fixed in 2.4.2";
    merged = MergeStatusReport(newer, current, submitted);
    EXPECT_EQ(merged.public_text, "Fixed in 2.4.2");
    // Clearing a field on purpose is a change.
    submitted = current;
    submitted.plan = "";
    EXPECT_EQ(MergeStatusReport(current, current, submitted).plan, "");
    // A first report (nothing shown) takes what was submitted.
    EXPECT_EQ(MergeStatusReport(StatusReport{}, StatusReport{}, current).public_text, "Fixed in 2.4.1");
    EXPECT_EQ(MergeStatusReport(StatusReport{}, StatusReport{}, current).status, VendorStatus::kAffected);
}

TEST_F(CaseLifecycleTest, StatusFormPrefillComesFromTheLatestReport) {
    const CaseId id = VerifiedCase();
    ASSERT_TRUE(cases_->AddVendor(id, a_, Coord()).ok());
    ASSERT_TRUE(cases_->DiscloseDetails(id, a_, true, Coord()).ok());
    ASSERT_TRUE(cases_->ReportStatus(id, {VendorStatus::kAffected, "c1", {}, "P1", "plan1", "s1"}, VendorCaller(a_)).ok());
    ASSERT_TRUE(cases_->ReportStatus(id, {VendorStatus::kAffected, "c2", {}, "P2", "plan2", "s2"}, VendorCaller(a_)).ok());
    auto v = cases_->Get(id, VendorCaller(a_));
    ASSERT_TRUE(v.ok());
    ASSERT_EQ(v->vendors.size(), 1u);
    EXPECT_EQ(v->vendors[0].status_text, "c2");
    EXPECT_EQ(v->vendors[0].affected_products, "P2");
    EXPECT_EQ(v->vendors[0].plan, "plan2");
    EXPECT_EQ(v->vendors[0].schedule, "s2");
}

TEST_F(CaseLifecycleTest, DefaultPublicationLandsAtTheBusinessHour) {
    auto tokyo = core::TimeZone::Load("Asia/Tokyo");
    ASSERT_TRUE(tokyo.ok());
    // Handling started 2026-12-06 18:25:53 UTC (03:25 JST on the 7th): 45 days later is 2027-01-21 03:25
    // JST; the default lands on that day at 10:00 JST = 01:00 UTC.
    const auto start = *core::ParseRfc3339("2026-12-06T18:25:53.067180Z");
    EXPECT_EQ(core::FormatRfc3339(DefaultPublicationInstant(start, *tokyo, 10)), "2027-01-21T01:00:00Z");
    EXPECT_EQ(core::FormatRfc3339(DefaultPublicationInstant(start, *tokyo, 15)), "2027-01-21T06:00:00Z");
    // Local date and time inputs, read in the zone.
    EXPECT_EQ(core::FormatRfc3339(*tokyo->FromLocal("2027-01-21", "10:00")), "2027-01-21T01:00:00Z");
    EXPECT_EQ(tokyo->LocalDate(start), "2026-12-07");
    EXPECT_EQ(tokyo->LocalTime(start), "03:25");
    for (auto [date, time] : std::vector<std::pair<const char*, const char*>>{
             {"2027-02-30", "10:00"}, {"2027-01-21", "24:00"}, {"yesterday", "10:00"}, {"2027-01-21", ""},
             {"2027/01/21", "10:00"}, {"2027-01-21", "10:0"}})
        EXPECT_FALSE(tokyo->FromLocal(date, time).has_value()) << date << " " << time;
}

}  // namespace
}  // namespace kizuna::vuln
