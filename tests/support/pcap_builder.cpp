#include "support/pcap_builder.hpp"

#include <fstream>
#include <stdexcept>

namespace kizuna::testing {

namespace {

void PutU16(PacketBytes& out, std::uint16_t value) {
    out.push_back(static_cast<std::uint8_t>(value >> 8));
    out.push_back(static_cast<std::uint8_t>(value & 0xFF));
}

void PutLe16(std::string& out, std::uint16_t value) {
    out.push_back(static_cast<char>(value & 0xFF));
    out.push_back(static_cast<char>(value >> 8));
}

void PutLe32(std::string& out, std::uint32_t value) {
    for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<char>((value >> shift) & 0xFF));
}

}  // namespace

PacketBytes Concat(const PacketBytes& first, const PacketBytes& second) {
    PacketBytes out = first;
    out.insert(out.end(), second.begin(), second.end());
    return out;
}

PacketBytes Ethernet(std::uint16_t ethertype, const PacketBytes& payload,
                     const std::vector<std::uint16_t>& vlan_tpids) {
    PacketBytes out = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01,   // destination MAC (sensor)
                       0x02, 0x00, 0x00, 0x00, 0x00, 0x02};  // source MAC (upstream router)
    std::uint16_t vlan_id = 100;
    for (std::uint16_t tpid : vlan_tpids) {
        PutU16(out, tpid);
        PutU16(out, vlan_id++);
    }
    PutU16(out, ethertype);
    return Concat(out, payload);
}

PacketBytes LinuxSll(std::uint16_t protocol, const PacketBytes& payload) {
    PacketBytes out;
    PutU16(out, 0);  // packet type: to us
    PutU16(out, 1);  // ARPHRD_ETHER
    PutU16(out, 6);  // address length
    for (int i = 0; i < 8; ++i) out.push_back(i < 6 ? 0x02 : 0x00);
    PutU16(out, protocol);
    return Concat(out, payload);
}

PacketBytes Ipv4(const Ipv4Spec& spec, const PacketBytes& payload) {
    std::size_t header_size = 20 + spec.options.size();
    std::uint8_t words = spec.header_words.value_or(static_cast<std::uint8_t>(header_size / 4));
    PacketBytes out;
    out.push_back(static_cast<std::uint8_t>(0x40 | (words & 0x0F)));
    out.push_back(0);  // DSCP/ECN
    PutU16(out, spec.total_length.value_or(static_cast<std::uint16_t>(header_size + payload.size())));
    PutU16(out, 0x1234);  // identification
    PutU16(out, spec.flags_and_offset);
    out.push_back(spec.ttl);
    out.push_back(spec.protocol);
    PutU16(out, 0);  // checksum (not verified)
    out.insert(out.end(), spec.source.begin(), spec.source.end());
    out.insert(out.end(), spec.destination.begin(), spec.destination.end());
    out.insert(out.end(), spec.options.begin(), spec.options.end());
    return Concat(out, payload);
}

PacketBytes Ipv6(const Ipv6Spec& spec, const PacketBytes& payload) {
    PacketBytes out = {0x60, 0x00, 0x00, 0x00};  // version 6, traffic class 0, flow label 0
    PutU16(out, spec.payload_length.value_or(static_cast<std::uint16_t>(payload.size())));
    out.push_back(spec.next_header);
    out.push_back(spec.hop_limit);
    out.insert(out.end(), spec.source.begin(), spec.source.end());
    out.insert(out.end(), spec.destination.begin(), spec.destination.end());
    return Concat(out, payload);
}

PacketBytes Ipv6Extension(std::uint8_t next_header, std::size_t size) {
    PacketBytes out(size, 0);
    out[0] = next_header;
    out[1] = static_cast<std::uint8_t>(size / 8 - 1);
    out[2] = 0x01;  // one PadN option filling the rest
    out[3] = static_cast<std::uint8_t>(size - 4);
    return out;
}

PacketBytes Ipv6Fragment(std::uint8_t next_header, std::uint16_t offset_units, bool more_fragments) {
    PacketBytes out = {next_header, 0};
    PutU16(out, static_cast<std::uint16_t>((offset_units << 3) | (more_fragments ? 1 : 0)));
    out.insert(out.end(), {0x00, 0x00, 0xBE, 0xEF});  // identification
    return out;
}

PacketBytes Tcp(std::uint16_t source_port, std::uint16_t destination_port, std::uint8_t flags,
                std::uint8_t header_words) {
    PacketBytes out;
    PutU16(out, source_port);
    PutU16(out, destination_port);
    out.insert(out.end(), {0x11, 0x22, 0x33, 0x44});  // sequence
    out.insert(out.end(), {0x00, 0x00, 0x00, 0x00});  // acknowledgement
    out.push_back(static_cast<std::uint8_t>(header_words << 4));
    out.push_back(flags);
    PutU16(out, 1024);                                                            // window
    PutU16(out, 0);                                                               // checksum
    PutU16(out, 0);                                                               // urgent pointer
    if (header_words > 5) out.resize(out.size() + (header_words - 5) * 4, 0x01);  // NOP options
    return out;
}

PacketBytes Udp(std::uint16_t source_port, std::uint16_t destination_port, const PacketBytes& payload) {
    PacketBytes out;
    PutU16(out, source_port);
    PutU16(out, destination_port);
    PutU16(out, static_cast<std::uint16_t>(8 + payload.size()));
    PutU16(out, 0);
    return Concat(out, payload);
}

PacketBytes Icmp(std::uint8_t type, std::uint8_t code) { return {type, code, 0x00, 0x00, 0x12, 0x34, 0x00, 0x01}; }

namespace {

void WriteFile(const std::string& path, const std::string& bytes) {
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!file) throw std::runtime_error("cannot write " + path);
}

// A pcapng block: type, total length, body padded to 32 bits, total length again.
void PutBlock(std::string& out, std::uint32_t type, std::string body) {
    while (body.size() % 4 != 0) body.push_back('\0');
    auto total = static_cast<std::uint32_t>(body.size() + 12);
    PutLe32(out, type);
    PutLe32(out, total);
    out += body;
    PutLe32(out, total);
}

}  // namespace

void WritePcapngFile(const std::string& path, std::uint16_t link_type, const std::vector<PcapRecord>& records) {
    std::string out;
    std::string section;
    PutLe32(section, 0x1A2B3C4D);  // byte-order magic
    PutLe16(section, 1);           // major
    PutLe16(section, 0);           // minor
    PutLe32(section, 0xFFFFFFFF);  // section length unknown (-1, 64 bits)
    PutLe32(section, 0xFFFFFFFF);
    PutBlock(out, 0x0A0D0D0A, section);
    std::string interface;
    PutLe16(interface, link_type);
    PutLe16(interface, 0);      // reserved
    PutLe32(interface, 65535);  // snap length
    PutBlock(out, 0x00000001, interface);
    for (const auto& record : records) {
        std::string packet;
        auto micros = static_cast<std::uint64_t>(record.micros_since_epoch);
        PutLe32(packet, 0);  // interface id
        PutLe32(packet, static_cast<std::uint32_t>(micros >> 32));
        PutLe32(packet, static_cast<std::uint32_t>(micros & 0xFFFFFFFF));
        PutLe32(packet, static_cast<std::uint32_t>(record.frame.size()));
        PutLe32(packet, record.original_length.value_or(static_cast<std::uint32_t>(record.frame.size())));
        packet.append(record.frame.begin(), record.frame.end());
        PutBlock(out, 0x00000006, packet);
    }
    WriteFile(path, out);
}

void WritePcapFile(const std::string& path, std::uint32_t link_type, const std::vector<PcapRecord>& records,
                   std::uint32_t snap_length) {
    std::string out;
    PutLe32(out, 0xA1B2C3D4);  // magic: microsecond timestamps
    PutLe16(out, 2);           // version major
    PutLe16(out, 4);           // version minor
    PutLe32(out, 0);           // thiszone
    PutLe32(out, 0);           // sigfigs
    PutLe32(out, snap_length);
    PutLe32(out, link_type);
    for (const auto& record : records) {
        PutLe32(out, static_cast<std::uint32_t>(record.micros_since_epoch / 1'000'000));
        PutLe32(out, static_cast<std::uint32_t>(record.micros_since_epoch % 1'000'000));
        PutLe32(out, static_cast<std::uint32_t>(record.frame.size()));
        PutLe32(out, record.original_length.value_or(static_cast<std::uint32_t>(record.frame.size())));
        out.append(record.frame.begin(), record.frame.end());
    }
    WriteFile(path, out);
}

}  // namespace kizuna::testing
