#include "web/svg_chart.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <regex>
#include <string>

#include "support/process.hpp"

namespace kizuna::web::svg {
namespace {

size_t Count(const std::string& haystack, const std::string& needle) {
    size_t n = 0;
    for (size_t pos = haystack.find(needle); pos != std::string::npos; pos = haystack.find(needle, pos + 1)) ++n;
    return n;
}

// xmllint (libxml2-utils, installed by scripts/setup.sh) parses the output as a standalone XML document.
void ExpectWellFormed(const std::string& svg) {
    auto r = kizuna::testing::RunCommand({"/usr/bin/xmllint", "--noout", "-"}, svg);
    EXPECT_EQ(r.exit_code, 0) << r.err << "\n" << svg.substr(0, 2000);
}

ChartSpec Daily(ChartKind kind, size_t days, size_t series) {
    ChartSpec spec;
    spec.title = "Top ports";
    spec.kind = kind;
    for (size_t d = 0; d < days; ++d) spec.x_labels.push_back("2026-01-" + std::to_string(d + 1));
    for (size_t s = 0; s < series; ++s) {
        Series one{"tcp/" + std::to_string(22 + s), {}};
        for (size_t d = 0; d < days; ++d) one.values.push_back(static_cast<double>((d * 7 + s * 13) % 50) + 0.5);
        spec.series.push_back(one);
    }
    return spec;
}

TEST(SvgChartTest, NiceTicksAreRoundAndCoverTheData) {
    struct Case {
        double lo, hi;
        std::vector<double> expect;
    } cases[] = {
        {0, 1, {0, 0.2, 0.4, 0.6, 0.8, 1}},
        {0, 97, {0, 20, 40, 60, 80, 100}},
        {0, 1234, {0, 250, 500, 750, 1000, 1250}},
        {0, 0, {0, 0.2, 0.4, 0.6, 0.8, 1}},  // no data: a unit axis
        {-30, 70, {-40, -20, 0, 20, 40, 60, 80}},
        {0, 3e6, {0, 1e6, 2e6, 3e6}},
        {5, 5, {0, 1, 2, 3, 4, 5}},  // one positive value: axis from zero
    };
    for (const Case& c : cases) {
        auto ticks = NiceTicks(c.lo, c.hi);
        ASSERT_EQ(ticks.size(), c.expect.size()) << c.lo << ".." << c.hi;
        for (size_t i = 0; i < ticks.size(); ++i) EXPECT_DOUBLE_EQ(ticks[i], c.expect[i]) << c.lo << ".." << c.hi;
        EXPECT_LE(ticks.front(), std::min(c.lo, 0.0));
        EXPECT_GE(ticks.back(), c.hi);
    }
}

// Found by fuzz_svg_chart under UBSan: NaN and infinity reached the long long tick indices, and a huge range
// (or a narrow one far from zero) could make the tick loop endless. Every such scale now yields a few finite
// ticks covering the data, and the chart renders.
TEST(SvgChartTest, AbsurdScalesGiveFewFiniteTicksAndStillRender) {
    const double inf = std::numeric_limits<double>::infinity();
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double huge = std::numeric_limits<double>::max();
    const double tiny = std::numeric_limits<double>::denorm_min();
    struct Case {
        double lo, hi;
        int max_ticks;
    } cases[] = {
        {-huge, huge, 6},          // hi - lo overflows to infinity
        {0, huge, 6},
        {-1e308, 1e308, 6},
        {0, tiny, 6},              // subnormal step
        {1e300, 1e300 * (1 + 1e-15), 6},  // narrow, far from zero: indices past 2^53
        {-1e20, 1e20 + 1, 6},
        {0, 1, 2'000'000'000},     // a caller asking for absurdly many ticks
        {nan, 5, 6},
        {0, inf, 6},
        {-inf, inf, 6},
    };
    for (const Case& c : cases) {
        auto ticks = NiceTicks(c.lo, c.hi, c.max_ticks);
        ASSERT_GE(ticks.size(), 2u) << c.lo << ".." << c.hi;
        EXPECT_LE(ticks.size(), 2001u) << c.lo << ".." << c.hi;
        for (double t : ticks) EXPECT_TRUE(std::isfinite(t)) << c.lo << ".." << c.hi;
        if (std::isfinite(c.lo) && std::isfinite(c.hi)) {
            EXPECT_LE(ticks.front(), c.lo) << c.lo << ".." << c.hi;
            EXPECT_GE(ticks.back(), c.hi) << c.lo << ".." << c.hi;
        }
    }
    for (double big : {huge, 1e300, -huge}) {
        ChartSpec spec;
        spec.title = "extremes";
        spec.x_labels = {"a", "b", "c"};
        spec.series.push_back({"s", {big, -big, 0}});
        for (ChartKind kind : {ChartKind::kLine, ChartKind::kStackedBar}) {
            spec.kind = kind;
            const std::string svg = RenderChart(spec);
            EXPECT_EQ(svg.find("nan"), std::string::npos) << big;
            EXPECT_EQ(svg.find("inf"), std::string::npos) << big;
            ExpectWellFormed(svg);
        }
    }
}

TEST(SvgChartTest, LineChartIsOneStandaloneSvgWithTitleLegendAndAPathPerSeries) {
    ChartSpec spec = Daily(ChartKind::kLine, 30, 5);
    spec.y_label = "packets per sensor";
    const std::string svg = RenderChart(spec);
    EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
    EXPECT_EQ(svg.substr(svg.size() - 6), "</svg>");
    EXPECT_EQ(Count(svg, "<svg"), 1u);
    EXPECT_NE(svg.find("<title>Top ports</title>"), std::string::npos);
    EXPECT_NE(svg.find("role=\"img\""), std::string::npos);
    EXPECT_EQ(Count(svg, "<path "), 5u);
    EXPECT_EQ(Count(svg, "<circle "), 150u);  // 30 points × 5 series, each with its value as a tooltip
    EXPECT_NE(svg.find("<title>tcp/22, 2026-01-3: 14.5</title>"), std::string::npos);
    EXPECT_NE(svg.find("class=\"legend\""), std::string::npos);
    for (int s = 0; s < 5; ++s) EXPECT_NE(svg.find(">tcp/" + std::to_string(22 + s) + "</text>"), std::string::npos);
    EXPECT_NE(svg.find("packets per sensor"), std::string::npos);
    EXPECT_EQ(svg.find("<script"), std::string::npos);
    // Five different colours from the colour-blind-safe palette.
    for (const char* colour : {"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00"})
        EXPECT_NE(svg.find(colour), std::string::npos) << colour;
    ExpectWellFormed(svg);
}

TEST(SvgChartTest, AllCallerTextIsEscaped) {
    ChartSpec spec;
    spec.title = "<script>alert(1)</script> & \"quotes\"";
    spec.x_labels = {"<b>", "a&b"};
    spec.series = {{"</text><script>x()</script>", {1, 2}}, {"'single'", {2, 1}}};
    spec.y_label = "<y>";
    for (ChartKind kind : {ChartKind::kLine, ChartKind::kBar, ChartKind::kStackedBar}) {
        spec.kind = kind;
        const std::string svg = RenderChart(spec);
        EXPECT_EQ(svg.find("<script"), std::string::npos);
        EXPECT_EQ(svg.find("<b>"), std::string::npos);
        EXPECT_EQ(svg.find("<y>"), std::string::npos);
        EXPECT_NE(svg.find("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;"), std::string::npos);
        EXPECT_NE(svg.find("&#39;single&#39;"), std::string::npos);
        ExpectWellFormed(svg);
    }
}

TEST(SvgChartTest, CrowdedXLabelsAreThinned) {
    const std::string svg = RenderChart(Daily(ChartKind::kLine, 365, 1));
    std::smatch m;
    const std::string axis = svg.substr(svg.find("class=\"x-axis\""), svg.find("</g>", svg.find("class=\"x-axis\"")) -
                                                                          svg.find("class=\"x-axis\""));
    const size_t labels = Count(axis, "<text ");
    EXPECT_GE(labels, 4u);
    EXPECT_LE(labels, 10u);  // 720 px cannot hold more 10-character dates
    EXPECT_NE(axis.find(">2026-01-1<"), std::string::npos);  // the first point is always labelled
    // Above 60 points the line has no per-point markers, and one series has no legend.
    EXPECT_EQ(Count(svg, "<circle "), 0u);
    EXPECT_EQ(svg.find("class=\"legend\""), std::string::npos);
    ExpectWellFormed(svg);
}

// The last x-axis label was cut off: with thinned labels the last one drawn could be a point a few pixels
// before the right edge, centred, half outside the drawing. The last point is now always labelled, anchored
// at the plot's right edge, and no label reaches past the chart's width (0.62 em per ASCII character, the
// renderer's own estimate, is generous for DejaVu Sans digits).
TEST(SvgChartTest, TheLastPointIsLabelledAndNoLabelIsCutOff) {
    for (ChartKind kind : {ChartKind::kLine, ChartKind::kBar}) {
        for (size_t days : {2u, 31u, 120u, 121u, 365u, 366u}) {
            for (int width : {360, 480, 720}) {
                ChartSpec spec = Daily(kind, days, 2);
                spec.width = width;
                const std::string svg = RenderChart(spec);
                const size_t axis_at = svg.find("class=\"x-axis\"");
                const std::string axis = svg.substr(axis_at, svg.find("</g>", axis_at) - axis_at);
                std::regex label_re("<text x=\"([0-9.]+)\" y=\"[0-9.]+\"( text-anchor=\"(start|end)\")?>([^<]*)</text>");
                std::string last_text, last_anchor;
                size_t count = 0;
                for (auto it = std::sregex_iterator(axis.begin(), axis.end(), label_re); it != std::sregex_iterator(); ++it) {
                    const double x = std::stod((*it)[1]);
                    const std::string anchor = (*it)[3];
                    const double w = static_cast<double>((*it)[4].length()) * 11 * 0.62;
                    const double right = anchor == "end" ? x : anchor == "start" ? x + w : x + w / 2;
                    const double left = anchor == "end" ? x - w : anchor == "start" ? x : x - w / 2;
                    EXPECT_LE(right, width) << (*it)[4] << " kind " << static_cast<int>(kind) << " days " << days << " width " << width;
                    EXPECT_GE(left, 0) << (*it)[4];
                    last_text = (*it)[4];
                    last_anchor = anchor;
                    ++count;
                }
                SCOPED_TRACE("kind " + std::to_string(static_cast<int>(kind)) + ", " + std::to_string(days) + " days, " +
                             std::to_string(width) + " px");
                EXPECT_GE(count, 2u);
                EXPECT_EQ(last_text, spec.x_labels.back());
            }
        }
    }
}

TEST(SvgChartTest, GapsBreakTheLineAndAreLeftOutOfBars) {
    ChartSpec spec;
    spec.title = "gaps";
    spec.x_labels = {"a", "b", "c", "d", "e"};
    spec.series = {{"s", {1, 2, std::nan(""), 4, 5}}};
    const std::string line = RenderChart(spec);
    const auto path = line.substr(line.find("<path d=\""), line.find("\" fill=\"none\"") - line.find("<path d=\""));
    EXPECT_EQ(Count(path, "M"), 2u) << path;
    EXPECT_EQ(Count(path, "L"), 2u) << path;
    spec.kind = ChartKind::kBar;
    EXPECT_EQ(Count(RenderChart(spec), "<rect x="), 4u);
    // Short series are padded with gaps, long ones cut.
    spec.series = {{"short", {1, 2}}, {"long", {1, 2, 3, 4, 5, 6, 7}}};
    EXPECT_EQ(Count(RenderChart(spec), "<title>short"), 2u);
    EXPECT_EQ(Count(RenderChart(spec), "<title>long"), 5u);
}

TEST(SvgChartTest, StackedBarsStackAndScaleToTheSum) {
    ChartSpec spec;
    spec.title = "regions";
    spec.kind = ChartKind::kStackedBar;
    spec.x_labels = {"Q1", "Q2"};
    spec.series = {{"JP", {600, 100}}, {"US", {300, 100}}, {"CN", {100, 0}}};
    const std::string svg = RenderChart(spec);
    // The axis covers the stacked total (1000), not the largest single value (600).
    EXPECT_NE(svg.find(">1000</text>"), std::string::npos);
    const std::string bars = svg.substr(0, svg.find("class=\"legend\""));
    EXPECT_EQ(Count(bars, "<rect x="), 6u);
    // Both Q1 segments sit at the same x (stacked, not grouped).
    std::regex rect_x("<rect x=\"([0-9.]+)\"");
    std::vector<std::string> xs;
    for (auto it = std::sregex_iterator(bars.begin(), bars.end(), rect_x); it != std::sregex_iterator(); ++it)
        xs.push_back((*it)[1]);
    ASSERT_EQ(xs.size(), 6u);
    EXPECT_EQ(xs[0], xs[2]);
    EXPECT_EQ(xs[0], xs[4]);
    spec.kind = ChartKind::kBar;
    const std::string grouped = RenderChart(spec);
    EXPECT_EQ(grouped.find(">1000</text>"), std::string::npos);
    EXPECT_NE(grouped.find(">600</text>"), std::string::npos);
    ExpectWellFormed(svg);
    ExpectWellFormed(grouped);
}

TEST(SvgChartTest, LargeValuesUseSuffixesAndEmptyChartsStillRender) {
    ChartSpec spec;
    spec.title = "big";
    spec.x_labels = {"a", "b"};
    spec.series = {{"s", {0, 2.4e6}}};
    const std::string svg = RenderChart(spec);
    EXPECT_NE(svg.find(">2.5M</text>"), std::string::npos) << svg;
    EXPECT_NE(svg.find(">0.5M</text>"), std::string::npos);
    ChartSpec empty;
    empty.title = "nothing yet";
    const std::string none = RenderChart(empty);
    EXPECT_NE(none.find("<title>nothing yet</title>"), std::string::npos);
    ExpectWellFormed(none);
    // Absurd sizes are clamped rather than producing a broken drawing.
    spec.width = -5;
    spec.height = 1 << 30;
    ExpectWellFormed(RenderChart(spec));
}

}  // namespace
}  // namespace kizuna::web::svg
