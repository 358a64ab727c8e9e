// Request: one parsed HTTP request as handlers see it. Built by the server (or by a test) and then owned
// by exactly one handler invocation; not thread-safe. Lookups (Header, Query, Cookie, Form) scan the raw
// text on each call and allocate only for the value they return, so an unused feature costs nothing.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace kizuna::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

class Request {
  public:
    Request() = default;
    // For the server: adopts already-validated parts (see Make for the rules).
    Request(std::string method_in, std::string target_in, std::string path_in, HeaderList headers, std::string body_in)
        : method(std::move(method_in)),
          target(std::move(target_in)),
          path(std::move(path_in)),
          body(std::move(body_in)),
          headers_(std::move(headers)) {}

    // Builds a request from its wire parts. `target` must be in origin form ("/path?query"); its path is
    // percent-decoded into `path`. Fails (invalid_argument, field "target") when the target does not start
    // with '/', has a malformed %-escape in the path, or decodes to a NUL byte.
    static core::Result<Request> Make(std::string method, std::string target, HeaderList headers = {},
                                      std::string body = {});

    // Case-insensitive; the first header with that name, or "" when absent.
    std::string_view Header(std::string_view name) const;
    const HeaderList& headers() const { return headers_; }

    // Query parameter from the target, percent-decoded with '+' as space. First occurrence wins;
    // nullopt when absent ("?flag" yields "").
    std::optional<std::string> Query(std::string_view name) const;
    // The raw text after the first '?' of `target` ("" when there is none).
    std::string_view query_string() const;

    // Cookie from the Cookie header(s) (RFC 6265 "a=b; c=d"; surrounding quotes stripped, no decoding).
    std::optional<std::string> Cookie(std::string_view name) const;

    // Field of an application/x-www-form-urlencoded body ('+' as space, %-decoded); nullopt when absent
    // or when the body has another content type. FormAll returns every value of a repeated field.
    std::optional<std::string> Form(std::string_view name) const;
    std::vector<std::string> FormAll(std::string_view name) const;

    // Path parameter captured by the router ("{name}" or "{rest...}"); "" when absent.
    std::string_view Param(std::string_view name) const;
    void SetParams(std::vector<std::pair<std::string, std::string>> params) { params_ = std::move(params); }

    std::string method;     // upper case as received ("GET")
    std::string target;     // raw request target ("/a%20b?x=1")
    std::string path;       // percent-decoded path without the query ("/a b")
    std::string body;       // complete body (the server enforces the size limit before the handler)
    std::string remote_ip;  // peer address as text; empty for requests built in tests
    bool tls = false;       // arrived over TLS
    std::string route;      // matched router pattern ("/api/v1/users/{name}"); empty when unmatched
    // Slot for the application (e.g. the authenticated principal); the http module never touches it.
    std::shared_ptr<void> user_context;

  private:
    HeaderList headers_;
    std::vector<std::pair<std::string, std::string>> params_;
};

}  // namespace kizuna::http
