// Sensor transport framing (docs/formats/sensor-protocol.md): the binary messages a kizuna-sensor and the
// collector exchange over TLS. Every frame is an 8-byte header (magic "KZ", type, reserved 0, body length)
// followed by the body. Lengths are checked against a per-type bound before anything is allocated, and
// every body is parsed with bounds checks: a decoder never trusts a length it has not checked.
//
// Messages:
//   hello     sensor -> collector  protocol version, sensor name, credential (an API token of a `sensor` user)
//   welcome   collector -> sensor  protocol version, the last sequence number stored for this sensor
//   batch     sensor -> collector  sequence number, event count, CRC-32 of the events, the events
//   ack       collector -> sensor  sequence number of a batch that is durable (or was already stored)
//   heartbeat sensor -> collector  uptime interval, pcap counters, anomaly counters
//   error     either direction     a code and a message; the sender closes the connection after it
//
// Thread-safety: pure functions over caller-owned buffers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/result.hpp"
#include "observe/capture/scan_event.hpp"

namespace kizuna::observe::transport {

inline constexpr std::uint16_t kProtocolVersion = 1;
inline constexpr std::size_t kHeaderSize = 8;
// The event record on the wire and in the spool (docs/formats/sensor-protocol.md, "Event record"): a fixed
// 56-byte little-endian layout of its own, written and read field by field, so the protocol does not change
// when observe::ScanEvent's in-memory layout does. Offsets are contiguous (checked in transport.cpp).
namespace wire {
inline constexpr std::size_t kTime = 0;              // i64 packet time, µs since the epoch (UTC)
inline constexpr std::size_t kSource = 8;            // 16 bytes, network order (IPv4 as ::ffff:a.b.c.d)
inline constexpr std::size_t kDestination = 24;      // 16 bytes, network order
inline constexpr std::size_t kSourcePort = 40;       // u16
inline constexpr std::size_t kDestinationPort = 42;  // u16
inline constexpr std::size_t kIpLength = 44;         // u16
inline constexpr std::size_t kProtocol = 46;         // u8 (1, 6, 17, 58)
inline constexpr std::size_t kIpVersion = 47;        // u8 (4, 6)
inline constexpr std::size_t kTcpFlags = 48;         // u8
inline constexpr std::size_t kIcmpType = 49;         // u8
inline constexpr std::size_t kIcmpCode = 50;         // u8
inline constexpr std::size_t kTtl = 51;              // u8
inline constexpr std::size_t kPackets = 52;          // u32
inline constexpr std::size_t kRecordSize = 56;
}  // namespace wire
inline constexpr std::size_t kEventWireSize = wire::kRecordSize;
// Bounds (the decoder rejects anything larger before reading it).
inline constexpr std::uint32_t kMaxBatchEvents = 65536;
inline constexpr std::size_t kMaxNameBytes = 64;
inline constexpr std::size_t kMaxCredentialBytes = 256;
inline constexpr std::size_t kMaxAnomalyNames = 64;
inline constexpr std::size_t kMaxAnomalyNameBytes = 64;
inline constexpr std::size_t kMaxErrorMessageBytes = 1024;

enum class FrameType : std::uint8_t {
    kHello = 1,
    kWelcome = 2,
    kBatch = 3,
    kAck = 4,
    kHeartbeat = 5,
    kError = 6,
};

struct Hello {
    std::uint16_t version = kProtocolVersion;
    std::string sensor;
    std::string credential;
    friend bool operator==(const Hello&, const Hello&) = default;
};

struct Welcome {
    std::uint16_t version = kProtocolVersion;
    std::uint64_t last_sequence = 0;  // 0: nothing stored yet for this sensor
    friend bool operator==(const Welcome&, const Welcome&) = default;
};

struct Batch {
    std::uint64_t sequence = 0;  // >= 1, increasing per sensor
    std::vector<ScanEvent> events;
    friend bool operator==(const Batch&, const Batch&) = default;
};

struct Ack {
    std::uint64_t sequence = 0;
    friend bool operator==(const Ack&, const Ack&) = default;
};

struct Heartbeat {
    std::int64_t up_from_micros = 0;  // wall time (UTC microseconds): the sensor was capturing from ...
    std::int64_t up_to_micros = 0;    // ... to here without interruption
    std::uint64_t packets_received = 0;   // pcap_stats ps_recv (cumulative since the sensor started)
    std::uint64_t packets_dropped = 0;    // pcap_stats ps_drop
    std::uint64_t interface_dropped = 0;  // pcap_stats ps_ifdrop
    std::vector<std::pair<std::string, std::uint64_t>> anomalies;  // cumulative named decoder anomalies
    friend bool operator==(const Heartbeat&, const Heartbeat&) = default;
};

enum class ErrorKind : std::uint16_t {
    kProtocol = 1,        // malformed frame or unexpected message
    kUnauthenticated = 2, // unknown, revoked or mismatched credential
    kVersion = 3,         // unsupported protocol version
    kUnavailable = 4,     // the collector cannot store now; retry later
};

struct ErrorMessage {
    ErrorKind kind = ErrorKind::kProtocol;
    std::string message;
    friend bool operator==(const ErrorMessage&, const ErrorMessage&) = default;
};

using Message = std::variant<Hello, Welcome, Batch, Ack, Heartbeat, ErrorMessage>;

struct FrameHeader {
    FrameType type;
    std::uint32_t body_length;
};

// Validates magic, type, reserved byte and the body length against the type's bound.
// REQUIRES: header.size() == kHeaderSize. Errors are kInvalidArgument (field "frame") or kTooLarge.
core::Result<FrameHeader> ParseHeader(std::span<const std::uint8_t> header);

// Parses the body of a frame whose header was accepted by ParseHeader.
core::Result<Message> ParseBody(FrameType type, std::span<const std::uint8_t> body);

// Parses one complete frame at the start of `buffer`. Returns the message and the bytes consumed, or
// {nullopt-like} consumed == 0 when the buffer does not yet hold a whole frame.
struct Decoded {
    std::size_t consumed = 0;  // 0: need more bytes
    Message message;
};
core::Result<Decoded> DecodeFrame(std::span<const std::uint8_t> buffer);

// Appends the encoded frame to `out`. REQUIRES: the message is within the bounds above.
void Encode(const Message& message, std::vector<std::uint8_t>& out);

// Encodes a batch frame straight from an event span (no copy into a Batch).
void EncodeBatch(std::uint64_t sequence, std::span<const ScanEvent> events, std::vector<std::uint8_t>& out);

// The 56-byte little-endian event records (wire:: above); the wire form of the spool too.
void AppendEventRecords(std::span<const ScanEvent> events, std::vector<std::uint8_t>& out);
// REQUIRES: bytes.size() is a multiple of kEventWireSize.
void ReadEventRecords(std::span<const std::uint8_t> bytes, std::vector<ScanEvent>& out);
// One record at `record` (kEventWireSize bytes) to and from an event.
void WriteEventRecord(const ScanEvent& event, std::uint8_t* record);
ScanEvent ReadEventRecord(const std::uint8_t* record);

// CRC-32 (ISO-HDLC, as zlib and gzip) of `bytes`.
std::uint32_t Crc32(std::span<const std::uint8_t> bytes);

}  // namespace kizuna::observe::transport
