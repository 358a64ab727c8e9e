// Timestamps as reports write them, for the extractor: ISO 8601 / RFC 3339 (with T or a space, with or
// without a zone), RFC 5322 mail dates, syslog (no year, no zone), Apache/nginx common log format.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

#include "core/clock.hpp"

namespace kizuna::incident::detail {

struct ParsedTime {
    core::WallTime time;
    bool zone_known = false;
    std::size_t consumed = 1;  // tokens used, starting at the first
};

struct TimeDefaults {
    int utc_offset_minutes = 0;
    int year = 1970;
};

// A timestamp that starts at tokens[first], or nullopt. `line_start` allows the syslog form, which is
// only recognised at the start of a line ("Oct  1 12:00:01 host ...").
std::optional<ParsedTime> ParseTimeAt(std::span<const std::string_view> tokens, std::size_t first, bool line_start,
                                      const TimeDefaults& defaults);

// "Z", "UTC", "GMT", "UT", "+09:00", "+0900", "-05", "JST", "KST", "EST", "EDT", "CET", ... → minutes east.
std::optional<int> ZoneOffsetMinutes(std::string_view token);

// "Jan".."Dec" (any case; full names too) → 1..12.
std::optional<int> MonthNumber(std::string_view name);

}  // namespace kizuna::incident::detail
