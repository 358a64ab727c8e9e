// Connection handling behind Server: the state shared by all connections (ServerCore) and the per-connection
// session that reads requests, runs the handler and writes responses. Beast/Asio live here, not in server.hpp.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "core/log.hpp"
#include "http/metrics.hpp"
#include "http/server.hpp"

namespace kizuna::http::detail {

// One connection. Thread-safety: the public methods may be called from any thread; they post onto the
// connection's io_context, whose single thread runs everything else of the session.
class Session : public std::enable_shared_from_this<Session> {
  public:
    virtual ~Session() = default;
    virtual void Start() = 0;
    // Closes the connection now if it is waiting for a new request; otherwise marks the current request
    // as the last one (its response carries Connection: close).
    virtual void BeginShutdown() = 0;
    // Closes the socket whatever the state (grace period over).
    virtual void ForceClose() = 0;
};

// Shared by the sessions of one server; outlives every session (Server::Impl destroys the io_context, and
// with it any queued session, before this).
class ServerCore {
  public:
    ServerCore(ServerOptions options, Handler handler, Metrics& metrics, core::Logger& logger)
        : options_(std::move(options)), handler_(std::move(handler)), metrics_(metrics), logger_(logger) {}

    const ServerOptions& options() const { return options_; }
    const Handler& handler() const { return handler_; }
    Metrics& metrics() { return metrics_; }
    core::Logger& logger() { return logger_; }

    bool stopping() const { return stopping_.load(std::memory_order_acquire); }
    void SetStopping() { stopping_.store(true, std::memory_order_release); }

    // Registry of live sessions, for shutdown. Register returns the id to pass to Unregister.
    std::uint64_t Register(std::weak_ptr<Session> session);
    void Unregister(std::uint64_t id);
    std::vector<std::shared_ptr<Session>> LiveSessions();
    // Called (from any thread, without locks held) when the last session unregisters during shutdown.
    void SetOnDrained(std::function<void()> on_drained);

  private:
    ServerOptions options_;
    Handler handler_;
    Metrics& metrics_;
    core::Logger& logger_;
    std::atomic<bool> stopping_{false};
    std::mutex mu_;
    std::unordered_map<std::uint64_t, std::weak_ptr<Session>> sessions_;  // guarded by mu_
    std::uint64_t next_id_ = 1;                                           // guarded by mu_
    std::function<void()> on_drained_;                                    // guarded by mu_
};

// A socket bound to one single-threaded io_context: its executor is concrete (no any_io_executor), and all of
// a connection's handlers run on that one thread, so sessions need no strand.
using Socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, boost::asio::io_context::executor_type>;

// Creates a session for an accepted socket. `tls_context` is null for plain HTTP.
std::shared_ptr<Session> MakeSession(ServerCore& core, Socket socket, boost::asio::ssl::context* tls_context);

}  // namespace kizuna::http::detail
