// PcapFileReader: the pcap-file packet source (a PacketSource backend). Opens a classic pcap or pcapng file through libpcap with
// microsecond timestamps, feeds each captured frame with its packet time through a Decoder and yields the
// ScanEvents. Replays are deterministic: time comes from the capture, never the wall clock.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "observe/capture/decode.hpp"
#include "observe/capture/packet_source.hpp"
#include "observe/capture/scan_event.hpp"

struct pcap;  // libpcap's pcap_t; <pcap.h> stays out of our headers

namespace kizuna::observe {

// Movable, not copyable, not thread-safe. Owns the pcap_t (closed in the destructor) and its Decoder.
class PcapFileReader final : public PacketSource {
  public:
    // Errors: kNotFound when the file does not exist, kInvalidArgument when libpcap cannot read it
    // ("cannot open x.pcap: unknown file format"), kInvalidArgument for a link type the Decoder lacks.
    static core::Result<PcapFileReader> Open(const std::string& path);

    PcapFileReader(PcapFileReader&&) noexcept;
    PcapFileReader& operator=(PcapFileReader&&) noexcept;
    ~PcapFileReader() override;

    // The next packet that decodes to an event (packets that do not are counted in counters()), nullopt
    // at the end of the file. kDataLoss when the file is cut mid-record or otherwise unreadable.
    core::Result<std::optional<ScanEvent>> Next() override;
    // True once Next() reached the end of the file.
    bool Done() const override { return at_end_; }

    // Reads past the next `records` records without decoding them (a resumed import); fewer at the end of
    // the file. Returns how many were skipped; kDataLoss as Next().
    core::Result<std::uint64_t> Skip(std::uint64_t records);

    // Every remaining event, in file order.
    core::Result<std::vector<ScanEvent>> ReadAll();

    // Link type of the file as a LINKTYPE_ number (observe::linktype).
    int link_type() const { return link_type_; }
    // Records read so far, whether or not they produced an event.
    std::uint64_t packets_read() const override { return packets_read_; }
    const AnomalyCounters& counters() const override { return decoder_.counters(); }

  private:
    struct PcapCloser {
        void operator()(pcap* handle) const;
    };

    PcapFileReader(std::string path, std::unique_ptr<pcap, PcapCloser> handle, int link_type);

    std::string path_;
    std::unique_ptr<pcap, PcapCloser> handle_;
    int link_type_;
    Decoder decoder_;
    std::uint64_t packets_read_ = 0;
    bool at_end_ = false;
};

}  // namespace kizuna::observe
