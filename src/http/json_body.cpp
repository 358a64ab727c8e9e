#include "http/json_body.hpp"

#include "core/json_depth.hpp"

#include <algorithm>

#include "http/internal/percent.hpp"

namespace kizuna::http {
namespace {

constexpr std::string_view kBody = "body";

// nlohmann's what(): "[json.exception.parse_error.101] parse error at line 1, column 7: syntax error while
// parsing value - unexpected '}'; expected '[', '{', or a literal". Keep the reason after the position.
std::string ParseErrorReason(const char* what) {
    std::string_view text(what);
    std::size_t column = text.find("column ");
    std::size_t colon = column == std::string_view::npos ? text.find("]: ") : text.find(": ", column);
    if (colon != std::string_view::npos) text.remove_prefix(colon + 2);
    if (text.starts_with("syntax error while parsing ")) text.remove_prefix(27);
    // "last read: '...'" echoes raw input; it adds nothing the byte offset does not say.
    std::size_t last_read = text.find("; last read");
    return std::string(text.substr(0, last_read));
}

std::size_t CodePoints(std::string_view s) {
    return static_cast<std::size_t>(
        std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string TypeError(std::string_view what) { return "must be " + std::string(what); }

}  // namespace

core::Result<nlohmann::json> ParseJsonObject(std::string_view text) {
    if (text.empty()) return core::InvalidArgument("must not be empty", std::string(kBody));
    if (!core::JsonNestingWithin(text, kMaxJsonDepth)) {
        return core::InvalidArgument("nested deeper than " + std::to_string(kMaxJsonDepth) + " levels",
                                     std::string(kBody));
    }
    nlohmann::json value;
    try {
        value = nlohmann::json::parse(text.begin(), text.end());
    } catch (const nlohmann::json::parse_error& e) {
        std::size_t offset = e.byte > 0 ? e.byte - 1 : 0;
        return core::InvalidArgument(
            "syntax error at byte " + std::to_string(offset) + ": " + ParseErrorReason(e.what()), std::string(kBody));
    } catch (const std::exception& e) {
        return core::InvalidArgument(std::string("cannot parse: ") + e.what(), std::string(kBody));
    }
    if (!value.is_object()) return core::InvalidArgument("must be a JSON object", std::string(kBody));
    return value;
}

core::Result<nlohmann::json> ParseJsonBody(const Request& request) {
    std::string_view type = request.Header("Content-Type");
    std::string_view media = detail::TrimOws(type.substr(0, type.find(';')));
    if (!detail::EqualsIgnoreCase(media, "application/json")) {
        return core::InvalidArgument("must be application/json", "Content-Type");
    }
    return ParseJsonObject(request.body);
}

JsonObjectReader::JsonObjectReader(const nlohmann::json& object, std::string prefix)
    : object_(&object), prefix_(std::move(prefix)) {}

const nlohmann::json* JsonObjectReader::Find(std::string_view field) const {
    if (!object_->is_object()) return nullptr;
    auto it = object_->find(field);
    return it == object_->end() ? nullptr : &*it;
}

bool JsonObjectReader::Has(std::string_view field) const {
    const nlohmann::json* value = Find(field);
    return value != nullptr && !value->is_null();
}

std::string JsonObjectReader::Name(std::string_view field) const {
    if (prefix_.empty()) return std::string(field);
    return prefix_ + "." + std::string(field);
}

core::Result<std::string> JsonObjectReader::CheckString(const nlohmann::json& value, std::string name,
                                                        std::size_t min_len, std::size_t max_len) const {
    if (!value.is_string()) return core::InvalidArgument(TypeError("a string"), std::move(name));
    const std::string& text = value.get_ref<const std::string&>();
    if (text.find('\0') != std::string::npos) {
        return core::InvalidArgument("must not contain NUL characters", std::move(name));
    }
    std::size_t length = CodePoints(text);
    if (length < min_len) {
        if (min_len == 1) return core::InvalidArgument("must not be empty", std::move(name));
        return core::InvalidArgument("must be at least " + std::to_string(min_len) + " characters", std::move(name));
    }
    if (length > max_len) {
        return core::InvalidArgument("must be at most " + std::to_string(max_len) + " characters", std::move(name));
    }
    return text;
}

core::Result<std::string> JsonObjectReader::RequireString(std::string_view field, std::size_t min_len,
                                                          std::size_t max_len) const {
    const nlohmann::json* value = Find(field);
    if (value == nullptr || value->is_null()) return core::InvalidArgument("is required", Name(field));
    return CheckString(*value, Name(field), min_len, max_len);
}

core::Result<std::optional<std::string>> JsonObjectReader::OptionalString(std::string_view field, std::size_t min_len,
                                                                          std::size_t max_len) const {
    const nlohmann::json* value = Find(field);
    if (value == nullptr || value->is_null()) return std::optional<std::string>();
    KZ_ASSIGN(std::string text, CheckString(*value, Name(field), min_len, max_len));
    return std::optional<std::string>(std::move(text));
}

core::Result<std::int64_t> JsonObjectReader::RequireInt(std::string_view field, std::int64_t min,
                                                        std::int64_t max) const {
    const nlohmann::json* value = Find(field);
    if (value == nullptr || value->is_null()) return core::InvalidArgument("is required", Name(field));
    std::string range = "must be between " + std::to_string(min) + " and " + std::to_string(max);
    if (value->is_number_unsigned()) {
        auto number = value->get<std::uint64_t>();
        if (max < 0 || number > static_cast<std::uint64_t>(max)) return core::InvalidArgument(range, Name(field));
        auto signed_number = static_cast<std::int64_t>(number);
        if (signed_number < min) return core::InvalidArgument(range, Name(field));
        return signed_number;
    }
    if (!value->is_number_integer()) return core::InvalidArgument(TypeError("an integer"), Name(field));
    auto number = value->get<std::int64_t>();
    if (number < min || number > max) return core::InvalidArgument(range, Name(field));
    return number;
}

core::Result<std::optional<std::int64_t>> JsonObjectReader::OptionalInt(std::string_view field, std::int64_t min,
                                                                        std::int64_t max) const {
    if (!Has(field)) return std::optional<std::int64_t>();
    KZ_ASSIGN(std::int64_t number, RequireInt(field, min, max));
    return std::optional<std::int64_t>(number);
}

core::Result<bool> JsonObjectReader::RequireBool(std::string_view field) const {
    const nlohmann::json* value = Find(field);
    if (value == nullptr || value->is_null()) return core::InvalidArgument("is required", Name(field));
    if (!value->is_boolean()) return core::InvalidArgument(TypeError("true or false"), Name(field));
    return value->get<bool>();
}

core::Result<bool> JsonObjectReader::OptionalBool(std::string_view field, bool fallback) const {
    if (!Has(field)) return fallback;
    return RequireBool(field);
}

core::Result<std::vector<std::string>> JsonObjectReader::StringArray(std::string_view field, bool required,
                                                                     std::size_t max_items, std::size_t min_len,
                                                                     std::size_t max_len) const {
    const nlohmann::json* value = Find(field);
    if (value == nullptr || value->is_null()) {
        if (required) return core::InvalidArgument("is required", Name(field));
        return std::vector<std::string>();
    }
    if (!value->is_array()) return core::InvalidArgument(TypeError("an array of strings"), Name(field));
    if (value->size() > max_items) {
        return core::InvalidArgument("must have at most " + std::to_string(max_items) + " items", Name(field));
    }
    std::vector<std::string> items;
    items.reserve(value->size());
    for (std::size_t index = 0; index < value->size(); ++index) {
        KZ_ASSIGN(std::string item,
                  CheckString((*value)[index], Name(field) + "[" + std::to_string(index) + "]", min_len, max_len));
        items.push_back(std::move(item));
    }
    return items;
}

core::Result<JsonObjectReader> JsonObjectReader::RequireObject(std::string_view field) const {
    const nlohmann::json* value = Find(field);
    if (value == nullptr || value->is_null()) return core::InvalidArgument("is required", Name(field));
    if (!value->is_object()) return core::InvalidArgument(TypeError("an object"), Name(field));
    return JsonObjectReader(*value, Name(field));
}

core::Status JsonObjectReader::RejectUnknown(std::initializer_list<std::string_view> allowed) const {
    if (!object_->is_object()) return core::InvalidArgument(TypeError("an object"), prefix_.empty() ? "body" : prefix_);
    for (const auto& item : object_->items()) {
        const std::string& key = item.key();
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
            return core::InvalidArgument("unknown field", Name(key));
        }
    }
    return core::Ok();
}

}  // namespace kizuna::http
