// Text decoding the mail gateway needs beyond what iconv and GMime do on their own:
//   - ISO-2022-JP as Windows mail programs write it (Microsoft's CP50220/CP50221/CP50222): JIS X 0208 plus
//     NEC row 13 (①②, Ⅰ, ㈱), the NEC-selected IBM extensions (rows 89-92), user-defined rows and
//     half-width katakana (ESC ( I or SO/SI). glibc's ISO-2022-JP refuses those bytes, so each JIS pair is
//     moved to its Shift_JIS code point and converted as CP932, which has all of them.
//   - RFC 2047 encoded words in headers, with adjacent words of one charset joined before conversion (an
//     ISO-2022-JP word split in the middle of a character is common).
//   - HTML-only mail as plain text (tags removed, script/style dropped, entities decoded).
#pragma once

#include <string>
#include <string_view>

namespace kizuna::mail::detail {

// ISO-2022-JP (any of the Microsoft variants) → UTF-8. False when the bytes are not ISO-2022-JP at all
// (8-bit bytes, an unknown escape) or CP932 cannot convert the result.
bool Cp5022xToUtf8(std::string_view bytes, std::string* out);

// Decodes every RFC 2047 encoded word in `raw` (a header value as written, unfolded or folded); text
// outside encoded words is kept; whitespace between two encoded words is dropped (RFC 2047 section 6.2).
// Each run is converted with `to_utf8(bytes, charset)`.
std::string DecodeRfc2047(std::string_view raw, std::string (*to_utf8)(std::string_view bytes, std::string_view charset));

// HTML (UTF-8) → readable plain text: script/style/head content dropped, block elements and <br> become
// line breaks, other tags removed, character references decoded, runs of blank lines collapsed.
std::string HtmlToText(std::string_view html);

}  // namespace kizuna::mail::detail
