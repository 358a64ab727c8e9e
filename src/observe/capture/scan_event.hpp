// ScanEvent: one observed unsolicited packet, reduced to what the sensor reports (MISSION O1): packet time,
// protocol, addresses, ports, TCP flags, ICMP type/code. Fixed size and trivially copyable so sensors can
// batch them into flat buffers. No implicit padding: events compare and hash bytewise.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

namespace kizuna::observe {

// Time stamped by the capture, never the wall clock: replaying a pcap gives the same events every time.
// Deliberately not core::WallTime, so packet time cannot be passed where "now" is meant.
struct PacketTime {
    std::int64_t micros_since_epoch = 0;  // UTC, microseconds since 1970-01-01

    static constexpr PacketTime FromMicros(std::int64_t micros) { return PacketTime{micros}; }
    friend constexpr auto operator<=>(const PacketTime&, const PacketTime&) = default;
};

enum class Protocol : std::uint8_t {
    kTcp = 6,
    kUdp = 17,
    kIcmp = 1,
    kIcmpv6 = 58,
};

// As the CLI, URLs and JSON spell them: "tcp", "udp", "icmp", "icmpv6".
constexpr std::string_view ProtocolName(Protocol protocol) {
    switch (protocol) {
        case Protocol::kTcp: return "tcp";
        case Protocol::kUdp: return "udp";
        case Protocol::kIcmp: return "icmp";
        case Protocol::kIcmpv6: return "icmpv6";
    }
    return "unknown";
}

// 16 bytes in network order; IPv4 addresses are IPv4-mapped (::ffff:a.b.c.d).
using IpAddress = std::array<std::uint8_t, 16>;

// ::ffff:a.b.c.d for the IPv4 address `v` (a in the most significant byte).
inline IpAddress Ipv4Mapped(std::uint32_t v) {
    IpAddress ip{};
    ip[10] = ip[11] = 0xff;
    ip[12] = static_cast<std::uint8_t>(v >> 24);
    ip[13] = static_cast<std::uint8_t>(v >> 16);
    ip[14] = static_cast<std::uint8_t>(v >> 8);
    ip[15] = static_cast<std::uint8_t>(v);
    return ip;
}

// TCP flag bits as they appear in byte 13 of the TCP header.
namespace tcp_flag {
inline constexpr std::uint8_t kFin = 0x01;
inline constexpr std::uint8_t kSyn = 0x02;
inline constexpr std::uint8_t kRst = 0x04;
inline constexpr std::uint8_t kPsh = 0x08;
inline constexpr std::uint8_t kAck = 0x10;
inline constexpr std::uint8_t kUrg = 0x20;
inline constexpr std::uint8_t kEce = 0x40;
inline constexpr std::uint8_t kCwr = 0x80;
}  // namespace tcp_flag

struct ScanEvent {
    PacketTime time;
    IpAddress source{};
    IpAddress destination{};
    std::uint16_t source_port = 0;       // host order; 0 for ICMP/ICMPv6
    std::uint16_t destination_port = 0;  // host order; 0 for ICMP/ICMPv6
    std::uint16_t ip_length = 0;         // IP total length as the header claims (IPv6: 40 + payload length)
    Protocol protocol = Protocol::kTcp;
    std::uint8_t ip_version = 4;    // 4 or 6
    std::uint8_t tcp_flags = 0;     // tcp_flag bits; 0 unless TCP
    std::uint8_t icmp_type = 0;     // 0 unless ICMP/ICMPv6
    std::uint8_t icmp_code = 0;     // 0 unless ICMP/ICMPv6
    std::uint8_t ttl = 0;           // IPv4 TTL or IPv6 hop limit: hints at the scanner's OS and distance
    // Packets this event stands for: 1 for a captured packet; an IPFIX flow record carries its
    // packetDeltaCount here so flow exporters and packet sensors feed the same per-port counts.
    std::uint32_t packets = 1;

    friend bool operator==(const ScanEvent&, const ScanEvent&) = default;
};

static_assert(sizeof(ScanEvent) == 56, "ScanEvent is a fixed-size record; change deliberately");
static_assert(std::is_trivially_copyable_v<ScanEvent>);
static_assert(std::has_unique_object_representations_v<ScanEvent>, "no padding bytes");

}  // namespace kizuna::observe
