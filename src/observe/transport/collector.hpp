// Collector: the center's end of the sensor transport (docs/formats/sensor-protocol.md). Listens with TLS
// (Boost.Asio + OpenSSL), authenticates each sensor from its hello, writes every batch through the sink
// (EventStore::AppendBatch in the app) and acknowledges it only after the sink returned, i.e. after the
// batch is durable. A resent batch (sequence number already stored) is acknowledged again and not stored
// twice. Heartbeats go to the sink as uptime and to the sensor status board.
//
// Threading: one acceptor thread plus one thread per connected sensor, blocking I/O (sensors are few and
// long-lived). Sink calls are serialised by the collector. Stop() closes the listener and every connection
// and joins the threads; a batch whose ack was not sent will be resent by its sensor.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>

#include "core/log.hpp"
#include "core/result.hpp"
#include "observe/storage/event_store.hpp"
#include "observe/storage/store_listener.hpp"
#include "observe/capture/scan_event.hpp"
#include "observe/transport/sensor_status.hpp"
#include "observe/transport/protocol.hpp"

namespace kizuna::observe {

// Where the collector puts what it receives. The app's implementation is StoreSink (EventStore + status).
class IngestSink {
  public:
    virtual ~IngestSink() = default;
    // Durable when it returns (the collector acks after this).
    virtual core::Result<AppendOutcome> Append(std::string_view sensor, std::uint64_t sequence,
                                               std::span<const ScanEvent> events) = 0;
    virtual core::Status Heartbeat(std::string_view sensor, const transport::Heartbeat& beat) = 0;
    virtual std::uint64_t LastSequence(std::string_view sensor) = 0;
};

// EventStore for events and uptime, SensorStatusBoard for the status page.
class StoreSink : public IngestSink {
  public:
    // All must outlive the sink. `source` names the input on the status page ("kizuna-sensor", "ipfix").
    // `listener` (may be null) hears of every stored batch and uptime span.
    StoreSink(EventStore& store, SensorStatusBoard& status, std::string source = "kizuna-sensor",
              StoreListener* listener = nullptr)
        : store_(store), status_(status), source_(std::move(source)), listener_(listener) {}
    core::Result<AppendOutcome> Append(std::string_view sensor, std::uint64_t sequence,
                                       std::span<const ScanEvent> events) override;
    core::Status Heartbeat(std::string_view sensor, const transport::Heartbeat& beat) override;
    std::uint64_t LastSequence(std::string_view sensor) override { return store_.LastSequence(sensor); }

  private:
    EventStore& store_;
    SensorStatusBoard& status_;
    std::string source_;
    StoreListener* listener_;
};

// Decides whether `credential` is valid for sensor `sensor`. The app accepts an API token of a user with
// role `sensor` whose login name is the sensor name. Returns an error (kUnauthenticated) when not.
using SensorAuthenticator = std::function<core::Status(std::string_view sensor, std::string_view credential)>;

struct CollectorOptions {
    std::string listen = "127.0.0.1";
    std::uint16_t port = 0;  // 0: ephemeral (see port())
    std::string tls_cert_file;  // PEM; both required: the transport is TLS only
    std::string tls_key_file;
    std::chrono::seconds idle_timeout{90};  // a connection silent this long (no batch, no heartbeat) is closed
    int max_connections = 256;
};

class Collector {
  public:
    // All references must outlive the collector.
    Collector(CollectorOptions options, IngestSink& sink, SensorAuthenticator authenticate, core::Logger& log);
    ~Collector();  // Stop()
    Collector(const Collector&) = delete;
    Collector& operator=(const Collector&) = delete;

    // Loads the certificate, binds and starts accepting on a thread of its own. Errors name the setting
    // ("observe.tls_cert: cannot load ...", "observe.collector_port: ...").
    core::Status Start();
    std::uint16_t port() const;
    // Closes the listener and all connections and joins every thread. Idempotent.
    void Stop();

    struct Counters {
        std::uint64_t batches_stored = 0;
        std::uint64_t batches_duplicate = 0;
        std::uint64_t events_stored = 0;
        std::uint64_t connections = 0;
        std::uint64_t rejected = 0;  // failed authentication or protocol errors
    };
    Counters counters() const;

    struct Impl;

  private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace kizuna::observe
