// The advisory as page data (figure 1) and one vendor's page (figure 2), shared by the public page and the
// coordinator's preview so that the preview is exactly what will be published.
#pragma once

#include <initializer_list>
#include <optional>
#include <string_view>

#include "vuln/advisories.hpp"
#include "web/internal/view.hpp"
#include "web/site.hpp"

namespace kizuna::web::detail {

// "2026年4月1日" (ja) or "2026-04-01" (en), in the site's time zone.
std::string AdvisoryDate(SiteServices& s, Lang lang, core::WallTime t);
// "ja"/"en" when `text` is missing in `lang` but present in the other language (the text shown is then
// the other language's), else nullopt.
std::optional<std::string_view> FallbackLang(Lang lang, const formats::Localized& text);
// The visible mark of such a text: "(Japanese only)" / "（英語のみ）".
std::string UntranslatedNote(Lang lang);
// {text, text_lang?, untranslated?} for a template section, or false when both languages are empty.
View LocalText(Lang lang, const formats::Localized& text);
// <link rel="alternate"> entries for the layout's head (list of {rel, type, href, title, hreflang}).
View AdvisoryHeadLinks(Lang lang, const vuln::AdvisoryRecord& rec);
// Replaces each "{{token}}" once.
std::string Fill(std::string text, std::initializer_list<std::pair<std::string_view, std::string>> values);
// "High" -> "high" (a CSS class suffix).
std::string SeverityClass(const std::string& severity);
std::string_view AdvisoryStatusName(formats::AdvisoryVendorStatus status);
// The page data of an advisory: every text in the page's language; a text that exists only in the other
// language is shown with its language named ({text, text_lang, untranslated}) instead of mixing languages
// silently; an empty section's key is false so the template leaves the section out. `page_title` carries
// the identifier; `head_links` are the <link rel="alternate"> of the other language and the CSAF document.
View AdvisoryView(SiteServices& s, Lang lang, const vuln::AdvisoryRecord& rec);
// nullopt when `vendor_key` is not in the advisory's vendor table.
std::optional<View> AdvisoryVendorView(SiteServices& s, Lang lang, const vuln::AdvisoryRecord& rec,
                                       std::string_view vendor_key);

}  // namespace kizuna::web::detail
