// JSON request bodies: ParseJsonBody turns hostile bytes into a JSON object or an invalid_argument error that
// says where and why; JsonObjectReader reads typed fields with one error per bad field. Neither throws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "http/request.hpp"

namespace kizuna::http {

// Objects and arrays nested deeper than this are rejected before nlohmann sees the body.
inline constexpr int kMaxJsonDepth = 64;

// Requires Content-Type application/json (parameters such as charset allowed; field "Content-Type"), a
// non-empty body, well-formed JSON with valid UTF-8 ("syntax error at byte 17: ...", zero-based offset),
// nesting at most kMaxJsonDepth and a top-level object. Errors other than Content-Type name field "body".
core::Result<nlohmann::json> ParseJsonBody(const Request& request);

// The same rules minus the Content-Type check, for bodies that arrive by other ways (and for fuzzing).
core::Result<nlohmann::json> ParseJsonObject(std::string_view text);

// Reads fields of one JSON object. Every error is invalid_argument with the field's name (prefixed with
// `prefix` for nested objects: "contact.email") and a short reason ("must be a string"). Lengths count
// Unicode code points. Strings never contain NUL. The reader keeps a reference: `object` must outlive it.
class JsonObjectReader {
  public:
    explicit JsonObjectReader(const nlohmann::json& object, std::string prefix = {});

    core::Result<std::string> RequireString(std::string_view field, std::size_t min_len, std::size_t max_len) const;
    // Absent or null -> nullopt.
    core::Result<std::optional<std::string>> OptionalString(std::string_view field, std::size_t min_len,
                                                            std::size_t max_len) const;
    core::Result<std::int64_t> RequireInt(std::string_view field, std::int64_t min, std::int64_t max) const;
    core::Result<std::optional<std::int64_t>> OptionalInt(std::string_view field, std::int64_t min,
                                                          std::int64_t max) const;
    core::Result<bool> RequireBool(std::string_view field) const;
    // Absent or null -> fallback.
    core::Result<bool> OptionalBool(std::string_view field, bool fallback) const;
    // An array of strings, each checked like RequireString; absent -> empty when !required.
    core::Result<std::vector<std::string>> StringArray(std::string_view field, bool required, std::size_t max_items,
                                                       std::size_t min_len, std::size_t max_len) const;
    // A nested object; the returned reader refers into this one's object.
    core::Result<JsonObjectReader> RequireObject(std::string_view field) const;

    // Fails with "unknown field" naming the first key not in `allowed` (keys are visited in sorted order).
    core::Status RejectUnknown(std::initializer_list<std::string_view> allowed) const;

    bool Has(std::string_view field) const;

  private:
    const nlohmann::json* Find(std::string_view field) const;  // nullptr when absent
    std::string Name(std::string_view field) const;
    core::Result<std::string> CheckString(const nlohmann::json& value, std::string name, std::size_t min_len,
                                          std::size_t max_len) const;

    const nlohmann::json* object_;
    std::string prefix_;
};

}  // namespace kizuna::http
