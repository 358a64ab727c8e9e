// Percent-decoding and the small tokenizers shared by Request (query, form, cookies) and the router.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace kizuna::http::detail {

enum class PlusMode { kLiteral, kSpace };

// Decodes %XX escapes (and '+' as space in kSpace mode). nullopt on a malformed escape ("%4", "%zz").
std::optional<std::string> PercentDecode(std::string_view in, PlusMode plus);

// Lenient variant for query/form values: a malformed escape is kept literally.
std::string PercentDecodeLenient(std::string_view in, PlusMode plus);

// ASCII case-insensitive equality.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// Calls `fn(raw_key, raw_value)` for each "k=v" pair separated by `sep`; returns early when fn returns true.
// Pairs without '=' get an empty value.
template <typename Fn>
void ForEachPair(std::string_view text, char sep, Fn&& fn) {
    while (!text.empty()) {
        std::size_t end = text.find(sep);
        std::string_view item = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
        if (item.empty()) continue;
        std::size_t eq = item.find('=');
        std::string_view key = item.substr(0, eq);
        std::string_view value = eq == std::string_view::npos ? std::string_view() : item.substr(eq + 1);
        if (fn(key, value)) return;
    }
}

std::string_view TrimOws(std::string_view s);

}  // namespace kizuna::http::detail
