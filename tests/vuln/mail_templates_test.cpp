// Issue 13: outgoing mail in the recipient's language from coordinator-editable templates.
#include "vuln_fixture.hpp"

namespace kizuna::vuln {
namespace {

using core::ErrorCode;

class MailTemplatesTest : public VulnFixture {
  protected:
    struct Row {
        std::string to, subject, body;
    };
    std::vector<Row> Mails(CaseId id) {
        auto lease = db_->Acquire();
        auto rows = (*lease)->Query("SELECT to_address, subject, body FROM mail_queue WHERE case_id = ? ORDER BY id",
                                    {id.value()});
        EXPECT_TRUE(rows.ok());
        std::vector<Row> out;
        for (const auto& r : *rows) out.push_back({r.Text(0), r.Text(1), r.Text(2)});
        return out;
    }
    std::int64_t Count(const std::string& sql) {
        auto lease = db_->Acquire();
        return (*lease)->QueryInt(sql).value();
    }
    std::string Identifier(CaseId id) { return cases_->Get(id, Coord())->identifier; }
    // A second contact of vendor A who reads English.
    void AddEnglishContact() {
        Contact en{0, "Global PSIRT", "global@sakura.example.com", "", false};
        en.lang = MailLang::kEn;
        ASSERT_TRUE(vendors_->AddContact(a_, en, "coord").ok());
    }
    MailTemplateService T() { return MailTemplateService(*db_, clock_, audit_); }
};

// Every shipped text is valid against its own placeholder rules, in both languages.
TEST_F(MailTemplatesTest, ShippedTemplatesAreValidInBothLanguages) {
    ASSERT_GE(MailTemplateDefaults().size(), 9u);
    for (const auto& def : MailTemplateDefaults()) {
        for (const MailText* t : {&def.ja, &def.en}) {
            auto st = ValidateMailTemplate(def, t->subject, t->body);
            EXPECT_TRUE(st.ok()) << def.name << ": " << st.error().ToString();
        }
        EXPECT_NE(def.ja.subject, def.en.subject) << def.name << " has a Japanese subject of its own";
    }
}

TEST_F(MailTemplatesTest, PlaceholdersAndDatesPerLanguage) {
    EXPECT_EQ(FillPlaceholders("[{{identifier}}] {{ title }} {{nothing}}!", {{"identifier", "JVNVU#1"}, {"title", "T"}}),
              "[JVNVU#1] T !");
    // A value is not re-read as a template.
    EXPECT_EQ(FillPlaceholders("{{title}}", {{"title", "{{identifier}}"}, {"identifier", "X"}}), "{{identifier}}");
    const auto tokyo = core::TimeZone::Load("Asia/Tokyo");
    ASSERT_TRUE(tokyo.ok());
    const auto at = core::ParseRfc3339("2026-12-27T01:00:00Z");
    ASSERT_TRUE(at.has_value());
    EXPECT_EQ(FormatMailDate(*at, MailLang::kJa, *tokyo), "2026年12月27日 10:00 (JST)");
    EXPECT_EQ(FormatMailDate(*at, MailLang::kEn, *tokyo), "2026-12-27 10:00 (UTC+09:00)");
    const auto utc = core::TimeZone::Load("UTC");
    EXPECT_EQ(FormatMailDate(*at, MailLang::kEn, *utc), "2026-12-27 01:00 (UTC)");
}

// A contact without a language preference gets Japanese (the default).
TEST_F(MailTemplatesTest, SummaryNoticeIsJapaneseByDefault) {
    CaseId id = VerifiedCase();
    ASSERT_TRUE(cases_->AddVendor(id, a_, Coord()).ok());
    ASSERT_TRUE(cases_->SendSummary(id, a_, Coord()).ok());
    const auto mails = Mails(id);
    ASSERT_EQ(mails.size(), 1u);
    EXPECT_EQ(mails[0].to, "sakura@example.jp");
    EXPECT_EQ(mails[0].subject, "[" + Identifier(id) + "] 脆弱性概要情報のお知らせ");
    EXPECT_NE(mails[0].body.find("製品脆弱性対策ご担当者様"), std::string::npos) << mails[0].body;
    EXPECT_NE(mails[0].body.find("識別番号: " + Identifier(id)), std::string::npos);
    EXPECT_NE(mails[0].body.find("Stack overflow in the UPnP service"), std::string::npos);
    EXPECT_NE(mails[0].body.find("A vulnerability in a UPnP implementation."), std::string::npos);
    EXPECT_EQ(mails[0].body.find("M-SEARCH"), std::string::npos) << "no technical detail in a summary notice";
    EXPECT_EQ(mails[0].body.find("{{"), std::string::npos);
}

// A vendor with contacts in both languages: each contact gets its own mail in its own language.
TEST_F(MailTemplatesTest, EachContactGetsItsOwnLanguage) {
    AddEnglishContact();
    CaseId id = VerifiedCase();
    ASSERT_TRUE(cases_->AddVendor(id, a_, Coord()).ok());
    ASSERT_TRUE(cases_->SendSummary(id, a_, Coord()).ok());
    auto mails = Mails(id);
    ASSERT_EQ(mails.size(), 2u);
    EXPECT_EQ(mails[0].to, "sakura@example.jp");
    EXPECT_NE(mails[0].subject.find("脆弱性概要情報"), std::string::npos);
    EXPECT_EQ(mails[1].to, "global@sakura.example.com");
    EXPECT_EQ(mails[1].subject, "[" + Identifier(id) + "] Vulnerability summary notice");
    EXPECT_NE(mails[1].body.find("Please judge whether any of your products may be affected"), std::string::npos);
    EXPECT_EQ(mails[1].body.find("脆弱性"), std::string::npos) << "no Japanese in the English mail";

    // The coordinator's message and the detail notice follow the same rule.
    ASSERT_TRUE(cases_->AnswerSummary(id, Answer::kRequestDetails, VendorCaller(a_)).ok());
    ASSERT_TRUE(cases_->DiscloseDetails(id, a_, false, Coord()).ok());
    ASSERT_TRUE(cases_->PostMessage(id, "vendor:" + std::to_string(a_.value()), "修正版の予定を教えてください。", Coord()).ok());
    mails = Mails(id);
    ASSERT_EQ(mails.size(), 6u);
    EXPECT_NE(mails[2].subject.find("脆弱性詳細情報のご提供"), std::string::npos);
    EXPECT_NE(mails[3].subject.find("Vulnerability details"), std::string::npos);
    EXPECT_NE(mails[4].subject.find("調整担当者からのご連絡"), std::string::npos);
    EXPECT_NE(mails[5].subject.find("Message from the coordinator"), std::string::npos);
    EXPECT_NE(mails[5].body.find("修正版の予定を教えてください。"), std::string::npos);
}

TEST_F(MailTemplatesTest, ScheduleMailsCarryTheDateInEachLanguage) {
    AddEnglishContact();
    ScheduleService schedule(*db_, clock_, audit_, *core::TimeZone::Load("Asia/Tokyo"));
    CaseId id = VerifiedCase();
    ASSERT_TRUE(cases_->AddVendor(id, a_, Coord()).ok());
    ASSERT_TRUE(cases_->SendSummary(id, a_, Coord()).ok());
    const auto at = clock_.Now() + std::chrono::hours(24 * 45);
    ASSERT_TRUE(schedule.Decide(id, at, "", Coord()).ok());
    const auto mails = Mails(id);
    ASSERT_EQ(mails.size(), 4u);
    const std::string ja_date = FormatMailDate(at, MailLang::kJa, *core::TimeZone::Load("Asia/Tokyo"));
    const std::string en_date = FormatMailDate(at, MailLang::kEn, *core::TimeZone::Load("Asia/Tokyo"));
    EXPECT_NE(mails[2].subject.find("一般公表日時決定のお知らせ"), std::string::npos);
    EXPECT_NE(mails[2].body.find("一般公表日時: " + ja_date), std::string::npos) << mails[2].body;
    EXPECT_NE(mails[2].body.find("(JST)"), std::string::npos);
    EXPECT_NE(mails[3].subject.find("Publication date decided"), std::string::npos);
    EXPECT_NE(mails[3].body.find(en_date), std::string::npos) << mails[3].body;
    EXPECT_NE(mails[3].body.find("(UTC+09:00)"), std::string::npos);
}

TEST_F(MailTemplatesTest, InvalidEditsAreRejectedAndNothingIsStored) {
    struct Bad {
        std::string subject, body, field, fragment;
    };
    const std::vector<Bad> cases = {
        {"[{{identifier}}] x", "{{bogus}}", "body", "unknown placeholder {{bogus}}"},
        {"[{{identifier}}] {{details}}", "body", "subject", "unknown placeholder {{details}}"},
        {"subject", "no identifier here", "body", "{{identifier}} is required"},
        {"[{{identifier}}] x", "broken {{title", "body", "not closed"},
        {"two\nlines {{identifier}}", "body", "subject", "single line"},
        {"", "{{identifier}}", "subject", "empty"},
        {"{{identifier}}", "", "body", "empty"},
    };
    for (const auto& bad : cases) {
        auto st = T().Save("notice.summary", MailLang::kJa, bad.subject, bad.body, Coord());
        ASSERT_FALSE(st.ok()) << bad.subject << " / " << bad.body;
        EXPECT_EQ(st.error().code(), ErrorCode::kInvalidArgument);
        EXPECT_EQ(st.error().field(), bad.field) << bad.body;
        EXPECT_NE(st.error().message().find(bad.fragment), std::string::npos) << st.error().message();
    }
    EXPECT_EQ(Count("SELECT count(*) FROM mail_templates"), 0);
    EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action LIKE 'mail_template.%'"), 0);
    EXPECT_EQ(T().Save("no.such", MailLang::kJa, "s", "b", Coord()).error().code(), ErrorCode::kNotFound);
}

// The coordinator's edit is used from the next mail on, audited; reset brings the default back.
TEST_F(MailTemplatesTest, OverrideIsUsedAfterEditAndAudited) {
    ASSERT_TRUE(T().Save("notice.summary", MailLang::kJa, "【{{identifier}}】概要のお知らせ（編集済み）",
                                "{{vendor}} 御中\n\n{{title}} について。識別番号 {{identifier}}\n", Coord())
                    .ok());
    EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'mail_template.edit' AND actor = 'coord' AND"
                    " object = 'mail_template:notice.summary' AND detail = '{\"lang\":\"ja\"}'"),
              1);
    auto view = T().Get("notice.summary", Coord());
    ASSERT_TRUE(view.ok());
    ASSERT_TRUE(view->ja.override_text.has_value());
    EXPECT_EQ(view->ja.updated_by, "coord");
    EXPECT_FALSE(view->en.override_text.has_value());
    EXPECT_EQ(view->ja.defaults.subject, "[{{identifier}}] 脆弱性概要情報のお知らせ");

    CaseId id = VerifiedCase();
    ASSERT_TRUE(cases_->AddVendor(id, a_, Coord()).ok());
    ASSERT_TRUE(cases_->AddVendor(id, b_, Coord()).ok());
    ASSERT_TRUE(cases_->SendSummary(id, a_, Coord()).ok());
    auto mails = Mails(id);
    ASSERT_EQ(mails.size(), 1u);
    EXPECT_EQ(mails[0].subject, "【" + Identifier(id) + "】概要のお知らせ（編集済み）");
    EXPECT_EQ(mails[0].body, "さくら電機 御中\n\nStack overflow in the UPnP service について。識別番号 " + Identifier(id) + "\n");

    ASSERT_TRUE(T().Reset("notice.summary", MailLang::kJa, Coord()).ok());
    EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'mail_template.reset'"), 1);
    ASSERT_TRUE(cases_->SendSummary(id, b_, Coord()).ok());
    mails = Mails(id);
    ASSERT_EQ(mails.size(), 2u);
    EXPECT_EQ(mails[1].subject, "[" + Identifier(id) + "] 脆弱性概要情報のお知らせ");
}

TEST_F(MailTemplatesTest, OnlyStaffSeeOrEditTemplates) {
    for (const Caller& who : {VendorCaller(a_), Reporter(), Anonymous()}) {
        EXPECT_EQ(T().List(who).error().code(), ErrorCode::kNotFound);
        EXPECT_EQ(T().Get("notice.summary", who).error().code(), ErrorCode::kNotFound);
        EXPECT_EQ(T().Save("notice.summary", MailLang::kJa, "{{identifier}}", "b", who).error().code(),
                  ErrorCode::kNotFound);
        EXPECT_EQ(T().Reset("notice.summary", MailLang::kJa, who).error().code(), ErrorCode::kNotFound);
    }
    auto list = T().List(Coord());
    ASSERT_TRUE(list.ok());
    EXPECT_EQ(list->size(), MailTemplateDefaults().size());
}

// The preview is exactly what is sent; an edit for this sending replaces the text of its language only.
TEST_F(MailTemplatesTest, PreviewThenSendWithAnEditForThisSending) {
    AddEnglishContact();
    CaseId id = VerifiedCase();
    ASSERT_TRUE(cases_->AddVendor(id, a_, Coord()).ok());
    auto preview = cases_->PreviewNotice(id, a_, NoticeKind::kSummary, false, Coord());
    ASSERT_TRUE(preview.ok()) << preview.error().ToString();
    EXPECT_EQ(preview->vendor_name, "さくら電機");
    ASSERT_EQ(preview->drafts.size(), 2u);
    EXPECT_EQ(preview->drafts[0].lang, MailLang::kJa);
    ASSERT_EQ(preview->drafts[0].recipients.size(), 1u);
    EXPECT_EQ(preview->drafts[0].recipients[0].address, "sakura@example.jp");
    EXPECT_FALSE(preview->drafts[0].recipients[0].encrypted);
    EXPECT_EQ(preview->drafts[1].lang, MailLang::kEn);
    EXPECT_EQ(Count("SELECT count(*) FROM mail_queue"), 0) << "a preview changes nothing";
    EXPECT_EQ(cases_->Get(id, Coord())->vendors[0].level, Level::kNone);

    // Others get the uniform refusal.
    EXPECT_EQ(cases_->PreviewNotice(id, a_, NoticeKind::kSummary, false, VendorCaller(a_)).error().code(),
              ErrorCode::kNotFound);
    // The detail notice is refused before the vendor asked for it.
    EXPECT_EQ(cases_->PreviewNotice(id, a_, NoticeKind::kDetail, false, Coord()).error().code(),
              ErrorCode::kFailedPrecondition);
    // An empty subject for this sending is refused, naming the language's field.
    auto bad = cases_->SendNotice(id, a_, NoticeKind::kSummary, false, {{MailLang::kJa, {"", "x"}}}, Coord());
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().field(), "subject_ja");

    std::map<MailLang, MailText> edited{{MailLang::kJa, {preview->drafts[0].text.subject, "今回だけの本文です。"}}};
    auto sent = cases_->SendNotice(id, a_, NoticeKind::kSummary, false, edited, Coord());
    ASSERT_TRUE(sent.ok()) << sent.error().ToString();
    ASSERT_EQ(sent->size(), 2u);
    EXPECT_EQ((*sent)[0].address, "sakura@example.jp");
    EXPECT_EQ((*sent)[0].lang, MailLang::kJa);
    EXPECT_EQ((*sent)[1].address, "global@sakura.example.com");
    EXPECT_EQ((*sent)[1].lang, MailLang::kEn);
    const auto mails = Mails(id);
    ASSERT_EQ(mails.size(), 2u);
    EXPECT_EQ(mails[0].body, "今回だけの本文です。");
    EXPECT_EQ(mails[1].body, preview->drafts[1].text.body) << "the English text is the previewed one";
    EXPECT_EQ(cases_->Get(id, Coord())->vendors[0].level, Level::kSummary);
    EXPECT_EQ(Count("SELECT count(*) FROM mail_templates"), 0) << "an edit for one sending is not a template edit";
    // Not twice.
    EXPECT_EQ(cases_->SendNotice(id, a_, NoticeKind::kSummary, false, {}, Coord()).error().code(),
              ErrorCode::kFailedPrecondition);
}

TEST_F(MailTemplatesTest, ContactLanguageCanBeChanged) {
    auto v = vendors_->Get(a_);
    ASSERT_TRUE(v.ok());
    ASSERT_EQ(v->contacts.size(), 1u);
    EXPECT_EQ(v->contacts[0].lang, MailLang::kJa);
    ASSERT_TRUE(vendors_->SetContactLanguage(a_, v->contacts[0].id, MailLang::kEn, "coord").ok());
    EXPECT_EQ(vendors_->Get(a_)->contacts[0].lang, MailLang::kEn);
    EXPECT_EQ(vendors_->SetContactLanguage(b_, v->contacts[0].id, MailLang::kEn, "coord").error().code(),
              ErrorCode::kNotFound);
    CaseId id = VerifiedCase();
    ASSERT_TRUE(cases_->AddVendor(id, a_, Coord()).ok());
    ASSERT_TRUE(cases_->SendSummary(id, a_, Coord()).ok());
    EXPECT_NE(Mails(id)[0].subject.find("Vulnerability summary notice"), std::string::npos);
}

}  // namespace
}  // namespace kizuna::vuln
