// Server: HTTP/1.1 (optionally over TLS) on Boost.Asio + Beast, callback style (no coroutines), one
// single-threaded io_context per I/O thread; each connection stays on one of them. Handlers run on the I/O
// threads, so a slow handler delays the other connections of its thread.
//
// Per connection: keep-alive per HTTP/1.1; headers over max_header_bytes -> 431 and close; a body over
// max_body_bytes -> 413 (JSON) and close, answered as soon as Content-Length shows it, without reading the body;
// malformed requests -> 400 and close; handler exceptions -> 500 (logged); silence for idle_timeout closes the
// connection. Every response gets Server, Date, Content-Length and the security headers X-Content-Type-Options,
// Referrer-Policy, X-Frame-Options and Content-Security-Policy (each unless the handler set it). Each request
// is logged at debug level and recorded in Metrics.
//
// Shutdown (Stop(), SIGINT, SIGTERM): stop accepting, close idle keep-alive connections, let in-flight requests
// finish (their responses carry Connection: close), force-close whatever remains after shutdown_grace.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/config.hpp"
#include "core/log.hpp"
#include "core/result.hpp"
#include "http/handler.hpp"
#include "http/metrics.hpp"

namespace kizuna::http {

struct ServerOptions {
    std::string listen = "127.0.0.1";  // IP address or host name to bind
    std::uint16_t port = 0;            // 0: ephemeral (see Server::port())
    int threads = 2;                   // I/O threads; 0 = one per core
    std::string tls_cert_file;         // PEM chain; TLS is on when cert and key are both set
    std::string tls_key_file;
    std::size_t max_header_bytes = 16 * 1024;
    std::size_t max_body_bytes = 1024 * 1024;
    std::chrono::seconds idle_timeout{30};
    std::chrono::seconds shutdown_grace{10};

    static ServerOptions FromConfig(const core::ServerConfig& config);
};

class Server {
  public:
    // `metrics` and `logger` must outlive the server. `handler` is called concurrently from the I/O threads.
    Server(ServerOptions options, Handler handler, Metrics& metrics, core::Logger& logger);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Binds and listens; loads the TLS certificate and key when configured. Errors name the setting:
    // "server.tls_cert: cannot read /x.pem: No such file or directory". Call once, before Run().
    core::Status Start();

    // The bound port (the ephemeral one when options.port was 0). REQUIRES: Start() succeeded.
    std::uint16_t port() const;
    bool tls() const;

    // Serves on `threads` threads (the caller's among them) until the server stops: blocks until shutdown
    // completes. Handles SIGINT and SIGTERM while it runs. REQUIRES: Start() succeeded; call once.
    void Run();

    // Begins the graceful shutdown. Thread-safe, idempotent, returns at once; may be called before Run()
    // (Run then returns after the shutdown) and from inside a handler.
    void Stop();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace kizuna::http
