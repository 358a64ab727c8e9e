#include "observe/collector.hpp"

#include <sys/socket.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <list>
#include <mutex>
#include <optional>
#include <thread>

#include "observe/transport_io.hpp"

namespace kizuna::observe {

namespace net = boost::asio;
using tcp = net::ip::tcp;

core::Result<AppendOutcome> StoreSink::Append(std::string_view sensor, std::uint64_t sequence,
                                              std::span<const ScanEvent> events) {
    KZ_ASSIGN(auto outcome, store_.AppendBatch(sensor, sequence, events));
    std::int64_t newest = 0;
    for (const auto& event : events) newest = std::max(newest, event.time.micros_since_epoch);
    status_.RecordBatch(sensor, source_, sequence, outcome == AppendOutcome::kStored ? events.size() : 0,
                        newest);
    return outcome;
}

core::Status StoreSink::Heartbeat(std::string_view sensor, const transport::Heartbeat& beat) {
    KZ_TRY(store_.RecordUptime(sensor, PacketTime::FromMicros(beat.up_from_micros),
                               PacketTime::FromMicros(beat.up_to_micros)));
    status_.RecordHeartbeat(sensor, beat.up_from_micros, beat.packets_received, beat.packets_dropped,
                            beat.interface_dropped, beat.anomalies);
    return core::Ok();
}

namespace {

core::Status CheckReadable(const std::string& path, std::string_view setting) {
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (file == nullptr)
        return core::InvalidArgument("cannot read " + path + ": " + std::strerror(errno), std::string(setting));
    std::fclose(file);
    return core::Ok();
}

std::int64_t SteadySeconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

struct Connection {
    explicit Connection(tcp::socket socket, net::ssl::context& tls) : stream(std::move(socket), tls) {}
    transport::TlsStream stream;
    std::atomic<std::int64_t> last_activity{SteadySeconds()};
    std::atomic<bool> finished{false};
    std::thread thread;
    std::string peer;

    // Wakes a thread blocked in a read or write on this connection (the fd stays valid until the join).
    void Interrupt() { ::shutdown(stream.lowest_layer().native_handle(), SHUT_RDWR); }
};

}  // namespace

struct Collector::Impl {
    CollectorOptions options;
    IngestSink& sink;
    SensorAuthenticator authenticate;
    core::Logger& log;

    net::io_context io;
    std::optional<net::ssl::context> tls;
    std::optional<tcp::acceptor> acceptor;
    std::uint16_t bound_port = 0;
    std::thread accept_thread;
    std::thread watchdog_thread;

    std::mutex mutex;  // guards connections, stopping
    std::condition_variable stop_signal;
    std::list<std::shared_ptr<Connection>> connections;
    bool stopping = false;
    bool started = false;

    std::mutex sink_mutex;  // sink calls are serialised

    std::atomic<std::uint64_t> batches_stored{0}, batches_duplicate{0}, events_stored{0}, connection_count{0},
        rejected{0};

    Impl(CollectorOptions o, IngestSink& s, SensorAuthenticator a, core::Logger& l)
        : options(std::move(o)), sink(s), authenticate(std::move(a)), log(l) {}

    core::Status LoadTls();
    void AcceptLoop();
    void Watchdog();
    void Serve(const std::shared_ptr<Connection>& connection);
    core::Status Session(Connection& connection);
    void ReapFinished();
};

core::Status Collector::Impl::LoadTls() {
    if (options.tls_cert_file.empty())
        return core::InvalidArgument("must be set: the sensor transport is TLS only", "observe.tls_cert");
    if (options.tls_key_file.empty())
        return core::InvalidArgument("must be set: the sensor transport is TLS only", "observe.tls_key");
    KZ_TRY(CheckReadable(options.tls_cert_file, "observe.tls_cert"));
    KZ_TRY(CheckReadable(options.tls_key_file, "observe.tls_key"));
    tls.emplace(net::ssl::context::tls_server);
    tls->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                     net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 | net::ssl::context::no_tlsv1_1 |
                     net::ssl::context::single_dh_use);
    boost::system::error_code ec;
    tls->use_certificate_chain_file(options.tls_cert_file, ec);
    if (ec) return core::InvalidArgument("cannot load " + options.tls_cert_file + ": " + ec.message(), "observe.tls_cert");
    tls->use_private_key_file(options.tls_key_file, net::ssl::context::pem, ec);
    if (ec)
        return core::InvalidArgument(
            "cannot load " + options.tls_key_file + " (or it does not match the certificate): " + ec.message(),
            "observe.tls_key");
    return core::Ok();
}

void Collector::Impl::ReapFinished() {
    std::list<std::shared_ptr<Connection>> done;
    {
        std::lock_guard lock(mutex);
        for (auto it = connections.begin(); it != connections.end();) {
            if ((*it)->finished.load()) {
                done.push_back(*it);
                it = connections.erase(it);
            } else {
                ++it;
            }
        }
    }
    for (auto& connection : done)
        if (connection->thread.joinable()) connection->thread.join();
}

void Collector::Impl::AcceptLoop() {
    for (;;) {
        tcp::socket socket(io);
        boost::system::error_code ec;
        acceptor->accept(socket, ec);
        {
            std::lock_guard lock(mutex);
            if (stopping) return;
        }
        ReapFinished();
        if (ec) {
            log.Warn("collector accept failed", {{"error", ec.message()}});
            std::this_thread::sleep_for(std::chrono::milliseconds(100));  // EMFILE: do not spin
            continue;
        }
        std::lock_guard lock(mutex);
        if (stopping) return;
        if (static_cast<int>(connections.size()) >= options.max_connections) {
            log.Warn("collector connection limit reached; refusing", {{"limit", options.max_connections}});
            socket.close(ec);
            continue;
        }
        socket.set_option(tcp::no_delay(true), ec);
        auto connection = std::make_shared<Connection>(std::move(socket), *tls);
        connection->peer = connection->stream.lowest_layer().remote_endpoint(ec).address().to_string();
        connections.push_back(connection);
        connection_count++;
        connection->thread = std::thread([this, connection] { Serve(connection); });
    }
}

void Collector::Impl::Watchdog() {
    std::unique_lock lock(mutex);
    while (!stopping) {
        stop_signal.wait_for(lock, std::chrono::seconds(1));
        const auto now = SteadySeconds();
        for (auto& connection : connections)
            if (!connection->finished && now - connection->last_activity > options.idle_timeout.count())
                connection->Interrupt();
    }
}

void Collector::Impl::Serve(const std::shared_ptr<Connection>& connection) {
    auto status = Session(*connection);
    if (!status.ok())
        log.Info("sensor connection closed", {{"peer", connection->peer}, {"reason", status.error().ToString()}});
    boost::system::error_code ignored;
    connection->stream.lowest_layer().close(ignored);
    connection->finished = true;
}

core::Status Collector::Impl::Session(Connection& connection) {
    boost::system::error_code ec;
    connection.stream.handshake(net::ssl::stream_base::server, ec);
    if (ec) return core::Error(core::ErrorCode::kUnavailable, "TLS handshake: " + ec.message());
    transport::FrameIo io(connection.stream);
    auto refuse = [&](transport::ErrorKind kind, const core::Error& error) {
        rejected++;
        (void)io.Write(transport::ErrorMessage{kind, error.ToString()});
        return error;
    };

    auto first = io.Read();
    if (!first.ok()) return refuse(transport::ErrorKind::kProtocol, first.error());
    const auto* hello = std::get_if<transport::Hello>(&*first);
    if (hello == nullptr) return refuse(transport::ErrorKind::kProtocol, core::InvalidArgument("expected hello", "frame"));
    if (hello->version != transport::kProtocolVersion)
        return refuse(transport::ErrorKind::kVersion,
                      core::InvalidArgument("unsupported protocol version " + std::to_string(hello->version),
                                            "version"));
    const std::string sensor = hello->sensor;
    if (auto allowed = authenticate(sensor, hello->credential); !allowed.ok())
        return refuse(transport::ErrorKind::kUnauthenticated, allowed.error());
    std::uint64_t last_sequence = 0;
    {
        std::lock_guard lock(sink_mutex);
        last_sequence = sink.LastSequence(sensor);
    }
    KZ_TRY(io.Write(transport::Welcome{transport::kProtocolVersion, last_sequence}));
    log.Info("sensor connected", {{"sensor", sensor}, {"peer", connection.peer}, {"last_sequence", last_sequence}});

    for (;;) {
        connection.last_activity = SteadySeconds();
        auto message = io.Read();
        if (!message.ok()) {
            if (message.error().code() == core::ErrorCode::kUnavailable) return message.error();  // closed
            return refuse(transport::ErrorKind::kProtocol, message.error());
        }
        connection.last_activity = SteadySeconds();
        if (auto* batch = std::get_if<transport::Batch>(&*message)) {
            core::Result<AppendOutcome> outcome = core::Internal("not stored");
            {
                std::lock_guard lock(sink_mutex);
                outcome = sink.Append(sensor, batch->sequence, batch->events);
            }
            if (!outcome.ok()) {
                log.Error("cannot store sensor batch",
                          {{"sensor", sensor}, {"sequence", batch->sequence}, {"error", outcome.error().ToString()}});
                return refuse(transport::ErrorKind::kUnavailable, outcome.error());
            }
            if (*outcome == AppendOutcome::kStored) {
                batches_stored++;
                events_stored += batch->events.size();
            } else {
                batches_duplicate++;
            }
            KZ_TRY(io.Write(transport::Ack{batch->sequence}));
        } else if (auto* beat = std::get_if<transport::Heartbeat>(&*message)) {
            core::Status recorded;
            {
                std::lock_guard lock(sink_mutex);
                recorded = sink.Heartbeat(sensor, *beat);
            }
            if (!recorded.ok()) {
                log.Error("cannot record sensor heartbeat", {{"sensor", sensor}, {"error", recorded.error().ToString()}});
                return refuse(transport::ErrorKind::kUnavailable, recorded.error());
            }
        } else if (auto* error = std::get_if<transport::ErrorMessage>(&*message)) {
            return core::Error(core::ErrorCode::kUnavailable, "sensor reported: " + error->message);
        } else {
            return refuse(transport::ErrorKind::kProtocol, core::InvalidArgument("unexpected message", "frame"));
        }
    }
}

Collector::Collector(CollectorOptions options, IngestSink& sink, SensorAuthenticator authenticate, core::Logger& log)
    : impl_(std::make_unique<Impl>(std::move(options), sink, std::move(authenticate), log)) {}

Collector::~Collector() { Stop(); }

core::Status Collector::Start() {
    auto& d = *impl_;
    KZ_TRY(d.LoadTls());
    boost::system::error_code ec;
    const auto address = net::ip::make_address(d.options.listen, ec);
    if (ec) return core::InvalidArgument("not an IP address: " + d.options.listen, "observe.collector_listen");
    const tcp::endpoint endpoint(address, d.options.port);
    d.acceptor.emplace(d.io);
    d.acceptor->open(endpoint.protocol(), ec);
    if (!ec) d.acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) d.acceptor->bind(endpoint, ec);
    if (!ec) d.acceptor->listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
        d.acceptor.reset();
        return core::Error(core::ErrorCode::kUnavailable,
                           "cannot listen on " + d.options.listen + ":" + std::to_string(d.options.port) + ": " +
                               ec.message(),
                           "observe.collector_port");
    }
    d.bound_port = d.acceptor->local_endpoint(ec).port();
    d.started = true;
    d.accept_thread = std::thread([&d] { d.AcceptLoop(); });
    d.watchdog_thread = std::thread([&d] { d.Watchdog(); });
    d.log.Info("collector listening", {{"listen", d.options.listen}, {"port", static_cast<int>(d.bound_port)}});
    return core::Ok();
}

std::uint16_t Collector::port() const { return impl_->bound_port; }

void Collector::Stop() {
    auto& d = *impl_;
    {
        std::lock_guard lock(d.mutex);
        if (!d.started || d.stopping) return;
        d.stopping = true;
        // Wakes the blocked accept(); the descriptor stays open until the thread is joined.
        ::shutdown(d.acceptor->native_handle(), SHUT_RDWR);
        for (auto& connection : d.connections) connection->Interrupt();
    }
    d.stop_signal.notify_all();
    if (d.accept_thread.joinable()) d.accept_thread.join();
    if (d.watchdog_thread.joinable()) d.watchdog_thread.join();
    std::list<std::shared_ptr<Connection>> remaining;
    {
        std::lock_guard lock(d.mutex);
        remaining.swap(d.connections);
    }
    for (auto& connection : remaining)
        if (connection->thread.joinable()) connection->thread.join();
    boost::system::error_code ignored;
    d.acceptor->close(ignored);
}

Collector::Counters Collector::counters() const {
    const auto& d = *impl_;
    return Counters{d.batches_stored.load(), d.batches_duplicate.load(), d.events_stored.load(),
                    d.connection_count.load(), d.rejected.load()};
}

}  // namespace kizuna::observe
