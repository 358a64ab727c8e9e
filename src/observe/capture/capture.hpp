// Front door of observe/capture/: where scan events come from. Every input is a PacketSource
// (packet_source.hpp, after Zeek's iosource/PktSrc.h) with one backend per kind: pcap and pcapng files
// (PcapFileReader: time from the capture, so replays are deterministic), a live interface (PcapLiveSource:
// libpcap, BPF filter, root given up before the first packet) and IPFIX flow records from exporters
// (IpfixSource over an IpfixSession: templates, sequence gaps, out-of-range times counted). Packet sources
// hand captured frames to the Decoder (one small decoder per layer: link, IPv4/IPv6, transport), which turns
// each unsolicited packet into a fixed-size ScanEvent or counts why it could not as a named anomaly. Nothing
// here stores or sends: transport/ ships events to the center, storage/ keeps them.
#pragma once

#include "observe/capture/decode.hpp"
#include "observe/capture/ipfix.hpp"
#include "observe/capture/ipfix_source.hpp"
#include "observe/capture/packet_source.hpp"
#include "observe/capture/pcap_file.hpp"
#include "observe/capture/pcap_live.hpp"
#include "observe/capture/scan_event.hpp"
