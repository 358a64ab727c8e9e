// Typed time. Wall time (UTC, what we store and show) and steady time (for durations and timeouts) are
// different types so one cannot be passed where the other is meant. Domain code receives a Clock&;
// tests pass a ManualClock (tests/support) to walk a case through 45 days in microseconds.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kizuna::core {

using WallTime = std::chrono::sys_time<std::chrono::microseconds>;  // UTC, microsecond resolution
using SteadyTime = std::chrono::steady_clock::time_point;

// Thread-safe: implementations may be called from any thread.
class Clock {
  public:
    virtual ~Clock() = default;
    virtual WallTime Now() const = 0;
    virtual SteadyTime Steady() const = 0;
};

class SystemClock final : public Clock {
  public:
    WallTime Now() const override;
    SteadyTime Steady() const override;
};

// Process-wide real clock for composition roots (apps/*/main.cpp). Domain code never calls this.
const Clock& RealClock();

// RFC 3339 in UTC with microsecond precision trimmed to what is set: "2026-11-22T02:20:47Z",
// "2026-11-22T02:20:47.123456Z".
std::string FormatRfc3339(WallTime t);
// Accepts "YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)"; nullopt when malformed.
std::optional<WallTime> ParseRfc3339(std::string_view text);

inline std::int64_t ToUnixMicros(WallTime t) { return t.time_since_epoch().count(); }
inline WallTime FromUnixMicros(std::int64_t us) { return WallTime(std::chrono::microseconds(us)); }

}  // namespace kizuna::core
