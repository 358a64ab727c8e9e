// Whole-number axes for counts (issue 13: /stats showed 0.5 of an advisory): the tick function with small
// and large maxima, and the statistics page's charts.
#include <gtest/gtest.h>

#include <cmath>
#include <regex>

#include "web/svg_chart.hpp"

namespace kizuna::web::svg {
namespace {

TEST(SvgTicksTest, CountAxesHaveWholeNumberTicksForSmallAndLargeMaxima) {
    struct Case {
        double hi;
        std::vector<double> expect;
    } cases[] = {
        {0, {0, 1}},  // nothing counted yet
        {1, {0, 1}},
        {2, {0, 1, 2}},
        {3, {0, 1, 2, 3}},
        {5, {0, 1, 2, 3, 4, 5}},
        {7, {0, 2, 4, 6, 8}},
        {12, {0, 5, 10, 15}},
        {97, {0, 20, 40, 60, 80, 100}},
        {1234, {0, 250, 500, 750, 1000, 1250}},  // 2.5 x 100 is whole
        {3'000'000, {0, 1e6, 2e6, 3e6}},
    };
    for (const Case& c : cases) {
        auto ticks = NiceTicks(0, c.hi, 6, true);
        ASSERT_EQ(ticks.size(), c.expect.size()) << "max " << c.hi;
        for (size_t i = 0; i < ticks.size(); ++i) EXPECT_DOUBLE_EQ(ticks[i], c.expect[i]) << "max " << c.hi;
    }
    for (int hi = 0; hi <= 2000; ++hi) {
        auto ticks = NiceTicks(0, hi, 6, true);
        ASSERT_GE(ticks.size(), 2u);
        EXPECT_LE(ticks.size(), 7u) << hi;
        EXPECT_GE(ticks.back(), hi);
        for (double t : ticks) ASSERT_EQ(t, std::floor(t)) << "max " << hi << " tick " << t;
    }
    // Without the flag a small range still gets fractional steps (rates, percentages).
    EXPECT_DOUBLE_EQ(NiceTicks(0, 1)[1], 0.2);
}

TEST(SvgTicksTest, ChartOfCountsLabelsOnlyWholeNumbers) {
    ChartSpec spec;
    spec.title = "advisories";
    spec.x_labels = {"2026Q1", "2026Q2"};
    spec.series.push_back({"domestic", {1, 0}});
    spec.whole_numbers = true;
    const std::string svg = RenderChart(spec);
    EXPECT_EQ(svg.find(">0.5<"), std::string::npos) << svg;
    EXPECT_EQ(svg.find(">0.2<"), std::string::npos) << svg;
    EXPECT_NE(svg.find(">1</text>"), std::string::npos) << svg;
    spec.whole_numbers = false;  // the same data as a measurement: fractional ticks (proves the flag matters)
    EXPECT_NE(RenderChart(spec).find(">0.2<"), std::string::npos);
}

}  // namespace
}  // namespace kizuna::web::svg
