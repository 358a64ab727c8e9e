#include "incident/category.hpp"

#include <gtest/gtest.h>

#include <set>

namespace kizuna::incident {
namespace {

Suggestion Best(std::string_view subject, std::string_view body) {
    ExtractOptions options;
    options.default_year = 2026;
    auto indicators = Extract(body, options);
    auto suggestions = SuggestCategory(ReportText{subject, body}, indicators);
    EXPECT_FALSE(suggestions.empty());
    return suggestions.front();
}

TEST(CategoryTest, SevenCategoriesWithNamesSubcategoriesAndRsit) {
    std::set<std::string_view> names;
    for (Category c : AllCategories()) {
        names.insert(Name(c));
        EXPECT_EQ(ParseCategory(Name(c)), c);
        ASSERT_FALSE(SubcategoriesOf(c).empty()) << Name(c);
        for (Subcategory s : SubcategoriesOf(c)) {
            EXPECT_EQ(CategoryOf(s), c);
            EXPECT_EQ(ParseSubcategory(Name(s)), s);
            EXPECT_NE(RsitOf(s).find('/'), std::string_view::npos) << Name(s);
        }
    }
    EXPECT_EQ(names, (std::set<std::string_view>{"scan", "abuse", "forged", "intrusion", "dos", "phishing", "other"}));
    EXPECT_EQ(RsitOf(Subcategory::kPhishingSite), "fraud/phishing");
    EXPECT_EQ(RsitOf(Subcategory::kScan), "information-gathering/scanner");
    EXPECT_FALSE(ParseCategory("Scan"));
}

TEST(CategoryTest, FirewallLogLinesSuggestAScanWithTheirPorts) {
    auto s = Best("Attacks from your network",
                  "Oct  1 12:00:01 gw kernel: SRC=198.51.100.7 DST=203.0.113.9 PROTO=TCP SPT=5123 DPT=22\n"
                  "Oct  1 12:00:02 gw kernel: SRC=198.51.100.7 DST=203.0.113.9 PROTO=TCP SPT=5124 DPT=23\n");
    EXPECT_EQ(s.category(), Category::kScan);
    ASSERT_FALSE(s.reasons.empty());
    EXPECT_EQ(s.reasons.front().code, "firewall_lines");
    EXPECT_EQ(s.reasons.front().evidence.at(0), "2");  // addresses on the log lines
    EXPECT_NE(std::find(s.reasons.front().evidence.begin(), s.reasons.front().evidence.end(), "22/tcp"),
              s.reasons.front().evidence.end());
}

TEST(CategoryTest, AUrlWithABrandSuggestsPhishing) {
    auto s = Best("Fake bank site", "Our customers receive mail linking to hxxps://mybank-login[.]example[.]com/verify");
    EXPECT_EQ(s.category(), Category::kPhishing);
    bool url_reason = false;
    for (const auto& r : s.reasons) url_reason |= r.code == "url_with_brand";
    EXPECT_TRUE(url_reason);
    auto ja = Best("フィッシングサイトの件", "弊行を装った偽サイト https://example.com/login が確認されました。");
    EXPECT_EQ(ja.category(), Category::kPhishing);
}

TEST(CategoryTest, ABounceStormSuggestsForgedHeaders) {
    std::string body;
    for (int i = 0; i < 12; ++i) body += "From: MAILER-DAEMON\nSubject: Undelivered Mail Returned to Sender\n\n";
    auto s = Best("We receive thousands of error mails", body);
    EXPECT_EQ(s.category(), Category::kForged);
    EXPECT_EQ(s.subcategory, Subcategory::kForgedHeaders);
}

TEST(CategoryTest, WordsInEitherLanguage) {
    EXPECT_EQ(Best("Webサイト改ざんのご連絡", "トップページが改ざんされています").category(), Category::kIntrusion);
    EXPECT_EQ(Best("Open relay", "Your server 192.0.2.1 is an open relay").category(), Category::kAbuse);
    EXPECT_EQ(Best("DDoS", "We are under a DDoS attack").category(), Category::kDos);
    EXPECT_EQ(Best("検体", "マルウェアの検体を送付します").category(), Category::kOther);
    auto nothing = Best("Hello", "Just a question about your office hours.");
    EXPECT_EQ(nothing.category(), Category::kOther);
    EXPECT_EQ(nothing.score, 0);
}

}  // namespace
}  // namespace kizuna::incident
