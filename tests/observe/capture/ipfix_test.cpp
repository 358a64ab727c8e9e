// IPFIX decoding (RFC 7011) with hand-built messages: templates per domain, IPv4 and IPv6 flows, reduced-size
// and variable-length fields, options data (systemInitTimeMilliseconds), template withdrawal, sequence gaps in
// both numbering conventions, and malformed messages that change nothing.
#include "observe/capture/ipfix.hpp"
#include "observe/capture/ipfix_source.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace kizuna::observe {
namespace {

using Bytes = std::vector<std::uint8_t>;

void Put16(Bytes& out, std::uint16_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v));
}
void Put32(Bytes& out, std::uint32_t v) {
    Put16(out, static_cast<std::uint16_t>(v >> 16));
    Put16(out, static_cast<std::uint16_t>(v));
}
void Put64(Bytes& out, std::uint64_t v) {
    Put32(out, static_cast<std::uint32_t>(v >> 32));
    Put32(out, static_cast<std::uint32_t>(v));
}

Bytes Set(std::uint16_t id, const Bytes& body) {
    Bytes out;
    Put16(out, id);
    Put16(out, static_cast<std::uint16_t>(body.size() + 4));
    out.insert(out.end(), body.begin(), body.end());
    return out;
}

Bytes Message(std::uint32_t sequence, std::uint32_t domain, const std::vector<Bytes>& sets,
              std::uint32_t export_time = 1'795'305'600) {
    Bytes body;
    for (const auto& set : sets) body.insert(body.end(), set.begin(), set.end());
    Bytes out;
    Put16(out, 10);
    Put16(out, static_cast<std::uint16_t>(body.size() + 16));
    Put32(out, export_time);
    Put32(out, sequence);
    Put32(out, domain);
    out.insert(out.end(), body.begin(), body.end());
    return out;
}

// Template 256: src4, dst4, sport, dport, proto, tcpflags(1), packetDeltaCount(4, reduced), flowStartMilliseconds.
Bytes V4Template() {
    Bytes t;
    Put16(t, 256);
    Put16(t, 8);
    for (auto [id, len] : std::vector<std::pair<int, int>>{{8, 4}, {12, 4}, {7, 2}, {11, 2}, {4, 1}, {6, 1}, {2, 4}, {152, 8}}) {
        Put16(t, static_cast<std::uint16_t>(id));
        Put16(t, static_cast<std::uint16_t>(len));
    }
    return Set(2, t);
}

Bytes V4Record(std::uint8_t last_octet, std::uint16_t port, std::uint8_t proto, std::uint32_t packets) {
    Bytes r = {203, 0, 113, last_octet, 192, 0, 2, 80};
    Put16(r, 40000);
    Put16(r, port);
    r.push_back(proto);
    r.push_back(0x02);
    Put32(r, packets);
    Put64(r, 1'795'305'600'123ull);
    return r;
}

TEST(IpfixTest, TemplateThenDataGivesEventsWithPacketCounts) {
    IpfixSession session;
    std::vector<ScanEvent> events;
    Bytes data = V4Record(9, 23, 6, 5);
    const auto second = V4Record(10, 53, 17, 2);
    data.insert(data.end(), second.begin(), second.end());
    auto info = session.Parse(Message(0, 7, {V4Template(), Set(256, data)}), events);
    ASSERT_TRUE(info.ok()) << info.error().ToString();
    EXPECT_EQ(info->observation_domain, 7u);
    EXPECT_EQ(info->events, 2u);
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].destination_port, 23);
    EXPECT_EQ(events[0].protocol, Protocol::kTcp);
    EXPECT_EQ(events[0].tcp_flags, 0x02);
    EXPECT_EQ(events[0].packets, 5u);
    EXPECT_EQ(events[0].ip_version, 4);
    EXPECT_EQ(events[0].source[15], 9);
    EXPECT_EQ(events[0].source[10], 0xFF);  // IPv4-mapped
    EXPECT_EQ(events[0].time.micros_since_epoch, 1'795'305'600'123'000);
    EXPECT_EQ(events[1].protocol, Protocol::kUdp);
    EXPECT_EQ(events[1].tcp_flags, 0);  // not TCP
    EXPECT_EQ(events[1].packets, 2u);
}

// Exporter times past 9999-12-31 overflowed int64 microseconds (UBSan, fuzz_ipfix); now such a flow is
// stored at the message's export time and counted as time_out_of_range. Values at the limit still decode.
TEST(IpfixTest, StartTimesOutOfRangeFallBackToExportTimeAsANamedAnomaly) {
    constexpr std::uint32_t kExport = 1'795'305'600;
    auto template_with = [](std::uint16_t id, std::uint16_t time_ie) {
        Bytes t;
        Put16(t, id);
        Put16(t, 6);
        for (auto [ie, len] : std::vector<std::pair<int, int>>{{8, 4}, {12, 4}, {7, 2}, {11, 2}, {4, 1}, {time_ie, 8}}) {
            Put16(t, static_cast<std::uint16_t>(ie));
            Put16(t, static_cast<std::uint16_t>(len));
        }
        return Set(2, t);
    };
    auto record = [](std::uint64_t time) {
        Bytes r = {203, 0, 113, 7, 192, 0, 2, 80};
        Put16(r, 40000);
        Put16(r, 23);
        r.push_back(6);
        Put64(r, time);
        return r;
    };
    struct Case {
        std::uint16_t time_ie;
        std::uint64_t value;
        bool out_of_range;
        std::int64_t expected_micros;
    };
    const std::int64_t export_micros = std::int64_t{kExport} * 1'000'000;
    const std::vector<Case> cases{
        {150, UINT64_MAX, true, export_micros},                      // flowStartSeconds x 1e6 overflowed
        {150, 9'300'000'000'000ull, true, export_micros},            // fits u64, not x 1e6 in int64
        {150, 253'402'300'800ull, true, export_micros},              // 10000-01-01
        {150, 253'402'300'799ull, false, 253'402'300'799'000'000},   // 9999-12-31T23:59:59Z
        {152, UINT64_MAX, true, export_micros},                      // flowStartMilliseconds x 1e3 overflowed
        {152, 9'300'000'000'000'000ull, true, export_micros},
        {152, 1'795'305'600'123ull, false, 1'795'305'600'123'000},
    };
    for (const Case& c : cases) {
        IpfixSession session;
        std::vector<ScanEvent> events;
        auto info = session.Parse(Message(0, 1, {template_with(256, c.time_ie), Set(256, record(c.value))}, kExport),
                                  events);
        ASSERT_TRUE(info.ok()) << info.error().ToString();
        ASSERT_EQ(events.size(), 1u) << c.value;
        EXPECT_EQ(info->time_out_of_range_records, c.out_of_range ? 1u : 0u) << c.value;
        EXPECT_EQ(events[0].time.micros_since_epoch, c.expected_micros) << c.value;
    }
}

// systemInitTimeMilliseconds + flowStartSysUpTime: both exporter-chosen; a sum past the limit is the anomaly.
TEST(IpfixTest, SysUpTimeArithmeticOutOfRangeIsAnAnomaly) {
    constexpr std::uint32_t kExport = 1'795'305'600;
    auto message = [&](std::uint64_t init_millis, std::uint64_t uptime_millis) {
        Bytes options_template;
        Put16(options_template, 300);
        Put16(options_template, 2);
        Put16(options_template, 1);
        Put16(options_template, 143), Put16(options_template, 4);
        Put16(options_template, 160), Put16(options_template, 8);
        Bytes options_data;
        Put32(options_data, 1);
        Put64(options_data, init_millis);
        Bytes t;
        Put16(t, 400);
        Put16(t, 6);
        for (auto [ie, len] : std::vector<std::pair<int, int>>{{8, 4}, {12, 4}, {7, 2}, {11, 2}, {4, 1}, {22, 8}}) {
            Put16(t, static_cast<std::uint16_t>(ie));
            Put16(t, static_cast<std::uint16_t>(len));
        }
        Bytes r = {203, 0, 113, 7, 192, 0, 2, 80};
        Put16(r, 40000);
        Put16(r, 23);
        r.push_back(6);
        Put64(r, uptime_millis);
        return Message(0, 1, {Set(3, options_template), Set(300, options_data), Set(2, t), Set(400, r)}, kExport);
    };
    struct Case {
        std::uint64_t init, uptime;
        bool out_of_range;
    };
    for (const Case& c : std::vector<Case>{{UINT64_MAX, 1, true},
                                           {1, UINT64_MAX, true},
                                           {9'000'000'000'000'000'000ull, 9'000'000'000'000'000'000ull, true},
                                           {253'402'300'799'999ull, 1, true},
                                           {253'402'300'799'000ull, 999, false},
                                           {1'795'305'000'000ull, 600'000, false}}) {
        IpfixSession session;
        std::vector<ScanEvent> events;
        auto info = session.Parse(message(c.init, c.uptime), events);
        ASSERT_TRUE(info.ok()) << info.error().ToString();
        ASSERT_EQ(events.size(), 1u);
        EXPECT_EQ(info->time_out_of_range_records, c.out_of_range ? 1u : 0u) << c.init << " + " << c.uptime;
        const std::int64_t expected =
            c.out_of_range ? std::int64_t{kExport} * 1'000'000 : static_cast<std::int64_t>(c.init + c.uptime) * 1'000;
        EXPECT_EQ(events[0].time.micros_since_epoch, expected) << c.init << " + " << c.uptime;
    }
}

TEST(IpfixTest, TemplatesArePerObservationDomain) {
    IpfixSession session;
    std::vector<ScanEvent> events;
    ASSERT_TRUE(session.Parse(Message(0, 1, {V4Template()}), events).ok());
    auto info = session.Parse(Message(0, 2, {Set(256, V4Record(1, 22, 6, 1))}), events);
    ASSERT_TRUE(info.ok());
    EXPECT_EQ(info->unknown_template_records, 1u);
    EXPECT_TRUE(events.empty());
}

TEST(IpfixTest, Ipv6IcmpVariableLengthAndSysUpTimeWithOptions) {
    IpfixSession session;
    std::vector<ScanEvent> events;
    // Options template 300: scope meteringProcessId(143,4), systemInitTimeMilliseconds(160,8).
    Bytes options_template;
    Put16(options_template, 300);
    Put16(options_template, 2);
    Put16(options_template, 1);
    Put16(options_template, 143), Put16(options_template, 4);
    Put16(options_template, 160), Put16(options_template, 8);
    Bytes options_data;
    Put32(options_data, 1);
    Put64(options_data, 1'795'305'000'000ull);
    // Template 400: src6, dst6, proto, icmpTypeCodeIPv6, interfaceName (variable), flowStartSysUpTime,
    // an enterprise field (skipped).
    Bytes t;
    Put16(t, 400);
    Put16(t, 7);
    for (auto [id, len] : std::vector<std::pair<int, int>>{{27, 16}, {28, 16}, {4, 1}, {139, 2}, {82, 65535}, {22, 4}}) {
        Put16(t, static_cast<std::uint16_t>(id));
        Put16(t, static_cast<std::uint16_t>(len));
    }
    Put16(t, 0x8000 | 12), Put16(t, 2), Put32(t, 29305);
    Bytes record(16, 0);
    record[0] = 0x20, record[1] = 0x01, record[15] = 9;
    Bytes destination(16, 0);
    destination[0] = 0x20, destination[1] = 0x01, destination[15] = 0x50;
    record.insert(record.end(), destination.begin(), destination.end());
    record.push_back(58);
    Put16(record, 128 << 8 | 0);  // echo request
    record.push_back(3);
    record.insert(record.end(), {'e', 't', 'h'});
    Put32(record, 600'000);  // 600 s after system init
    Put16(record, 0xBEEF);
    auto info = session.Parse(Message(0, 1, {Set(3, options_template), Set(300, options_data), Set(2, t), Set(400, record)}),
                              events);
    ASSERT_TRUE(info.ok()) << info.error().ToString();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].ip_version, 6);
    EXPECT_EQ(events[0].protocol, Protocol::kIcmpv6);
    EXPECT_EQ(events[0].icmp_type, 128);
    EXPECT_EQ(events[0].destination[15], 0x50);
    EXPECT_EQ(events[0].packets, 1u);
    EXPECT_EQ(events[0].time.micros_since_epoch, (1'795'305'000'000 + 600'000) * 1000);
}

TEST(IpfixTest, WithdrawnTemplateNoLongerDecodes) {
    IpfixSession session;
    std::vector<ScanEvent> events;
    ASSERT_TRUE(session.Parse(Message(0, 1, {V4Template()}), events).ok());
    EXPECT_EQ(session.template_count(), 1u);
    Bytes withdraw;
    Put16(withdraw, 256);
    Put16(withdraw, 0);
    ASSERT_TRUE(session.Parse(Message(0, 1, {Set(2, withdraw)}), events).ok());
    EXPECT_EQ(session.template_count(), 0u);
    auto info = session.Parse(Message(0, 1, {Set(256, V4Record(1, 22, 6, 1))}), events);
    ASSERT_TRUE(info.ok());
    EXPECT_EQ(info->unknown_template_records, 1u);
    // "All templates" withdrawal (template id 2).
    ASSERT_TRUE(session.Parse(Message(0, 1, {V4Template()}), events).ok());
    Bytes withdraw_all;
    Put16(withdraw_all, 2);
    Put16(withdraw_all, 0);
    ASSERT_TRUE(session.Parse(Message(0, 1, {Set(2, withdraw_all)}), events).ok());
    EXPECT_EQ(session.template_count(), 0u);
}

TEST(IpfixTest, SequenceGapsCountLostRecords) {
    IpfixSession session;
    std::vector<ScanEvent> events;
    auto two = V4Record(1, 22, 6, 1);
    const auto more = V4Record(2, 23, 6, 1);
    two.insert(two.end(), more.begin(), more.end());
    // RFC numbering: sequence = records before this message. 0 (2 records), 2 (2 records), then 9: 5 lost.
    ASSERT_TRUE(session.Parse(Message(0, 1, {V4Template(), Set(256, two)}), events).ok());
    auto next = session.Parse(Message(2, 1, {Set(256, V4Record(3, 80, 6, 1))}), events);
    ASSERT_TRUE(next.ok());
    EXPECT_EQ(next->lost_records, 0u);
    auto gap = session.Parse(Message(8, 1, {Set(256, two)}), events);
    ASSERT_TRUE(gap.ok());
    EXPECT_EQ(gap->lost_records, 5u);
    EXPECT_EQ(session.lost().at(1), 5u);

    // softflowd numbering: sequence = flow records through this message.
    IpfixSession softflowd;
    ASSERT_TRUE(softflowd.Parse(Message(2, 1, {V4Template(), Set(256, two)}), events).ok());
    auto one = softflowd.Parse(Message(3, 1, {Set(256, V4Record(3, 80, 6, 1))}), events);
    ASSERT_TRUE(one.ok());
    EXPECT_EQ(one->lost_records, 0u);
    auto after_gap = softflowd.Parse(Message(9, 1, {Set(256, two)}), events);  // expected 5: 4 lost
    ASSERT_TRUE(after_gap.ok());
    EXPECT_EQ(after_gap->lost_records, 4u);
}

TEST(IpfixTest, MalformedMessagesAreRejectedAndChangeNothing) {
    IpfixSession session;
    std::vector<ScanEvent> events;
    auto good = Message(0, 1, {V4Template(), Set(256, V4Record(1, 22, 6, 1))});
    auto wrong_version = good;
    wrong_version[1] = 9;
    auto wrong_length = good;
    wrong_length[3] = static_cast<std::uint8_t>(wrong_length[3] + 1);
    auto set_overrun = good;
    set_overrun[16 + 3] = 0xF0;  // first set claims more than the message
    Bytes truncated_template;
    Put16(truncated_template, 256);
    Put16(truncated_template, 3);
    Put16(truncated_template, 8);
    Put16(truncated_template, 4);
    Bytes zero_length_field;
    Put16(zero_length_field, 257);
    Put16(zero_length_field, 1);
    Put16(zero_length_field, 8);
    Put16(zero_length_field, 0);
    const std::vector<Bytes> bad = {wrong_version, wrong_length, set_overrun,
                                    Message(0, 1, {Set(2, truncated_template)}),
                                    Message(0, 1, {Set(2, zero_length_field)}), Bytes{0, 10, 0}};
    for (const auto& message : bad) {
        auto info = session.Parse(message, events);
        EXPECT_FALSE(info.ok());
        if (!info.ok()) {
            EXPECT_EQ(info.error().field(), "ipfix");
        }
    }
    EXPECT_EQ(session.template_count(), 0u);
    EXPECT_TRUE(events.empty());
    // A record cut short inside a set: the whole message is dropped, including its template.
    Bytes variable_template;
    Put16(variable_template, 258);
    Put16(variable_template, 1);
    Put16(variable_template, 82);
    Put16(variable_template, 65535);
    Bytes cut_record = {200, 1, 2};  // claims 200 bytes
    EXPECT_FALSE(session.Parse(Message(0, 1, {Set(2, variable_template), Set(258, cut_record)}), events).ok());
    EXPECT_EQ(session.template_count(), 0u);
}

TEST(IpfixTest, StreamFramingReadsTheLengthFromTheHeader) {
    auto message = Message(0, 1, {V4Template()});
    auto length = IpfixMessageLength(message);
    ASSERT_TRUE(length.ok());
    EXPECT_EQ(*length, message.size());
    EXPECT_FALSE(IpfixMessageLength(Bytes{0, 5, 0, 40}).ok());
    EXPECT_FALSE(IpfixMessageLength(Bytes{0, 10, 0, 8}).ok());
}

// The IPFIX backend of PacketSource: fed messages come out as events through the interface, in order, with
// the session's state kept between messages; a rejected message yields nothing and is a named anomaly.
TEST(IpfixSourceTest, FedMessagesComeOutThroughThePacketSourceInterface) {
    IpfixSource ipfix;
    PacketSource& source = ipfix;
    auto next = source.Next();
    ASSERT_TRUE(next.ok());
    EXPECT_FALSE(next->has_value());
    EXPECT_FALSE(source.Done());

    Bytes data = V4Record(9, 23, 6, 5);
    const auto second = V4Record(10, 53, 17, 2);
    data.insert(data.end(), second.begin(), second.end());
    auto info = ipfix.Feed(Message(0, 7, {V4Template(), Set(256, data)}));
    ASSERT_TRUE(info.ok()) << info.error().ToString();
    EXPECT_EQ(info->events, 2u);
    // The template stays with the source: the next message carries data only.
    ASSERT_TRUE(ipfix.Feed(Message(2, 7, {Set(256, V4Record(11, 80, 6, 1))})).ok());

    std::vector<std::uint16_t> ports;
    for (next = source.Next(); next.ok() && next->has_value(); next = source.Next()) ports.push_back((*next)->destination_port);
    ASSERT_TRUE(next.ok());
    EXPECT_EQ(ports, (std::vector<std::uint16_t>{23, 53, 80}));
    EXPECT_EQ(source.packets_read(), 3u);
    EXPECT_FALSE(source.Done());

    auto bad = Message(3, 7, {Set(256, V4Record(12, 8080, 6, 1))});
    bad[1] = 9;  // wrong version
    EXPECT_FALSE(ipfix.Feed(bad).ok());
    next = source.Next();
    ASSERT_TRUE(next.ok());
    EXPECT_FALSE(next->has_value());
    EXPECT_EQ(source.counters().Count("ipfix_malformed_message"), 1u);
}

}  // namespace
}  // namespace kizuna::observe
