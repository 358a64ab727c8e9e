// Observation pages (MISSION O3/O4, seeds 003 and 004 §3): the public graphs of Internet scan observation
// (top 1–5 and 6–10 destination ports over the last quarter and the last year, one port's long-term graph,
// source regions, ICMP), the trends list with the coordinators' port notes, and the coordinators' sensor
// status. Numbers come from observe::ObservationQueries (embedded store or ClickHouse); charts from
// svg::RenderChart. Chart fragments are cached per (page, language) for a few minutes: they are the same
// for every viewer, while the layout (navigation, user) is rendered per request.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "observe/storage/storage.hpp"
#include "observe/trends/trends.hpp"
#include "web/internal/form_errors.hpp"
#include "web/internal/handlers.hpp"
#include "web/internal/labels.hpp"
#include "web/svg_chart.hpp"

namespace kizuna::web::detail {
namespace {

using auth::ResourceKind;
using observe::Protocol;

constexpr std::int64_t kDay = observe::kDayMicros;
constexpr std::int64_t kQuarterDays = 91;
constexpr std::int64_t kYearDays = 365;
constexpr auto kChartCacheTtl = std::chrono::minutes(5);
constexpr std::int64_t kMaxLongTermDays = 3660;   // ten years of daily points at most
// A sensor is shown as up when it reported (heartbeat or batch) within this time.
constexpr std::int64_t kSensorUpMicros = 5LL * 60 * 1'000'000;

// Rendered fragments shared by every viewer; entries expire so new observations show within minutes.
class FragmentCache {
  public:
    std::string Get(const std::string& key, core::SteadyTime now, const std::function<std::string()>& render) {
        {
            std::lock_guard lock(mu_);
            if (auto it = entries_.find(key); it != entries_.end() && now - it->second.first < kChartCacheTtl)
                return it->second.second;
        }
        std::string html = render();
        std::lock_guard lock(mu_);
        if (entries_.size() > 512) entries_.clear();  // many distinct port pages: start over rather than grow
        entries_[key] = {now, html};
        return html;
    }

  private:
    std::mutex mu_;
    std::map<std::string, std::pair<core::SteadyTime, std::string>> entries_;
};

std::optional<Protocol> ParseProto(std::string_view text) {
    for (Protocol p : {Protocol::kTcp, Protocol::kUdp, Protocol::kIcmp, Protocol::kIcmpv6})
        if (text == observe::ProtocolName(p)) return p;
    return std::nullopt;
}

// "2026-11-22" for the UTC day containing `micros`.
std::string Date(std::int64_t micros) {
    const auto days = std::chrono::floor<std::chrono::days>(core::FromUnixMicros(micros));
    const std::chrono::year_month_day ymd{days};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()));
    return buf;
}
std::string Date(observe::PacketTime t) { return Date(t.micros_since_epoch); }

// UTC midnight of "YYYY-MM-DD"; nullopt unless exactly that shape and a real date.
std::optional<std::int64_t> ParseDate(std::string_view text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
    int y = 0;
    unsigned m = 0, d = 0;
    auto num = [&](std::size_t pos, std::size_t len, auto& out) {
        auto [p, ec] = std::from_chars(text.data() + pos, text.data() + pos + len, out);
        return ec == std::errc() && p == text.data() + pos + len;
    };
    if (!num(0, 4, y) || !num(5, 2, m) || !num(8, 2, d)) return std::nullopt;
    const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
    if (!ymd.ok()) return std::nullopt;
    return core::ToUnixMicros(core::WallTime(std::chrono::sys_days{ymd}));
}

std::string Upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

// "TCP 445", "UDP 1434", "ICMP 8/0" (type/code for ICMP rows, whose port is type * 256 + code).
std::string PortLabel(Protocol protocol, std::uint16_t port) {
    if (protocol == Protocol::kIcmp || protocol == Protocol::kIcmpv6)
        return Upper(observe::ProtocolName(protocol)) + " " + std::to_string(port >> 8) + "/" + std::to_string(port & 0xff);
    return Upper(observe::ProtocolName(protocol)) + " " + std::to_string(port);
}

std::string PortHref(Protocol protocol, std::uint16_t port) {
    return "/observe/ports/" + std::string(observe::ProtocolName(protocol)) + "/" + std::to_string(port);
}

std::string Decimal(double v) {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, 1);
    return ec == std::errc() ? std::string(buf, end) : "0";
}

std::string Replace(std::string text, std::string_view key, std::string_view value) {
    if (auto p = text.find(key); p != std::string::npos) text.replace(p, key.size(), value);
    return text;
}

std::int64_t TodayStart(SiteServices& s) {
    const std::int64_t now = core::ToUnixMicros(s.clock.Now());
    return now - ((now % kDay) + kDay) % kDay;
}

// The last `days` complete UTC days, up to yesterday: today's partial count would read as a drop at the
// end of every graph (and as "subsiding" to the trend detector).
observe::TimeRange LastDays(SiteServices& s, std::int64_t days) { return observe::LastCompleteDays(TodayStart(s), days); }

std::vector<std::string> DayLabels(const std::vector<observe::DailyPoint>& points) {
    std::vector<std::string> labels;
    for (const auto& p : points) labels.push_back(Date(observe::PacketTime{p.day_start_micros}));
    return labels;
}

// One line chart of several ports' per-sensor daily averages.
core::Result<svg::ChartSpec> PortsSpec(const observe::ObservationQueries& q, const std::vector<observe::PortRow>& rows,
                                     observe::TimeRange range, const std::string& title, const std::string& y_label) {
    svg::ChartSpec spec;
    spec.title = title;
    spec.y_label = y_label;
    for (const auto& row : rows) {
        KZ_ASSIGN(auto points, q.PortDaily(row.protocol, row.port, range));
        if (spec.x_labels.empty()) spec.x_labels = DayLabels(points);
        svg::Series series{PortLabel(row.protocol, row.port), {}};
        for (const auto& p : points) series.values.push_back(p.per_sensor);
        spec.series.push_back(std::move(series));
    }
    return spec;
}

// One CSV field; quoted when needed, and a leading = + - @ neutralised so a spreadsheet never reads a formula.
std::string CsvField(std::string_view text) {
    std::string out(text);
    if (!out.empty() && (out[0] == '=' || out[0] == '+' || out[0] == '-' || out[0] == '@')) out.insert(0, "'");
    if (out.find_first_of(",\"\r\n") == std::string::npos) return out;
    std::string quoted = "\"";
    for (char c : out) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
}

std::string CsvNumber(double v) {
    if (!std::isfinite(v)) return "";
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return ec == std::errc() ? std::string(buf, end) : std::string();
}

// A chart's data as CSV: one row per x label, one column per series (the numbers the graph draws).
std::string ChartCsv(const svg::ChartSpec& spec, std::string_view first_header) {
    std::string csv = CsvField(first_header);
    for (const auto& series : spec.series) csv += "," + CsvField(series.label);
    csv += "\r\n";
    for (std::size_t i = 0; i < spec.x_labels.size(); ++i) {
        csv += CsvField(spec.x_labels[i]);
        for (const auto& series : spec.series)
            csv += "," + (i < series.values.size() ? CsvNumber(series.values[i]) : std::string());
        csv += "\r\n";
    }
    return csv;
}

http::Response CsvDownload(std::string body, const std::string& filename) {
    http::Response r(200);
    r.body = std::move(body);
    r.SetHeader("Content-Type", "text/csv; charset=utf-8");
    r.SetHeader("Content-Disposition", "attachment; filename=\"" + filename + "\"");
    return r;
}

std::string Query(std::string_view path, observe::TimeRange range, std::string_view extra = "") {
    return std::string(path) + "?" + std::string(extra) + (extra.empty() ? "" : "&") + "from=" + Date(range.from) +
           "&to=" + Date(observe::PacketTime{range.to.micros_since_epoch - 1});
}

// The from/to of a GET form or link (dates "YYYY-MM-DD", UTC days, "to" included; empty means the default);
// nullopt when malformed, reversed or longer than ten years.
std::optional<observe::TimeRange> QueryRange(http::Request& req, std::int64_t begin, std::int64_t end) {
    if (auto from = req.Query("from"); from && !from->empty()) {
        auto t = ParseDate(*from);
        if (!t) return std::nullopt;
        begin = *t;
    }
    if (auto to = req.Query("to"); to && !to->empty()) {
        auto t = ParseDate(*to);
        if (!t) return std::nullopt;
        end = *t + kDay;  // the "to" day is included
    }
    if (end <= begin || (end - begin) / kDay > kMaxLongTermDays) return std::nullopt;
    return observe::TimeRange{observe::PacketTime{begin}, observe::PacketTime{end}};
}

bool HasRangeQuery(http::Request& req) {
    auto from = req.Query("from");
    auto to = req.Query("to");
    return (from && !from->empty()) || (to && !to->empty());
}

// The date-range form of a page (GET, so the range stays in the address and can be shared).
View RangeForm(http::Request& req, std::string_view action, observe::TimeRange range) {
    View form;
    form.set("action", std::string(action));
    form.set("from", Date(range.from));
    form.set("to", Date(observe::PacketTime{range.to.micros_since_epoch - 1}));
    form.set("lang", std::string(LangCode(Context(req).lang)));
    return form;
}

View PortTable(const std::vector<observe::PortRow>& rows, std::size_t first_rank) {
    View list{View::type::list};
    for (std::size_t i = 0; i < rows.size(); ++i) {
        View row;
        row.set("rank", std::to_string(first_rank + i));
        row.set("label", PortLabel(rows[i].protocol, rows[i].port));
        row.set("href", PortHref(rows[i].protocol, rows[i].port));
        row.set("packets", std::to_string(rows[i].packets));
        row.set("per_sensor", Decimal(rows[i].per_sensor));
        list.push_back(row);
    }
    return list;
}

// The charts and tables of one period (quarter or year): top 1–5 and 6–10.
core::Result<View> TopPortsSection(const observe::ObservationQueries& q, observe::TimeRange range, Lang lang,
                                   const std::string& heading_key) {
    KZ_ASSIGN(auto top, q.TopPorts({.range = range, .protocol = std::nullopt, .limit = 10}));
    const std::string from = Date(range.from);
    const std::string to = Date(observe::PacketTime{range.to.micros_since_epoch - 1});
    const std::string period = from + " – " + to;
    const std::string y_label = Translate(lang, "observe_y_per_sensor");
    std::vector<observe::PortRow> first(top.begin(), top.begin() + std::min<std::ptrdiff_t>(5, std::ssize(top)));
    std::vector<observe::PortRow> second;
    if (top.size() > 5) second.assign(top.begin() + 5, top.end());
    View section;
    section.set("heading", Translate(lang, heading_key) + " (" + period + ")");
    KZ_ASSIGN(auto spec1, PortsSpec(q, first, range, Translate(lang, "observe_chart_top1_5") + " " + period, y_label));
    section.set("chart_top1_5", svg::RenderChart(spec1));
    section.set("csv_top1_5", Query("/observe/data.csv", range, "chart=top1-5"));
    section.set("caption_top1_5", Translate(lang, "observe_chart_top1_5") + " (" + period + ")");
    section.set("table_top1_5", PortTable(first, 1));
    if (!second.empty()) {
        KZ_ASSIGN(auto spec2,
                  PortsSpec(q, second, range, Translate(lang, "observe_chart_top6_10") + " " + period, y_label));
        View more;
        more.set("chart", svg::RenderChart(spec2));
        more.set("csv", Query("/observe/data.csv", range, "chart=top6-10"));
        more.set("caption", Translate(lang, "observe_chart_top6_10") + " (" + period + ")");
        more.set("table", PortTable(second, 6));
        section.set("top6_10", more);
    }
    return section;
}

// The source-regions bar chart over a range (the top ten countries).
core::Result<svg::ChartSpec> RegionsSpec(const observe::ObservationQueries& q, observe::TimeRange range, Lang lang,
                                         std::vector<observe::CountryRow>* rows = nullptr) {
    KZ_ASSIGN(auto countries, q.Countries(range, 10));
    svg::ChartSpec regions;
    regions.title = Translate(lang, "observe_regions_heading");
    regions.kind = svg::ChartKind::kBar;
    regions.y_label = Translate(lang, "observe_y_per_sensor");
    svg::Series values{Translate(lang, "observe_y_per_sensor"), {}};
    for (const auto& c : countries) {
        const std::string code(c.country.data(), 2);
        regions.x_labels.push_back(code == "ZZ" ? Translate(lang, "observe_country_unknown") : code);
        values.values.push_back(c.per_sensor);
    }
    regions.series.push_back(values);
    if (rows) *rows = std::move(countries);
    return regions;
}

// ICMP: the top type/code pairs per day over a range.
core::Result<svg::ChartSpec> IcmpSpec(const observe::ObservationQueries& q, observe::TimeRange range, Lang lang,
                                      std::vector<observe::IcmpRow>* rows = nullptr) {
    KZ_ASSIGN(auto icmp, q.Icmp(range, 5));
    svg::ChartSpec chart;
    chart.title = Translate(lang, "observe_icmp_heading");
    chart.y_label = Translate(lang, "observe_y_per_sensor");
    for (const auto& row : icmp) {
        const auto code = static_cast<std::uint16_t>(row.type * 256 + row.code);
        KZ_ASSIGN(auto points, q.PortDaily(row.protocol, code, range));
        if (chart.x_labels.empty()) chart.x_labels = DayLabels(points);
        svg::Series series{PortLabel(row.protocol, code), {}};
        for (const auto& p : points) series.values.push_back(p.per_sensor);
        chart.series.push_back(std::move(series));
    }
    if (rows) *rows = std::move(icmp);
    return chart;
}

// The page's periods: the last quarter and the last year by default, or the one range of the date form.
struct ObservePeriods {
    std::vector<std::pair<observe::TimeRange, std::string>> tops;  // range, heading key
    observe::TimeRange detail;                                       // regions and ICMP
    bool selected = false;
};

std::optional<ObservePeriods> PeriodsFor(http::Request& req, SiteServices& s) {
    const auto quarter = LastDays(s, kQuarterDays);
    ObservePeriods periods;
    if (!HasRangeQuery(req)) {
        periods.tops = {{quarter, "observe_quarter"}, {LastDays(s, kYearDays), "observe_year"}};
        periods.detail = quarter;
        return periods;
    }
    auto range = QueryRange(req, quarter.from.micros_since_epoch, quarter.to.micros_since_epoch);
    if (!range) return std::nullopt;
    periods.tops = {{*range, "observe_selected_period"}};
    periods.detail = *range;
    periods.selected = true;
    return periods;
}

core::Result<std::string> RenderObserveContent(SiteServices& s, http::Request& req, const ObservePeriods& selected) {
    const Lang lang = Context(req).lang;
    const auto& q = *s.observe_queries;
    View view;
    View periods{View::type::list};
    for (const auto& [range, heading] : selected.tops) {
        KZ_ASSIGN(View section, TopPortsSection(q, range, lang, heading));
        periods.push_back(section);
    }
    view.set("periods", periods);
    const std::string period =
        Date(selected.detail.from) + " – " + Date(observe::PacketTime{selected.detail.to.micros_since_epoch - 1});
    view.set("detail_period", period);

    // Source regions.
    std::vector<observe::CountryRow> countries;
    KZ_ASSIGN(auto regions, RegionsSpec(q, selected.detail, lang, &countries));
    View country_rows{View::type::list};
    for (std::size_t i = 0; i < countries.size(); ++i) {
        View row;
        row.set("country", regions.x_labels[i]);
        row.set("packets", std::to_string(countries[i].packets));
        row.set("per_sensor", Decimal(countries[i].per_sensor));
        country_rows.push_back(row);
    }
    view.set("regions_chart", svg::RenderChart(regions));
    view.set("regions_csv", Query("/observe/data.csv", selected.detail, "chart=regions"));
    view.set("regions", country_rows);

    // ICMP.
    std::vector<observe::IcmpRow> icmp;
    KZ_ASSIGN(auto icmp_chart, IcmpSpec(q, selected.detail, lang, &icmp));
    View icmp_rows{View::type::list};
    for (const auto& row : icmp) {
        View r;
        r.set("label", PortLabel(row.protocol, static_cast<std::uint16_t>(row.type * 256 + row.code)));
        r.set("packets", std::to_string(row.packets));
        r.set("per_sensor", Decimal(row.per_sensor));
        icmp_rows.push_back(r);
    }
    view.set("icmp_chart", svg::RenderChart(icmp_chart));
    view.set("icmp_csv", Query("/observe/data.csv", selected.detail, "chart=icmp"));
    view.set("icmp", icmp_rows);
    view.set("t", Messages(lang));
    return Render("observe_charts", view);
}

// The data of one graph of /observe as CSV ("chart" = top1-5, top6-10, regions or icmp over from/to).
core::Result<std::optional<std::string>> ObserveChartCsv(const observe::ObservationQueries& q, std::string_view chart,
                                                         observe::TimeRange range, Lang lang) {
    const std::string date = Translate(lang, "observe_csv_date");
    if (chart == "regions") {
        KZ_ASSIGN(auto spec, RegionsSpec(q, range, lang));
        return std::optional<std::string>(ChartCsv(spec, Translate(lang, "observe_country")));
    }
    if (chart == "icmp") {
        KZ_ASSIGN(auto spec, IcmpSpec(q, range, lang));
        return std::optional<std::string>(ChartCsv(spec, date));
    }
    if (chart != "top1-5" && chart != "top6-10") return std::optional<std::string>();
    KZ_ASSIGN(auto top, q.TopPorts({.range = range, .protocol = std::nullopt, .limit = 10}));
    std::vector<observe::PortRow> rows;
    if (chart == "top1-5") rows.assign(top.begin(), top.begin() + std::min<std::ptrdiff_t>(5, std::ssize(top)));
    else if (top.size() > 5) rows.assign(top.begin() + 5, top.end());
    KZ_ASSIGN(auto spec, PortsSpec(q, rows, range, "", ""));
    return std::optional<std::string>(ChartCsv(spec, date));
}

struct PortParam {
    Protocol protocol;
    std::uint16_t port;
};

std::optional<PortParam> ParsePortParams(http::Request& req) {
    auto proto = ParseProto(req.Param("proto"));
    if (!proto) return std::nullopt;
    const std::string_view text = req.Param("port");
    unsigned value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty() || value > 65535) return std::nullopt;
    return PortParam{*proto, static_cast<std::uint16_t>(value)};
}

// Case links of a note, each only when the policy lets this viewer see the case (checked without reading the
// case, so a view writes no audit entry), and the published advisory of each case for everyone once public.
View CaseLinks(http::Request& req, SiteServices& s, const observe::PortNote& note) {
    View links{View::type::list};
    const bool logged_in = Context(req).principal.has_value();  // anonymous callers never see case data
    const vuln::Caller caller = CallerFor(req, s);
    for (auto id : note.case_ids) {
        if (logged_in) {
            if (auto c = s.cases.Reference(vuln::CaseId{id}, caller); c.ok()) {
                View link;
                link.set("href", "/cases/" + std::to_string(id));
                link.set("label", c->identifier.empty() ? "#" + std::to_string(id) : c->identifier);
                links.push_back(link);
            }
        }
        if (auto advisory = s.advisories.PublishedLink(vuln::CaseId{id}); advisory.ok() && *advisory) {
            View link;
            link.set("href", "/advisories/" + (*advisory)->slug);
            link.set("label", (*advisory)->advisory_id);
            link.set("advisory", View::type::bool_true);
            links.push_back(link);
        }
    }
    return links;
}

void SetNote(View& view, http::Request& req, SiteServices& s, const std::optional<observe::PortNote>& note) {
    if (!note) return;
    if (!note->note.empty()) view.set("note", note->note);
    View links = CaseLinks(req, s, *note);
    if (!links.is_empty_list()) {
        view.set("cases", links);
        view.set("has_cases", View::type::bool_true);
    }
}

std::string StateLabel(Lang lang, observe::TrendState state) {
    return Translate(lang, "observe_state_" + std::string(observe::TrendStateName(state)));
}

std::vector<std::int64_t> ParseCaseIds(std::string_view text, bool* ok) {
    std::vector<std::int64_t> ids;
    *ok = true;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        std::size_t end = text.find_first_of(", \n\r\t", pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view part = text.substr(pos, end - pos);
        if (!part.empty()) {
            std::int64_t id = 0;
            auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), id);
            if (ec != std::errc() || p != part.data() + part.size()) *ok = false;
            else ids.push_back(id);
        }
        pos = end + 1;
    }
    return ids;
}

// The port's unique sources and targets per day over the trend window (counts only: the sensors' own
// addresses never leave the center).
svg::ChartSpec UniqueSpec(const observe::TrendAnalysis& trend, Lang lang, const std::string& label) {
    svg::ChartSpec spec;
    spec.title = Replace(Translate(lang, "observe_unique_chart"), "{{port}}", label);
    spec.y_label = Translate(lang, "observe_sources") + " / " + Translate(lang, "observe_targets");
    svg::Series sources{Translate(lang, "observe_sources"), {}}, targets{Translate(lang, "observe_targets"), {}};
    for (const auto& d : trend.days) {
        spec.x_labels.push_back(Date(d.day_start_micros));
        sources.values.push_back(d.sources.value_or(0));
        targets.values.push_back(d.targets.value_or(0));
    }
    spec.series = {sources, targets};
    return spec;
}

// The unique-counts section of a port page; nothing when the backend has no unique counts.
std::optional<View> UniqueSection(const observe::TrendAnalysis& trend, Lang lang, const std::string& label,
                                  const std::string& csv_href) {
    if (trend.days.empty() || !trend.days.back().sources) return std::nullopt;
    const observe::TrendPoint& last = trend.days.back();
    View section;
    section.set("chart", svg::RenderChart(UniqueSpec(trend, lang, label)));
    section.set("csv", csv_href);
    section.set("day", Date(last.day_start_micros));
    section.set("sources", std::to_string(static_cast<std::uint64_t>(*last.sources)));
    section.set("targets", std::to_string(static_cast<std::uint64_t>(last.targets.value_or(0))));
    if (last.dshield_score) section.set("dshield", Decimal(*last.dshield_score));
    return section;
}

// A port page's range: from/to of the form or link, the last year by default.
std::optional<observe::TimeRange> PortRange(http::Request& req, SiteServices& s) {
    const std::int64_t today = TodayStart(s);
    return QueryRange(req, today - kYearDays * kDay, today);
}

core::Result<svg::ChartSpec> PortSpec(const observe::ObservationQueries& q, const PortParam& pp,
                                      observe::TimeRange range, Lang lang) {
    const std::string label = PortLabel(pp.protocol, pp.port);
    const std::string period = Date(range.from) + " – " + Date(observe::PacketTime{range.to.micros_since_epoch - 1});
    KZ_ASSIGN(auto points, q.PortDaily(pp.protocol, pp.port, range));
    svg::ChartSpec spec;
    spec.title = Replace(Translate(lang, "observe_port_chart"), "{{port}}", label) + " (" + period + ")";
    spec.y_label = Translate(lang, "observe_y_per_sensor");
    spec.x_labels = DayLabels(points);
    svg::Series series{label, {}};
    for (const auto& p : points) series.values.push_back(p.per_sensor);
    spec.series.push_back(series);
    return spec;
}

http::Response PortPage(http::Request& req, SiteServices& s, FragmentCache& fragments, const PortParam& pp, int status,
                        const std::string& error) {
    const Lang lang = Context(req).lang;
    const auto selected = PortRange(req, s);
    if (!selected) return ErrorPage(req, s, 404);
    const observe::TimeRange range = *selected;
    const std::int64_t begin = range.from.micros_since_epoch, end = range.to.micros_since_epoch;
    const std::string label = PortLabel(pp.protocol, pp.port);
    const std::string period = Date(range.from) + " – " + Date(observe::PacketTime{end - 1});
    const std::string key = "port:" + std::string(LangCode(lang)) + ":" + label + ":" + std::to_string(begin) + ":" +
                            std::to_string(end);
    bool failed = false;
    const std::string chart = fragments.Get(key, s.clock.Steady(), [&] {
        auto spec = PortSpec(*s.observe_queries, pp, range, lang);
        if (!spec.ok()) {
            failed = true;
            return std::string();
        }
        return svg::RenderChart(*spec);
    });
    if (failed) return ErrorPage(req, s, 500);
    const std::string href = PortHref(pp.protocol, pp.port);
    View view;
    view.set("heading", Replace(Translate(lang, "observe_port_heading"), "{{port}}", label));
    view.set("period", period);
    view.set("chart", chart);
    view.set("csv", Query(href + "/data.csv", range));
    view.set("range", RangeForm(req, href, range));
    if (auto trend = observe::PortTrend(*s.observe_queries, pp.protocol, pp.port, TodayStart(s), s.observe_distinct);
        trend.ok()) {
        view.set("state", StateLabel(lang, trend->current));
        if (auto unique = UniqueSection(*trend, lang, label, href + "/unique.csv")) view.set("unique", *unique);
    }
    std::optional<observe::PortNote> note;
    if (s.port_notes) {
        if (auto got = s.port_notes->Get(pp.protocol, pp.port); got.ok()) note = *got;
    }
    SetNote(view, req, s, note);
    // Coordinators edit the note here (CSRF-protected form); others only read it.
    if (Context(req).session && auth::Authorize(Context(req).who(), auth::Action::kUpdate, {ResourceKind::kPortNote})) {
        View form;
        form.set("action", PortHref(pp.protocol, pp.port) + "/note");
        form.set("csrf", Context(req).session->csrf_token);
        form.set("note_text", note ? note->note : std::string());
        std::string ids;
        if (note)
            for (auto id : note->case_ids) ids += (ids.empty() ? "" : ", ") + std::to_string(id);
        form.set("case_ids", ids);
        if (!error.empty()) form.set("error", error);
        view.set("edit", form);
    }
    return RenderPage(req, s, "observe_port", "observe_port_title", std::move(view), status);
}

}  // namespace

void AddObservePartnerPages(http::Router& router, SiteServices& s);  // pages_observe_partners.cpp

void AddObservePages(http::Router& router, SiteServices& s) {
    AddObservePartnerPages(router, s);
    // One cache per Site (the routes own it), so two sites in one process never share fragments.
    auto fragments = std::make_shared<FragmentCache>();
    router.Add("GET", "/observe", [&s, fragments](http::Request& req) {
        if (auto denied = Check(req, auth::Action::kView, {ResourceKind::kPublicPage}, false)) return *denied;
        if (!s.observe_queries) return ErrorPage(req, s, 404);
        const Lang lang = Context(req).lang;
        const auto periods = PeriodsFor(req, s);
        if (!periods) return ErrorPage(req, s, 404);
        const std::string key = "observe:" + std::string(LangCode(lang)) + ":" +
                                (periods->selected ? Date(periods->detail.from) + ":" +
                                                         Date(periods->detail.to.micros_since_epoch - 1)
                                                   : std::string("default"));
        bool failed = false;
        const std::string content = fragments->Get(key, s.clock.Steady(), [&] {
            auto html = RenderObserveContent(s, req, *periods);
            if (!html.ok()) {
                s.log.Error("observation page failed", {{"error", html.error().ToString()}});
                failed = true;
                return std::string();
            }
            return *html;
        });
        if (failed) return ErrorPage(req, s, 500);
        View view;
        view.set("charts", content);
        view.set("range", RangeForm(req, "/observe", periods->detail));
        if (auth::Authorize(Context(req).who(), auth::Action::kView, {ResourceKind::kSensorStatus}))
            view.set("sensors_link", View::type::bool_true);
        return RenderPage(req, s, "observe", "observe_title", std::move(view));
    });

    router.Add("GET", "/observe/ports/{proto}/{port}", [&s, fragments](http::Request& req) {
        if (auto denied = Check(req, auth::Action::kView, {ResourceKind::kPublicPage}, false)) return *denied;
        auto pp = ParsePortParams(req);
        if (!s.observe_queries || !pp) return ErrorPage(req, s, 404);
        return PortPage(req, s, *fragments, *pp, 200, "");
    });

    // Each graph's numbers as CSV, with the same access rule as the page that draws it (public).
    router.Add("GET", "/observe/data.csv", [&s](http::Request& req) {
        if (auto denied = Check(req, auth::Action::kView, {ResourceKind::kPublicPage}, false)) return *denied;
        if (!s.observe_queries) return ErrorPage(req, s, 404);
        const auto periods = PeriodsFor(req, s);
        if (!periods) return ErrorPage(req, s, 404);
        const std::string chart(req.Query("chart").value_or(""));
        auto csv = ObserveChartCsv(*s.observe_queries, chart, periods->detail, Context(req).lang);
        if (!csv.ok()) {
            s.log.Error("observation CSV failed", {{"error", csv.error().ToString()}});
            return ErrorPage(req, s, 500);
        }
        if (!*csv) return ErrorPage(req, s, 404);
        return CsvDownload(std::move(**csv), "observe-" + chart + "-" + Date(periods->detail.from) + "-" +
                                                 Date(periods->detail.to.micros_since_epoch - 1) + ".csv");
    });

    router.Add("GET", "/observe/ports/{proto}/{port}/data.csv", [&s](http::Request& req) {
        if (auto denied = Check(req, auth::Action::kView, {ResourceKind::kPublicPage}, false)) return *denied;
        auto pp = ParsePortParams(req);
        if (!s.observe_queries || !pp) return ErrorPage(req, s, 404);
        const auto range = PortRange(req, s);
        if (!range) return ErrorPage(req, s, 404);
        const Lang lang = Context(req).lang;
        auto spec = PortSpec(*s.observe_queries, *pp, *range, lang);
        if (!spec.ok()) return ErrorPage(req, s, 500);
        return CsvDownload(ChartCsv(*spec, Translate(lang, "observe_csv_date")),
                           "observe-" + std::string(observe::ProtocolName(pp->protocol)) + "-" +
                               std::to_string(pp->port) + "-" + Date(range->from) + "-" +
                               Date(range->to.micros_since_epoch - 1) + ".csv");
    });

    router.Add("GET", "/observe/ports/{proto}/{port}/unique.csv", [&s](http::Request& req) {
        if (auto denied = Check(req, auth::Action::kView, {ResourceKind::kPublicPage}, false)) return *denied;
        auto pp = ParsePortParams(req);
        if (!s.observe_queries || !pp || !s.observe_distinct) return ErrorPage(req, s, 404);
        auto trend = observe::PortTrend(*s.observe_queries, pp->protocol, pp->port, TodayStart(s), s.observe_distinct);
        if (!trend.ok()) return ErrorPage(req, s, 500);
        if (trend->days.empty() || !trend->days.back().sources) return ErrorPage(req, s, 404);
        const Lang lang = Context(req).lang;
        return CsvDownload(
            ChartCsv(UniqueSpec(*trend, lang, PortLabel(pp->protocol, pp->port)), Translate(lang, "observe_csv_date")),
            "observe-" + std::string(observe::ProtocolName(pp->protocol)) + "-" + std::to_string(pp->port) +
                "-unique.csv");
    });

    router.Add("POST", "/observe/ports/{proto}/{port}/note", [&s, fragments](http::Request& req) {
        if (auto denied = Check(req, auth::Action::kUpdate, {ResourceKind::kPortNote}, false)) return *denied;
        auto pp = ParsePortParams(req);
        if (!s.observe_queries || !s.port_notes || !pp) return ErrorPage(req, s, 404);
        if (!CsrfValid(req)) return ErrorPage(req, s, 403);
        const Lang lang = Context(req).lang;
        bool ids_ok = true;
        const auto ids = ParseCaseIds(req.Form("case_ids").value_or(""), &ids_ok);
        if (!ids_ok) return PortPage(req, s, *fragments, *pp, 400, Translate(lang, "observe_note_bad_ids"));
        const std::string actor = Context(req).principal->name;
        auto st = s.port_notes->Save(pp->protocol, pp->port, req.Form("note").value_or(""), ids, actor, req.remote_ip);
        if (!st.ok()) {
            if (st.error().code() == core::ErrorCode::kInvalidArgument)
                return PortPage(req, s, *fragments, *pp, 400, ErrorWithField(lang, st.error()));
            s.log.Error("saving port note failed", {{"error", st.error().ToString()}});
            return ErrorPage(req, s, 500);
        }
        return http::Response::Redirect(PortHref(pp->protocol, pp->port));
    });

    router.Add("GET", "/observe/trends", [&s](http::Request& req) {
        if (auto denied = Check(req, auth::Action::kView, {ResourceKind::kPublicPage}, false)) return *denied;
        if (!s.observe_queries) return ErrorPage(req, s, 404);
        const Lang lang = Context(req).lang;
        std::vector<observe::PortNote> notes;
        if (s.port_notes) {
            auto all = s.port_notes->All();
            if (!all.ok()) return ErrorPage(req, s, 500);
            notes = std::move(*all);
        }
        auto trends = observe::ListTrends(*s.observe_queries, notes, TodayStart(s), s.observe_distinct);
        if (!trends.ok()) return ErrorPage(req, s, 500);
        View rows{View::type::list};
        for (const observe::ListedTrend& t : *trends) {
            View row;
            row.set("label", PortLabel(t.protocol, t.port));
            row.set("href", PortHref(t.protocol, t.port));
            row.set("state", StateLabel(lang, t.analysis.current));
            row.set("state_code", std::string(observe::TrendStateName(t.analysis.current)));
            if (t.episode) {
                row.set("onset", Date(observe::PacketTime{t.episode->onset_micros}));
                if (t.episode->first_observed) row.set("first_observed", Translate(lang, "observe_first_observed"));
                row.set("baseline", Decimal(t.episode->baseline));
                row.set("peak", Decimal(t.episode->peak_level));
            }
            if (!t.analysis.days.empty()) {
                const observe::TrendPoint& last = t.analysis.days.back();
                row.set("latest", Decimal(last.ratio));
                // Counts only, of the latest complete day: which addresses (sensors') stays in the center.
                if (last.sources) row.set("sources", std::to_string(static_cast<std::uint64_t>(*last.sources)));
                if (last.targets) row.set("targets", std::to_string(static_cast<std::uint64_t>(*last.targets)));
                row.set("dshield", last.dshield_score ? Decimal(*last.dshield_score) : std::string("—"));
            }
            if (t.note) SetNote(row, req, s, *t.note);
            rows.push_back(row);
        }
        View view;
        view.set("trends", rows);
        if (trends->empty()) view.set("none", View::type::bool_true);
        if (s.observe_distinct) view.set("unique_note", View::type::bool_true);
        return RenderPage(req, s, "observe_trends", "observe_trends_title", std::move(view));
    });

    router.Add("GET", "/observe/sensors", [&s](http::Request& req) {
        // Coordinators only; everyone else must not learn the page exists (404, also for anonymous).
        if (auto denied = Check(req, auth::Action::kView, {ResourceKind::kSensorStatus}, false)) return *denied;
        if (!s.sensor_status) return ErrorPage(req, s, 404);
        const Lang lang = Context(req).lang;
        auto sensors = s.sensor_status();
        if (!sensors.ok()) {
            s.log.Error("reading sensor status failed", {{"error", sensors.error().ToString()}});
            return ErrorPage(req, s, 500);
        }
        const std::int64_t now = core::ToUnixMicros(s.clock.Now());
        auto when = [&](std::int64_t micros) {
            return micros == 0 ? std::string("—") : s.zone.FormatMinutes(core::FromUnixMicros(micros));
        };
        View rows{View::type::list};
        for (const auto& st : *sensors) {
            const std::int64_t last = std::max(st.last_heartbeat_micros, st.last_batch_micros);
            const bool up = last > 0 && now - last <= kSensorUpMicros;
            View row;
            row.set("sensor", st.sensor);
            row.set("source", HasCodeLabel(lang, "sensor_source", st.source) ? CodeLabel(lang, "sensor_source", st.source)
                                                                            : Translate(lang, "words_sensor_source_other"));
            row.set("up", up ? View::type::bool_true : View::type::bool_false);
            row.set("status", Translate(lang, up ? "observe_sensor_up" : "observe_sensor_down"));
            row.set("last_batch", when(st.last_batch_micros));
            row.set("last_heartbeat", when(st.last_heartbeat_micros));
            row.set("lag", Decimal(static_cast<double>(st.lag_micros) / 1e6));
            row.set("batches", std::to_string(st.batches));
            row.set("events", std::to_string(st.events));
            row.set("dropped", std::to_string(st.packets_dropped + st.interface_dropped + st.lost));
            std::uint64_t anomalies = 0;
            std::string detail;
            for (const auto& [name, n] : st.anomalies) {
                anomalies += n;
                // A packet anomaly's name ("truncated_tcp") in words; one this page does not know yet keeps its
                // name: it is the only thing that tells the operator which counter it is.
                const std::string label = HasCodeLabel(lang, "sensor_anomaly", name) ? CodeLabel(lang, "sensor_anomaly", name) : name;
                detail += (detail.empty() ? "" : Translate(lang, "words_list_separator")) + label + ": " + std::to_string(n);
            }
            row.set("anomalies", std::to_string(anomalies));
            if (!detail.empty()) row.set("anomaly_detail", detail);
            rows.push_back(row);
        }
        View view;
        view.set("sensors", rows);
        if (sensors->empty()) view.set("none", View::type::bool_true);
        return RenderPage(req, s, "observe_sensors", "observe_sensors_title", std::move(view));
    });
}

}  // namespace kizuna::web::detail
