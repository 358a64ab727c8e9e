// Database timings for /metrics: query and transaction counts and durations, pool waits.
// Lock-free counters; rendered in Prometheus text format by RenderPrometheus.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace kizuna::store {

class Stats {
  public:
    static constexpr std::array<double, 10> kBucketsSeconds = {0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                                                               0.005,  0.01,    0.025,  0.1,   1.0};
    void RecordQuery(std::chrono::nanoseconds d, bool failed);
    void RecordCommit(std::chrono::nanoseconds d);
    void RecordRollback() { rollbacks_.fetch_add(1, std::memory_order_relaxed); }
    void RecordPoolWait(std::chrono::nanoseconds d);

    // Appends the kizuna_db_* metric families.
    void RenderPrometheus(std::string& out, std::string_view backend) const;

    std::uint64_t queries() const { return queries_.load(); }

  private:
    std::atomic<std::uint64_t> queries_{0};
    std::atomic<std::uint64_t> query_errors_{0};
    std::atomic<std::uint64_t> query_nanos_{0};
    std::array<std::atomic<std::uint64_t>, kBucketsSeconds.size()> query_buckets_{};
    std::atomic<std::uint64_t> commits_{0};
    std::atomic<std::uint64_t> commit_nanos_{0};
    std::atomic<std::uint64_t> rollbacks_{0};
    std::atomic<std::uint64_t> pool_waits_{0};
    std::atomic<std::uint64_t> pool_wait_nanos_{0};
};

}  // namespace kizuna::store
