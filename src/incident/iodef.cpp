#include "incident/iodef.hpp"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>

#include <cstring>
#include <memory>
#include <mutex>

#include "formats/xml.hpp"
#include "incident/internal/schemas.hpp"

namespace kizuna::incident {
namespace {

constexpr std::size_t kMaxDocument = 8u << 20;
constexpr std::string_view kNs2 = "urn:ietf:params:xml:ns:iodef-2.0";
constexpr std::string_view kNs1 = "urn:ietf:params:xml:ns:iodef-1.0";

// Schemas import each other by file name; answer those names from the embedded copies and nothing else
// (no file, no network: a document cannot make the parser load anything).
xmlParserInputPtr EmbeddedOnly(const char* url, const char* /*id*/, xmlParserCtxtPtr ctxt) {
    if (url == nullptr) return nullptr;
    std::string_view name(url);
    if (auto slash = name.rfind('/'); slash != std::string_view::npos) name.remove_prefix(slash + 1);
    if (auto content = detail::EmbeddedSchema(name))
        return xmlNewStringInputStream(ctxt, reinterpret_cast<const xmlChar*>(content->data()));
    return nullptr;
}

struct SchemaDeleter {
    void operator()(xmlSchema* s) const { xmlSchemaFree(s); }
};
using SchemaPtr = std::unique_ptr<xmlSchema, SchemaDeleter>;

struct DocDeleter {
    void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
using DocPtr = std::unique_ptr<xmlDoc, DocDeleter>;

xmlSchema* LoadSchema(std::string_view name) {
    auto content = detail::EmbeddedSchema(name);
    if (!content) return nullptr;
    // The URL gives relative imports their base; the loader answers them.
    xmlSchemaParserCtxtPtr ctxt = xmlSchemaNewMemParserCtxt(content->data(), static_cast<int>(content->size()));
    if (ctxt == nullptr) return nullptr;
    xmlSchemaSetParserStructuredErrors(ctxt, [](void*, xmlErrorPtr) {}, nullptr);
    xmlSchema* schema = xmlSchemaParse(ctxt);
    xmlSchemaFreeParserCtxt(ctxt);
    return schema;
}

// Parsed once per process; libxml2 schemas are read-only after parsing and safe to share for validation.
const xmlSchema* Schema(int version) {
    static std::once_flag once;
    static SchemaPtr v1, v2;
    std::call_once(once, [] {
        xmlInitParser();
        xmlSetExternalEntityLoader(EmbeddedOnly);
        v2.reset(LoadSchema("iodef-2.0.local.xsd"));
        v1.reset(LoadSchema("iodef-1.0.sci.xsd"));
    });
    return version == 1 ? v1.get() : v2.get();
}

std::string_view Name(const xmlNode* n) { return reinterpret_cast<const char*>(n->name); }

std::string Text(const xmlNode* n) {
    xmlChar* content = xmlNodeGetContent(n);
    std::string out = content ? reinterpret_cast<const char*>(content) : "";
    xmlFree(content);
    // Trim the indentation documents put around values.
    const auto first = out.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return {};
    const auto last = out.find_last_not_of(" \t\r\n");
    return out.substr(first, last - first + 1);
}

std::string Attr(const xmlNode* n, const char* name) {
    xmlChar* value = xmlGetProp(n, reinterpret_cast<const xmlChar*>(name));
    std::string out = value ? reinterpret_cast<const char*>(value) : "";
    xmlFree(value);
    return out;
}

template <typename F>
void Children(const xmlNode* n, std::string_view name, F&& f) {
    for (const xmlNode* c = n->children; c != nullptr; c = c->next)
        if (c->type == XML_ELEMENT_NODE && Name(c) == name) f(c);
}

template <typename F>
void Descendants(const xmlNode* n, std::string_view name, F&& f) {
    for (const xmlNode* c = n->children; c != nullptr; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        if (Name(c) == name) f(c);
        Descendants(c, name, f);
    }
}

void ReadSystem(const xmlNode* system, IodefIncident& incident) {
    IodefSystem s;
    s.category = Attr(system, "category");
    Descendants(system, "Address", [&](const xmlNode* a) {
        const std::string category = Attr(a, "category");
        const std::string value = Text(a);
        if (category == "site-uri" || category == "url") {
            s.names.push_back(value);
            incident.urls.push_back(value);
        } else if (category.starts_with("ipv4") || category.starts_with("ipv6")) {
            s.addresses.push_back(value);
        }
    });
    Descendants(system, "Name", [&](const xmlNode* n) { s.names.push_back(Text(n)); });      // DomainData/Name
    Descendants(system, "NodeName", [&](const xmlNode* n) { s.names.push_back(Text(n)); });  // IODEF 1
    Descendants(system, "Service", [&](const xmlNode* service) {
        if (s.protocol.empty()) s.protocol = Attr(service, "ip_protocol").empty() ? Attr(service, "ip-protocol")
                                                                                  : Attr(service, "ip_protocol");
        Children(service, "Port", [&](const xmlNode* p) { s.ports.push_back(Text(p)); });
        Children(service, "Portlist", [&](const xmlNode* p) { s.ports.push_back(Text(p)); });
    });
    incident.systems.push_back(std::move(s));
}

IodefIncident ReadIncident(const xmlNode* node, int version) {
    IodefIncident out;
    out.purpose = Attr(node, "purpose");
    out.restriction = Attr(node, "restriction");
    Children(node, "IncidentID", [&](const xmlNode* n) {
        out.id = Text(n);
        out.id_name = Attr(n, "name");
    });
    Children(node, version == 1 ? "ReportTime" : "GenerationTime", [&](const xmlNode* n) { out.generation_time = Text(n); });
    Children(node, "StartTime", [&](const xmlNode* n) { out.start_time = Text(n); });
    Children(node, "EndTime", [&](const xmlNode* n) { out.end_time = Text(n); });
    Children(node, "DetectTime", [&](const xmlNode* n) { out.detect_time = Text(n); });
    Children(node, "Description", [&](const xmlNode* n) {
        if (!out.description.empty()) out.description += "\n";
        out.description += Text(n);
    });
    Children(node, "Assessment", [&](const xmlNode* a) {
        for (const char* impact : {"Impact", "SystemImpact", "BusinessImpact"})
            Children(a, impact, [&](const xmlNode* i) {
                if (auto type = Attr(i, "type"); !type.empty()) out.impact_types.push_back(type);
            });
    });
    Children(node, "Contact", [&](const xmlNode* c) {
        if (out.contact_name.empty()) Children(c, "ContactName", [&](const xmlNode* n) { out.contact_name = Text(n); });
        Descendants(c, "EmailTo", [&](const xmlNode* e) { out.contact_emails.push_back(Text(e)); });
        if (version == 1) Children(c, "Email", [&](const xmlNode* e) { out.contact_emails.push_back(Text(e)); });
    });
    Descendants(node, "System", [&](const xmlNode* s) { ReadSystem(s, out); });
    Descendants(node, "URL", [&](const xmlNode* u) { out.urls.push_back(Text(u)); });
    Descendants(node, "AdditionalData", [&](const xmlNode* d) {
        if (Attr(d, "meaning") == "rsit") out.rsit = Text(d);
    });
    return out;
}

struct ValidationError {
    std::string element;
    std::string message;
};

void OnValidationError(void* user, xmlErrorPtr error) {
    auto* first = static_cast<ValidationError*>(user);
    if (!first->message.empty() || error == nullptr) return;
    if (error->node != nullptr) {
        const auto* node = static_cast<const xmlNode*>(error->node);
        if (node->name) first->element = reinterpret_cast<const char*>(node->name);
    }
    first->message = error->message ? error->message : "schema violation";
    while (!first->message.empty() && (first->message.back() == '\n' || first->message.back() == ' '))
        first->message.pop_back();
}

}  // namespace

core::Result<IodefDocument> ParseIodef(std::string_view xml) {
    if (xml.size() > kMaxDocument) return core::Error(core::ErrorCode::kTooLarge, "IODEF document over 8 MiB", "iodef");
    if (xml.find("<!DOCTYPE") != std::string_view::npos || xml.find("<!ENTITY") != std::string_view::npos)
        return core::InvalidArgument("DOCTYPE and entity declarations are not accepted", "iodef");
    Schema(2);  // installs the embedded-only loader before any document is parsed
    DocPtr doc(xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "import.xml", nullptr,
                             XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
    if (!doc) return core::InvalidArgument("not well-formed XML", "iodef");
    const xmlNode* root = xmlDocGetRootElement(doc.get());
    if (root == nullptr || Name(root) != "IODEF-Document" || root->ns == nullptr)
        return core::InvalidArgument("the root element must be IODEF-Document in an IODEF namespace", "iodef");
    const std::string_view ns = reinterpret_cast<const char*>(root->ns->href);
    const int version = ns == kNs2 ? 2 : ns == kNs1 ? 1 : 0;
    if (version == 0) return core::InvalidArgument("unknown IODEF namespace", "iodef");
    const xmlSchema* schema = Schema(version);
    if (schema == nullptr) return core::Internal("IODEF schema unavailable");
    xmlSchemaValidCtxtPtr valid = xmlSchemaNewValidCtxt(const_cast<xmlSchema*>(schema));
    if (valid == nullptr) return core::Internal("IODEF validation context");
    ValidationError first;
    xmlSchemaSetValidStructuredErrors(valid, OnValidationError, &first);
    const int rc = xmlSchemaValidateDoc(valid, doc.get());
    xmlSchemaFreeValidCtxt(valid);
    if (rc != 0) {
        const std::string element = first.element.empty() ? "IODEF-Document" : first.element;
        return core::InvalidArgument(first.message.empty() ? "not valid IODEF" : first.message, "iodef." + element);
    }
    IodefDocument out;
    out.version = version;
    Children(root, "Incident", [&](const xmlNode* n) { out.incidents.push_back(ReadIncident(n, version)); });
    return out;
}

std::string RenderIodef2(const IodefIncident& incident) {
    using formats::XmlEscape;
    std::string out;
    out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out += "<IODEF-Document xmlns=\"urn:ietf:params:xml:ns:iodef-2.0\" version=\"2.00\" xml:lang=\"" +
           XmlEscape(incident.language.empty() ? "en" : incident.language) + "\">\n";
    out += "  <Incident purpose=\"" + XmlEscape(incident.purpose.empty() ? "reporting" : incident.purpose) +
           "\" restriction=\"" + XmlEscape(incident.restriction.empty() ? "amber" : incident.restriction) + "\">\n";
    out += "    <IncidentID name=\"" + XmlEscape(incident.id_name) + "\">" + XmlEscape(incident.id) + "</IncidentID>\n";
    if (!incident.detect_time.empty()) out += "    <DetectTime>" + XmlEscape(incident.detect_time) + "</DetectTime>\n";
    if (!incident.start_time.empty()) out += "    <StartTime>" + XmlEscape(incident.start_time) + "</StartTime>\n";
    if (!incident.end_time.empty()) out += "    <EndTime>" + XmlEscape(incident.end_time) + "</EndTime>\n";
    out += "    <GenerationTime>" + XmlEscape(incident.generation_time) + "</GenerationTime>\n";
    if (!incident.description.empty()) out += "    <Description>" + XmlEscape(incident.description) + "</Description>\n";
    if (!incident.impact_types.empty()) {
        out += "    <Assessment occurrence=\"actual\">\n";
        for (const auto& type : incident.impact_types)
            out += "      <SystemImpact type=\"" + XmlEscape(type) + "\"/>\n";
        out += "    </Assessment>\n";
    }
    out += "    <Contact type=\"organization\" role=\"creator\">\n";
    if (!incident.contact_name.empty()) out += "      <ContactName>" + XmlEscape(incident.contact_name) + "</ContactName>\n";
    for (const auto& email : incident.contact_emails)
        out += "      <Email><EmailTo>" + XmlEscape(email) + "</EmailTo></Email>\n";
    out += "    </Contact>\n";
    bool has_nodes = false;
    for (const auto& s : incident.systems) has_nodes |= !s.addresses.empty() || !s.names.empty();
    if (has_nodes) {
        out += "    <EventData>\n";
        for (const auto& s : incident.systems) {
            if (s.addresses.empty() && s.names.empty()) continue;
            out += "      <Flow>\n        <System category=\"" + XmlEscape(s.category.empty() ? "source" : s.category) +
                   "\">\n          <Node>\n";
            for (const auto& name : s.names)
                out += "            <DomainData><Name>" + XmlEscape(name) + "</Name></DomainData>\n";
            for (const auto& address : s.addresses) {
                const bool v6 = address.find(':') != std::string::npos;
                const bool net = address.find('/') != std::string::npos;
                out += std::string("            <Address category=\"") + (v6 ? "ipv6" : "ipv4") + (net ? "-net" : "-addr") +
                       "\">" + XmlEscape(address) + "</Address>\n";
            }
            out += "          </Node>\n";
            if (!s.ports.empty()) {
                out += "          <Service ip-protocol=\"" + XmlEscape(s.protocol.empty() ? "6" : s.protocol) + "\">";
                if (s.ports.size() == 1) {
                    out += "<Port>" + XmlEscape(s.ports.front()) + "</Port>";
                } else {
                    std::string list;
                    for (const auto& p : s.ports) list += (list.empty() ? "" : ",") + p;
                    out += "<Portlist>" + XmlEscape(list) + "</Portlist>";
                }
                out += "</Service>\n";
            }
            out += "        </System>\n      </Flow>\n";
        }
        out += "    </EventData>\n";
    }
    if (!incident.rsit.empty())
        out += "    <AdditionalData dtype=\"string\" meaning=\"rsit\">" + XmlEscape(incident.rsit) + "</AdditionalData>\n";
    out += "  </Incident>\n</IODEF-Document>\n";
    return out;
}

}  // namespace kizuna::incident
