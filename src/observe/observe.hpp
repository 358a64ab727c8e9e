// Front door of observe/: the Internet scan sensor's packet path (MISSION O1). A packet source (pcap file)
// hands captured frames with their packet time to the Decoder, which turns each unsolicited packet into a
// fixed-size ScanEvent or counts why it could not.
#pragma once

#include "observe/capture/decode.hpp"
#include "observe/capture/pcap_file.hpp"
#include "observe/capture/scan_event.hpp"
