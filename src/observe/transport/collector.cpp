#include "observe/transport/collector.hpp"

#include <sys/socket.h>

#include <array>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <functional>
#include <list>
#include <variant>
#include <mutex>
#include <optional>
#include <thread>

#include "observe/transport/internal/transport_io.hpp"

namespace kizuna::observe {

namespace net = boost::asio;
using tcp = net::ip::tcp;

core::Result<AppendOutcome> StoreSink::Append(std::string_view sensor, std::uint64_t sequence,
                                              std::span<const ScanEvent> events) {
    std::unique_lock<std::mutex> order;
    if (listener_ != nullptr) order = std::unique_lock(listener_->order_mutex());
    KZ_ASSIGN(auto outcome, store_.AppendBatch(sensor, sequence, events));
    if (listener_ != nullptr && outcome == AppendOutcome::kStored) listener_->BatchStored(sensor, sequence, events);
    if (order.owns_lock()) order.unlock();
    std::int64_t newest = 0;
    for (const auto& event : events) newest = std::max(newest, event.time.micros_since_epoch);
    status_.RecordBatch(sensor, source_, sequence, outcome == AppendOutcome::kStored ? events.size() : 0,
                        newest);
    return outcome;
}

core::Status StoreSink::Heartbeat(std::string_view sensor, const transport::Heartbeat& beat) {
    {
        std::unique_lock<std::mutex> order;
        if (listener_ != nullptr) order = std::unique_lock(listener_->order_mutex());
        const auto from = PacketTime::FromMicros(beat.up_from_micros), to = PacketTime::FromMicros(beat.up_to_micros);
        KZ_TRY(store_.RecordUptime(sensor, from, to));
        if (listener_ != nullptr) listener_->UptimeStored(sensor, from, to);
    }
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
    explicit Connection(net::ssl::context& tls) : stream(io, tls) {}
    net::io_context io;  // this connection's own: its thread runs the pipelined session on it
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
    core::Status Pipeline(Connection& connection, const std::string& sensor);
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
        auto connection = std::make_shared<Connection>(*tls);
        auto& socket = connection->stream.next_layer();
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

    return Pipeline(connection, sensor);
}

// The session after the welcome, pipelined: this connection's thread runs its io_context, which reads,
// decrypts, checks (length, CRC, protocol, IP version) and decodes batch n+1 while a store thread of the
// connection writes batch n through the sink (AppendBatch and its fsync). The store thread works the queue
// in arrival order and hands each outcome back to the io thread, which writes the acks in that order — an
// ack still leaves only after its batch is durable. At most kPipelineDepth messages wait for or are in the
// sink; beyond that the reader stops reading until one is done (TCP flow control reaches the sensor). When
// the connection ends, the store thread finishes what it has queued (a batch stored but not acknowledged is
// resent by the sensor and dropped as a duplicate by the store's (sensor, seq) watermark).
namespace {
constexpr std::size_t kPipelineDepth = 4;
}  // namespace

core::Status Collector::Impl::Pipeline(Connection& connection, const std::string& sensor) {
    using Work = std::variant<transport::Batch, transport::Heartbeat>;
    struct Outcome {
        bool is_batch = false;
        std::uint64_t sequence = 0;
        core::Status status;
    };
    // Shared with the store thread.
    std::mutex queue_mutex;
    std::condition_variable queue_changed;
    std::deque<Work> queue;
    bool closing = false;
    // io thread only.
    auto& stream = connection.stream;
    auto work_guard = net::make_work_guard(connection.io);
    bool finished = false, reading = false, writing = false;
    std::size_t in_sink = 0;  // queued or being stored
    std::array<std::uint8_t, transport::kHeaderSize> header{};
    std::vector<std::uint8_t> body;
    std::deque<std::uint64_t> acks;
    std::vector<std::uint8_t> out;
    core::Status result = core::Ok();
    std::optional<transport::ErrorKind> refuse_kind;  // send an error frame after the loop

    auto finish = [&](core::Status status, std::optional<transport::ErrorKind> kind) {
        if (finished) return;
        finished = true;
        result = std::move(status);
        refuse_kind = kind;
        work_guard.reset();
        // End the reading side: a pending read completes (EOF) and no new one can block, while a pending
        // ack write completes normally and the error frame can still be written after the loop. (Cancelling
        // would not reach a read parked behind the SSL stream's write coordination.)
        ::shutdown(stream.next_layer().native_handle(), SHUT_RD);
    };

    std::function<void()> start_write = [&] {
        if (finished || writing || acks.empty()) return;
        out.clear();
        for (auto sequence : acks) transport::Encode(transport::Ack{sequence}, out);
        acks.clear();
        writing = true;
        net::async_write(stream, net::buffer(out), [&](const boost::system::error_code& ec, std::size_t) {
            writing = false;
            if (ec) return finish(core::Error(core::ErrorCode::kUnavailable, "connection closed: " + ec.message()), {});
            start_write();
        });
    };

    std::function<void()> start_read;
    auto on_message = [&](transport::Message message) {
        connection.last_activity = SteadySeconds();
        if (auto* batch = std::get_if<transport::Batch>(&message)) {
            ++in_sink;
            {
                std::lock_guard lock(queue_mutex);
                queue.emplace_back(std::move(*batch));
            }
            queue_changed.notify_one();
        } else if (auto* beat = std::get_if<transport::Heartbeat>(&message)) {
            ++in_sink;
            {
                std::lock_guard lock(queue_mutex);
                queue.emplace_back(std::move(*beat));
            }
            queue_changed.notify_one();
        } else if (auto* error = std::get_if<transport::ErrorMessage>(&message)) {
            return finish(core::Error(core::ErrorCode::kUnavailable, "sensor reported: " + error->message), {});
        } else {
            rejected++;
            return finish(core::InvalidArgument("unexpected message", "frame"), transport::ErrorKind::kProtocol);
        }
        if (in_sink < kPipelineDepth) start_read();
    };
    start_read = [&] {
        if (finished || reading) return;
        reading = true;
        net::async_read(stream, net::buffer(header), [&](const boost::system::error_code& ec, std::size_t) {
            if (ec) {
                reading = false;
                return finish(core::Error(core::ErrorCode::kUnavailable, "connection closed: " + ec.message()), {});
            }
            auto parsed = transport::ParseHeader(header);
            if (!parsed.ok()) {
                reading = false;
                rejected++;
                return finish(parsed.error(), transport::ErrorKind::kProtocol);
            }
            const auto type = parsed->type;
            body.resize(parsed->body_length);
            net::async_read(stream, net::buffer(body), [&, type](const boost::system::error_code& ec2, std::size_t) {
                reading = false;
                if (ec2)
                    return finish(
                        core::Error(core::ErrorCode::kUnavailable, "connection closed mid-frame: " + ec2.message()), {});
                auto message = transport::ParseBody(type, body);
                if (!message.ok()) {
                    rejected++;
                    return finish(message.error(), transport::ErrorKind::kProtocol);
                }
                on_message(std::move(*message));
            });
        });
    };

    // Called on the io thread with what the store thread did.
    auto on_stored = [&](const Outcome& outcome) {
        --in_sink;
        if (finished) return;
        if (!outcome.status.ok()) {
            rejected++;
            return finish(outcome.status, transport::ErrorKind::kUnavailable);
        }
        if (outcome.is_batch) {
            acks.push_back(outcome.sequence);
            start_write();
        }
        if (in_sink < kPipelineDepth) start_read();
    };

    std::thread store_thread([&] {
        for (;;) {
            Work work;
            {
                std::unique_lock lock(queue_mutex);
                queue_changed.wait(lock, [&] { return closing || !queue.empty(); });
                if (queue.empty()) return;  // closing and drained
                work = std::move(queue.front());
                queue.pop_front();
            }
            Outcome outcome;
            if (auto* batch = std::get_if<transport::Batch>(&work)) {
                outcome.is_batch = true;
                outcome.sequence = batch->sequence;
                core::Result<AppendOutcome> stored = core::Internal("not stored");
                {
                    std::lock_guard lock(sink_mutex);
                    stored = sink.Append(sensor, batch->sequence, batch->events);
                }
                if (!stored.ok()) {
                    log.Error("cannot store sensor batch", {{"sensor", sensor},
                                                            {"sequence", batch->sequence},
                                                            {"error", stored.error().ToString()}});
                    outcome.status = stored.error();
                } else if (*stored == AppendOutcome::kStored) {
                    batches_stored++;
                    events_stored += batch->events.size();
                } else {
                    batches_duplicate++;
                }
            } else {
                const auto& beat = std::get<transport::Heartbeat>(work);
                {
                    std::lock_guard lock(sink_mutex);
                    outcome.status = sink.Heartbeat(sensor, beat);
                }
                if (!outcome.status.ok())
                    log.Error("cannot record sensor heartbeat",
                              {{"sensor", sensor}, {"error", outcome.status.error().ToString()}});
            }
            const bool failed = !outcome.status.ok();
            net::post(connection.io, [&on_stored, outcome = std::move(outcome)] { on_stored(outcome); });
            if (failed) {
                // Nothing after a failed store may be stored (or acknowledged) out of order.
                std::lock_guard lock(queue_mutex);
                queue.clear();
                return;
            }
        }
    });

    start_read();
    connection.io.run();
    {
        std::lock_guard lock(queue_mutex);
        closing = true;
    }
    queue_changed.notify_one();
    store_thread.join();
    if (refuse_kind) {
        // Best effort: the loop is over, so the stream is ours for one blocking write.
        transport::FrameIo io(stream);
        (void)io.Write(transport::ErrorMessage{*refuse_kind, result.ok() ? std::string() : result.error().ToString()});
    }
    return result;
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
