// V18 over HTTP: the coordinators, constraint, export and import routes as every role. Staff only:
// anonymous 401, everyone else 404 (even a vendor that has the details of the case).
#include <nlohmann/json.hpp>

#include "site_fixture.hpp"

namespace kizuna::web {
namespace {

using nlohmann::json;

class InternationalApiTest : public SiteFixture {
  protected:
    void SetUp() override {
        SiteFixture::SetUp();
        coordinator_ = AddUser("coord2", auth::Role::kCoordinator);
        reporter_ = AddUser("finder", auth::Role::kReporter);
        const vuln::Caller coord{&coordinator_, std::nullopt};
        auto v = vendors_->Create({"Vendor detail", "", vuln::RegistrationKind::kGeneral}, "t");
        ASSERT_TRUE(v.ok());
        ASSERT_TRUE(vendors_->AddContact(*v, {0, "PSIRT", "detail@example.jp", "", true}, "t").ok());
        ASSERT_TRUE(vendors_->AgreeToTerms(*v, "2026-04", "t").ok());
        for (auto st : {vuln::RegistrationState::kDocumentsReceived, vuln::RegistrationState::kMeeting,
                        vuln::RegistrationState::kRegistered})
            ASSERT_TRUE(vendors_->Advance(*v, st, "t", "").ok());
        auth::Principal member = AddUser("v-detail", auth::Role::kVendor);
        ASSERT_TRUE(vendors_->AddMember(*v, member.id, "t").ok());
        vuln::NewCase n;
        n.title = "embargoed case";
        n.summary = "summary text";
        n.details = "SECRET-DETAIL-TEXT";
        n.keywords = {"upnp"};
        auto r = cases_->Submit(n, vuln::Caller{&reporter_, std::nullopt});
        ASSERT_TRUE(r.ok());
        case_ = std::to_string(r->id.value());
        ASSERT_TRUE(cases_->Verify(r->id, vuln::Verification::kReproduced, "", coord).ok());
        ASSERT_TRUE(cases_->AddVendor(r->id, *v, coord).ok());
        ASSERT_TRUE(cases_->DiscloseDetails(r->id, *v, true, coord).ok());
        auto k = international_->AddCoordinator(r->id, {"CERT/CC", "US", "cert@cert.org", "VU#123456", "", {}}, coord);
        ASSERT_TRUE(k.ok());
        coordinator_id_ = std::to_string(k->value());
    }

    auth::Principal coordinator_, reporter_;
    std::string case_, coordinator_id_;
};

TEST_F(InternationalApiTest, RoleTable) {
    const std::string c = "/api/v1/cases/" + case_;
    const std::string doc = Call("GET", c + "/export", "coord").body;
    struct Row {
        std::string method, target, body;
        int anonymous, vendor, reporter, coord, admin;
    };
    const std::vector<Row> rows = {
        {"GET", c + "/coordinators", "", 401, 404, 404, 200, 200},
        {"POST", c + "/coordinators", R"({"name":"NCSC-X","country":"GB"})", 401, 404, 404, 201, 409},
        {"POST", c + "/coordinators/" + coordinator_id_ + "/constraint", R"({"not_before":"2026-05-10T00:00:00Z"})",
         401, 404, 404, 200, 200},
        {"GET", c + "/export", "", 401, 404, 404, 200, 200},
        {"POST", "/api/v1/cases/import", doc, 401, 404, 404, 201, 201},
        {"GET", "/api/v1/cases/99999/coordinators", "", 401, 404, 404, 404, 404},
        {"GET", "/api/v1/cases/99999/export", "", 401, 404, 404, 404, 404},
    };
    for (const auto& row : rows) {
        EXPECT_EQ(Call(row.method, row.target, "", row.body).status, row.anonymous) << row.target << " anonymous";
        EXPECT_EQ(Call(row.method, row.target, "v-detail", row.body).status, row.vendor) << row.target << " vendor";
        EXPECT_EQ(Call(row.method, row.target, "finder", row.body).status, row.reporter) << row.target << " reporter";
        EXPECT_EQ(Call(row.method, row.target, "coord", row.body).status, row.coord) << row.target << " coord";
        // The admin adds the same name again: 409 (AlreadyExists), which still proves access.
        EXPECT_EQ(Call(row.method, row.target, "admin", row.body).status, row.admin) << row.target << " admin";
    }
}

TEST_F(InternationalApiTest, CoordinatorsConstraintExportImport) {
    const std::string c = "/api/v1/cases/" + case_;
    auto added = Call("POST", c + "/coordinators", "coord",
                      R"({"name":"NCSC","country":"GB","case_reference":"NCSC-1","vendors":["Initech"]})");
    ASSERT_EQ(added.status, 201) << added.body;
    const auto ncsc = json::parse(added.body)["id"].get<std::int64_t>();

    auto bad =
        Call("POST", c + "/coordinators/" + std::to_string(ncsc) + "/constraint", "coord", R"({"not_after":"soon"})");
    EXPECT_EQ(bad.status, 400);
    EXPECT_NE(bad.body.find("not_after"), std::string::npos) << bad.body;
    EXPECT_EQ(Call("POST", c + "/coordinators/999/constraint", "coord", R"({})").status, 404);
    EXPECT_EQ(Call("POST", c + "/coordinators/abc/constraint", "coord", R"({})").status, 404);

    ASSERT_EQ(Call("POST", c + "/coordinators/" + coordinator_id_ + "/constraint", "coord",
                   R"({"not_before":"2026-05-20T00:00:00Z"})")
                  .status,
              200);
    ASSERT_EQ(Call("POST", c + "/coordinators/" + std::to_string(ncsc) + "/constraint", "coord",
                   R"({"not_after":"2026-05-10T00:00:00Z","vendors":["Initech","Umbrella"]})")
                  .status,
              200);
    auto view = Call("GET", c + "/coordinators", "coord");
    ASSERT_EQ(view.status, 200);
    auto v = json::parse(view.body);
    ASSERT_EQ(v["coordinators"].size(), 2u);
    EXPECT_EQ(v["coordinators"][1]["vendors"], json::array({"Initech", "Umbrella"}));
    EXPECT_EQ(v["window"]["not_before"], "2026-05-20T00:00:00Z");
    EXPECT_EQ(v["window"]["not_after"], "2026-05-10T00:00:00Z");
    EXPECT_EQ(v["window"]["conflict"], true);

    auto exported = Call("GET", c + "/export", "coord");
    ASSERT_EQ(exported.status, 200);
    auto doc = json::parse(exported.body);
    EXPECT_EQ(doc["format"], "kizuna-case-exchange");
    EXPECT_EQ(doc["version"], 1);
    EXPECT_EQ(doc["case"]["details"], "SECRET-DETAIL-TEXT");

    auto imported = Call("POST", "/api/v1/cases/import", "coord", exported.body);
    ASSERT_EQ(imported.status, 201) << imported.body;
    const auto new_id = json::parse(imported.body)["id"].get<std::int64_t>();
    auto copy = Call("GET", "/api/v1/cases/" + std::to_string(new_id), "coord");
    ASSERT_EQ(copy.status, 200);
    EXPECT_EQ(json::parse(copy.body)["title"], "embargoed case");

    doc["case"].erase("title");
    auto rejected = Call("POST", "/api/v1/cases/import", "coord", doc.dump());
    EXPECT_EQ(rejected.status, 400);
    EXPECT_NE(rejected.body.find("case.title"), std::string::npos) << rejected.body;
}

}  // namespace
}  // namespace kizuna::web
