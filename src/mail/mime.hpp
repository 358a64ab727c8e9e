// Parsing of Internet mail (RFC 5322, MIME RFC 2045-2049, RFC 2047 headers) with GMime 3 into a plain
// value: decoded headers, the body text in UTF-8, attachments, and how OpenPGP is applied (RFC 3156
// PGP/MIME or inline armour), so inbound mail can be decrypted, verified and routed (I1, V17).
//
// Hostile input: every limit is checked before work is done; a message GMime cannot make sense of, one
// over a limit or nested too deep is refused with a reason (invalid_argument / too_large, field "message"),
// never a crash. Oddities that do not stop the parse (undeclared charset guessed, bad bytes replaced) are
// counted in `anomalies` by name.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace kizuna::mail {

struct MimeLimits {
    std::size_t max_message_bytes = 25 * 1024 * 1024;
    int max_parts = 500;   // MIME parts in the whole tree
    int max_depth = 16;    // multipart nesting
};

struct MailAttachment {
    std::string filename;    // as given (RFC 2231/2047 decoded), "" when none
    std::string media_type;  // "application/pdf"
    std::string content;     // transfer encoding removed
    bool covered = false;    // inside the OpenPGP-signed or -encrypted content of the message
};

enum class PgpForm {
    kNone,
    kMimeEncrypted,   // multipart/encrypted; protocol="application/pgp-encrypted" (RFC 3156 section 4)
    kMimeSigned,      // multipart/signed; protocol="application/pgp-signature" (RFC 3156 section 5)
    kInlineEncrypted, // "-----BEGIN PGP MESSAGE-----" in the body text
    kInlineSigned,    // "-----BEGIN PGP SIGNED MESSAGE-----" in the body text
};
std::string_view Name(PgpForm form);

struct ParsedMail {
    // Headers (empty for a bare MIME entity). Message ids without angle brackets.
    std::string message_id;
    std::string subject;  // UTF-8, RFC 2047 decoded
    std::string from_address;  // lower-cased addr-spec
    std::string from_name;
    std::vector<std::string> to;
    std::string in_reply_to;
    std::vector<std::string> references;
    std::string date;  // as written
    std::vector<std::pair<std::string, std::string>> headers;  // every top-level header, decoded

    std::string text;  // the inline text/plain parts in UTF-8; HTML-only mail: the HTML as plain text.
                       // PGP/MIME signed: only the text inside the signed part
    std::vector<MailAttachment> attachments;
    // When OpenPGP applies (pgp != kNone): the text outside what the signature or encryption covers — text
    // parts beside a multipart/signed or multipart/encrypted part, text before or after an inline block.
    // Never to be shown as signed.
    std::string outside_text;

    PgpForm pgp = PgpForm::kNone;
    std::string pgp_payload;         // encrypted: the ciphertext; signed: the detached signature;
                                     // inline: the armoured block
    std::string pgp_signed_content;  // kMimeSigned: the signed entity, canonical CRLF, as RFC 3156 signs it
    std::string pgp_charset;         // inline forms: the charset of the part holding the block; the payload
                                     // is that part's bytes as sent (not converted), so signatures verify

    std::vector<std::string> anomalies;  // named, e.g. "charset_guessed:shift_jis", "duplicated_header"
    // Named damage to the structure (a subset of the parser's warnings and our own checks): the message
    // was cut or is not what it claims, e.g. "truncated_message", "truncated_base64:poc.zip". Mail with a
    // defect is quarantined, never stored as a normal report with a silently cut attachment.
    std::vector<std::string> defects;

    // Value of the first header called `name` (case-insensitive), "" when absent.
    std::string Header(std::string_view name) const;
};

// A whole message (headers and body).
core::Result<ParsedMail> ParseMail(std::string_view raw, const MimeLimits& limits = {});
// A MIME entity without message headers, e.g. the plaintext of a PGP/MIME encrypted part.
core::Result<ParsedMail> ParseEntity(std::string_view raw, const MimeLimits& limits = {});

// The Message-ID of a raw message without parsing its MIME structure (header block only, unfolded, angle
// brackets removed); "" when there is none. Used to recognise duplicate deliveries before storing.
std::string ExtractMessageId(std::string_view raw);

// Text in `charset` (any name iconv or GMime knows; "" = guess among UTF-8, ISO-2022-JP, Shift_JIS (CP932),
// EUC-JP) converted to UTF-8; invalid bytes become U+FFFD. ISO-2022-JP includes the Microsoft variants
// (CP50220/CP50221/CP50222: ①, NEC and IBM extensions, half-width katakana). `anomaly` (may be null) gets a name when a guess
// or replacement happened.
std::string ToUtf8(std::string_view bytes, std::string_view charset, std::string* anomaly = nullptr);

}  // namespace kizuna::mail
