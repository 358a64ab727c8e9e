// The fields of a submitted form, whether urlencoded or multipart/form-data (RFC 7578; the report form
// carries files). Parsing is bounded: at most kMaxParts parts, each header block at most 8 KiB; a malformed
// body yields no fields at all (the form then fails its CSRF check and is shown again).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "http/http.hpp"

namespace kizuna::web::detail {

struct FormFile {
    std::string field;
    std::string filename;  // as sent, without any path (everything up to the last '/' or '\' dropped)
    std::string media_type;
    std::string content;
};

class FormData {
  public:
    static constexpr std::size_t kMaxParts = 64;

    explicit FormData(const http::Request& request);

    std::optional<std::string> Field(std::string_view name) const;
    std::string Value(std::string_view name) const { return Field(name).value_or(""); }
    // Files of a field that were actually chosen (an empty file input sends a part with no filename).
    std::vector<const FormFile*> Files(std::string_view name) const;
    bool multipart() const { return multipart_; }

  private:
    const http::Request& request_;
    bool multipart_ = false;
    std::vector<std::pair<std::string, std::string>> fields_;
    std::vector<FormFile> files_;
};

// The multipart boundary of a Content-Type value ("" when it is not multipart/form-data).
std::string MultipartBoundary(std::string_view content_type);

}  // namespace kizuna::web::detail
