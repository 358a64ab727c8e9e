// PcapLiveSource: the live packet source (a PacketSource backend) — a network interface through libpcap, as
// kizuna-sensor captures. Opens without promiscuous mode with a 32 MiB buffer, applies the BPF filter, then
// gives up root (setgroups/setgid/setuid to `user`) before touching any packet. Reads are non-blocking plus
// poll(): the capture read timeout does not start until a packet arrives on Linux (pcap(3PCAP)), so a quiet
// link would otherwise hold a partial batch back indefinitely. Packet time is the capture's timestamp.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/result.hpp"
#include "observe/capture/decode.hpp"
#include "observe/capture/packet_source.hpp"

struct pcap;  // libpcap's pcap_t; <pcap.h> stays out of our headers

namespace kizuna::observe {

struct LiveCaptureOptions {
    std::string interface;
    std::string filter;  // BPF expression; "" = every packet
    std::string user;    // switch to this user once the interface is open; "" = stay
    int snap_length = 256;
};

// Not movable (BreakLoop may hold its address on another thread). Owns the pcap_t.
class PcapLiveSource final : public PacketSource {
  public:
    // Errors name the option: "interface" (cannot open or activate), "filter" (bad BPF), "user" (no such
    // user); kPermissionDenied when the user switch fails.
    static core::Result<std::unique_ptr<PcapLiveSource>> Open(const LiveCaptureOptions& options);
    ~PcapLiveSource() override;
    PcapLiveSource(const PcapLiveSource&) = delete;
    PcapLiveSource& operator=(const PcapLiveSource&) = delete;

    // Reads at most one packet: its event, or nullopt when it did not decode (counted as an anomaly) or when
    // none arrived within about 100 ms (Done() stays false), or after BreakLoop (Done() is true).
    // kUnavailable when the capture fails.
    core::Result<std::optional<ScanEvent>> Next() override;
    bool Done() const override { return done_; }
    std::uint64_t packets_read() const override { return packets_read_; }
    const AnomalyCounters& counters() const override { return decoder_.counters(); }
    // libpcap's counters (pcap_stats); the last ones read when the call fails.
    CaptureStats Stats() const override;

    // Ends the capture: the current or next Next() returns nullopt with Done(). Thread-safe.
    void BreakLoop();

  private:
    PcapLiveSource(pcap* handle, int link_type);

    pcap* handle_;
    int capture_fd_ = -1;
    int link_type_;
    Decoder decoder_;
    std::uint64_t packets_read_ = 0;
    bool done_ = false;
    mutable CaptureStats last_stats_;
};

}  // namespace kizuna::observe
