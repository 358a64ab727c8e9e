// V16 in process: the public /related form (double-submit CSRF, the same answer for every outcome, the
// rate limit) and the related-organizations API.
#include <nlohmann/json.hpp>

#include "site_fixture.hpp"
#include "vuln/secondary.hpp"

namespace kizuna::web {
namespace {

const std::string kToken(64, 'a');

class SecondaryWebTest : public SiteFixture {
  protected:
    void SetUp() override {
        SiteFixture::SetUp();
        coord_ = AddUser("coord-s", auth::Role::kCoordinator);
        reporter_ = AddUser("finder", auth::Role::kReporter);
        const vuln::Caller coord{&coord_, std::nullopt};
        auto v = vendors_->Create({"Vendor detail", "", vuln::RegistrationKind::kGeneral}, "t");
        ASSERT_TRUE(v.ok());
        ASSERT_TRUE(vendors_->AddContact(*v, {0, "PSIRT", "psirt@example.jp", "", true}, "t").ok());
        ASSERT_TRUE(vendors_->AgreeToTerms(*v, "2026-04", "t").ok());
        for (auto st : {vuln::RegistrationState::kDocumentsReceived, vuln::RegistrationState::kMeeting,
                        vuln::RegistrationState::kRegistered})
            ASSERT_TRUE(vendors_->Advance(*v, st, "t", "").ok());
        member_ = AddUser("v-detail", auth::Role::kVendor);
        ASSERT_TRUE(vendors_->AddMember(*v, member_.id, "t").ok());
        vendor_ = *v;
        vuln::NewCase n;
        n.title = "embargoed case";
        n.summary = "summary text";
        n.details = "SECRET-DETAIL-TEXT";
        auto r = cases_->Submit(n, vuln::Caller{&reporter_, std::nullopt});
        ASSERT_TRUE(r.ok());
        case_ = r->id;
        identifier_ = r->identifier;
        ASSERT_TRUE(cases_->Verify(r->id, vuln::Verification::kReproduced, "", coord).ok());
        ASSERT_TRUE(cases_->AddVendor(r->id, vendor_, coord).ok());
        ASSERT_TRUE(cases_->DiscloseDetails(r->id, vendor_, true, coord).ok());
    }

    static std::string Enc(const std::string& s) {
        std::string out;
        for (unsigned char c : s) {
            if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
                out += static_cast<char>(c);
            } else {
                char buf[4];
                std::snprintf(buf, sizeof buf, "%%%02X", c);
                out += buf;
            }
        }
        return out;
    }

    http::Response PostForm(const std::string& identifier, const std::string& email, const std::string& csrf,
                            const std::string& ip = "192.0.2.50") {
        const std::string body = "csrf=" + csrf + "&identifier=" + Enc(identifier) + "&name=" + Enc("Tsubame Works") +
                                 "&person=" + Enc("Sato") + "&email=" + Enc(email) + "&phone=03-0000";
        http::HeaderList headers{{"Content-Type", "application/x-www-form-urlencoded"},
                                 {"Cookie", "kz_login_csrf=" + kToken}};
        auto req = http::Request::Make("POST", "/related", headers, body);
        EXPECT_TRUE(req.ok());
        req->remote_ip = ip;
        return handler_(*req);
    }

    std::int64_t Count(const std::string& sql) {
        auto lease = db_->Acquire();
        return *(*lease)->QueryInt(sql);
    }

    auth::Principal coord_, reporter_, member_;
    vuln::VendorId vendor_;
    vuln::CaseId case_;
    std::string identifier_;
};

TEST_F(SecondaryWebTest, FormShowsTokenAndRefusesWithoutIt) {
    auto get = Call("GET", "/related", "");
    EXPECT_EQ(get.status, 200);
    EXPECT_NE(get.body.find("name=\"identifier\""), std::string::npos);
    EXPECT_NE(get.body.find("name=\"csrf\""), std::string::npos);

    auto bad = PostForm(identifier_, "sato@tsubame.example.jp", std::string(64, 'b'));
    EXPECT_EQ(bad.status, 403);
    EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'secondary.claim'"), 0);
}

TEST_F(SecondaryWebTest, SameAnswerForRightAndWrongIdentifiers) {
    const std::string c = "/api/v1/cases/" + std::to_string(case_.value());
    auto named = Call("POST", c + "/related-organizations", "v-detail",
                      R"({"name":"Tsubame Works","person":"Sato","email":"sato@tsubame.example.jp"})");
    ASSERT_EQ(named.status, 201) << named.body;
    const std::string rid = std::to_string(nlohmann::json::parse(named.body)["id"].get<std::int64_t>());

    auto unknown = PostForm("JVNVU#99999999", "sato@tsubame.example.jp", kToken);
    auto wrong_org = PostForm(identifier_, "other@example.jp", kToken);
    auto right = PostForm(identifier_, "sato@tsubame.example.jp", kToken);
    EXPECT_EQ(right.status, 200);
    EXPECT_EQ(unknown.status, right.status);
    EXPECT_EQ(wrong_org.status, right.status);
    EXPECT_EQ(unknown.body, right.body);
    EXPECT_EQ(wrong_org.body, right.body);
    EXPECT_EQ(right.body.find(identifier_), std::string::npos);
    EXPECT_EQ(right.body.find("Tsubame"), std::string::npos);
    EXPECT_EQ(Count("SELECT count(*) FROM related_orgs WHERE state = 'claimed'"), 1);

    // The API: vendor sees it, the coordinator approves; anonymous 401, others 404.
    EXPECT_EQ(Status("GET", c + "/related-organizations", ""), 401);
    EXPECT_EQ(Status("GET", c + "/related-organizations", "finder"), 404);
    EXPECT_EQ(Status("GET", c + "/related-organizations", "vendor"), 404);
    EXPECT_EQ(Status("GET", c + "/related-organizations", "v-detail"), 200);
    EXPECT_EQ(Status("POST", c + "/related-organizations/" + rid + "/approve", ""), 401);
    EXPECT_EQ(Status("POST", c + "/related-organizations/" + rid + "/approve", "v-detail"), 404);
    auto list = Call("GET", c + "/related-organizations", "coord");
    ASSERT_EQ(list.status, 200);
    auto j = nlohmann::json::parse(list.body);
    ASSERT_EQ(j["related_organizations"].size(), 1u);
    EXPECT_EQ(j["related_organizations"][0]["state"], "claimed");
    auto approved = Call("POST", c + "/related-organizations/" + rid + "/approve", "coord");
    EXPECT_EQ(approved.status, 200) << approved.body;
    EXPECT_EQ(Count("SELECT count(*) FROM mail_queue WHERE vendor_id IS NULL AND to_address = "
                    "'sato@tsubame.example.jp' AND body LIKE '%SECRET-DETAIL-TEXT%'"),
              1);
    EXPECT_EQ(Call("POST", c + "/related-organizations/" + rid + "/refuse", "coord").status, 409);
}

TEST_F(SecondaryWebTest, TooManyFailuresAnswer429) {
    for (int i = 0; i < vuln::SecondaryService::kMaxClaimFailures; ++i)
        EXPECT_EQ(PostForm("JVNVU#8888888" + std::to_string(i), "x@example.jp", kToken, "198.51.100.99").status, 200);
    auto refused = PostForm(identifier_, "x@example.jp", kToken, "198.51.100.99");
    EXPECT_EQ(refused.status, 429);
    EXPECT_EQ(refused.body.find(identifier_), std::string::npos);
    EXPECT_EQ(PostForm("JVNVU#88888880", "x@example.jp", kToken, "198.51.100.100").status, 200);
    clock_.Advance(std::chrono::minutes(16));
    EXPECT_EQ(PostForm("JVNVU#88888880", "x@example.jp", kToken, "198.51.100.99").status, 200);
}

}  // namespace
}  // namespace kizuna::web
