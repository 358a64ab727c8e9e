// Rendering mustache templates (kainjow), HTML-escaped by default ({{x}} escapes, {{{x}}} does not and
// is used only for already-rendered page bodies).
#pragma once

#include <kainjow/mustache.hpp>

#include <string>
#include <string_view>

#include "web/i18n.hpp"

namespace kizuna::web::detail {

using View = kainjow::mustache::data;

// The translation object for templates: {{t.login}}.
const View& Messages(Lang lang);

// Renders templates/<name>.mustache with `view`; templates named _*.mustache are available as partials
// ({{> _audit_table}}).
// Templates are parsed once per thread (kainjow templates are not safe to share between threads).
std::string Render(std::string_view name, View view);

// Percent-encodes everything but RFC 3986 unreserved characters: a value placed in a URL's path or query.
std::string UrlEncode(std::string_view text);

}  // namespace kizuna::web::detail
