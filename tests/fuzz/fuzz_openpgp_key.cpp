// Fuzzes InspectPublicKey, the path a vendor's uploaded key takes: size checks, import into a throw-away
// GNUPGHOME through GPGME and gpg, the one-key and no-secret checks, and the description. Nothing may crash,
// leak or trip a sanitizer; every refusal must be invalid_argument on field "key" (an internal error means a
// gpg error code the seam does not recognise as bad input); and what is accepted must keep the contracts of
// PublicKeyInfo. Each input spawns gpg twice, so expect tens of executions per second, not thousands.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "mail/mail.hpp"

namespace {

void Check(bool condition) {
    if (!condition) std::abort();
}

bool IsUpperHex(std::string_view text) {
    for (char c : text) {
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'))) return false;
    }
    return true;
}

// Valid UTF-8 without C0, DEL or C1 control characters (the user ID contract).
bool IsCleanUtf8(std::string_view text) {
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto lead = static_cast<unsigned char>(text[pos]);
        std::size_t length = lead < 0x80             ? 1
                             : (lead & 0xE0) == 0xC0 ? 2
                             : (lead & 0xF0) == 0xE0 ? 3
                             : (lead & 0xF8) == 0xF0 ? 4
                                                     : 0;
        if (length == 0 || pos + length > text.size()) return false;
        char32_t cp = length == 1 ? lead : lead & (0x7F >> length);
        for (std::size_t i = 1; i < length; ++i) {
            const auto next = static_cast<unsigned char>(text[pos + i]);
            if ((next & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (next & 0x3F);
        }
        static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < kMin[length] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) return false;
        pos += length;
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace std::chrono;
    // A fixed `now` keeps runs reproducible: 2026-11-22T00:00:00Z.
    const kizuna::core::WallTime now{sys_days(year(2026) / November / 22)};
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    auto info = kizuna::mail::InspectPublicKey(input, now);
    if (!info.ok()) {
        Check(info.error().code() == kizuna::core::ErrorCode::kInvalidArgument);
        Check(info.error().field() == "key");
        Check(!info.error().message().empty());
        return 0;
    }
    Check(info->fingerprint.size() == 40 && IsUpperHex(info->fingerprint));
    for (const auto& uid : info->user_ids) Check(IsCleanUtf8(uid));
    Check(info->expired == (info->expires.has_value() && *info->expires <= now));
    if (info->can_encrypt) Check(!info->revoked && !info->expired);
    Check(!info->algorithm.empty());
    return 0;
}
