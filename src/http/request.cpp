#include "http/request.hpp"

#include "http/internal/percent.hpp"

namespace kizuna::http {
namespace {

constexpr std::string_view kFormContentType = "application/x-www-form-urlencoded";

bool IsFormBody(const Request& request) {
    std::string_view type = request.Header("Content-Type");
    type = detail::TrimOws(type.substr(0, type.find(';')));
    return detail::EqualsIgnoreCase(type, kFormContentType);
}

}  // namespace

core::Result<Request> Request::Make(std::string method, std::string target, HeaderList headers, std::string body) {
    if (target.empty() || target.front() != '/') {
        return core::InvalidArgument("must be an absolute path", "target");
    }
    std::string_view raw_path = std::string_view(target).substr(0, target.find('?'));
    std::optional<std::string> path = detail::PercentDecode(raw_path, detail::PlusMode::kLiteral);
    if (!path) return core::InvalidArgument("malformed percent-encoding in path", "target");
    if (path->find('\0') != std::string::npos) return core::InvalidArgument("path contains NUL", "target");
    return Request(std::move(method), std::move(target), std::move(*path), std::move(headers), std::move(body));
}

std::string_view Request::Header(std::string_view name) const {
    for (const auto& [key, value] : headers_) {
        if (detail::EqualsIgnoreCase(key, name)) return value;
    }
    return {};
}

std::string_view Request::query_string() const {
    std::size_t mark = target.find('?');
    if (mark == std::string::npos) return {};
    return std::string_view(target).substr(mark + 1);
}

std::optional<std::string> Request::Query(std::string_view name) const {
    std::optional<std::string> found;
    detail::ForEachPair(query_string(), '&', [&](std::string_view key, std::string_view value) {
        if (detail::PercentDecodeLenient(key, detail::PlusMode::kSpace) != name) return false;
        found = detail::PercentDecodeLenient(value, detail::PlusMode::kSpace);
        return true;
    });
    return found;
}

std::optional<std::string> Request::Cookie(std::string_view name) const {
    std::optional<std::string> found;
    for (const auto& [key, header_value] : headers_) {
        if (!detail::EqualsIgnoreCase(key, "Cookie")) continue;
        detail::ForEachPair(header_value, ';', [&](std::string_view cookie_name, std::string_view value) {
            if (detail::TrimOws(cookie_name) != name) return false;
            value = detail::TrimOws(value);
            if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
                value = value.substr(1, value.size() - 2);
            }
            found = std::string(value);
            return true;
        });
        if (found) break;
    }
    return found;
}

std::optional<std::string> Request::Form(std::string_view name) const {
    if (!IsFormBody(*this)) return std::nullopt;
    std::optional<std::string> found;
    detail::ForEachPair(body, '&', [&](std::string_view key, std::string_view value) {
        if (detail::PercentDecodeLenient(key, detail::PlusMode::kSpace) != name) return false;
        found = detail::PercentDecodeLenient(value, detail::PlusMode::kSpace);
        return true;
    });
    return found;
}

std::vector<std::string> Request::FormAll(std::string_view name) const {
    std::vector<std::string> values;
    if (!IsFormBody(*this)) return values;
    detail::ForEachPair(body, '&', [&](std::string_view key, std::string_view value) {
        if (detail::PercentDecodeLenient(key, detail::PlusMode::kSpace) == name) {
            values.push_back(detail::PercentDecodeLenient(value, detail::PlusMode::kSpace));
        }
        return false;
    });
    return values;
}

std::string_view Request::Param(std::string_view name) const {
    for (const auto& [key, value] : params_) {
        if (key == name) return value;
    }
    return {};
}

}  // namespace kizuna::http
