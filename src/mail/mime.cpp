// ParseMail / ParseEntity: GMime builds the tree; this file bounds the work, walks the tree and converts
// text to UTF-8. GMime never sees more than MimeLimits allows, and every GObject has an owner.
#include "mail/mime.hpp"

#include <algorithm>
#include <cctype>
#include <mutex>

#include "mail/internal/gmime.hpp"
#include "mail/internal/text_decoding.hpp"

namespace kizuna::mail {
namespace detail {

void EnsureGmimeInitialized() {
    static std::once_flag once;
    std::call_once(once, [] { g_mime_init(); });
}

std::string WriteObject(GMimeObject* object) {
    GPtr<GMimeStream> stream(g_mime_stream_mem_new());
    g_mime_object_write_to_stream(object, nullptr, stream.get());
    GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream.get()));
    return std::string(reinterpret_cast<const char*>(bytes->data), bytes->len);
}

std::string DecodedContent(GMimePart* part) {
    GMimeDataWrapper* wrapper = g_mime_part_get_content(part);
    if (!wrapper) return {};
    GPtr<GMimeStream> stream(g_mime_stream_mem_new());
    g_mime_data_wrapper_write_to_stream(wrapper, stream.get());
    GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream.get()));
    return std::string(reinterpret_cast<const char*>(bytes->data), bytes->len);
}

// Content of a leaf part still in its transfer encoding (what was on the wire).
std::string EncodedContent(GMimePart* part) {
    GMimeDataWrapper* wrapper = g_mime_part_get_content(part);
    if (!wrapper) return {};
    GMimeStream* source = g_mime_data_wrapper_get_stream(wrapper);  // owned by the wrapper
    if (!source) return {};
    g_mime_stream_reset(source);
    GPtr<GMimeStream> stream(g_mime_stream_mem_new());
    g_mime_stream_write_to_stream(source, stream.get());
    g_mime_stream_reset(source);
    GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream.get()));
    return std::string(reinterpret_cast<const char*>(bytes->data), bytes->len);
}

}  // namespace detail

namespace {

using detail::GPtr;
using detail::GString;

constexpr char kField[] = "message";

std::string Lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

bool ValidUtf8(std::string_view s) { return g_utf8_validate(s.data(), static_cast<gssize>(s.size()), nullptr); }

std::string MakeValidUtf8(std::string_view s) {
    GString valid(g_utf8_make_valid(s.data(), static_cast<gssize>(s.size())));
    return valid ? std::string(valid.get()) : std::string();
}

// iconv names for the charsets Japanese mail uses; Shift_JIS in the wild is Microsoft's CP932.
std::string IconvName(std::string_view charset) {
    const std::string c = Lower(charset);
    if (c == "shift_jis" || c == "shift-jis" || c == "sjis" || c == "x-sjis" || c == "ms_kanji" || c == "cp932" ||
        c == "windows-31j")
        return "CP932";
    if (c == "iso-2022-jp" || c == "csiso2022jp") return "ISO-2022-JP";
    const char* name = g_mime_charset_iconv_name(std::string(charset).c_str());
    return name ? name : std::string(charset);
}

bool Convert(std::string_view bytes, const std::string& from, std::string* out) {
    gsize written = 0;
    GError* error = nullptr;
    GString converted(g_convert(bytes.data(), static_cast<gssize>(bytes.size()), "UTF-8", from.c_str(), nullptr,
                                &written, &error));
    if (error) {
        g_error_free(error);
        return false;
    }
    if (!converted) return false;
    out->assign(converted.get(), written);
    return true;
}

// ISO-2022-JP: iconv's strict table first, then the Microsoft variants (①, NEC/IBM extensions) that
// Windows mail programs send under the same name.
bool ConvertIso2022Jp(std::string_view bytes, std::string* out) {
    return Convert(bytes, "ISO-2022-JP", out) || detail::Cp5022xToUtf8(bytes, out);
}

bool IsIso2022JpName(const std::string& lower) {
    return lower == "iso-2022-jp" || lower == "csiso2022jp" || lower == "iso-2022-jp-ms" || lower == "cp50220" ||
           lower == "cp50221" || lower == "cp50222" || lower == "x-cp50220" || lower == "x-cp50221";
}

std::string Unbracket(std::string_view id) {
    while (!id.empty() && (id.front() == '<' || std::isspace(static_cast<unsigned char>(id.front())))) id.remove_prefix(1);
    while (!id.empty() && (id.back() == '>' || std::isspace(static_cast<unsigned char>(id.back())))) id.remove_suffix(1);
    return std::string(id);
}

// Headers GMime decoded; a value still carrying ISO-2022-JP escapes (raw 7-bit JIS without RFC 2047)
// is converted too.
std::string HeaderText(const char* value) {
    if (!value) return {};
    std::string v(value);
    if (v.find("\x1b$") != std::string::npos) return ToUtf8(v, "iso-2022-jp");
    return ValidUtf8(v) ? v : MakeValidUtf8(v);
}

// The value of header `name` as written (folded, encoded words intact); null when absent.
const char* RawHeader(GMimeObject* object, const char* name) {
    GMimeHeaderList* headers = g_mime_object_get_header_list(object);
    GMimeHeader* header = headers ? g_mime_header_list_get_header(headers, name) : nullptr;
    return header ? g_mime_header_get_raw_value(header) : nullptr;
}

// Counts the structure words before GMime parses, so its recursive parser never sees more nesting than
// max_parts allows (depth <= number of multiparts).
int CountContainers(std::string_view raw) {
    int count = 0;
    const std::string_view needles[] = {"multipart/", "message/rfc822"};
    for (std::size_t i = 0; i < raw.size(); ++i) {
        const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(raw[i])));
        if (c != 'm') continue;
        for (auto n : needles) {
            if (raw.size() - i < n.size()) continue;
            bool match = true;
            for (std::size_t k = 0; k < n.size() && match; ++k)
                match = std::tolower(static_cast<unsigned char>(raw[i + k])) == n[k];
            if (match) ++count;
        }
    }
    return count;
}

struct Walker {
    const MimeLimits& limits;
    ParsedMail& out;
    int parts = 0;
    std::string html;
    std::string html_outside;  // HTML not covered by OpenPGP
    std::string failure;
    bool covered = false;      // walking inside the signed (or encrypted) content
    std::string outside;       // text not covered by OpenPGP
    std::string covered_text;  // text inside the signed content

    bool Fail(std::string why) {
        if (failure.empty()) failure = std::move(why);
        return false;
    }

    static void Append(std::string& to, const std::string& text) {
        if (text.empty()) return;
        if (!to.empty() && to.back() != '\n') to += '\n';
        to += text;
    }

    // An inline OpenPGP block in the bytes of a text/plain part as sent: the payload keeps the original
    // bytes (a clear signature over ISO-2022-JP text is over the JIS bytes, not over their UTF-8
    // conversion). Text before and after the block is outside what OpenPGP covers.
    bool InlineBlock(const std::string& raw, const std::string& charset) {
        struct Form {
            std::string_view begin, end;
            PgpForm form;
        };
        static constexpr Form kForms[] = {
            {"-----BEGIN PGP MESSAGE-----", "-----END PGP MESSAGE-----", PgpForm::kInlineEncrypted},
            {"-----BEGIN PGP SIGNED MESSAGE-----", "-----END PGP SIGNATURE-----", PgpForm::kInlineSigned},
        };
        for (const auto& f : kForms) {
            const auto begin = raw.find(f.begin);
            if (begin == std::string::npos) continue;
            const auto end = raw.find(f.end, begin);
            if (end == std::string::npos) {
                out.anomalies.push_back("inline_pgp_unterminated");
                return false;
            }
            const auto stop = end + f.end.size();
            out.pgp = f.form;
            out.pgp_payload = raw.substr(begin, stop - begin) + "\n";
            out.pgp_charset = charset;
            const std::string before = ToUtf8(std::string_view(raw).substr(0, begin), charset);
            const std::string after = ToUtf8(std::string_view(raw).substr(stop), charset);
            Append(out.text, ToUtf8(raw, charset));
            for (const auto* piece : {&before, &after})
                if (piece->find_first_not_of(" \t\r\n") != std::string::npos) Append(outside, *piece);
            return true;
        }
        return false;
    }

    bool Walk(GMimeObject* object, int depth) {
        if (!object) return true;
        if (++parts > limits.max_parts) return Fail("more than " + std::to_string(limits.max_parts) + " MIME parts");
        if (depth > limits.max_depth)
            return Fail("MIME nesting deeper than " + std::to_string(limits.max_depth) + " levels");
        GMimeContentType* type = g_mime_object_get_content_type(object);
        if (GMIME_IS_MULTIPART_ENCRYPTED(object) && out.pgp == PgpForm::kNone) {
            const char* protocol = type ? g_mime_content_type_get_parameter(type, "protocol") : nullptr;
            GMimeMultipart* multipart = GMIME_MULTIPART(object);
            if (protocol && Lower(protocol) == "application/pgp-encrypted" && g_mime_multipart_get_count(multipart) == 2) {
                GMimeObject* payload = g_mime_multipart_get_part(multipart, 1);
                if (GMIME_IS_PART(payload)) {
                    out.pgp = PgpForm::kMimeEncrypted;
                    out.pgp_payload = detail::DecodedContent(GMIME_PART(payload));
                    return true;
                }
            }
            out.anomalies.push_back("unsupported_multipart_encrypted");
        }
        if (GMIME_IS_MULTIPART_SIGNED(object) && out.pgp == PgpForm::kNone) {
            const char* protocol = type ? g_mime_content_type_get_parameter(type, "protocol") : nullptr;
            GMimeMultipart* multipart = GMIME_MULTIPART(object);
            if (protocol && Lower(protocol) == "application/pgp-signature" && g_mime_multipart_get_count(multipart) == 2) {
                GMimeObject* content = g_mime_multipart_get_part(multipart, 0);
                GMimeObject* signature = g_mime_multipart_get_part(multipart, 1);
                if (GMIME_IS_PART(signature)) {
                    out.pgp = PgpForm::kMimeSigned;
                    out.pgp_payload = detail::DecodedContent(GMIME_PART(signature));
                    // RFC 3156 5: the signed data is the first part as transmitted, with CRLF line ends.
                    const std::string raw = detail::WriteObject(content);
                    std::string canonical;
                    canonical.reserve(raw.size() + raw.size() / 32);
                    for (std::size_t i = 0; i < raw.size(); ++i) {
                        if (raw[i] == '\n' && (i == 0 || raw[i - 1] != '\r')) canonical += '\r';
                        canonical += raw[i];
                    }
                    out.pgp_signed_content = std::move(canonical);
                    covered = true;
                    const bool ok = Walk(content, depth + 1);
                    covered = false;
                    return ok;
                }
            }
            out.anomalies.push_back("unsupported_multipart_signed");
        }
        if (GMIME_IS_MULTIPART(object)) {
            GMimeMultipart* multipart = GMIME_MULTIPART(object);
            const int count = g_mime_multipart_get_count(multipart);
            const bool alternative = type && g_mime_content_type_is_type(type, "multipart", "alternative");
            for (int i = 0; i < count; ++i) {
                GMimeObject* child = g_mime_multipart_get_part(multipart, i);
                // In multipart/alternative only the plain text is the body; the other forms are dropped
                // once plain text was found (they say the same thing).
                if (alternative && i > 0 && !out.text.empty()) break;
                if (!Walk(child, depth + 1)) return false;
            }
            return true;
        }
        if (GMIME_IS_MESSAGE_PART(object)) {
            GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
            if (!inner) return true;
            const char* subject = g_mime_message_get_subject(inner);
            std::string name = HeaderText(subject);
            out.attachments.push_back({(name.empty() ? std::string("message") : name) + ".eml", "message/rfc822",
                                       detail::WriteObject(GMIME_OBJECT(inner)), covered});
            return true;
        }
        if (!GMIME_IS_PART(object)) return true;
        GMimePart* part = GMIME_PART(object);
        GString mime_type(type ? g_mime_content_type_get_mime_type(type) : g_strdup("text/plain"));
        const std::string media_type = Lower(mime_type ? mime_type.get() : "application/octet-stream");
        const char* filename = g_mime_part_get_filename(part);
        GMimeContentDisposition* disposition = g_mime_object_get_content_disposition(object);
        const bool attachment =
            (disposition && g_mime_content_disposition_is_attachment(disposition)) || (filename && *filename);
        CheckTransferEncoding(part, filename ? filename : media_type.c_str());
        std::string content = detail::DecodedContent(part);
        if (!attachment && (media_type == "text/plain" || media_type == "text/html")) {
            const char* charset_param = type ? g_mime_content_type_get_parameter(type, "charset") : nullptr;
            const std::string charset = charset_param ? charset_param : "";
            if (media_type == "text/plain" && out.pgp == PgpForm::kNone && !covered && InlineBlock(content, charset))
                return true;
            std::string anomaly;
            std::string text = ToUtf8(content, charset, &anomaly);
            if (!anomaly.empty()) out.anomalies.push_back(anomaly);
            if (media_type == "text/html") {
                html += text;
                if (!covered) html_outside += text;
            } else {
                Append(out.text, text);
                Append(covered ? covered_text : outside, text);
            }
            return true;
        }
        out.attachments.push_back(
            {filename ? HeaderText(filename) : std::string(), media_type, std::move(content), covered});
        return true;
    }

    // Base64 whose length is not a multiple of four was cut in transit (or on purpose): GMime decodes what
    // is there without a word, so the check is ours.
    void CheckTransferEncoding(GMimePart* part, const char* what) {
        if (g_mime_part_get_content_encoding(part) != GMIME_CONTENT_ENCODING_BASE64) return;
        const std::string encoded = detail::EncodedContent(part);
        std::size_t symbols = 0;
        for (unsigned char c : encoded)
            if (std::isalnum(c) || c == '+' || c == '/' || c == '=') ++symbols;
        if (symbols % 4 != 0 && out.defects.size() < 16) out.defects.push_back(std::string("truncated_base64:") + what);
    }
};

// GMime's parser warnings by name; the ones that mean the structure was damaged are defects too.
void WarningCollector(gint64 /*offset*/, GMimeParserWarning code, const gchar* /*item*/, gpointer user_data) {
    auto* out = static_cast<ParsedMail*>(user_data);
    struct Named {
        GMimeParserWarning code;
        const char* name;
        bool defect;
    };
    static constexpr Named kNames[] = {
        {GMIME_WARN_DUPLICATED_HEADER, "duplicated_header", false},
        {GMIME_WARN_DUPLICATED_PARAMETER, "duplicated_parameter", false},
        {GMIME_WARN_UNENCODED_8BIT_HEADER, "unencoded_8bit_header", false},
        {GMIME_WARN_INVALID_CONTENT_TYPE, "invalid_content_type", false},
        {GMIME_WARN_INVALID_RFC2047_HEADER_VALUE, "invalid_rfc2047_header_value", false},
        {GMIME_WARN_MALFORMED_MULTIPART, "malformed_multipart", true},
        {GMIME_WARN_TRUNCATED_MESSAGE, "truncated_message", true},
        {GMIME_WARN_MALFORMED_MESSAGE, "malformed_message", true},
        {GMIME_CRIT_INVALID_HEADER_NAME, "invalid_header_name", true},
        {GMIME_CRIT_CONFLICTING_HEADER, "conflicting_header", false},
        {GMIME_CRIT_CONFLICTING_PARAMETER, "conflicting_parameter", false},
        {GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY, "multipart_without_boundary", true},
        {GMIME_WARN_INVALID_PARAMETER, "invalid_parameter", false},
        {GMIME_WARN_INVALID_ADDRESS_LIST, "invalid_address_list", false},
        {GMIME_CRIT_NESTING_OVERFLOW, "nesting_overflow", true},
        {GMIME_WARN_PART_WITHOUT_CONTENT, "part_without_content", true},
        {GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT, "part_without_headers_or_content", true},
    };
    std::string name = "parser_warning_" + std::to_string(static_cast<int>(code));
    bool defect = false;
    for (const auto& n : kNames)
        if (n.code == code) {
            name = n.name;
            defect = n.defect;
        }
    if (out->anomalies.size() < 32 &&
        std::find(out->anomalies.begin(), out->anomalies.end(), name) == out->anomalies.end())
        out->anomalies.push_back(name);
    if (defect && out->defects.size() < 16 &&
        std::find(out->defects.begin(), out->defects.end(), name) == out->defects.end())
        out->defects.push_back(name);
}


core::Result<ParsedMail> Parse(std::string_view raw, const MimeLimits& limits, bool whole_message) {
    if (raw.size() > limits.max_message_bytes)
        return core::Error(core::ErrorCode::kTooLarge,
                           "message of " + std::to_string(raw.size()) + " bytes is over the limit of " +
                               std::to_string(limits.max_message_bytes),
                           kField);
    if (raw.empty()) return core::InvalidArgument("empty message", kField);
    if (CountContainers(raw) > limits.max_parts)
        return core::InvalidArgument("more than " + std::to_string(limits.max_parts) + " MIME containers", kField);
    detail::EnsureGmimeInitialized();
    ParsedMail out;
    GPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
    GPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
    std::unique_ptr<GMimeParserOptions, void (*)(GMimeParserOptions*)> options(g_mime_parser_options_new(),
                                                                               g_mime_parser_options_free);
    static const char* kFallback[] = {"UTF-8", "CP932", "EUC-JP", "ISO-8859-1", nullptr};
    g_mime_parser_options_set_fallback_charsets(options.get(), kFallback);
    g_mime_parser_options_set_rfc2047_compliance_mode(options.get(), GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_warning_callback(options.get(), WarningCollector, &out);

    GMimeObject* body = nullptr;
    GPtr<GMimeMessage> message;
    GPtr<GMimeObject> entity;
    if (whole_message) {
        g_mime_parser_set_format(parser.get(), GMIME_FORMAT_MESSAGE);
        message.reset(g_mime_parser_construct_message(parser.get(), options.get()));
        if (!message) return core::InvalidArgument("not an Internet message (no header block GMime can parse)", kField);
        GMimeObject* top = GMIME_OBJECT(message.get());
        GMimeHeaderList* headers = g_mime_object_get_header_list(top);
        const int header_count = headers ? g_mime_header_list_get_count(headers) : 0;
        if (header_count == 0) return core::InvalidArgument("message has no headers", kField);
        for (int i = 0; i < header_count; ++i) {
            GMimeHeader* h = g_mime_header_list_get_header_at(headers, i);
            out.headers.emplace_back(HeaderText(g_mime_header_get_name(h)), HeaderText(g_mime_header_get_value(h)));
        }
        out.message_id = Unbracket(HeaderText(g_mime_message_get_message_id(message.get())));
        out.subject = HeaderText(g_mime_message_get_subject(message.get()));
        // GMime converts encoded words with iconv's strict ISO-2022-JP and garbles the Microsoft variant
        // (①, NEC/IBM extensions); such subjects are decoded here from the header as written.
        if (const char* raw_subject = RawHeader(top, "Subject"); raw_subject && Lower(raw_subject).find("=?iso-2022-jp?") != std::string::npos) {
            out.subject = detail::DecodeRfc2047(raw_subject, [](std::string_view bytes, std::string_view charset) {
                return ToUtf8(bytes, charset);
            });
            // Raw 8-bit bytes between the encoded words pass through the decoder as written.
            if (!ValidUtf8(out.subject)) out.subject = MakeValidUtf8(out.subject);
        }
        out.date = out.Header("Date");
        InternetAddressList* from = g_mime_message_get_from(message.get());
        for (int i = 0; from && i < internet_address_list_length(from); ++i) {
            InternetAddress* a = internet_address_list_get_address(from, i);
            if (!INTERNET_ADDRESS_IS_MAILBOX(a)) continue;
            out.from_address = Lower(HeaderText(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a))));
            out.from_name = HeaderText(internet_address_get_name(a));
            break;
        }
        InternetAddressList* to = g_mime_message_get_to(message.get());
        for (int i = 0; to && i < internet_address_list_length(to); ++i) {
            InternetAddress* a = internet_address_list_get_address(to, i);
            if (INTERNET_ADDRESS_IS_MAILBOX(a))
                out.to.push_back(Lower(HeaderText(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a)))));
        }
        const std::string in_reply_to = out.Header("In-Reply-To");
        if (!in_reply_to.empty()) {
            GMimeReferences* refs = g_mime_references_parse(options.get(), in_reply_to.c_str());
            if (refs && g_mime_references_length(refs) > 0) out.in_reply_to = g_mime_references_get_message_id(refs, 0);
            if (refs) g_mime_references_free(refs);
        }
        const std::string references = out.Header("References");
        if (!references.empty()) {
            GMimeReferences* refs = g_mime_references_parse(options.get(), references.c_str());
            for (int i = 0; refs && i < g_mime_references_length(refs) && i < 100; ++i)
                out.references.emplace_back(g_mime_references_get_message_id(refs, i));
            if (refs) g_mime_references_free(refs);
        }
        body = g_mime_message_get_mime_part(message.get());
        if (!body) return core::InvalidArgument("message has no body", kField);
    } else {
        g_mime_parser_set_format(parser.get(), GMIME_FORMAT_MESSAGE);
        entity.reset(g_mime_parser_construct_part(parser.get(), options.get()));
        if (!entity) return core::InvalidArgument("not a MIME entity", kField);
        body = entity.get();
    }
    Walker walker{limits, out};
    if (!walker.Walk(body, 0)) return core::InvalidArgument(walker.failure, kField);
    if (out.text.empty() && !walker.html.empty()) {
        // HTML-only mail: the HTML stays an attachment, the body is its text.
        out.text = detail::HtmlToText(walker.html);
        if (!walker.html_outside.empty()) Walker::Append(walker.outside, detail::HtmlToText(walker.html_outside));
        out.attachments.push_back({"body.html", "text/html", std::move(walker.html), walker.html_outside.empty()});
    }
    if (out.pgp != PgpForm::kNone && walker.outside.find_first_not_of(" \t\r\n") != std::string::npos)
        out.outside_text = std::move(walker.outside);
    // PGP/MIME signed: the body is what the signature covers; the rest is only in outside_text.
    if (out.pgp == PgpForm::kMimeSigned && !out.outside_text.empty()) out.text = std::move(walker.covered_text);
    return out;
}

}  // namespace

std::string_view Name(PgpForm form) {
    switch (form) {
        case PgpForm::kNone: return "none";
        case PgpForm::kMimeEncrypted: return "pgp_mime_encrypted";
        case PgpForm::kMimeSigned: return "pgp_mime_signed";
        case PgpForm::kInlineEncrypted: return "inline_encrypted";
        case PgpForm::kInlineSigned: return "inline_signed";
    }
    return "none";
}

std::string ParsedMail::Header(std::string_view name) const {
    for (const auto& [n, v] : headers)
        if (n.size() == name.size() && std::equal(n.begin(), n.end(), name.begin(), [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
            }))
            return v;
    return {};
}

namespace {
std::string ConvertToUtf8(std::string_view bytes, std::string_view charset, std::string* anomaly);
}  // namespace

// Whatever the conversion produced, the result is valid UTF-8 without NUL bytes (text goes into SQLite,
// HTML and JSON).
std::string ToUtf8(std::string_view bytes, std::string_view charset, std::string* anomaly) {
    std::string out = ConvertToUtf8(bytes, charset, anomaly);
    if (out.find('\0') != std::string::npos) {
        std::string clean;
        for (char c : out) {
            if (c == '\0') clean += "\xEF\xBF\xBD";
            else clean += c;
        }
        out = std::move(clean);
    }
    return ValidUtf8(out) ? out : MakeValidUtf8(out);
}

namespace {
std::string ConvertToUtf8(std::string_view bytes, std::string_view charset, std::string* anomaly) {
    std::string out;
    if (!charset.empty()) {
        const std::string lower = Lower(charset);
        if (lower == "utf-8" || lower == "utf8" || lower == "us-ascii" || lower == "ascii") {
            if (ValidUtf8(bytes)) return std::string(bytes);
            // A JIS body mislabelled as ASCII is common enough to be worth the check.
            if (bytes.find("\x1b$") != std::string_view::npos && ConvertIso2022Jp(bytes, &out)) {
                if (anomaly) *anomaly = "charset_mislabelled:iso-2022-jp";
                return out;
            }
            if (anomaly) *anomaly = "invalid_utf8_replaced";
            return MakeValidUtf8(bytes);
        }
        if (IsIso2022JpName(lower)) {
            if (ConvertIso2022Jp(bytes, &out)) return ValidUtf8(out) ? out : MakeValidUtf8(out);
        } else if (Convert(bytes, IconvName(charset), &out)) {
            return ValidUtf8(out) ? out : MakeValidUtf8(out);
        }
        if (anomaly) *anomaly = "charset_unconvertible:" + lower;
    }
    // No (usable) charset: guess. Escape sequences mean JIS; valid UTF-8 is taken as such; then the two
    // 8-bit Japanese encodings, then Latin-1 which always converts.
    if (bytes.find("\x1b$") != std::string_view::npos && ConvertIso2022Jp(bytes, &out)) {
        if (anomaly && anomaly->empty()) *anomaly = "charset_guessed:iso-2022-jp";
        return out;
    }
    if (ValidUtf8(bytes)) return std::string(bytes);
    for (const char* guess : {"CP932", "EUC-JP"}) {
        if (Convert(bytes, guess, &out) && ValidUtf8(out)) {
            if (anomaly && anomaly->empty()) *anomaly = std::string("charset_guessed:") + Lower(guess);
            return out;
        }
    }
    if (anomaly && anomaly->empty()) *anomaly = "invalid_utf8_replaced";
    return MakeValidUtf8(bytes);
}
}  // namespace

std::string ExtractMessageId(std::string_view raw) {
    // Header block: up to the first empty line (CRLF or LF), at most 1 MiB looked at.
    const std::string_view head = raw.substr(0, std::min<std::size_t>(raw.size(), 1024 * 1024));
    std::size_t pos = 0;
    while (pos < head.size()) {
        std::size_t eol = head.find('\n', pos);
        if (eol == std::string_view::npos) eol = head.size();
        std::string_view line = head.substr(pos, eol - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty()) break;
        constexpr std::string_view kName = "message-id:";
        if (line.size() >= kName.size() && Lower(line.substr(0, kName.size())) == kName) {
            std::string value(line.substr(kName.size()));
            // Folded continuation lines.
            std::size_t next = eol + 1;
            while (next < head.size() && (head[next] == ' ' || head[next] == '\t')) {
                std::size_t end = head.find('\n', next);
                if (end == std::string_view::npos) end = head.size();
                value += head.substr(next, end - next);
                next = end + 1;
            }
            const auto open = value.find('<');
            const auto close = value.find('>', open == std::string::npos ? 0 : open);
            std::string id = open != std::string::npos && close != std::string::npos
                                 ? value.substr(open + 1, close - open - 1)
                                 : Unbracket(value);
            std::erase_if(id, [](char c) { return c == '\r' || c == '\n' || c == ' ' || c == '\t'; });
            return id.size() > 998 ? id.substr(0, 998) : id;
        }
        pos = eol + 1;
    }
    return {};
}

core::Result<ParsedMail> ParseMail(std::string_view raw, const MimeLimits& limits) { return Parse(raw, limits, true); }
core::Result<ParsedMail> ParseEntity(std::string_view raw, const MimeLimits& limits) { return Parse(raw, limits, false); }

}  // namespace kizuna::mail
