// A small synchronous HTTP/1.1 client for tests: one keep-alive connection, reconnecting when the server
// closed it, every operation bounded by a timeout (default 10 s) so a broken server fails a test instead of
// hanging it. Not thread-safe; use one client per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kizuna::testing {

struct HttpReply {
    int status = 0;  // 0 when the request failed (see `error`)
    // Lower-case names. Repeated headers are joined with ", ", except set-cookie which is joined with "\n".
    std::map<std::string, std::string> headers;
    std::string body;
    std::string error;  // transport or parse error text; empty on success

    // The header's value or "" when absent (name in any case).
    std::string Header(std::string_view name) const;
};

class HttpClient {
  public:
    HttpClient(std::string host, std::uint16_t port);
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // Sends one request on the kept-alive connection (connecting first when needed; retrying once on a fresh
    // connection when a reused one turns out to be closed). Adds Host and Content-Length.
    HttpReply Request(std::string method, std::string target, std::string body = "",
                      std::vector<std::pair<std::string, std::string>> headers = {});

    // Opens a new connection, writes `bytes` verbatim (write errors are ignored: the server may answer and
    // close early), then returns everything read until the server closes or the timeout passes.
    std::string SendRaw(std::string_view bytes);

    // Waits until the server closes the kept-alive connection; false when it is still open after `timeout`
    // (or no connection is open).
    bool WaitForServerClose(std::chrono::milliseconds timeout);

    bool connected() const;
    // Number of TCP connections opened so far (keep-alive tests expect 1 after several requests).
    int connections_opened() const { return connections_opened_; }
    void set_timeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }
    void Close();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::string host_;
    std::uint16_t port_;
    int connections_opened_ = 0;
    std::chrono::milliseconds timeout_{10000};
};

}  // namespace kizuna::testing
