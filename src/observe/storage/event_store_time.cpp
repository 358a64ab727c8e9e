// Packet-time helpers of the event store: UTC dates and RFC 3339 times, without the C library's time zone.
#include <charconv>
#include <cstdio>
#include <string>

#include "observe/storage/event_store.hpp"
#include "observe/storage/rollup.hpp"

namespace kizuna::observe {

namespace {

// Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian, UTC).
std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void CivilFromDays(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = static_cast<std::int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
}

bool Digits(std::string_view text, std::size_t pos, std::size_t count, unsigned& out) {
    if (pos + count > text.size()) return false;
    out = 0;
    for (std::size_t i = pos; i < pos + count; ++i) {
        if (text[i] < '0' || text[i] > '9') return false;
        out = out * 10 + static_cast<unsigned>(text[i] - '0');
    }
    return true;
}

unsigned DaysInMonth(std::int64_t y, unsigned m) {
    static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : kDays[m - 1];
}

}  // namespace

core::Result<PacketTime> ParseDateOrTime(std::string_view text, std::string_view field) {
    auto bad = [&] {
        return core::InvalidArgument("expected a date YYYY-MM-DD or a UTC time YYYY-MM-DDTHH:MM:SSZ, got '" +
                                         std::string(text.substr(0, 40)) + "'",
                                     std::string(field));
    };
    unsigned year = 0, month = 0, day = 0;
    if (text.size() < 10 || !Digits(text, 0, 4, year) || text[4] != '-' || !Digits(text, 5, 2, month) ||
        text[7] != '-' || !Digits(text, 8, 2, day)) {
        return bad();
    }
    if (year < 1970 || month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)) return bad();
    std::int64_t micros = DaysFromCivil(year, month, day) * kDayMicros;
    if (text.size() == 10) return PacketTime{micros};
    unsigned hour = 0, minute = 0, second = 0;
    if (text.size() < 20 || (text[10] != 'T' && text[10] != ' ') || !Digits(text, 11, 2, hour) || text[13] != ':' ||
        !Digits(text, 14, 2, minute) || text[16] != ':' || !Digits(text, 17, 2, second) || hour > 23 || minute > 59 ||
        second > 59) {
        return bad();
    }
    std::size_t pos = 19;
    std::int64_t fraction = 0;
    if (text[pos] == '.') {
        ++pos;
        int digits = 0;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
            if (digits < 6) {
                fraction = fraction * 10 + (text[pos] - '0');
                ++digits;
            }
            ++pos;
        }
        if (digits == 0) return bad();
        for (; digits < 6; ++digits) fraction *= 10;
    }
    if (pos + 1 != text.size() || text[pos] != 'Z') return bad();
    micros += (static_cast<std::int64_t>(hour) * 3600 + minute * 60 + second) * 1'000'000 + fraction;
    return PacketTime{micros};
}

std::string FormatDate(PacketTime t) {
    std::int64_t y = 0;
    unsigned m = 0, d = 0;
    CivilFromDays(Rollups::FloorDiv(t.micros_since_epoch, kDayMicros), y, m, d);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
    return buf;
}

std::string FormatTimestamp(PacketTime t) {
    std::int64_t day = Rollups::FloorDiv(t.micros_since_epoch, kDayMicros);
    std::int64_t in_day = t.micros_since_epoch - day * kDayMicros;
    std::int64_t seconds = in_day / 1'000'000;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%sT%02lld:%02lld:%02lld.%06lldZ", FormatDate(t).c_str(),
                  static_cast<long long>(seconds / 3600), static_cast<long long>(seconds / 60 % 60),
                  static_cast<long long>(seconds % 60), static_cast<long long>(in_day % 1'000'000));
    return buf;
}

}  // namespace kizuna::observe
