// The one table from core::ErrorCode to HTTP status, and the JSON error body every API error uses:
//   {"error":{"code":"invalid_argument","message":"must not be empty","field":"name"}}
#pragma once

#include <string_view>

#include "core/log.hpp"
#include "core/result.hpp"
#include "http/response.hpp"

namespace kizuna::http {

// invalid_argument 400, unauthenticated 401, permission_denied 403, not_found 404, already_exists and
// failed_precondition 409, resource_exhausted 429, too_large 413, unavailable 503, data_loss and internal 500.
int HttpStatusFor(core::ErrorCode code);

// JSON error response with HttpStatusFor(error.code()). For internal and data_loss the message is replaced
// by a generic text (it may hold paths or SQL); the caller logs the original. "field" is omitted when empty.
Response ErrorResponse(const core::Error& error);

// Same, and logs internal/data_loss errors (with the request's method and path) before hiding them.
Response ErrorResponse(const core::Error& error, const Request& request, core::Logger& logger);

// A JSON error built from parts, for errors the server itself produces (404, 405, 413...).
Response ErrorResponse(int status, std::string_view code, std::string_view message, std::string_view field = {});

}  // namespace kizuna::http
