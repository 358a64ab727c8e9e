// Values that cross the store boundary: NULL, 64-bit integer, double, text, blob.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace kizuna::store {

struct Blob {
    std::string bytes;
    friend bool operator==(const Blob&, const Blob&) = default;
};

using Value = std::variant<std::monostate, std::int64_t, double, std::string, Blob>;

inline Value Null() { return std::monostate{}; }
// Text or NULL for an empty optional.
inline Value TextOrNull(const std::optional<std::string>& s) { return s ? Value(*s) : Value(std::monostate{}); }

// One result row. Accessors are lenient: a NULL reads as 0 / "" so callers that know their schema stay
// short; use IsNull where the difference matters.
class Row {
  public:
    explicit Row(std::vector<Value> values) : values_(std::move(values)) {}
    std::size_t size() const { return values_.size(); }
    bool IsNull(std::size_t i) const { return std::holds_alternative<std::monostate>(values_.at(i)); }
    std::int64_t Int(std::size_t i) const;
    double Real(std::size_t i) const;
    std::string Text(std::size_t i) const;
    std::optional<std::string> OptText(std::size_t i) const;
    const Value& at(std::size_t i) const { return values_.at(i); }

  private:
    std::vector<Value> values_;
};

}  // namespace kizuna::store
