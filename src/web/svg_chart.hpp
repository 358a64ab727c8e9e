// Server-side SVG charts: the one renderer behind every graph in Kizuna (observation pages, statistics).
//
// RenderChart returns one standalone <svg> element that needs no script, no stylesheet and no font: it
// can be inlined in a page, saved as a file or embedded in a report. Contract:
//   - every piece of caller text (title, labels, series names) is XML-escaped;
//   - the y axis starts at zero (or below, for negative data) and its ticks are round numbers (1, 2, 2.5, 5
//     times a power of ten); x labels are thinned so that they do not overlap;
//   - colours come from the Okabe–Ito palette (distinguishable with the common colour-vision deficiencies),
//     lines also differ in dash pattern, and there is a legend whenever there is more than one series;
//   - a non-finite value (NaN, ±inf) is a gap: lines break there and bars are left out;
//   - series shorter than x_labels are padded with gaps; longer ones are cut to x_labels.size().
// Thread-safe (pure function).
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
    std::string title;                  // rendered as <title> for screen readers
    std::vector<std::string> x_labels;  // one per point; thinned when crowded
    std::vector<Series> series;
    std::string y_label;
    ChartKind kind = ChartKind::kLine;
    int width = 720;
    int height = 300;
    // Counts (cases, advisories, vendors): y ticks are whole numbers, never half a case.
    bool whole_numbers = false;
};

std::string RenderChart(const ChartSpec& spec);  // one standalone <svg> element; all text escaped

// The round tick values RenderChart puts on the y axis for data in [lo, hi] (exposed for tests and for
// callers that print the same scale in a table). With `whole_numbers` the step is an integer (1, 2, 5, 10,
// 20, 25, 50, ...), at least 1: an axis of counts never shows 0.5.
std::vector<double> NiceTicks(double lo, double hi, int max_ticks = 6, bool whole_numbers = false);

}  // namespace kizuna::web::svg
