// Observation pages (MISSION O3/O4, seeds 003 and 004 §3): the public graphs of Internet scan observation
// (top 1–5 and 6–10 destination ports over the last quarter and the last year, one port's long-term graph,
// source regions, ICMP), the trends list with the coordinators' port notes, and the coordinators' sensor
// status. Numbers come from observe::ObservationQueries (embedded store or ClickHouse); charts from
// svg::RenderChart. Chart fragments are cached per (page, language) for a few minutes: they are the same
// for every viewer, while the layout (navigation, user) is rendered per request.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "observe/queries.hpp"
#include "observe/trend_list.hpp"
#include "observe/trends.hpp"
#include "web/internal/handlers.hpp"
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
core::Result<std::string> PortsChart(const observe::ObservationQueries& q, const std::vector<observe::PortRow>& rows,
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
    return svg::RenderChart(spec);
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
    KZ_ASSIGN(std::string chart1, PortsChart(q, first, range, Translate(lang, "observe_chart_top1_5") + " " + period, y_label));
    section.set("chart_top1_5", chart1);
    section.set("caption_top1_5", Translate(lang, "observe_chart_top1_5") + " (" + period + ")");
    section.set("table_top1_5", PortTable(first, 1));
    if (!second.empty()) {
        KZ_ASSIGN(std::string chart2,
                  PortsChart(q, second, range, Translate(lang, "observe_chart_top6_10") + " " + period, y_label));
        View more;
        more.set("chart", chart2);
        more.set("caption", Translate(lang, "observe_chart_top6_10") + " (" + period + ")");
        more.set("table", PortTable(second, 6));
        section.set("top6_10", more);
    }
    return section;
}

core::Result<std::string> RenderObserveContent(SiteServices& s, http::Request& req) {
    const Lang lang = Context(req).lang;
    const auto& q = *s.observe_queries;
    const auto quarter = LastDays(s, kQuarterDays);
    View view;
    View periods{View::type::list};
    KZ_ASSIGN(View q_section, TopPortsSection(q, quarter, lang, "observe_quarter"));
    periods.push_back(q_section);
    KZ_ASSIGN(View y_section, TopPortsSection(q, LastDays(s, kYearDays), lang, "observe_year"));
    periods.push_back(y_section);
    view.set("periods", periods);

    // Source regions over the quarter.
    KZ_ASSIGN(auto countries, q.Countries(quarter, 10));
    svg::ChartSpec regions;
    regions.title = Translate(lang, "observe_regions_heading");
    regions.kind = svg::ChartKind::kBar;
    regions.y_label = Translate(lang, "observe_y_per_sensor");
    svg::Series region_values{Translate(lang, "observe_y_per_sensor"), {}};
    View country_rows{View::type::list};
    for (const auto& c : countries) {
        const std::string code(c.country.data(), 2);
        const std::string label = code == "ZZ" ? Translate(lang, "observe_country_unknown") : code;
        regions.x_labels.push_back(label);
        region_values.values.push_back(c.per_sensor);
        View row;
        row.set("country", label);
        row.set("packets", std::to_string(c.packets));
        row.set("per_sensor", Decimal(c.per_sensor));
        country_rows.push_back(row);
    }
    regions.series.push_back(region_values);
    view.set("regions_chart", svg::RenderChart(regions));
    view.set("regions", country_rows);

    // ICMP: the top type/code pairs per day over the quarter.
    KZ_ASSIGN(auto icmp, q.Icmp(quarter, 5));
    svg::ChartSpec icmp_chart;
    icmp_chart.title = Translate(lang, "observe_icmp_heading");
    icmp_chart.y_label = Translate(lang, "observe_y_per_sensor");
    View icmp_rows{View::type::list};
    for (const auto& row : icmp) {
        const auto code = static_cast<std::uint16_t>(row.type * 256 + row.code);
        KZ_ASSIGN(auto points, q.PortDaily(row.protocol, code, quarter));
        if (icmp_chart.x_labels.empty()) icmp_chart.x_labels = DayLabels(points);
        svg::Series series{PortLabel(row.protocol, code), {}};
        for (const auto& p : points) series.values.push_back(p.per_sensor);
        icmp_chart.series.push_back(std::move(series));
        View r;
        r.set("label", PortLabel(row.protocol, code));
        r.set("packets", std::to_string(row.packets));
        r.set("per_sensor", Decimal(row.per_sensor));
        icmp_rows.push_back(r);
    }
    view.set("icmp_chart", svg::RenderChart(icmp_chart));
    view.set("icmp", icmp_rows);
    view.set("t", Messages(lang));
    return Render("observe_charts", view);
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
// addresses never leave the center). Nothing when the backend has no unique counts.
std::optional<View> UniqueSection(const observe::TrendAnalysis& trend, Lang lang, const std::string& label) {
    if (trend.days.empty() || !trend.days.back().sources) return std::nullopt;
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
    const observe::TrendPoint& last = trend.days.back();
    View section;
    section.set("chart", svg::RenderChart(spec));
    section.set("day", Date(last.day_start_micros));
    section.set("sources", std::to_string(static_cast<std::uint64_t>(*last.sources)));
    section.set("targets", std::to_string(static_cast<std::uint64_t>(last.targets.value_or(0))));
    if (last.dshield_score) section.set("dshield", Decimal(*last.dshield_score));
    return section;
}

http::Response PortPage(http::Request& req, SiteServices& s, FragmentCache& fragments, const PortParam& pp, int status,
                        const std::string& error) {
    const Lang lang = Context(req).lang;
    std::int64_t end = TodayStart(s);
    std::int64_t begin = end - kYearDays * kDay;
    if (auto from = req.Query("from")) {
        auto t = ParseDate(*from);
        if (!t) return ErrorPage(req, s, 404);
        begin = *t;
    }
    if (auto to = req.Query("to")) {
        auto t = ParseDate(*to);
        if (!t) return ErrorPage(req, s, 404);
        end = *t + kDay;  // the "to" day is included
    }
    if (end <= begin || (end - begin) / kDay > kMaxLongTermDays) return ErrorPage(req, s, 404);
    const observe::TimeRange range{observe::PacketTime{begin}, observe::PacketTime{end}};
    const std::string label = PortLabel(pp.protocol, pp.port);
    const std::string period = Date(range.from) + " – " + Date(observe::PacketTime{end - 1});
    const std::string key = "port:" + std::string(LangCode(lang)) + ":" + label + ":" + std::to_string(begin) + ":" +
                            std::to_string(end);
    bool failed = false;
    const std::string chart = fragments.Get(key, s.clock.Steady(), [&] {
        auto points = s.observe_queries->PortDaily(pp.protocol, pp.port, range);
        if (!points.ok()) {
            failed = true;
            return std::string();
        }
        svg::ChartSpec spec;
        spec.title = Replace(Translate(lang, "observe_port_chart"), "{{port}}", label) + " (" + period + ")";
        spec.y_label = Translate(lang, "observe_y_per_sensor");
        spec.x_labels = DayLabels(*points);
        svg::Series series{label, {}};
        for (const auto& p : *points) series.values.push_back(p.per_sensor);
        spec.series.push_back(series);
        return svg::RenderChart(spec);
    });
    if (failed) return ErrorPage(req, s, 500);
    View view;
    view.set("heading", Replace(Translate(lang, "observe_port_heading"), "{{port}}", label));
    view.set("period", period);
    view.set("chart", chart);
    if (auto trend = observe::PortTrend(*s.observe_queries, pp.protocol, pp.port, TodayStart(s), s.observe_distinct);
        trend.ok()) {
        view.set("state", StateLabel(lang, trend->current));
        if (auto unique = UniqueSection(*trend, lang, label)) view.set("unique", *unique);
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
        bool failed = false;
        const std::string content = fragments->Get("observe:" + std::string(LangCode(lang)), s.clock.Steady(), [&] {
            auto html = RenderObserveContent(s, req);
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
                return PortPage(req, s, *fragments, *pp, 400, st.error().field() + ": " + st.error().message());
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
            row.set("source", st.source);
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
                detail += (detail.empty() ? "" : ", ") + name + ": " + std::to_string(n);
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
