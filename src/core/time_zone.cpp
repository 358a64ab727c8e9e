#include "core/time_zone.hpp"

#include <date/tz.h>

#include <cstdio>
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

namespace {

// Digits at [pos, pos+n) of `s` as a number; -1 when any is not a digit.
int Digits(std::string_view s, std::size_t pos, std::size_t n) {
    int value = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (i >= s.size() || s[i] < '0' || s[i] > '9') return -1;
        value = value * 10 + (s[i] - '0');
    }
    return value;
}

}  // namespace

std::optional<WallTime> TimeZone::FromLocal(std::string_view date, std::string_view time) const {
    if (date.size() != 10 || date[4] != '-' || date[7] != '-') return std::nullopt;
    // Browsers send "HH:MM", or "HH:MM:SS" when a step below a minute is allowed.
    if ((time.size() != 5 && time.size() != 8) || time[2] != ':' || (time.size() == 8 && time[5] != ':'))
        return std::nullopt;
    const int y = Digits(date, 0, 4), m = Digits(date, 5, 2), d = Digits(date, 8, 2);
    const int hh = Digits(time, 0, 2), mm = Digits(time, 3, 2), ss = time.size() == 8 ? Digits(time, 6, 2) : 0;
    if (y < 1970 || m < 0 || d < 0 || hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 59) return std::nullopt;
    const date::year_month_day day{date::year(y), date::month(static_cast<unsigned>(m)), date::day(static_cast<unsigned>(d))};
    if (!day.ok()) return std::nullopt;
    const auto* zone = static_cast<const date::time_zone*>(zone_);
    const auto local = date::local_seconds(date::local_days(day).time_since_epoch()) + std::chrono::hours(hh) +
                       std::chrono::minutes(mm) + std::chrono::seconds(ss);
    const auto info = zone->get_info(local);
    date::sys_seconds utc;
    if (info.result == date::local_info::nonexistent) {
        utc = info.first.end;  // the instant after the gap
    } else {
        utc = zone->to_sys(local, date::choose::earliest);
    }
    return std::chrono::time_point_cast<std::chrono::microseconds>(utc);
}

std::string TimeZone::LocalDate(WallTime t) const {
    const auto* zone = static_cast<const date::time_zone*>(zone_);
    return date::format("%Y-%m-%d", date::make_zoned(zone, std::chrono::floor<std::chrono::seconds>(t)));
}

std::string TimeZone::LocalTime(WallTime t) const {
    const auto* zone = static_cast<const date::time_zone*>(zone_);
    return date::format("%H:%M", date::make_zoned(zone, std::chrono::floor<std::chrono::seconds>(t)));
}

WallTime TimeZone::AtLocalHour(WallTime t, int hour) const {
    char time[6];
    std::snprintf(time, sizeof time, "%02d:00", hour < 0 ? 0 : hour > 23 ? 23 : hour);
    return FromLocal(LocalDate(t), time).value_or(t);
}

}  // namespace kizuna::core
