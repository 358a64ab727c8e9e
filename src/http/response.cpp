#include "http/response.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "http/internal/percent.hpp"

namespace kizuna::http {
namespace {

// RFC 6265 cookie-octet: %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E
bool IsCookieOctet(unsigned char c) {
    return c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A) || (c >= 0x3C && c <= 0x5B) ||
           (c >= 0x5D && c <= 0x7E);
}

// Keeps attribute values (path, same_site) from injecting further attributes or header lines.
bool IsSafeAttribute(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) {
        auto u = static_cast<unsigned char>(c);
        return u >= 0x20 && u < 0x7F && c != ';';
    });
}

void AppendEncodedCookieValue(std::string& out, std::string_view value) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (char c : value) {
        auto u = static_cast<unsigned char>(c);
        if (IsCookieOctet(u) && c != '%') {
            out.push_back(c);
        } else {
            out.push_back('%');
            out.push_back(kHex[u >> 4]);
            out.push_back(kHex[u & 0xF]);
        }
    }
}

Response WithBody(int status, std::string_view content_type, std::string body) {
    Response response(status);
    response.headers.emplace_back("Content-Type", content_type);
    response.body = std::move(body);
    return response;
}

}  // namespace

Response Response::Text(int status, std::string body) {
    return WithBody(status, "text/plain; charset=utf-8", std::move(body));
}

Response Response::Html(int status, std::string body) {
    return WithBody(status, "text/html; charset=utf-8", std::move(body));
}

Response Response::Json(int status, const nlohmann::json& body) {
    // Replace invalid UTF-8 rather than throw: the body was built by us, and a reply beats an exception.
    return WithBody(status, "application/json",
                    body.dump(-1, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::replace));
}

Response Response::Redirect(std::string_view location, int status) {
    Response response(status);
    response.SetHeader("Location", location);
    return response;
}

void Response::SetHeader(std::string_view name, std::string_view value) {
    std::erase_if(headers, [&](const auto& header) { return detail::EqualsIgnoreCase(header.first, name); });
    headers.emplace_back(name, value);
}

void Response::AddHeader(std::string_view name, std::string_view value) { headers.emplace_back(name, value); }

std::string_view Response::Header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (detail::EqualsIgnoreCase(key, name)) return value;
    }
    return {};
}

void Response::SetCookie(std::string_view name, std::string_view value, const CookieOptions& options) {
    headers.emplace_back("Set-Cookie", FormatSetCookie(name, value, options));
}

std::string FormatSetCookie(std::string_view name, std::string_view value, const CookieOptions& options) {
    std::string out;
    out.reserve(name.size() + value.size() + 64);
    AppendEncodedCookieValue(out, name);  // a token is a subset of cookie-octets; encode defensively
    out.push_back('=');
    AppendEncodedCookieValue(out, value);
    if (!options.path.empty() && IsSafeAttribute(options.path)) {
        out += "; Path=";
        out += options.path;
    }
    if (options.max_age_seconds) {
        out += "; Max-Age=";
        out += std::to_string(std::max<std::int64_t>(0, *options.max_age_seconds));
    }
    // Browsers drop SameSite=None cookies that are not Secure, so None implies Secure.
    if (options.secure || options.same_site == "None") out += "; Secure";
    if (options.http_only) out += "; HttpOnly";
    if (!options.same_site.empty() && IsSafeAttribute(options.same_site)) {
        out += "; SameSite=";
        out += options.same_site;
    }
    return out;
}

}  // namespace kizuna::http
