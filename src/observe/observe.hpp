// Front door of observe/: Internet scan observation (MISSION O1–O5, the seeds' ISDAS). Five rooms, each with
// its own front door; each uses only the rooms listed above it:
//
//   capture/    where scan events come from: a PacketSource (pcap file, live interface, IPFIX) feeding the
//               per-layer Decoder that turns each unsolicited packet into a fixed-size ScanEvent or a named
//               anomaly. Packet time, never wall time.
//   storage/    where events are kept and asked about: the embedded event store (day-partitioned columnar
//               segments with zone maps, control and imports logs, parallel scan), rollups, country lookup,
//               capture import, and the query interface with its embedded and ClickHouse backends.
//   transport/  how events reach the center: the sensor's fsynced spool and TLS sensor protocol, the
//               collector that acknowledges only durable batches, the IPFIX listener, the sensors' status.
//   trends/     when scanning of a port starts, goes on and ends, and what the coordinators know about it.
//   export/     what leaves the center: IODEF 2 documents, the daily export and the partner CSIRTs' mail,
//               run each day by a scheduler job on an injected clock.
//
// web/ and apps/ include these front doors only.
#pragma once

#include "observe/capture/capture.hpp"
#include "observe/export/export.hpp"
#include "observe/storage/storage.hpp"
#include "observe/transport/transport.hpp"
#include "observe/trends/trends.hpp"
