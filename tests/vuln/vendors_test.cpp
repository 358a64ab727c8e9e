#include <sys/stat.h>

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

#include <fstream>
#include <sstream>

#include "support/process.hpp"

namespace kizuna::vuln {
namespace {

std::string ReadFile(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

TEST_F(VendorsTest, SbomImportFeedsTheMatcher) {
    auto product = vendors_->ImportSbom(b_, "HN Router 7", ReadFile(std::string(KIZUNA_SOURCE_DIR) +
                                                                    "/tests/data/sbom/cyclonedx-1.5-router.json"),
                                        "coord");
    ASSERT_TRUE(product.ok()) << product.error().ToString();
    auto v = vendors_->Get(b_);
    const Product* imported = nullptr;
    for (const auto& p : v->products)
        if (p.name == "HN Router 7") imported = &p;
    ASSERT_NE(imported, nullptr);
    bool lighttpd = false;
    for (const auto& c : imported->components) lighttpd = lighttpd || (c.name == "lighttpd" && c.version == "1.4.69");
    EXPECT_TRUE(lighttpd);
    // A case about lighttpd finds the vendor through the imported composition.
    NewCase n;
    n.title = "lighttpd issue";
    n.details = "d";
    n.components = {{"lighttpd", "<= 1.4.69"}};
    auto r = cases_->Submit(n, Coord());
    ASSERT_TRUE(r.ok());
    auto s = cases_->SuggestVendors(r->id, Coord());
    ASSERT_TRUE(s.ok());
    ASSERT_FALSE(s->empty());
    EXPECT_EQ((*s)[0].name, "Hikari Networks");
    EXPECT_TRUE((*s)[0].candidate.reasons[0].version_matched);
    EXPECT_EQ(vendors_->ImportSbom(b_, "x", "{\"not\":\"an sbom\"}", "coord").error().code(),
              core::ErrorCode::kInvalidArgument);
}

TEST_F(VendorsTest, OpenPgpKeysAreCheckedWithGpgme) {
    const std::string home = dir_.File("gnupg");
    ASSERT_EQ(::mkdir(home.c_str(), 0700), 0);
    const std::vector<std::string> env = {"GNUPGHOME=" + home};
    auto gen = kizuna::testing::RunCommand({"/usr/bin/gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", "",
                                            "--quick-gen-key", "Sakura PSIRT <psirt@sakura.example.jp>",
                                            "future-default", "default", "2y"},
                                           "", env);
    ASSERT_EQ(gen.exit_code, 0) << gen.err;
    auto exported = kizuna::testing::RunCommand({"/usr/bin/gpg", "--batch", "--armor", "--export"}, "", env);
    ASSERT_EQ(exported.exit_code, 0);
    clock_.Set(core::RealClock().Now());  // the key was made just now; judge it at the real time
    auto key = vendors_->ImportKey(a_, exported.out, "coord");
    ASSERT_TRUE(key.ok()) << key.error().ToString();
    EXPECT_EQ(key->fingerprint.size(), 40u);
    EXPECT_TRUE(key->can_encrypt);
    EXPECT_NE(key->user_ids.find("psirt@sakura.example.jp"), std::string::npos);
    EXPECT_EQ(key->expires_at.substr(0, 4), "2028");
    EXPECT_EQ(vendors_->ImportKey(a_, exported.out, "coord").error().code(), core::ErrorCode::kAlreadyExists);
    EXPECT_EQ(vendors_->ImportKey(a_, "-----BEGIN PGP PUBLIC KEY BLOCK-----\ngarbage\n", "coord").error().field(), "key");
    auto v = vendors_->Get(a_);
    ASSERT_EQ(v->keys.size(), 1u);
    // Notices to a vendor with an encryption key are queued for encryption to it.
    CaseId id = VerifiedCase();
    ASSERT_TRUE(cases_->AddVendor(id, a_, Coord()).ok());
    ASSERT_TRUE(cases_->SendSummary(id, a_, Coord()).ok());
    auto mail = cases_->MailQueue(id, Coord());
    ASSERT_EQ(mail->size(), 1u);
    EXPECT_EQ((*mail)[0].encrypt_to, key->fingerprint);
    ::system(("gpgconf --homedir " + home + " --kill all >/dev/null 2>&1").c_str());
}

}  // namespace
}  // namespace kizuna::vuln
