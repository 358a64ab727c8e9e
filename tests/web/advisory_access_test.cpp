// Advisories never leak: every advisory page, vendor page, list, search, statistics, CSV and API endpoint,
// as every caller, before and after the release instant. Before it the advisory is 404 for everyone but
// coordinators (and admins, who may look), and leaves no trace — not its id, title or CVE — in the list,
// search, statistics or CSV; after it everything is public at once.
#include <nlohmann/json.hpp>

#include "site_fixture.hpp"

namespace kizuna::web {
namespace {

constexpr const char* kSecretTitle = "SECRET-ADVISORY-TITLE";
constexpr const char* kCve = "CVE-2026-55555";

class AdvisoryAccessTest : public SiteFixture {
  protected:
    void SetUp() override {
        SiteFixture::SetUp();
        coordinator_ = AddUser("coord2", auth::Role::kCoordinator);
        reporter_ = AddUser("finder", auth::Role::kReporter);
        AddUser("partner", auth::Role::kPartner);
        const vuln::Caller coord{&coordinator_, std::nullopt};
        for (const std::string name : {"detail", "summary", "outsider"}) {
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
        n.details = "detail";
        n.source = vuln::Source::kCertCc;  // CERT/CC reports through a coordinator
        auto r = cases_->Submit(n, coord);
        ASSERT_TRUE(r.ok());
        case_id_ = r->id;
        case_ = std::to_string(r->id.value());
        ASSERT_TRUE(cases_->Verify(r->id, vuln::Verification::kReproduced, "", coord).ok());
        for (const char* name : {"detail", "summary"}) ASSERT_TRUE(cases_->AddVendor(r->id, vendor_ids_[name], coord).ok());
        ASSERT_TRUE(cases_->DiscloseDetails(r->id, vendor_ids_["detail"], true, coord).ok());
        ASSERT_TRUE(cases_->SendSummary(r->id, vendor_ids_["summary"], coord).ok());

        content_ = R"({"title": {"ja": ")" + std::string(kSecretTitle) +
                   R"( <script>alert(1)</script>", "en": "English title"},
                   "overview": {"ja": "概要", "en": "Overview"},
                   "cvss_v31": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                   "cve_ids": [")" + std::string(kCve) + R"("]})";
        auto saved = Call("PUT", "/api/v1/cases/" + case_ + "/advisory", "coord", content_);
        ASSERT_EQ(saved.status, 200) << saved.body;
        auto body = nlohmann::json::parse(saved.body);
        slug_ = body["slug"];
        advisory_id_ = body["advisory_id"];
        vendor_key_ = "v" + V("detail");
    }

    void Release() {
        ASSERT_TRUE(db_->InTransaction([&](store::Connection& c) { return schedule_->Release(c, case_id_); }).ok());
    }

    std::string V(const std::string& name) { return std::to_string(vendor_ids_[name].value()); }

    auth::Principal coordinator_, reporter_;
    std::map<std::string, vuln::VendorId> vendor_ids_;
    vuln::CaseId case_id_;
    std::string case_, slug_, advisory_id_, vendor_key_, content_;
};

const char* const kWho[] = {"", "admin", "coord", "v-detail", "v-summary", "v-outsider", "finder", "partner"};

struct Row {
    std::string method, target;
    int expect[8];  // anonymous, admin, coord, detail, summary, outsider, reporter, partner
};

void CheckTable(AdvisoryAccessTest* t, const std::vector<Row>& rows,
                const std::function<int(const std::string&, const std::string&, const std::string&)>& status) {
    for (const Row& row : rows)
        for (int i = 0; i < 8; ++i)
            EXPECT_EQ(status(row.method, row.target, kWho[i]), row.expect[i])
                << row.method << " " << row.target << " as '" << kWho[i] << "'";
    (void)t;
}

TEST_F(AdvisoryAccessTest, EveryEndpointAsEveryCallerBeforeAndAfterRelease) {
    EXPECT_EQ(advisory_id_.rfind("JVNVU#", 0), 0u);  // via CERT/CC
    const std::string page = "/advisories/" + slug_;
    const std::string api = "/api/v1/cases/" + case_ + "/advisory";
    auto status = [&](const std::string& m, const std::string& target, const std::string& who) {
        if (m == "PUT") return Call(m, target, who, content_).status;
        return Status(m, target, who);
    };
    const std::vector<Row> before = {
        {"GET", page, {404, 200, 200, 404, 404, 404, 404, 404}},
        {"GET", "/advisories/JVNVU%23" + slug_.substr(5), {404, 200, 200, 404, 404, 404, 404, 404}},
        {"GET", page + "/vendors/" + vendor_key_, {404, 200, 200, 404, 404, 404, 404, 404}},
        {"GET", page + "/vendors/v999", {404, 404, 404, 404, 404, 404, 404, 404}},
        {"GET", "/advisories/JVNVU99999999", {404, 404, 404, 404, 404, 404, 404, 404}},
        {"GET", "/advisories/", {200, 200, 200, 200, 200, 200, 200, 200}},
        {"GET", "/stats", {200, 200, 200, 200, 200, 200, 200, 200}},
        {"GET", "/stats/advisories.csv", {200, 200, 200, 200, 200, 200, 200, 200}},
        {"GET", "/stats/vendors.csv", {200, 200, 200, 200, 200, 200, 200, 200}},
        {"GET", "/api/v1/advisories", {200, 200, 200, 200, 200, 200, 200, 200}},
        {"GET", api, {401, 200, 200, 404, 404, 404, 404, 404}},
        {"PUT", api, {401, 404, 200, 404, 404, 404, 404, 404}},
        {"GET", "/cases/" + case_ + "/advisory", {303, 200, 200, 404, 404, 404, 404, 404}},
    };
    CheckTable(this, before, status);

    // No trace anywhere public, for anyone but staff.
    for (const std::string who : {"", "v-detail", "v-summary", "finder", "partner"}) {
        const std::vector<std::string> targets = {"/advisories/", "/advisories/?q=" + std::string(kCve),
                                                  "/advisories/?q=SECRET", "/stats", "/stats/advisories.csv",
                                                  "/api/v1/advisories", "/api/v1/advisories?q=" + std::string(kCve)};
        for (const std::string& target : targets) {
            auto r = Call("GET", target, who);
            EXPECT_EQ(r.body.find(slug_.substr(5)), std::string::npos) << target << " as " << who;
            EXPECT_EQ(r.body.find("SECRET-ADVISORY"), std::string::npos) << target << " as " << who;
            // The search box echoes the query; elsewhere the CVE id must not appear.
            if (target.find("q=") == std::string::npos) {
                EXPECT_EQ(r.body.find(kCve), std::string::npos) << target;
            }
            if (target.starts_with("/api/")) {
                EXPECT_EQ(nlohmann::json::parse(r.body)["total"], 0) << target;
            }
        }
    }
    EXPECT_EQ(Call("GET", "/stats/advisories.csv", "").body,
              "quarter,domestic,certcc,cpni,cumulative_domestic,cumulative_certcc,cumulative_cpni\r\n");

    Release();
    const std::vector<Row> after = {
        {"GET", page, {200, 200, 200, 200, 200, 200, 200, 200}},
        {"GET", page + "/vendors/" + vendor_key_, {200, 200, 200, 200, 200, 200, 200, 200}},
        {"GET", page + "/vendors/v" + V("summary"), {404, 404, 404, 404, 404, 404, 404, 404}},  // never got details
        {"GET", api, {404, 200, 200, 404, 404, 404, 404, 404}},
        {"PUT", api, {401, 404, 200, 404, 404, 404, 404, 404}},
    };
    CheckTable(this, after, status);
    auto list = Call("GET", "/advisories/?q=" + std::string(kCve), "");
    EXPECT_NE(list.body.find(slug_), std::string::npos);
    auto api_list = nlohmann::json::parse(Call("GET", "/api/v1/advisories?q=vendor%20detail", "").body);
    EXPECT_EQ(api_list["total"], 1);
    auto csv = Call("GET", "/stats/advisories.csv", "").body;
    EXPECT_NE(csv.find(",0,1,0,0,1,0\r\n"), std::string::npos) << csv;
}

TEST_F(AdvisoryAccessTest, PageHasFigureOneSectionsEscapedInBothLanguages) {
    Release();
    auto ja = Call("GET", "/advisories/" + slug_, "");
    ASSERT_EQ(ja.status, 200);
    // Escaped, never executed.
    EXPECT_EQ(ja.body.find("<script>alert(1)"), std::string::npos);
    EXPECT_NE(ja.body.find("&lt;script&gt;alert(1)"), std::string::npos);
    std::size_t last = 0;
    // Figure 1's order; sections without content (this advisory has no details, references, ...) are left out.
    for (const char* heading : {"概要", "ベンダ情報", "調整機関による脆弱性分析結果", "更新履歴"}) {
        const auto at = ja.body.find(std::string("<h2>") + heading + "</h2>");
        ASSERT_NE(at, std::string::npos) << heading;
        EXPECT_GT(at, last) << heading << " out of order";
        last = at;
    }
    for (const char* empty : {"影響を受けるシステム", "詳細情報", "想定される影響", "対策方法", "参考情報",
                              "調整機関からの補足情報", "謝辞", "関連文書"})
        EXPECT_EQ(ja.body.find(std::string("<h2>") + empty + "</h2>"), std::string::npos) << empty;
    EXPECT_NE(ja.body.find("data-testid=\"vendor-table\""), std::string::npos);
    EXPECT_NE(ja.body.find("不明"), std::string::npos);  // the detail vendor never reported
    EXPECT_NE(ja.body.find("/advisories/" + slug_ + "/vendors/" + vendor_key_), std::string::npos);
    EXPECT_NE(ja.body.find("9.8"), std::string::npos);
    auto list = Call("GET", "/advisories/?q=SECRET", "");
    EXPECT_NE(list.body.find(std::string(kSecretTitle) + " &lt;script&gt;"), std::string::npos);
    EXPECT_EQ(list.body.find("<script>alert(1)"), std::string::npos);
    auto en = Call("GET", "/advisories/" + slug_ + "?lang=en", "");
    EXPECT_NE(en.body.find("English title"), std::string::npos);
    EXPECT_NE(en.body.find("<h2>Vendor Status</h2>"), std::string::npos);
    // The cached anonymous page follows a later vendor report (V15) once its one-second revalidation is due.
    const vuln::Caller coord{&coordinator_, std::nullopt};
    clock_.Advance(std::chrono::hours(48));
    ASSERT_TRUE(cases_->ReportStatus(case_id_, {vuln::VendorStatus::kAffected, "Fixed in 2.0"}, coord,
                                     vendor_ids_["detail"])
                    .ok());
    auto again = Call("GET", "/advisories/" + slug_ + "?lang=en", "");
    EXPECT_NE(again.body.find("Fixed in 2.0"), std::string::npos);
    EXPECT_NE(again.body.find("Status of Vendor detail updated"), std::string::npos);
    auto vendor = Call("GET", "/advisories/" + slug_ + "/vendors/" + vendor_key_, "");
    EXPECT_NE(vendor.body.find("Vendor detail の脆弱性 " + advisory_id_ + " への対応"), std::string::npos);
    EXPECT_NE(vendor.body.find("Fixed in 2.0"), std::string::npos);
}

TEST_F(AdvisoryAccessTest, InvalidInputNamesTheField) {
    auto r = Call("PUT", "/api/v1/cases/" + case_ + "/advisory", "coord",
                  R"({"title": "t", "overview": "o", "cvss_v40": "CVSS:4.0/AV:N"})");
    EXPECT_EQ(r.status, 400);
    EXPECT_NE(r.body.find("cvss_v40"), std::string::npos) << r.body;
    r = Call("PUT", "/api/v1/cases/" + case_ + "/advisory", "coord", R"({"title": "t", "overview": "o", "cve_ids": ["CVE-1"]})");
    EXPECT_EQ(r.status, 400);
    EXPECT_NE(r.body.find("cve_ids[0]"), std::string::npos) << r.body;
}

}  // namespace
}  // namespace kizuna::web
