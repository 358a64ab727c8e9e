// The IODEF schemas embedded into the library (src/incident/schemas/, cmake/embed.cmake).
#pragma once

#include <optional>
#include <string_view>
#include <utility>

namespace kizuna::incident::detail {

extern const std::pair<std::string_view, std::string_view> kEmbeddedFiles[];
extern const int kEmbeddedFileCount;

// A schema by file name ("iodef-2.0.local.xsd"); the contents are NUL-terminated.
std::optional<std::string_view> EmbeddedSchema(std::string_view file_name);

}  // namespace kizuna::incident::detail
