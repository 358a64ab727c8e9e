#include "observe/capture/ipfix.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <iterator>
#include <optional>
#include <string>

namespace kizuna::observe {
namespace {

constexpr std::uint16_t kTemplateSetId = 2;
constexpr std::uint16_t kOptionsTemplateSetId = 3;
constexpr std::uint16_t kMinDataSetId = 256;
constexpr std::uint16_t kVariableLength = 65535;
constexpr std::int64_t kNtpToUnixSeconds = 2'208'988'800;  // 1900-01-01 to 1970-01-01
// The latest flow start accepted, 9999-12-31T23:59:59.999Z. An exporter's time beyond it would overflow the
// microsecond arithmetic (IPFIX over UDP is unauthenticated: any packet can carry it); such a flow takes the
// message's export time instead and is counted as IpfixMessageInfo::time_out_of_range_records.
constexpr std::uint64_t kMaxFlowSeconds = 253'402'300'799;
constexpr std::uint64_t kMaxFlowMillis = kMaxFlowSeconds * 1'000 + 999;

namespace ie {
constexpr std::uint16_t kPacketDeltaCount = 2;
constexpr std::uint16_t kProtocolIdentifier = 4;
constexpr std::uint16_t kTcpControlBits = 6;
constexpr std::uint16_t kSourceTransportPort = 7;
constexpr std::uint16_t kSourceIpv4Address = 8;
constexpr std::uint16_t kDestinationTransportPort = 11;
constexpr std::uint16_t kDestinationIpv4Address = 12;
constexpr std::uint16_t kFlowStartSysUpTime = 22;
constexpr std::uint16_t kSourceIpv6Address = 27;
constexpr std::uint16_t kDestinationIpv6Address = 28;
constexpr std::uint16_t kIcmpTypeCodeIpv4 = 32;
constexpr std::uint16_t kMinimumTtl = 52;
constexpr std::uint16_t kIcmpTypeCodeIpv6 = 139;
constexpr std::uint16_t kFlowStartSeconds = 150;
constexpr std::uint16_t kFlowStartMilliseconds = 152;
constexpr std::uint16_t kFlowStartMicroseconds = 154;
constexpr std::uint16_t kFlowStartNanoseconds = 156;
constexpr std::uint16_t kSystemInitTimeMilliseconds = 160;
constexpr std::uint16_t kIpTtl = 192;
}  // namespace ie

core::Error Malformed(const std::string& what) {
    return core::InvalidArgument("malformed IPFIX message: " + what, "ipfix");
}

std::uint16_t Be16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }
std::uint32_t Be32(const std::uint8_t* p) {
    return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}
// Unsigned integer in 1..8 bytes (reduced-size encoding, RFC 7011 section 6.2).
std::uint64_t BeUnsigned(std::span<const std::uint8_t> bytes) {
    std::uint64_t value = 0;
    for (auto byte : bytes.first(std::min<std::size_t>(bytes.size(), 8))) value = value << 8 | byte;
    return value;
}

// NTP timestamp (seconds since 1900 | fraction) to Unix microseconds.
std::int64_t NtpToMicros(std::uint64_t ntp) {
    const auto seconds = static_cast<std::int64_t>(ntp >> 32) - kNtpToUnixSeconds;
    const auto fraction = static_cast<std::int64_t>(((ntp & 0xFFFFFFFFull) * 1'000'000ull) >> 32);
    return seconds * 1'000'000 + fraction;
}

// The fields of one data record that matter for a scan event.
struct FlowFields {
    std::optional<std::array<std::uint8_t, 4>> source4, destination4;
    std::optional<IpAddress> source6, destination6;
    std::uint16_t source_port = 0, destination_port = 0;
    bool has_destination_port = false;
    std::optional<std::uint8_t> protocol;
    std::uint8_t tcp_flags = 0;
    std::optional<std::uint16_t> icmp_type_code;
    std::uint64_t packets = 1;
    std::uint8_t ttl = 0;
    std::optional<std::int64_t> start_micros;
    std::optional<std::uint64_t> start_sysuptime_millis;
    std::optional<std::uint64_t> system_init_millis;
    bool time_out_of_range = false;  // a start time field held a value past kMaxFlowSeconds
};

void Take(FlowFields& flow, std::uint16_t id, std::span<const std::uint8_t> value) {
    switch (id) {
        case ie::kSourceIpv4Address:
            if (value.size() == 4) flow.source4 = std::array<std::uint8_t, 4>{value[0], value[1], value[2], value[3]};
            break;
        case ie::kDestinationIpv4Address:
            if (value.size() == 4)
                flow.destination4 = std::array<std::uint8_t, 4>{value[0], value[1], value[2], value[3]};
            break;
        case ie::kSourceIpv6Address:
            if (value.size() == 16) std::memcpy(flow.source6.emplace().data(), value.data(), 16);
            break;
        case ie::kDestinationIpv6Address:
            if (value.size() == 16) std::memcpy(flow.destination6.emplace().data(), value.data(), 16);
            break;
        case ie::kSourceTransportPort:
            flow.source_port = static_cast<std::uint16_t>(BeUnsigned(value));
            break;
        case ie::kDestinationTransportPort:
            flow.destination_port = static_cast<std::uint16_t>(BeUnsigned(value));
            flow.has_destination_port = true;
            break;
        case ie::kProtocolIdentifier:
            flow.protocol = static_cast<std::uint8_t>(BeUnsigned(value));
            break;
        case ie::kTcpControlBits:
            flow.tcp_flags = static_cast<std::uint8_t>(BeUnsigned(value) & 0xFF);
            break;
        case ie::kIcmpTypeCodeIpv4:
        case ie::kIcmpTypeCodeIpv6:
            flow.icmp_type_code = static_cast<std::uint16_t>(BeUnsigned(value));
            break;
        case ie::kPacketDeltaCount:
            flow.packets = BeUnsigned(value);
            break;
        case ie::kMinimumTtl:
        case ie::kIpTtl:
            flow.ttl = static_cast<std::uint8_t>(BeUnsigned(value));
            break;
        case ie::kFlowStartSeconds: {
            const std::uint64_t seconds = BeUnsigned(value);
            if (seconds > kMaxFlowSeconds) {
                flow.time_out_of_range = true;
            } else {
                flow.start_micros = static_cast<std::int64_t>(seconds) * 1'000'000;
            }
            break;
        }
        case ie::kFlowStartMilliseconds: {
            const std::uint64_t millis = BeUnsigned(value);
            if (millis > kMaxFlowMillis) {
                flow.time_out_of_range = true;
            } else {
                flow.start_micros = static_cast<std::int64_t>(millis) * 1'000;
            }
            break;
        }
        case ie::kFlowStartMicroseconds:
        case ie::kFlowStartNanoseconds:
            if (value.size() == 8) flow.start_micros = NtpToMicros(BeUnsigned(value));
            break;
        case ie::kFlowStartSysUpTime:
            flow.start_sysuptime_millis = BeUnsigned(value);
            break;
        case ie::kSystemInitTimeMilliseconds:
            flow.system_init_millis = BeUnsigned(value);
            break;
        default:
            break;
    }
}

IpAddress Mapped(const std::array<std::uint8_t, 4>& v4) {
    IpAddress out{};
    out[10] = out[11] = 0xFF;
    std::memcpy(out.data() + 12, v4.data(), 4);
    return out;
}

}  // namespace

// RFC 7011: the header's sequence number counts the data records sent *before* this message. softflowd
// (1.1.0) instead counts flow records up to and *including* this message, leaving out options records. The
// convention is learnt per domain from the first consecutive pair that fits exactly one of them; a gap is
// what remains after the records the convention accounts for.
void IpfixSession::UpdateSequence(IpfixMessageInfo& info) {
    const auto domain = info.observation_domain;
    const std::uint64_t flows = info.data_records - info.options_records;
    auto found = sequences_.find(domain);
    if (info.unknown_template_records != 0) {
        sequences_.erase(domain);  // records we could not count: the next gap would be a guess
        return;
    }
    if (found == sequences_.end()) {
        sequences_[domain] = SequenceState{info.sequence, info.data_records, flows, SequenceStyle::kUnknown};
        return;
    }
    auto& state = found->second;
    const std::uint32_t delta = info.sequence - state.last;
    if (delta >= 0x80000000u) return;  // backwards: reordered or restarted; keep the newer state
    const auto fits = [&](SequenceStyle style) {
        switch (style) {
            case SequenceStyle::kBeforeAllRecords: return delta == state.previous_records;
            case SequenceStyle::kBeforeFlowRecords: return delta == state.previous_flows;
            case SequenceStyle::kThroughFlowRecords: return delta == flows;
            case SequenceStyle::kUnknown: return false;
        }
        return false;
    };
    bool any_fits = false;
    if (state.style == SequenceStyle::kUnknown) {
        int fitting = 0;
        SequenceStyle only = SequenceStyle::kUnknown;
        for (auto style : {SequenceStyle::kBeforeAllRecords, SequenceStyle::kBeforeFlowRecords,
                           SequenceStyle::kThroughFlowRecords})
            if (fits(style)) {
                ++fitting;
                only = style;
            }
        if (fitting == 1) state.style = only;  // settled; while ambiguous, a fit of any style is no gap
        any_fits = fitting > 1;
    }
    std::uint64_t expected = any_fits ? delta : state.previous_records;
    if (state.style == SequenceStyle::kBeforeFlowRecords) expected = state.previous_flows;
    if (state.style == SequenceStyle::kThroughFlowRecords) expected = flows;
    if (delta > expected) info.lost_records = delta - expected;
    lost_[domain] += info.lost_records;
    state.last = info.sequence;
    state.previous_records = info.data_records;
    state.previous_flows = flows;
}

core::Result<std::uint16_t> IpfixMessageLength(std::span<const std::uint8_t> header) {
    if (header.size() < 4) return Malformed("short header");
    if (Be16(header.data()) != kIpfixVersion)
        return Malformed("version " + std::to_string(Be16(header.data())) + ", expected 10");
    const auto length = Be16(header.data() + 2);
    if (length < kIpfixHeaderSize) return Malformed("message length under 16");
    return length;
}

core::Result<IpfixMessageInfo> IpfixSession::Parse(std::span<const std::uint8_t> message,
                                                   std::vector<ScanEvent>& events) {
    if (message.size() < kIpfixHeaderSize) return Malformed("shorter than its 16-byte header");
    KZ_ASSIGN(const auto length, IpfixMessageLength(message));
    if (length != message.size()) return Malformed("header length does not match the message size");
    IpfixMessageInfo info;
    info.export_time = Be32(message.data() + 4);
    info.sequence = Be32(message.data() + 8);
    info.observation_domain = Be32(message.data() + 12);
    const auto domain = info.observation_domain;

    // First pass validates the set structure so a malformed message changes nothing.
    for (std::size_t at = kIpfixHeaderSize; at < message.size();) {
        if (message.size() - at < 4) return Malformed("truncated set header");
        const auto set_length = Be16(message.data() + at + 2);
        if (set_length < 4 || set_length > message.size() - at) return Malformed("set length out of bounds");
        at += set_length;
    }

    // Staged template changes, applied only when the whole message parsed.
    auto templates = templates_;
    auto system_init = system_init_millis_;
    const std::size_t events_before = events.size();
    auto fail = [&](const std::string& what) {
        events.resize(events_before);
        return Malformed(what);
    };

    for (std::size_t at = kIpfixHeaderSize; at < message.size();) {
        const auto set_id = Be16(message.data() + at);
        const auto set_length = Be16(message.data() + at + 2);
        const auto body = message.subspan(at + 4, set_length - 4u);
        at += set_length;

        if (set_id == kTemplateSetId || set_id == kOptionsTemplateSetId) {
            const bool options = set_id == kOptionsTemplateSetId;
            std::size_t p = 0;
            while (body.size() - p >= 4) {
                const auto template_id = Be16(body.data() + p);
                const auto field_count = Be16(body.data() + p + 2);
                p += 4;
                if (field_count == 0) {  // withdrawal (RFC 7011 8.1): one template, or all of this set's kind
                    if (template_id == set_id) {
                        for (auto it = templates.begin(); it != templates.end();)
                            it = it->first.first == domain && it->second.options == options ? templates.erase(it)
                                                                                          : std::next(it);
                    } else {
                        templates.erase({domain, template_id});
                    }
                    continue;
                }
                if (template_id < kMinDataSetId) return fail("template id under 256");
                Template parsed;
                parsed.options = options;
                if (options) {
                    if (body.size() - p < 2) return fail("truncated options template");
                    parsed.scope_fields = Be16(body.data() + p);
                    p += 2;
                    if (parsed.scope_fields == 0 || parsed.scope_fields > field_count)
                        return fail("options template scope field count");
                }
                for (std::uint16_t i = 0; i < field_count; ++i) {
                    if (body.size() - p < 4) return fail("truncated field specifier");
                    Field field{static_cast<std::uint16_t>(Be16(body.data() + p) & 0x7FFF), Be16(body.data() + p + 2),
                                (body[p] & 0x80) != 0};
                    p += 4;
                    if (field.enterprise) {
                        if (body.size() - p < 4) return fail("truncated enterprise number");
                        p += 4;
                    }
                    if (field.length == 0) return fail("field of length 0");
                    parsed.fields.push_back(field);
                }
                templates[{domain, template_id}] = std::move(parsed);
            }
            // Anything left is padding (fewer than 4 bytes).
            continue;
        }
        if (set_id < kMinDataSetId) continue;  // reserved set ids: ignore

        auto found = templates.find({domain, set_id});
        if (found == templates.end()) {
            // Data before its template (UDP reordering or a collector restart): cannot be decoded.
            info.unknown_template_records++;
            continue;
        }
        const Template& tmpl = found->second;
        std::size_t min_record = 0;
        for (const auto& field : tmpl.fields) min_record += field.length == kVariableLength ? 1 : field.length;
        std::size_t p = 0;
        while (body.size() - p >= min_record && body.size() - p > 0) {
            FlowFields flow;
            for (const auto& field : tmpl.fields) {
                std::size_t field_length = field.length;
                if (field.length == kVariableLength) {
                    if (body.size() - p < 1) return fail("truncated variable-length field");
                    field_length = body[p++];
                    if (field_length == 255) {
                        if (body.size() - p < 2) return fail("truncated variable-length field");
                        field_length = Be16(body.data() + p);
                        p += 2;
                    }
                }
                if (body.size() - p < field_length) return fail("data record runs past its set");
                if (!field.enterprise) Take(flow, field.id, body.subspan(p, field_length));
                p += field_length;
            }
            info.data_records++;
            if (tmpl.options) {
                info.options_records++;
                if (flow.system_init_millis) system_init[domain] = *flow.system_init_millis;
                continue;
            }
            const bool v4 = flow.source4 && flow.destination4;
            const bool v6 = flow.source6 && flow.destination6;
            const auto proto = flow.protocol.value_or(0);
            if ((!v4 && !v6) || !(proto == 6 || proto == 17 || proto == 1 || proto == 58)) {
                info.skipped_records++;
                continue;
            }
            ScanEvent event;
            event.source = v4 ? Mapped(*flow.source4) : *flow.source6;
            event.destination = v4 ? Mapped(*flow.destination4) : *flow.destination6;
            event.ip_version = v4 ? 4 : 6;
            event.protocol = static_cast<Protocol>(proto);
            if (proto == 6 || proto == 17) {
                event.source_port = flow.source_port;
                event.destination_port = flow.destination_port;
                if (proto == 6) event.tcp_flags = flow.tcp_flags;
            } else {
                // Some exporters carry ICMP type*256+code in destinationTransportPort instead.
                const auto type_code = flow.icmp_type_code ? *flow.icmp_type_code
                                                           : (flow.has_destination_port ? flow.destination_port : 0);
                event.icmp_type = static_cast<std::uint8_t>(type_code >> 8);
                event.icmp_code = static_cast<std::uint8_t>(type_code & 0xFF);
            }
            event.ttl = flow.ttl;
            event.packets = static_cast<std::uint32_t>(std::min<std::uint64_t>(flow.packets, UINT32_MAX));
            std::int64_t micros = std::int64_t{info.export_time} * 1'000'000;
            bool out_of_range = flow.time_out_of_range;
            if (flow.start_micros) {
                micros = *flow.start_micros;
            } else if (flow.start_sysuptime_millis) {
                auto init = system_init.find(domain);
                if (init != system_init.end()) {
                    // Both are exporter-chosen 64-bit values: add them only when the sum stays in range.
                    const std::uint64_t uptime = *flow.start_sysuptime_millis;
                    if (init->second <= kMaxFlowMillis && uptime <= kMaxFlowMillis - init->second) {
                        micros = static_cast<std::int64_t>(init->second + uptime) * 1'000;
                    } else {
                        out_of_range = true;
                    }
                }
            }
            if (out_of_range) info.time_out_of_range_records++;
            event.time = PacketTime::FromMicros(micros);
            events.push_back(event);
            info.events++;
        }
    }

    UpdateSequence(info);
    templates_ = std::move(templates);
    system_init_millis_ = std::move(system_init);
    return info;
}

}  // namespace kizuna::observe
