// Sensor: the kizuna-sensor's pipeline (MISSION O1). A packet source (live interface or pcap/pcapng files)
// feeds the Decoder; events are cut into batches (by count or by time), every batch is written to the Spool
// and fsynced before it is sent, and the Sender streams spooled batches to the collector over TLS, deleting
// each only after the collector's ack. While the collector is unreachable the spool grows and the sender
// reconnects with exponential backoff (0.1 s doubling to 5 s); after a reconnect it resends every batch not
// yet acknowledged, in order. Heartbeats carry the uptime interval, pcap drop counters and anomaly counts.
//
// Threading: Run() captures on the caller's thread; a spool writer thread encodes, writes and fsyncs the
// batches capture hands over (up to 4 wait), so decoding goes on during the fsync; the sender runs on a
// thread of its own. RequestStop()
// may be called from a signal-watching thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/log.hpp"
#include "core/result.hpp"
#include "observe/transport/spool.hpp"

namespace kizuna::observe {

struct SensorOptions {
    std::string name;        // the sensor's name at the center (= the login name of its `sensor` user)
    std::string credential;  // API token of that user
    std::string collector_host = "127.0.0.1";
    std::uint16_t collector_port = 0;
    std::string ca_file;      // PEM the collector's certificate must chain to; empty: the system's CAs
    std::string server_name;  // name checked against the certificate; empty: collector_host
    std::string spool_dir;

    // Packet source: either files or an interface.
    std::vector<std::string> read_files;
    std::string interface;
    std::vector<std::string> own_addresses;  // BPF: only packets to these addresses ("dst host A or ...")
    std::string bpf_filter;                  // or an explicit BPF expression (overrides own_addresses)
    std::string user;                        // live: setuid/setgid to this user after opening the interface
    int snap_length = 256;

    std::uint32_t batch_events = 16384;                 // a batch is cut at this many events ...
    std::chrono::milliseconds batch_interval{1000};     // ... or this long after its first event
    std::chrono::seconds heartbeat_interval{10};
    int window = 8;  // batches sent ahead of their acks
};

struct SensorReport {
    std::uint64_t packets = 0;   // captured or read
    std::uint64_t events = 0;    // decoded into events and spooled
    std::uint64_t batches = 0;   // spooled by this run
    std::uint64_t anomalies = 0;
    std::uint64_t acknowledged_batches = 0;  // acked by the collector during this run (resends included)
};

class Sensor {
  public:
    // Opens the spool and checks the options (errors name the option: "name", "collector_port", ...). `clock`
    // and `log` must outlive the sensor; every time the sensor reads (its spool's epoch, a live capture's
    // uptime span, batch and heartbeat timing) comes from `clock`.
    static core::Result<std::unique_ptr<Sensor>> Create(SensorOptions options, const core::Clock& clock,
                                                        core::Logger& log);
    ~Sensor();
    Sensor(const Sensor&) = delete;
    Sensor& operator=(const Sensor&) = delete;

    // Captures until the files end (then waits until the collector acknowledged everything) or until
    // RequestStop() (then spools the partial batch and returns; unsent batches stay in the spool).
    core::Result<SensorReport> Run();
    void RequestStop();

    struct Impl;

  private:
    explicit Sensor(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// "dst host 192.0.2.1 or dst host 2001:db8::1"; empty for no addresses.
std::string OwnAddressFilter(const std::vector<std::string>& addresses);

}  // namespace kizuna::observe
