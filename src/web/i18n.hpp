// Languages of the pages: Japanese (default) and English. The viewer picks with ?lang= (remembered in
// a cookie); otherwise Accept-Language decides; otherwise the configured default.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kizuna::web {

enum class Lang { kJa, kEn };

std::string_view LangCode(Lang lang);
std::optional<Lang> ParseLang(std::string_view code);
// The best supported language by q-value ("en-US,en;q=0.9,ja;q=0.8" -> en); fallback when none fits.
Lang FromAcceptLanguage(std::string_view header, Lang fallback);
Lang ChooseLang(const std::optional<std::string>& query, const std::optional<std::string>& cookie,
                std::string_view accept_language, Lang fallback);

// Message catalogs (src/web/i18n/*.json, embedded). Unknown keys come back as the key itself, so a
// missing translation shows up on the page instead of an empty string.
const std::string& Translate(Lang lang, std::string_view key);

// Every key of a language's catalog, sorted (for the catalog-parity tests).
std::vector<std::string> CatalogKeys(Lang lang);

}  // namespace kizuna::web
