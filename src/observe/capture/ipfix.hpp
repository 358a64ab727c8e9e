// IPFIX (RFC 7011) message decoding into ScanEvents, so flow exporters (softflowd, routers) serve as sensors.
// One IpfixSession per transport session (a TCP connection, or one UDP exporter address): it keeps the
// templates per observation domain (template and options template sets, withdrawal of one template or of
// all), decodes data records with fixed and variable-length fields and reduced-size integers, and tracks
// the per-domain sequence number to count lost data records (gaps; UDP).
//
// Information elements used (IANA numbers): sourceIPv4Address 8, destinationIPv4Address 12,
// sourceIPv6Address 27, destinationIPv6Address 28, sourceTransportPort 7, destinationTransportPort 11,
// protocolIdentifier 4, tcpControlBits 6, icmpTypeCodeIPv4 32, icmpTypeCodeIPv6 139, packetDeltaCount 2,
// minimumTTL 52, ipTTL 192, flowStartSeconds 150, flowStartMilliseconds 152, flowStartMicroseconds 154,
// flowStartNanoseconds 156, flowStartSysUpTime 22 with systemInitTimeMilliseconds 160 (from an options
// record); without a start time the message's export time is used, and so it is for a start time past
// 9999-12-31 (counted as time_out_of_range_records). Enterprise-specific fields are skipped.
// A flow becomes one event with `packets` = packetDeltaCount (1 when absent). Flows of other protocols
// than TCP/UDP/ICMP/ICMPv6, or without addresses, are counted as skipped.
//
// Hostile input: every length is checked before it is read; a malformed message is rejected as a whole
// (kInvalidArgument, field "ipfix") without changing the session's templates.
// Thread-safety: none; one session per receiving thread.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "observe/capture/scan_event.hpp"

namespace kizuna::observe {

inline constexpr std::size_t kIpfixHeaderSize = 16;
inline constexpr std::uint16_t kIpfixVersion = 10;

struct IpfixMessageInfo {
    std::uint32_t observation_domain = 0;
    std::uint32_t sequence = 0;
    std::uint32_t export_time = 0;       // seconds since the epoch
    std::uint64_t data_records = 0;      // data records in this message (flows and options data)
    std::uint64_t options_records = 0;   // of which options data records
    std::uint64_t events = 0;            // events appended
    std::uint64_t lost_records = 0;      // sequence gap before this message
    std::uint64_t skipped_records = 0;   // flows that make no scan event (protocol, addresses)
    std::uint64_t unknown_template_records = 0;  // data sets whose template was not (yet) received
    // Anomaly "time_out_of_range": flows whose start time (flowStartSeconds/Milliseconds, or systemInitTime +
    // flowStartSysUpTime) lies past 9999-12-31; they are stored at the message's export time.
    std::uint64_t time_out_of_range_records = 0;
};

class IpfixSession {
  public:
    // Decodes one whole IPFIX message (header length must equal message.size()); appends events.
    core::Result<IpfixMessageInfo> Parse(std::span<const std::uint8_t> message, std::vector<ScanEvent>& events);

    // Total data records missing by sequence number, per observation domain.
    const std::map<std::uint32_t, std::uint64_t>& lost() const { return lost_; }
    std::size_t template_count() const { return templates_.size(); }

    struct Field {
        std::uint16_t id;
        std::uint16_t length;  // 65535: variable length
        bool enterprise;
    };
    struct Template {
        std::vector<Field> fields;
        std::uint16_t scope_fields = 0;  // options templates
        bool options = false;
    };

  private:
    enum class SequenceStyle { kUnknown, kBeforeAllRecords, kBeforeFlowRecords, kThroughFlowRecords };
    struct SequenceState {
        std::uint32_t last;
        std::uint64_t previous_records;
        std::uint64_t previous_flows;
        SequenceStyle style;
    };
    void UpdateSequence(IpfixMessageInfo& info);

    std::map<std::pair<std::uint32_t, std::uint16_t>, Template> templates_;  // (domain, template id)
    std::map<std::uint32_t, SequenceState> sequences_;                       // per domain
    std::map<std::uint32_t, std::uint64_t> system_init_millis_;              // per domain
    std::map<std::uint32_t, std::uint64_t> lost_;
};

// Length of the IPFIX message at the start of `bytes` from its header (for stream framing over TCP);
// kInvalidArgument for a wrong version or a length under 16.
core::Result<std::uint16_t> IpfixMessageLength(std::span<const std::uint8_t> header);

}  // namespace kizuna::observe
