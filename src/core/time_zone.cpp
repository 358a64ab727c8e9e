#include "core/time_zone.hpp"

#include <date/tz.h>

#include <exception>

namespace kizuna::core {

Result<TimeZone> TimeZone::Load(std::string_view name) {
    try {
        const date::time_zone* zone = date::locate_zone(name);
        return TimeZone(zone, std::string(name));
    } catch (const std::exception& e) {  // date throws for unknown zones; stop it at the seam
        return InvalidArgument("unknown time zone '" + std::string(name) + "'", "web.time_zone");
    }
}

std::string TimeZone::FormatMinutes(WallTime t) const {
    const auto* zone = static_cast<const date::time_zone*>(zone_);
    auto local = date::make_zoned(zone, std::chrono::floor<std::chrono::seconds>(t));
    return date::format("%Y-%m-%d %H:%M %Z", local);
}

std::string TimeZone::FormatRfc3339Local(WallTime t) const {
    const auto* zone = static_cast<const date::time_zone*>(zone_);
    auto local = date::make_zoned(zone, std::chrono::floor<std::chrono::seconds>(t));
    std::string s = date::format("%Y-%m-%dT%H:%M:%S%z", local);  // +0900
    if (s.size() >= 5 && (s[s.size() - 5] == '+' || s[s.size() - 5] == '-')) s.insert(s.size() - 2, ":");
    return s;
}

WallTime TimeZone::StartOfDayMonthsLater(WallTime t, int months) const {
    const auto* zone = static_cast<const date::time_zone*>(zone_);
    const auto local = zone->to_local(std::chrono::floor<std::chrono::seconds>(t));
    const date::year_month_day day{date::floor<date::days>(local)};
    date::year_month_day target = day.year() / day.month() / day.day() + date::months(months);
    if (!target.ok()) target = (target.year() / target.month() + date::months(1)) / date::day(1);
    const date::local_days start{target};
    // A local midnight that does not exist (a DST jump at 00:00) resolves to the instant after the gap.
    const auto utc = zone->to_sys(date::local_seconds(start.time_since_epoch()), date::choose::latest);
    return std::chrono::time_point_cast<std::chrono::microseconds>(utc);
}

}  // namespace kizuna::core
