// Fuzzes the chart renderer with hostile labels and values (country codes, sensor names and port labels reach
// it from observation data): arbitrary bytes become the title, labels, series names and values of a line,
// bar or stacked-bar chart. Nothing may crash or trip a sanitizer, and the escaping contract must hold: every
// '<' and '>' in the output is markup (they pair up), no caller text opens an element, and there is exactly
// one <svg> element.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "web/svg_chart.hpp"

namespace {

void Check(bool condition) {
    if (!condition) std::abort();
}

std::size_t Count(const std::string& s, std::string_view needle) {
    std::size_t n = 0;
    for (auto p = s.find(needle); p != std::string::npos; p = s.find(needle, p + 1)) ++n;
    return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 4) return 0;
    using namespace kizuna::web::svg;
    ChartSpec spec;
    spec.kind = static_cast<ChartKind>(data[0] % 3);
    spec.width = 100 + data[1] * 8;
    spec.height = 60 + data[2] * 4;
    const std::size_t points = data[3] % 64;
    std::string_view rest(reinterpret_cast<const char*>(data + 4), size - 4);
    // Text pieces separated by '|'; every 8 bytes of what follows also gives a value.
    auto next_piece = [&rest]() {
        auto bar = rest.find('|');
        std::string piece(rest.substr(0, bar));
        rest = bar == std::string_view::npos ? std::string_view{} : rest.substr(bar + 1);
        return piece;
    };
    spec.title = next_piece();
    spec.y_label = next_piece();
    for (std::size_t i = 0; i < points; ++i) spec.x_labels.push_back(next_piece());
    for (int s = 0; s < 3 && !rest.empty(); ++s) {
        Series series{next_piece(), {}};
        for (std::size_t i = 0; i < points + 2 && rest.size() >= sizeof(double); ++i) {
            double v;
            std::memcpy(&v, rest.data(), sizeof v);
            rest.remove_prefix(sizeof v);
            series.values.push_back(v);
        }
        spec.series.push_back(series);
    }
    const std::string svg = RenderChart(spec);
    Check(svg.rfind("<svg ", 0) == 0);
    Check(Count(svg, "<svg") == 1);
    Check(Count(svg, "<") == Count(svg, ">"));
    Check(svg.find("<script") == std::string::npos);
    return 0;
}
