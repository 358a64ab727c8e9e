// SVG charts and the statistics page: bars and points present, every label escaped, one standalone <svg>;
// the page counts published advisories only (see advisory_access_test.cpp for the embargo side).
#include "web/svg_chart.hpp"

#include <gtest/gtest.h>

#include "site_fixture.hpp"

namespace kizuna::web {
namespace {

int Count(const std::string& haystack, const std::string& needle) {
    int n = 0;
    for (auto pos = haystack.find(needle); pos != std::string::npos; pos = haystack.find(needle, pos + 1)) ++n;
    return n;
}

TEST(SvgChartTest, BarsPointsAndEscapedLabels) {
    svg::ChartSpec spec{"Title <script>&", {"2026Q1", "Q<2>"}, {{"a\"b", {1, 2}}, {"c'd", {3}}}, "y <axis>",
                        svg::ChartKind::kBar};
    const std::string bar = svg::RenderChart(spec);
    EXPECT_TRUE(bar.starts_with("<svg ")) << bar;
    EXPECT_TRUE(bar.ends_with("</svg>"));
    EXPECT_EQ(Count(bar, "<svg"), 1);
    EXPECT_EQ(Count(bar, "class=\"bar\""), 4);  // two series × two points, the missing value drawn as 0
    EXPECT_EQ(bar.find("<script>"), std::string::npos);
    EXPECT_NE(bar.find("Title &lt;script&gt;&amp;"), std::string::npos);
    EXPECT_NE(bar.find("Q&lt;2&gt;"), std::string::npos);
    EXPECT_NE(bar.find("a&quot;b"), std::string::npos);
    EXPECT_NE(bar.find("c&#39;d"), std::string::npos);
    EXPECT_NE(bar.find("y &lt;axis&gt;"), std::string::npos);

    spec.kind = svg::ChartKind::kLine;
    const std::string line = svg::RenderChart(spec);
    EXPECT_EQ(Count(line, "class=\"point\""), 4);
    EXPECT_EQ(Count(line, "<polyline"), 2);
    spec.kind = svg::ChartKind::kStackedBar;
    EXPECT_EQ(Count(svg::RenderChart(spec), "class=\"bar\""), 4);
    // Nothing to draw is still a valid chart.
    EXPECT_TRUE(svg::RenderChart({"empty", {}, {}, "", svg::ChartKind::kLine}).ends_with("</svg>"));
}

class StatsPageTest : public SiteFixture {};

TEST_F(StatsPageTest, ChartsAndCsvOfRegisteredVendors) {
    auto v = vendors_->Create({"<b>Vendor</b>", "", vuln::RegistrationKind::kIndividual}, "t");
    ASSERT_TRUE(v.ok());
    ASSERT_TRUE(vendors_->AddContact(*v, {0, "PSIRT", "p@example.jp", "", true}, "t").ok());
    ASSERT_TRUE(vendors_->Advance(*v, vuln::RegistrationState::kRegistered, "t", "").ok());
    auto page = Call("GET", "/stats?lang=en", "");
    ASSERT_EQ(page.status, 200);
    EXPECT_NE(page.body.find("data-testid=\"chart-vendors\""), std::string::npos);
    EXPECT_EQ(page.body.find("data-testid=\"chart-per-quarter\""), std::string::npos);  // nothing published
    EXPECT_NE(page.body.find("data-testid=\"stats-none\""), std::string::npos);
    auto csv = Call("GET", "/stats/vendors.csv", "");
    EXPECT_EQ(csv.Header("Content-Type"), "text/csv; charset=utf-8");
    EXPECT_NE(csv.body.find(",1,1\r\n"), std::string::npos) << csv.body;
}

}  // namespace
}  // namespace kizuna::web
