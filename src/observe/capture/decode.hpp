// Decoder: captured frame -> ScanEvent, one small decoder per layer (link, IPv4/IPv6, transport), in the
// manner of Zeek's packet analysis. Hostile or broken input never throws or reads out of bounds: each layer
// checks the bytes it needs before reading them, and every malformed condition increments a named anomaly
// counter and yields no event.
//
// Anomaly names (stable; they appear in logs and sensor statistics):
//   unsupported_linktype, truncated_ethernet, too_many_vlan_tags, unknown_ethertype, truncated_linux_sll,
//   truncated_raw_ip, unknown_ip_version,
//   truncated_ipv4, bad_ipv4_version, bad_ipv4_header_length, bad_ipv4_total_length, ip_fragment,
//   truncated_ipv6, bad_ipv6_version, truncated_ipv6_extension, too_many_ipv6_extensions,
//   ipv6_no_next_header, unknown_ip_protocol,
//   truncated_tcp, bad_tcp_header_length, truncated_udp, truncated_icmp, truncated_icmpv6.
//
// Snap length: a frame cut short by the capture's snap length still yields an event as long as the
// transport header's first bytes (TCP 20, UDP 8, ICMP 4) are present; the IP length fields are trusted only
// to trim link-layer padding. Checksums are not verified (scanners forge packets; we report what arrived).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "observe/capture/scan_event.hpp"

namespace kizuna::observe {

// Link types as numbered in the tcpdump.org LINKTYPE_ registry (what a pcap file header stores).
namespace linktype {
inline constexpr int kEthernet = 1;    // LINKTYPE_ETHERNET: Ethernet II, optional 802.1Q/802.1ad tags
inline constexpr int kRaw = 101;       // LINKTYPE_RAW: bare IPv4 or IPv6, version from the first nibble
inline constexpr int kLinuxSll = 113;  // LINKTYPE_LINUX_SLL: Linux "any" device cooked header
inline constexpr int kIpv4 = 228;      // LINKTYPE_IPV4: bare IPv4
inline constexpr int kIpv6 = 229;      // LINKTYPE_IPV6: bare IPv6
}  // namespace linktype

using AnomalyCounts = std::map<std::string, std::uint64_t, std::less<>>;

// Named counters of malformed input. Not thread-safe; each Decoder owns one.
class AnomalyCounters {
  public:
    void Increment(std::string_view name);
    // 0 when the anomaly was never seen.
    std::uint64_t Count(std::string_view name) const;
    // Sum over all names.
    std::uint64_t Total() const;
    const AnomalyCounts& counts() const { return counts_; }

  private:
    AnomalyCounts counts_;
};

// Not thread-safe: one Decoder per packet source thread. Holds no references to decoded frames.
class Decoder {
  public:
    // Decodes one captured frame (the bytes captured, which may be fewer than were on the wire). Returns
    // the event, or nullopt after counting exactly one anomaly.
    std::optional<ScanEvent> Decode(std::span<const std::uint8_t> frame, PacketTime time, int link_type);

    const AnomalyCounters& counters() const { return counters_; }

  private:
    AnomalyCounters counters_;
};

}  // namespace kizuna::observe
