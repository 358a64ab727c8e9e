#include "observe/capture/pcap_live.hpp"

#include <grp.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <span>
#include <thread>

namespace kizuna::observe {

core::Result<std::unique_ptr<PcapLiveSource>> PcapLiveSource::Open(const LiveCaptureOptions& options) {
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    pcap_t* handle = pcap_create(options.interface.c_str(), errbuf);
    if (handle == nullptr) return core::InvalidArgument("cannot open " + options.interface + ": " + errbuf, "interface");
    std::unique_ptr<PcapLiveSource> source(new PcapLiveSource(handle, 0));
    pcap_set_snaplen(handle, options.snap_length);
    pcap_set_promisc(handle, 0);
    pcap_set_timeout(handle, 200);  // ms: lets the reader cut time-bound batches on a quiet link
    pcap_set_buffer_size(handle, 32 << 20);
    if (pcap_activate(handle) < 0)
        return core::InvalidArgument("cannot capture on " + options.interface + ": " + pcap_geterr(handle), "interface");
    if (!options.filter.empty()) {
        bpf_program program{};
        if (pcap_compile(handle, &program, options.filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0)
            return core::InvalidArgument("bad BPF filter '" + options.filter + "': " + pcap_geterr(handle), "filter");
        const int set = pcap_setfilter(handle, &program);
        pcap_freecode(&program);
        if (set != 0) return core::InvalidArgument(std::string("cannot set BPF filter: ") + pcap_geterr(handle), "filter");
    }
    // The capture handle is open: give up root before touching any packet.
    if (!options.user.empty()) {
        const passwd* account = getpwnam(options.user.c_str());
        if (account == nullptr) return core::InvalidArgument("no such user: " + options.user, "user");
        if (setgroups(0, nullptr) != 0 || setgid(account->pw_gid) != 0 || setuid(account->pw_uid) != 0)
            return core::PermissionDenied("cannot switch to user " + options.user + ": " + std::strerror(errno));
        if (account->pw_uid != 0 && setuid(0) == 0) return core::Internal("privileges could be regained after setuid");
    }
    if (pcap_setnonblock(handle, 1, errbuf) != 0)
        return core::Internal(std::string("cannot make the capture non-blocking: ") + errbuf);
    source->capture_fd_ = pcap_get_selectable_fd(handle);
    source->link_type_ = pcap_datalink(handle);
    return source;
}

PcapLiveSource::PcapLiveSource(pcap* handle, int link_type) : handle_(handle), link_type_(link_type) {}

PcapLiveSource::~PcapLiveSource() { pcap_close(handle_); }

core::Result<std::optional<ScanEvent>> PcapLiveSource::Next() {
    if (done_) return std::optional<ScanEvent>();
    pcap_pkthdr* header = nullptr;
    const std::uint8_t* data = nullptr;
    const int got = pcap_next_ex(handle_, &header, &data);
    if (got == 1) {
        ++packets_read_;
        const auto time = PacketTime::FromMicros(std::int64_t{header->ts.tv_sec} * 1'000'000 + header->ts.tv_usec);
        return decoder_.Decode(std::span(data, header->caplen), time, link_type_);
    }
    if (got == 0) {  // nothing yet: wait for the descriptor (or a little) so the caller can cut batches
        if (capture_fd_ >= 0) {
            pollfd ready{capture_fd_, POLLIN, 0};
            ::poll(&ready, 1, 100);
        } else {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return std::optional<ScanEvent>();
    }
    if (got == PCAP_ERROR_BREAK) {
        done_ = true;
        return std::optional<ScanEvent>();
    }
    done_ = true;
    return core::Error(core::ErrorCode::kUnavailable, std::string("capture failed: ") + pcap_geterr(handle_));
}

CaptureStats PcapLiveSource::Stats() const {
    pcap_stat stats{};
    if (pcap_stats(handle_, &stats) == 0) last_stats_ = {stats.ps_recv, stats.ps_drop, stats.ps_ifdrop};
    return last_stats_;
}

void PcapLiveSource::BreakLoop() { pcap_breakloop(handle_); }

}  // namespace kizuna::observe
