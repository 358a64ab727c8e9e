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

}  // namespace kizuna::core
