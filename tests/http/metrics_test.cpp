#include "http/metrics.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace kizuna::http {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

TEST(MetricsTest, RendersPrometheusText) {
    Metrics metrics;
    metrics.RecordRequest("GET", "/healthz", 200, microseconds(100));
    metrics.RecordRequest("GET", "/healthz", 200, milliseconds(3));
    metrics.RecordRequest("GET", "/healthz", 503, milliseconds(7000));
    metrics.RecordRequest("POST", "/api/v1/users/{name}", 400, milliseconds(2));
    metrics.ConnectionOpened();
    metrics.ConnectionOpened();
    metrics.ConnectionClosed();

    std::string text = metrics.RenderPrometheus();
    const char* expected_lines[] = {
        "# TYPE kizuna_http_requests_total counter\n",
        "kizuna_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 2\n",
        "kizuna_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"503\"} 1\n",
        "kizuna_http_requests_total{method=\"POST\",route=\"/api/v1/users/{name}\",status=\"400\"} 1\n",
        "# TYPE kizuna_http_request_duration_seconds histogram\n",
        "kizuna_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"0.0005\"} 1\n",
        "kizuna_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"0.0025\"} 1\n",
        "kizuna_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"0.005\"} 2\n",
        "kizuna_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"5\"} 2\n",
        "kizuna_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"+Inf\"} 3\n",
        "kizuna_http_request_duration_seconds_sum{route=\"/healthz\"} 7.0031\n",
        "kizuna_http_request_duration_seconds_count{route=\"/healthz\"} 3\n",
        "# TYPE kizuna_http_connections_active gauge\n",
        "kizuna_http_connections_active 1\n",
    };
    for (const char* line : expected_lines) EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;
    EXPECT_TRUE(text.ends_with("\n"));
}

TEST(MetricsTest, BoundsLabelCardinalityAndEscapes) {
    Metrics metrics;
    metrics.RecordRequest("BREW", "", 404, microseconds(1));
    metrics.RecordRequest("GET", "/odd\"route\\\n", 200, microseconds(1));
    std::string text = metrics.RenderPrometheus();
    EXPECT_NE(text.find("kizuna_http_requests_total{method=\"OTHER\",route=\"unmatched\",status=\"404\"} 1"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("route=\"/odd\\\"route\\\\\\n\""), std::string::npos) << text;
}

TEST(MetricsTest, CollectorsAppend) {
    Metrics metrics;
    metrics.AddCollector(
        [](std::string& out) { out += "# TYPE kizuna_db_queries_total counter\nkizuna_db_queries_total 7\n"; });
    EXPECT_TRUE(metrics.RenderPrometheus().ends_with("kizuna_db_queries_total 7\n"));
}

TEST(MetricsTest, ConcurrentRecording) {
    Metrics metrics;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&metrics] {
            for (int i = 0; i < 1000; ++i) metrics.RecordRequest("GET", "/x", 200, microseconds(i));
        });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_NE(
        metrics.RenderPrometheus().find("kizuna_http_requests_total{method=\"GET\",route=\"/x\",status=\"200\"} 4000"),
        std::string::npos);
}

}  // namespace
}  // namespace kizuna::http
