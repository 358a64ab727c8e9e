#include "http/metrics.hpp"

#include <algorithm>
#include <cstdio>

namespace kizuna::http {
namespace {

constexpr std::array<std::string_view, 7> kKnownMethods = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};

std::string_view MethodLabel(std::string_view method) {
    auto it = std::find(kKnownMethods.begin(), kKnownMethods.end(), method);
    return it == kKnownMethods.end() ? std::string_view("OTHER") : *it;
}

void AppendDouble(std::string& out, double value) {
    char buffer[32];
    int n = std::snprintf(buffer, sizeof buffer, "%.9g", value);
    out.append(buffer, static_cast<std::size_t>(n));
}

}  // namespace

void AppendPrometheusLabelValue(std::string& out, std::string_view value) {
    for (char c : value) {
        switch (c) {
            case '\\':
                out += "\\\\";
                break;
            case '"':
                out += "\\\"";
                break;
            case '\n':
                out += "\\n";
                break;
            default:
                out.push_back(c);
        }
    }
}

void Metrics::RecordRequest(std::string_view method, std::string_view route, int status,
                            std::chrono::nanoseconds duration) {
    std::string_view method_label = MethodLabel(method);
    if (route.empty()) route = kUnmatchedRoute;
    double seconds = std::chrono::duration<double>(duration).count();
    auto bucket = static_cast<std::size_t>(std::lower_bound(kDurationBuckets.begin(), kDurationBuckets.end(), seconds) -
                                           kDurationBuckets.begin());

    std::lock_guard lock(mu_);
    auto it = routes_.find(route);
    if (it == routes_.end()) it = routes_.emplace(std::string(route), RouteStats{}).first;
    RouteStats& stats = it->second;
    auto count = std::find_if(stats.counts.begin(), stats.counts.end(), [&](const StatusCount& entry) {
        return entry.status == status && entry.method == method_label;
    });
    if (count == stats.counts.end()) {
        stats.counts.push_back(StatusCount{std::string(method_label), status, 1});
    } else {
        ++count->count;
    }
    ++stats.buckets[bucket];
    stats.duration_sum += seconds;
    ++stats.duration_count;
}

void Metrics::AddCollector(std::function<void(std::string& out)> collector) {
    std::lock_guard lock(collectors_mu_);
    collectors_.push_back(std::move(collector));
}

std::string Metrics::RenderPrometheus() const {
    std::string out;
    out.reserve(4096);
    {
        std::lock_guard lock(mu_);
        out += "# HELP kizuna_http_requests_total HTTP requests served, by method, route pattern and status.\n";
        out += "# TYPE kizuna_http_requests_total counter\n";
        for (const auto& [route, stats] : routes_) {
            std::vector<const StatusCount*> sorted;
            for (const StatusCount& entry : stats.counts) sorted.push_back(&entry);
            std::sort(sorted.begin(), sorted.end(), [](const StatusCount* a, const StatusCount* b) {
                return a->method != b->method ? a->method < b->method : a->status < b->status;
            });
            for (const StatusCount* entry : sorted) {
                out += "kizuna_http_requests_total{method=\"";
                out += entry->method;
                out += "\",route=\"";
                AppendPrometheusLabelValue(out, route);
                out += "\",status=\"";
                out += std::to_string(entry->status);
                out += "\"} ";
                out += std::to_string(entry->count);
                out += '\n';
            }
        }
        out += "# HELP kizuna_http_request_duration_seconds Time from request read to response queued.\n";
        out += "# TYPE kizuna_http_request_duration_seconds histogram\n";
        for (const auto& [route, stats] : routes_) {
            std::uint64_t cumulative = 0;
            for (std::size_t index = 0; index <= kDurationBuckets.size(); ++index) {
                cumulative += stats.buckets[index];
                out += "kizuna_http_request_duration_seconds_bucket{route=\"";
                AppendPrometheusLabelValue(out, route);
                out += "\",le=\"";
                if (index == kDurationBuckets.size()) {
                    out += "+Inf";
                } else {
                    AppendDouble(out, kDurationBuckets[index]);
                }
                out += "\"} ";
                out += std::to_string(cumulative);
                out += '\n';
            }
            out += "kizuna_http_request_duration_seconds_sum{route=\"";
            AppendPrometheusLabelValue(out, route);
            out += "\"} ";
            AppendDouble(out, stats.duration_sum);
            out += "\nkizuna_http_request_duration_seconds_count{route=\"";
            AppendPrometheusLabelValue(out, route);
            out += "\"} ";
            out += std::to_string(stats.duration_count);
            out += '\n';
        }
    }
    out += "# HELP kizuna_http_connections_active Open client connections.\n";
    out += "# TYPE kizuna_http_connections_active gauge\n";
    out += "kizuna_http_connections_active ";
    out += std::to_string(connections_active());
    out += '\n';

    std::vector<std::function<void(std::string&)>> collectors;
    {
        std::lock_guard lock(collectors_mu_);
        collectors = collectors_;
    }
    for (const auto& collector : collectors) collector(out);
    return out;
}

}  // namespace kizuna::http
