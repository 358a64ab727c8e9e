#include "web/internal/labels.hpp"

namespace kizuna::web::detail {
namespace {

std::string Key(std::string_view kind, std::string_view code) {
    std::string key;
    key.reserve(kind.size() + 1 + code.size());
    key.append(kind).append(".").append(code);
    return key;
}

}  // namespace

std::string CodeLabel(Lang lang, std::string_view kind, std::string_view code) {
    return Translate(lang, Key(kind, code));
}

bool HasCodeLabel(Lang lang, std::string_view kind, std::string_view code) {
    const std::string key = Key(kind, code);
    return Translate(lang, key) != key;
}

}  // namespace kizuna::web::detail
