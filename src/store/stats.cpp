#include "store/stats.hpp"

#include <cstdio>

namespace kizuna::store {

void Stats::RecordQuery(std::chrono::nanoseconds d, bool failed) {
    queries_.fetch_add(1, std::memory_order_relaxed);
    if (failed) query_errors_.fetch_add(1, std::memory_order_relaxed);
    query_nanos_.fetch_add(static_cast<std::uint64_t>(d.count()), std::memory_order_relaxed);
    const double seconds = std::chrono::duration<double>(d).count();
    for (std::size_t i = 0; i < kBucketsSeconds.size(); ++i) {
        if (seconds <= kBucketsSeconds[i]) {
            query_buckets_[i].fetch_add(1, std::memory_order_relaxed);
            break;
        }
    }
}

void Stats::RecordCommit(std::chrono::nanoseconds d) {
    commits_.fetch_add(1, std::memory_order_relaxed);
    commit_nanos_.fetch_add(static_cast<std::uint64_t>(d.count()), std::memory_order_relaxed);
}

void Stats::RecordPoolWait(std::chrono::nanoseconds d) {
    pool_waits_.fetch_add(1, std::memory_order_relaxed);
    pool_wait_nanos_.fetch_add(static_cast<std::uint64_t>(d.count()), std::memory_order_relaxed);
}

void Stats::RenderPrometheus(std::string& out, std::string_view backend) const {
    char buf[256];
    const std::string label = "backend=\"" + std::string(backend) + "\"";
    auto line = [&](const char* fmt, auto... args) {
        int n = std::snprintf(buf, sizeof buf, fmt, args...);
        out.append(buf, static_cast<std::size_t>(n));
    };
    out += "# HELP kizuna_db_query_duration_seconds Time spent executing SQL statements.\n";
    out += "# TYPE kizuna_db_query_duration_seconds histogram\n";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < kBucketsSeconds.size(); ++i) {
        cumulative += query_buckets_[i].load(std::memory_order_relaxed);
        line("kizuna_db_query_duration_seconds_bucket{%s,le=\"%g\"} %llu\n", label.c_str(), kBucketsSeconds[i],
             static_cast<unsigned long long>(cumulative));
    }
    const auto total = queries_.load(std::memory_order_relaxed);
    line("kizuna_db_query_duration_seconds_bucket{%s,le=\"+Inf\"} %llu\n", label.c_str(),
         static_cast<unsigned long long>(total));
    line("kizuna_db_query_duration_seconds_sum{%s} %.9f\n", label.c_str(), query_nanos_.load() / 1e9);
    line("kizuna_db_query_duration_seconds_count{%s} %llu\n", label.c_str(), static_cast<unsigned long long>(total));
    out += "# HELP kizuna_db_query_errors_total SQL statements that failed.\n";
    out += "# TYPE kizuna_db_query_errors_total counter\n";
    line("kizuna_db_query_errors_total{%s} %llu\n", label.c_str(),
         static_cast<unsigned long long>(query_errors_.load()));
    out += "# HELP kizuna_db_commits_total Committed write transactions.\n";
    out += "# TYPE kizuna_db_commits_total counter\n";
    line("kizuna_db_commits_total{%s} %llu\n", label.c_str(), static_cast<unsigned long long>(commits_.load()));
    out += "# HELP kizuna_db_commit_seconds_total Time spent committing.\n";
    out += "# TYPE kizuna_db_commit_seconds_total counter\n";
    line("kizuna_db_commit_seconds_total{%s} %.9f\n", label.c_str(), commit_nanos_.load() / 1e9);
    out += "# HELP kizuna_db_rollbacks_total Transactions rolled back.\n";
    out += "# TYPE kizuna_db_rollbacks_total counter\n";
    line("kizuna_db_rollbacks_total{%s} %llu\n", label.c_str(), static_cast<unsigned long long>(rollbacks_.load()));
    out += "# HELP kizuna_db_pool_wait_seconds_total Time spent waiting for a pooled connection.\n";
    out += "# TYPE kizuna_db_pool_wait_seconds_total counter\n";
    line("kizuna_db_pool_wait_seconds_total{%s} %.9f\n", label.c_str(), pool_wait_nanos_.load() / 1e9);
}

}  // namespace kizuna::store
