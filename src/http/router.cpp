#include "http/router.hpp"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <vector>

#include "http/error_mapping.hpp"
#include "http/internal/percent.hpp"

namespace kizuna::http {

namespace detail {
struct RouteNode {
    std::map<std::string, std::unique_ptr<RouteNode>, std::less<>> literals;
    std::unique_ptr<RouteNode> param;  // "{name}"
    std::string param_name;
    std::unique_ptr<RouteNode> catch_all;  // "{name...}", always a leaf
    std::string catch_all_name;
    std::map<std::string, Handler, std::less<>> handlers;  // by method
    std::string pattern;                                   // set on nodes that have handlers
};
}  // namespace detail

namespace {

using Node = detail::RouteNode;

[[noreturn]] void Fail(const std::string& pattern, const char* why) {
    std::fprintf(stderr, "kizuna: bad route pattern \"%s\": %s\n", pattern.c_str(), why);
    std::abort();
}

// "/a/b" -> {"a","b"}; "/" -> {""}; "/a/" -> {"a",""}.
std::vector<std::string_view> SplitPath(std::string_view path) {
    std::vector<std::string_view> segments;
    segments.reserve(8);
    path.remove_prefix(1);
    while (true) {
        std::size_t slash = path.find('/');
        segments.push_back(path.substr(0, slash));
        if (slash == std::string_view::npos) break;
        path.remove_prefix(slash + 1);
    }
    return segments;
}

}  // namespace

Router::Router() : root_(std::make_unique<detail::RouteNode>()) {}
Router::~Router() = default;
Router::Router(Router&&) noexcept = default;
Router& Router::operator=(Router&&) noexcept = default;

void Router::Add(std::string method, std::string pattern, Handler handler) {
    if (pattern.empty() || pattern.front() != '/') Fail(pattern, "must start with '/'");
    std::vector<std::string_view> segments = SplitPath(pattern);
    detail::RouteNode* node = root_.get();
    for (std::size_t index = 0; index < segments.size(); ++index) {
        std::string_view segment = segments[index];
        bool is_param = segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
        if (!is_param) {
            if (segment.find_first_of("{}") != std::string_view::npos) Fail(pattern, "braces inside a segment");
            auto it = node->literals.find(segment);
            if (it == node->literals.end()) {
                it = node->literals.emplace(segment, std::make_unique<detail::RouteNode>()).first;
            }
            node = it->second.get();
            continue;
        }
        std::string_view name = segment.substr(1, segment.size() - 2);
        if (name.ends_with("...")) {
            name.remove_suffix(3);
            if (index + 1 != segments.size()) Fail(pattern, "a catch-all must be the last segment");
            if (name.empty()) Fail(pattern, "empty parameter name");
            if (!node->catch_all)
                node->catch_all = std::make_unique<detail::RouteNode>();
            else if (node->catch_all_name != name)
                Fail(pattern, "conflicting catch-all names");
            node->catch_all_name = std::string(name);
            node = node->catch_all.get();
            continue;
        }
        if (name.empty()) Fail(pattern, "empty parameter name");
        if (!node->param)
            node->param = std::make_unique<detail::RouteNode>();
        else if (node->param_name != name)
            Fail(pattern, "conflicting parameter names at one position");
        node->param_name = std::string(name);
        node = node->param.get();
    }
    for (char& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (node->handlers.count(method) != 0) Fail(pattern, "route added twice for the same method");
    node->handlers.emplace(std::move(method), std::move(handler));
    node->pattern = std::move(pattern);
}

void Router::SetNotFound(Handler handler) { not_found_ = std::move(handler); }

Handler Router::AsHandler() const {
    return [this](Request& request) { return Dispatch(request); };
}

namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

// Depth-first in precedence order (literal, parameter, catch-all). Visits every node whose pattern matches
// the whole path; `visit` returns true to stop.
template <typename Visit>
bool Walk(const Node& node, const std::vector<std::string_view>& segments, std::size_t index, Params& params,
          Visit& visit) {
    if (index == segments.size()) return !node.handlers.empty() && visit(node, params);
    std::string_view segment = segments[index];
    if (auto it = node.literals.find(segment); it != node.literals.end()) {
        if (Walk(*it->second, segments, index + 1, params, visit)) return true;
    }
    if (node.param && !segment.empty()) {
        params.emplace_back(node.param_name, detail::PercentDecodeLenient(segment, detail::PlusMode::kLiteral));
        if (Walk(*node.param, segments, index + 1, params, visit)) return true;
        params.pop_back();
    }
    if (node.catch_all && !node.catch_all->handlers.empty()) {
        std::string rest;
        for (std::size_t i = index; i < segments.size(); ++i) {
            if (i > index) rest.push_back('/');
            rest += detail::PercentDecodeLenient(segments[i], detail::PlusMode::kLiteral);
        }
        params.emplace_back(node.catch_all_name, std::move(rest));
        if (visit(*node.catch_all, params)) return true;
        params.pop_back();
    }
    return false;
}

Response DefaultNotFound(const Request& request) {
    if (request.path.starts_with("/api/")) return ErrorResponse(404, "not_found", "no such endpoint");
    return Response::Text(404, "404 Not Found\n");
}

}  // namespace

Response Router::Dispatch(Request& request) const {
    std::string_view raw_path(request.target);
    raw_path = raw_path.substr(0, raw_path.find('?'));
    if (raw_path.empty() || raw_path.front() != '/') raw_path = "/";
    std::vector<std::string_view> segments = SplitPath(raw_path);

    const bool is_head = request.method == "HEAD";
    const Handler* handler = nullptr;
    bool head_via_get = false;
    const Node* first_match = nullptr;
    Params first_params;
    Params params;
    auto find_handler = [&](const Node& node, const Params& captured) {
        if (first_match == nullptr) {
            first_match = &node;
            first_params = captured;
        }
        if (auto it = node.handlers.find(request.method); it != node.handlers.end()) {
            handler = &it->second;
        } else if (is_head) {
            if (auto get = node.handlers.find("GET"); get != node.handlers.end()) {
                handler = &get->second;
                head_via_get = true;
            }
        }
        if (handler == nullptr) return false;
        request.route = node.pattern;
        request.SetParams(captured);
        return true;
    };
    Walk(*root_, segments, 0, params, find_handler);

    if (handler != nullptr) {
        Response response = (*handler)(request);
        if (head_via_get) {
            response.SetHeader("Content-Length", std::to_string(response.body.size()));
            response.body.clear();
        }
        return response;
    }
    if (first_match == nullptr) {
        request.route.clear();
        return not_found_ ? not_found_(request) : DefaultNotFound(request);
    }
    request.route = first_match->pattern;
    request.SetParams(std::move(first_params));
    // Slow path only: every pattern matching the path contributes its methods to Allow.
    std::set<std::string_view> allowed;
    auto collect_methods = [&](const Node& node, const Params&) {
        for (const auto& [method, unused] : node.handlers) allowed.insert(method);
        return false;
    };
    params.clear();
    Walk(*root_, segments, 0, params, collect_methods);
    std::string allow;
    if (allowed.count("GET") != 0) allowed.insert("HEAD");
    for (std::string_view method : allowed) {
        if (!allow.empty()) allow += ", ";
        allow += method;
    }
    Response response = request.path.starts_with("/api/")
                            ? ErrorResponse(405, "method_not_allowed", "method not allowed")
                            : Response::Text(405, "405 Method Not Allowed\n");
    response.SetHeader("Allow", allow);
    return response;
}

}  // namespace kizuna::http
