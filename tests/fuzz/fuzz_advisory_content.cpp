// Fuzzes the advisory content parser (the body of PUT /api/v1/cases/{id}/advisory and what is stored):
// arbitrary bytes into vuln::ParseAdvisoryContent (JSON parse, field-by-field validation, CVSS scoring). Nothing
// may throw, crash or trip a sanitizer; rejections are invalid_argument naming a field; accepted content has no
// NUL or other control characters outside newlines and tabs, and its JSON form parses back to the same content.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "vuln/advisories.hpp"

namespace {

void Check(bool condition) {
    if (!condition) std::abort();
}

bool Clean(const std::string& s) {
    for (unsigned char c : s)
        if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c == 0x7f) return false;
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 64 * 1024) return 0;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto content = kizuna::vuln::ParseAdvisoryContent(text);
    if (!content.ok()) {
        Check(content.error().code() == kizuna::core::ErrorCode::kInvalidArgument);
        Check(!content.error().field().empty());
        return 0;
    }
    Check(!content->title.Empty() && !content->overview.Empty());
    for (const auto* t : {&content->title, &content->overview, &content->details, &content->solution})
        Check(Clean(t->ja) && Clean(t->en));
    for (const auto& r : content->references) Check(r.url.starts_with("http://") || r.url.starts_with("https://"));
    for (const auto& cve : content->cve_ids) Check(cve.starts_with("CVE-"));
    const std::string json = kizuna::vuln::AdvisoryContentJson(*content);
    auto again = kizuna::vuln::ParseAdvisoryContent(json);
    Check(again.ok());
    Check(kizuna::vuln::AdvisoryContentJson(*again) == json);
    return 0;
}
