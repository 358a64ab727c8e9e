// V16: secondary distribution — vendor names a related organisation, which claims with the identifier,
// and receives the information from the coordinator at the vendor's level.
#include "vuln/secondary.hpp"

#include "vuln_fixture.hpp"

namespace kizuna::vuln {
namespace {

class SecondaryTest : public VulnFixture {
  protected:
    void SetUp() override {
        VulnFixture::SetUp();
        secondary_ = std::make_unique<SecondaryService>(*db_, clock_, audit_);
        case_ = VerifiedCase({"SR-1000 Router", "HN Gateway"});
        EXPECT_TRUE(cases_->AddVendor(case_, a_, Coord()).ok());
        EXPECT_TRUE(cases_->AddVendor(case_, b_, Coord()).ok());
        EXPECT_TRUE(cases_->DiscloseDetails(case_, a_, true, Coord()).ok());  // a_: detail
        EXPECT_TRUE(cases_->SendSummary(case_, b_, Coord()).ok());           // b_: summary
        identifier_ = cases_->Get(case_, Coord())->identifier;
    }

    std::int64_t Count(const std::string& sql, std::initializer_list<store::Value> params = {}) {
        auto lease = db_->Acquire();
        auto n = (*lease)->QueryInt(sql, params);
        EXPECT_TRUE(n.ok()) << n.error().ToString();
        return n.ok() ? *n : -1;
    }
    std::string Text(const std::string& sql, std::initializer_list<store::Value> params = {}) {
        auto lease = db_->Acquire();
        auto row = (*lease)->QueryOne(sql, params);
        EXPECT_TRUE(row.ok() && row->has_value());
        return row.ok() && row->has_value() ? (*row)->Text(0) : "";
    }

    RelatedContact Sub() { return {"Tsubame Works", "Sato Hanako", "Sato@Tsubame.example.jp", "03-0000-0000"}; }
    RelatedContact Claimant() { return {"Tsubame Works Co.", "Sato Hanako", "sato@tsubame.example.jp", "03-1111"}; }

    std::unique_ptr<SecondaryService> secondary_;
    CaseId case_;
    std::string identifier_;
};

TEST_F(SecondaryTest, FullPathAtDetailLevel) {
    auto rid = secondary_->RegisterRelated(case_, Sub(), VendorCaller(a_));
    ASSERT_TRUE(rid.ok()) << rid.error().ToString();
    EXPECT_EQ(Count("SELECT count(*) FROM case_events WHERE case_id = ? AND kind = 'related.named'", {case_.value()}), 1);
    EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'secondary.register'"), 1);

    // Approval before the claim is refused.
    auto early = secondary_->Approve(case_, *rid, Coord());
    ASSERT_FALSE(early.ok());
    EXPECT_EQ(early.error().code(), core::ErrorCode::kFailedPrecondition);

    auto outcome = secondary_->Claim(" " + identifier_ + " ", Claimant(), "198.51.100.7");
    ASSERT_TRUE(outcome.ok()) << outcome.error().ToString();
    EXPECT_EQ(*outcome, ClaimOutcome::kClaimed);
    auto list = secondary_->List(case_, Coord());
    ASSERT_TRUE(list.ok());
    ASSERT_EQ(list->size(), 1u);
    EXPECT_EQ((*list)[0].state, RelatedState::kClaimed);
    EXPECT_EQ((*list)[0].claimed.name, "Tsubame Works Co.");
    EXPECT_EQ((*list)[0].claimed.phone, "03-1111");
    EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'secondary.claim' AND detail LIKE ?",
                    {"%\"outcome\":\"claimed\"%" + identifier_ + "%"}),
              1);

    // Only staff approve.
    EXPECT_EQ(secondary_->Approve(case_, *rid, VendorCaller(a_)).error().code(), core::ErrorCode::kNotFound);
    auto mail = secondary_->Approve(case_, *rid, Coord());
    ASSERT_TRUE(mail.ok()) << mail.error().ToString();
    EXPECT_EQ(Text("SELECT to_address FROM mail_queue WHERE id = ?", {*mail}), "Sato@Tsubame.example.jp");
    EXPECT_EQ(Text("SELECT encrypt_to FROM mail_queue WHERE id = ?", {*mail}), "");
    EXPECT_EQ(Count("SELECT count(*) FROM mail_queue WHERE id = ? AND vendor_id IS NULL AND case_id = ?",
                    {*mail, case_.value()}),
              1);
    const std::string body = Text("SELECT body FROM mail_queue WHERE id = ?", {*mail});
    EXPECT_NE(body.find(identifier_), std::string::npos);
    EXPECT_NE(body.find("Stack overflow in the UPnP service"), std::string::npos);
    EXPECT_NE(body.find("A vulnerability in a UPnP implementation."), std::string::npos);
    EXPECT_NE(body.find("4 KiB ST header"), std::string::npos);
    EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'case.disclose' AND detail = ?",
                    {"{\"related\":" + std::to_string(rid->value()) + ",\"level\":\"detail\"}"}),
              1);
    EXPECT_EQ((*secondary_->List(case_, Coord()))[0].state, RelatedState::kApproved);
    // Not twice.
    EXPECT_EQ(secondary_->Approve(case_, *rid, Coord()).error().code(), core::ErrorCode::kFailedPrecondition);
    EXPECT_EQ(secondary_->Refuse(case_, *rid, "", Coord()).error().code(), core::ErrorCode::kFailedPrecondition);
}

TEST_F(SecondaryTest, SummaryLevelVendorNoDetails) {
    auto rid = secondary_->RegisterRelated(case_, Sub(), VendorCaller(b_));
    ASSERT_TRUE(rid.ok()) << rid.error().ToString();
    ASSERT_EQ(*secondary_->Claim(identifier_, Claimant(), "198.51.100.7"), ClaimOutcome::kClaimed);
    auto mail = secondary_->Approve(case_, *rid, Coord());
    ASSERT_TRUE(mail.ok()) << mail.error().ToString();
    const std::string body = Text("SELECT body FROM mail_queue WHERE id = ?", {*mail});
    EXPECT_NE(body.find("A vulnerability in a UPnP implementation."), std::string::npos);
    EXPECT_EQ(body.find("4 KiB ST header"), std::string::npos);
    EXPECT_EQ(body.find("Technical details"), std::string::npos);
    EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'case.disclose' AND detail = ?",
                    {"{\"related\":" + std::to_string(rid->value()) + ",\"level\":\"summary\"}"}),
              1);
}

TEST_F(SecondaryTest, WrongClaimsChangeNothingAndAreAudited) {
    auto rid = secondary_->RegisterRelated(case_, Sub(), VendorCaller(a_));
    ASSERT_TRUE(rid.ok());
    const std::int64_t mails = Count("SELECT count(*) FROM mail_queue");
    const std::int64_t events = Count("SELECT count(*) FROM case_events");

    RelatedContact wrong_org = Claimant();
    wrong_org.email = "someone@else.example.jp";
    EXPECT_EQ(*secondary_->Claim("JVNVU#99999999", Claimant(), "198.51.100.7"), ClaimOutcome::kUnknownCase);
    EXPECT_EQ(*secondary_->Claim(identifier_ + "0", Claimant(), "198.51.100.7"), ClaimOutcome::kUnknownCase);
    EXPECT_EQ(*secondary_->Claim(identifier_, wrong_org, "198.51.100.7"), ClaimOutcome::kNoMatch);

    EXPECT_EQ((*secondary_->List(case_, Coord()))[0].state, RelatedState::kNamed);
    EXPECT_EQ(Count("SELECT count(*) FROM mail_queue"), mails);
    EXPECT_EQ(Count("SELECT count(*) FROM case_events"), events);
    EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'secondary.claim' AND remote_ip = ?",
                    {"198.51.100.7"}),
              3);
    // The unknown identifiers do not go into the log; the one that named a case does.
    EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE detail LIKE '%99999999%'"), 0);
    EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'secondary.claim' AND detail LIKE ?",
                    {"%\"outcome\":\"no_match\",\"identifier\":\"" + identifier_ + "\"%"}),
              1);
    EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'secondary.claim' AND detail = ?",
                    {"{\"outcome\":\"unknown_case\"}"}),
              2);
    // A malformed form is refused with the field, and audited.
    RelatedContact no_mail = Claimant();
    no_mail.email = "not-an-address";
    auto bad = secondary_->Claim(identifier_, no_mail, "198.51.100.7");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().field(), "email");
    EXPECT_EQ(secondary_->Claim("", Claimant(), "198.51.100.7").error().field(), "identifier");
    EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE detail = '{\"outcome\":\"invalid\"}'"), 2);
}

TEST_F(SecondaryTest, RateLimitAfterFiveFailuresLiftsAfterFifteenMinutes) {
    ASSERT_TRUE(secondary_->RegisterRelated(case_, Sub(), VendorCaller(a_)).ok());
    for (int i = 0; i < SecondaryService::kMaxClaimFailures; ++i) {
        auto o = secondary_->Claim("JVNVU#9999990" + std::to_string(i), Claimant(), "203.0.113.9");
        ASSERT_TRUE(o.ok()) << i;
        clock_.Advance(std::chrono::minutes(1));
    }
    // Now even the right identifier is refused from this address...
    auto refused = secondary_->Claim(identifier_, Claimant(), "203.0.113.9");
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code(), core::ErrorCode::kResourceExhausted);
    EXPECT_EQ((*secondary_->List(case_, Coord()))[0].state, RelatedState::kNamed);
    EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE detail = '{\"outcome\":\"throttled\"}'"), 1);
    // ...but not from another one.
    EXPECT_EQ(*secondary_->Claim("JVNVU#77777777", Claimant(), "203.0.113.10"), ClaimOutcome::kUnknownCase);
    // 15 minutes after the first failure it lifts (one failure has aged out).
    clock_.Advance(std::chrono::minutes(10));
    auto again = secondary_->Claim(identifier_, Claimant(), "203.0.113.9");
    ASSERT_TRUE(again.ok()) << again.error().ToString();
    EXPECT_EQ(*again, ClaimOutcome::kClaimed);
}

TEST_F(SecondaryTest, WhoMayRegisterAndList) {
    // c_ takes no part in the case; the reporter and anonymous neither.
    EXPECT_EQ(secondary_->RegisterRelated(case_, Sub(), VendorCaller(c_)).error().code(), core::ErrorCode::kNotFound);
    EXPECT_EQ(secondary_->RegisterRelated(case_, Sub(), Reporter()).error().code(), core::ErrorCode::kNotFound);
    EXPECT_EQ(secondary_->RegisterRelated(case_, Sub(), Anonymous()).error().code(),
              core::ErrorCode::kUnauthenticated);
    EXPECT_EQ(Count("SELECT count(*) FROM related_orgs"), 0);
    // Validation names the field.
    RelatedContact bad = Sub();
    bad.person = "";
    EXPECT_EQ(secondary_->RegisterRelated(case_, bad, VendorCaller(a_)).error().field(), "person");
    bad = Sub();
    bad.email = "x";
    EXPECT_EQ(secondary_->RegisterRelated(case_, bad, VendorCaller(a_)).error().field(), "email");

    ASSERT_TRUE(secondary_->RegisterRelated(case_, Sub(), VendorCaller(a_)).ok());
    RelatedContact other{"Kawasemi Ltd.", "Ito", "ito@kawasemi.example.jp", ""};
    ASSERT_TRUE(secondary_->RegisterRelated(case_, other, VendorCaller(b_)).ok());
    RelatedContact dup = Sub();
    dup.email = "sato@TSUBAME.example.jp";
    EXPECT_EQ(secondary_->RegisterRelated(case_, dup, VendorCaller(a_)).error().code(),  // its own naming again
              core::ErrorCode::kAlreadyExists);

    EXPECT_EQ(secondary_->List(case_, Coord())->size(), 2u);
    auto mine = secondary_->List(case_, VendorCaller(a_));
    ASSERT_TRUE(mine.ok());
    ASSERT_EQ(mine->size(), 1u);
    EXPECT_EQ((*mine)[0].contact.name, "Tsubame Works");
    auto theirs = secondary_->List(case_, VendorCaller(b_));
    ASSERT_EQ(theirs->size(), 1u);
    EXPECT_EQ((*theirs)[0].contact.name, "Kawasemi Ltd.");
    EXPECT_EQ(secondary_->List(case_, VendorCaller(c_)).error().code(), core::ErrorCode::kNotFound);
    EXPECT_EQ(secondary_->List(case_, Reporter()).error().code(), core::ErrorCode::kNotFound);

    // Refuse (staff only) closes it; a later claim changes nothing.
    const RelatedId first = (*mine)[0].id;
    EXPECT_EQ(secondary_->Refuse(case_, first, "", VendorCaller(a_)).error().code(), core::ErrorCode::kNotFound);
    ASSERT_TRUE(secondary_->Refuse(case_, first, "not a real subcontractor", Coord()).ok());
    EXPECT_EQ(*secondary_->Claim(identifier_, Claimant(), "198.51.100.7"), ClaimOutcome::kAlreadyClaimed);
    EXPECT_EQ((*secondary_->List(case_, Coord()))[0].state, RelatedState::kRefused);

    // Issue 12: another vendor naming the same address is not told that a_ named it (no AlreadyExists
    // across vendors): b_ gets its own row, and sees only its own namings.
    ASSERT_TRUE(secondary_->RegisterRelated(case_, dup, VendorCaller(b_)).ok());
    EXPECT_EQ(secondary_->List(case_, VendorCaller(b_))->size(), 2u);
    EXPECT_EQ(secondary_->List(case_, VendorCaller(a_))->size(), 1u);
    EXPECT_EQ(secondary_->RegisterRelated(case_, dup, VendorCaller(b_)).error().code(), core::ErrorCode::kAlreadyExists);
}

}  // namespace
}  // namespace kizuna::vuln
