// IpfixListener: the collector's IPFIX input (RFC 7011) over TCP (reliable; one IpfixSession per
// connection) and UDP (one session per exporter address; sequence gaps counted as lost records in the sensor
// status). Each exporter and observation domain is a sensor named "ipfix-<exporter address>-<domain>"
// (address with '.' and ':' as '-'). Events are buffered per sensor and written through the IngestSink in
// batches (at flush_events events, flush_interval after the first buffered one, and when a connection
// closes or the listener stops), numbered after the sink's LastSequence for that sensor; each written batch
// also records the sensor as up over the batch's flow-time span.
//
// IPFIX has no acknowledgements: what an exporter sent in the last flush_interval before a collector crash
// is lost (over TCP the exporter sees the connection drop). IPFIX carries no credentials either: bind the
// listener to a management address and firewall it (docs/OPERATIONS.md).
//
// Threading: one thread for UDP, one accept thread and one thread per TCP connection; sink calls are
// serialised.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/log.hpp"
#include "core/result.hpp"
#include "observe/transport/collector.hpp"
#include "observe/transport/sensor_status.hpp"

namespace kizuna::observe {

struct IpfixOptions {
    std::string listen = "127.0.0.1";
    int udp_port = -1;  // -1: off; 0: ephemeral
    int tcp_port = -1;
    std::size_t flush_events = 16384;
    std::chrono::milliseconds flush_interval{1000};
};

class IpfixListener {
  public:
    // `status` may be null. All references must outlive the listener.
    IpfixListener(IpfixOptions options, IngestSink& sink, SensorStatusBoard* status, core::Logger& log);
    ~IpfixListener();  // Stop()
    IpfixListener(const IpfixListener&) = delete;
    IpfixListener& operator=(const IpfixListener&) = delete;

    // Binds the configured sockets and starts their threads. Errors name observe.ipfix_udp_port /
    // observe.ipfix_tcp_port.
    core::Status Start();
    int udp_port() const;  // bound port, -1 when off
    int tcp_port() const;
    // Stops receiving, flushes every buffer to the sink, joins the threads. Idempotent.
    void Stop();

    struct Counters {
        std::uint64_t messages = 0;
        std::uint64_t malformed = 0;
        std::uint64_t events = 0;
        std::uint64_t lost_records = 0;
    };
    Counters counters() const;

    struct Impl;

  private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace kizuna::observe
