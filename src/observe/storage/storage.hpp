// Front door of observe/storage/: where scan events are kept and how they are asked about. The embedded
// EventStore keeps every event in day-partitioned, compressed, columnar segment files (segment_format,
// docs/formats/event-store.md) whose blocks carry zone maps, beside a control log (sensors, watermarks,
// uptime), the imports logs (finished and unfinished captures, so a cut import resumes without counting
// twice) and rollups kept at ingest (hour × sensor × port / country / ICMP type), so a year's graph never
// touches raw events. Sources get their country at ingest (GeoLookup over flattened ranges). ImportCaptures
// brings pcap files in through the same append path as live ingest. ObservationQueries and DistinctCounts are
// the query interface, answered from the rollups and scans here or by the ClickHouse backend (ClickHouseStore,
// fed live through a StoreListener); both backends must give the same answers.
#pragma once

#include "observe/storage/clickhouse.hpp"
#include "observe/storage/distinct.hpp"
#include "observe/storage/event_store.hpp"
#include "observe/storage/import.hpp"
#include "observe/storage/queries.hpp"
#include "observe/storage/store_listener.hpp"
