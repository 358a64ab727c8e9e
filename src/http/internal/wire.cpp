#include "http/internal/wire.hpp"

#include <array>
#include <charconv>
#include <cstdio>
#include <ctime>

#include "http/internal/percent.hpp"

namespace kizuna::http::detail {
namespace {

enum : unsigned {
    kSeenCsp = 1u << 0,
    kSeenNosniff = 1u << 1,
    kSeenReferrer = 1u << 2,
    kSeenFrame = 1u << 3,
    kSeenContentLength = 1u << 4,
};

bool IsServerOwned(std::string_view name) {
    return EqualsIgnoreCase(name, "Content-Length") || EqualsIgnoreCase(name, "Connection") ||
           EqualsIgnoreCase(name, "Transfer-Encoding") || EqualsIgnoreCase(name, "Date") ||
           EqualsIgnoreCase(name, "Server") || EqualsIgnoreCase(name, "Keep-Alive");
}

bool IsSafeHeaderText(std::string_view text) {
    for (char c : text) {
        if (c == '\r' || c == '\n' || c == '\0') return false;
    }
    return true;
}

bool IsDigits(std::string_view text) {
    if (text.empty()) return false;
    for (char c : text) {
        if (c < '0' || c > '9') return false;
    }
    return true;
}

void AppendNumber(std::string& out, std::size_t value) {
    char buffer[24];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
    (void)ec;
    out.append(buffer, end);
}

void AppendHeader(std::string& out, std::string_view name, std::string_view value) {
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
}

}  // namespace

std::string_view ReasonPhrase(int status) {
    switch (status) {
        case 100:
            return "Continue";
        case 200:
            return "OK";
        case 201:
            return "Created";
        case 202:
            return "Accepted";
        case 204:
            return "No Content";
        case 206:
            return "Partial Content";
        case 301:
            return "Moved Permanently";
        case 302:
            return "Found";
        case 303:
            return "See Other";
        case 304:
            return "Not Modified";
        case 307:
            return "Temporary Redirect";
        case 308:
            return "Permanent Redirect";
        case 400:
            return "Bad Request";
        case 401:
            return "Unauthorized";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 406:
            return "Not Acceptable";
        case 408:
            return "Request Timeout";
        case 409:
            return "Conflict";
        case 410:
            return "Gone";
        case 411:
            return "Length Required";
        case 412:
            return "Precondition Failed";
        case 413:
            return "Content Too Large";
        case 415:
            return "Unsupported Media Type";
        case 422:
            return "Unprocessable Content";
        case 429:
            return "Too Many Requests";
        case 431:
            return "Request Header Fields Too Large";
        case 500:
            return "Internal Server Error";
        case 501:
            return "Not Implemented";
        case 502:
            return "Bad Gateway";
        case 503:
            return "Service Unavailable";
        case 504:
            return "Gateway Timeout";
        default:
            return "Unknown";
    }
}

bool StatusAllowsBody(int status) { return status >= 200 && status != 204 && status != 304; }

bool SerializeHead(const Response& response, const WireOptions& options, std::string& out, bool& send_body) {
    out.clear();
    int status = (response.status >= 100 && response.status <= 999) ? response.status : 500;
    out += "HTTP/1.1 ";
    AppendNumber(out, static_cast<std::size_t>(status));
    out += ' ';
    out += ReasonPhrase(status);
    out += "\r\n";

    unsigned seen = 0;
    std::string_view handler_length;
    for (const auto& [name, value] : response.headers) {
        if (!IsSafeHeaderText(name) || !IsSafeHeaderText(value) || name.empty()) return false;
        if (IsServerOwned(name)) {
            if (EqualsIgnoreCase(name, "Content-Length")) handler_length = value;
            continue;
        }
        if (EqualsIgnoreCase(name, "Content-Security-Policy"))
            seen |= kSeenCsp;
        else if (EqualsIgnoreCase(name, "X-Content-Type-Options"))
            seen |= kSeenNosniff;
        else if (EqualsIgnoreCase(name, "Referrer-Policy"))
            seen |= kSeenReferrer;
        else if (EqualsIgnoreCase(name, "X-Frame-Options"))
            seen |= kSeenFrame;
        AppendHeader(out, name, value);
    }
    if (!(seen & kSeenNosniff)) AppendHeader(out, "X-Content-Type-Options", "nosniff");
    if (!(seen & kSeenReferrer)) AppendHeader(out, "Referrer-Policy", "same-origin");
    if (!(seen & kSeenFrame)) AppendHeader(out, "X-Frame-Options", "DENY");
    if (!(seen & kSeenCsp)) AppendHeader(out, "Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'");
    AppendHeader(out, "Server", "kizuna");
    AppendHeader(out, "Date", HttpDateNow());

    bool allows_body = StatusAllowsBody(status);
    send_body = allows_body && !options.head_request && !response.body.empty();
    if (allows_body) {
        out += "Content-Length: ";
        if (options.head_request && response.body.empty() && IsDigits(handler_length)) {
            out += handler_length;  // HEAD answered by a GET handler: the router kept the GET length
        } else {
            AppendNumber(out, response.body.size());
        }
        out += "\r\n";
    }
    if (!options.keep_alive) {
        out += "Connection: close\r\n";
    } else if (options.http10) {
        out += "Connection: keep-alive\r\n";
    }
    out += "\r\n";
    return true;
}

std::string_view HttpDateNow() {
    static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    thread_local std::time_t cached_second = -1;
    thread_local char cached[32];
    thread_local std::size_t cached_len = 0;
    std::time_t now = std::time(nullptr);
    if (now != cached_second) {
        std::tm tm{};
        gmtime_r(&now, &tm);
        int n = std::snprintf(cached, sizeof cached, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday % 7],
                              tm.tm_mday, kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
        cached_len = n > 0 ? static_cast<std::size_t>(n) : 0;
        cached_second = now;
    }
    return std::string_view(cached, cached_len);
}

}  // namespace kizuna::http::detail
