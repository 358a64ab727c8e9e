#include "incident/internal/timestamps.hpp"

#include <array>
#include <chrono>
#include <cctype>

namespace kizuna::incident::detail {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool Digits(std::string_view s, std::size_t pos, std::size_t n, int& value) {
    if (pos + n > s.size()) return false;
    value = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (!IsDigit(s[i])) return false;
        value = value * 10 + (s[i] - '0');
    }
    return true;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (Lower(a[i]) != Lower(b[i])) return false;
    return true;
}

struct Civil {
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
};

std::optional<core::WallTime> ToWall(const Civil& c, int offset_minutes) {
    using namespace std::chrono;
    if (c.year < 1970 || c.year > 2200) return std::nullopt;
    if (c.hour > 23 || c.minute > 59 || c.second > 60) return std::nullopt;
    const year_month_day ymd{year{c.year}, month{static_cast<unsigned>(c.month)}, day{static_cast<unsigned>(c.day)}};
    if (!ymd.ok()) return std::nullopt;
    const auto t = sys_days(ymd) + hours(c.hour) + minutes(c.minute) + seconds(c.second) - minutes(offset_minutes);
    return time_point_cast<microseconds>(t);
}

// "HH:MM[:SS[.frac]]" followed optionally by a zone ("Z", "+09:00", "+0900"). Returns the position
// after the time part in `rest_zone`.
bool ParseClock(std::string_view s, Civil& c, std::string_view& zone_suffix) {
    int h = 0, m = 0, sec = 0;
    std::size_t pos = 0;
    if (s.size() >= 2 && IsDigit(s[0]) && IsDigit(s[1])) {
        Digits(s, 0, 2, h);
        pos = 2;
    } else if (!s.empty() && IsDigit(s[0])) {  // "9:05:00"
        h = s[0] - '0';
        pos = 1;
    } else {
        return false;
    }
    if (pos >= s.size() || s[pos] != ':' || !Digits(s, pos + 1, 2, m)) return false;
    pos += 3;
    if (pos < s.size() && s[pos] == ':') {
        if (!Digits(s, pos + 1, 2, sec)) return false;
        pos += 3;
        if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
            ++pos;
            while (pos < s.size() && IsDigit(s[pos])) ++pos;
        }
    }
    c.hour = h;
    c.minute = m;
    c.second = sec;
    zone_suffix = s.substr(pos);
    return true;
}

constexpr std::array<std::string_view, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                       "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 12> kMonthNames = {"january", "february", "march",     "april",
                                                           "may",     "june",     "july",      "august",
                                                           "september", "october", "november", "december"};
constexpr std::array<std::string_view, 7> kWeekdays = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

bool IsWeekday(std::string_view token) {
    if (token.size() != 3) return false;
    for (auto d : kWeekdays)
        if (EqualsIgnoreCase(token, d)) return true;
    return false;
}

// Applies the zone written in `suffix` or in the next token, else the default.
std::optional<ParsedTime> Finish(const Civil& c, std::string_view suffix, std::span<const std::string_view> tokens,
                                 std::size_t next, std::size_t consumed, const TimeDefaults& defaults) {
    std::optional<int> offset;
    if (!suffix.empty()) {
        offset = ZoneOffsetMinutes(suffix);
        if (!offset) return std::nullopt;  // "12:00:01abc" is not a time
    } else if (next < tokens.size()) {
        offset = ZoneOffsetMinutes(tokens[next]);
        if (offset) ++consumed;
    }
    auto t = ToWall(c, offset.value_or(defaults.utc_offset_minutes));
    if (!t) return std::nullopt;
    return ParsedTime{*t, offset.has_value(), consumed};
}

// 2026-10-01T12:00:01Z, 2026-10-01 12:00:01 +0900, 2026/10/01 12:00:01 JST
std::optional<ParsedTime> Iso(std::span<const std::string_view> tokens, std::size_t i, const TimeDefaults& d) {
    std::string_view s = tokens[i];
    Civil c;
    if (s.size() < 10 || !Digits(s, 0, 4, c.year) || (s[4] != '-' && s[4] != '/') || !Digits(s, 5, 2, c.month) ||
        s[7] != s[4] || !Digits(s, 8, 2, c.day))
        return std::nullopt;
    if (s.size() > 10) {
        if (s[10] != 'T' && s[10] != 't') return std::nullopt;
        std::string_view zone;
        if (!ParseClock(s.substr(11), c, zone)) return std::nullopt;
        return Finish(c, zone, tokens, i + 1, 1, d);
    }
    if (i + 1 >= tokens.size()) return std::nullopt;  // a date alone is not an instant
    std::string_view zone;
    if (!ParseClock(tokens[i + 1], c, zone)) return std::nullopt;
    return Finish(c, zone, tokens, i + 2, 2, d);
}

// [Tue,] 1 Oct 2026 12:00:01 +0900 (RFC 5322)
std::optional<ParsedTime> MailDate(std::span<const std::string_view> tokens, std::size_t i, const TimeDefaults& d) {
    std::size_t k = i;
    if (IsWeekday(tokens[k])) ++k;
    if (k + 3 >= tokens.size()) return std::nullopt;
    Civil c;
    std::string_view day = tokens[k];
    if (day.empty() || day.size() > 2 || !Digits(day, 0, day.size(), c.day)) return std::nullopt;
    auto month = MonthNumber(tokens[k + 1]);
    if (!month || tokens[k + 2].size() != 4 || !Digits(tokens[k + 2], 0, 4, c.year)) return std::nullopt;
    c.month = *month;
    std::string_view zone;
    if (!ParseClock(tokens[k + 3], c, zone)) return std::nullopt;
    return Finish(c, zone, tokens, k + 4, k + 4 - i, d);
}

// 10/Oct/2026:13:55:36 +0900 (common log format)
std::optional<ParsedTime> CommonLog(std::span<const std::string_view> tokens, std::size_t i, const TimeDefaults& d) {
    std::string_view s = tokens[i];
    Civil c;
    if (s.size() < 20 || !Digits(s, 0, 2, c.day) || s[2] != '/' || s[6] != '/' || s[11] != ':') return std::nullopt;
    auto month = MonthNumber(s.substr(3, 3));
    if (!month || !Digits(s, 7, 4, c.year)) return std::nullopt;
    c.month = *month;
    std::string_view zone;
    if (!ParseClock(s.substr(12), c, zone)) return std::nullopt;
    return Finish(c, zone, tokens, i + 1, 1, d);
}

// Oct  1 12:00:01 (syslog, RFC 3164): no year, no zone.
std::optional<ParsedTime> Syslog(std::span<const std::string_view> tokens, std::size_t i, const TimeDefaults& d) {
    if (i + 2 >= tokens.size()) return std::nullopt;
    auto month = MonthNumber(tokens[i]);
    if (!month || tokens[i].size() != 3) return std::nullopt;
    Civil c;
    c.year = d.year;
    c.month = *month;
    std::string_view day = tokens[i + 1];
    if (day.empty() || day.size() > 2 || !Digits(day, 0, day.size(), c.day)) return std::nullopt;
    std::string_view zone;
    if (!ParseClock(tokens[i + 2], c, zone) || !zone.empty()) return std::nullopt;
    auto t = ToWall(c, d.utc_offset_minutes);
    if (!t) return std::nullopt;
    return ParsedTime{*t, false, 3};
}

}  // namespace

std::optional<int> MonthNumber(std::string_view name) {
    if (name.size() < 3 || name.size() > 9) return std::nullopt;
    for (std::size_t m = 0; m < kMonths.size(); ++m)
        if (EqualsIgnoreCase(name, kMonths[m]) || EqualsIgnoreCase(name, kMonthNames[m])) return static_cast<int>(m + 1);
    return std::nullopt;
}

std::optional<int> ZoneOffsetMinutes(std::string_view token) {
    if (token.empty()) return std::nullopt;
    if (token[0] == '+' || token[0] == '-') {
        const int sign = token[0] == '-' ? -1 : 1;
        std::string_view rest = token.substr(1);
        int h = 0, m = 0;
        if (rest.size() == 2 && Digits(rest, 0, 2, h)) return sign * h * 60;
        if (rest.size() == 4 && Digits(rest, 0, 2, h) && Digits(rest, 2, 2, m)) return h > 14 || m > 59 ? std::nullopt : std::optional<int>(sign * (h * 60 + m));
        if (rest.size() == 5 && rest[2] == ':' && Digits(rest, 0, 2, h) && Digits(rest, 3, 2, m))
            return h > 14 || m > 59 ? std::nullopt : std::optional<int>(sign * (h * 60 + m));
        return std::nullopt;
    }
    // Abbreviations that are unambiguous enough for logs; "CST" (US or China) and "IST" are not.
    struct Named {
        std::string_view name;
        int minutes;
    };
    static constexpr Named kNamed[] = {{"z", 0},         {"utc", 0},        {"gmt", 0},        {"ut", 0},
                                       {"jst", 9 * 60},  {"kst", 9 * 60},   {"est", -5 * 60},  {"edt", -4 * 60},
                                       {"pst", -8 * 60}, {"pdt", -7 * 60},  {"mst", -7 * 60},  {"mdt", -6 * 60},
                                       {"cet", 60},      {"cest", 2 * 60},  {"eet", 2 * 60},   {"eest", 3 * 60},
                                       {"hkt", 8 * 60},  {"sgt", 8 * 60},   {"aest", 10 * 60}, {"wet", 0}};
    for (const auto& n : kNamed)
        if (EqualsIgnoreCase(token, n.name)) return n.minutes;
    return std::nullopt;
}

std::optional<ParsedTime> ParseTimeAt(std::span<const std::string_view> tokens, std::size_t first, bool line_start,
                                      const TimeDefaults& defaults) {
    std::string_view s = tokens[first];
    if (s.empty()) return std::nullopt;
    if (IsDigit(s[0])) {
        if (s.size() >= 10 && (s[4] == '-' || s[4] == '/')) return Iso(tokens, first, defaults);
        if (s.size() >= 20 && s[2] == '/') return CommonLog(tokens, first, defaults);
        if (s.size() <= 2) return MailDate(tokens, first, defaults);
        return std::nullopt;
    }
    if (IsWeekday(s)) return MailDate(tokens, first, defaults);
    if (line_start) return Syslog(tokens, first, defaults);
    return std::nullopt;
}

}  // namespace kizuna::incident::detail
