#include "observe/transport/sensor.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include "observe/capture/decode.hpp"
#include "observe/capture/pcap_file.hpp"
#include "observe/capture/pcap_live.hpp"
#include "observe/transport/internal/transport_io.hpp"

namespace kizuna::observe {

namespace net = boost::asio;
using tcp = net::ip::tcp;

std::string OwnAddressFilter(const std::vector<std::string>& addresses) {
    std::string filter;
    for (const auto& address : addresses) {
        if (!filter.empty()) filter += " or ";
        filter += "dst host " + address;
    }
    return filter;
}

namespace {

constexpr auto kMinBackoff = std::chrono::milliseconds(100);
constexpr auto kMaxBackoff = std::chrono::milliseconds(5000);

}  // namespace

// What the capture thread tells the sender: new batches, the uptime span, counters, the end of input.
struct SensorShared {
    std::mutex mutex;
    std::condition_variable changed;
    bool input_done = false;      // files ended: drain the spool, then stop
    bool stop_requested = false;  // stop now
    transport::Heartbeat beat;    // latest counters (up_from/up_to, pcap counters, anomalies)
    bool beat_valid = false;
};

struct Sensor::Impl {
    SensorOptions options;
    const core::Clock& clock;
    core::Logger& log;
    std::unique_ptr<Spool> spool;
    SensorShared shared;
    std::atomic<std::uint64_t> acknowledged{0};
    std::atomic<PcapLiveSource*> live_source{nullptr};

    // The connection of the current session, so RequestStop can interrupt a blocking read.
    std::mutex socket_mutex;
    tcp::socket* socket = nullptr;

    Impl(SensorOptions o, const core::Clock& c, core::Logger& l) : options(std::move(o)), clock(c), log(l) {}

    // Wall time (the spool's epoch, a live capture's uptime span) and steady time (batch cutting, heartbeat
    // and backoff timing) come from the injected clock only.
    std::int64_t WallMicros() const { return core::ToUnixMicros(clock.Now()); }

    void SenderLoop();
    // One connection: returns when it breaks, or ok when the input is done and everything acknowledged.
    core::Result<bool> Session(net::io_context& io, net::ssl::context& tls);
    void PublishCounters(const transport::Heartbeat& beat);
    // Hands a full batch to the spool writer thread, which encodes, writes and fsyncs it while capture goes
    // on (at most kSpoolQueue batches wait; then capture waits). Returns the writer's error, if any.
    core::Status SpoolBatch(std::vector<ScanEvent>& batch, SensorReport& report);
    void SpoolWriterLoop();
    core::Status FlushSpool();  // waits until every handed-over batch is in the spool
    static constexpr std::size_t kSpoolQueue = 4;
    std::mutex spool_mutex;
    std::condition_variable spool_changed;
    std::deque<std::vector<ScanEvent>> spool_queue;
    bool spool_closing = false;
    std::optional<core::Error> spool_error;
    core::Result<SensorReport> CaptureFiles();
    core::Result<SensorReport> CaptureLive();
    // Polled per packet: an atomic mirror of shared.stop_requested, not the mutex.
    std::atomic<bool> stop_flag{false};
    bool Stopping() const { return stop_flag.load(std::memory_order_relaxed); }
};

core::Result<std::unique_ptr<Sensor>> Sensor::Create(SensorOptions options, const core::Clock& clock,
                                                      core::Logger& log) {
    if (options.name.empty()) return core::InvalidArgument("must be set", "name");
    if (options.credential.empty()) return core::InvalidArgument("must be set (the sensor's API token)", "token");
    if (options.collector_port == 0) return core::InvalidArgument("must be set", "collector");
    if (options.read_files.empty() == options.interface.empty())
        return core::InvalidArgument("give either --interface or --read", "source");
    if (options.batch_events == 0 || options.batch_events > transport::kMaxBatchEvents)
        return core::InvalidArgument("must be 1..65536", "batch_events");
    if (options.window < 1) return core::InvalidArgument("must be at least 1", "window");
    if (options.server_name.empty()) options.server_name = options.collector_host;
    KZ_ASSIGN(auto spool, Spool::Open(options.spool_dir, static_cast<std::uint64_t>(core::ToUnixMicros(clock.Now()))));
    auto impl = std::make_unique<Impl>(std::move(options), clock, log);
    impl->spool = std::move(spool);
    return std::unique_ptr<Sensor>(new Sensor(std::move(impl)));
}

Sensor::Sensor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Sensor::~Sensor() = default;

void Sensor::RequestStop() {
    auto& d = *impl_;
    {
        std::lock_guard lock(d.shared.mutex);
        d.shared.stop_requested = true;
        d.stop_flag = true;
    }
    d.shared.changed.notify_all();
    if (PcapLiveSource* source = d.live_source.load()) source->BreakLoop();
    std::lock_guard lock(d.socket_mutex);
    if (d.socket != nullptr) ::shutdown(d.socket->native_handle(), SHUT_RDWR);
}

void Sensor::Impl::PublishCounters(const transport::Heartbeat& beat) {
    std::lock_guard lock(shared.mutex);
    shared.beat = beat;
    shared.beat_valid = true;
}

core::Status Sensor::Impl::SpoolBatch(std::vector<ScanEvent>& batch, SensorReport& report) {
    if (batch.empty()) return core::Ok();
    {
        std::unique_lock lock(spool_mutex);
        spool_changed.wait(lock, [&] { return spool_queue.size() < kSpoolQueue || spool_error.has_value(); });
        if (spool_error) return *spool_error;
        report.batches++;
        report.events += batch.size();
        spool_queue.push_back(std::move(batch));
    }
    spool_changed.notify_all();
    batch = {};
    batch.reserve(options.batch_events);
    return core::Ok();
}

void Sensor::Impl::SpoolWriterLoop() {
    for (;;) {
        std::vector<ScanEvent>* batch = nullptr;
        {
            std::unique_lock lock(spool_mutex);
            spool_changed.wait(lock, [&] { return spool_closing || !spool_queue.empty(); });
            if (spool_queue.empty()) return;
            batch = &spool_queue.front();  // only this thread pops; push_back keeps references valid
        }
        auto appended = spool->Append(*batch);
        {
            std::lock_guard lock(spool_mutex);
            spool_queue.pop_front();
            if (!appended.ok()) spool_error = appended.error();
        }
        spool_changed.notify_all();
        shared.changed.notify_all();  // the sender has a new batch
        if (!appended.ok()) return;
    }
}

core::Status Sensor::Impl::FlushSpool() {
    std::unique_lock lock(spool_mutex);
    spool_changed.wait(lock, [&] { return spool_queue.empty() || spool_error.has_value(); });
    if (spool_error) return *spool_error;
    return core::Ok();
}

core::Result<bool> Sensor::Impl::Session(net::io_context& io, net::ssl::context& tls) {
    transport::TlsStream stream(io, tls);
    boost::system::error_code ec;
    tcp::resolver resolver(io);
    auto endpoints = resolver.resolve(options.collector_host, std::to_string(options.collector_port), ec);
    if (ec) return core::Error(core::ErrorCode::kUnavailable, "resolve " + options.collector_host + ": " + ec.message());
    net::connect(stream.lowest_layer(), endpoints, ec);
    if (ec) return core::Error(core::ErrorCode::kUnavailable, "connect: " + ec.message());
    stream.lowest_layer().set_option(tcp::no_delay(true), ec);
    {
        std::lock_guard lock(socket_mutex);
        socket = &stream.next_layer();
    }
    struct Unregister {
        Impl& impl;
        ~Unregister() {
            std::lock_guard lock(impl.socket_mutex);
            impl.socket = nullptr;
        }
    } unregister{*this};
    if (Stopping()) return false;

    SSL_set_tlsext_host_name(stream.native_handle(), options.server_name.c_str());
    stream.set_verify_callback(net::ssl::host_name_verification(options.server_name));
    stream.handshake(net::ssl::stream_base::client, ec);
    if (ec) return core::Error(core::ErrorCode::kUnavailable, "TLS handshake: " + ec.message());

    transport::FrameIo io_frames(stream);
    KZ_TRY(io_frames.Write(transport::Hello{transport::kProtocolVersion, options.name, options.credential}));
    KZ_ASSIGN(auto reply, io_frames.Read());
    if (auto* error = std::get_if<transport::ErrorMessage>(&reply))
        return core::Error(error->kind == transport::ErrorKind::kUnauthenticated ? core::ErrorCode::kUnauthenticated
                                                                                 : core::ErrorCode::kUnavailable,
                           "collector refused: " + error->message);
    auto* welcome = std::get_if<transport::Welcome>(&reply);
    if (welcome == nullptr) return core::InvalidArgument("collector did not answer hello with welcome", "frame");
    KZ_TRY(spool->RaiseFloor(welcome->last_sequence));
    log.Info("connected to collector", {{"collector", options.collector_host},
                                        {"last_sequence", welcome->last_sequence},
                                        {"spooled_batches", static_cast<std::uint64_t>(spool->PendingCount())}});

    std::deque<std::uint64_t> in_flight;
    std::uint64_t highest_sent = 0;
    auto next_heartbeat = clock.Steady();
    for (;;) {
        if (Stopping()) return false;
        // Fill the window with the oldest batches not yet sent on this connection.
        if (static_cast<int>(in_flight.size()) < options.window) {
            const auto room = static_cast<std::size_t>(options.window) - in_flight.size();
            for (auto sequence : spool->PendingAfter(highest_sent, room)) {
                auto frame = spool->Frame(sequence);
                if (!frame.ok()) {
                    if (frame.error().code() == core::ErrorCode::kNotFound) continue;
                    return frame.error();
                }
                KZ_TRY(io_frames.WriteRaw(**frame));
                in_flight.push_back(sequence);
                highest_sent = sequence;
            }
        }
        bool input_done = false;
        std::optional<transport::Heartbeat> beat;
        {
            std::lock_guard lock(shared.mutex);
            input_done = shared.input_done;
            if (shared.beat_valid && clock.Steady() >= next_heartbeat) beat = shared.beat;
        }
        if (beat) {
            KZ_TRY(io_frames.Write(*beat));
            next_heartbeat = clock.Steady() + options.heartbeat_interval;
        }
        if (!in_flight.empty()) {
            KZ_ASSIGN(auto message, io_frames.Read());
            if (auto* ack = std::get_if<transport::Ack>(&message)) {
                if (ack->sequence != in_flight.front())
                    return core::InvalidArgument("ack for " + std::to_string(ack->sequence) + ", expected " +
                                                     std::to_string(in_flight.front()),
                                                 "frame");
                in_flight.pop_front();
                KZ_TRY(spool->Acknowledge(ack->sequence));
                acknowledged++;
                continue;
            }
            if (auto* error = std::get_if<transport::ErrorMessage>(&message))
                return core::Error(core::ErrorCode::kUnavailable, "collector: " + error->message);
            return core::InvalidArgument("unexpected message from the collector", "frame");
        }
        if (input_done && spool->PendingCount() == 0) {
            // Everything is stored: a last heartbeat with the final counters, then a clean close.
            std::optional<transport::Heartbeat> last;
            {
                std::lock_guard lock(shared.mutex);
                if (shared.beat_valid) last = shared.beat;
            }
            if (last) KZ_TRY(io_frames.Write(*last));
            stream.shutdown(ec);
            return true;
        }
        std::unique_lock lock(shared.mutex);
        // Waits in real time for what the injected clock says is left until the next heartbeat.
        const auto until_heartbeat = std::max(next_heartbeat - clock.Steady(), core::SteadyTime::duration::zero());
        shared.changed.wait_for(lock, until_heartbeat, [&] {
            return shared.stop_requested || shared.input_done || spool->PendingCount() > in_flight.size();
        });
    }
}

void Sensor::Impl::SenderLoop() {
    net::io_context io;
    net::ssl::context tls(net::ssl::context::tls_client);
    tls.set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                    net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 | net::ssl::context::no_tlsv1_1);
    tls.set_verify_mode(net::ssl::verify_peer);
    boost::system::error_code ec;
    if (options.ca_file.empty())
        tls.set_default_verify_paths(ec);
    else
        tls.load_verify_file(options.ca_file, ec);
    if (ec) log.Error("cannot load CA certificates; every handshake will fail", {{"ca", options.ca_file}, {"error", ec.message()}});

    auto backoff = std::chrono::milliseconds(kMinBackoff);
    for (;;) {
        const auto started = clock.Steady();
        auto result = Session(io, tls);
        if (result.ok() && *result) return;  // input done, all acknowledged
        if (Stopping()) return;
        if (!result.ok())
            log.Warn("collector connection lost; batches stay spooled",
                     {{"error", result.error().ToString()},
                      {"spooled_batches", static_cast<std::uint64_t>(spool->PendingCount())}});
        // A connection that lasted is not a failure streak.
        if (clock.Steady() - started > std::chrono::seconds(10)) backoff = kMinBackoff;
        std::unique_lock lock(shared.mutex);
        shared.changed.wait_for(lock, backoff, [&] { return shared.stop_requested; });
        if (shared.stop_requested) return;
        backoff = std::min(backoff * 2, std::chrono::milliseconds(kMaxBackoff));
    }
}

namespace {

std::vector<std::pair<std::string, std::uint64_t>> AnomalyList(const AnomalyCounts& counts) {
    std::vector<std::pair<std::string, std::uint64_t>> list;
    for (const auto& [name, count] : counts) {
        if (list.size() >= transport::kMaxAnomalyNames) break;
        list.emplace_back(name, count);
    }
    return list;
}

}  // namespace

core::Result<SensorReport> Sensor::Impl::CaptureFiles() {
    SensorReport report;
    std::vector<ScanEvent> batch;
    batch.reserve(options.batch_events);
    transport::Heartbeat beat;
    AnomalyCounts finished_files_anomalies;
    bool any_packet = false;
    for (const auto& path : options.read_files) {
        KZ_ASSIGN(auto reader, PcapFileReader::Open(path));
        for (;;) {
            if (Stopping()) break;
            KZ_ASSIGN(auto next, reader.Next());
            if (!next) break;
            const auto t = next->time.micros_since_epoch;
            if (!any_packet) beat.up_from_micros = t;
            any_packet = true;
            beat.up_from_micros = std::min(beat.up_from_micros, t);
            beat.up_to_micros = std::max(beat.up_to_micros, t + 1);
            batch.push_back(*next);
            if (batch.size() >= options.batch_events) {
                KZ_TRY(SpoolBatch(batch, report));
                beat.packets_received = report.packets + reader.packets_read();
                AnomalyCounts so_far = finished_files_anomalies;
                for (const auto& [name, count] : reader.counters().counts()) so_far[name] += count;
                beat.anomalies = AnomalyList(so_far);
                PublishCounters(beat);
            }
        }
        report.packets += reader.packets_read();
        for (const auto& [name, count] : reader.counters().counts()) finished_files_anomalies[name] += count;
        beat.anomalies = AnomalyList(finished_files_anomalies);
        if (Stopping()) break;
    }
    KZ_TRY(SpoolBatch(batch, report));
    beat.packets_received = report.packets;
    for (const auto& [name, count] : finished_files_anomalies) report.anomalies += count;
    if (any_packet) PublishCounters(beat);
    return report;
}

core::Result<SensorReport> Sensor::Impl::CaptureLive() {
    const std::string filter = options.bpf_filter.empty() ? OwnAddressFilter(options.own_addresses) : options.bpf_filter;
    KZ_ASSIGN(std::unique_ptr<PcapLiveSource> source,
              PcapLiveSource::Open({options.interface, filter, options.user, options.snap_length}));
    live_source = source.get();
    struct ClearSource {
        std::atomic<PcapLiveSource*>& source;
        ~ClearSource() { source = nullptr; }
    } clear{live_source};
    log.Info("capturing", {{"interface", options.interface}, {"filter", filter}});

    SensorReport report;
    std::vector<ScanEvent> batch;
    batch.reserve(options.batch_events);
    transport::Heartbeat beat;
    beat.up_from_micros = WallMicros();
    auto batch_started = clock.Steady();
    auto last_publish = clock.Steady() - options.heartbeat_interval;
    while (!Stopping()) {
        auto next = source->Next();
        if (!next.ok()) {
            KZ_TRY(SpoolBatch(batch, report));
            return next.error();
        }
        if (*next) {
            if (batch.empty()) batch_started = clock.Steady();
            batch.push_back(**next);
        } else if (source->Done()) {
            break;
        }
        const auto now = clock.Steady();
        if (batch.size() >= options.batch_events || (!batch.empty() && now - batch_started >= options.batch_interval))
            KZ_TRY(SpoolBatch(batch, report));
        if (now - last_publish >= std::chrono::seconds(1)) {
            const CaptureStats stats = source->Stats();
            beat.packets_received = stats.received;
            beat.packets_dropped = stats.dropped;
            beat.interface_dropped = stats.interface_dropped;
            beat.up_to_micros = WallMicros();
            beat.anomalies = AnomalyList(source->counters().counts());
            PublishCounters(beat);
            last_publish = now;
        }
    }
    report.packets = source->packets_read();
    KZ_TRY(SpoolBatch(batch, report));
    report.anomalies = source->counters().Total();
    return report;
}

core::Result<SensorReport> Sensor::Run() {
    auto& d = *impl_;
    std::thread sender([&d] { d.SenderLoop(); });
    std::thread spool_writer([&d] { d.SpoolWriterLoop(); });
    auto report = d.options.read_files.empty() ? d.CaptureLive() : d.CaptureFiles();
    // Everything captured is spooled before the input counts as done (the sender stops once the spool is
    // empty then).
    auto flushed = d.FlushSpool();
    {
        std::lock_guard lock(d.spool_mutex);
        d.spool_closing = true;
    }
    d.spool_changed.notify_all();
    spool_writer.join();
    if (report.ok() && !flushed.ok()) report = flushed.error();
    {
        std::lock_guard lock(d.shared.mutex);
        d.shared.input_done = true;
        // Live capture ends on a stop request or a capture error: do not wait for the collector then.
        if (!report.ok() || d.options.read_files.empty()) {
            d.shared.stop_requested = true;
            d.stop_flag = true;
        }
    }
    d.shared.changed.notify_all();
    if (!report.ok()) RequestStop();
    sender.join();
    if (!report.ok()) return report.error();
    report->acknowledged_batches = d.acknowledged.load();
    return report;
}

}  // namespace kizuna::observe
