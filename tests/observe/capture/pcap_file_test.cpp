// PcapFileReader end to end: pcap files written by tests/support/pcap_builder, read back through libpcap.
#include "observe/capture/pcap_file.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/pcap_builder.hpp"
#include "support/temp_dir.hpp"

namespace kizuna::observe {
namespace {

using namespace kizuna::testing;  // NOLINT

constexpr std::int64_t kFirstPacketMicros = 1'795'400'000'000'001;  // 2026-11-22, one microsecond past
constexpr std::uint8_t kProtoUdp = 17;

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
Ipv4Spec ClaimsFullSize() {
    Ipv4Spec spec;
    spec.total_length = 1500;
    return spec;
}
Ipv4Spec LaterFragment() {
    Ipv4Spec spec;
    spec.flags_and_offset = 185;
    return spec;
}

std::vector<PcapRecord> MixedCapture() {
    return {
        {kFirstPacketMicros, Ethernet(kEthertypeIpv4, Ipv4(Ipv4Spec{}, Tcp(61000, 23, tcp_flag::kSyn))), {}},
        {kFirstPacketMicros + 999'999, Ethernet(kEthertypeArp, PacketBytes(28, 0)), {}},
        {kFirstPacketMicros + 1'000'000, Ethernet(kEthertypeIpv6, Ipv6(V6(kProtoUdp), Udp(5060, 5060))), {}},
        {kFirstPacketMicros + 2'000'000, Ethernet(kEthertypeIpv4, Ipv4(LaterFragment(), PacketBytes(16, 0))), {}},
        // A 1514-byte frame cut by a 54-byte snap length: headers intact, payload missing; still an event.
        {kFirstPacketMicros + 3'000'000,
         Ethernet(kEthertypeIpv4, Ipv4(ClaimsFullSize(), Tcp(443, 8443, tcp_flag::kSyn | tcp_flag::kAck))), 1514},
    };
}

TEST(PcapFileReaderTest, ReadsEventsWithPacketTimeAndCountsTheRest) {
    TempDir dir;
    std::string path = dir.File("mixed.pcap");
    WritePcapFile(path, linktype::kEthernet, MixedCapture());

    auto reader = PcapFileReader::Open(path);
    ASSERT_TRUE(reader.ok()) << reader.error().ToString();
    EXPECT_EQ(reader->link_type(), linktype::kEthernet);
    auto events = reader->ReadAll();
    ASSERT_TRUE(events.ok()) << events.error().ToString();
    ASSERT_EQ(events->size(), 3u);

    const ScanEvent& syn = (*events)[0];
    EXPECT_EQ(syn.time, PacketTime::FromMicros(kFirstPacketMicros));
    EXPECT_EQ(syn.protocol, Protocol::kTcp);
    EXPECT_EQ(syn.ip_version, 4);
    EXPECT_EQ(syn.source_port, 61000);
    EXPECT_EQ(syn.destination_port, 23);
    EXPECT_EQ(syn.tcp_flags, tcp_flag::kSyn);
    EXPECT_EQ(syn.source[12], 203);
    EXPECT_EQ(syn.destination[15], 80);

    const ScanEvent& udp = (*events)[1];
    EXPECT_EQ(udp.time, PacketTime::FromMicros(kFirstPacketMicros + 1'000'000));
    EXPECT_EQ(udp.protocol, Protocol::kUdp);
    EXPECT_EQ(udp.ip_version, 6);
    EXPECT_EQ(udp.destination_port, 5060);

    const ScanEvent& syn_ack = (*events)[2];
    EXPECT_EQ(syn_ack.time, PacketTime::FromMicros(kFirstPacketMicros + 3'000'000));
    EXPECT_EQ(syn_ack.tcp_flags, tcp_flag::kSyn | tcp_flag::kAck);
    EXPECT_EQ(syn_ack.ip_length, 1500);

    EXPECT_EQ(reader->packets_read(), 5u);
    EXPECT_EQ(reader->counters().Count("unknown_ethertype"), 1u);
    EXPECT_EQ(reader->counters().Count("ip_fragment"), 1u);
    EXPECT_EQ(reader->counters().Total(), 2u);
}

TEST(PcapFileReaderTest, ReadsPcapng) {
    TempDir dir;
    std::string path = dir.File("mixed.pcapng");
    WritePcapngFile(path, linktype::kEthernet, MixedCapture());
    auto reader = PcapFileReader::Open(path);
    ASSERT_TRUE(reader.ok()) << reader.error().ToString();
    auto events = reader->ReadAll();
    ASSERT_TRUE(events.ok()) << events.error().ToString();
    ASSERT_EQ(events->size(), 3u);
    EXPECT_EQ((*events)[0].time, PacketTime::FromMicros(kFirstPacketMicros));
    EXPECT_EQ((*events)[1].time, PacketTime::FromMicros(kFirstPacketMicros + 1'000'000));
    EXPECT_EQ((*events)[2].destination_port, 8443);
    EXPECT_EQ(reader->packets_read(), 5u);
    EXPECT_EQ(reader->counters().Total(), 2u);
}

TEST(PcapFileReaderTest, NextIteratesAndEndsWithNullopt) {
    TempDir dir;
    std::string path = dir.File("mixed.pcap");
    WritePcapFile(path, linktype::kEthernet, MixedCapture());
    auto reader = PcapFileReader::Open(path);
    ASSERT_TRUE(reader.ok());
    int events = 0;
    for (;;) {
        auto next = reader->Next();
        ASSERT_TRUE(next.ok()) << next.error().ToString();
        if (!next->has_value()) break;
        ++events;
    }
    EXPECT_EQ(events, 3);
    auto after_end = reader->Next();
    ASSERT_TRUE(after_end.ok());
    EXPECT_FALSE(after_end->has_value());
}

// The file backend of PacketSource: read through the interface alone, it ends with Done() and gives the same
// events and counters as the reader's own API.
TEST(PcapFileReaderTest, ReadsThroughThePacketSourceInterfaceAndEndsDone) {
    TempDir dir;
    std::string path = dir.File("mixed.pcap");
    WritePcapFile(path, linktype::kEthernet, MixedCapture());
    auto reader = PcapFileReader::Open(path);
    ASSERT_TRUE(reader.ok()) << reader.error().ToString();
    PacketSource& source = *reader;
    std::vector<std::uint16_t> ports;
    EXPECT_FALSE(source.Done());
    for (;;) {
        auto next = source.Next();
        ASSERT_TRUE(next.ok()) << next.error().ToString();
        if (!next->has_value()) break;
        ports.push_back((*next)->destination_port);
    }
    EXPECT_TRUE(source.Done());
    EXPECT_EQ(ports, (std::vector<std::uint16_t>{23, 5060, 8443}));
    EXPECT_EQ(source.packets_read(), 5u);
    EXPECT_EQ(source.counters().Total(), 2u);
    EXPECT_EQ(source.Stats().received, 0u);  // libpcap's capture counters are a live source's only
}

TEST(PcapFileReaderTest, RawLinkTypeIsMappedFromDlt) {
    TempDir dir;
    std::string path = dir.File("raw.pcap");
    WritePcapFile(path, linktype::kRaw,
                  {{kFirstPacketMicros, Ipv4(V4(kProtoUdp), Udp(1, 1900)), {}},
                   {kFirstPacketMicros + 1, Ipv6(V6(6), Tcp(2, 22, tcp_flag::kSyn)), {}}});
    auto reader = PcapFileReader::Open(path);
    ASSERT_TRUE(reader.ok()) << reader.error().ToString();
    EXPECT_EQ(reader->link_type(), linktype::kRaw);
    auto events = reader->ReadAll();
    ASSERT_TRUE(events.ok());
    ASSERT_EQ(events->size(), 2u);
    EXPECT_EQ((*events)[0].destination_port, 1900);
    EXPECT_EQ((*events)[1].ip_version, 6);
}

TEST(PcapFileReaderTest, NonPcapFileIsAClearError) {
    TempDir dir;
    std::string path = dir.File("notes.txt");
    std::ofstream(path) << "this is not a capture file, just some text long enough for a header\n";
    auto reader = PcapFileReader::Open(path);
    ASSERT_FALSE(reader.ok());
    EXPECT_EQ(reader.error().code(), core::ErrorCode::kInvalidArgument);
    EXPECT_NE(reader.error().message().find("cannot open " + path + ": "), std::string::npos)
        << reader.error().message();
    EXPECT_NE(reader.error().message().find("format"), std::string::npos) << reader.error().message();
}

TEST(PcapFileReaderTest, MissingFileIsNotFound) {
    TempDir dir;
    auto reader = PcapFileReader::Open(dir.File("absent.pcap"));
    ASSERT_FALSE(reader.ok());
    EXPECT_EQ(reader.error().code(), core::ErrorCode::kNotFound);
}

TEST(PcapFileReaderTest, UnsupportedLinkTypeIsRejectedAtOpen) {
    TempDir dir;
    std::string path = dir.File("wifi.pcap");
    WritePcapFile(path, 105 /* IEEE 802.11 */, {{kFirstPacketMicros, PacketBytes(30, 0), {}}});
    auto reader = PcapFileReader::Open(path);
    ASSERT_FALSE(reader.ok());
    EXPECT_EQ(reader.error().code(), core::ErrorCode::kInvalidArgument);
    EXPECT_NE(reader.error().message().find("unsupported link type 105"), std::string::npos)
        << reader.error().message();
}

TEST(PcapFileReaderTest, FileCutMidRecordIsDataLoss) {
    TempDir dir;
    std::string path = dir.File("cut.pcap");
    WritePcapFile(path, linktype::kEthernet, MixedCapture());
    std::filesystem::resize_file(path, std::filesystem::file_size(path) - 10);
    auto reader = PcapFileReader::Open(path);
    ASSERT_TRUE(reader.ok());
    auto events = reader->ReadAll();
    ASSERT_FALSE(events.ok());
    EXPECT_EQ(events.error().code(), core::ErrorCode::kDataLoss);
    EXPECT_NE(events.error().message().find(path), std::string::npos) << events.error().message();
}

TEST(PcapFileReaderTest, ReaderIsMovable) {
    TempDir dir;
    std::string path = dir.File("mixed.pcap");
    WritePcapFile(path, linktype::kEthernet, MixedCapture());
    auto opened = PcapFileReader::Open(path);
    ASSERT_TRUE(opened.ok());
    PcapFileReader reader = std::move(opened).value();
    auto events = reader.ReadAll();
    ASSERT_TRUE(events.ok());
    EXPECT_EQ(events->size(), 3u);
}

}  // namespace
}  // namespace kizuna::observe
