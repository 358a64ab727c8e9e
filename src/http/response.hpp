// Response: what a handler returns. The server adds Content-Length, Date, Connection and the security
// headers (see server.hpp); handlers set everything else.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "http/request.hpp"

namespace kizuna::http {

struct CookieOptions {
    std::string path = "/";
    bool http_only = true;
    bool secure = false;
    std::string same_site = "Strict";             // "Strict", "Lax", "None" or "" to omit
    std::optional<std::int64_t> max_age_seconds;  // absent: session cookie; 0: delete
};

class Response {
  public:
    Response() = default;
    explicit Response(int status_in) : status(status_in) {}

    static Response Text(int status, std::string body);            // text/plain; charset=utf-8
    static Response Html(int status, std::string body);            // text/html; charset=utf-8
    static Response Json(int status, const nlohmann::json& body);  // application/json
    static Response Redirect(std::string_view location, int status = 303);

    // Replaces every header named `name` (case-insensitive) with one `name: value`.
    void SetHeader(std::string_view name, std::string_view value);
    // Appends without replacing (for repeated headers such as Set-Cookie).
    void AddHeader(std::string_view name, std::string_view value);
    // First value of `name` (case-insensitive), or "" when absent.
    std::string_view Header(std::string_view name) const;

    // Appends a Set-Cookie header. REQUIRES: name is an RFC 6265 token and value holds only cookie-octets
    // (callers pass ids/tokens; anything else is percent-encoded here so the header stays well-formed).
    void SetCookie(std::string_view name, std::string_view value, const CookieOptions& options = {});

    int status = 200;
    HeaderList headers;
    std::string body;
};

// The Set-Cookie header value SetCookie would add ("sid=abc; Path=/; HttpOnly; SameSite=Strict").
std::string FormatSetCookie(std::string_view name, std::string_view value, const CookieOptions& options);

}  // namespace kizuna::http
