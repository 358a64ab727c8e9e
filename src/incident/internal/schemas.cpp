#include "incident/internal/schemas.hpp"

namespace kizuna::incident::detail {

std::optional<std::string_view> EmbeddedSchema(std::string_view file_name) {
    for (int i = 0; i < kEmbeddedFileCount; ++i)
        if (kEmbeddedFiles[i].first == file_name) return kEmbeddedFiles[i].second;
    return std::nullopt;
}

}  // namespace kizuna::incident::detail
