#include "web/i18n.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <set>

#include "vuln/early_notice.hpp"
#include "vuln/types.hpp"
#include "web/internal/labels.hpp"
#include "web/internal/view.hpp"

namespace kizuna::web {
namespace {

TEST(I18nTest, AcceptLanguagePicksTheBestSupportedByQuality) {
    struct Case {
        const char* header;
        Lang expect;
    } cases[] = {
        {"en-US,en;q=0.9,ja;q=0.8", Lang::kEn},
        {"ja,en-US;q=0.9", Lang::kJa},
        {"fr-FR,fr;q=0.9,en;q=0.5,ja;q=0.6", Lang::kJa},
        {"fr-FR,de", Lang::kJa},  // nothing supported: fallback
        {"EN", Lang::kEn},
        {"*", Lang::kJa},
        {"", Lang::kJa},
        {"en;q=0", Lang::kJa},
    };
    for (const Case& c : cases) EXPECT_EQ(FromAcceptLanguage(c.header, Lang::kJa), c.expect) << c.header;
}

TEST(I18nTest, SwitchBeatsCookieBeatsHeader) {
    EXPECT_EQ(ChooseLang(std::string("en"), std::string("ja"), "ja", Lang::kJa), Lang::kEn);
    EXPECT_EQ(ChooseLang(std::nullopt, std::string("en"), "ja", Lang::kJa), Lang::kEn);
    EXPECT_EQ(ChooseLang(std::string("xx"), std::nullopt, "en", Lang::kJa), Lang::kEn);
    EXPECT_EQ(ChooseLang(std::nullopt, std::nullopt, "", Lang::kEn), Lang::kEn);
}

TEST(I18nTest, BothCatalogsHaveTheSameKeys) {
    for (const char* key : {"login", "dashboard_heading", "error_404_title", "role_vendor", "stat_audit"}) {
        EXPECT_NE(Translate(Lang::kJa, key), key);
        EXPECT_NE(Translate(Lang::kEn, key), key);
        EXPECT_NE(Translate(Lang::kJa, key), Translate(Lang::kEn, key));
    }
    EXPECT_EQ(Translate(Lang::kEn, "no_such_key"), "no_such_key");
    // Every key of one catalog (main file and area files alike) is in the other, with a non-empty text.
    const auto ja = CatalogKeys(Lang::kJa);
    const auto en = CatalogKeys(Lang::kEn);
    EXPECT_GT(ja.size(), 500u);
    std::vector<std::string> only_ja, only_en;
    std::set_difference(ja.begin(), ja.end(), en.begin(), en.end(), std::back_inserter(only_ja));
    std::set_difference(en.begin(), en.end(), ja.begin(), ja.end(), std::back_inserter(only_en));
    EXPECT_TRUE(only_ja.empty()) << "only in ja: " << testing::PrintToString(only_ja);
    EXPECT_TRUE(only_en.empty()) << "only in en: " << testing::PrintToString(only_en);
    for (const auto& key : ja) {
        EXPECT_FALSE(Translate(Lang::kJa, key).empty()) << key;
        EXPECT_FALSE(Translate(Lang::kEn, key).empty()) << key;
    }
}

// Every code the vulnerability domain stores has a label in both languages, and the Japanese label is
// not the English one (a person never sees a raw code).
TEST(I18nTest, EveryStoredCodeHasALabel) {
    using namespace vuln;
    std::vector<std::pair<std::string, std::string>> codes;
    auto add = [&](const char* kind, auto... values) { (codes.emplace_back(kind, std::string(Name(values))), ...); };
    add("case_state", CaseState::kReceived, CaseState::kVerified, CaseState::kRejected, CaseState::kCoordinating,
        CaseState::kClosed);
    add("verification", Verification::kPending, Verification::kReproduced, Verification::kNotReproduced,
        Verification::kFalseReport);
    add("level", Level::kNone, Level::kSummary, Level::kDetail);
    add("answer", Answer::kNone, Answer::kRequestDetails, Answer::kNoProducts);
    add("vendor_status", VendorStatus::kUnknown, VendorStatus::kAffected, VendorStatus::kAffectedInvestigating,
        VendorStatus::kNotAffected, VendorStatus::kNotAffectedInvestigating);
    add("channel", Channel::kEmail, Channel::kPostal, Channel::kPhone, Channel::kFax, Channel::kWebForm,
        Channel::kPublicForum, Channel::kOpenMailingList);
    add("attachment_kind", AttachmentKind::kDetail, AttachmentKind::kPoc, AttachmentKind::kTool,
        AttachmentKind::kTestSuite);
    add("registration_kind", RegistrationKind::kGeneral, RegistrationKind::kIndividual, RegistrationKind::kUnregistered);
    add("registration_state", RegistrationState::kUnregistered, RegistrationState::kApplied,
        RegistrationState::kDocumentsReceived, RegistrationState::kMeeting, RegistrationState::kRegistrationRequested,
        RegistrationState::kRegistered, RegistrationState::kRefused);
    add("source", Source::kDomestic, Source::kCertCc, Source::kCpni, Source::kFinder, Source::kOther);
    add("notice_content", NoticeContent::kInformation, NoticeContent::kInformationAndCountermeasures);
    add("notice_state", NoticeState::kPending, NoticeState::kReleased, NoticeState::kRefused);
    for (Sector s : AllSectors()) codes.emplace_back("sector", std::string(Name(s)));
    for (const auto& [kind, code] : codes) {
        EXPECT_TRUE(detail::HasCodeLabel(Lang::kJa, kind, code)) << kind << "." << code;
        EXPECT_TRUE(detail::HasCodeLabel(Lang::kEn, kind, code)) << kind << "." << code;
        EXPECT_NE(detail::CodeLabel(Lang::kJa, kind, code), code) << kind << "." << code;
    }
    EXPECT_EQ(detail::CodeLabel(Lang::kJa, "case_state", "received"), "受付");
    EXPECT_EQ(detail::CodeLabel(Lang::kEn, "case_state", "no_such"), "case_state.no_such");
}

TEST(ViewTest, TemplatesEscapeByDefault) {
    detail::View view;
    view.set("heading", "<script>alert('x')</script>");
    view.set("message", "a & b \"quoted\"");
    const std::string html = detail::Render("error", view);
    EXPECT_EQ(html.find("<script>"), std::string::npos);
    EXPECT_NE(html.find("&lt;script&gt;"), std::string::npos);
    EXPECT_NE(html.find("a &amp; b &quot;quoted&quot;"), std::string::npos);
}

}  // namespace
}  // namespace kizuna::web
