// Response serialization: the status line and header block the server writes before the body. Kept free of
// Beast so it can be tested and fuzzed on its own.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "http/response.hpp"

namespace kizuna::http::detail {

struct WireOptions {
    bool head_request = false;  // HEAD: no body; Content-Length as the handler or router set it
    bool keep_alive = true;
    bool http10 = false;  // HTTP/1.0 client: keep-alive must be explicit
};

std::string_view ReasonPhrase(int status);

// Whether a response with this status may carry a body (not 1xx, 204, 304).
bool StatusAllowsBody(int status);

// Writes "HTTP/1.1 200 OK\r\n...headers...\r\n\r\n" into `out` (cleared first). Server-owned headers that the
// handler set (Content-Length, Connection, Transfer-Encoding, Date, Server) are replaced. Returns false
// without a usable result when a handler header contains CR, LF or NUL (response splitting); the caller then
// sends a 500 instead. `send_body` tells whether the body must follow.
bool SerializeHead(const Response& response, const WireOptions& options, std::string& out, bool& send_body);

// "Tue, 15 Nov 1994 08:12:31 GMT" for now, cached per thread per second.
std::string_view HttpDateNow();

}  // namespace kizuna::http::detail
