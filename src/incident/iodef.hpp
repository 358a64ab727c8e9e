// IODEF exchange of incidents (MISSION.md I8): a Kizuna incident written as an IODEF 2 document (RFC 7970),
// and IODEF 2 or IODEF 1 (RFC 5070) documents from partners read as reports. Imports are validated against
// the schemas embedded in the binary (src/incident/schemas/, never fetched); a document that fails names
// the element at fault. DOCTYPEs are refused (no entity expansion, no external loads).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace kizuna::incident {

struct IodefSystem {
    std::string category;                // "source", "target", "intermediate", ...
    std::vector<std::string> addresses;  // ipv4-addr, ipv6-addr, ipv4-net, ipv6-net values as written
    std::vector<std::string> names;      // DomainData/Name, NodeName, site-uri
    std::vector<std::string> ports;      // Service/Port and Portlist entries
    std::string protocol;                // Service/@ip-protocol ("6")
};

struct IodefIncident {
    std::string id;       // IncidentID text
    std::string id_name;  // IncidentID/@name: the issuing CSIRT
    std::string purpose = "reporting";
    std::string restriction = "amber";
    std::string language = "en";
    std::string generation_time;  // RFC 3339 (IODEF 2 GenerationTime; IODEF 1 ReportTime)
    std::string start_time, end_time, detect_time;
    std::string description;
    std::vector<std::string> impact_types;  // Assessment/SystemImpact|Impact/@type
    std::string rsit;                       // "class/type" when the document carries one (Kizuna writes it)
    std::string contact_name;
    std::vector<std::string> contact_emails;
    std::vector<IodefSystem> systems;
    std::vector<std::string> urls;  // Reference/URL and Address category="url"/"site-uri"
};

struct IodefDocument {
    int version = 2;  // 1 or 2
    std::vector<IodefIncident> incidents;
};

// Errors: kTooLarge over 8 MiB; kInvalidArgument with field "iodef" (not XML, DOCTYPE, unknown root or
// version) or "iodef.<Element>" (schema violation at that element, e.g. "iodef.Confidence").
core::Result<IodefDocument> ParseIodef(std::string_view xml);

// One incident as an IODEF 2 document, valid against iodef-2.0 (every text escaped).
std::string RenderIodef2(const IodefIncident& incident);

}  // namespace kizuna::incident
