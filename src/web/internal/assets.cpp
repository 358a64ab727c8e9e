#include "web/internal/assets.hpp"

namespace kizuna::web::detail {

std::optional<std::string_view> EmbeddedFile(std::string_view relative_path) {
    for (int i = 0; i < kEmbeddedFileCount; ++i)
        if (kEmbeddedFiles[i].first == relative_path) return kEmbeddedFiles[i].second;
    return std::nullopt;
}

}  // namespace kizuna::web::detail
