// PacketSource: where scan events come from, one interface with one backend per kind of input (after Zeek's
// iosource/PktSrc.h):
//   PcapFileReader  pcap and pcapng files; time from the capture, so a replay is deterministic (pcap_file.hpp)
//   PcapLiveSource  a network interface through libpcap, non-blocking, for the sensor (pcap_live.hpp)
//   IpfixSource     flow records from an exporter: each IPFIX message fed in yields its flows (ipfix_source.hpp)
// Consumers (the sensor, the import, the collector's IPFIX input) pull events with Next() and need not know
// which backend they read.
//
// Thread-safety: a source is used by one thread; only PcapLiveSource::BreakLoop may come from another.
#pragma once

#include <cstdint>
#include <optional>

#include "core/result.hpp"
#include "observe/capture/decode.hpp"
#include "observe/capture/scan_event.hpp"

namespace kizuna::observe {

// The capture's own counters (libpcap's pcap_stats for a live source; zero for the others).
struct CaptureStats {
    std::uint64_t received = 0;
    std::uint64_t dropped = 0;            // by the kernel: the capture buffer was full
    std::uint64_t interface_dropped = 0;  // by the interface or its driver
};

class PacketSource {
  public:
    virtual ~PacketSource() = default;

    // The next event, or nullopt when none is ready: then Done() says whether the source has ended (end of
    // file, a live capture broken off) or may yield more later (a live source on a quiet link, an IPFIX source
    // whose messages are drained). Errors are the backend's (kDataLoss for a cut file, kUnavailable for a
    // failed capture).
    virtual core::Result<std::optional<ScanEvent>> Next() = 0;
    virtual bool Done() const = 0;

    // Records read so far (frames captured or read, flow records decoded), whether or not they made an event.
    virtual std::uint64_t packets_read() const = 0;
    // Malformed input, by anomaly name.
    virtual const AnomalyCounters& counters() const = 0;
    virtual CaptureStats Stats() const { return {}; }
};

}  // namespace kizuna::observe
