// The public advisory page's markup (issue 13): the <title> carries the identifier; <link rel="alternate">
// names the feeds, the other language and (once published) the CSAF document; empty sections are left out;
// a text that exists only in the other language is marked and carries its lang attribute instead of mixing
// languages silently; the case identifier is explained where it differs from the advisory identifier; the
// list has severity/CVSS and vendor columns in the page's language.
#include <nlohmann/json.hpp>

#include <regex>

#include "site_fixture.hpp"

namespace kizuna::web {
namespace {

class AdvisoryPageTest : public SiteFixture {
  protected:
    void SetUp() override {
        SiteFixture::SetUp();
        coordinator_ = AddUser("coord-page", auth::Role::kCoordinator);
        auto v = vendors_->Create({"さくら電機", "", vuln::RegistrationKind::kGeneral}, "t");
        ASSERT_TRUE(v.ok());
        ASSERT_TRUE(vendors_->AddContact(*v, {0, "PSIRT", "psirt@example.jp", "", true}, "t").ok());
        ASSERT_TRUE(vendors_->AgreeToTerms(*v, "2026-04", "t").ok());
        for (auto st : {vuln::RegistrationState::kDocumentsReceived, vuln::RegistrationState::kMeeting,
                        vuln::RegistrationState::kRegistered})
            ASSERT_TRUE(vendors_->Advance(*v, st, "t", "").ok());
        vendor_ = *v;
    }

    struct Made {
        vuln::CaseId id;
        std::string case_identifier, advisory_id, slug;
    };

    // A case from `source` with one vendor told the details, and an advisory with `content` (JSON).
    Made MakeAdvisory(vuln::Source source, const std::string& content) {
        const vuln::Caller coord{&coordinator_, std::nullopt};
        vuln::NewCase n;
        n.title = "case";
        n.summary = "summary";
        n.details = "details";
        n.source = source;
        auto r = cases_->Submit(n, coord);
        EXPECT_TRUE(r.ok());
        EXPECT_TRUE(cases_->Verify(r->id, vuln::Verification::kReproduced, "", coord).ok());
        EXPECT_TRUE(cases_->AddVendor(r->id, vendor_, coord).ok());
        EXPECT_TRUE(cases_->DiscloseDetails(r->id, vendor_, true, coord).ok());
        EXPECT_TRUE(cases_->ReportStatus(r->id, {vuln::VendorStatus::kAffected, "修正版を公開しました"}, coord, vendor_).ok());
        auto saved = Call("PUT", "/api/v1/cases/" + std::to_string(r->id.value()) + "/advisory", "coord", content);
        EXPECT_EQ(saved.status, 200) << saved.body;
        auto body = nlohmann::json::parse(saved.body);
        return {r->id, r->identifier, body["advisory_id"], body["slug"]};
    }

    void Release(vuln::CaseId id) {
        ASSERT_TRUE(db_->InTransaction([&](store::Connection& c) { return schedule_->Release(c, id); }).ok());
    }

    static std::string Title(const std::string& html) {
        std::smatch m;
        std::regex_search(html, m, std::regex("<title>([^<]*)</title>"));
        return m.size() > 1 ? m[1].str() : "";
    }
    static bool Has(const std::string& html, const std::string& needle) { return html.find(needle) != std::string::npos; }

    auth::Principal coordinator_;
    vuln::VendorId vendor_;
};

// Overview in both languages, details only in Japanese, impact only in English; everything else empty.
constexpr const char* kPartial = R"({
  "title": {"ja": "UPnP のバッファオーバーフロー", "en": "UPnP buffer overflow"},
  "overview": {"ja": "概要の本文", "en": "Overview text"},
  "details": {"ja": "詳細は日本語だけ", "en": ""},
  "impact": {"ja": "", "en": "Impact only in English"},
  "cvss_v31": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
  "cve_ids": ["CVE-2026-41001"]})";

TEST_F(AdvisoryPageTest, TitleAndAlternateLinksCarryTheIdentifierAndTheCsafDocument) {
    Made a = MakeAdvisory(vuln::Source::kDomestic, kPartial);
    // Preview (coordinators only, not yet published): the title already names it; no CSAF link yet.
    auto preview = Call("GET", "/advisories/" + a.slug, "coord");
    ASSERT_EQ(preview.status, 200);
    EXPECT_EQ(Title(preview.body).rfind(a.advisory_id + " UPnP のバッファオーバーフロー", 0), 0u) << Title(preview.body);
    EXPECT_FALSE(Has(preview.body, "/.well-known/csaf/white/"));

    Release(a.id);
    for (const char* lang : {"ja", "en"}) {
        auto page = Call("GET", "/advisories/" + a.slug + "?lang=" + lang, "");
        ASSERT_EQ(page.status, 200);
        const std::string title = Title(page.body);
        EXPECT_NE(title.find(a.advisory_id), std::string::npos) << title;
        EXPECT_NE(title.find(std::string(lang) == "en" ? "UPnP buffer overflow" : "UPnP のバッファオーバーフロー"),
                  std::string::npos) << title;
        EXPECT_TRUE(Has(page.body, std::string("<link rel=\"alternate\" type=\"application/rss+xml\" href=\"/advisories/feed/rss.xml?lang=") + lang));
        EXPECT_TRUE(Has(page.body, std::string("<link rel=\"alternate\" type=\"application/atom+xml\" href=\"/advisories/feed/atom.xml?lang=") + lang));
        const std::string other = std::string(lang) == "en" ? "ja" : "en";
        EXPECT_TRUE(Has(page.body, "href=\"/advisories/" + a.slug + "?lang=" + other + "\"")) << lang;
        // The CSAF link names the document the provider really serves.
        std::smatch m;
        ASSERT_TRUE(std::regex_search(page.body, m, std::regex(
            "<link rel=\"alternate\" type=\"application/json\" href=\"(/\\.well-known/csaf/white/[0-9]{4}/[a-z0-9_]+\\.json)\"")))
            << lang;
        auto csaf = Call("GET", m[1].str(), "");
        EXPECT_EQ(csaf.status, 200) << m[1].str();
        EXPECT_NE(csaf.body.find(a.advisory_id), std::string::npos);
    }
    // The list links the feeds too.
    auto list = Call("GET", "/advisories/?lang=en", "");
    EXPECT_TRUE(Has(list.body, "<link rel=\"alternate\" type=\"application/rss+xml\""));
}

TEST_F(AdvisoryPageTest, EmptySectionsAreLeftOutAndUntranslatedTextIsMarked) {
    Made a = MakeAdvisory(vuln::Source::kDomestic, kPartial);
    Release(a.id);
    auto en = Call("GET", "/advisories/" + a.slug + "?lang=en", "");
    ASSERT_EQ(en.status, 200);
    for (const char* shown : {"overview", "details", "impact", "vendors", "analysis", "history"})
        EXPECT_TRUE(Has(en.body, std::string("data-section=\"") + shown + "\"")) << shown;
    for (const char* hidden : {"affected_systems", "solution", "references", "coordinator_notes", "acknowledgements", "related"})
        EXPECT_FALSE(Has(en.body, std::string("data-section=\"") + hidden + "\"")) << hidden;
    // Japanese-only details: marked, and the element says its language.
    EXPECT_TRUE(Has(en.body, "<div class=\"pre\" lang=\"ja\">詳細は日本語だけ</div>"));
    EXPECT_TRUE(Has(en.body, "(Japanese only)"));
    // The vendor's Japanese-only comment in the English table is marked too.
    EXPECT_TRUE(Has(en.body, "<span class=\"pre\" lang=\"ja\">修正版を公開しました</span> <small class=\"untranslated\""));
    // Text in the page's language is not marked.
    EXPECT_TRUE(Has(en.body, "<div class=\"pre\">Overview text</div>"));
    EXPECT_TRUE(Has(en.body, "<div class=\"pre\">Impact only in English</div>"));
    EXPECT_FALSE(Has(en.body, "（英語のみ）"));

    auto ja = Call("GET", "/advisories/" + a.slug + "?lang=ja", "");
    EXPECT_TRUE(Has(ja.body, "<div class=\"pre\" lang=\"en\">Impact only in English</div>"));
    EXPECT_TRUE(Has(ja.body, "（英語のみ）"));
    EXPECT_TRUE(Has(ja.body, "<div class=\"pre\">詳細は日本語だけ</div>"));
    EXPECT_FALSE(Has(ja.body, "(Japanese only)"));
    // Identifiers and dates are tokens that do not wrap inside.
    EXPECT_TRUE(Has(ja.body, "<code class=\"token\">CVE-2026-41001</code>"));
    EXPECT_TRUE(Has(ja.body, "<dd class=\"token\" data-testid=\"advisory-published\">"));
}

TEST_F(AdvisoryPageTest, CaseIdentifierIsExplainedOnlyWhereItDiffers) {
    Made domestic = MakeAdvisory(vuln::Source::kDomestic, kPartial);
    Made via_certcc = MakeAdvisory(vuln::Source::kCertCc, R"({"title": {"ja": "t2", "en": "t2"}, "overview": {"ja": "o", "en": "o"}})");
    Release(domestic.id);
    Release(via_certcc.id);
    ASSERT_NE(domestic.case_identifier, domestic.advisory_id);  // JVNVU#… case, JVN#… advisory
    auto page = Call("GET", "/advisories/" + domestic.slug + "?lang=en", "");
    EXPECT_TRUE(Has(page.body, "data-testid=\"identifier-note\""));
    EXPECT_TRUE(Has(page.body, "<span class=\"token\">" + domestic.case_identifier + "</span>"));
    EXPECT_TRUE(Has(page.body, "coordination case identifier " + domestic.case_identifier + "; it is published as " +
                                   domestic.advisory_id));
    ASSERT_EQ(via_certcc.case_identifier, via_certcc.advisory_id);
    auto same = Call("GET", "/advisories/" + via_certcc.slug + "?lang=en", "");
    EXPECT_FALSE(Has(same.body, "data-testid=\"identifier-note\""));
}

TEST_F(AdvisoryPageTest, ListShowsSeverityAndVendorsInThePageLanguage) {
    Made scored = MakeAdvisory(vuln::Source::kDomestic, kPartial);
    Made unscored = MakeAdvisory(vuln::Source::kCertCc, R"({"title": {"ja": "採点なし", "en": "Unscored"}, "overview": {"ja": "o", "en": "o"}})");
    Release(scored.id);
    Release(unscored.id);
    auto en = Call("GET", "/advisories/?lang=en", "");
    ASSERT_EQ(en.status, 200);
    EXPECT_TRUE(Has(en.body, "<th>Severity (CVSS)</th>"));
    EXPECT_TRUE(Has(en.body, "<span class=\"severity severity-critical\">Critical</span> <span title=\"CVSS v3.1\">9.8</span>"));
    EXPECT_TRUE(Has(en.body, "Not scored"));
    // The vendor column: names in the page's language (a vendor registered without an English name keeps its
    // registered name there, by the registry's rule), each one unbreakable.
    EXPECT_TRUE(Has(en.body, "<td data-testid=\"advisory-vendors\"><span class=\"token\">さくら電機</span></td>"));
    EXPECT_TRUE(Has(en.body, "<span class=\"token\">CVE-2026-41001</span>"));
    auto ja = Call("GET", "/advisories/?lang=ja", "");
    EXPECT_TRUE(Has(ja.body, "<th>深刻度（CVSS）</th>"));
    EXPECT_TRUE(Has(ja.body, "<span class=\"token\">さくら電機</span>"));
}

// /stats with a single published advisory: the count axes step by whole numbers (before: 0, 0.2, ... 1).
TEST_F(AdvisoryPageTest, StatisticsAxesCountInWholeNumbers) {
    Made a = MakeAdvisory(vuln::Source::kDomestic, kPartial);
    Release(a.id);
    auto page = Call("GET", "/stats?lang=en", "");
    ASSERT_EQ(page.status, 200);
    ASSERT_TRUE(Has(page.body, "data-testid=\"chart-per-quarter\""));
    std::smatch m;
    std::string rest = page.body;
    int ticks = 0;
    const std::regex tick("dy=\"0.32em\">([^<]*)</text>");
    while (std::regex_search(rest, m, tick)) {
        ++ticks;
        EXPECT_EQ(m[1].str().find('.'), std::string::npos) << "tick label " << m[1].str();
        rest = m.suffix();
    }
    EXPECT_GE(ticks, 6);  // three charts, at least 0 and 1 on each
}

}  // namespace
}  // namespace kizuna::web
