// Row access and row filtering over decoded event columns (no I/O; shared with the segment fuzzer).
#include "observe/storage/event_store.hpp"

namespace kizuna::observe {

ScanEvent EventColumns::Row(std::size_t i) const {
    ScanEvent e;
    e.time = PacketTime{time_micros[i]};
    e.source = source[i];
    e.destination = destination[i];
    e.source_port = source_port[i];
    e.destination_port = destination_port[i];
    e.ip_length = ip_length[i];
    e.protocol = static_cast<Protocol>(protocol[i]);
    e.ip_version = ip_version[i];
    e.tcp_flags = tcp_flags[i];
    e.icmp_type = icmp_type[i];
    e.icmp_code = icmp_code[i];
    e.ttl = ttl[i];
    e.packets = packets[i];
    return e;
}

ColumnSet ScanFilter::EffectiveColumns() const {
    ColumnSet set = columns & kAllColumns;
    if (range.from.micros_since_epoch != INT64_MIN || range.to.micros_since_epoch != INT64_MAX) set |= column::kTime;
    if (protocol) set |= column::kProtocol;
    if (destination_port) set |= column::kDestinationPort;
    if (country) set |= column::kCountry;
    return set;
}

bool ScanFilter::Matches(const EventColumns& c, std::size_t row) const {
    bool bounded = range.from.micros_since_epoch != INT64_MIN || range.to.micros_since_epoch != INT64_MAX;
    if (bounded && !range.Contains(PacketTime{c.time_micros[row]})) return false;
    if (protocol && c.protocol[row] != static_cast<std::uint8_t>(*protocol)) return false;
    if (destination_port && c.destination_port[row] != *destination_port) return false;
    if (country && c.country[row] != *country) return false;
    if (sensor && c.sensor != *sensor) return false;
    return true;
}

}  // namespace kizuna::observe
