// RSS 2.0 and Atom feeds: well-formed XML (xmllint), escaping, one Atom entry per advisory with <updated>,
// one RSS item per revision (V15 updates), only published advisories.
#include "formats/feeds.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "formats/csaf_samples.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace kizuna::formats {
namespace {

using testing::At;
using testing::MinimalAdvisory;
using testing::MultiVendorAdvisory;

FeedOptions Options(const char* lang, const char* self) {
    FeedOptions options;
    options.lang = lang;
    options.site_url = "https://cert.example.jp";
    options.self_url = std::string("https://cert.example.jp") + self;
    options.title = std::string(lang) == "en" ? "Advisories & <updates>" : "脆弱性情報";
    options.publisher = "Test CERT";
    options.empty_updated = At("2026-01-01T00:00:00Z");
    return options;
}

// xmllint --noout: exit 0 iff well-formed.
void ExpectWellFormed(const std::string& xml) {
    kizuna::testing::TempDir dir;
    const std::string file = dir.File("feed.xml");
    std::ofstream(file, std::ios::binary) << xml;
    auto result = kizuna::testing::RunCommand({"/usr/bin/xmllint", "--noout", file});
    EXPECT_EQ(result.exit_code, 0) << result.err << "\n" << xml;
}

std::size_t Count(const std::string& haystack, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
    return n;
}

TEST(FeedsTest, AtomHasOneEntryPerAdvisoryWithUpdated) {
    const std::string xml = RenderAtomFeed({MinimalAdvisory(), MultiVendorAdvisory()}, Options("en", "/advisories/feed/atom.xml?lang=en"));
    ExpectWellFormed(xml);
    EXPECT_NE(xml.find("<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"en\">"), std::string::npos);
    EXPECT_NE(xml.find("<title>Advisories &amp; &lt;updates&gt;</title>"), std::string::npos);
    EXPECT_NE(xml.find("  <updated>2026-04-01T05:30:00Z</updated>"), std::string::npos);  // newest update
    EXPECT_EQ(Count(xml, "<entry>"), 2u);
    // Newest first; the updated advisory shows its first publication and its update.
    EXPECT_LT(xml.find("JVNVU#12345678"), xml.find("JVN#00000001"));
    EXPECT_NE(xml.find("<published>2026-03-10T02:00:00Z</published>\n    <updated>2026-04-01T05:30:00Z</updated>"),
              std::string::npos);
    EXPECT_NE(xml.find("<id>https://cert.example.jp/advisories/JVNVU12345678</id>"), std::string::npos);
    EXPECT_NE(xml.find("href=\"https://cert.example.jp/advisories/JVNVU12345678?lang=en\""), std::string::npos);
    EXPECT_NE(xml.find("<title>JVNVU#12345678: OS command injection vulnerability in &lt;Router&gt; X1000 &amp; X2000</title>"),
              std::string::npos);
    EXPECT_NE(xml.find("2026-04-01T05:30:00Z Vendor information updated"), std::string::npos);
    EXPECT_NE(xml.find("<category term=\"CVE-2026-10001\"/>"), std::string::npos);
}

TEST(FeedsTest, RssHasOneItemPerRevision) {
    const std::string xml = RenderRssFeed({MinimalAdvisory(), MultiVendorAdvisory()}, Options("ja", "/advisories/feed/rss.xml"));
    ExpectWellFormed(xml);
    EXPECT_EQ(Count(xml, "<item>"), 3u);  // 2 revisions + 1
    EXPECT_NE(xml.find("<language>ja</language>"), std::string::npos);
    EXPECT_NE(xml.find("<lastBuildDate>Wed, 01 Apr 2026 05:30:00 GMT</lastBuildDate>"), std::string::npos);
    // The update is its own item, newest first, with a guid naming the revision.
    const auto update = xml.find("（更新: ベンダ情報を更新）");
    const auto first = xml.find("<guid isPermaLink=\"false\">https://cert.example.jp/advisories/JVNVU12345678#revision-1</guid>");
    ASSERT_NE(update, std::string::npos);
    ASSERT_NE(first, std::string::npos);
    EXPECT_LT(update, first);
    EXPECT_NE(xml.find("#revision-2</guid>"), std::string::npos);
    EXPECT_NE(xml.find("<pubDate>Tue, 10 Mar 2026 02:00:00 GMT</pubDate>"), std::string::npos);
    EXPECT_NE(xml.find("<link>https://cert.example.jp/advisories/JVN00000001</link>"), std::string::npos);
}

TEST(FeedsTest, OnlyPublishedAdvisories) {
    AdvisoryDoc embargoed = MultiVendorAdvisory();
    embargoed.published = false;
    embargoed.id = "JVNVU#99999999";
    for (const std::string& xml : {RenderAtomFeed({embargoed, MinimalAdvisory()}, Options("ja", "/a")),
                                   RenderRssFeed({embargoed, MinimalAdvisory()}, Options("ja", "/r"))}) {
        ExpectWellFormed(xml);
        EXPECT_EQ(xml.find("99999999"), std::string::npos);
        EXPECT_NE(xml.find("JVN#00000001"), std::string::npos);
    }
}

TEST(FeedsTest, EmptyFeedsAreValid) {
    const std::string atom = RenderAtomFeed({}, Options("en", "/a"));
    const std::string rss = RenderRssFeed({}, Options("en", "/r"));
    ExpectWellFormed(atom);
    ExpectWellFormed(rss);
    EXPECT_NE(atom.find("<updated>2026-01-01T00:00:00Z</updated>"), std::string::npos);
    EXPECT_NE(rss.find("<lastBuildDate>Thu, 01 Jan 2026 00:00:00 GMT</lastBuildDate>"), std::string::npos);
}

TEST(FeedsTest, HostileTextCannotBreakTheXml) {
    AdvisoryDoc doc = MinimalAdvisory();
    doc.title.ja = std::string("]]></title><script>alert(1)</script>\x01\x1f bad \xff\xfe utf8 \xed\xa0\x80 \"'&");
    doc.overview.ja = std::string("nul\0inside", 10);
    for (const std::string& xml : {RenderAtomFeed({doc}, Options("ja", "/a")), RenderRssFeed({doc}, Options("ja", "/r"))}) {
        ExpectWellFormed(xml);
        EXPECT_EQ(xml.find("<script>"), std::string::npos);
        EXPECT_NE(xml.find("&lt;script&gt;"), std::string::npos);
    }
}

TEST(FeedsTest, EscapeAndDates) {
    EXPECT_EQ(XmlEscape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&#39;");
    EXPECT_EQ(XmlEscape("日本語\ttab\n"), "日本語\ttab\n");
    EXPECT_EQ(XmlEscape("\x01"), "\xEF\xBF\xBD");
    EXPECT_EQ(XmlEscape("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
    EXPECT_EQ(Rfc822Date(At("2024-02-29T23:59:59Z")), "Thu, 29 Feb 2024 23:59:59 GMT");
    EXPECT_EQ(Rfc822Date(At("1999-12-31T00:00:00Z")), "Fri, 31 Dec 1999 00:00:00 GMT");
}

TEST(FeedsTest, MaxEntriesKeepsTheNewest) {
    FeedOptions options = Options("en", "/r");
    options.max_entries = 1;
    const std::string rss = RenderRssFeed({MinimalAdvisory(), MultiVendorAdvisory()}, options);
    EXPECT_EQ(Count(rss, "<item>"), 1u);
    EXPECT_NE(rss.find("#revision-2"), std::string::npos);
    const std::string atom = RenderAtomFeed({MinimalAdvisory(), MultiVendorAdvisory()}, options);
    EXPECT_EQ(Count(atom, "<entry>"), 1u);
    EXPECT_NE(atom.find("JVNVU#12345678"), std::string::npos);
}

}  // namespace
}  // namespace kizuna::formats
