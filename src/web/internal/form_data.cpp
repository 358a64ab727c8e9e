#include "web/internal/form_data.hpp"

#include <algorithm>
#include <cctype>

namespace kizuna::web::detail {
namespace {

constexpr std::size_t kMaxHeaderBlock = 8 * 1024;

std::string Lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string_view Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// A parameter of a header value: name="value" or name=value (case-insensitive name).
std::optional<std::string> Param(std::string_view header, std::string_view name) {
    std::size_t pos = 0;
    while ((pos = header.find(';', pos)) != std::string_view::npos) {
        ++pos;
        std::string_view rest = Trim(header.substr(pos));
        const auto eq = rest.find('=');
        if (eq == std::string_view::npos) continue;
        if (Lower(Trim(rest.substr(0, eq))) != name) continue;
        std::string_view value = rest.substr(eq + 1);
        if (!value.empty() && value.front() == '"') {
            std::string out;
            for (std::size_t i = 1; i < value.size(); ++i) {
                if (value[i] == '\\' && i + 1 < value.size()) {
                    out += value[++i];
                } else if (value[i] == '"') {
                    return out;
                } else {
                    out += value[i];
                }
            }
            return std::nullopt;  // unterminated
        }
        return std::string(Trim(value.substr(0, value.find(';'))));
    }
    return std::nullopt;
}

}  // namespace

std::string MultipartBoundary(std::string_view content_type) {
    const std::string type = Lower(Trim(content_type.substr(0, content_type.find(';'))));
    if (type != "multipart/form-data") return {};
    auto boundary = Param(content_type, "boundary");
    if (!boundary || boundary->empty() || boundary->size() > 70) return {};
    return *boundary;
}

FormData::FormData(const http::Request& request) : request_(request) {
    const std::string boundary = MultipartBoundary(request.Header("Content-Type"));
    if (boundary.empty()) return;
    multipart_ = true;
    const std::string_view body = request.body;
    const std::string delimiter = "--" + boundary;
    std::size_t pos = body.find(delimiter);
    std::vector<std::pair<std::string, std::string>> fields;
    std::vector<FormFile> files;
    for (std::size_t parts = 0; pos != std::string_view::npos; ++parts) {
        pos += delimiter.size();
        if (body.substr(pos, 2) == "--") {  // closing delimiter: the body is complete
            fields_ = std::move(fields);
            files_ = std::move(files);
            return;
        }
        if (parts >= kMaxParts || body.substr(pos, 2) != "\r\n") return;
        pos += 2;
        const std::size_t headers_end = body.find("\r\n\r\n", pos);
        if (headers_end == std::string_view::npos || headers_end - pos > kMaxHeaderBlock) return;
        std::string_view headers = body.substr(pos, headers_end - pos);
        const std::size_t content_start = headers_end + 4;
        const std::size_t next = body.find("\r\n" + delimiter, content_start);
        if (next == std::string_view::npos) return;
        std::string disposition, media_type;
        std::size_t line_start = 0;
        while (line_start <= headers.size()) {
            const std::size_t line_end = std::min(headers.find("\r\n", line_start), headers.size());
            std::string_view line = headers.substr(line_start, line_end - line_start);
            const auto colon = line.find(':');
            if (colon != std::string_view::npos) {
                const std::string name = Lower(Trim(line.substr(0, colon)));
                if (name == "content-disposition") disposition = std::string(Trim(line.substr(colon + 1)));
                if (name == "content-type") media_type = std::string(Trim(line.substr(colon + 1)));
            }
            line_start = line_end + 2;
        }
        std::string content(body.substr(content_start, next - content_start));
        auto name = Param(disposition, "name");
        if (Lower(disposition.substr(0, disposition.find(';'))) == "form-data" && name) {
            if (auto filename = Param(disposition, "filename")) {
                const auto slash = filename->find_last_of("/\\");
                if (slash != std::string::npos) filename->erase(0, slash + 1);
                files.push_back({*name, *filename, media_type, std::move(content)});
            } else {
                fields.emplace_back(*name, std::move(content));
            }
        }
        pos = next + 2;
    }
}

std::optional<std::string> FormData::Field(std::string_view name) const {
    if (!multipart_) return request_.Form(name);
    for (const auto& [key, value] : fields_)
        if (key == name) return value;
    return std::nullopt;
}

std::vector<const FormFile*> FormData::Files(std::string_view name) const {
    std::vector<const FormFile*> out;
    for (const auto& f : files_)
        if (f.field == name && !f.filename.empty()) out.push_back(&f);
    return out;
}

}  // namespace kizuna::web::detail
