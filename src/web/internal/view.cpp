#include "web/internal/view.hpp"

#include <cctype>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "web/internal/assets.hpp"

namespace kizuna::web::detail {
namespace {

using Template = kainjow::mustache::mustache;

Template& Parsed(std::string_view name) {
    thread_local std::map<std::string, std::unique_ptr<Template>, std::less<>> cache;
    if (auto it = cache.find(name); it != cache.end()) return *it->second;
    auto text = EmbeddedFile("templates/" + std::string(name) + ".mustache");
    auto tmpl = std::make_unique<Template>(text ? std::string(*text) : "missing template " + std::string(name));
    Template& ref = *tmpl;
    cache.emplace(std::string(name), std::move(tmpl));
    return ref;
}

// The main catalog plus every area file (i18n/<lang>/<area>.json), as Translate() sees them.
View BuildMessages(Lang lang) {
    View t{View::type::object};
    const std::string code = lang == Lang::kEn ? "en" : "ja";
    const std::string main_file = "i18n/" + code + ".json";
    const std::string area_prefix = "i18n/" + code + "/";
    for (int i = 0; i < kEmbeddedFileCount; ++i) {
        const std::string_view name = kEmbeddedFiles[i].first;
        if (name != main_file && !(name.starts_with(area_prefix) && name.ends_with(".json"))) continue;
        auto json = nlohmann::json::parse(kEmbeddedFiles[i].second, nullptr, false);
        if (!json.is_object()) continue;
        for (auto& [k, v] : json.items())
            if (v.is_string()) t.set(k, v.get<std::string>());
    }
    return t;
}

}  // namespace

const View& Messages(Lang lang) {
    static const View ja = BuildMessages(Lang::kJa);
    static const View en = BuildMessages(Lang::kEn);
    return lang == Lang::kEn ? en : ja;
}

std::string Render(std::string_view name, View view) {
    for (int i = 0; i < kEmbeddedFileCount; ++i) {
        std::string_view path = kEmbeddedFiles[i].first;
        if (path.substr(0, 10) != "templates/" || path.size() < 19) continue;
        // Partials are the templates whose names start with '_', so they cannot shadow data keys.
        std::string partial(path.substr(10, path.size() - 10 - 9));  // strip "templates/" and ".mustache"
        if (partial.empty() || partial[0] != '_' || partial == name) continue;
        std::string body(kEmbeddedFiles[i].second);
        view.set(partial, kainjow::mustache::partial([body] { return body; }));
    }
    Template& tmpl = Parsed(name);
    if (!tmpl.is_valid()) return "template " + std::string(name) + ": " + tmpl.error_message();
    return tmpl.render(view);
}

std::string UrlEncode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

}  // namespace kizuna::web::detail
