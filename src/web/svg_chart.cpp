#include "web/svg_chart.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace kizuna::web::svg {
namespace {

constexpr const char* kPalette[] = {"#8b1e3f", "#1f6f43", "#2b5c9e", "#c77c11", "#5b6475", "#7a3e9d"};
constexpr int kLeft = 56, kRight = 16, kTop = 36, kBottom = 64;

std::string Escape(const std::string& s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string Num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}

std::string Label(double v) {
    char buf[32];
    if (std::fabs(v - std::round(v)) < 1e-9) {
        std::snprintf(buf, sizeof buf, "%.0f", v);
    } else {
        std::snprintf(buf, sizeof buf, "%.2g", v);
    }
    return buf;
}

double ValueAt(const Series& s, std::size_t i) { return i < s.values.size() ? std::max(0.0, s.values[i]) : 0.0; }

// The axis maximum: four ticks of a "nice" step (1, 2 or 5 times a power of ten), at least `max`.
double NiceMax(double max) {
    if (max <= 0) return 1;
    const double raw = max / 4;
    const double p = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * p >= raw) return 4 * m * p;
    return 40 * p;
}

}  // namespace

std::string RenderChart(const ChartSpec& spec) {
    const int width = std::max(spec.width, 200), height = std::max(spec.height, 120);
    const double plot_w = width - kLeft - kRight, plot_h = height - kTop - kBottom;
    const std::size_t n = spec.x_labels.size();
    double max = 0;
    for (std::size_t i = 0; i < n; ++i) {
        double stacked = 0;
        for (const auto& s : spec.series) {
            stacked += ValueAt(s, i);
            max = std::max(max, ValueAt(s, i));
        }
        if (spec.kind == ChartKind::kStackedBar) max = std::max(max, stacked);
    }
    const double top = NiceMax(max);
    auto y_of = [&](double v) { return kTop + plot_h - (v / top) * plot_h; };
    const double slot = n ? plot_w / static_cast<double>(n) : plot_w;
    auto x_center = [&](std::size_t i) { return kLeft + slot * (static_cast<double>(i) + 0.5); };

    std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" width=\"" +
                      std::to_string(width) + "\" height=\"" + std::to_string(height) + "\" viewBox=\"0 0 " +
                      std::to_string(width) + " " + std::to_string(height) + "\">";
    out += "<title>" + Escape(spec.title) + "</title>";
    out += "<text x=\"" + std::to_string(kLeft) + "\" y=\"18\" font-size=\"14\" font-weight=\"bold\">" +
           Escape(spec.title) + "</text>";
    // Grid and y axis ticks.
    for (int t = 0; t <= 4; ++t) {
        const double v = top * t / 4.0;
        const std::string y = Num(y_of(v));
        out += "<line x1=\"" + std::to_string(kLeft) + "\" x2=\"" + Num(kLeft + plot_w) + "\" y1=\"" + y + "\" y2=\"" + y +
               "\" stroke=\"#d9dee7\"/>";
        out += "<text x=\"" + std::to_string(kLeft - 6) + "\" y=\"" + y +
               "\" font-size=\"11\" text-anchor=\"end\" dominant-baseline=\"middle\">" + Label(v) + "</text>";
    }
    if (!spec.y_label.empty())
        out += "<text transform=\"translate(12," + Num(kTop + plot_h / 2) +
               ") rotate(-90)\" font-size=\"11\" text-anchor=\"middle\">" + Escape(spec.y_label) + "</text>";
    // X labels: thinned so they never overlap (about 60 px each).
    const std::size_t every = std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(60.0 / std::max(slot, 1.0))));
    for (std::size_t i = 0; i < n; ++i) {
        if (i % every != 0 && i + 1 != n) continue;
        out += "<text class=\"x-label\" x=\"" + Num(x_center(i)) + "\" y=\"" + Num(kTop + plot_h + 16) +
               "\" font-size=\"11\" text-anchor=\"middle\">" + Escape(spec.x_labels[i]) + "</text>";
    }
    // Data.
    const std::size_t groups = std::max<std::size_t>(spec.series.size(), 1);
    for (std::size_t si = 0; si < spec.series.size(); ++si) {
        const Series& s = spec.series[si];
        const std::string color = kPalette[si % (sizeof kPalette / sizeof kPalette[0])];
        out += "<g class=\"series\" data-series=\"" + Escape(s.label) + "\" fill=\"" + color + "\" stroke=\"" + color + "\">";
        if (spec.kind == ChartKind::kLine) {
            std::string points;
            for (std::size_t i = 0; i < n; ++i) points += Num(x_center(i)) + "," + Num(y_of(ValueAt(s, i))) + " ";
            if (n > 1) out += "<polyline fill=\"none\" stroke-width=\"2\" points=\"" + points + "\"/>";
            for (std::size_t i = 0; i < n; ++i)
                out += "<circle class=\"point\" cx=\"" + Num(x_center(i)) + "\" cy=\"" + Num(y_of(ValueAt(s, i))) +
                       "\" r=\"3\"><title>" + Escape(s.label + " " + spec.x_labels[i] + ": " + Label(ValueAt(s, i))) +
                       "</title></circle>";
        } else {
            for (std::size_t i = 0; i < n; ++i) {
                const double v = ValueAt(s, i);
                double base = 0, x = 0, w = 0;
                if (spec.kind == ChartKind::kStackedBar) {
                    for (std::size_t below = 0; below < si; ++below) base += ValueAt(spec.series[below], i);
                    w = slot * 0.7;
                    x = x_center(i) - w / 2;
                } else {
                    w = slot * 0.8 / static_cast<double>(groups);
                    x = x_center(i) - slot * 0.4 + w * static_cast<double>(si);
                }
                const double y1 = y_of(base + v), y0 = y_of(base);
                out += "<rect class=\"bar\" x=\"" + Num(x) + "\" y=\"" + Num(y1) + "\" width=\"" + Num(std::max(w, 1.0)) +
                       "\" height=\"" + Num(y0 - y1) + "\" stroke=\"none\"><title>" +
                       Escape(s.label + " " + spec.x_labels[i] + ": " + Label(v)) + "</title></rect>";
            }
        }
        out += "</g>";
    }
    // Legend.
    double lx = kLeft;
    for (std::size_t si = 0; si < spec.series.size(); ++si) {
        const std::string color = kPalette[si % (sizeof kPalette / sizeof kPalette[0])];
        const std::string y = Num(height - 14.0);
        out += "<rect x=\"" + Num(lx) + "\" y=\"" + Num(height - 22.0) + "\" width=\"10\" height=\"10\" fill=\"" + color + "\"/>";
        out += "<text class=\"legend\" x=\"" + Num(lx + 14) + "\" y=\"" + y + "\" font-size=\"11\">" +
               Escape(spec.series[si].label) + "</text>";
        lx += 24 + 7.0 * static_cast<double>(spec.series[si].label.size());
    }
    out += "</svg>";
    return out;
}

}  // namespace kizuna::web::svg
