#include "support/manual_clock.hpp"

namespace kizuna::testing {

ManualClock::ManualClock(core::WallTime start) : now_us_(start.time_since_epoch().count()) {}

core::WallTime ManualClock::DefaultStart() {
    using namespace std::chrono;
    return core::WallTime(sys_days(year(2026) / April / 1));
}

}  // namespace kizuna::testing
