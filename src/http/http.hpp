// Front door of the http module: the HTTP/1.1 server, its router, request/response types, the error table,
// JSON body helpers and the metrics registry.
#pragma once

#include "http/error_mapping.hpp"
#include "http/handler.hpp"
#include "http/json_body.hpp"
#include "http/metrics.hpp"
#include "http/request.hpp"
#include "http/response.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
