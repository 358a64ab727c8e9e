#include "web/i18n.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <set>

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
