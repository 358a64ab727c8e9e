// Hand-built packets and classic pcap files for observe/ tests. Each builder emits the exact bytes of one
// layer in network order, with knobs to break it (wrong lengths, options, fragments); compose them
// inside out: Ethernet(kEthertypeIpv4, Ipv4({...}, Tcp({...}))). Checksums are left zero: the decoder
// does not verify them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kizuna::testing {

using PacketBytes = std::vector<std::uint8_t>;

inline constexpr std::uint16_t kEthertypeIpv4 = 0x0800;
inline constexpr std::uint16_t kEthertypeIpv6 = 0x86DD;
inline constexpr std::uint16_t kEthertypeArp = 0x0806;
inline constexpr std::uint16_t kTpidVlan = 0x8100;  // 802.1Q
inline constexpr std::uint16_t kTpidQinQ = 0x88A8;  // 802.1ad

// Ethernet II: zero MACs aside from a fixed pattern, then each VLAN tag as (TPID, TCI=vlan id), then ethertype.
PacketBytes Ethernet(std::uint16_t ethertype, const PacketBytes& payload,
                     const std::vector<std::uint16_t>& vlan_tpids = {});

// Linux cooked capture (SLL) header with the given protocol.
PacketBytes LinuxSll(std::uint16_t protocol, const PacketBytes& payload);

struct Ipv4Spec {
    std::array<std::uint8_t, 4> source{203, 0, 113, 9};
    std::array<std::uint8_t, 4> destination{192, 0, 2, 80};
    std::uint8_t protocol = 6;
    std::uint8_t ttl = 64;
    std::uint16_t flags_and_offset = 0;         // raw 16 bits: 0x2000 = more fragments, low 13 bits = offset / 8
    PacketBytes options;                        // padded by the caller to a multiple of 4
    std::optional<std::uint8_t> header_words;   // override IHL
    std::optional<std::uint16_t> total_length;  // override total length
};
PacketBytes Ipv4(const Ipv4Spec& spec, const PacketBytes& payload);

struct Ipv6Spec {
    std::array<std::uint8_t, 16> source{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x09};
    std::array<std::uint8_t, 16> destination{0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x50};
    std::uint8_t next_header = 6;
    std::uint8_t hop_limit = 64;
    std::optional<std::uint16_t> payload_length;  // override
};
// payload includes any extension headers.
PacketBytes Ipv6(const Ipv6Spec& spec, const PacketBytes& payload);

// Hop-by-hop / routing / destination options header of `size` bytes (a multiple of 8, at least 8).
PacketBytes Ipv6Extension(std::uint8_t next_header, std::size_t size);
// Fragment header; offset in 8-byte units.
PacketBytes Ipv6Fragment(std::uint8_t next_header, std::uint16_t offset_units, bool more_fragments);

PacketBytes Tcp(std::uint16_t source_port, std::uint16_t destination_port, std::uint8_t flags,
                std::uint8_t header_words = 5);
PacketBytes Udp(std::uint16_t source_port, std::uint16_t destination_port, const PacketBytes& payload = {});
// ICMP and ICMPv6 share the 8-byte echo layout: type, code, checksum, identifier, sequence.
PacketBytes Icmp(std::uint8_t type, std::uint8_t code);

PacketBytes Concat(const PacketBytes& first, const PacketBytes& second);

struct PcapRecord {
    std::int64_t micros_since_epoch = 0;
    PacketBytes frame;
    std::optional<std::uint32_t> original_length;  // defaults to frame.size()
};

// Writes a classic little-endian microsecond pcap file (magic a1b2c3d4). Throws std::runtime_error on I/O
// failure (tests only).
void WritePcapFile(const std::string& path, std::uint32_t link_type, const std::vector<PcapRecord>& records,
                   std::uint32_t snap_length = 65535);

// Writes a little-endian pcapng file: one section header, one interface (default microsecond resolution),
// one enhanced packet block per record. Throws std::runtime_error on I/O failure (tests only).
void WritePcapngFile(const std::string& path, std::uint16_t link_type, const std::vector<PcapRecord>& records);

}  // namespace kizuna::testing
