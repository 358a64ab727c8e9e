// Statistics (V19): published advisories per quarter and cumulative by source (domestic, via CERT/CC, via
// CPNI) and registered vendors over time, as a page with SVG charts and as CSV. Only published advisories
// count (vuln::AdvisoryService::Statistics reads the same release flag as the advisory pages).
#include "web/internal/handlers.hpp"
#include "web/svg_chart.hpp"

namespace kizuna::web::detail {
namespace {

View Table(const std::vector<std::vector<std::string>>& rows) {
    View list{View::type::list};
    for (const auto& r : rows) {
        View row;
        View cells{View::type::list};
        for (const auto& c : r) cells.push_back(View(c));
        row.set("cells", cells);
        list.push_back(row);
    }
    return list;
}

http::Response Csv(std::string body, const std::string& name) {
    http::Response r(200);
    r.body = std::move(body);
    r.SetHeader("Content-Type", "text/csv; charset=utf-8");
    r.SetHeader("Content-Disposition", "inline; filename=\"" + name + "\"");
    return r;
}

}  // namespace

void AddStatsPages(http::Router& router, SiteServices& s) {
    router.Add("GET", "/stats", [&s](http::Request& req) {
        if (auto denied = Check(req, auth::Action::kView, {auth::ResourceKind::kPublicPage}, false)) return *denied;
        const Lang lang = Context(req).lang;
        auto stats = s.advisories.Statistics();
        if (!stats.ok()) {
            s.log.Error("statistics failed", {{"error", stats.error().ToString()}});
            return ErrorPage(req, s, 500);
        }
        const std::string domestic = Translate(lang, "stats_domestic"), certcc = Translate(lang, "stats_certcc"),
                          cpni = Translate(lang, "stats_cpni");
        svg::ChartSpec per_quarter{Translate(lang, "stats_per_quarter"), {}, {{domestic, {}}, {certcc, {}}, {cpni, {}}},
                                   Translate(lang, "stats_advisories_axis"), svg::ChartKind::kStackedBar};
        svg::ChartSpec cumulative{Translate(lang, "stats_cumulative"), {}, {{domestic, {}}, {certcc, {}}, {cpni, {}}},
                                  Translate(lang, "stats_advisories_axis"), svg::ChartKind::kLine};
        per_quarter.whole_numbers = cumulative.whole_numbers = true;  // counts of advisories: no half steps
        std::vector<std::vector<std::string>> advisory_rows;
        for (const auto& q : stats->advisories) {
            per_quarter.x_labels.push_back(q.quarter);
            cumulative.x_labels.push_back(q.quarter);
            per_quarter.series[0].values.push_back(static_cast<double>(q.domestic));
            per_quarter.series[1].values.push_back(static_cast<double>(q.certcc));
            per_quarter.series[2].values.push_back(static_cast<double>(q.cpni));
            cumulative.series[0].values.push_back(static_cast<double>(q.cumulative_domestic));
            cumulative.series[1].values.push_back(static_cast<double>(q.cumulative_certcc));
            cumulative.series[2].values.push_back(static_cast<double>(q.cumulative_cpni));
            advisory_rows.push_back({q.quarter, std::to_string(q.domestic), std::to_string(q.certcc),
                                     std::to_string(q.cpni),
                                     std::to_string(q.cumulative_domestic + q.cumulative_certcc + q.cumulative_cpni)});
        }
        svg::ChartSpec vendors{Translate(lang, "stats_vendors"), {}, {{Translate(lang, "stats_vendors_registered"), {}}},
                               Translate(lang, "stats_vendors_axis"), svg::ChartKind::kLine};
        vendors.whole_numbers = true;
        std::vector<std::vector<std::string>> vendor_rows;
        for (const auto& q : stats->vendors) {
            vendors.x_labels.push_back(q.quarter);
            vendors.series[0].values.push_back(static_cast<double>(q.cumulative));
            vendor_rows.push_back({q.quarter, std::to_string(q.registered), std::to_string(q.cumulative)});
        }
        View view;
        view.set("has_advisories", stats->advisories.empty() ? View::type::bool_false : View::type::bool_true);
        view.set("has_vendors", stats->vendors.empty() ? View::type::bool_false : View::type::bool_true);
        view.set("per_quarter_chart", svg::RenderChart(per_quarter));
        view.set("cumulative_chart", svg::RenderChart(cumulative));
        view.set("vendors_chart", svg::RenderChart(vendors));
        view.set("advisory_rows", Table(advisory_rows));
        view.set("vendor_rows", Table(vendor_rows));
        return RenderPage(req, s, "stats", "stats_heading", std::move(view));
    });

    router.Add("GET", "/stats/advisories.csv", [&s](http::Request& req) {
        if (auto denied = Check(req, auth::Action::kView, {auth::ResourceKind::kPublicPage}, false)) return *denied;
        auto stats = s.advisories.Statistics();
        if (!stats.ok()) return http::Response::Text(500, "statistics failed\n");
        std::string csv = "quarter,domestic,certcc,cpni,cumulative_domestic,cumulative_certcc,cumulative_cpni\r\n";
        for (const auto& q : stats->advisories)
            csv += q.quarter + "," + std::to_string(q.domestic) + "," + std::to_string(q.certcc) + "," +
                   std::to_string(q.cpni) + "," + std::to_string(q.cumulative_domestic) + "," +
                   std::to_string(q.cumulative_certcc) + "," + std::to_string(q.cumulative_cpni) + "\r\n";
        return Csv(std::move(csv), "advisories.csv");
    });

    router.Add("GET", "/stats/vendors.csv", [&s](http::Request& req) {
        if (auto denied = Check(req, auth::Action::kView, {auth::ResourceKind::kPublicPage}, false)) return *denied;
        auto stats = s.advisories.Statistics();
        if (!stats.ok()) return http::Response::Text(500, "statistics failed\n");
        std::string csv = "quarter,registered,cumulative\r\n";
        for (const auto& q : stats->vendors)
            csv += q.quarter + "," + std::to_string(q.registered) + "," + std::to_string(q.cumulative) + "\r\n";
        return Csv(std::move(csv), "vendors.csv");
    });
}

}  // namespace kizuna::web::detail
