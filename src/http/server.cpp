#include "http/server.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <optional>
#include <thread>
#include <vector>

#include "http/internal/session.hpp"

namespace kizuna::http {

namespace net = boost::asio;
using tcp = net::ip::tcp;

ServerOptions ServerOptions::FromConfig(const core::ServerConfig& config) {
    ServerOptions options;
    options.listen = config.listen;
    options.port = static_cast<std::uint16_t>(config.port);
    options.threads = config.threads;
    options.tls_cert_file = config.tls_cert;
    options.tls_key_file = config.tls_key;
    options.max_header_bytes = static_cast<std::size_t>(std::max<std::int64_t>(config.max_header_bytes, 1));
    options.max_body_bytes = static_cast<std::size_t>(std::max<std::int64_t>(config.max_body_bytes, 0));
    options.idle_timeout = std::chrono::seconds(config.idle_timeout_seconds);
    options.shutdown_grace = std::chrono::seconds(config.shutdown_grace_seconds);
    return options;
}

namespace {

// Checked before handing the path to OpenSSL, whose messages for a missing file are less helpful.
core::Status CheckReadable(const std::string& path, std::string_view setting) {
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (file == nullptr) {
        return core::InvalidArgument("cannot read " + path + ": " + std::strerror(errno), std::string(setting));
    }
    std::fclose(file);
    return core::Ok();
}

int ThreadCount(int configured) {
    if (configured > 0) return configured;
    unsigned cores = std::thread::hardware_concurrency();
    return cores == 0 ? 1 : static_cast<int>(cores);
}

}  // namespace

// Threading: one single-threaded io_context per I/O thread. A connection lives on one context (assigned round
// robin at accept), so its handlers never race and need no strand; the acceptor, signal set and grace timer
// live on contexts[0].
struct Server::Impl {
    using WorkGuard = net::executor_work_guard<net::io_context::executor_type>;

    Impl(ServerOptions options, Handler handler, Metrics& metrics, core::Logger& logger)
        : core(std::move(options), std::move(handler), metrics, logger), threads(ThreadCount(core.options().threads)) {
        for (int index = 0; index < threads; ++index) contexts.push_back(std::make_unique<net::io_context>(1));
        acceptor.emplace(*contexts[0]);
        signals.emplace(*contexts[0]);
        grace_timer.emplace(*contexts[0]);
        // Contexts other than the first have no work until a connection arrives; keep them running.
        for (int index = 1; index < threads; ++index) guards.emplace_back(contexts[index]->get_executor());
    }

    ~Impl() {
        io_finished.store(true);
        guards.clear();
        grace_timer.reset();
        signals.reset();
        acceptor.reset();
        contexts.clear();  // destroys queued sessions, which unregister from `core`
    }

    net::io_context& main() { return *contexts[0]; }

    core::Status Start();
    core::Status LoadTls();
    void Accept();
    void BeginShutdown();  // on contexts[0]
    void OnGraceExpired();
    void StopAll();

    detail::ServerCore core;
    int threads;
    std::vector<std::unique_ptr<net::io_context>> contexts;
    std::vector<WorkGuard> guards;
    std::optional<net::basic_socket_acceptor<tcp, net::io_context::executor_type>> acceptor;
    std::optional<net::basic_signal_set<net::io_context::executor_type>> signals;
    std::optional<net::basic_waitable_timer<std::chrono::steady_clock, net::wait_traits<std::chrono::steady_clock>,
                                            net::io_context::executor_type>>
        grace_timer;
    std::size_t next_context = 0;  // used on contexts[0] only
    bool shutdown_begun = false;   // used on contexts[0] only
    std::optional<net::ssl::context> tls_context;
    std::uint16_t bound_port = 0;
    std::atomic<bool> stop_requested{false};
    std::atomic<bool> io_finished{false};
};

core::Status Server::Impl::LoadTls() {
    const ServerOptions& options = core.options();
    if (options.tls_cert_file.empty() && options.tls_key_file.empty()) return core::Ok();
    if (options.tls_cert_file.empty())
        return core::InvalidArgument("must be set with server.tls_key", "server.tls_cert");
    if (options.tls_key_file.empty())
        return core::InvalidArgument("must be set with server.tls_cert", "server.tls_key");
    KZ_TRY(CheckReadable(options.tls_cert_file, "server.tls_cert"));
    KZ_TRY(CheckReadable(options.tls_key_file, "server.tls_key"));

    tls_context.emplace(net::ssl::context::tls_server);
    tls_context->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                             net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 | net::ssl::context::no_tlsv1_1 |
                             net::ssl::context::single_dh_use);
    boost::system::error_code ec;
    tls_context->use_certificate_chain_file(options.tls_cert_file, ec);
    if (ec) {
        tls_context.reset();
        return core::InvalidArgument("cannot load " + options.tls_cert_file + ": " + ec.message(), "server.tls_cert");
    }
    tls_context->use_private_key_file(options.tls_key_file, net::ssl::context::pem, ec);
    if (ec) {
        tls_context.reset();
        return core::InvalidArgument(
            "cannot load " + options.tls_key_file + " (or it does not match the certificate): " + ec.message(),
            "server.tls_key");
    }
    return core::Ok();
}

core::Status Server::Impl::Start() {
    const ServerOptions& options = core.options();
    KZ_TRY(LoadTls());

    boost::system::error_code ec;
    tcp::endpoint endpoint;
    auto address = net::ip::make_address(options.listen, ec);
    if (!ec) {
        endpoint = tcp::endpoint(address, options.port);
    } else {
        tcp::resolver resolver(main());
        auto results = resolver.resolve(options.listen, std::to_string(options.port), tcp::resolver::passive, ec);
        if (ec || results.empty()) {
            return core::InvalidArgument("cannot resolve " + options.listen + ": " + ec.message(), "server.listen");
        }
        endpoint = results.begin()->endpoint();
    }
    std::string where = options.listen + ":" + std::to_string(options.port);
    acceptor->open(endpoint.protocol(), ec);
    if (!ec) acceptor->set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor->bind(endpoint, ec);
    if (!ec) acceptor->listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
        boost::system::error_code ignored;
        acceptor->close(ignored);
        return core::Error(core::ErrorCode::kUnavailable, "cannot listen on " + where + ": " + ec.message(),
                           "server.listen");
    }
    bound_port = acceptor->local_endpoint(ec).port();
    core.SetOnDrained([this] {
        if (io_finished.load()) return;
        net::post(main(), [this] { grace_timer->cancel(); });
    });
    return core::Ok();
}

void Server::Impl::Accept() {
    net::io_context& target = *contexts[next_context++ % contexts.size()];
    acceptor->async_accept(target, [this](boost::system::error_code ec, detail::Socket socket) {
        if (ec == net::error::operation_aborted || core.stopping() || !acceptor->is_open()) return;
        if (ec) {
            // Usually EMFILE: back off briefly instead of spinning on the accept error.
            core.logger().Warn("accept failed", {{"error", ec.message()}});
            auto timer = std::make_shared<net::steady_timer>(main(), std::chrono::milliseconds(100));
            timer->async_wait([this, timer](boost::system::error_code) {
                if (!core.stopping()) Accept();
            });
            return;
        }
        detail::MakeSession(core, std::move(socket), tls_context ? &*tls_context : nullptr)->Start();
        Accept();
    });
}

void Server::Impl::BeginShutdown() {
    if (shutdown_begun) return;
    shutdown_begun = true;
    core.SetStopping();
    boost::system::error_code ignored;
    acceptor->close(ignored);
    signals->cancel(ignored);
    signals->clear(ignored);
    guards.clear();  // a context returns from run() once its last connection is gone
    auto sessions = core.LiveSessions();
    core.logger().Info("shutting down", {{"connections", static_cast<std::uint64_t>(sessions.size())}});
    if (sessions.empty()) return;
    for (auto& session : sessions) session->BeginShutdown();
    grace_timer->expires_after(core.options().shutdown_grace);
    grace_timer->async_wait([this](boost::system::error_code ec) {
        if (ec != net::error::operation_aborted) OnGraceExpired();
    });
}

void Server::Impl::OnGraceExpired() {
    auto sessions = core.LiveSessions();
    if (sessions.empty()) return;
    core.logger().Warn("shutdown grace period over; closing connections",
                       {{"connections", static_cast<std::uint64_t>(sessions.size())}});
    for (auto& session : sessions) session->ForceClose();
    // A handler stuck on a lock would keep its thread busy; do not wait for it beyond the grace period.
    StopAll();
}

void Server::Impl::StopAll() {
    for (auto& context : contexts) context->stop();
}

Server::Server(ServerOptions options, Handler handler, Metrics& metrics, core::Logger& logger)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler), metrics, logger)) {}

Server::~Server() = default;

core::Status Server::Start() { return impl_->Start(); }

std::uint16_t Server::port() const { return impl_->bound_port; }

bool Server::tls() const { return impl_->tls_context.has_value(); }

void Server::Run() {
    Impl& impl = *impl_;
    impl.signals->add(SIGINT);
    impl.signals->add(SIGTERM);
    impl.signals->async_wait([&impl](boost::system::error_code ec, int signal_number) {
        if (ec) return;
        impl.core.logger().Info("signal received", {{"signal", signal_number}});
        impl.stop_requested.store(true);
        impl.BeginShutdown();
    });
    net::post(impl.main(), [&impl] {
        if (impl.stop_requested.load()) {
            impl.BeginShutdown();
        } else {
            impl.Accept();
        }
    });
    impl.core.logger().Info("listening", {{"address", impl.core.options().listen},
                                          {"port", static_cast<unsigned>(impl.bound_port)},
                                          {"tls", tls()},
                                          {"threads", impl.threads}});

    auto run = [&impl](net::io_context& context) {
        while (true) {
            try {
                context.run();
                return;
            } catch (const std::exception& e) {
                impl.core.logger().Error("uncaught exception on an I/O thread", {{"error", e.what()}});
            }
        }
    };
    std::vector<std::thread> workers;
    workers.reserve(static_cast<std::size_t>(impl.threads - 1));
    for (int index = 1; index < impl.threads; ++index) workers.emplace_back(run, std::ref(*impl.contexts[index]));
    run(impl.main());
    for (auto& worker : workers) worker.join();
    impl.io_finished.store(true);
    impl.core.logger().Info("server stopped");
}

void Server::Stop() {
    Impl& impl = *impl_;
    if (impl.stop_requested.exchange(true)) return;
    // Visible at once to every connection (responses in flight get Connection: close), even while the thread
    // of contexts[0] is busy in a handler and cannot run BeginShutdown yet.
    impl.core.SetStopping();
    net::post(impl.main(), [&impl] { impl.BeginShutdown(); });
}

}  // namespace kizuna::http
