// Small standalone SVG charts for statistics pages (V19, O4): line, grouped bar and stacked bar charts with
// axes, a legend and escaped labels. Pure: a spec in, one <svg> element out.
#pragma once

#include <string>
#include <vector>

namespace kizuna::web::svg {

struct Series {
    std::string label;
    std::vector<double> values;  // one value per x point
};

enum class ChartKind { kLine, kBar, kStackedBar };

struct ChartSpec {
    std::string title;
    std::vector<std::string> x_labels;
    std::vector<Series> series;
    std::string y_label;
    ChartKind kind = ChartKind::kLine;
    int width = 720;
    int height = 300;
};

// One standalone <svg> element (role="img", <title> for screen readers); all text escaped. Missing values
// (a series shorter than x_labels) count as 0; negative values are drawn as 0.
std::string RenderChart(const ChartSpec& spec);

}  // namespace kizuna::web::svg
