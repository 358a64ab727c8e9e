// Transport framing: every message round-trips; every malformed frame (bad magic, unknown type, lengths
// over the bound, truncations, checksum and count mismatches, trailing bytes) is rejected with a reason.
#include "observe/transport/protocol.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace kizuna::observe::transport {
namespace {

ScanEvent Event(std::uint16_t port, std::int64_t micros = 1'795'400'000'000'000) {
    ScanEvent event;
    event.time = PacketTime::FromMicros(micros);
    event.source[10] = event.source[11] = 0xFF;
    event.source[15] = 9;
    event.destination[15] = 80;
    event.destination_port = port;
    event.source_port = 40000;
    event.tcp_flags = tcp_flag::kSyn;
    event.ttl = 51;
    event.packets = 3;
    return event;
}

std::vector<std::uint8_t> Encoded(const Message& message) {
    std::vector<std::uint8_t> out;
    Encode(message, out);
    return out;
}

Message RoundTrip(const Message& message) {
    auto bytes = Encoded(message);
    auto decoded = DecodeFrame(bytes);
    EXPECT_TRUE(decoded.ok()) << decoded.error().ToString();
    EXPECT_EQ(decoded->consumed, bytes.size());
    return decoded->message;
}

TEST(TransportTest, EveryMessageRoundTrips) {
    Batch batch{42, {Event(22), Event(23), Event(445)}};
    Heartbeat beat{100, 200, 1000, 3, 1, {{"truncated_tcp", 5}, {"ip_fragment", 2}}};
    const std::vector<Message> messages = {
        Hello{kProtocolVersion, "tokyo-1", "kz_0123"}, Welcome{kProtocolVersion, 99}, batch, Ack{42}, beat,
        ErrorMessage{ErrorKind::kUnauthenticated, "unknown token"}, Batch{7, {}}};
    for (const auto& message : messages) EXPECT_EQ(RoundTrip(message), message);
}

TEST(TransportTest, BatchHeaderLayoutMatchesTheSpec) {
    std::vector<std::uint8_t> bytes;
    const std::vector<ScanEvent> events = {Event(22)};
    EncodeBatch(5, events, bytes);
    ASSERT_EQ(bytes.size(), kHeaderSize + 16 + kEventWireSize);
    EXPECT_EQ(bytes[0], 'K');
    EXPECT_EQ(bytes[1], 'Z');
    EXPECT_EQ(bytes[2], static_cast<std::uint8_t>(FrameType::kBatch));
    EXPECT_EQ(bytes[4], 16 + 56);  // body length, little-endian
    EXPECT_EQ(bytes[8], 5);         // sequence
    EXPECT_EQ(bytes[16], 1);        // event count
    // destination port of the event at record offset 42, little-endian
    EXPECT_EQ(bytes[kHeaderSize + 16 + 42], 22);
}

TEST(TransportTest, EventRecordHasTheFixedWireLayout) {
    // Every field at its documented offset, little-endian, whatever ScanEvent looks like in memory.
    ScanEvent event;
    event.time = PacketTime::FromMicros(0x0102030405060708);
    for (int i = 0; i < 16; ++i) {
        event.source[i] = static_cast<std::uint8_t>(0x10 + i);
        event.destination[i] = static_cast<std::uint8_t>(0x30 + i);
    }
    event.source_port = 0x4142;
    event.destination_port = 0x4344;
    event.ip_length = 0x4546;
    event.protocol = Protocol::kUdp;
    event.ip_version = 6;
    event.tcp_flags = 0x12;
    event.icmp_type = 3;
    event.icmp_code = 4;
    event.ttl = 64;
    event.packets = 0x0A0B0C0D;
    std::vector<std::uint8_t> bytes;
    AppendEventRecords(std::span(&event, 1), bytes);
    const std::vector<std::uint8_t> expected = {
        0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,                                                  // 0 time
        0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F,  // 8 source
        0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3A, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F,  // 24 dest
        0x42, 0x41,  // 40 source port
        0x44, 0x43,  // 42 destination port
        0x46, 0x45,  // 44 IP length
        17, 6, 0x12, 3, 4, 64,   // 46 protocol, version, flags, ICMP type, code, TTL
        0x0D, 0x0C, 0x0B, 0x0A,  // 52 packets
    };
    ASSERT_EQ(expected.size(), kEventWireSize);
    EXPECT_EQ(bytes, expected);
    EXPECT_EQ(ReadEventRecord(bytes.data()), event);
}

TEST(TransportTest, PartialFrameAsksForMoreBytes) {
    auto bytes = Encoded(Batch{1, {Event(80)}});
    for (std::size_t cut : {std::size_t{0}, std::size_t{3}, kHeaderSize, bytes.size() - 1}) {
        auto decoded = DecodeFrame(std::span(bytes).first(cut));
        ASSERT_TRUE(decoded.ok()) << cut;
        EXPECT_EQ(decoded->consumed, 0u) << cut;
    }
}

struct BadFrame {
    std::string name;
    std::vector<std::uint8_t> bytes;
    std::string reason;  // substring of the error message
};

std::vector<std::uint8_t> Patched(std::vector<std::uint8_t> bytes, std::size_t at, std::uint8_t value) {
    bytes[at] = value;
    return bytes;
}

TEST(TransportTest, MalformedFramesAreRejectedWithAReason) {
    const auto batch = Encoded(Batch{1, {Event(80), Event(81)}});
    auto oversized = Encoded(Ack{1});
    const std::uint32_t huge = 0xFFFFFFF0u;
    std::memcpy(oversized.data() + 4, &huge, 4);
    auto count_mismatch = batch;
    count_mismatch[16] = 3;
    auto trailing = Encoded(Hello{1, "s", "t"});
    trailing[4] = 9;
    trailing.push_back(0);
    auto zero_sequence = Encoded(Batch{1, {}});
    zero_sequence[8] = 0;
    auto bad_protocol = Encoded(Batch{1, {Event(80)}});
    bad_protocol[kHeaderSize + 16 + 46] = 99;
    // fix the checksum so only the protocol is wrong
    const auto crc = Crc32(std::span(bad_protocol).subspan(kHeaderSize + 16));
    std::memcpy(bad_protocol.data() + 20, &crc, 4);
    auto long_name = Encoded(Hello{1, "s", "t"});
    long_name[10] = 200;  // name length

    const std::vector<BadFrame> cases = {
        {"bad magic", Patched(batch, 0, 'X'), "bad magic"},
        {"unknown type", Patched(batch, 2, 9), "unknown frame type"},
        {"reserved byte", Patched(batch, 3, 1), "reserved"},
        {"length over bound", oversized, "over the bound"},
        {"checksum", Patched(batch, kHeaderSize + 16 + 5, 0xEE), "checksum"},
        {"count mismatch", count_mismatch, "does not match the event count"},
        {"trailing bytes", trailing, "trailing"},
        {"ack longer than 8 bytes", [] {
             auto bytes = Encoded(Ack{1});
             bytes[4] = 9;
             bytes.push_back(0);
             return bytes;
         }(), "over the bound"},
        {"sequence 0", zero_sequence, "sequence number 0"},
        {"unknown protocol", bad_protocol, "unknown protocol"},
        {"sensor name too long", long_name, "longer than 64"},
        {"bad sensor name", Encoded(Hello{1, "Bad Name", "t"}), "sensor name"},
        {"heartbeat interval backwards", Encoded(Heartbeat{200, 100, 0, 0, 0, {}}), "ends before"},
        {"anomaly name", Encoded(Heartbeat{1, 2, 0, 0, 0, {{"Bad-Name", 1}}}), "anomaly names"},
    };
    for (const auto& bad : cases) {
        auto decoded = DecodeFrame(bad.bytes);
        ASSERT_FALSE(decoded.ok()) << bad.name;
        EXPECT_NE(decoded.error().message().find(bad.reason), std::string::npos)
            << bad.name << ": " << decoded.error().ToString();
        EXPECT_EQ(decoded.error().field(), "frame") << bad.name;
    }
}

TEST(TransportTest, TruncatedBodiesOfEveryTypeAreRejected) {
    const std::vector<Message> messages = {Hello{1, "s1", "tok"}, Welcome{1, 5}, Batch{3, {Event(1)}}, Ack{3},
                                           Heartbeat{1, 2, 3, 4, 5, {{"truncated_udp", 1}}},
                                           ErrorMessage{ErrorKind::kProtocol, "x"}};
    for (const auto& message : messages) {
        auto bytes = Encoded(message);
        auto header = ParseHeader(std::span(bytes).first(kHeaderSize));
        ASSERT_TRUE(header.ok());
        for (std::size_t keep = 0; keep < header->body_length; ++keep) {
            auto parsed = ParseBody(header->type, std::span(bytes).subspan(kHeaderSize, keep));
            EXPECT_FALSE(parsed.ok()) << "type " << int(header->type) << " keep " << keep;
        }
    }
}

TEST(TransportTest, Crc32IsTheZlibChecksum) {
    const std::string text = "123456789";
    EXPECT_EQ(Crc32(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size())), 0xCBF43926u);
}

}  // namespace
}  // namespace kizuna::observe::transport
