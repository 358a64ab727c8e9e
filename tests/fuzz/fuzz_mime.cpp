// Fuzzes the MIME entry points of the mail gateway: ParseMail (headers, RFC 2047, multipart walking,
// transfer encodings, charsets including ISO-2022-JP and Shift_JIS, and the structural OpenPGP detection:
// RFC 3156 multipart/encrypted and multipart/signed with the canonicalised signed part, inline armour),
// ParseEntity (the decrypted payload path) and ExtractMessageId (the duplicate check before storing).
// GPG is not called: the structure is what hostile bytes reach first. Nothing may crash or trip a
// sanitizer; text handed on must be valid UTF-8; refusals carry field "message".
#include <glib.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "mail/mime.hpp"

namespace {

void Check(bool condition) {
    if (!condition) std::abort();
}

bool Utf8(std::string_view s) { return g_utf8_validate(s.data(), static_cast<gssize>(s.size()), nullptr); }

void CheckParsed(const kizuna::core::Result<kizuna::mail::ParsedMail>& r) {
    if (!r.ok()) {
        Check(r.error().field() == "message");
        return;
    }
    Check(Utf8(r->text));
    Check(Utf8(r->subject));
    Check(r->message_id.find('\n') == std::string::npos);
    if (r->pgp == kizuna::mail::PgpForm::kMimeSigned) {
        // Canonical form: every LF preceded by CR.
        const std::string& s = r->pgp_signed_content;
        for (std::size_t i = 0; i < s.size(); ++i)
            if (s[i] == '\n') Check(i > 0 && s[i - 1] == '\r');
    }
    if (r->pgp == kizuna::mail::PgpForm::kInlineEncrypted)
        Check(r->pgp_payload.rfind("-----BEGIN PGP MESSAGE-----", 0) == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    kizuna::mail::MimeLimits limits;
    limits.max_message_bytes = 256 * 1024;
    limits.max_parts = 64;
    limits.max_depth = 8;
    CheckParsed(kizuna::mail::ParseMail(input, limits));
    CheckParsed(kizuna::mail::ParseEntity(input, limits));
    const std::string id = kizuna::mail::ExtractMessageId(input);
    Check(id.find('\r') == std::string::npos && id.find('\n') == std::string::npos && id.size() <= 998);
    std::string anomaly;
    Check(Utf8(kizuna::mail::ToUtf8(input, size % 2 ? "shift_jis" : "", &anomaly)));
    return 0;
}
