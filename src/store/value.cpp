#include "store/value.hpp"

namespace kizuna::store {

std::int64_t Row::Int(std::size_t i) const {
    const Value& v = values_.at(i);
    if (auto* p = std::get_if<std::int64_t>(&v)) return *p;
    if (auto* d = std::get_if<double>(&v)) return static_cast<std::int64_t>(*d);
    return 0;
}

double Row::Real(std::size_t i) const {
    const Value& v = values_.at(i);
    if (auto* d = std::get_if<double>(&v)) return *d;
    if (auto* p = std::get_if<std::int64_t>(&v)) return static_cast<double>(*p);
    return 0.0;
}

std::string Row::Text(std::size_t i) const {
    const Value& v = values_.at(i);
    if (auto* s = std::get_if<std::string>(&v)) return *s;
    if (auto* b = std::get_if<Blob>(&v)) return b->bytes;
    if (auto* p = std::get_if<std::int64_t>(&v)) return std::to_string(*p);
    if (auto* d = std::get_if<double>(&v)) return std::to_string(*d);
    return {};
}

std::optional<std::string> Row::OptText(std::size_t i) const {
    if (IsNull(i)) return std::nullopt;
    return Text(i);
}

}  // namespace kizuna::store
