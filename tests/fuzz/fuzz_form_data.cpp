// Fuzzes the form parser (multipart/form-data, RFC 7578, and urlencoded): the first line of the input is the
// Content-Type, the rest the body. Nothing may crash or trip a sanitizer; the parser's bounds hold (at most
// kMaxParts parts; file names carry no path separator).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "web/internal/form_data.hpp"

namespace {

void Check(bool condition) {
    if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string input(reinterpret_cast<const char*>(data), size);
    const auto nl = input.find('\n');
    std::string content_type = nl == std::string::npos ? input : input.substr(0, nl);
    std::string body = nl == std::string::npos ? std::string() : input.substr(nl + 1);
    auto request = kizuna::http::Request::Make("POST", "/report", {{"Content-Type", content_type}}, body);
    if (!request.ok()) return 0;
    kizuna::web::detail::FormData form(*request);
    for (const char* name : {"title", "csrf", "description", "attachment", ""}) {
        (void)form.Value(name);
        auto files = form.Files(name);
        Check(files.size() <= kizuna::web::detail::FormData::kMaxParts);
        for (const auto* f : files) {
            Check(f->filename.find('/') == std::string::npos);
            Check(f->filename.find('\\') == std::string::npos);
        }
    }
    (void)kizuna::web::detail::MultipartBoundary(content_type);
    return 0;
}
