// IODEF 2 (RFC 7970) export of one day's scans from one country (MISSION O5): what a partner CSIRT receives
// about scanners in its constituency. One Incident per document, one EventData per observed event with the
// source address and port, destination port, IP protocol and time. Sensor (destination) addresses are never
// included: publishing them would let scanners avoid the sensors. Valid against the schema in
// ../shared/data/iodef/ (iodef-2.0.xsd; iodef-2.0.local.xsd offline).
#pragma once

#include <string>
#include <vector>

#include "observe/storage/queries.hpp"

namespace kizuna::observe {

struct IodefReport {
    std::string issuer = "kizuna";   // IncidentID@name: the issuing CSIRT's name (a domain, by RFC 7970)
    std::string contact_name;        // optional
    std::string contact_email;       // optional
    CountryCode country = kUnknownCountry;
    PacketTime day;                  // any time within the UTC day
    std::string generated_at;        // RFC 3339 wall time of generation (injected, for deterministic tests)
    std::vector<RawEventRow> events;
};

// The document as UTF-8 XML. All text is escaped.
std::string RenderIodef(const IodefReport& report);

// "203.0.113.9" / "2001:db8::9" for a stored address (IPv4-mapped shown as IPv4).
std::string FormatAddress(const IpAddress& address);

}  // namespace kizuna::observe
