// Router: maps (method, path) to a handler. Patterns are '/'-separated segments; a segment is a literal,
// "{name}" (one non-empty segment) or, last only, "{name...}" (the rest of the path, one or more segments,
// joined with '/'). At each segment a literal beats a parameter, which beats a catch-all. Captured values are
// percent-decoded per segment. Add() calls happen at start-up; Dispatch() is then safe from many threads.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "http/handler.hpp"

namespace kizuna::http {

namespace detail {
struct RouteNode;
}

class Router {
  public:
    Router();
    ~Router();
    Router(const Router&) = delete;
    Router& operator=(const Router&) = delete;
    Router(Router&&) noexcept;
    Router& operator=(Router&&) noexcept;

    // REQUIRES: pattern starts with '/', "{...}" segments are well-formed and (method, pattern) is new;
    // violations are programmer errors and abort with a message at start-up.
    void Add(std::string method, std::string pattern, Handler handler);

    // Called when no pattern matches the path. Default: 404 with a JSON error for paths under /api/, plain
    // text otherwise.
    void SetNotFound(Handler handler);

    // Finds the handler and runs it; sets request.route and the path parameters.
    // - no pattern matches the path: the not-found handler (route stays empty)
    // - a pattern matches but not the method: 405 with an Allow header (route set)
    // - HEAD without its own handler runs the GET handler; the body is dropped and Content-Length kept.
    // Exceptions from handlers propagate (the server turns them into 500).
    Response Dispatch(Request& request) const;

    // Convenience for Server: a Handler that dispatches through this router. The router must outlive it.
    Handler AsHandler() const;

  private:
    std::unique_ptr<detail::RouteNode> root_;
    Handler not_found_;
};

}  // namespace kizuna::http
