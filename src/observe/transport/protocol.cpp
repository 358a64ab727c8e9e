#include "observe/transport/protocol.hpp"

#include <zlib.h>

#include <bit>
#include <cstddef>
#include <cstring>
#include <limits>
#include <string_view>
#include <tuple>
#include <type_traits>

namespace kizuna::observe::transport {
namespace {

// The record's fields follow each other without gaps and fill it exactly (docs/formats/sensor-protocol.md).
static_assert(wire::kTime == 0 && wire::kSource == wire::kTime + 8 && wire::kDestination == wire::kSource + 16 &&
              wire::kSourcePort == wire::kDestination + 16 && wire::kDestinationPort == wire::kSourcePort + 2 &&
              wire::kIpLength == wire::kDestinationPort + 2 && wire::kProtocol == wire::kIpLength + 2 &&
              wire::kIpVersion == wire::kProtocol + 1 && wire::kTcpFlags == wire::kIpVersion + 1 &&
              wire::kIcmpType == wire::kTcpFlags + 1 && wire::kIcmpCode == wire::kIcmpType + 1 &&
              wire::kTtl == wire::kIcmpCode + 1 && wire::kPackets == wire::kTtl + 1 &&
              wire::kRecordSize == wire::kPackets + 4,
              "wire layout in docs/formats/sensor-protocol.md");
static_assert(std::tuple_size_v<IpAddress> == 16);

// When the host's ScanEvent happens to have exactly the wire layout (little-endian, same offsets, no
// padding), whole batches are copied at once; otherwise field by field. The wire layout is the spec either way.
constexpr bool kWireIsMemoryLayout =
    std::endian::native == std::endian::little && sizeof(ScanEvent) == wire::kRecordSize &&
    std::has_unique_object_representations_v<ScanEvent> && offsetof(ScanEvent, time) == wire::kTime &&
    offsetof(ScanEvent, source) == wire::kSource && offsetof(ScanEvent, destination) == wire::kDestination &&
    offsetof(ScanEvent, source_port) == wire::kSourcePort &&
    offsetof(ScanEvent, destination_port) == wire::kDestinationPort &&
    offsetof(ScanEvent, ip_length) == wire::kIpLength && offsetof(ScanEvent, protocol) == wire::kProtocol &&
    offsetof(ScanEvent, ip_version) == wire::kIpVersion && offsetof(ScanEvent, tcp_flags) == wire::kTcpFlags &&
    offsetof(ScanEvent, icmp_type) == wire::kIcmpType && offsetof(ScanEvent, icmp_code) == wire::kIcmpCode &&
    offsetof(ScanEvent, ttl) == wire::kTtl && offsetof(ScanEvent, packets) == wire::kPackets;

// Little-endian stores and loads, independent of the host's byte order (compile to plain moves on x86).
template <typename T>
void StoreLe(std::uint8_t* at, T value) {
    using U = std::make_unsigned_t<T>;
    auto bits = static_cast<U>(value);
    for (std::size_t i = 0; i < sizeof(T); ++i) at[i] = static_cast<std::uint8_t>(bits >> (8 * i));
}
template <typename T>
T LoadLe(const std::uint8_t* at) {
    using U = std::make_unsigned_t<T>;
    U bits = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) bits = static_cast<U>(bits | (static_cast<U>(at[i]) << (8 * i)));
    return static_cast<T>(bits);
}

constexpr std::uint8_t kMagic0 = 'K';
constexpr std::uint8_t kMagic1 = 'Z';
constexpr std::size_t kBatchFixedBytes = 16;  // sequence u64, count u32, crc u32

std::size_t MaxBodyBytes(FrameType type) {
    switch (type) {
        case FrameType::kHello:
            return 2 + 2 + kMaxNameBytes + 2 + kMaxCredentialBytes;
        case FrameType::kWelcome:
            return 2 + 8;
        case FrameType::kBatch:
            return kBatchFixedBytes + std::size_t{kMaxBatchEvents} * kEventWireSize;
        case FrameType::kAck:
            return 8;
        case FrameType::kHeartbeat:
            return 8 * 5 + 2 + kMaxAnomalyNames * (1 + kMaxAnomalyNameBytes + 8);
        case FrameType::kError:
            return 2 + 2 + kMaxErrorMessageBytes;
    }
    return 0;
}

core::Error Malformed(std::string_view what) {
    return core::InvalidArgument("malformed frame: " + std::string(what), "frame");
}

// Bounds-checked little-endian reader over a body.
class Reader {
  public:
    explicit Reader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}

    bool Has(std::size_t n) const { return bytes_.size() - offset_ >= n; }
    std::size_t remaining() const { return bytes_.size() - offset_; }

    template <typename T>
    bool Read(T& value) {
        if (!Has(sizeof(T))) return false;
        std::memcpy(&value, bytes_.data() + offset_, sizeof(T));
        offset_ += sizeof(T);
        return true;
    }
    bool ReadString(std::size_t length, std::string& out) {
        if (!Has(length)) return false;
        out.assign(reinterpret_cast<const char*>(bytes_.data() + offset_), length);
        offset_ += length;
        return true;
    }
    std::span<const std::uint8_t> Take(std::size_t length) {
        auto view = bytes_.subspan(offset_, length);
        offset_ += length;
        return view;
    }

  private:
    std::span<const std::uint8_t> bytes_;
    std::size_t offset_ = 0;
};

template <typename T>
void Put(std::vector<std::uint8_t>& out, T value) {
    const auto at = out.size();
    out.resize(at + sizeof(T));
    std::memcpy(out.data() + at, &value, sizeof(T));
}

void PutString(std::vector<std::uint8_t>& out, std::string_view text) {
    out.insert(out.end(), text.begin(), text.end());
}

// Starts a frame; returns the offset of the length field to patch with FinishFrame.
std::size_t BeginFrame(std::vector<std::uint8_t>& out, FrameType type) {
    out.push_back(kMagic0);
    out.push_back(kMagic1);
    out.push_back(static_cast<std::uint8_t>(type));
    out.push_back(0);
    const auto length_at = out.size();
    Put<std::uint32_t>(out, 0);
    return length_at;
}

void FinishFrame(std::vector<std::uint8_t>& out, std::size_t length_at) {
    const auto body_length = static_cast<std::uint32_t>(out.size() - length_at - 4);
    std::memcpy(out.data() + length_at, &body_length, 4);
}

bool ValidName(std::string_view name) {
    if (name.empty() || name.size() > kMaxNameBytes) return false;
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        if (!ok) return false;
    }
    return true;
}

core::Result<Message> ParseHello(Reader& in) {
    Hello hello;
    std::uint16_t name_length = 0, credential_length = 0;
    if (!in.Read(hello.version) || !in.Read(name_length)) return Malformed("hello: truncated");
    if (name_length > kMaxNameBytes) return Malformed("hello: sensor name longer than 64 bytes");
    if (!in.ReadString(name_length, hello.sensor)) return Malformed("hello: truncated sensor name");
    if (!ValidName(hello.sensor)) return Malformed("hello: sensor name must be 1-64 of a-z 0-9 . _ -");
    if (!in.Read(credential_length)) return Malformed("hello: truncated");
    if (credential_length > kMaxCredentialBytes) return Malformed("hello: credential longer than 256 bytes");
    if (!in.ReadString(credential_length, hello.credential)) return Malformed("hello: truncated credential");
    return Message{std::move(hello)};
}

core::Result<Message> ParseBatch(Reader& in) {
    Batch batch;
    std::uint32_t count = 0, crc = 0;
    if (!in.Read(batch.sequence) || !in.Read(count) || !in.Read(crc)) return Malformed("batch: truncated");
    if (batch.sequence == 0) return Malformed("batch: sequence number 0");
    if (count > kMaxBatchEvents) return Malformed("batch: more than 65536 events");
    if (in.remaining() != std::size_t{count} * kEventWireSize)
        return Malformed("batch: body length does not match the event count");
    auto records = in.Take(std::size_t{count} * kEventWireSize);
    if (Crc32(records) != crc) return Malformed("batch: checksum mismatch");
    ReadEventRecords(records, batch.events);
    for (std::size_t i = 0; i < batch.events.size(); ++i) {
        const auto& event = batch.events[i];
        const auto proto = static_cast<std::uint8_t>(event.protocol);
        const bool proto_ok = proto == 1 || proto == 6 || proto == 17 || proto == 58;
        if (!proto_ok || (event.ip_version != 4 && event.ip_version != 6))
            return Malformed("batch: event " + std::to_string(i) + " has an unknown protocol or IP version");
    }
    return Message{std::move(batch)};
}

core::Result<Message> ParseHeartbeat(Reader& in) {
    Heartbeat beat;
    std::uint16_t anomaly_count = 0;
    if (!in.Read(beat.up_from_micros) || !in.Read(beat.up_to_micros) || !in.Read(beat.packets_received) ||
        !in.Read(beat.packets_dropped) || !in.Read(beat.interface_dropped) || !in.Read(anomaly_count))
        return Malformed("heartbeat: truncated");
    if (beat.up_to_micros < beat.up_from_micros) return Malformed("heartbeat: uptime interval ends before it starts");
    if (anomaly_count > kMaxAnomalyNames) return Malformed("heartbeat: more than 64 anomaly counters");
    for (std::uint16_t i = 0; i < anomaly_count; ++i) {
        std::uint8_t name_length = 0;
        std::string name;
        std::uint64_t count = 0;
        if (!in.Read(name_length)) return Malformed("heartbeat: truncated anomaly");
        if (name_length == 0 || name_length > kMaxAnomalyNameBytes) return Malformed("heartbeat: bad anomaly name");
        if (!in.ReadString(name_length, name) || !in.Read(count)) return Malformed("heartbeat: truncated anomaly");
        for (char c : name)
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
                return Malformed("heartbeat: anomaly names are a-z 0-9 _");
        beat.anomalies.emplace_back(std::move(name), count);
    }
    return Message{std::move(beat)};
}

core::Result<Message> ParseError(Reader& in) {
    ErrorMessage error;
    std::uint16_t kind = 0, length = 0;
    if (!in.Read(kind) || !in.Read(length)) return Malformed("error: truncated");
    if (kind < 1 || kind > 4) return Malformed("error: unknown error kind");
    if (length > kMaxErrorMessageBytes) return Malformed("error: message longer than 1024 bytes");
    if (!in.ReadString(length, error.message)) return Malformed("error: truncated message");
    error.kind = static_cast<ErrorKind>(kind);
    return Message{std::move(error)};
}

}  // namespace

core::Result<FrameHeader> ParseHeader(std::span<const std::uint8_t> header) {
    if (header.size() < kHeaderSize) return Malformed("short header");
    if (header[0] != kMagic0 || header[1] != kMagic1) return Malformed("bad magic (not a Kizuna sensor stream)");
    const auto type = header[2];
    if (type < 1 || type > 6) return Malformed("unknown frame type " + std::to_string(type));
    if (header[3] != 0) return Malformed("reserved byte not 0");
    std::uint32_t length = 0;
    std::memcpy(&length, header.data() + 4, 4);
    const auto frame_type = static_cast<FrameType>(type);
    if (length > MaxBodyBytes(frame_type))
        return core::Error(core::ErrorCode::kTooLarge,
                           "frame body of " + std::to_string(length) + " bytes over the bound for its type", "frame");
    return FrameHeader{frame_type, length};
}

core::Result<Message> ParseBody(FrameType type, std::span<const std::uint8_t> body) {
    if (body.size() > MaxBodyBytes(type)) return Malformed("body over the bound for its type");
    Reader in(body);
    core::Result<Message> parsed = Malformed("unknown frame type");
    switch (type) {
        case FrameType::kHello:
            parsed = ParseHello(in);
            break;
        case FrameType::kWelcome: {
            Welcome welcome;
            if (!in.Read(welcome.version) || !in.Read(welcome.last_sequence)) return Malformed("welcome: truncated");
            parsed = Message{welcome};
            break;
        }
        case FrameType::kBatch:
            parsed = ParseBatch(in);
            break;
        case FrameType::kAck: {
            Ack ack;
            if (!in.Read(ack.sequence)) return Malformed("ack: truncated");
            parsed = Message{ack};
            break;
        }
        case FrameType::kHeartbeat:
            parsed = ParseHeartbeat(in);
            break;
        case FrameType::kError:
            parsed = ParseError(in);
            break;
    }
    if (parsed.ok() && in.remaining() != 0) return Malformed("trailing bytes after the message");
    return parsed;
}

core::Result<Decoded> DecodeFrame(std::span<const std::uint8_t> buffer) {
    if (buffer.size() < kHeaderSize) return Decoded{0, Message{Ack{}}};
    KZ_ASSIGN(auto header, ParseHeader(buffer.first(kHeaderSize)));
    if (buffer.size() - kHeaderSize < header.body_length) return Decoded{0, Message{Ack{}}};
    KZ_ASSIGN(auto message, ParseBody(header.type, buffer.subspan(kHeaderSize, header.body_length)));
    return Decoded{kHeaderSize + header.body_length, std::move(message)};
}

void WriteEventRecord(const ScanEvent& e, std::uint8_t* r) {
    StoreLe(r + wire::kTime, e.time.micros_since_epoch);
    std::memcpy(r + wire::kSource, e.source.data(), 16);
    std::memcpy(r + wire::kDestination, e.destination.data(), 16);
    StoreLe(r + wire::kSourcePort, e.source_port);
    StoreLe(r + wire::kDestinationPort, e.destination_port);
    StoreLe(r + wire::kIpLength, e.ip_length);
    r[wire::kProtocol] = static_cast<std::uint8_t>(e.protocol);
    r[wire::kIpVersion] = e.ip_version;
    r[wire::kTcpFlags] = e.tcp_flags;
    r[wire::kIcmpType] = e.icmp_type;
    r[wire::kIcmpCode] = e.icmp_code;
    r[wire::kTtl] = e.ttl;
    StoreLe(r + wire::kPackets, e.packets);
}

ScanEvent ReadEventRecord(const std::uint8_t* r) {
    ScanEvent e;
    e.time.micros_since_epoch = LoadLe<std::int64_t>(r + wire::kTime);
    std::memcpy(e.source.data(), r + wire::kSource, 16);
    std::memcpy(e.destination.data(), r + wire::kDestination, 16);
    e.source_port = LoadLe<std::uint16_t>(r + wire::kSourcePort);
    e.destination_port = LoadLe<std::uint16_t>(r + wire::kDestinationPort);
    e.ip_length = LoadLe<std::uint16_t>(r + wire::kIpLength);
    e.protocol = static_cast<Protocol>(r[wire::kProtocol]);
    e.ip_version = r[wire::kIpVersion];
    e.tcp_flags = r[wire::kTcpFlags];
    e.icmp_type = r[wire::kIcmpType];
    e.icmp_code = r[wire::kIcmpCode];
    e.ttl = r[wire::kTtl];
    e.packets = LoadLe<std::uint32_t>(r + wire::kPackets);
    return e;
}

void AppendEventRecords(std::span<const ScanEvent> events, std::vector<std::uint8_t>& out) {
    const auto at = out.size();
    out.resize(at + events.size() * kEventWireSize);
    std::uint8_t* record = out.data() + at;
    if constexpr (kWireIsMemoryLayout) {
        if (!events.empty()) std::memcpy(record, events.data(), events.size() * kEventWireSize);
        return;
    }
    for (const auto& event : events) {
        WriteEventRecord(event, record);
        record += kEventWireSize;
    }
}

void ReadEventRecords(std::span<const std::uint8_t> bytes, std::vector<ScanEvent>& out) {
    const auto count = bytes.size() / kEventWireSize;
    if constexpr (kWireIsMemoryLayout) {
        const auto at = out.size();
        out.resize(at + count);
        if (count != 0) std::memcpy(static_cast<void*>(out.data() + at), bytes.data(), count * kEventWireSize);
        return;
    }
    out.reserve(out.size() + count);
    for (std::size_t i = 0; i < count; ++i) out.push_back(ReadEventRecord(bytes.data() + i * kEventWireSize));
}

std::uint32_t Crc32(std::span<const std::uint8_t> bytes) {
    uLong crc = crc32(0L, Z_NULL, 0);
    // zlib takes uInt lengths; feed in chunks so spans over 4 GiB stay correct.
    constexpr std::size_t kChunk = std::size_t{1} << 30;
    for (std::size_t at = 0; at < bytes.size(); at += kChunk) {
        const auto n = std::min(kChunk, bytes.size() - at);
        crc = crc32(crc, bytes.data() + at, static_cast<uInt>(n));
    }
    return static_cast<std::uint32_t>(crc);
}

void EncodeBatch(std::uint64_t sequence, std::span<const ScanEvent> events, std::vector<std::uint8_t>& out) {
    const auto length_at = BeginFrame(out, FrameType::kBatch);
    Put(out, sequence);
    Put(out, static_cast<std::uint32_t>(events.size()));
    const auto crc_at = out.size();
    Put<std::uint32_t>(out, 0);
    const auto records_at = out.size();
    AppendEventRecords(events, out);
    const auto crc = Crc32(std::span(out).subspan(records_at));
    std::memcpy(out.data() + crc_at, &crc, 4);
    FinishFrame(out, length_at);
}

void Encode(const Message& message, std::vector<std::uint8_t>& out) {
    if (const auto* batch = std::get_if<Batch>(&message)) {
        EncodeBatch(batch->sequence, batch->events, out);
        return;
    }
    std::size_t length_at = 0;
    if (const auto* hello = std::get_if<Hello>(&message)) {
        length_at = BeginFrame(out, FrameType::kHello);
        Put(out, hello->version);
        Put(out, static_cast<std::uint16_t>(hello->sensor.size()));
        PutString(out, hello->sensor);
        Put(out, static_cast<std::uint16_t>(hello->credential.size()));
        PutString(out, hello->credential);
    } else if (const auto* welcome = std::get_if<Welcome>(&message)) {
        length_at = BeginFrame(out, FrameType::kWelcome);
        Put(out, welcome->version);
        Put(out, welcome->last_sequence);
    } else if (const auto* ack = std::get_if<Ack>(&message)) {
        length_at = BeginFrame(out, FrameType::kAck);
        Put(out, ack->sequence);
    } else if (const auto* beat = std::get_if<Heartbeat>(&message)) {
        length_at = BeginFrame(out, FrameType::kHeartbeat);
        Put(out, beat->up_from_micros);
        Put(out, beat->up_to_micros);
        Put(out, beat->packets_received);
        Put(out, beat->packets_dropped);
        Put(out, beat->interface_dropped);
        Put(out, static_cast<std::uint16_t>(beat->anomalies.size()));
        for (const auto& [name, count] : beat->anomalies) {
            Put(out, static_cast<std::uint8_t>(name.size()));
            PutString(out, name);
            Put(out, count);
        }
    } else if (const auto* error = std::get_if<ErrorMessage>(&message)) {
        length_at = BeginFrame(out, FrameType::kError);
        Put(out, static_cast<std::uint16_t>(error->kind));
        const auto text = std::string_view(error->message).substr(0, kMaxErrorMessageBytes);
        Put(out, static_cast<std::uint16_t>(text.size()));
        PutString(out, text);
    }
    FinishFrame(out, length_at);
}

}  // namespace kizuna::observe::transport
