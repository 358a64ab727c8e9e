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
        case_id_ = r->id;
        identifier_ = r->identifier;
        receipt_ = r->receipt_id;
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

    static std::string Enc(const std::string& s) {
        std::string out;
        for (unsigned char ch : s) {
            if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.') {
                out += static_cast<char>(ch);
            } else {
                char buf[4];
                std::snprintf(buf, sizeof buf, "%%%02X", ch);
                out += buf;
            }
        }
        return out;
    }

    // A form post as `who` (bearer token: no CSRF token needed), or anonymous with the double-submit cookie.
    http::Response PostForm(const std::string& target, const std::string& who, const std::string& body,
                            const std::string& ip = "192.0.2.1") {
        http::HeaderList headers{{"Content-Type", "application/x-www-form-urlencoded"}};
        if (!who.empty()) headers.push_back({"Authorization", "Bearer " + secrets_[who]});
        else headers.push_back({"Cookie", "kz_login_csrf=" + std::string(64, 'a')});
        auto req = http::Request::Make("POST", target, headers, body);
        EXPECT_TRUE(req.ok());
        req->remote_ip = ip;
        return handler_(*req);
    }

    std::int64_t Count(const std::string& sql) {
        auto lease = db_->Acquire();
        return *(*lease)->QueryInt(sql);
    }

    auth::Principal coordinator_, reporter_;
    std::map<std::string, vuln::VendorId> vendor_ids_;
    vuln::CaseId case_id_;
    std::string case_, identifier_, attachment_, receipt_;
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
        // The decided date (row above) is what vendors answer to.
        {"POST", c + "/schedule/accept", {401, 403, 403, 200, 200, 200, 404, 403, 404, 404}},
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

// Issue 12: anonymous lookups by identifier or receipt id answer 401 before anything is looked up, so a
// real identifier cannot be told from an invented one.
TEST_F(CaseAccessTest, AnonymousLookupsAnswer401BeforeAnyLookup) {
    for (const std::string& id : {Enc(identifier_), Enc(receipt_), std::string("JVNVU%2399999999"),
                                  std::string("R-0000-0000-0000"), std::string("no-such-thing")}) {
        for (const char* sub : {"", "/timeline", "/schedule", "/messages?thread=reporter"}) {
            auto r = Call("GET", "/api/v1/cases/" + id + sub, "");
            EXPECT_EQ(r.status, 401) << id << sub;
        }
    }
    // Logged in, the unknown identifier is 404 and the known one follows the policy.
    EXPECT_EQ(Call("GET", "/api/v1/cases/JVNVU%2399999999", "coord").status, 404);
    EXPECT_EQ(Call("GET", "/api/v1/cases/" + Enc(receipt_), "finder").status, 200);
    EXPECT_EQ(Call("GET", "/api/v1/cases/" + Enc(receipt_), "v-outsider").status, 404);
}

// Issue 12: asking for a vendor's registration names nobody to a caller outside the case.
TEST_F(CaseAccessTest, RegistrationRequestDecidesAccessBeforeLoadingTheVendor) {
    const std::string body = R"({"channel":"email","address":"psirt@example.jp"})";
    for (const std::string& vendor : {V("detail"), V("outsider"), std::string("999999")}) {
        const std::string target = "/api/v1/cases/" + case_ + "/vendors/" + vendor + "/registration-request";
        for (const char* who : {"v-detail", "v-summary", "v-outsider", "finder", "finder2", "partner"}) {
            auto r = Call("POST", target, who, body);
            EXPECT_EQ(r.status, 404) << who << " " << vendor;
            EXPECT_EQ(r.body.find("Vendor "), std::string::npos) << r.body;
            EXPECT_EQ(r.body.find("registered"), std::string::npos) << r.body;
        }
        EXPECT_EQ(Call("POST", target, "", body).status, 401);
    }
    // The coordinator still learns what it needs.
    auto coord = Call("POST", "/api/v1/cases/" + case_ + "/vendors/" + V("detail") + "/registration-request", "coord", body);
    EXPECT_EQ(coord.status, 409);
    EXPECT_NE(coord.body.find("already registered"), std::string::npos);
    EXPECT_EQ(Count("SELECT count(*) FROM contact_attempts"), 0);
}

// Issue 12: a vendor's case list counts only the vendors it may know about (itself), a reporter none.
TEST_F(CaseAccessTest, VendorCountOnlyCountsWhatTheCallerMayKnow) {
    const std::map<std::string, int> expected = {{"coord", 3}, {"admin", 3}, {"v-detail", 1}, {"v-summary", 1},
                                                 {"finder", 0}};
    for (const auto& [who, n] : expected) {
        auto r = Call("GET", "/api/v1/cases", who);
        ASSERT_EQ(r.status, 200) << who;
        auto json = nlohmann::json::parse(r.body);
        ASSERT_EQ(json["cases"].size(), 1u) << who;
        EXPECT_EQ(json["cases"][0]["vendor_count"], n) << who;
    }
}

// Issue 12: thread names are matched exactly; a suffix does not make a new hidden thread.
TEST_F(CaseAccessTest, ThreadNamesAreMatchedExactly) {
    const std::string c = "/api/v1/cases/" + case_;
    for (const std::string& thread : {"vendor:" + V("detail") + "-hidden", "vendor:0" + V("detail"),
                                      "vendor:" + V("detail") + " ", "vendor:+" + V("detail"), std::string("reporterx")}) {
        for (const char* who : {"v-detail", "coord", "finder"}) {
            auto post = Call("POST", c + "/messages", who,
                             nlohmann::json{{"thread", thread}, {"body", "hello"}}.dump());
            EXPECT_EQ(post.status, 400) << who << " " << thread << " " << post.body;
        }
        EXPECT_EQ(Call("GET", c + "/messages?thread=" + Enc(thread), "coord").status, 400) << thread;
    }
    EXPECT_EQ(Count("SELECT count(*) FROM messages WHERE thread NOT IN ('reporter') AND thread NOT LIKE 'vendor:%'"), 0);
    EXPECT_EQ(Count("SELECT count(*) FROM messages WHERE thread LIKE '%hidden%'"), 0);
    EXPECT_EQ(Call("POST", c + "/messages", "v-detail",
                   nlohmann::json{{"thread", "vendor:" + V("detail")}, {"body", "hello"}}.dump())
                  .status,
              201);
}

// Issue 12: nothing about an embargoed case stays in a cache.
TEST_F(CaseAccessTest, CasePagesAndCaseJsonAreNoStore) {
    const std::string c = "/api/v1/cases/" + case_;
    for (const char* who : {"coord", "v-detail", "v-summary", "finder"}) {
        for (const std::string& target : {c, "/api/v1/cases/" + Enc(identifier_), c + "/timeline", c + "/schedule",
                                          "/cases/" + case_}) {
            auto r = Call("GET", target, who);
            const bool hidden = target.find("schedule") != std::string::npos && std::string(who) == "finder";
            ASSERT_EQ(r.status, hidden ? 404 : 200) << who << " " << target;
            if (!hidden) {
                EXPECT_EQ(r.Header("Cache-Control"), "no-store") << who << " " << target;
            }
        }
    }
}

// Issue 12: banners show message codes from a fixed list, never text from the query string.
TEST_F(CaseAccessTest, BannersTakeMessageCodesNotText) {
    const std::string page = "/cases/" + case_;
    auto injected = Call("GET", page + "?lang=en&error=Your+account+is+locked.+Call+%2B81-3-0000-0000", "coord");
    ASSERT_EQ(injected.status, 200);
    EXPECT_EQ(injected.body.find("Call +81"), std::string::npos);
    EXPECT_EQ(injected.body.find("data-testid=\"flash-error\""), std::string::npos);
    auto code = Call("GET", page + "?lang=en&error=precondition&field=publish_at", "coord");
    EXPECT_NE(code.body.find("This cannot be done in the case"), std::string::npos);
    auto ja = Call("GET", page + "?lang=ja&error=invalid&field=%3Cb%3E", "coord");
    EXPECT_NE(ja.body.find("入力内容を受け付けられませんでした。"), std::string::npos);
    EXPECT_EQ(ja.body.find("&lt;b&gt;"), std::string::npos);
    // A refused action shows the page again (issue 13: what was typed stays) with the error in words: the
    // service's English message text is not on it.
    auto refused = PostForm(page + "/act?lang=en", "coord", "action=decide&publish_at=yesterday&reason=x");
    ASSERT_EQ(refused.status, 422);
    EXPECT_NE(refused.body.find("Enter a date and time in the future"), std::string::npos);
    EXPECT_EQ(refused.body.find("RFC 3339"), std::string::npos);
    auto precondition = PostForm(page + "/act?lang=en", "coord", "action=summary&vendor=" + V("detail"));
    EXPECT_EQ(precondition.status, 409);
    EXPECT_NE(precondition.body.find("This cannot be done in the case"), std::string::npos);
}

// Issue 12: the report form is throttled per client address (and the limit is per address).
TEST_F(CaseAccessTest, ReportFormIsThrottledPerAddress) {
    const std::string csrf(64, 'a');
    auto report = [&](const std::string& ip, int n) {
        return PostForm("/report", "",
                        "csrf=" + csrf + "&title=t" + std::to_string(n) + "&details=d&reporter_email=a%40example.jp",
                        ip);
    };
    for (int i = 0; i < report_throttle_.max_reports; ++i) ASSERT_EQ(report("198.51.100.7", i).status, 201) << i;
    auto refused = report("198.51.100.7", 99);
    EXPECT_EQ(refused.status, 429);
    EXPECT_NE(refused.body.find("お使いのアドレスからの届出が多すぎます"), std::string::npos);
    EXPECT_EQ(report("198.51.100.8", 100).status, 201);  // another address
    EXPECT_EQ(Count("SELECT count(*) FROM cases"), 1 + report_throttle_.max_reports + 1);
    clock_.Advance(report_throttle_.window + std::chrono::seconds(1));
    EXPECT_EQ(report("198.51.100.7", 101).status, 201);
}

// Issue 12 (V10): a vendor's reason for another date stays with its request; the other vendors never see it.
TEST_F(CaseAccessTest, DateChangeReasonIsSeenOnlyByCoordinatorsAndTheAskingVendor) {
    const std::string c = "/api/v1/cases/" + case_;
    ASSERT_EQ(Call("POST", c + "/schedule/proposal", "coord",
                   R"({"publish_at":"2027-01-15T01:00:00Z","reason":"overseas coordination"})")
                  .status,
              200);
    auto asked = Call("POST", c + "/schedule/change-requests", "v-detail",
                      R"({"publish_at":"2027-02-01T01:00:00Z","reason":"SECRET-REASON firmware for model X9"})");
    ASSERT_EQ(asked.status, 200) << asked.body;
    const auto request = nlohmann::json::parse(asked.body)["id"];
    ASSERT_TRUE(request.is_number_integer()) << asked.body;
    EXPECT_EQ(request.get<std::int64_t>(), Count("SELECT max(id) FROM date_change_requests"));
    ASSERT_EQ(Call("POST", c + "/schedule/change-requests/" + std::to_string(request.get<std::int64_t>()) + "/decision",
                   "coord", R"({"grant":true})")
                  .status,
              200);
    for (const char* who : {"v-summary"}) {
        for (const std::string& target : {c + "/schedule", "/cases/" + case_, c + "/timeline", c}) {
            auto r = Call("GET", target, who);
            EXPECT_EQ(r.status, 200) << who << " " << target;
            EXPECT_EQ(r.body.find("SECRET-REASON"), std::string::npos) << who << " " << target;
        }
        auto sched = nlohmann::json::parse(Call("GET", c + "/schedule", who).body);
        EXPECT_EQ(sched["publish_at"], "2027-02-01T01:00:00Z");
    }
    EXPECT_NE(Call("GET", c + "/schedule", "v-detail").body.find("SECRET-REASON"), std::string::npos);
    EXPECT_NE(Call("GET", c + "/schedule", "coord").body.find("SECRET-REASON"), std::string::npos);
    EXPECT_EQ(Count("SELECT count(*) FROM cases WHERE publish_reason LIKE '%SECRET-REASON%'"), 0);
}

// Issue 12 (V9): a new date needs a new answer from everyone, and the coordinator sees who agreed to it.
TEST_F(CaseAccessTest, MovingTheDateResetsAnswersAndShowsWhoAgreed) {
    const std::string c = "/api/v1/cases/" + case_;
    auto agreement = [&]() { return nlohmann::json::parse(Call("GET", c + "/schedule", "coord").body)["agreement"]; };
    ASSERT_EQ(Call("POST", c + "/schedule/proposal", "coord",
                   R"({"publish_at":"2027-01-15T01:00:00Z","reason":"overseas coordination"})")
                  .status,
              200);
    ASSERT_EQ(Call("POST", c + "/schedule/accept", "v-detail").status, 200);
    ASSERT_EQ(Call("POST", c + "/schedule/accept", "v-summary").status, 200);
    auto a = agreement();
    EXPECT_EQ(a["date"], "2027-01-15T01:00:00Z");
    EXPECT_EQ(a["agreed"].size(), 2u);
    EXPECT_EQ(a["not_agreed"].size(), 0u);
    // Deciding the date everyone agreed to keeps the answers.
    ASSERT_EQ(Call("POST", c + "/schedule/decision", "coord",
                   R"({"publish_at":"2027-01-15T01:00:00Z","reason":"overseas coordination"})")
                  .status,
              200);
    EXPECT_EQ(agreement()["agreed"].size(), 2u);
    // Another date: nobody has agreed to it yet.
    ASSERT_EQ(Call("POST", c + "/schedule/decision", "coord",
                   R"({"publish_at":"2027-01-20T01:00:00Z","reason":"overseas coordination"})")
                  .status,
              200);
    a = agreement();
    EXPECT_EQ(a["date"], "2027-01-20T01:00:00Z");
    EXPECT_EQ(a["agreed"].size(), 0u);
    EXPECT_EQ(a["not_agreed"].size(), 2u);
    auto mine = nlohmann::json::parse(Call("GET", c + "/schedule", "v-detail").body);
    EXPECT_EQ(mine["vendors"][0]["date_answer"], "none");
    EXPECT_EQ(mine["vendors"][0]["agreed_to_current"], false);
    // The vendor answers the decided date; the coordinator's page says who has and has not.
    ASSERT_EQ(Call("POST", c + "/schedule/accept", "v-detail").status, 200);
    a = agreement();
    ASSERT_EQ(a["agreed"].size(), 1u);
    EXPECT_EQ(a["agreed"][0], vendor_ids_["detail"].value());
    auto page = Call("GET", "/cases/" + case_ + "?lang=en", "coord");
    EXPECT_NE(page.body.find("<tr data-vendor=\"Vendor detail\"><td>Vendor detail</td><td data-testid=\"date-answer\" "
                             "class=\"ok\">agreed</td>"),
              std::string::npos)
        << page.body;
    EXPECT_NE(page.body.find("<td>Vendor summary</td><td data-testid=\"date-answer\" class=\"muted\">no answer yet</td>"),
              std::string::npos);
    auto vendor_page = Call("GET", "/cases/" + case_ + "?lang=en", "v-detail");
    EXPECT_NE(vendor_page.body.find("data-testid=\"you-agreed\""), std::string::npos);
    EXPECT_EQ(vendor_page.body.find("data-testid=\"accept-date\""), std::string::npos);
    EXPECT_NE(Call("GET", "/cases/" + case_ + "?lang=en", "v-summary").body.find("data-testid=\"accept-date\""),
              std::string::npos);
}

// Seed 001 2-3 on the page: the rule counts calendar months and names the zone it counts in.
TEST_F(CaseAccessTest, UnreachableRuleStatesTheTimeZone) {
    auto page = Call("GET", "/cases/" + case_ + "?lang=en", "coord");
    EXPECT_NE(page.body.find("three calendar months"), std::string::npos);
    EXPECT_NE(page.body.find("(days counted in the time zone Asia/Tokyo)"), std::string::npos);
    auto ja = Call("GET", "/cases/" + case_ + "?lang=ja", "coord");
    EXPECT_NE(ja.body.find("タイムゾーン Asia/Tokyo"), std::string::npos);
}

// Issue 13: the case page's new forms (close, reject, owner, add any vendor) answer exactly as for a case
// that does not exist to everyone but staff: no oracle, and nothing changes.
TEST_F(CaseAccessTest, NewCaseFormsAreRefusedLikeAMissingCase) {
    const std::string real = "/cases/" + case_ + "/act";
    const std::string missing = "/cases/99999/act";
    const std::vector<std::string> bodies = {
        "action=close&reason=duplicate", "action=reject&reason=not+a+vulnerability",
        "action=owner&owner=" + std::to_string(coordinator_.id.value()), "action=add_vendor&vendor=" + V("outsider")};
    for (const std::string& body : bodies) {
        for (const char* who : {"", "v-outsider", "finder", "finder2", "v-detail", "v-summary", "v-untold", "partner"}) {
            auto on_real = PostForm(real, who, body);
            auto on_missing = PostForm(missing, who, body);
            EXPECT_EQ(on_real.status, *who ? 404 : 303) << body << " as " << (*who ? who : "anonymous");
            EXPECT_EQ(on_real.status, on_missing.status) << body << " as " << (*who ? who : "anonymous");
            // The same page, but for the path (the layout's language links name the current path).
            std::string real_body = on_real.body;
            for (auto at = real_body.find(real); at != std::string::npos; at = real_body.find(real, at + missing.size()))
                real_body.replace(at, real.size(), missing);
            EXPECT_EQ(real_body, on_missing.body) << body << " as " << (*who ? who : "anonymous");
            EXPECT_EQ(on_real.Header("Location"), on_missing.Header("Location")) << body;
        }
    }
    EXPECT_EQ(Count("SELECT count(*) FROM cases WHERE state IN ('closed','rejected') OR owner_user_id IS NOT NULL"), 0);
    EXPECT_EQ(Count("SELECT count(*) FROM case_vendors WHERE vendor_id = " + V("outsider")), 0);
    // Without a CSRF token a browser session cannot post them either (bearer calls need none).
    // Staff can: each redirects back with what was done.
    auto added = PostForm(real, "coord", "action=add_vendor&vendor=" + V("outsider"));
    EXPECT_EQ(added.status, 303);
    EXPECT_EQ(added.Header("Location"), "/cases/" + case_ + "?done=add_vendor");
    EXPECT_EQ(Count("SELECT count(*) FROM case_vendors WHERE vendor_id = " + V("outsider")), 1);
    EXPECT_EQ(PostForm(real, "coord", "action=owner&owner=" + std::to_string(coordinator_.id.value())).status, 303);
    EXPECT_EQ(Count("SELECT count(*) FROM cases WHERE owner_user_id = " + std::to_string(coordinator_.id.value())), 1);
    auto closed = PostForm(real, "coord", "action=close&reason=fixed+and+published+by+every+vendor");
    EXPECT_EQ(closed.Header("Location"), "/cases/" + case_ + "?done=close");
    EXPECT_EQ(Count("SELECT count(*) FROM cases WHERE state = 'closed'"), 1);
    auto audit = Count("SELECT count(*) FROM audit_log WHERE action IN ('case.close','case.owner')");
    EXPECT_EQ(audit, 2);
}

// Issue 13: a failed form comes back with what was typed and the error beside its field, in the viewer's
// language; the English service message and the stored codes never reach the page.
TEST_F(CaseAccessTest, FailedScheduleFormKeepsWhatWasTyped) {
    const std::string act = "/cases/" + case_ + "/act";
    // The default: the 45-day target's day at the business hour (vuln.publication_hour, 10:00), in the zone.
    auto page = Call("GET", "/cases/" + case_ + "?lang=ja", "coord");
    EXPECT_NE(page.body.find("name=\"publish_time\" value=\"10:00\""), std::string::npos);
    EXPECT_NE(page.body.find("タイムゾーン: Asia/Tokyo"), std::string::npos);
    auto bad = PostForm(act + "?lang=ja", "coord",
                        "action=decide&publish_date=2027-02-30&publish_time=10%3A00&reason=TYPED-%E6%B5%B7%E5%A4%96%E8%AA%BF%E6%95%B4");
    EXPECT_EQ(bad.status, 422);
    EXPECT_NE(bad.body.find("data-testid=\"error-publish-at\">未来の日付と時刻を入力してください"), std::string::npos) << bad.body;
    EXPECT_NE(bad.body.find("name=\"reason\" value=\"TYPED-海外調整\""), std::string::npos);
    EXPECT_NE(bad.body.find("name=\"publish_date\" value=\"2027-02-30\""), std::string::npos);
    EXPECT_EQ(bad.body.find("RFC 3339"), std::string::npos);
    // A close without a reason: the error beside the reason, in English for an English viewer.
    auto no_reason = PostForm(act + "?lang=en", "coord", "action=close&reason=+");
    EXPECT_EQ(no_reason.status, 422);
    EXPECT_NE(no_reason.body.find("data-testid=\"error-close-reason\">Give a reason"), std::string::npos);
}

// Issue 13: the timeline and the messages in words, with display names and instants in the zone.
TEST_F(CaseAccessTest, TimelineSpeaksInSentences) {
    const std::string c = "/api/v1/cases/" + case_;
    ASSERT_EQ(Call("POST", c + "/schedule/decision", "coord",
                   R"({"publish_at":"2027-01-15T01:00:00Z","reason":"overseas coordination"})").status, 200);
    ASSERT_EQ(PostForm("/cases/" + case_ + "/act", "coord", "action=message&thread=vendor:" + V("detail") + "&body=hello").status,
              303);
    auto page = Call("GET", "/cases/" + case_ + "?lang=en", "coord");
    EXPECT_NE(page.body.find("coord decided publication at 2027-01-15 10:00 JST"), std::string::npos) << page.body;
    EXPECT_NE(page.body.find("coord2 added Vendor detail to the case"), std::string::npos);
    EXPECT_NE(page.body.find("coord posted a message"), std::string::npos);
    EXPECT_NE(page.body.find("Reproduced"), std::string::npos);
    for (const char* raw : {"schedule.decided", "message.posted", "vendor.added", "2027-01-15T01:00:00Z", ">reproduced<",
                            ">detail<", ">summary<"})
        EXPECT_EQ(page.body.find(raw), std::string::npos) << raw;
    auto ja = Call("GET", "/cases/" + case_ + "?lang=ja", "coord");
    EXPECT_NE(ja.body.find("coordが公表日時を 2027-01-15 10:00 JST に決定しました"), std::string::npos);
    // The vendor sees the decided date it can still answer, and no timeline of other vendors.
    auto vendor = Call("GET", "/cases/" + case_ + "?lang=en", "v-detail");
    EXPECT_NE(vendor.body.find("data-testid=\"accept-date\""), std::string::npos);
    EXPECT_NE(vendor.body.find("data-testid=\"request-change\""), std::string::npos);
    EXPECT_EQ(vendor.body.find("Vendor summary"), std::string::npos);
}

// Issue 13: the reporter's name and address are for staff; vendors never see who reported.
TEST_F(CaseAccessTest, ReporterShownToStaffOnly) {
    vuln::NewCase n;
    n.title = "anonymous report";
    n.details = "d";
    n.reporter_name = "REPORTER-NAME";
    n.reporter_email = "reporter-address@example.org";
    auto r = cases_->Submit(n, vuln::Caller{});
    ASSERT_TRUE(r.ok());
    const vuln::Caller coord{&coordinator_, std::nullopt};
    ASSERT_TRUE(cases_->Verify(r->id, vuln::Verification::kReproduced, "", coord).ok());
    ASSERT_TRUE(cases_->AddVendor(r->id, vendor_ids_["detail"], coord).ok());
    ASSERT_TRUE(cases_->DiscloseDetails(r->id, vendor_ids_["detail"], true, coord).ok());
    const std::string page = "/cases/" + std::to_string(r->id.value());
    auto staff = Call("GET", page, "coord");
    EXPECT_NE(staff.body.find("REPORTER-NAME"), std::string::npos);
    EXPECT_NE(staff.body.find("reporter-address@example.org"), std::string::npos);
    auto vendor = Call("GET", page, "v-detail");
    ASSERT_EQ(vendor.status, 200);
    EXPECT_EQ(vendor.body.find("REPORTER-NAME"), std::string::npos);
    EXPECT_EQ(vendor.body.find("reporter-address@example.org"), std::string::npos);
}

// Issue 13: the status form starts from what is on file, and a resubmission changes only what the vendor
// touched (here the URL; the comment changed by someone else meanwhile stays).
TEST_F(CaseAccessTest, VendorStatusFormKeepsUntouchedFields) {
    const std::string c = "/api/v1/cases/" + case_;
    ASSERT_EQ(Call("POST", c + "/status", "v-detail",
                   R"({"status":"not_affected","public_text":"Fixed in 2.0","urls":["https://example.jp/a"],"plan":"update"})")
                  .status,
              200);
    auto page = Call("GET", "/cases/" + case_ + "?lang=en", "v-detail");
    EXPECT_NE(page.body.find(">Fixed in 2.0</textarea>"), std::string::npos) << page.body;
    EXPECT_NE(page.body.find(">https://example.jp/a</textarea>"), std::string::npos);
    EXPECT_NE(page.body.find("<option value=\"not_affected\" selected>"), std::string::npos);
    EXPECT_NE(page.body.find("name=\"plan\" value=\"update\""), std::string::npos);
    // Meanwhile the comment changes through the API.
    ASSERT_EQ(Call("POST", c + "/status", "v-detail",
                   R"({"status":"not_affected","public_text":"Fixed in 2.0.1","urls":["https://example.jp/a"],"plan":"update"})")
                  .status,
              200);
    // The form shown before that is submitted with a new URL only.
    auto posted = PostForm("/cases/" + case_ + "/act", "v-detail",
                           "action=status&status=not_affected&public_text=Fixed+in+2.0&urls=https%3A%2F%2Fexample.jp%2Fb"
                           "&affected_products=&plan=update&schedule="
                           "&shown_status=not_affected&shown_public_text=Fixed+in+2.0&shown_urls=https%3A%2F%2Fexample.jp%2Fa"
                           "&shown_affected_products=&shown_plan=update&shown_schedule=");
    ASSERT_EQ(posted.status, 303) << posted.body;
    auto view = cases_->Get(case_id_, vuln::Caller{&coordinator_, std::nullopt});
    ASSERT_TRUE(view.ok());
    for (const auto& v : view->vendors) {
        if (v.vendor != vendor_ids_["detail"]) continue;
        EXPECT_EQ(v.status_text, "Fixed in 2.0.1");
        EXPECT_EQ(v.status_urls, std::vector<std::string>{"https://example.jp/b"});
        EXPECT_EQ(v.plan, "update");
    }
}

}  // namespace
}  // namespace kizuna::web
