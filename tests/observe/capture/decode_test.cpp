// Decoder tests: hand-built frames (tests/support/pcap_builder) in tables. Every layer's happy path, every
// truncation point of every layer, and each named anomaly.
#include "observe/capture/decode.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "support/pcap_builder.hpp"

namespace kizuna::observe {
namespace {

using namespace kizuna::testing;  // NOLINT: builders read best unqualified in tables

constexpr PacketTime kTime = PacketTime::FromMicros(1'795'400'000'123'456);  // 2026-11-22T...Z
constexpr std::uint8_t kProtoTcp = 6;
constexpr std::uint8_t kProtoUdp = 17;
constexpr std::uint8_t kProtoIcmp = 1;
constexpr std::uint8_t kProtoGre = 47;
constexpr std::uint8_t kProtoIcmpv6 = 58;
constexpr std::uint8_t kProtoHopByHop = 0;
constexpr std::uint8_t kProtoRouting = 43;
constexpr std::uint8_t kProtoFragment = 44;
constexpr std::uint8_t kProtoNoNext = 59;
constexpr std::uint8_t kProtoDestOptions = 60;
constexpr std::uint8_t kSyn = tcp_flag::kSyn;

IpAddress Mapped(std::array<std::uint8_t, 4> v4) {
    IpAddress out{};
    out[10] = out[11] = 0xFF;
    for (std::size_t i = 0; i < 4; ++i) out[12 + i] = v4[i];
    return out;
}

const Ipv4Spec kV4;  // defaults: 203.0.113.9 -> 192.0.2.80, TCP, TTL 64
const Ipv6Spec kV6;  // defaults: 2001:db8::9 -> 2001:db8:1::50, TCP, hop limit 64

Ipv4Spec V4(std::uint8_t protocol) {
    Ipv4Spec spec;
    spec.protocol = protocol;
    return spec;
}
Ipv6Spec V6(std::uint8_t next_header) {
    Ipv6Spec spec;
    spec.next_header = next_header;
    return spec;
}

// Expected event from the fields a case cares about; addresses default to the builders' defaults.
ScanEvent Expect(std::uint8_t ip_version, Protocol protocol, std::uint16_t source_port, std::uint16_t destination_port,
                 std::uint8_t tcp_flags, std::uint8_t icmp_type, std::uint8_t icmp_code, std::uint16_t ip_length) {
    ScanEvent event;
    event.time = kTime;
    event.ip_version = ip_version;
    event.protocol = protocol;
    event.source = ip_version == 4 ? Mapped(kV4.source) : kV6.source;
    event.destination = ip_version == 4 ? Mapped(kV4.destination) : kV6.destination;
    event.source_port = source_port;
    event.destination_port = destination_port;
    event.tcp_flags = tcp_flags;
    event.icmp_type = icmp_type;
    event.icmp_code = icmp_code;
    event.ip_length = ip_length;
    event.ttl = 64;
    return event;
}

std::string Describe(const ScanEvent& e) {
    char text[160];
    std::snprintf(text, sizeof text, "v%u proto=%u %u->%u flags=%02x icmp=%u/%u len=%u ttl=%u t=%lld", e.ip_version,
                  static_cast<unsigned>(e.protocol), e.source_port, e.destination_port, e.tcp_flags, e.icmp_type,
                  e.icmp_code, e.ip_length, e.ttl, static_cast<long long>(e.time.micros_since_epoch));
    return text;
}

struct EventCase {
    std::string name;
    PacketBytes frame;
    int link_type;
    ScanEvent expected;
};
void PrintTo(const EventCase& c, std::ostream* os) { *os << c.name; }

PacketBytes PadTo(PacketBytes frame, std::size_t size) {
    frame.resize(size, 0);
    return frame;
}

Ipv4Spec WithOptions() {
    Ipv4Spec spec;
    spec.options = {0x01, 0x01, 0x01, 0x00};  // NOP NOP NOP EOL
    return spec;
}
Ipv4Spec FirstFragment() {
    Ipv4Spec spec;
    spec.flags_and_offset = 0x2000;  // more fragments, offset 0
    return spec;
}
Ipv4Spec ClaimsMore(std::uint16_t total_length) {
    Ipv4Spec spec;
    spec.total_length = total_length;
    return spec;
}

std::vector<EventCase> EventCases() {
    using enum Protocol;
    const std::uint8_t kSynEceCwr = kSyn | tcp_flag::kEce | tcp_flag::kCwr;
    auto v6_chain =
        Concat(Ipv6Extension(kProtoRouting, 8),
               Concat(Ipv6Extension(kProtoDestOptions, 24), Concat(Ipv6Extension(kProtoUdp, 8), Udp(5353, 161))));
    auto v6_first_fragment = Concat(Ipv6Fragment(kProtoUdp, 0, true), Udp(40000, 53));
    return {
        {"ipv4_tcp_syn", Ethernet(kEthertypeIpv4, Ipv4(kV4, Tcp(54321, 22, kSyn))), linktype::kEthernet,
         Expect(4, kTcp, 54321, 22, kSyn, 0, 0, 40)},
        {"ipv4_options_tcp_options", Ethernet(kEthertypeIpv4, Ipv4(WithOptions(), Tcp(1, 443, kSynEceCwr, 8))),
         linktype::kEthernet, Expect(4, kTcp, 1, 443, kSynEceCwr, 0, 0, 56)},
        {"ipv4_udp_vlan", Ethernet(kEthertypeIpv4, Ipv4(V4(kProtoUdp), Udp(123, 123)), {kTpidVlan}),
         linktype::kEthernet, Expect(4, kUdp, 123, 123, 0, 0, 0, 28)},
        {"ipv4_icmp_echo_qinq", Ethernet(kEthertypeIpv4, Ipv4(V4(kProtoIcmp), Icmp(8, 0)), {kTpidQinQ, kTpidVlan}),
         linktype::kEthernet, Expect(4, kIcmp, 0, 0, 0, 8, 0, 28)},
        {"ipv4_ethernet_padding_trimmed", PadTo(Ethernet(kEthertypeIpv4, Ipv4(V4(kProtoUdp), Udp(9, 7))), 60),
         linktype::kEthernet, Expect(4, kUdp, 9, 7, 0, 0, 0, 28)},
        {"ipv4_snaplen_cut_still_decodes", Ethernet(kEthertypeIpv4, Ipv4(ClaimsMore(1500), Tcp(80, 8080, kSyn))),
         linktype::kEthernet, Expect(4, kTcp, 80, 8080, kSyn, 0, 0, 1500)},
        {"ipv4_first_fragment_has_ports", Ethernet(kEthertypeIpv4, Ipv4(FirstFragment(), Tcp(1000, 3389, kSyn))),
         linktype::kEthernet, Expect(4, kTcp, 1000, 3389, kSyn, 0, 0, 40)},
        {"ipv6_tcp_syn", Ethernet(kEthertypeIpv6, Ipv6(kV6, Tcp(40001, 25, kSyn))), linktype::kEthernet,
         Expect(6, kTcp, 40001, 25, kSyn, 0, 0, 60)},
        {"ipv6_icmpv6_echo", Ethernet(kEthertypeIpv6, Ipv6(V6(kProtoIcmpv6), Icmp(128, 0))), linktype::kEthernet,
         Expect(6, kIcmpv6, 0, 0, 0, 128, 0, 48)},
        {"ipv6_udp_vlan", Ethernet(kEthertypeIpv6, Ipv6(V6(kProtoUdp), Udp(500, 500)), {kTpidVlan}),
         linktype::kEthernet, Expect(6, kUdp, 500, 500, 0, 0, 0, 48)},
        {"ipv6_extension_chain", Ethernet(kEthertypeIpv6, Ipv6(V6(kProtoHopByHop), v6_chain)), linktype::kEthernet,
         Expect(6, kUdp, 5353, 161, 0, 0, 0, 88)},
        {"ipv6_first_fragment_has_ports", Ethernet(kEthertypeIpv6, Ipv6(V6(kProtoFragment), v6_first_fragment)),
         linktype::kEthernet, Expect(6, kUdp, 40000, 53, 0, 0, 0, 56)},
        {"raw_ipv4", Ipv4(kV4, Tcp(2, 23, kSyn)), linktype::kRaw, Expect(4, kTcp, 2, 23, kSyn, 0, 0, 40)},
        {"raw_ipv6", Ipv6(kV6, Tcp(3, 23, kSyn)), linktype::kRaw, Expect(6, kTcp, 3, 23, kSyn, 0, 0, 60)},
        {"linktype_ipv4", Ipv4(V4(kProtoIcmp), Icmp(13, 0)), linktype::kIpv4, Expect(4, kIcmp, 0, 0, 0, 13, 0, 28)},
        {"linktype_ipv6", Ipv6(V6(kProtoUdp), Udp(7, 7)), linktype::kIpv6, Expect(6, kUdp, 7, 7, 0, 0, 0, 48)},
        {"linux_sll_ipv4", LinuxSll(kEthertypeIpv4, Ipv4(kV4, Tcp(4, 5900, kSyn))), linktype::kLinuxSll,
         Expect(4, kTcp, 4, 5900, kSyn, 0, 0, 40)},
    };
}

class DecodeEventTest : public ::testing::TestWithParam<EventCase> {};

TEST_P(DecodeEventTest, YieldsEvent) {
    const EventCase& c = GetParam();
    Decoder decoder;
    auto event = decoder.Decode(c.frame, kTime, c.link_type);
    ASSERT_TRUE(event.has_value()) << "anomalies: " << decoder.counters().Total()
                                   << (decoder.counters().counts().empty()
                                           ? std::string()
                                           : " first=" + decoder.counters().counts().begin()->first);
    EXPECT_EQ(*event, c.expected) << "got      " << Describe(*event) << "\nexpected " << Describe(c.expected);
    EXPECT_EQ(decoder.counters().Total(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Frames, DecodeEventTest, ::testing::ValuesIn(EventCases()),
                         [](const auto& info) { return info.param.name; });

struct AnomalyCase {
    std::string name;
    PacketBytes frame;
    int link_type;
    std::string anomaly;
};
void PrintTo(const AnomalyCase& c, std::ostream* os) { *os << c.name; }

Ipv4Spec WithHeaderWords(std::uint8_t words) {
    Ipv4Spec spec;
    spec.header_words = words;
    return spec;
}
Ipv4Spec LaterFragment() {
    Ipv4Spec spec;
    spec.flags_and_offset = 185;  // offset 1480 bytes, last fragment
    return spec;
}
PacketBytes WithFirstByte(PacketBytes bytes, std::uint8_t value) {
    bytes[0] = value;
    return bytes;
}
PacketBytes DestOptionsChain(int count, std::uint8_t last_next_header) {
    PacketBytes chain;
    for (int i = 0; i < count; ++i) {
        chain = Concat(chain, Ipv6Extension(i + 1 == count ? last_next_header : kProtoDestOptions, 8));
    }
    return chain;
}

std::vector<AnomalyCase> AnomalyCases() {
    auto eth4 = [](const PacketBytes& ip) { return Ethernet(kEthertypeIpv4, ip); };
    auto eth6 = [](const PacketBytes& ip) { return Ethernet(kEthertypeIpv6, ip); };
    auto syn = Tcp(1, 2, kSyn);
    return {
        {"unsupported_linktype", Ipv4(kV4, syn), 105, "unsupported_linktype"},
        {"arp", Ethernet(kEthertypeArp, PacketBytes(28, 0)), linktype::kEthernet, "unknown_ethertype"},
        {"three_vlan_tags", Ethernet(kEthertypeIpv4, Ipv4(kV4, syn), {kTpidQinQ, kTpidVlan, kTpidVlan}),
         linktype::kEthernet, "too_many_vlan_tags"},
        {"sll_unknown_protocol", LinuxSll(kEthertypeArp, PacketBytes(28, 0)), linktype::kLinuxSll, "unknown_ethertype"},
        {"raw_empty", {}, linktype::kRaw, "truncated_raw_ip"},
        {"raw_version_5", WithFirstByte(Ipv4(kV4, syn), 0x55), linktype::kRaw, "unknown_ip_version"},
        {"ipv4_ethertype_carrying_ipv6", eth4(Ipv6(kV6, syn)), linktype::kEthernet, "bad_ipv4_version"},
        {"ipv4_ihl_4", eth4(Ipv4(WithHeaderWords(4), syn)), linktype::kEthernet, "bad_ipv4_header_length"},
        {"ipv4_ihl_0", eth4(Ipv4(WithHeaderWords(0), syn)), linktype::kEthernet, "bad_ipv4_header_length"},
        {"ipv4_ihl_beyond_capture", Ipv4(WithHeaderWords(15), {}), linktype::kIpv4, "truncated_ipv4"},
        {"ipv4_total_length_below_header", eth4(Ipv4(ClaimsMore(19), syn)), linktype::kEthernet,
         "bad_ipv4_total_length"},
        {"ipv4_total_length_zero", eth4(Ipv4(ClaimsMore(0), syn)), linktype::kEthernet, "bad_ipv4_total_length"},
        {"ipv4_total_length_hides_tcp", eth4(Ipv4(ClaimsMore(30), syn)), linktype::kEthernet, "truncated_tcp"},
        {"ipv4_later_fragment", eth4(Ipv4(LaterFragment(), PacketBytes(20, 0xAA))), linktype::kEthernet, "ip_fragment"},
        {"ipv4_carrying_icmpv6", eth4(Ipv4(V4(kProtoIcmpv6), Icmp(128, 0))), linktype::kEthernet,
         "unknown_ip_protocol"},
        {"ipv4_gre", eth4(Ipv4(V4(kProtoGre), PacketBytes(8, 0))), linktype::kEthernet, "unknown_ip_protocol"},
        {"ipv6_ethertype_carrying_ipv4", eth6(Ipv4(kV4, Concat(syn, syn))), linktype::kEthernet, "bad_ipv6_version"},
        {"ipv6_later_fragment",
         eth6(Ipv6(V6(kProtoFragment), Concat(Ipv6Fragment(kProtoUdp, 185, false), PacketBytes(16, 0)))),
         linktype::kEthernet, "ip_fragment"},
        {"ipv6_nine_extensions", eth6(Ipv6(V6(kProtoDestOptions), Concat(DestOptionsChain(9, kProtoTcp), syn))),
         linktype::kEthernet, "too_many_ipv6_extensions"},
        {"ipv6_eight_extensions_ok_but_no_next", eth6(Ipv6(V6(kProtoDestOptions), DestOptionsChain(8, kProtoNoNext))),
         linktype::kEthernet, "ipv6_no_next_header"},
        {"ipv6_extension_longer_than_packet",
         eth6(Ipv6(V6(kProtoHopByHop), Concat(PacketBytes{kProtoTcp, 200}, PacketBytes(30, 0)))), linktype::kEthernet,
         "truncated_ipv6_extension"},
        {"ipv6_payload_length_hides_extension",
         eth6(Ipv6(
             [] {
                 auto s = V6(kProtoRouting);
                 s.payload_length = 4;
                 return s;
             }(),
             Concat(Ipv6Extension(kProtoTcp, 8), syn))),
         linktype::kEthernet, "truncated_ipv6_extension"},
        {"ipv6_carrying_icmpv4", eth6(Ipv6(V6(kProtoIcmp), Icmp(8, 0))), linktype::kEthernet, "unknown_ip_protocol"},
        {"tcp_data_offset_4", eth4(Ipv4(kV4, Tcp(1, 2, kSyn, 4))), linktype::kEthernet, "bad_tcp_header_length"},
    };
}

class DecodeAnomalyTest : public ::testing::TestWithParam<AnomalyCase> {};

TEST_P(DecodeAnomalyTest, CountsExactlyOneNamedAnomaly) {
    const AnomalyCase& c = GetParam();
    Decoder decoder;
    auto event = decoder.Decode(c.frame, kTime, c.link_type);
    EXPECT_FALSE(event.has_value()) << Describe(*event);
    EXPECT_EQ(decoder.counters().Count(c.anomaly), 1u);
    EXPECT_EQ(decoder.counters().Total(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Frames, DecodeAnomalyTest, ::testing::ValuesIn(AnomalyCases()),
                         [](const auto& info) { return info.param.name; });

// A frame cut at every length short of complete: the anomaly names the layer the cut falls in.
struct TruncationCase {
    std::string name;
    PacketBytes frame;
    int link_type;
    // (first length at which this layer is no longer the one cut, anomaly for cuts before it), in order.
    // From the last length on, the frame decodes (ICMP needs only type, code and checksum).
    std::vector<std::pair<std::size_t, std::string>> layers;
};
void PrintTo(const TruncationCase& c, std::ostream* os) { *os << c.name; }

std::vector<TruncationCase> TruncationCases() {
    auto v6_chain = Concat(Ipv6Extension(kProtoFragment, 8), Concat(Ipv6Fragment(kProtoDestOptions, 0, true),
                                                                    Concat(Ipv6Extension(kProtoUdp, 16), Udp(1, 2))));
    return {
        {"ethernet_ipv4_tcp",
         Ethernet(kEthertypeIpv4, Ipv4(kV4, Tcp(1, 2, kSyn))),
         linktype::kEthernet,
         {{14, "truncated_ethernet"}, {34, "truncated_ipv4"}, {54, "truncated_tcp"}}},
        {"qinq_ipv4_options_udp",
         Ethernet(kEthertypeIpv4,
                  Ipv4(
                      [] {
                          auto s = WithOptions();
                          s.protocol = kProtoUdp;
                          return s;
                      }(),
                      Udp(1, 2)),
                  {kTpidQinQ, kTpidVlan}),
         linktype::kEthernet,
         {{22, "truncated_ethernet"}, {46, "truncated_ipv4"}, {54, "truncated_udp"}}},
        {"ethernet_ipv4_icmp",
         Ethernet(kEthertypeIpv4, Ipv4(V4(kProtoIcmp), Icmp(8, 0))),
         linktype::kEthernet,
         {{14, "truncated_ethernet"}, {34, "truncated_ipv4"}, {38, "truncated_icmp"}}},
        {"ethernet_ipv6_icmpv6",
         Ethernet(kEthertypeIpv6, Ipv6(V6(kProtoIcmpv6), Icmp(128, 0))),
         linktype::kEthernet,
         {{14, "truncated_ethernet"}, {54, "truncated_ipv6"}, {58, "truncated_icmpv6"}}},
        {"ethernet_ipv6_extensions_udp",
         Ethernet(kEthertypeIpv6, Ipv6(V6(kProtoHopByHop), v6_chain)),
         linktype::kEthernet,
         {{14, "truncated_ethernet"}, {54, "truncated_ipv6"}, {86, "truncated_ipv6_extension"}, {94, "truncated_udp"}}},
        {"sll_ipv4_tcp",
         LinuxSll(kEthertypeIpv4, Ipv4(kV4, Tcp(1, 2, kSyn))),
         linktype::kLinuxSll,
         {{16, "truncated_linux_sll"}, {36, "truncated_ipv4"}, {56, "truncated_tcp"}}},
        {"raw_ipv6_tcp",
         Ipv6(kV6, Tcp(1, 2, kSyn)),
         linktype::kRaw,
         {{1, "truncated_raw_ip"}, {40, "truncated_ipv6"}, {60, "truncated_tcp"}}},
    };
}

class DecodeTruncationTest : public ::testing::TestWithParam<TruncationCase> {};

TEST_P(DecodeTruncationTest, EveryCutNamesItsLayer) {
    const TruncationCase& c = GetParam();
    ASSERT_LE(c.layers.back().first, c.frame.size());
    for (std::size_t cut = c.layers.back().first; cut <= c.frame.size(); ++cut) {
        Decoder decoder;
        EXPECT_TRUE(decoder.Decode(std::span(c.frame).first(cut), kTime, c.link_type).has_value()) << "cut " << cut;
    }
    for (std::size_t cut = 0; cut < c.layers.back().first; ++cut) {
        std::string expected;
        for (const auto& [end, anomaly] : c.layers) {
            if (cut < end) {
                expected = anomaly;
                break;
            }
        }
        Decoder decoder;
        auto event = decoder.Decode(std::span(c.frame).first(cut), kTime, c.link_type);
        EXPECT_FALSE(event.has_value()) << "cut at " << cut;
        EXPECT_EQ(decoder.counters().Count(expected), 1u) << "cut at " << cut << " expected " << expected;
        EXPECT_EQ(decoder.counters().Total(), 1u) << "cut at " << cut;
    }
}

INSTANTIATE_TEST_SUITE_P(Frames, DecodeTruncationTest, ::testing::ValuesIn(TruncationCases()),
                         [](const auto& info) { return info.param.name; });

TEST(AnomalyCountersTest, AccumulatesAcrossPackets) {
    Decoder decoder;
    PacketBytes arp = Ethernet(kEthertypeArp, PacketBytes(28, 0));
    for (int i = 0; i < 3; ++i) EXPECT_FALSE(decoder.Decode(arp, kTime, linktype::kEthernet));
    EXPECT_FALSE(decoder.Decode({}, kTime, linktype::kEthernet));
    EXPECT_TRUE(decoder.Decode(Ipv4(kV4, Tcp(1, 2, kSyn)), kTime, linktype::kIpv4));
    EXPECT_EQ(decoder.counters().Count("unknown_ethertype"), 3u);
    EXPECT_EQ(decoder.counters().Count("truncated_ethernet"), 1u);
    EXPECT_EQ(decoder.counters().Count("never_seen"), 0u);
    EXPECT_EQ(decoder.counters().Total(), 4u);
    EXPECT_EQ(decoder.counters().counts().size(), 2u);
}

TEST(DecodeTest, PacketTimeIsCarriedThrough) {
    Decoder decoder;
    auto first = decoder.Decode(Ipv4(kV4, Tcp(1, 2, kSyn)), PacketTime::FromMicros(1), linktype::kIpv4);
    auto second = decoder.Decode(Ipv4(kV4, Tcp(1, 2, kSyn)), PacketTime::FromMicros(2), linktype::kIpv4);
    ASSERT_TRUE(first && second);
    EXPECT_EQ(first->time.micros_since_epoch, 1);
    EXPECT_LT(first->time, second->time);
}

}  // namespace
}  // namespace kizuna::observe
