// Front door of observe/capture/: where scan events come from. A packet source hands captured frames with
// their packet time to the Decoder (one small decoder per layer: link, IPv4/IPv6, transport), which turns
// each unsolicited packet into a fixed-size ScanEvent or counts why it could not as a named anomaly. Sources:
// pcap and pcapng files (PcapFileReader: time from the capture, so replays are deterministic) and IPFIX flow
// records from exporters (IpfixSession: templates, sequence gaps, out-of-range times counted). Nothing here
// stores or sends: transport/ ships events to the center, storage/ keeps them.
#pragma once

#include "observe/capture/decode.hpp"
#include "observe/capture/ipfix.hpp"
#include "observe/capture/pcap_file.hpp"
#include "observe/capture/scan_event.hpp"
