#include "observe/capture/decode.hpp"

#include <cstddef>

namespace kizuna::observe {

void AnomalyCounters::Increment(std::string_view name) {
    auto it = counts_.find(name);
    if (it == counts_.end()) it = counts_.emplace(std::string(name), 0).first;
    ++it->second;
}

std::uint64_t AnomalyCounters::Count(std::string_view name) const {
    auto it = counts_.find(name);
    return it == counts_.end() ? 0 : it->second;
}

std::uint64_t AnomalyCounters::Total() const {
    std::uint64_t total = 0;
    for (const auto& [name, count] : counts_) total += count;
    return total;
}

namespace {

using Bytes = std::span<const std::uint8_t>;

constexpr std::uint16_t kEthertypeIpv4 = 0x0800;
constexpr std::uint16_t kEthertypeIpv6 = 0x86DD;
constexpr std::uint16_t kEthertypeVlan = 0x8100;     // 802.1Q
constexpr std::uint16_t kEthertypeQinQ = 0x88A8;     // 802.1ad
constexpr std::uint16_t kEthertypeQinQOld = 0x9100;  // pre-standard QinQ, still seen in the wild
constexpr std::size_t kEthernetHeaderSize = 14;
constexpr std::size_t kVlanTagSize = 4;
constexpr int kMaxVlanTags = 2;
constexpr std::size_t kLinuxSllHeaderSize = 16;
constexpr std::size_t kLinuxSllProtocolOffset = 14;

constexpr std::size_t kIpv4MinHeaderSize = 20;
constexpr std::uint16_t kIpv4FragmentOffsetMask = 0x1FFF;
constexpr std::size_t kIpv6HeaderSize = 40;
constexpr std::size_t kIpv6FragmentHeaderSize = 8;
constexpr int kMaxIpv6ExtensionHeaders = 8;  // real traffic has 0-2; a long chain is an evasion attempt

constexpr std::uint8_t kIpProtoHopByHop = 0;
constexpr std::uint8_t kIpProtoIcmp = 1;
constexpr std::uint8_t kIpProtoTcp = 6;
constexpr std::uint8_t kIpProtoUdp = 17;
constexpr std::uint8_t kIpProtoRouting = 43;
constexpr std::uint8_t kIpProtoFragment = 44;
constexpr std::uint8_t kIpProtoIcmpv6 = 58;
constexpr std::uint8_t kIpProtoNoNext = 59;
constexpr std::uint8_t kIpProtoDestOptions = 60;

constexpr std::size_t kTcpMinHeaderSize = 20;
constexpr std::size_t kUdpHeaderSize = 8;
constexpr std::size_t kIcmpMinHeaderSize = 4;  // type, code, checksum

// REQUIRES: offset + 2 <= bytes.size() (callers check sizes before reading).
std::uint16_t ReadU16(Bytes bytes, std::size_t offset) {
    return static_cast<std::uint16_t>((bytes[offset] << 8) | bytes[offset + 1]);
}

// One instance per Decode call: carries the packet time and the counters through the layers. Each layer
// either hands a narrower span to the next or records why it stopped.
class FrameDecoder {
  public:
    FrameDecoder(AnomalyCounters& counters, PacketTime time) : counters_(counters), time_(time) {}

    std::optional<ScanEvent> Link(Bytes frame, int link_type) {
        switch (link_type) {
            case linktype::kEthernet:
                return Ethernet(frame);
            case linktype::kLinuxSll:
                return LinuxSll(frame);
            case linktype::kRaw:
                return RawIp(frame);
            case linktype::kIpv4:
                return Ipv4(frame);
            case linktype::kIpv6:
                return Ipv6(frame);
            default:
                return Anomaly("unsupported_linktype");
        }
    }

  private:
    std::optional<ScanEvent> Anomaly(std::string_view name) {
        counters_.Increment(name);
        return std::nullopt;
    }

    std::optional<ScanEvent> Ethernet(Bytes frame) {
        if (frame.size() < kEthernetHeaderSize) return Anomaly("truncated_ethernet");
        std::size_t offset = kEthernetHeaderSize - 2;  // ethertype follows the two MAC addresses
        std::uint16_t ethertype = ReadU16(frame, offset);
        int tags = 0;
        while (ethertype == kEthertypeVlan || ethertype == kEthertypeQinQ || ethertype == kEthertypeQinQOld) {
            if (++tags > kMaxVlanTags) return Anomaly("too_many_vlan_tags");
            offset += kVlanTagSize;  // skip TPID + TCI; the inner ethertype sits where the next TPID would
            if (frame.size() < offset + 2) return Anomaly("truncated_ethernet");
            ethertype = ReadU16(frame, offset);
        }
        return Ethertype(ethertype, frame.subspan(offset + 2));
    }

    std::optional<ScanEvent> LinuxSll(Bytes frame) {
        if (frame.size() < kLinuxSllHeaderSize) return Anomaly("truncated_linux_sll");
        return Ethertype(ReadU16(frame, kLinuxSllProtocolOffset), frame.subspan(kLinuxSllHeaderSize));
    }

    std::optional<ScanEvent> Ethertype(std::uint16_t ethertype, Bytes payload) {
        if (ethertype == kEthertypeIpv4) return Ipv4(payload);
        if (ethertype == kEthertypeIpv6) return Ipv6(payload);
        return Anomaly("unknown_ethertype");
    }

    std::optional<ScanEvent> RawIp(Bytes packet) {
        if (packet.empty()) return Anomaly("truncated_raw_ip");
        switch (packet[0] >> 4) {
            case 4:
                return Ipv4(packet);
            case 6:
                return Ipv6(packet);
            default:
                return Anomaly("unknown_ip_version");
        }
    }

    std::optional<ScanEvent> Ipv4(Bytes packet) {
        if (packet.size() < kIpv4MinHeaderSize) return Anomaly("truncated_ipv4");
        if ((packet[0] >> 4) != 4) return Anomaly("bad_ipv4_version");
        std::size_t header_size = static_cast<std::size_t>(packet[0] & 0x0F) * 4;
        if (header_size < kIpv4MinHeaderSize) return Anomaly("bad_ipv4_header_length");
        if (packet.size() < header_size) return Anomaly("truncated_ipv4");  // options cut off
        std::uint16_t total_length = ReadU16(packet, 2);
        if (total_length < header_size) return Anomaly("bad_ipv4_total_length");
        // Trim link-layer padding (Ethernet pads to 60 bytes); a shorter capture is a snap length cut.
        if (packet.size() > total_length) packet = packet.first(total_length);

        std::uint16_t fragment = ReadU16(packet, 6);
        // Only the first fragment (offset 0, more-fragments set) carries the transport header and is decoded
        // like a whole packet; later fragments cannot be attributed to ports.
        if ((fragment & kIpv4FragmentOffsetMask) != 0) return Anomaly("ip_fragment");

        ScanEvent event;
        event.time = time_;
        event.ip_version = 4;
        event.ip_length = total_length;
        event.ttl = packet[8];
        MapIpv4(packet.subspan(12, 4), event.source);
        MapIpv4(packet.subspan(16, 4), event.destination);
        std::uint8_t protocol = packet[9];
        if (protocol == kIpProtoIcmpv6) return Anomaly("unknown_ip_protocol");  // ICMPv6 is IPv6-only
        return Transport(protocol, packet.subspan(header_size), event);
    }

    static void MapIpv4(Bytes address, IpAddress& out) {
        out = {};
        out[10] = 0xFF;
        out[11] = 0xFF;
        for (std::size_t i = 0; i < 4; ++i) out[12 + i] = address[i];
    }

    std::optional<ScanEvent> Ipv6(Bytes packet) {
        if (packet.size() < kIpv6HeaderSize) return Anomaly("truncated_ipv6");
        if ((packet[0] >> 4) != 6) return Anomaly("bad_ipv6_version");
        std::uint16_t payload_length = ReadU16(packet, 4);
        std::size_t claimed = kIpv6HeaderSize + payload_length;
        if (packet.size() > claimed) packet = packet.first(claimed);  // trim link-layer padding

        ScanEvent event;
        event.time = time_;
        event.ip_version = 6;
        event.ip_length = static_cast<std::uint16_t>(claimed > 0xFFFF ? 0xFFFF : claimed);
        event.ttl = packet[7];
        for (std::size_t i = 0; i < 16; ++i) {
            event.source[i] = packet[8 + i];
            event.destination[i] = packet[24 + i];
        }

        std::uint8_t next_header = packet[6];
        Bytes rest = packet.subspan(kIpv6HeaderSize);
        for (int extensions = 0;; ++extensions) {
            if (next_header != kIpProtoHopByHop && next_header != kIpProtoRouting &&
                next_header != kIpProtoDestOptions && next_header != kIpProtoFragment) {
                break;
            }
            if (extensions >= kMaxIpv6ExtensionHeaders) return Anomaly("too_many_ipv6_extensions");
            if (next_header == kIpProtoFragment) {
                if (rest.size() < kIpv6FragmentHeaderSize) return Anomaly("truncated_ipv6_extension");
                std::uint16_t offset_and_flags = ReadU16(rest, 2);
                if ((offset_and_flags >> 3) != 0) return Anomaly("ip_fragment");
                next_header = rest[0];
                rest = rest.subspan(kIpv6FragmentHeaderSize);
                continue;
            }
            // Hop-by-hop, routing and destination options share the layout: next header, length in 8-byte
            // units not counting the first 8.
            if (rest.size() < 2) return Anomaly("truncated_ipv6_extension");
            std::size_t extension_size = (static_cast<std::size_t>(rest[1]) + 1) * 8;
            if (rest.size() < extension_size) return Anomaly("truncated_ipv6_extension");
            next_header = rest[0];
            rest = rest.subspan(extension_size);
        }
        if (next_header == kIpProtoNoNext) return Anomaly("ipv6_no_next_header");
        if (next_header == kIpProtoIcmp) return Anomaly("unknown_ip_protocol");  // ICMPv4 is IPv4-only
        return Transport(next_header, rest, event);
    }

    std::optional<ScanEvent> Transport(std::uint8_t protocol, Bytes segment, ScanEvent& event) {
        switch (protocol) {
            case kIpProtoTcp:
                return Tcp(segment, event);
            case kIpProtoUdp:
                return Udp(segment, event);
            case kIpProtoIcmp:
                return Icmp(segment, event, Protocol::kIcmp, "truncated_icmp");
            case kIpProtoIcmpv6:
                return Icmp(segment, event, Protocol::kIcmpv6, "truncated_icmpv6");
            default:
                return Anomaly("unknown_ip_protocol");
        }
    }

    std::optional<ScanEvent> Tcp(Bytes segment, ScanEvent& event) {
        if (segment.size() < kTcpMinHeaderSize) return Anomaly("truncated_tcp");
        std::size_t header_size = static_cast<std::size_t>(segment[12] >> 4) * 4;
        if (header_size < kTcpMinHeaderSize) return Anomaly("bad_tcp_header_length");
        // TCP options beyond the first 20 bytes may be cut by the snap length; we do not need them.
        event.protocol = Protocol::kTcp;
        event.source_port = ReadU16(segment, 0);
        event.destination_port = ReadU16(segment, 2);
        event.tcp_flags = segment[13];
        return event;
    }

    std::optional<ScanEvent> Udp(Bytes segment, ScanEvent& event) {
        if (segment.size() < kUdpHeaderSize) return Anomaly("truncated_udp");
        event.protocol = Protocol::kUdp;
        event.source_port = ReadU16(segment, 0);
        event.destination_port = ReadU16(segment, 2);
        return event;
    }

    std::optional<ScanEvent> Icmp(Bytes message, ScanEvent& event, Protocol protocol, std::string_view truncated) {
        if (message.size() < kIcmpMinHeaderSize) return Anomaly(truncated);
        event.protocol = protocol;
        event.icmp_type = message[0];
        event.icmp_code = message[1];
        return event;
    }

    AnomalyCounters& counters_;
    PacketTime time_;
};

}  // namespace

std::optional<ScanEvent> Decoder::Decode(std::span<const std::uint8_t> frame, PacketTime time, int link_type) {
    return FrameDecoder(counters_, time).Link(frame, link_type);
}

}  // namespace kizuna::observe
