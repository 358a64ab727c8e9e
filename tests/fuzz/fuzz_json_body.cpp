// Fuzzes the JSON body path a request takes: ParseJsonBody (content type, depth pre-scan, nlohmann parse,
// top-level object) and then every JsonObjectReader accessor on the parsed object. Nothing may throw, crash
// or trip a sanitizer, and the readers' contracts (length bounds, no NUL) must hold for whatever they accept.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "http/json_body.hpp"

namespace {

void Check(bool condition) {
    if (!condition) std::abort();
}

std::size_t CodePoints(const std::string& text) {
    std::size_t count = 0;
    for (char c : text) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return count;
}

void ExerciseReader(const kizuna::http::JsonObjectReader& reader, const nlohmann::json& object, int depth) {
    for (const auto& item : object.items()) {
        const std::string& key = item.key();
        if (auto text = reader.RequireString(key, 1, 8); text.ok()) {
            Check(CodePoints(*text) >= 1 && CodePoints(*text) <= 8);
            Check(text->find('\0') == std::string::npos);
        }
        (void)reader.OptionalString(key, 0, 64);
        if (auto number = reader.RequireInt(key, -1000, 1000); number.ok()) Check(*number >= -1000 && *number <= 1000);
        (void)reader.OptionalInt(key, INT64_MIN, INT64_MAX);
        (void)reader.OptionalBool(key, false);
        if (auto items = reader.StringArray(key, false, 4, 0, 16); items.ok()) Check(items->size() <= 4);
        if (depth < 4) {
            if (auto nested = reader.RequireObject(key); nested.ok()) ExerciseReader(*nested, item.value(), depth + 1);
        }
    }
    (void)reader.RejectUnknown({"name", "id", "tags"});
    (void)reader.RequireString("absent", 0, 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string body(reinterpret_cast<const char*>(data), size);
    auto request =
        kizuna::http::Request::Make("POST", "/api/v1/fuzz", {{"Content-Type", "application/json"}}, std::move(body));
    if (!request.ok()) return 0;
    auto parsed = kizuna::http::ParseJsonBody(*request);
    if (!parsed.ok()) {
        Check(parsed.error().code() == kizuna::core::ErrorCode::kInvalidArgument);
        Check(!parsed.error().field().empty());
        return 0;
    }
    Check(parsed->is_object());
    kizuna::http::JsonObjectReader reader(*parsed);
    ExerciseReader(reader, *parsed, 0);
    return 0;
}
