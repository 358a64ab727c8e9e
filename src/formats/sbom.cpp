#include "formats/sbom.hpp"

#include "core/json_depth.hpp"

#include <nlohmann/json.hpp>
#include <new>
#include <unordered_map>
#include <utility>

namespace kizuna::formats {
namespace {

using nlohmann::json;

constexpr std::string_view kDocument = "sbom";

core::Error TooLarge(std::string message, std::string field) {
    return core::Error(core::ErrorCode::kTooLarge, std::move(message), std::move(field));
}

// nlohmann's what(): "[json.exception.parse_error.101] parse error at line 1, column 7: syntax error while
// parsing value - unexpected '}'; expected ...; last read: '...'". Keeps the reason; drops the echo of input.
std::string ParseErrorReason(const char* what) {
    std::string_view text(what);
    std::size_t column = text.find("column ");
    std::size_t colon = column == std::string_view::npos ? text.find("]: ") : text.find(": ", column);
    if (colon != std::string_view::npos) text.remove_prefix(colon + 2);
    if (text.starts_with("syntax error while parsing ")) text.remove_prefix(27);
    return std::string(text.substr(0, text.find("; last read")));
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view Trim(std::string_view text) {
    while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
    while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
    return text;
}

char LowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

int HexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    c = LowerAscii(c);
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

// "%40" -> "@"; a malformed escape is kept as it is.
std::string PercentDecode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            int high = HexValue(text[i + 1]);
            int low = HexValue(text[i + 2]);
            if (high >= 0 && low >= 0) {
                out.push_back(static_cast<char>(high * 16 + low));
                i += 2;
                continue;
            }
        }
        out.push_back(text[i]);
    }
    return out;
}

std::string Member(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string Element(const std::string& path, std::size_t index) { return path + "[" + std::to_string(index) + "]"; }

// The member `key` of `object`, or nullptr when absent or null (both mean "not given" in every SBOM we read).
const json* Find(const json& object, std::string_view key) {
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) return nullptr;
    return &*it;
}

core::Result<std::string> CheckString(const json& value, const std::string& path) {
    if (!value.is_string()) return core::InvalidArgument("must be a string", path);
    const std::string& text = value.get_ref<const std::string&>();
    if (text.find('\0') != std::string::npos) return core::InvalidArgument("must not contain NUL characters", path);
    return std::string(Trim(text));
}

// Absent or null -> "".
core::Result<std::string> OptionalString(const json& object, std::string_view key, const std::string& path) {
    const json* value = Find(object, key);
    if (value == nullptr) return std::string();
    return CheckString(*value, Member(path, key));
}

core::Result<std::string> RequiredName(const json& object, const std::string& path) {
    const json* value = Find(object, "name");
    if (value == nullptr) return core::InvalidArgument("is required", Member(path, "name"));
    KZ_ASSIGN(std::string name, CheckString(*value, Member(path, "name")));
    if (name.empty()) return core::InvalidArgument("must not be empty", Member(path, "name"));
    return name;
}

// An optional array member: nullptr when absent or null, an error when present but not an array.
core::Result<const json*> OptionalArray(const json& object, std::string_view key, const std::string& path) {
    const json* value = Find(object, key);
    if (value != nullptr && !value->is_array()) return core::InvalidArgument("must be an array", Member(path, key));
    return value;
}

// Collects components in order, one per (normalised name, version), and enforces kMaxSbomComponents.
class ComponentList {
  public:
    explicit ComponentList(std::string limit_field) : limit_field_(std::move(limit_field)) {}

    core::Status Add(SbomComponent component) {
        if (++seen_ > kMaxSbomComponents) {
            return TooLarge("more than " + std::to_string(kMaxSbomComponents) + " components", limit_field_);
        }
        std::string key = NormalizeComponentName(component.name) + '\n' + component.version;
        auto [it, inserted] = index_.try_emplace(std::move(key), components_.size());
        if (inserted) {
            components_.push_back(std::move(component));
            return core::Ok();
        }
        SbomComponent& first = components_[it->second];
        if (first.purl.empty()) first.purl = std::move(component.purl);
        if (first.supplier.empty()) first.supplier = std::move(component.supplier);
        return core::Ok();
    }

    std::vector<SbomComponent> Take() && { return std::move(components_); }

  private:
    std::string limit_field_;
    std::size_t seen_ = 0;
    std::vector<SbomComponent> components_;
    std::unordered_map<std::string, std::size_t> index_;
};

// ---- CycloneDX -------------------------------------------------------------------------------------------

core::Status ReadCycloneDxComponents(const json& parent, const std::string& path, ComponentList& out);

// One component object and, recursively, its nested components[]. Recursion depth is bounded by the nesting
// pre-scan (kMaxSbomDepth).
core::Status ReadCycloneDxComponent(const json& value, const std::string& path, ComponentList& out) {
    if (!value.is_object()) return core::InvalidArgument("must be an object", path);
    SbomComponent component;
    KZ_ASSIGN(component.name, RequiredName(value, path));
    KZ_ASSIGN(component.version, OptionalString(value, "version", path));
    KZ_ASSIGN(component.purl, OptionalString(value, "purl", path));
    if (const json* supplier = Find(value, "supplier"); supplier != nullptr) {
        if (!supplier->is_object()) return core::InvalidArgument("must be an object", Member(path, "supplier"));
        KZ_ASSIGN(component.supplier, OptionalString(*supplier, "name", Member(path, "supplier")));
    }
    if (component.supplier.empty()) {
        KZ_ASSIGN(component.supplier, OptionalString(value, "publisher", path));
    }
    KZ_TRY(out.Add(std::move(component)));
    return ReadCycloneDxComponents(value, path, out);
}

core::Status ReadCycloneDxComponents(const json& parent, const std::string& path, ComponentList& out) {
    KZ_ASSIGN(const json* components, OptionalArray(parent, "components", path));
    if (components == nullptr) return core::Ok();
    std::string array_path = Member(path, "components");
    for (std::size_t index = 0; index < components->size(); ++index) {
        KZ_TRY(ReadCycloneDxComponent((*components)[index], Element(array_path, index), out));
    }
    return core::Ok();
}

core::Result<Sbom> ReadCycloneDx(const json& document) {
    Sbom sbom;
    sbom.format = SbomFormat::kCycloneDx;
    const json* spec = Find(document, "specVersion");
    if (spec == nullptr) return core::InvalidArgument("is required", "specVersion");
    KZ_ASSIGN(sbom.spec_version, CheckString(*spec, "specVersion"));
    if (!sbom.spec_version.starts_with("1.")) {
        return core::InvalidArgument("unsupported CycloneDX version (expected 1.x)", "specVersion");
    }
    ComponentList components("components");
    if (const json* metadata = Find(document, "metadata"); metadata != nullptr) {
        if (!metadata->is_object()) return core::InvalidArgument("must be an object", "metadata");
        if (const json* subject = Find(*metadata, "component"); subject != nullptr) {
            const std::string subject_path = "metadata.component";
            if (!subject->is_object()) return core::InvalidArgument("must be an object", subject_path);
            KZ_ASSIGN(sbom.subject, RequiredName(*subject, subject_path));
            KZ_TRY(ReadCycloneDxComponents(*subject, subject_path, components));
        }
    }
    KZ_TRY(ReadCycloneDxComponents(document, "", components));
    sbom.components = std::move(components).Take();
    return sbom;
}

// ---- SPDX ------------------------------------------------------------------------------------------------

// "Organization: ACME Corp (psirt@acme.example)" -> "ACME Corp (psirt@acme.example)"; NOASSERTION -> "".
std::string SpdxSupplier(std::string_view text) {
    for (std::string_view prefix : {"Organization:", "Person:", "Tool:"}) {
        if (text.starts_with(prefix)) return std::string(Trim(text.substr(prefix.size())));
    }
    if (text == "NOASSERTION" || text == "NONE") return {};
    return std::string(text);
}

// SPDXIDs the document describes, in order: documentDescribes[], then DESCRIBES relationships from the
// document and DESCRIBED_BY relationships to it.
core::Result<std::vector<std::string>> SpdxDescribed(const json& document) {
    std::vector<std::string> described;
    KZ_ASSIGN(const json* describes, OptionalArray(document, "documentDescribes", ""));
    if (describes != nullptr) {
        for (std::size_t index = 0; index < describes->size(); ++index) {
            KZ_ASSIGN(std::string id, CheckString((*describes)[index], Element("documentDescribes", index)));
            described.push_back(std::move(id));
        }
    }
    KZ_ASSIGN(const json* relationships, OptionalArray(document, "relationships", ""));
    if (relationships == nullptr) return described;
    KZ_ASSIGN(std::string document_id, OptionalString(document, "SPDXID", ""));
    if (document_id.empty()) document_id = "SPDXRef-DOCUMENT";
    for (std::size_t index = 0; index < relationships->size(); ++index) {
        const json& relationship = (*relationships)[index];
        std::string path = Element("relationships", index);
        if (!relationship.is_object()) return core::InvalidArgument("must be an object", path);
        KZ_ASSIGN(std::string element, OptionalString(relationship, "spdxElementId", path));
        KZ_ASSIGN(std::string type, OptionalString(relationship, "relationshipType", path));
        KZ_ASSIGN(std::string related, OptionalString(relationship, "relatedSpdxElement", path));
        if (type == "DESCRIBES" && element == document_id) described.push_back(std::move(related));
        if (type == "DESCRIBED_BY" && related == document_id) described.push_back(std::move(element));
    }
    return described;
}

core::Result<SbomComponent> ReadSpdxPackage(const json& value, const std::string& path) {
    if (!value.is_object()) return core::InvalidArgument("must be an object", path);
    SbomComponent component;
    KZ_ASSIGN(component.name, RequiredName(value, path));
    KZ_ASSIGN(component.version, OptionalString(value, "versionInfo", path));
    KZ_ASSIGN(std::string supplier, OptionalString(value, "supplier", path));
    component.supplier = SpdxSupplier(supplier);
    KZ_ASSIGN(const json* refs, OptionalArray(value, "externalRefs", path));
    if (refs == nullptr) return component;
    std::string refs_path = Member(path, "externalRefs");
    for (std::size_t index = 0; index < refs->size(); ++index) {
        const json& ref = (*refs)[index];
        std::string ref_path = Element(refs_path, index);
        if (!ref.is_object()) return core::InvalidArgument("must be an object", ref_path);
        KZ_ASSIGN(std::string type, OptionalString(ref, "referenceType", ref_path));
        if (type != "purl") continue;
        KZ_ASSIGN(std::string locator, OptionalString(ref, "referenceLocator", ref_path));
        if (component.purl.empty()) component.purl = std::move(locator);
    }
    return component;
}

core::Result<Sbom> ReadSpdx(const json& document) {
    Sbom sbom;
    sbom.format = SbomFormat::kSpdx;
    KZ_ASSIGN(std::string version, OptionalString(document, "spdxVersion", ""));
    if (!version.starts_with("SPDX-2.")) {
        return core::InvalidArgument("unsupported SPDX version (expected SPDX-2.x)", "spdxVersion");
    }
    sbom.spec_version = version.substr(5);
    KZ_ASSIGN(sbom.subject, OptionalString(document, "name", ""));

    const json* packages = Find(document, "packages");
    if (packages == nullptr) return core::InvalidArgument("is required (the document lists no packages)", "packages");
    if (!packages->is_array()) return core::InvalidArgument("must be an array", "packages");
    if (packages->size() > kMaxSbomComponents + 1) {  // + 1: the described package is not a component
        return TooLarge("more than " + std::to_string(kMaxSbomComponents) + " components", "packages");
    }
    KZ_ASSIGN(std::vector<std::string> described, SpdxDescribed(document));

    std::vector<std::pair<std::string, SbomComponent>> read;  // (SPDXID, package)
    read.reserve(packages->size());
    for (std::size_t index = 0; index < packages->size(); ++index) {
        std::string path = Element("packages", index);
        KZ_ASSIGN(SbomComponent component, ReadSpdxPackage((*packages)[index], path));
        KZ_ASSIGN(std::string id, OptionalString((*packages)[index], "SPDXID", path));
        read.emplace_back(std::move(id), std::move(component));
    }
    std::size_t subject_index = read.size();
    for (const std::string& id : described) {
        for (std::size_t index = 0; index < read.size() && subject_index == read.size(); ++index) {
            if (!id.empty() && read[index].first == id) subject_index = index;
        }
        if (subject_index != read.size()) break;
    }
    if (subject_index != read.size()) sbom.subject = read[subject_index].second.name;

    ComponentList components("packages");
    for (std::size_t index = 0; index < read.size(); ++index) {
        if (index != subject_index) KZ_TRY(components.Add(std::move(read[index].second)));
    }
    sbom.components = std::move(components).Take();
    return sbom;
}

// ---- Detection -------------------------------------------------------------------------------------------

// A friendlier error for the two non-JSON SBOM encodings people most often upload by mistake.
std::string NotJsonHint(std::string_view text) {
    std::string_view start = Trim(text.substr(0, 256));
    if (start.starts_with("<")) return " (looks like XML; CycloneDX XML is not supported, export JSON)";
    if (start.starts_with("SPDXVersion:")) return " (looks like SPDX tag-value; not supported, export JSON)";
    return {};
}

core::Result<Sbom> ParseSbomUnguarded(std::string_view text) {
    if (text.size() > kMaxSbomBytes) {
        return TooLarge("larger than " + std::to_string(kMaxSbomBytes / (1024 * 1024)) + " MiB", std::string(kDocument));
    }
    if (Trim(text).empty()) return core::InvalidArgument("must not be empty", std::string(kDocument));
    if (!core::JsonNestingWithin(text, kMaxSbomDepth)) {
        return core::InvalidArgument("nested deeper than " + std::to_string(kMaxSbomDepth) + " levels",
                                     std::string(kDocument));
    }
    json document;
    try {
        document = json::parse(text.begin(), text.end());
    } catch (const json::parse_error& e) {
        std::size_t offset = e.byte > 0 ? e.byte - 1 : 0;
        return core::InvalidArgument("not valid JSON" + NotJsonHint(text) + ": syntax error at byte " +
                                         std::to_string(offset) + ": " + ParseErrorReason(e.what()),
                                     std::string(kDocument));
    } catch (const json::exception& e) {
        // Not a syntax error but still the input's fault, e.g. out_of_range 406 for "1e99999".
        // what(): "[json.exception.out_of_range.406] number overflow parsing '1e99999'"; drop the id and the echo.
        std::string_view reason(e.what());
        if (std::size_t id_end = reason.find("] "); id_end != std::string_view::npos) reason.remove_prefix(id_end + 2);
        reason = reason.substr(0, reason.find(" '"));
        return core::InvalidArgument("not valid JSON: " + std::string(reason), std::string(kDocument));
    }
    if (!document.is_object()) return core::InvalidArgument("must be a JSON object", std::string(kDocument));

    const json* bom_format = Find(document, "bomFormat");
    if (bom_format != nullptr && bom_format->is_string() && bom_format->get_ref<const std::string&>() == "CycloneDX") {
        return ReadCycloneDx(document);
    }
    if (bom_format == nullptr && Find(document, "spdxVersion") != nullptr) return ReadSpdx(document);
    return core::InvalidArgument("not an SBOM (expected CycloneDX or SPDX JSON)", "bomFormat");
}

}  // namespace

core::Result<Sbom> ParseSbom(std::string_view json_text) {
    // Every expected failure is a value already; this only turns allocation failure (or a library bug) into one,
    // so nothing crosses the module boundary as an exception.
    try {
        return ParseSbomUnguarded(json_text);
    } catch (const std::bad_alloc&) {
        return core::ResourceExhausted("out of memory reading the SBOM");
    } catch (const std::exception& e) {
        return core::Internal(std::string("reading the SBOM: ") + e.what());
    }
}

std::string NormalizeComponentName(std::string_view name) {
    std::string_view text = Trim(name);
    std::string decoded;
    if (text.size() >= 4 && LowerAscii(text[0]) == 'p' && LowerAscii(text[1]) == 'k' && LowerAscii(text[2]) == 'g' &&
        text[3] == ':') {
        // pkg:type/namespace/name@version?qualifiers#subpath (https://github.com/package-url/purl-spec).
        text.remove_prefix(4);
        text = text.substr(0, text.find('#'));
        text = text.substr(0, text.find('?'));
        if (std::size_t at = text.rfind('@'); at != std::string_view::npos) text = text.substr(0, at);
        if (std::size_t slash = text.rfind('/'); slash != std::string_view::npos) text.remove_prefix(slash + 1);
        decoded = PercentDecode(text);
        text = Trim(decoded);
    }
    std::string out(text);
    for (char& c : out) c = LowerAscii(c);
    return out;
}

}  // namespace kizuna::formats
