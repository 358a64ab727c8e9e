#include "vuln_fixture.hpp"

namespace kizuna::vuln {
namespace {

using core::ErrorCode;
using VendorsTest = VulnFixture;

TEST_F(VendorsTest, GeneralRegistrationFollowsTheWorkflow) {
    auto id = vendors_->Create({"Tsubame Systems", "Tsubame Systems Inc.", RegistrationKind::kGeneral}, "coord");
    ASSERT_TRUE(id.ok());
    EXPECT_EQ(vendors_->Get(*id)->state, RegistrationState::kApplied);
    // Steps cannot be skipped.
    EXPECT_EQ(vendors_->Advance(*id, RegistrationState::kRegistered, "coord", "").error().code(),
              ErrorCode::kFailedPrecondition);
    ASSERT_TRUE(vendors_->Advance(*id, RegistrationState::kDocumentsReceived, "coord", "forms in").ok());
    ASSERT_TRUE(vendors_->Advance(*id, RegistrationState::kMeeting, "coord", "2026-04-10 meeting").ok());
    // Registering needs the terms and a contact point.
    auto no_terms = vendors_->Advance(*id, RegistrationState::kRegistered, "coord", "");
    ASSERT_FALSE(no_terms.ok());
    EXPECT_NE(no_terms.error().message().find("terms"), std::string::npos);
    ASSERT_TRUE(vendors_->AgreeToTerms(*id, "2026-04", "coord").ok());
    EXPECT_FALSE(vendors_->Advance(*id, RegistrationState::kRegistered, "coord", "").ok());
    ASSERT_TRUE(vendors_->AddContact(*id, {0, "製品脆弱性対策管理者", "psirt@tsubame.example.jp", "03-0000-0000", true},
                                     "coord")
                    .ok());
    ASSERT_TRUE(vendors_->Advance(*id, RegistrationState::kRegistered, "coord", "").ok());
    auto v = vendors_->Get(*id);
    EXPECT_EQ(v->state, RegistrationState::kRegistered);
    EXPECT_EQ(v->terms_version, "2026-04");
    EXPECT_EQ(v->registered_at, "2026-04-01T00:00:00Z");
}

TEST_F(VendorsTest, ContactsNeedAWayToReachThem) {
    EXPECT_EQ(vendors_->AddContact(a_, {0, "x", "", "", false}, "coord").error().field(), "email");
    EXPECT_EQ(vendors_->AddContact(a_, {0, "x", "not-an-address", "", false}, "coord").error().field(), "email");
    EXPECT_EQ(vendors_->AddContact(VendorId(999), {0, "x", "a@b.jp", "", false}, "coord").error().code(),
              ErrorCode::kNotFound);
}

TEST_F(VendorsTest, VendorCountOverTime) {
    clock_.Advance(std::chrono::hours(24 * 40));
    RegisteredVendor("Later Corp", RegistrationKind::kGeneral, "later", {});
    auto points = vendors_->CountOverTime();
    ASSERT_TRUE(points.ok());
    ASSERT_EQ(points->size(), 2u);
    EXPECT_EQ((*points)[0].month, "2026-04");
    EXPECT_EQ((*points)[0].registered, 3);
    EXPECT_EQ((*points)[1].month, "2026-05");
    EXPECT_EQ((*points)[1].registered, 4);
}

TEST_F(VendorsTest, KeywordsAreNormalisedAndMembersMustBeVendorAccounts) {
    ASSERT_TRUE(vendors_->SetKeywords(a_, {" UPnP ", "OpenSSL"}, "coord").ok());
    EXPECT_EQ(vendors_->Get(a_)->keywords, (std::vector<std::string>{"openssl", "upnp"}));
    EXPECT_EQ(vendors_->AddMember(a_, coord_.id, "coord").error().field(), "user");
    EXPECT_EQ(*vendors_->VendorOf(members_[a_.value()].id), std::optional<VendorId>(a_));
}

}  // namespace
}  // namespace kizuna::vuln
