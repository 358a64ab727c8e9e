// A clock the test moves by hand: walk a case through 45 days without waiting.
#pragma once

#include <atomic>
#include <chrono>

#include "core/clock.hpp"

namespace kizuna::testing {

class ManualClock final : public core::Clock {
  public:
    explicit ManualClock(core::WallTime start = DefaultStart());
    core::WallTime Now() const override { return core::WallTime(std::chrono::microseconds(now_us_.load())); }
    core::SteadyTime Steady() const override {
        return core::SteadyTime(std::chrono::microseconds(steady_us_.load()));
    }
    void Advance(std::chrono::microseconds d) {
        now_us_ += d.count();
        steady_us_ += d.count();
    }
    void Set(core::WallTime t) { now_us_ = t.time_since_epoch().count(); }
    // 2026-04-01T00:00:00Z, a fixed start so golden files stay stable.
    static core::WallTime DefaultStart();

  private:
    std::atomic<long long> now_us_;
    std::atomic<long long> steady_us_{0};
};

}  // namespace kizuna::testing
