// The handler signature shared by Router and Server.
#pragma once

#include <functional>

#include "http/request.hpp"
#include "http/response.hpp"

namespace kizuna::http {

// Runs synchronously on an I/O thread; may block briefly (SQLite) but never for long. May throw: the server
// answers 500 and logs; the exception goes no further.
using Handler = std::function<Response(Request&)>;

}  // namespace kizuna::http
