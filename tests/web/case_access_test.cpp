// Never leaks: every case and vendor endpoint and page, as every role and participation level, against
// the exact set of callers allowed. 401 for anonymous API calls, 303 (login) for anonymous pages, and 404
// for anyone who must not learn that the case exists.
#include <nlohmann/json.hpp>

#include "site_fixture.hpp"

namespace kizuna::web {
namespace {

class CaseAccessTest : public SiteFixture {
  protected:
    void SetUp() override {
        SiteFixture::SetUp();
        coordinator_ = AddUser("coord2", auth::Role::kCoordinator);
        reporter_ = AddUser("finder", auth::Role::kReporter);
        AddUser("finder2", auth::Role::kReporter);
        AddUser("partner", auth::Role::kPartner);
        const vuln::Caller coord{&coordinator_, std::nullopt};
        // Four registered vendors: detail, summary, in the case but told nothing, not in the case.
        for (const std::string name : {"detail", "summary", "untold", "outsider"}) {
            auto v = vendors_->Create({"Vendor " + name, "", vuln::RegistrationKind::kGeneral}, "t");
            ASSERT_TRUE(v.ok());
            ASSERT_TRUE(vendors_->AddContact(*v, {0, "PSIRT", name + "@example.jp", "", true}, "t").ok());
            ASSERT_TRUE(vendors_->AgreeToTerms(*v, "2026-04", "t").ok());
            for (auto st : {vuln::RegistrationState::kDocumentsReceived, vuln::RegistrationState::kMeeting,
                            vuln::RegistrationState::kRegistered})
                ASSERT_TRUE(vendors_->Advance(*v, st, "t", "").ok());
            auth::Principal member = AddUser("v-" + name, auth::Role::kVendor);
            ASSERT_TRUE(vendors_->AddMember(*v, member.id, "t").ok());
            vendor_ids_[name] = *v;
        }
        vuln::NewCase n;
        n.title = "embargoed case";
        n.summary = "summary text";
        n.details = "SECRET-DETAIL-TEXT";
        auto r = cases_->Submit(n, vuln::Caller{&reporter_, std::nullopt});
        ASSERT_TRUE(r.ok());
        case_ = std::to_string(r->id.value());
        identifier_ = r->identifier;
        ASSERT_TRUE(cases_->Verify(r->id, vuln::Verification::kReproduced, "", coord).ok());
        auto att = cases_->AddAttachment(r->id, "poc.txt", vuln::AttachmentKind::kPoc, "text/plain", "POC", coord);
        ASSERT_TRUE(att.ok());
        attachment_ = std::to_string(*att);
        for (const char* name : {"detail", "summary", "untold"})
            ASSERT_TRUE(cases_->AddVendor(r->id, vendor_ids_[name], coord).ok());
        ASSERT_TRUE(cases_->DiscloseDetails(r->id, vendor_ids_["detail"], true, coord).ok());
        ASSERT_TRUE(cases_->SendSummary(r->id, vendor_ids_["summary"], coord).ok());
    }

    std::string V(const std::string& name) { return std::to_string(vendor_ids_[name].value()); }

    auth::Principal coordinator_, reporter_;
    std::map<std::string, vuln::VendorId> vendor_ids_;
    std::string case_, identifier_, attachment_;
};

// Callers, in table order.
const char* const kWho[] = {"", "admin", "coord", "v-detail", "v-summary", "v-untold", "v-outsider", "finder",
                            "finder2", "partner"};

struct Row {
    std::string method, target;
    int expect[10];  // anonymous, admin, coord, detail, summary, untold, outsider, reporter, other reporter, partner
};

TEST_F(CaseAccessTest, EveryCaseEndpointAsEveryCaller) {
    const std::string c = "/api/v1/cases/" + case_;
    const std::vector<Row> rows = {
        {"GET", c, {401, 200, 200, 200, 200, 404, 404, 200, 404, 404}},
        {"GET", "/api/v1/cases/JVNVU%2300000001", {401, 200, 200, 200, 200, 404, 404, 200, 404, 404}},
        {"GET", "/api/v1/cases/99999", {401, 404, 404, 404, 404, 404, 404, 404, 404, 404}},
        {"GET", c + "/suggestions", {401, 200, 200, 404, 404, 404, 404, 404, 404, 404}},
        {"GET", c + "/timeline", {401, 200, 200, 200, 200, 404, 404, 200, 404, 404}},
        {"GET", c + "/countermeasures", {401, 200, 200, 200, 200, 404, 404, 200, 404, 404}},
        {"GET", c + "/mail", {401, 200, 200, 404, 404, 404, 404, 404, 404, 404}},
        {"GET", c + "/messages?thread=vendor:" + V("detail"), {401, 200, 200, 200, 403, 404, 404, 403, 404, 404}},
        {"GET", c + "/messages?thread=reporter", {401, 200, 200, 403, 403, 404, 404, 200, 404, 404}},
        {"GET", c + "/attachments/" + attachment_, {401, 200, 200, 200, 404, 404, 404, 200, 404, 404}},
        {"GET", "/cases/" + case_, {303, 200, 200, 200, 200, 404, 404, 200, 404, 404}},
        {"GET", "/cases", {303, 200, 200, 200, 200, 200, 200, 200, 200, 200}},
        {"GET", "/api/v1/vendors", {401, 200, 200, 404, 404, 404, 404, 404, 404, 404}},
        {"GET", "/api/v1/vendors/" + V("detail"), {401, 200, 200, 200, 404, 404, 404, 404, 404, 404}},
        {"GET", "/api/v1/vendors/stats/registered", {401, 200, 200, 404, 404, 404, 404, 404, 404, 404}},
        // Changes: coordinator actions are 404 for everyone else; vendor actions need the right level.
        {"POST", c + "/vendors/" + V("summary") + "/details", {401, 409, 409, 404, 404, 404, 404, 404, 404, 404}},
        {"POST", c + "/vendors/" + V("untold") + "/summary", {401, 200, 409, 404, 404, 404, 404, 404, 404, 404}},
        {"POST", c + "/verification", {401, 409, 409, 404, 404, 404, 404, 404, 404, 404}},
        {"POST", "/api/v1/vendors/" + V("detail") + "/terms", {401, 200, 200, 404, 404, 404, 404, 404, 404, 404}},
        // The schedule: the date is confidential to staff and the vendors taking part (V10). ("untold" was
        // sent the summary by the admin's row above, so it takes part now.)
        {"GET", c + "/schedule", {401, 200, 200, 200, 200, 200, 404, 404, 404, 404}},
        {"POST", c + "/schedule/decision", {401, 200, 200, 404, 404, 404, 404, 404, 404, 404}},
        {"POST", c + "/schedule/accept", {401, 403, 403, 409, 409, 409, 404, 403, 404, 404}},
        {"GET", c + "/unreachable", {401, 200, 200, 404, 404, 404, 404, 404, 404, 404}},
        // Early notices to critical infrastructure (V11): staff only.
        {"GET", c + "/early-notices", {401, 200, 200, 404, 404, 404, 404, 404, 404, 404}},
        {"POST", c + "/early-notices", {401, 409, 409, 404, 404, 404, 404, 404, 404, 404}},
        {"GET", "/api/v1/infrastructure", {401, 200, 200, 404, 404, 404, 404, 404, 404, 404}},
        // A leak brings the date forward: once (the second call would not be earlier).
        {"POST", c + "/leak", {401, 200, 400, 404, 404, 404, 404, 404, 404, 404}},
    };
    const std::map<std::string, std::string> bodies = {
        {c + "/verification", R"({"result":"reproduced"})"},
        {"/api/v1/vendors/" + V("detail") + "/terms", R"({"version":"2026-05"})"},
        {c + "/schedule/decision", R"({"publish_at":"2027-01-15T01:00:00Z","reason":"overseas coordination"})"},
        {c + "/early-notices", R"({"sectors":["finance"],"reason":"bank routers affected"})"},
        {c + "/leak", R"({"reason":"PoC published"})"},
    };
    for (const Row& row : rows) {
        for (int i = 0; i < 10; ++i) {
            auto it = bodies.find(row.target);
            const std::string body = it == bodies.end() ? (row.method == "POST" ? "{}" : "") : it->second;
            EXPECT_EQ(Call(row.method, row.target, kWho[i], body).status, row.expect[i])
                << row.method << " " << row.target << " as " << (*kWho[i] ? kWho[i] : "anonymous");
        }
    }
}

TEST_F(CaseAccessTest, DetailOnlyForDetailLevelAndTheReporter) {
    const std::string c = "/api/v1/cases/" + case_;
    for (const char* who : {"admin", "coord", "v-detail", "finder"}) {
        auto r = Call("GET", c, who);
        EXPECT_NE(r.body.find("SECRET-DETAIL-TEXT"), std::string::npos) << who;
    }
    auto summary = Call("GET", c, "v-summary");
    EXPECT_EQ(summary.status, 200);
    EXPECT_EQ(summary.body.find("SECRET-DETAIL-TEXT"), std::string::npos);
    EXPECT_EQ(summary.body.find("poc.txt"), std::string::npos);
    EXPECT_EQ(summary.body.find("Vendor detail"), std::string::npos);  // no other vendors' names
    auto page = Call("GET", "/cases/" + case_, "v-summary");
    EXPECT_EQ(page.body.find("SECRET-DETAIL-TEXT"), std::string::npos);
    EXPECT_EQ(page.body.find("Vendor detail"), std::string::npos);
    auto reporter = Call("GET", c, "finder");
    EXPECT_EQ(reporter.body.find("Vendor detail"), std::string::npos);  // reporters do not see the vendors
}

TEST_F(CaseAccessTest, ListsHoldOnlyVisibleCases) {
    const std::map<std::string, std::size_t> expected = {{"admin", 1}, {"coord", 1}, {"v-detail", 1}, {"v-summary", 1},
                                                         {"v-untold", 0}, {"v-outsider", 0}, {"finder", 1},
                                                         {"finder2", 0}, {"partner", 0}};
    for (const auto& [who, n] : expected) {
        auto r = Call("GET", "/api/v1/cases", who);
        ASSERT_EQ(r.status, 200) << who;
        auto json = nlohmann::json::parse(r.body);
        EXPECT_EQ(json["cases"].size(), n) << who;
        for (const auto& item : json["cases"]) EXPECT_TRUE(item.contains("id"));
    }
    EXPECT_EQ(Call("GET", "/api/v1/cases", "").status, 401);
}

TEST_F(CaseAccessTest, VendorsReportOnlyAtDetailLevel) {
    const std::string c = "/api/v1/cases/" + case_;
    const std::string body = R"({"status":"affected","public_text":"fixed in 2.0","urls":["https://example.jp/a"]})";
    EXPECT_EQ(Call("POST", c + "/status", "v-summary", body).status, 409);
    EXPECT_EQ(Call("POST", c + "/status", "v-untold", body).status, 404);
    EXPECT_EQ(Call("POST", c + "/status", "v-detail", body).status, 200);
    EXPECT_EQ(Call("POST", c + "/answer", "v-summary", R"({"answer":"request_details"})").status, 200);
    EXPECT_EQ(Call("POST", c + "/answer", "v-outsider", R"({"answer":"request_details"})").status, 404);
    auto bad = Call("POST", c + "/status", "v-detail", R"({"status":"maybe"})");
    EXPECT_EQ(bad.status, 400);
    EXPECT_NE(bad.body.find("\"field\":\"status\""), std::string::npos);
}

}  // namespace
}  // namespace kizuna::web
