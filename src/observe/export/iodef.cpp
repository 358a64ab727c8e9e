#include "observe/export/iodef.hpp"

#include "formats/xml.hpp"

#include <arpa/inet.h>

#include <cstring>

namespace kizuna::observe {

namespace {

bool IsIpv4Mapped(const IpAddress& a) {
    static constexpr std::uint8_t kPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
    return std::memcmp(a.data(), kPrefix, 12) == 0;
}

std::string Escape(std::string_view text) { return formats::XmlEscape(text); }

void AppendSystem(std::string& out, const char* category, const std::string* address, const char* address_category,
                  const RawEventRow& row, bool source) {
    const ScanEvent& e = row.event;
    out += "        <System category=\"";
    out += category;
    out += "\">\n";
    if (address != nullptr) {
        out += "          <Node><Address category=\"";
        out += address_category;
        out += "\">" + Escape(*address) + "</Address></Node>\n";
    } else {
        // The sensor's address stays confidential; RFC 7970 requires a Node, so say that it is withheld.
        out += "          <Node><Address category=\"ext-value\" ext-category=\"withheld\">sensor</Address></Node>\n";
    }
    out += "          <Service ip-protocol=\"" + std::to_string(static_cast<int>(e.protocol)) + "\">";
    bool has_ports = e.protocol == Protocol::kTcp || e.protocol == Protocol::kUdp;
    if (has_ports) {
        out += "<Port>" + std::to_string(source ? e.source_port : e.destination_port) + "</Port>";
    } else if (!source) {
        // RFC 7970 orders ProtoCode before ProtoType.
        out += "<ProtoCode>" + std::to_string(e.icmp_code) + "</ProtoCode><ProtoType>" + std::to_string(e.icmp_type) +
               "</ProtoType>";
    }
    out += "</Service>\n";
    out += "        </System>\n";
}

}  // namespace

std::string FormatAddress(const IpAddress& address) {
    char buf[INET6_ADDRSTRLEN] = {};
    if (IsIpv4Mapped(address)) {
        inet_ntop(AF_INET, address.data() + 12, buf, sizeof buf);
    } else {
        inet_ntop(AF_INET6, address.data(), buf, sizeof buf);
    }
    return buf;
}

std::string RenderIodef(const IodefReport& report) {
    std::string country(report.country.begin(), report.country.end());
    std::string date = FormatDate(report.day);
    std::string out;
    out.reserve(512 + report.events.size() * 700);
    out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out += "<IODEF-Document xmlns=\"urn:ietf:params:xml:ns:iodef-2.0\" version=\"2.00\" xml:lang=\"en\">\n";
    out += "  <Incident purpose=\"reporting\" restriction=\"amber\">\n";
    out += "    <IncidentID name=\"" + Escape(report.issuer) + "\">scan-" + Escape(country) + "-" + date + "</IncidentID>\n";
    if (!report.events.empty()) {
        out += "    <StartTime>" + FormatTimestamp(report.events.front().event.time) + "</StartTime>\n";
        out += "    <EndTime>" + FormatTimestamp(report.events.back().event.time) + "</EndTime>\n";
    }
    out += "    <GenerationTime>" + Escape(report.generated_at) + "</GenerationTime>\n";
    out += "    <Description>Unsolicited packets (scans) from sources in " + Escape(country) +
           " observed by the center's sensors on " + date + " (UTC): " + std::to_string(report.events.size()) +
           " events.</Description>\n";
    out += "    <Contact type=\"organization\" role=\"creator\">\n";
    if (!report.contact_name.empty()) out += "      <ContactName>" + Escape(report.contact_name) + "</ContactName>\n";
    if (!report.contact_email.empty()) {
        out += "      <Email><EmailTo>" + Escape(report.contact_email) + "</EmailTo></Email>\n";
    }
    out += "    </Contact>\n";
    for (const RawEventRow& row : report.events) {
        const ScanEvent& e = row.event;
        std::string source = FormatAddress(e.source);
        const char* category = IsIpv4Mapped(e.source) ? "ipv4-addr" : "ipv6-addr";
        out += "    <EventData>\n";
        out += "      <DetectTime>" + FormatTimestamp(e.time) + "</DetectTime>\n";
        out += "      <Flow>\n";
        AppendSystem(out, "source", &source, category, row, true);
        AppendSystem(out, "target", nullptr, nullptr, row, false);
        out += "      </Flow>\n";
        out += "    </EventData>\n";
    }
    out += "  </Incident>\n";
    out += "</IODEF-Document>\n";
    return out;
}

}  // namespace kizuna::observe
