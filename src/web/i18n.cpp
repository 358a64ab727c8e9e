#include "web/i18n.hpp"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <map>
#include <vector>

#include "web/internal/assets.hpp"

namespace kizuna::web {
namespace {

using Catalog = std::map<std::string, std::string, std::less<>>;

void LoadInto(Catalog& out, std::string_view text) {
    auto json = nlohmann::json::parse(text, nullptr, false);
    if (!json.is_object()) return;
    for (auto& [k, v] : json.items())
        if (v.is_string()) out.emplace(k, v.get<std::string>());
}

// "i18n/ja.json" plus every "i18n/ja/<area>.json" (one file per area of the site, so that work on
// different screens does not collide in one file).
Catalog LoadCatalog(std::string_view code) {
    Catalog out;
    const std::string main_file = "i18n/" + std::string(code) + ".json";
    const std::string area_prefix = "i18n/" + std::string(code) + "/";
    for (int i = 0; i < detail::kEmbeddedFileCount; ++i) {
        const auto& [name, text] = detail::kEmbeddedFiles[i];
        if (name == main_file || (name.starts_with(area_prefix) && name.ends_with(".json"))) LoadInto(out, text);
    }
    return out;
}

const Catalog& CatalogFor(Lang lang) {
    static const Catalog ja = LoadCatalog("ja");
    static const Catalog en = LoadCatalog("en");
    return lang == Lang::kEn ? en : ja;
}

}  // namespace

std::string_view LangCode(Lang lang) { return lang == Lang::kEn ? "en" : "ja"; }

std::optional<Lang> ParseLang(std::string_view code) {
    if (code == "ja") return Lang::kJa;
    if (code == "en") return Lang::kEn;
    return std::nullopt;
}

Lang FromAcceptLanguage(std::string_view header, Lang fallback) {
    double best_q = 0.0;
    std::optional<Lang> best;
    std::size_t pos = 0;
    while (pos < header.size()) {
        std::size_t comma = header.find(',', pos);
        std::string_view item = header.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
        pos = comma == std::string_view::npos ? header.size() : comma + 1;
        std::string_view tag = item.substr(0, item.find(';'));
        while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
        while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
        double q = 1.0;
        if (auto qpos = item.find("q="); qpos != std::string_view::npos) {
            std::string qs(item.substr(qpos + 2));
            q = std::strtod(qs.c_str(), nullptr);
        }
        std::string_view primary = tag.substr(0, tag.find('-'));
        std::optional<Lang> lang;
        if (primary.size() == 2 && (primary[0] | 0x20) == 'j' && (primary[1] | 0x20) == 'a') lang = Lang::kJa;
        if (primary.size() == 2 && (primary[0] | 0x20) == 'e' && (primary[1] | 0x20) == 'n') lang = Lang::kEn;
        if (lang && q > best_q) {
            best_q = q;
            best = lang;
        }
    }
    return best.value_or(fallback);
}

Lang ChooseLang(const std::optional<std::string>& query, const std::optional<std::string>& cookie,
                std::string_view accept_language, Lang fallback) {
    if (query)
        if (auto l = ParseLang(*query)) return *l;
    if (cookie)
        if (auto l = ParseLang(*cookie)) return *l;
    if (!accept_language.empty()) return FromAcceptLanguage(accept_language, fallback);
    return fallback;
}

const std::string& Translate(Lang lang, std::string_view key) {
    const Catalog& catalog = CatalogFor(lang);
    if (auto it = catalog.find(key); it != catalog.end()) return it->second;
    static thread_local std::string missing;
    missing = std::string(key);
    return missing;
}

std::vector<std::string> CatalogKeys(Lang lang) {
    std::vector<std::string> keys;
    for (const auto& [key, value] : CatalogFor(lang)) keys.push_back(key);
    return keys;
}

}  // namespace kizuna::web
