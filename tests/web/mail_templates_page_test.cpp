// Issue 13: the mail templates page (/templates) and the notice preview (/cases/{id}/notices/{kind}/preview):
// coordinators only, everyone else the uniform 404; validation errors beside the field in the user's
// language with what was typed kept; the confirmation lists what went to whom. Also the contacts' "lang"
// in the vendor API.
#include <nlohmann/json.hpp>

#include "site_fixture.hpp"

namespace kizuna::web {
namespace {

class MailTemplatesPageTest : public SiteFixture {
  protected:
    http::Response Form(const std::string& target, const std::string& who, const std::string& body) {
        http::HeaderList headers{{"Content-Type", "application/x-www-form-urlencoded"}};
        if (!who.empty()) headers.push_back({"Authorization", "Bearer " + secrets_[who]});
        auto req = http::Request::Make("POST", target, headers, body);
        EXPECT_TRUE(req.ok());
        req->remote_ip = "192.0.2.1";
        return handler_(*req);
    }
    std::int64_t Count(const std::string& sql) {
        auto lease = db_->Acquire();
        return (*lease)->QueryInt(sql).value();
    }
    // A registered vendor with a Japanese and an English contact, in a verified case.
    void VendorInCase() {
        vendor_ = std::move(vendors_->Create({"さくら電機", "", vuln::RegistrationKind::kGeneral}, "t")).value();
        ASSERT_TRUE(vendors_->AddContact(vendor_, {0, "PSIRT", "psirt@sakura.example.jp", "", true}, "t").ok());
        vuln::Contact en{0, "Global", "global@sakura.example.com", "", false};
        en.lang = vuln::MailLang::kEn;
        ASSERT_TRUE(vendors_->AddContact(vendor_, en, "t").ok());
        ASSERT_TRUE(vendors_->AgreeToTerms(vendor_, "2026-04", "t").ok());
        for (auto st : {vuln::RegistrationState::kDocumentsReceived, vuln::RegistrationState::kMeeting,
                        vuln::RegistrationState::kRegistered})
            ASSERT_TRUE(vendors_->Advance(vendor_, st, "t", "").ok());
        coord_ = AddUser("coord-m", auth::Role::kCoordinator);
        const vuln::Caller coord{&coord_, std::nullopt};
        vuln::NewCase n;
        n.title = "UPnP overflow";
        n.summary = "A UPnP problem <script>";
        n.details = "M-SEARCH with a long ST header";
        auto r = cases_->Submit(n, coord);
        ASSERT_TRUE(r.ok()) << r.error().ToString();
        case_ = r->id;
        ASSERT_TRUE(cases_->Verify(case_, vuln::Verification::kReproduced, "", coord).ok());
        ASSERT_TRUE(cases_->AddVendor(case_, vendor_, coord).ok());
    }
    std::string PreviewPath(const std::string& kind = "summary") {
        return "/cases/" + std::to_string(case_.value()) + "/notices/" + kind + "/preview";
    }

    vuln::VendorId vendor_{0};
    vuln::CaseId case_{0};
    auth::Principal coord_;
};

TEST_F(MailTemplatesPageTest, OnlyCoordinatorsAndAdminsOthersGet404) {
    VendorInCase();
    const std::string v = "?vendor=" + std::to_string(vendor_.value());
    for (const char* who : {"", "vendor", "reporter"}) {
        EXPECT_EQ(Status("GET", "/templates", who), 404) << who;
        EXPECT_EQ(Status("GET", "/templates/notice.summary", who), 404) << who;
        EXPECT_EQ(Form("/templates/notice.summary", who, "lang=ja&action=reset").status, 404) << who;
        EXPECT_EQ(Status("GET", PreviewPath() + v, who), 404) << who;
        EXPECT_EQ(Form(PreviewPath(), who, "vendor=" + std::to_string(vendor_.value())).status, 404) << who;
    }
    EXPECT_EQ(Count("SELECT count(*) FROM mail_queue"), 0);
    for (const char* who : {"coord", "admin"}) {
        EXPECT_EQ(Status("GET", "/templates", who), 200) << who;
        EXPECT_EQ(Status("GET", "/templates/notice.summary", who), 200) << who;
        EXPECT_EQ(Status("GET", PreviewPath() + v, who), 200) << who;
    }
    EXPECT_EQ(Status("GET", "/templates/no.such", "coord"), 404);
    EXPECT_EQ(Status("GET", PreviewPath("other") + v, "coord"), 404);
    EXPECT_EQ(Status("GET", PreviewPath(), "coord"), 404) << "no vendor given";
}

TEST_F(MailTemplatesPageTest, InvalidEditShowsTheErrorBesideTheFieldAndKeepsTheText) {
    const auto bad = Form("/templates/notice.summary", "coord",
                          "lang=ja&action=save&subject=%E4%BB%B6%E5%90%8D&body=%E6%9C%AC%E6%96%87+%7B%7Bbogus%7D%7D");
    EXPECT_EQ(bad.status, 400);
    EXPECT_NE(bad.body.find("data-testid=\"mailtpl-body-error\""), std::string::npos) << bad.body;
    EXPECT_NE(bad.body.find("{{bogus}} はこの文面では使えない差し込み項目です"), std::string::npos);
    EXPECT_NE(bad.body.find("本文 {{bogus}}</textarea>"), std::string::npos) << "what was typed is kept";
    EXPECT_NE(bad.body.find("value=\"件名\""), std::string::npos);
    EXPECT_EQ(Count("SELECT count(*) FROM mail_templates"), 0);

    const auto missing = Form("/templates/notice.summary", "coord", "lang=en&action=save&subject=x&body=y");
    EXPECT_EQ(missing.status, 400);
    EXPECT_NE(missing.body.find("必須の差し込み項目 {{identifier}}"), std::string::npos);

    const auto ok = Form("/templates/notice.summary", "coord",
                         "lang=ja&action=save&subject=%5B%7B%7Bidentifier%7D%7D%5D+%E6%A6%82%E8%A6%81&body=%7B%7Btitle%7D%7D");
    EXPECT_EQ(ok.status, 303);
    EXPECT_EQ(ok.Header("Location"), "/templates/notice.summary?done=saved");
    EXPECT_EQ(Count("SELECT count(*) FROM mail_templates WHERE name = 'notice.summary' AND lang = 'ja'"), 1);
    EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'mail_template.edit'"), 1);
    const auto page = Call("GET", "/templates/notice.summary?done=saved", "coord");
    EXPECT_NE(page.body.find("文面を保存しました。"), std::string::npos);
    EXPECT_NE(page.body.find("data-testid=\"mailtpl-reset-ja\""), std::string::npos);
    EXPECT_EQ(page.body.find("data-testid=\"mailtpl-reset-en\""), std::string::npos) << "English is still the default";

    EXPECT_EQ(Form("/templates/notice.summary", "coord", "lang=ja&action=reset").status, 303);
    EXPECT_EQ(Count("SELECT count(*) FROM mail_templates"), 0);
    EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'mail_template.reset'"), 1);
}

TEST_F(MailTemplatesPageTest, PreviewShowsEachLanguageAndTheConfirmationWhatWentToWhom) {
    VendorInCase();
    const std::string v = std::to_string(vendor_.value());
    const auto preview = Call("GET", PreviewPath() + "?vendor=" + v, "coord");
    ASSERT_EQ(preview.status, 200);
    EXPECT_NE(preview.body.find("脆弱性概要情報のお知らせ"), std::string::npos);
    EXPECT_NE(preview.body.find("Vulnerability summary notice"), std::string::npos);
    EXPECT_NE(preview.body.find("psirt@sakura.example.jp — 暗号化なし"), std::string::npos) << preview.body;
    EXPECT_NE(preview.body.find("global@sakura.example.com"), std::string::npos);
    EXPECT_EQ(preview.body.find("<script>"), std::string::npos) << "escaped";
    EXPECT_EQ(Count("SELECT count(*) FROM mail_queue"), 0) << "a preview sends nothing";

    // Sending with an edited Japanese text: the confirmation lists both recipients with their language.
    const auto sent = Form(PreviewPath(), "coord",
                           "vendor=" + v + "&subject_ja=%E4%BB%B6%E5%90%8D&body_ja=%E4%BB%8A%E5%9B%9E%E3%81%AE%E6%9C%AC%E6%96%87");
    ASSERT_EQ(sent.status, 200) << sent.body;
    EXPECT_NE(sent.body.find("data-testid=\"notice-sent\""), std::string::npos);
    EXPECT_NE(sent.body.find("<td>psirt@sakura.example.jp</td><td>日本語</td><td>件名</td><td>暗号化なし</td>"),
              std::string::npos)
        << sent.body;
    EXPECT_NE(sent.body.find("<td>global@sakura.example.com</td><td>英語</td>"), std::string::npos);
    EXPECT_EQ(Count("SELECT count(*) FROM mail_queue WHERE to_address = 'psirt@sakura.example.jp' AND body = '今回の本文'"), 1);
    EXPECT_EQ(Count("SELECT count(*) FROM mail_queue WHERE to_address = 'global@sakura.example.com' AND subject LIKE"
                    " '%Vulnerability summary notice'"),
              1);
    // Sent once: the preview now says it cannot be sent, in words.
    const auto again = Call("GET", PreviewPath() + "?vendor=" + v, "coord");
    EXPECT_EQ(again.status, 409);
    EXPECT_NE(again.body.find("この通知は今は送れません"), std::string::npos);
    EXPECT_EQ(again.body.find("already been notified"), std::string::npos) << "no English internal reason";
}

TEST_F(MailTemplatesPageTest, ContactLanguageInTheVendorApi) {
    VendorInCase();
    const std::string base = "/api/v1/vendors/" + std::to_string(vendor_.value());
    auto created = Call("POST", base + "/contacts", "coord", R"({"name":"EU desk","email":"eu@sakura.example.com","lang":"en"})");
    ASSERT_EQ(created.status, 201) << created.body;
    const auto contact = nlohmann::json::parse(created.body)["id"].get<std::int64_t>();
    EXPECT_EQ(Call("POST", base + "/contacts", "coord", R"({"name":"x","email":"x@example.jp","lang":"fr"})").status, 400);
    auto vendor = nlohmann::json::parse(Call("GET", base, "coord").body);
    std::map<std::string, std::string> langs;
    for (const auto& c : vendor["contacts"]) langs[c["email"]] = c["lang"];
    EXPECT_EQ(langs["psirt@sakura.example.jp"], "ja");
    EXPECT_EQ(langs["eu@sakura.example.com"], "en");

    const std::string path = base + "/contacts/" + std::to_string(contact);
    EXPECT_EQ(Call("PATCH", path, "coord", R"({"lang":"ja"})").status, 200);
    EXPECT_EQ(Call("PATCH", path, "coord", R"({"lang":"de"})").status, 400);
    EXPECT_EQ(Call("PATCH", base + "/contacts/99999", "coord", R"({"lang":"en"})").status, 404);
    EXPECT_EQ(Call("PATCH", path, "", R"({"lang":"en"})").status, 401);
    for (const char* who : {"vendor", "reporter"}) EXPECT_NE(Call("PATCH", path, who, R"({"lang":"en"})").status, 200) << who;
    EXPECT_EQ(Count("SELECT count(*) FROM vendor_contacts WHERE email = 'eu@sakura.example.com' AND lang = 'ja'"), 1);
}

}  // namespace
}  // namespace kizuna::web
