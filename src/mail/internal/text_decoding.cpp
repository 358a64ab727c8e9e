#include "mail/internal/text_decoding.hpp"

#include <glib.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>

namespace kizuna::mail::detail {
namespace {

std::string Lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

bool ConvertCp932(const std::string& sjis, std::string* out) {
    gsize written = 0;
    GError* error = nullptr;
    gchar* converted = g_convert(sjis.data(), static_cast<gssize>(sjis.size()), "UTF-8", "CP932", nullptr, &written,
                                 &error);
    if (error) {
        g_error_free(error);
        g_free(converted);
        return false;
    }
    if (!converted) return false;
    out->assign(converted, written);
    g_free(converted);
    return true;
}

void AppendUtf8(std::uint32_t cp, std::string* out) {
    char buf[8];
    const int n = g_unichar_to_utf8(cp, buf);
    out->append(buf, static_cast<std::size_t>(n));
}

}  // namespace

bool Cp5022xToUtf8(std::string_view bytes, std::string* out) {
    enum class Mode { kAscii, kKanji, kKana };
    constexpr char kEsc = 0x1b;
    Mode mode = Mode::kAscii;
    bool shifted_out = false;  // SO (0x0E) … SI (0x0F): half-width katakana in CP50222
    std::string sjis;
    sjis.reserve(bytes.size());
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        const auto c = static_cast<unsigned char>(bytes[i]);
        if (c >= 0x80) return false;  // ISO-2022-JP is 7-bit
        if (c == static_cast<unsigned char>(kEsc)) {
            const std::string_view rest = bytes.substr(i + 1);
            if (rest.starts_with("$B") || rest.starts_with("$@")) {
                mode = Mode::kKanji;
                i += 2;
            } else if (rest.starts_with("&@\x1b$B")) {  // JIS X 0208-1990 announcer
                mode = Mode::kKanji;
                i += 5;
            } else if (rest.starts_with("(B") || rest.starts_with("(J") || rest.starts_with("(H")) {
                mode = Mode::kAscii;
                i += 2;
            } else if (rest.starts_with("(I")) {
                mode = Mode::kKana;
                i += 2;
            } else {
                return false;
            }
            continue;
        }
        if (c == 0x0e) {
            shifted_out = true;
            continue;
        }
        if (c == 0x0f) {
            shifted_out = false;
            continue;
        }
        if (c < 0x21 || c == 0x7f) {  // controls and line ends pass through in every mode
            sjis += static_cast<char>(c);
            continue;
        }
        if (shifted_out || mode == Mode::kKana) {
            if (c > 0x5f) return false;
            sjis += static_cast<char>(c + 0x80);
            continue;
        }
        if (mode == Mode::kAscii) {
            sjis += static_cast<char>(c);
            continue;
        }
        // Kanji: a JIS pair (row j1, cell j2), both 0x21..0x7E, to its Shift_JIS bytes.
        if (i + 1 >= bytes.size()) return false;
        const auto j2 = static_cast<unsigned char>(bytes[i + 1]);
        if (j2 < 0x21 || j2 > 0x7e) return false;
        ++i;
        const unsigned j1 = c;
        const unsigned s1 = ((j1 + 1) >> 1) + (j1 <= 0x5e ? 0x70 : 0xb0);
        const unsigned s2 = j2 + ((j1 & 1) ? (j2 >= 0x60 ? 0x20 : 0x1f) : 0x7e);
        sjis += static_cast<char>(s1);
        sjis += static_cast<char>(s2);
    }
    return ConvertCp932(sjis, out);
}

std::string DecodeRfc2047(std::string_view raw,
                          std::string (*to_utf8)(std::string_view bytes, std::string_view charset)) {
    std::string out;
    std::string pending_bytes;    // decoded bytes of adjacent encoded words in one charset
    std::string pending_charset;
    std::string gap;              // whitespace after the last encoded word (dropped if another follows)
    auto flush = [&] {
        if (!pending_charset.empty()) out += to_utf8(pending_bytes, pending_charset);
        pending_bytes.clear();
        pending_charset.clear();
    };
    std::size_t i = 0;
    while (i < raw.size()) {
        if (raw.compare(i, 2, "=?") == 0) {
            // =?charset?E?text?=
            const std::size_t q1 = raw.find('?', i + 2);
            const std::size_t q2 = q1 == std::string_view::npos ? q1 : raw.find('?', q1 + 1);
            const std::size_t end = q2 == std::string_view::npos ? q2 : raw.find("?=", q2 + 1);
            if (end != std::string_view::npos && q2 == q1 + 2) {
                std::string charset = Lower(raw.substr(i + 2, q1 - i - 2));
                if (const auto star = charset.find('*'); star != std::string::npos) charset.resize(star);  // RFC 2231 language
                const char encoding = static_cast<char>(std::toupper(static_cast<unsigned char>(raw[q1 + 1])));
                const std::string_view text = raw.substr(q2 + 1, end - q2 - 1);
                std::string decoded;
                bool ok = true;
                if (encoding == 'B') {
                    std::string b64(text);
                    while (b64.size() % 4 != 0) b64 += '=';
                    gsize len = 0;
                    guchar* data = g_base64_decode(b64.c_str(), &len);
                    decoded.assign(reinterpret_cast<const char*>(data), len);
                    g_free(data);
                } else if (encoding == 'Q') {
                    for (std::size_t k = 0; k < text.size(); ++k) {
                        if (text[k] == '_') {
                            decoded += ' ';
                        } else if (text[k] == '=' && k + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[k + 1])) &&
                                   std::isxdigit(static_cast<unsigned char>(text[k + 2]))) {
                            decoded += static_cast<char>(std::strtol(std::string(text.substr(k + 1, 2)).c_str(), nullptr, 16));
                            k += 2;
                        } else {
                            decoded += text[k];
                        }
                    }
                } else {
                    ok = false;
                }
                if (ok) {
                    if (pending_charset != charset) flush();
                    gap.clear();  // whitespace between encoded words is not part of the text
                    pending_charset = charset;
                    pending_bytes += decoded;
                    i = end + 2;
                    continue;
                }
            }
        }
        const char c = raw[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            if (c == ' ' || c == '\t') gap += c;
            ++i;
            continue;
        }
        flush();
        out += gap;
        gap.clear();
        out += c;
        ++i;
    }
    flush();
    return out;
}

namespace {

// "&amp;" "&#12354;" "&#x3042;" at `pos` (pointing at '&'); appends the character and returns the length
// consumed, 0 when it is not a reference this decoder knows.
std::size_t DecodeEntity(std::string_view s, std::size_t pos, std::string* out) {
    const std::size_t semi = s.find(';', pos);
    if (semi == std::string_view::npos || semi - pos > 12) return 0;
    const std::string name(s.substr(pos + 1, semi - pos - 1));
    if (name.empty()) return 0;
    if (name[0] == '#') {
        const bool hex = name.size() > 1 && (name[1] == 'x' || name[1] == 'X');
        const std::string digits = name.substr(hex ? 2 : 1);
        if (digits.empty()) return 0;
        char* end = nullptr;
        const unsigned long cp = std::strtoul(digits.c_str(), &end, hex ? 16 : 10);
        if (*end != '\0') return 0;
        AppendUtf8(cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? 0xfffd : static_cast<std::uint32_t>(cp),
                   out);
        return semi - pos + 1;
    }
    static constexpr std::pair<std::string_view, std::string_view> kNamed[] = {
        {"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"}, {"nbsp", " "},
        {"copy", "©"}, {"reg", "®"}, {"hellip", "…"}, {"mdash", "—"}, {"ndash", "–"}, {"yen", "¥"},
    };
    for (const auto& [n, v] : kNamed)
        if (name == n) {
            *out += v;
            return semi - pos + 1;
        }
    return 0;
}

bool TagIs(std::string_view tag, std::string_view name) {
    if (tag.size() < name.size()) return false;
    for (std::size_t k = 0; k < name.size(); ++k)
        if (std::tolower(static_cast<unsigned char>(tag[k])) != name[k]) return false;
    return tag.size() == name.size() || !std::isalnum(static_cast<unsigned char>(tag[name.size()]));
}

}  // namespace

std::string HtmlToText(std::string_view html) {
    std::string text;
    std::size_t i = 0;
    while (i < html.size()) {
        const char c = html[i];
        if (c == '<') {
            if (html.compare(i, 4, "<!--") == 0) {
                const std::size_t end = html.find("-->", i + 4);
                i = end == std::string_view::npos ? html.size() : end + 3;
                continue;
            }
            const std::size_t end = html.find('>', i);
            if (end == std::string_view::npos) break;  // an unterminated tag: the rest is markup
            std::string_view tag = html.substr(i + 1, end - i - 1);
            const bool closing = !tag.empty() && tag.front() == '/';
            if (closing) tag.remove_prefix(1);
            i = end + 1;
            // Content that is never text: skip to the matching close tag.
            for (std::string_view skip : {"script", "style", "head", "title"}) {
                if (!closing && TagIs(tag, skip)) {
                    std::size_t at = i;
                    for (;;) {
                        at = html.find("</", at);
                        if (at == std::string_view::npos) break;
                        if (TagIs(html.substr(at + 2), skip)) break;
                        at += 2;
                    }
                    const std::size_t gt = at == std::string_view::npos ? at : html.find('>', at);
                    i = gt == std::string_view::npos ? html.size() : gt + 1;
                    break;
                }
            }
            for (std::string_view block : {"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
                                           "blockquote", "pre", "table", "ul", "ol", "hr"}) {
                if (TagIs(tag, block)) {
                    if (!text.empty() && text.back() != '\n') text += '\n';
                    if (!closing && TagIs(tag, "li")) text += "- ";
                    break;
                }
            }
            continue;
        }
        if (c == '&') {
            if (const std::size_t used = DecodeEntity(html, i, &text); used > 0) {
                i += used;
                continue;
            }
        }
        if (c == '\r') {
            ++i;
            continue;
        }
        // Source line breaks and runs of spaces are layout, not text.
        if (c == '\n' || c == '\t' || c == ' ') {
            if (!text.empty() && text.back() != ' ' && text.back() != '\n') text += ' ';
            ++i;
            continue;
        }
        text += c;
        ++i;
    }
    // Trim spaces at line ends and collapse more than one empty line.
    std::string out;
    std::size_t blank = 0;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t nl = text.find('\n', start);
        if (nl == std::string::npos) nl = text.size();
        std::string_view line(text.data() + start, nl - start);
        while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
        while (!line.empty() && line.back() == ' ') line.remove_suffix(1);
        if (line.empty()) {
            if (!out.empty() && ++blank == 1) out += '\n';
        } else {
            blank = 0;
            out += line;
            out += '\n';
        }
        start = nl + 1;
    }
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

}  // namespace kizuna::mail::detail
