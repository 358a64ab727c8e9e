#include "observe/capture/pcap_file.hpp"

#include <pcap/pcap.h>

#include <filesystem>
#include <span>
#include <string_view>
#include <system_error>
#include <utility>

namespace kizuna::observe {

namespace {

// The seam where libpcap's error strings become our Error, with the file named for context.
core::Error FromPcap(core::ErrorCode code, std::string_view action, const std::string& path, const char* detail) {
    return core::Error(code, std::string(action) + " " + path + ": " + (detail && *detail ? detail : "unknown error"));
}

// libpcap reports DLT_ values, which equal the LINKTYPE_ numbers stored in files except for a few historic
// ones; DLT_RAW (12 on Linux, 14 on OpenBSD) is the one we decode.
int LinkTypeFromDlt(int dlt) {
    if (dlt == DLT_RAW) return linktype::kRaw;
    return dlt;
}

bool DecoderSupports(int link_type) {
    return link_type == linktype::kEthernet || link_type == linktype::kRaw || link_type == linktype::kLinuxSll ||
           link_type == linktype::kIpv4 || link_type == linktype::kIpv6;
}

}  // namespace

void PcapFileReader::PcapCloser::operator()(pcap* handle) const {
    if (handle != nullptr) pcap_close(handle);
}

core::Result<PcapFileReader> PcapFileReader::Open(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
        return core::NotFound("cannot open " + path + ": no such file");
    }
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    std::unique_ptr<pcap, PcapCloser> handle(
        pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_MICRO, errbuf));
    if (!handle) return FromPcap(core::ErrorCode::kInvalidArgument, "cannot open", path, errbuf);
    int link_type = LinkTypeFromDlt(pcap_datalink(handle.get()));
    if (!DecoderSupports(link_type)) {
        const char* name = pcap_datalink_val_to_name(pcap_datalink(handle.get()));
        return core::InvalidArgument("cannot read " + path + ": unsupported link type " + std::to_string(link_type) +
                                     (name ? std::string(" (") + name + ")" : ""));
    }
    return PcapFileReader(path, std::move(handle), link_type);
}

PcapFileReader::PcapFileReader(std::string path, std::unique_ptr<pcap, PcapCloser> handle, int link_type)
    : path_(std::move(path)), handle_(std::move(handle)), link_type_(link_type) {}

PcapFileReader::PcapFileReader(PcapFileReader&&) noexcept = default;
PcapFileReader& PcapFileReader::operator=(PcapFileReader&&) noexcept = default;
PcapFileReader::~PcapFileReader() = default;

core::Result<std::optional<ScanEvent>> PcapFileReader::Next() {
    if (!handle_) return core::FailedPrecondition("pcap reader was moved from");
    for (;;) {
        pcap_pkthdr* header = nullptr;
        const u_char* data = nullptr;
        int rc = pcap_next_ex(handle_.get(), &header, &data);
        if (rc == PCAP_ERROR_BREAK) {  // end of file
            at_end_ = true;
            return std::optional<ScanEvent>();
        }
        if (rc != 1) return FromPcap(core::ErrorCode::kDataLoss, "read", path_, pcap_geterr(handle_.get()));
        ++packets_read_;
        // Microsecond precision was requested at open, so tv_usec is microseconds even for nanosecond files.
        PacketTime time = PacketTime::FromMicros(static_cast<std::int64_t>(header->ts.tv_sec) * 1'000'000 +
                                                 static_cast<std::int64_t>(header->ts.tv_usec));
        std::span<const std::uint8_t> frame(data, header->caplen);
        if (auto event = decoder_.Decode(frame, time, link_type_)) return std::optional<ScanEvent>(*event);
    }
}

core::Result<std::uint64_t> PcapFileReader::Skip(std::uint64_t records) {
    if (!handle_) return core::FailedPrecondition("pcap reader was moved from");
    std::uint64_t skipped = 0;
    while (skipped < records) {
        pcap_pkthdr* header = nullptr;
        const u_char* data = nullptr;
        int rc = pcap_next_ex(handle_.get(), &header, &data);
        if (rc == PCAP_ERROR_BREAK) {
            at_end_ = true;
            break;
        }
        if (rc != 1) return FromPcap(core::ErrorCode::kDataLoss, "read", path_, pcap_geterr(handle_.get()));
        ++packets_read_;
        ++skipped;
    }
    return skipped;
}

core::Result<std::vector<ScanEvent>> PcapFileReader::ReadAll() {
    std::vector<ScanEvent> events;
    for (;;) {
        KZ_ASSIGN(std::optional<ScanEvent> event, Next());
        if (!event) return events;
        events.push_back(*event);
    }
}

}  // namespace kizuna::observe
