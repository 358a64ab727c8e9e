// InspectPublicKey: import into a throw-away keyring, insist on exactly one public key, then describe it.
// gpg does the OpenPGP parsing; this file only judges gpg's report, so hostile bytes never meet our own
// packet parser.
#include "mail/openpgp.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>

#include "mail/internal/gnupg_home.hpp"
#include "mail/internal/gpgme.hpp"

namespace kizuna::mail {
namespace {

using detail::FromGpgme;

constexpr char kField[] = "key";
constexpr std::size_t kV4FingerprintHexDigits = 40;

core::Error KeyError(std::string message) { return core::InvalidArgument(std::move(message), kField); }

// Errors gpg reports when the bytes themselves are not a usable key block (as opposed to gpg or GPGME
// failing). These become invalid_argument on field "key".
bool IsBadInput(gpgme_error_t err) {
    switch (gpgme_err_code(err)) {
        case GPG_ERR_NO_DATA:
        case GPG_ERR_INV_DATA:
        case GPG_ERR_BAD_DATA:
        case GPG_ERR_INV_PACKET:
        case GPG_ERR_UNKNOWN_PACKET:
        case GPG_ERR_INV_KEYRING:
        case GPG_ERR_INV_ARMOR:
        case GPG_ERR_BAD_KEY:
        case GPG_ERR_BAD_PUBKEY:
        case GPG_ERR_NO_PUBKEY:
        case GPG_ERR_BAD_SIGNATURE:
        case GPG_ERR_NO_USER_ID:
        case GPG_ERR_UNUSABLE_PUBKEY:
        case GPG_ERR_PUBKEY_ALGO:
        case GPG_ERR_INV_KEYLEN:
        case GPG_ERR_TRUNCATED:
        case GPG_ERR_EOF:
            return true;
        default:
            return false;
    }
}

constexpr char32_t kReplacement = 0xFFFD;

void AppendUtf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// User IDs are whatever bytes the key's owner put there; coordinators see them in pages and JSON. Keeps
// valid UTF-8 and replaces each malformed sequence (overlong, surrogate, beyond U+10FFFF, truncated) and
// each control character (C0, DEL, C1) with U+FFFD.
std::string SanitizeUserId(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto lead = static_cast<unsigned char>(text[pos]);
        std::size_t length = 0;
        char32_t cp = 0;
        char32_t min = 0;
        if (lead < 0x80) {
            length = 1, cp = lead;
        } else if ((lead & 0xE0) == 0xC0) {
            length = 2, cp = lead & 0x1F, min = 0x80;
        } else if ((lead & 0xF0) == 0xE0) {
            length = 3, cp = lead & 0x0F, min = 0x800;
        } else if ((lead & 0xF8) == 0xF0) {
            length = 4, cp = lead & 0x07, min = 0x10000;
        }
        bool valid = length != 0 && pos + length <= text.size();
        for (std::size_t i = 1; valid && i < length; ++i) {
            const auto next = static_cast<unsigned char>(text[pos + i]);
            valid = (next & 0xC0) == 0x80;
            cp = (cp << 6) | (next & 0x3F);
        }
        valid = valid && cp >= min && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
        if (!valid) {
            AppendUtf8(out, kReplacement);
            ++pos;  // resynchronise on the next byte
            continue;
        }
        const bool control = cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
        AppendUtf8(out, control ? kReplacement : cp);
        pos += length;
    }
    return out;
}

// GPGME reports times as seconds since the epoch; 0 means "none" and -1 "invalid".
std::optional<core::WallTime> FromGpgmeTime(long seconds) {
    if (seconds <= 0) return std::nullopt;
    return core::WallTime(std::chrono::seconds(seconds));
}

// gpg's own expired/usable flags are judged at the machine's clock; ours are judged at `now`.
bool UsableForEncryptionAt(gpgme_subkey_t subkey, core::WallTime now) {
    if (!subkey->can_encrypt || subkey->revoked || subkey->invalid || subkey->disabled) return false;
    if (subkey->timestamp <= 0 || core::WallTime(std::chrono::seconds(subkey->timestamp)) > now) return false;
    const auto expires = FromGpgmeTime(subkey->expires);
    return !expires || *expires > now;
}

// "rsa3072", "ed25519/cv25519": GnuPG's names of the distinct algorithms, primary key first.
std::string AlgorithmNames(gpgme_key_t key) {
    std::vector<std::string> names;
    for (gpgme_subkey_t subkey = key->subkeys; subkey != nullptr; subkey = subkey->next) {
        detail::GpgmeString name(gpgme_pubkey_algo_string(subkey));
        std::string text = name ? name.get() : "unknown";
        if (std::find(names.begin(), names.end(), text) == names.end()) names.push_back(std::move(text));
    }
    std::string joined;
    for (const auto& name : names) {
        if (!joined.empty()) joined += '/';
        joined += name;
    }
    return joined;
}

core::Result<PublicKeyInfo> Describe(gpgme_key_t key, core::WallTime now) {
    gpgme_subkey_t primary = key->subkeys;
    if (primary == nullptr || primary->fpr == nullptr) return core::Internal("GPGME listed a key without primary");
    std::string fingerprint = primary->fpr;
    if (fingerprint.size() != kV4FingerprintHexDigits) {
        return KeyError("is not a version 4 OpenPGP key (fingerprint of " + std::to_string(fingerprint.size()) +
                        " hex digits)");
    }
    for (char& c : fingerprint) {
        if (!std::isxdigit(static_cast<unsigned char>(c)))
            return core::Internal("GPGME listed a malformed fingerprint");
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }

    PublicKeyInfo info;
    info.fingerprint = std::move(fingerprint);
    for (gpgme_user_id_t uid = key->uids; uid != nullptr; uid = uid->next) {
        if (uid->revoked || uid->invalid || uid->uid == nullptr) continue;
        info.user_ids.push_back(SanitizeUserId(uid->uid));
    }
    info.expires = FromGpgmeTime(primary->expires);
    info.revoked = key->revoked || primary->revoked;
    info.expired = info.expires && *info.expires <= now;
    info.algorithm = AlgorithmNames(key);
    if (!info.revoked && !info.expired && !key->invalid && !key->disabled) {
        for (gpgme_subkey_t subkey = key->subkeys; subkey != nullptr; subkey = subkey->next) {
            if (UsableForEncryptionAt(subkey, now)) info.can_encrypt = true;
        }
    }
    return info;
}

// Imports `data` into the context's (empty) keyring and checks that it held exactly one public key and no
// secret key material.
core::Status ImportOnePublicKey(gpgme_ctx_t ctx, gpgme_data_t data, detail::TempGnupgHome& home) {
    const gpgme_error_t err = gpgme_op_import(ctx, data);
    gpgme_import_result_t result = gpgme_op_import_result(ctx);
    // Secret keys first: with no agent, gpg may fail the whole import ("No agent running") after counting them.
    if (result != nullptr && (result->secret_read > 0 || result->secret_imported > 0)) {
        home.MarkAgentMayRun();
        return KeyError("contains secret key material; send only the public key (gpg --armor --export)");
    }
    if (err != 0) {
        if (IsBadInput(err)) return KeyError("not an OpenPGP public key");
        return FromGpgme(err, "import key");
    }
    if (result == nullptr) return core::Internal("import key: GPGME gave no import result");
    if (result->considered == 0) {
        if (result->skipped_v3_keys > 0) return KeyError("is a version 3 OpenPGP key, which is no longer supported");
        return KeyError("not an OpenPGP public key");
    }
    if (result->considered > 1) {
        return KeyError("contains " + std::to_string(result->considered) + " keys; register one at a time");
    }
    if (result->imported + result->unchanged == 0) {
        for (gpgme_import_status_t status = result->imports; status != nullptr; status = status->next) {
            if (status->result != 0) {
                return KeyError(std::string("OpenPGP key rejected by GnuPG: ") + gpgme_strerror(status->result));
            }
        }
        return KeyError("OpenPGP key rejected by GnuPG (no valid self-signed user ID?)");
    }
    return core::Ok();
}

// Lists the keyring, which after ImportOnePublicKey holds the one imported key.
core::Result<detail::Key> ListOnlyKey(gpgme_ctx_t ctx) {
    if (gpgme_error_t err = gpgme_op_keylist_start(ctx, nullptr, 0); err != 0) return FromGpgme(err, "list keys");
    std::vector<detail::Key> keys;
    gpgme_error_t err = 0;
    for (;;) {
        gpgme_key_t raw = nullptr;
        err = gpgme_op_keylist_next(ctx, &raw);
        if (err != 0) break;
        keys.emplace_back(raw);
    }
    gpgme_op_keylist_end(ctx);
    if (gpgme_err_code(err) != GPG_ERR_EOF) return FromGpgme(err, "list keys");
    if (keys.empty()) return KeyError("OpenPGP key rejected by GnuPG");
    if (keys.size() > 1) return KeyError("contains " + std::to_string(keys.size()) + " keys; register one at a time");
    return std::move(keys.front());
}

}  // namespace

core::Result<PublicKeyInfo> InspectPublicKey(std::string_view key_data, core::WallTime now) {
    if (key_data.empty()) return KeyError("is empty; paste an ASCII-armored OpenPGP public key");
    if (key_data.size() > kMaxPublicKeyBytes) {
        return KeyError("is larger than " + std::to_string(kMaxPublicKeyBytes / 1024) + " KiB");
    }
    KZ_TRY(detail::EnsureGpgmeInitialized());

    const char* gpgconf = gpgme_get_dirinfo("gpgconf-name");
    KZ_ASSIGN(detail::TempGnupgHome home, detail::TempGnupgHome::Create(gpgconf != nullptr ? gpgconf : ""));
    // Declared after `home`: the context (and any gpg it runs) is gone before the directory is removed.
    KZ_ASSIGN(detail::Context ctx, detail::NewOpenPgpContext(home.path()));
    KZ_ASSIGN(detail::Data data, detail::DataOverMemory(key_data));

    KZ_TRY(ImportOnePublicKey(ctx.get(), data.get(), home));
    KZ_ASSIGN(detail::Key key, ListOnlyKey(ctx.get()));
    return Describe(key.get(), now);
}

}  // namespace kizuna::mail
