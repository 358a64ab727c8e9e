// IpfixSource: flow records from one IPFIX transport session as a PacketSource backend. The collector's
// listener feeds it each message it receives (Feed: decoded by the session's IpfixSession, templates and
// sequence numbers kept across messages) and pulls the flows out as events with Next(). A flow's time is its
// start time from the exporter (or the message's export time), never the collector's clock.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/result.hpp"
#include "observe/capture/ipfix.hpp"
#include "observe/capture/packet_source.hpp"

namespace kizuna::observe {

class IpfixSource final : public PacketSource {
  public:
    // Decodes one whole message (IpfixSession::Parse) and queues its events. A malformed message is rejected
    // as a whole (kInvalidArgument, field "ipfix"; counted as anomaly "ipfix_malformed_message") and queues
    // nothing.
    core::Result<IpfixMessageInfo> Feed(std::span<const std::uint8_t> message);

    // The oldest queued event; nullopt when every fed message is drained (Done() stays false: an exporter
    // may always send more).
    core::Result<std::optional<ScanEvent>> Next() override;
    bool Done() const override { return false; }
    // Data records decoded (flows and options data).
    std::uint64_t packets_read() const override { return records_; }
    const AnomalyCounters& counters() const override { return counters_; }

    const IpfixSession& session() const { return session_; }

  private:
    IpfixSession session_;
    std::vector<ScanEvent> queued_;
    std::size_t next_ = 0;  // index of the next event in queued_
    std::uint64_t records_ = 0;
    AnomalyCounters counters_;
};

}  // namespace kizuna::observe
