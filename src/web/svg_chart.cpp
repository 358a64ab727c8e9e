#include "web/svg_chart.hpp"

#include "formats/xml.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <string_view>

namespace kizuna::web::svg {
namespace {

// Okabe & Ito (2008), "Color Universal Design": safe for protanopia, deuteranopia and tritanopia. The
// yellow (#F0E442) is left out: it has too little contrast on white to carry a thin line.
constexpr std::array<std::string_view, 7> kPalette = {"#0072B2", "#E69F00", "#009E73", "#CC79A7",
                                                      "#D55E00", "#56B4E9", "#000000"};
// Second channel besides colour, so a series stays identifiable in greyscale print.
constexpr std::array<std::string_view, 4> kDashes = {"", "6 3", "2 2", "8 3 2 3"};

constexpr double kFontSize = 11;
constexpr double kAsciiCharWidth = 6.5;  // average advance of an 11 px sans-serif Latin glyph
constexpr double kWideCharWidth = 11;    // CJK glyphs are about one em wide
constexpr double kLegendRowHeight = 18;
constexpr double kPointMarkerLimit = 60;  // above this many points, lines have no per-point markers

void AppendEscaped(std::string& out, std::string_view text) { formats::AppendXmlEscaped(out, text); }

std::string Escaped(std::string_view text) {
    std::string out;
    AppendEscaped(out, text);
    return out;
}

// Estimated rendered width, for layout only (no font metrics are available on the server).
double TextWidth(std::string_view text) {
    double width = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if (byte < 0x80) width += kAsciiCharWidth;
        else if ((byte & 0xC0) != 0x80) width += kWideCharWidth;  // lead byte of a multi-byte code point
    }
    return width;
}

// Coordinates with one decimal, locale-independent ("12.5", "300").
std::string Num(double v) {
    if (!std::isfinite(v)) v = 0;
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, std::round(v * 10) / 10, std::chars_format::fixed, 1);
    if (ec != std::errc()) return "0";
    std::string s(buf, end);
    if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
    if (s == "-0") s = "0";
    return s;
}

std::string Fixed(double v, int decimals) {
    char buf[48];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, decimals);
    if (ec != std::errc()) return "0";
    std::string s(buf, end);
    if (s.find('.') != std::string::npos) {
        while (s.back() == '0') s.pop_back();
        if (s.back() == '.') s.pop_back();
    }
    if (s == "-0") s = "0";
    return s;
}

// Tick label: plain digits below 10,000, else k/M/G with as many decimals as the step needs.
std::string TickLabel(double value, double step, double largest) {
    double scale = 1;
    const char* suffix = "";
    if (largest >= 1e9) scale = 1e9, suffix = "G";
    else if (largest >= 1e6) scale = 1e6, suffix = "M";
    else if (largest >= 1e4) scale = 1e3, suffix = "k";
    const double scaled_step = step / scale;
    int decimals = 0;
    while (decimals < 6 && std::abs(scaled_step * std::pow(10, decimals) - std::round(scaled_step * std::pow(10, decimals))) > 1e-9)
        ++decimals;
    return Fixed(value / scale, decimals) + (value == 0 ? "" : suffix);
}

// Value shown in a tooltip: integers as integers, else up to two decimals.
std::string ValueLabel(double v) { return Fixed(v, std::abs(v - std::round(v)) < 1e-9 ? 0 : 2); }

struct Frame {
    double left, top, right, bottom;  // plot area in SVG coordinates
    double lo, hi;                    // value range mapped to [bottom, top]
    // Halves first: hi - lo overflows for a range such as ±1e308 (NiceTicks then returns {lo, hi}).
    double Y(double v) const {
        const double range = hi * 0.5 - lo * 0.5;
        if (!(range > 0)) return bottom;
        return bottom - (v * 0.5 - lo * 0.5) / range * (bottom - top);
    }
};

// Values cut or padded to the number of x points; non-finite values stay NaN (gaps).
std::vector<std::vector<double>> Normalised(const ChartSpec& spec) {
    std::vector<std::vector<double>> out;
    out.reserve(spec.series.size());
    for (const Series& s : spec.series) {
        std::vector<double> v(spec.x_labels.size(), std::nan(""));
        for (size_t i = 0; i < v.size() && i < s.values.size(); ++i)
            if (std::isfinite(s.values[i])) v[i] = s.values[i];
        out.push_back(std::move(v));
    }
    return out;
}

void ValueRange(const ChartSpec& spec, const std::vector<std::vector<double>>& values, double& lo, double& hi) {
    lo = 0, hi = 0;
    if (spec.kind == ChartKind::kStackedBar) {
        for (size_t i = 0; i < spec.x_labels.size(); ++i) {
            double pos = 0, neg = 0;
            for (const auto& v : values)
                if (!std::isnan(v[i])) (v[i] >= 0 ? pos : neg) += v[i];
            hi = std::max(hi, pos);
            lo = std::min(lo, neg);
        }
        return;
    }
    for (const auto& v : values)
        for (double x : v)
            if (!std::isnan(x)) hi = std::max(hi, x), lo = std::min(lo, x);
}

struct LegendItem {
    double x, y;
};

std::vector<LegendItem> LayoutLegend(const ChartSpec& spec, double left, double right, double& rows) {
    std::vector<LegendItem> items;
    rows = 0;
    if (spec.series.size() < 2) return items;
    double x = left, y = 0;
    rows = 1;
    for (const Series& s : spec.series) {
        const double w = 28 + TextWidth(s.label) + 14;
        if (x > left && x + w > right) {
            x = left;
            y += kLegendRowHeight;
            rows += 1;
        }
        items.push_back({x, y});
        x += w;
    }
    return items;
}

std::string Stroke(size_t idx) {
    std::string out = "stroke=\"" + std::string(kPalette[idx % kPalette.size()]) + "\"";
    const std::string_view dash = kDashes[(idx / kPalette.size() + idx) % kDashes.size()];
    if (!dash.empty()) out += " stroke-dasharray=\"" + std::string(dash) + "\"";
    return out;
}

std::string Fill(size_t idx) { return "fill=\"" + std::string(kPalette[idx % kPalette.size()]) + "\""; }

void PointTitle(std::string& out, const ChartSpec& spec, size_t series_idx, size_t point, double value) {
    out += "<title>";
    if (!spec.series[series_idx].label.empty()) {
        AppendEscaped(out, spec.series[series_idx].label);
        out += ", ";
    }
    AppendEscaped(out, spec.x_labels[point]);
    out += ": ";
    out += ValueLabel(value);
    out += "</title>";
}

void DrawLines(std::string& out, const ChartSpec& spec, const std::vector<std::vector<double>>& values,
               const Frame& f) {
    const size_t n = spec.x_labels.size();
    auto x_at = [&](size_t i) {
        return n == 1 ? (f.left + f.right) / 2 : f.left + (f.right - f.left) * static_cast<double>(i) / (n - 1);
    };
    for (size_t s = 0; s < values.size(); ++s) {
        std::string d;
        bool pen_down = false;
        for (size_t i = 0; i < n; ++i) {
            if (std::isnan(values[s][i])) {
                pen_down = false;
                continue;
            }
            d += pen_down ? " L" : (d.empty() ? "M" : " M");
            d += Num(x_at(i)) + " " + Num(f.Y(values[s][i]));
            pen_down = true;
        }
        out += "<g class=\"series\"><path d=\"" + d + "\" fill=\"none\" stroke-width=\"1.75\" " +
               "stroke-linejoin=\"round\" " + Stroke(s) + "/>";
        // Markers carry the exact value as a tooltip, and make an isolated point (between two gaps) visible.
        for (size_t i = 0; i < n; ++i) {
            if (std::isnan(values[s][i])) continue;
            const bool isolated = (i == 0 || std::isnan(values[s][i - 1])) && (i + 1 == n || std::isnan(values[s][i + 1]));
            if (n > kPointMarkerLimit && !isolated) continue;
            out += "<circle cx=\"" + Num(x_at(i)) + "\" cy=\"" + Num(f.Y(values[s][i])) + "\" r=\"2.5\" " + Fill(s) + ">";
            PointTitle(out, spec, s, i, values[s][i]);
            out += "</circle>";
        }
        out += "</g>";
    }
}

void DrawBars(std::string& out, const ChartSpec& spec, const std::vector<std::vector<double>>& values,
              const Frame& f) {
    const size_t n = spec.x_labels.size();
    const double band = (f.right - f.left) / static_cast<double>(n);
    const double gap = band > 6 ? band * 0.2 : 0;
    const bool stacked = spec.kind == ChartKind::kStackedBar;
    const size_t groups = stacked ? 1 : values.size();
    const double bar_w = (band - gap) / static_cast<double>(std::max<size_t>(groups, 1));
    std::vector<double> pos_base(n, 0), neg_base(n, 0);
    for (size_t s = 0; s < values.size(); ++s) {
        out += "<g class=\"series\" " + Fill(s) + ">";
        for (size_t i = 0; i < n; ++i) {
            const double v = values[s][i];
            if (std::isnan(v)) continue;
            double from = 0, to = v;
            if (stacked) {
                double& base = v >= 0 ? pos_base[i] : neg_base[i];
                from = base;
                to = base + v;
                base = to;
            }
            const double x = f.left + band * static_cast<double>(i) + gap / 2 + (stacked ? 0 : bar_w * static_cast<double>(s));
            const double y_top = f.Y(std::max(from, to)), y_bottom = f.Y(std::min(from, to));
            out += "<rect x=\"" + Num(x) + "\" y=\"" + Num(y_top) + "\" width=\"" + Num(std::max(bar_w, 0.5)) +
                   "\" height=\"" + Num(std::max(y_bottom - y_top, 0.0)) + "\">";
            PointTitle(out, spec, s, i, v);
            out += "</rect>";
        }
        out += "</g>";
    }
}

}  // namespace

constexpr int kMaxTicks = 1000;

std::vector<double> NiceTicks(double lo, double hi, int max_ticks, bool whole_numbers) {
    if (!std::isfinite(lo) || !std::isfinite(hi)) lo = 0, hi = 1;
    if (lo > hi) std::swap(lo, hi);
    if (hi == lo) {
        if (hi == 0) hi = 1;
        else if (hi > 0) lo = 0;
        else hi = 0;
    }
    max_ticks = std::clamp(max_ticks, 2, kMaxTicks);
    // Absurd scales get the range's ends as the only ticks: a width that overflows (±1e308), one too small
    // for a normal step (subnormal), or one so narrow for its distance from zero that the tick indices leave
    // the exactly representable integers (and long long) or would take more than kMaxTicks steps.
    const double span = hi - lo;
    if (!std::isfinite(span)) return {lo, hi};
    const double raw_step = span / (max_ticks - 1);
    if (!std::isnormal(raw_step)) return {lo, hi};
    // Whole numbers: a step below 1 becomes 1, and 2.5 is skipped where it would not be whole (2.5, not 25).
    const double magnitude = whole_numbers && raw_step < 1 ? 1.0 : std::pow(10, std::floor(std::log10(raw_step)));
    double step = magnitude * 10;
    for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
        if (whole_numbers && magnitude * m != std::floor(magnitude * m)) continue;
        if (magnitude * m >= raw_step * (1 - 1e-12)) {
            step = magnitude * m;
            break;
        }
    }
    const double first_index = std::floor(lo / step + 1e-9);
    const double last_index = std::ceil(hi / step - 1e-9);
    constexpr double kMaxExactIndex = 1e15;  // well inside 2^53 and long long
    if (!std::isfinite(first_index) || !std::isfinite(last_index) || !std::isnormal(magnitude) ||
        std::abs(first_index) > kMaxExactIndex || std::abs(last_index) > kMaxExactIndex ||
        last_index - first_index > 2.0 * kMaxTicks || !std::isfinite(first_index * step) ||
        !std::isfinite(last_index * step)) {  // the round tick past the data would overflow (0 .. DBL_MAX)
        return {lo, hi};
    }
    const auto first = static_cast<long long>(first_index);
    const auto last = static_cast<long long>(last_index);
    std::vector<double> ticks;
    for (long long k = first; k <= last; ++k) {
        double t = static_cast<double>(k) * step;
        // Snap away binary noise (0.30000000000000004) so labels and positions are exact.
        t = std::round(t / magnitude * 1e6) / 1e6 * magnitude;
        ticks.push_back(t == 0 ? 0 : t);
    }
    return ticks;
}

std::string RenderChart(const ChartSpec& spec) {
    const double width = std::clamp(spec.width, 160, 4000);
    const double height = std::clamp(spec.height, 100, 3000);
    const auto values = Normalised(spec);
    double lo = 0, hi = 0;
    ValueRange(spec, values, lo, hi);
    const std::vector<double> ticks = NiceTicks(lo, hi, 6, spec.whole_numbers);
    const double step = ticks.size() > 1 ? ticks[1] - ticks[0] : 1;
    const double largest = std::max(std::abs(ticks.front()), std::abs(ticks.back()));
    std::vector<std::string> tick_labels;
    double label_w = 0;
    for (double t : ticks) {
        tick_labels.push_back(TickLabel(t, step, largest));
        label_w = std::max(label_w, TextWidth(tick_labels.back()));
    }

    Frame f{};
    f.left = label_w + 10 + (spec.y_label.empty() ? 0 : 18);
    f.right = width - 12;
    f.top = 10;
    double legend_rows = 0;
    std::vector<LegendItem> legend = LayoutLegend(spec, f.left, f.right, legend_rows);
    f.bottom = height - 24 - legend_rows * kLegendRowHeight;
    if (f.bottom - f.top < 40) f.bottom = f.top + 40;  // tiny charts keep a usable plot area
    f.lo = ticks.front();
    f.hi = ticks.back();

    std::string out;
    out.reserve(4096 + spec.x_labels.size() * spec.series.size() * 24);
    out += "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" width=\"" + Num(width) +
           "\" height=\"" + Num(height) + "\" viewBox=\"0 0 " + Num(width) + " " + Num(height) +
           "\" font-family=\"sans-serif\" font-size=\"" + Num(kFontSize) + "\" aria-label=\"";
    AppendEscaped(out, spec.title);
    out += "\"><title>";
    AppendEscaped(out, spec.title);
    out += "</title>";

    // Grid and y axis.
    out += "<g class=\"y-axis\" fill=\"#333\" text-anchor=\"end\">";
    for (size_t i = 0; i < ticks.size(); ++i) {
        const std::string y = Num(f.Y(ticks[i]));
        out += "<line x1=\"" + Num(f.left) + "\" x2=\"" + Num(f.right) + "\" y1=\"" + y + "\" y2=\"" + y +
               "\" stroke=\"" + (ticks[i] == 0 ? "#666" : "#ddd") + "\" stroke-width=\"1\"/>";
        out += "<text x=\"" + Num(f.left - 5) + "\" y=\"" + y + "\" dy=\"0.32em\">" + tick_labels[i] + "</text>";
    }
    out += "</g>";
    if (!spec.y_label.empty()) {
        const std::string cy = Num((f.top + f.bottom) / 2);
        out += "<text class=\"y-label\" x=\"12\" y=\"" + cy + "\" transform=\"rotate(-90 12 " + cy +
               ")\" text-anchor=\"middle\" fill=\"#333\">" + Escaped(spec.y_label) + "</text>";
    }

    // X labels, thinned to what fits without overlap.
    const size_t n = spec.x_labels.size();
    if (n == 0 || spec.series.empty()) {
        out += "<text class=\"empty\" x=\"" + Num((f.left + f.right) / 2) + "\" y=\"" + Num((f.top + f.bottom) / 2) +
               "\" text-anchor=\"middle\" fill=\"#666\">&#8212;</text></svg>";
        return out;
    }
    const bool bars = spec.kind != ChartKind::kLine;
    auto x_at = [&](size_t i) {
        if (bars) return f.left + (f.right - f.left) * (static_cast<double>(i) + 0.5) / static_cast<double>(n);
        return n == 1 ? (f.left + f.right) / 2 : f.left + (f.right - f.left) * static_cast<double>(i) / (n - 1);
    };
    double widest = 0;
    for (const auto& l : spec.x_labels) widest = std::max(widest, TextWidth(l));
    const double slot = (f.right - f.left) / static_cast<double>(std::max<size_t>(n - (bars ? 0 : 1), 1));
    // Lines anchor their first and last labels inwards, so a neighbour must clear 1.5 label widths.
    const double needed = (bars ? widest : 1.5 * widest) + 8;
    const size_t every = std::max<size_t>(1, static_cast<size_t>(std::ceil(needed / std::max(slot, 0.01))));
    out += "<g class=\"x-axis\" fill=\"#333\" text-anchor=\"middle\">";
    out += "<line x1=\"" + Num(f.left) + "\" x2=\"" + Num(f.left) + "\" y1=\"" + Num(f.top) + "\" y2=\"" +
           Num(f.bottom) + "\" stroke=\"#666\"/>";
    const std::string label_y = Num(f.bottom + 15);
    // Every `every`-th point, and always the last one (the newest day is the one readers look for): a label
    // stepped onto a point just before the last used to sit a few pixels from the edge, centred, and was cut
    // off. The last label is anchored at the right edge; the stepped label before it goes if they would meet.
    std::vector<size_t> shown;
    for (size_t i = 0; i < n; i += every) shown.push_back(i);
    if (shown.back() != n - 1) {
        const bool too_close = static_cast<double>(n - 1 - shown.back()) * slot < needed;
        if (!too_close) {
            shown.push_back(n - 1);
        } else if (shown.size() > 1) {
            shown.back() = n - 1;  // the one before it is `every` steps further: clear of it
        }  // else a chart so narrow that only the first label fits
    }
    for (size_t i : shown) {
        // The first and last labels are anchored inwards so they never spill outside the drawing.
        std::string anchor;
        double x = x_at(i);
        if (i == 0 && n > 1 && (!bars || every > 1)) {
            anchor = " text-anchor=\"start\"";
            x = f.left;
        } else if (i == n - 1 && n > 1 && (!bars || every > 1)) {
            anchor = " text-anchor=\"end\"";
            x = f.right;
        }
        out += "<text x=\"" + Num(x) + "\" y=\"" + label_y + "\"" + anchor + ">" + Escaped(spec.x_labels[i]) + "</text>";
    }
    out += "</g>";

    if (bars) DrawBars(out, spec, values, f);
    else DrawLines(out, spec, values, f);

    if (!legend.empty()) {
        const double legend_top = f.bottom + 24;
        out += "<g class=\"legend\" fill=\"#333\">";
        for (size_t s = 0; s < legend.size(); ++s) {
            const double y = legend_top + legend[s].y + 6;
            if (bars) {
                out += "<rect x=\"" + Num(legend[s].x) + "\" y=\"" + Num(y - 5) + "\" width=\"20\" height=\"10\" " + Fill(s) + "/>";
            } else {
                out += "<line x1=\"" + Num(legend[s].x) + "\" x2=\"" + Num(legend[s].x + 20) + "\" y1=\"" + Num(y) +
                       "\" y2=\"" + Num(y) + "\" stroke-width=\"2.5\" " + Stroke(s) + "/>";
            }
            out += "<text x=\"" + Num(legend[s].x + 26) + "\" y=\"" + Num(y) + "\" dy=\"0.32em\">" +
                   Escaped(spec.series[s].label) + "</text>";
        }
        out += "</g>";
    }
    out += "</svg>";
    return out;
}

}  // namespace kizuna::web::svg
