// Files embedded into the binary at build time (cmake/embed.cmake): templates, catalogs, static assets.
#pragma once

#include <optional>
#include <string_view>
#include <utility>

namespace kizuna::web::detail {

extern const std::pair<std::string_view, std::string_view> kEmbeddedFiles[];
extern const int kEmbeddedFileCount;

// Contents of "templates/login.mustache", "i18n/ja.json", "static/kizuna.css", ...
std::optional<std::string_view> EmbeddedFile(std::string_view relative_path);

}  // namespace kizuna::web::detail
