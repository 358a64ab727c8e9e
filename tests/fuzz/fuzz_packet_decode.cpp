// Fuzzes the packet decoder: arbitrary bytes into Decoder::Decode under every supported link type (and an
// unsupported one). Nothing may crash, read out of bounds or trip a sanitizer, and each call must either
// yield a well-formed event or count exactly one anomaly.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "observe/capture/decode.hpp"

namespace {

void Check(bool condition) {
    if (!condition) std::abort();
}

constexpr int kLinkTypes[] = {
    kizuna::observe::linktype::kEthernet, kizuna::observe::linktype::kRaw,  kizuna::observe::linktype::kLinuxSll,
    kizuna::observe::linktype::kIpv4,     kizuna::observe::linktype::kIpv6, 105 /* unsupported */,
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace kizuna::observe;
    std::span<const std::uint8_t> frame(data, size);
    Decoder decoder;
    std::uint64_t anomalies = 0;
    for (int link_type : kLinkTypes) {
        auto event = decoder.Decode(frame, PacketTime::FromMicros(static_cast<std::int64_t>(size)), link_type);
        std::uint64_t total = decoder.counters().Total();
        if (event) {
            Check(total == anomalies);
            Check(event->ip_version == 4 || event->ip_version == 6);
            Check(event->time.micros_since_epoch == static_cast<std::int64_t>(size));
            if (event->protocol != Protocol::kTcp) Check(event->tcp_flags == 0);
            if (event->protocol == Protocol::kIcmp || event->protocol == Protocol::kIcmpv6) {
                Check(event->source_port == 0 && event->destination_port == 0);
            }
            if (event->ip_version == 4) {
                Check(event->source[10] == 0xFF && event->source[11] == 0xFF);
                Check(event->protocol != Protocol::kIcmpv6);
            } else {
                Check(event->protocol != Protocol::kIcmp);
            }
        } else {
            Check(total == anomalies + 1);
        }
        anomalies = total;
    }
    return 0;
}
