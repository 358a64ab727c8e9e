// Showing UTC times in a viewer's zone (default Asia/Tokyo). Stored times stay UTC; this is display only.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/result.hpp"

namespace kizuna::core {

class TimeZone {
  public:
    // An IANA zone name ("Asia/Tokyo", "UTC") from the system tzdata.
    static Result<TimeZone> Load(std::string_view name);
    // "2026-11-22 11:20 JST"
    std::string FormatMinutes(WallTime t) const;
    // "2026-11-22T11:20:47+09:00"
    std::string FormatRfc3339Local(WallTime t) const;
    // The start (00:00 local) of the local calendar day `months` months after the local day of `t`: 12 Jan
    // → 12 Apr, 1 Jun → 1 Sep. When that month has no such day (30 Nov + 3 → 30 Feb), the first day of the
    // following month, so the full period has always passed ("not before" deadlines such as seed 001's
    // three months from the first contact attempt).
    WallTime StartOfDayMonthsLater(WallTime t, int months) const;
    // The instant of a local wall-clock time: `date` "YYYY-MM-DD", `time` "HH:MM" (what <input type=date>
    // and <input type=time> send). nullopt when either is malformed or not a calendar date. A time in a DST
    // gap resolves to the instant after it, an ambiguous one to the earlier instant.
    std::optional<WallTime> FromLocal(std::string_view date, std::string_view time) const;
    // The local calendar day ("2026-11-22") and time of day ("11:20") of `t`: the values of date and time inputs.
    std::string LocalDate(WallTime t) const;
    std::string LocalTime(WallTime t) const;
    // `hour`:00 local on the local calendar day of `t`.
    WallTime AtLocalHour(WallTime t, int hour) const;
    const std::string& name() const { return name_; }

  private:
    TimeZone(const void* zone, std::string name) : zone_(zone), name_(std::move(name)) {}
    const void* zone_;  // const date::time_zone*, owned by the tz database (lives for the process)
    std::string name_;
};

}  // namespace kizuna::core
