// Front door of observe/transport/: how scan events travel from where they are captured to the center.
// The sensor (kizuna-sensor) cuts events into batches, writes each to its fsynced Spool before sending, and
// streams them over TLS in the sensor protocol (protocol.hpp, docs/formats/sensor-protocol.md); the
// collector authenticates each sensor, hands every batch to an IngestSink (the event store, and through it
// ClickHouse) and acknowledges only durable batches, so neither side's crash loses or doubles an event.
// Flow exporters reach the collector through the IpfixListener (UDP and TCP, RFC 7011). The
// SensorStatusBoard keeps what the sensors' heartbeats say for the status page.
#pragma once

#include "observe/transport/collector.hpp"
#include "observe/transport/ipfix_listener.hpp"
#include "observe/transport/protocol.hpp"
#include "observe/transport/sensor.hpp"
#include "observe/transport/sensor_status.hpp"
#include "observe/transport/spool.hpp"
