// Metrics: request counters, latency histograms and the active-connection gauge, rendered in the Prometheus
// text exposition format (version 0.0.4). Thread-safe; recording takes one short mutex and allocates only the
// first time a (route, method, status) combination is seen. Other modules append their own lines through
// AddCollector. Labels are bounded: route is the router pattern (never the raw path), unknown methods count
// as "OTHER", so clients cannot blow up cardinality.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace kizuna::http {

class Metrics {
  public:
    // Upper bounds (seconds) of kizuna_http_request_duration_seconds buckets; +Inf is implied.
    static constexpr std::array<double, 13> kDurationBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                                0.1,    0.25,  0.5,    1.0,   2.5,  5.0};
    // Route label for requests no pattern matched.
    static constexpr std::string_view kUnmatchedRoute = "unmatched";

    Metrics() = default;
    Metrics(const Metrics&) = delete;
    Metrics& operator=(const Metrics&) = delete;

    void RecordRequest(std::string_view method, std::string_view route, int status, std::chrono::nanoseconds duration);
    void ConnectionOpened() { connections_active_.fetch_add(1, std::memory_order_relaxed); }
    void ConnectionClosed() { connections_active_.fetch_sub(1, std::memory_order_relaxed); }
    std::int64_t connections_active() const { return connections_active_.load(std::memory_order_relaxed); }

    // `collector` appends complete exposition lines (with # HELP/# TYPE) to `out` at render time. It is
    // called with no Metrics lock held, from the rendering thread; it must outlive this Metrics object.
    void AddCollector(std::function<void(std::string& out)> collector);

    std::string RenderPrometheus() const;

  private:
    struct StatusCount {
        std::string method;
        int status;
        std::uint64_t count;
    };
    struct RouteStats {
        std::vector<StatusCount> counts;  // few entries per route: linear search beats a map
        std::array<std::uint64_t, kDurationBuckets.size() + 1> buckets{};  // non-cumulative; last = +Inf
        double duration_sum = 0;
        std::uint64_t duration_count = 0;
    };

    mutable std::mutex mu_;
    std::map<std::string, RouteStats, std::less<>> routes_;      // guarded by mu_
    std::vector<std::function<void(std::string&)>> collectors_;  // guarded by collectors_mu_
    mutable std::mutex collectors_mu_;
    std::atomic<std::int64_t> connections_active_{0};
};

// Appends `value` escaped for a Prometheus label value (backslash, double quote, newline).
void AppendPrometheusLabelValue(std::string& out, std::string_view value);

}  // namespace kizuna::http
