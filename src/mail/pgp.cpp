// CenterKeyring: every operation is one GPGME context on the center's GnuPG home. gpg does the OpenPGP
// parsing; this file translates gpg's verdicts into values.
#include "mail/pgp.hpp"

#include <sys/stat.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "mail/internal/gnupg_home.hpp"
#include "mail/internal/gpgme.hpp"

namespace kizuna::mail {
namespace {

using detail::FromGpgme;

constexpr char kEncryptionField[] = "encryption";
constexpr char kSignatureField[] = "signature";

std::string Drain(gpgme_data_t data) {
    std::string out;
    gpgme_data_seek(data, 0, SEEK_SET);
    char buffer[8192];
    for (;;) {
        const ssize_t n = gpgme_data_read(data, buffer, sizeof buffer);
        if (n <= 0) break;
        out.append(buffer, static_cast<std::size_t>(n));
    }
    return out;
}

core::Result<detail::Data> NewOutput() {
    gpgme_data_t raw = nullptr;
    if (gpgme_error_t err = gpgme_data_new(&raw); err != 0) return FromGpgme(err, "create output buffer");
    return detail::Data(raw);
}

std::string ValidityName(gpgme_validity_t v) {
    switch (v) {
        case GPGME_VALIDITY_UNKNOWN: return "unknown";
        case GPGME_VALIDITY_UNDEFINED: return "undefined";
        case GPGME_VALIDITY_NEVER: return "never";
        case GPGME_VALIDITY_MARGINAL: return "marginal";
        case GPGME_VALIDITY_FULL: return "full";
        case GPGME_VALIDITY_ULTIMATE: return "ultimate";
    }
    return "unknown";
}

std::vector<SignatureCheck> Signatures(gpgme_ctx_t ctx) {
    std::vector<SignatureCheck> out;
    gpgme_verify_result_t result = gpgme_op_verify_result(ctx);
    if (!result) return out;
    for (gpgme_signature_t s = result->signatures; s; s = s->next) {
        SignatureCheck check;
        check.fingerprint = s->fpr ? s->fpr : "";
        for (auto& c : check.fingerprint) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        check.validity = ValidityName(s->validity);
        switch (gpgme_err_code(s->status)) {
            case GPG_ERR_NO_ERROR: check.status = "good"; check.good = true; break;
            case GPG_ERR_SIG_EXPIRED: check.status = "signature expired"; break;
            case GPG_ERR_KEY_EXPIRED: check.status = "key expired"; check.good = true; break;
            case GPG_ERR_CERT_REVOKED: check.status = "key revoked"; break;
            case GPG_ERR_BAD_SIGNATURE: check.status = "bad signature"; break;
            case GPG_ERR_NO_PUBKEY: check.status = "no public key"; break;
            default: check.status = gpgme_strerror(s->status); break;
        }
        // gpg reports a good signature by a key whose validity is only "unknown" with status 0 but without
        // the GREEN summary bit; that is still a correct signature, validity says how much the key is trusted.
        if (!check.fingerprint.empty()) {
            gpgme_key_t key = nullptr;
            if (gpgme_get_key(ctx, check.fingerprint.c_str(), &key, 0) == 0 && key) {
                detail::Key owned(key);
                if (key->fpr) check.primary_fingerprint = key->fpr;
                for (auto& c : check.primary_fingerprint) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            }
        }
        out.push_back(std::move(check));
    }
    return out;
}

bool IsInputError(gpgme_error_t err) {
    switch (gpgme_err_code(err)) {
        case GPG_ERR_NO_DATA:
        case GPG_ERR_INV_DATA:
        case GPG_ERR_BAD_DATA:
        case GPG_ERR_INV_PACKET:
        case GPG_ERR_UNKNOWN_PACKET:
        case GPG_ERR_INV_ARMOR:
        case GPG_ERR_TRUNCATED:
        case GPG_ERR_EOF:
        case GPG_ERR_DECRYPT_FAILED:
        case GPG_ERR_NO_SECKEY:
        case GPG_ERR_BAD_MPI:
        case GPG_ERR_UNSUPPORTED_ALGORITHM:
        case GPG_ERR_CHECKSUM:
            return true;
        default:
            return false;
    }
}

core::Result<detail::Key> SecretKey(gpgme_ctx_t ctx, std::string_view fingerprint) {
    gpgme_key_t key = nullptr;
    if (gpgme_error_t err = gpgme_get_key(ctx, std::string(fingerprint).c_str(), &key, 1); err != 0)
        return core::NotFound("the center's secret key " + std::string(fingerprint) + " is not in the keyring");
    return detail::Key(key);
}

}  // namespace

core::Result<CenterKeyring> CenterKeyring::Open(std::string home_dir) {
    KZ_TRY(detail::EnsureGpgmeInitialized());
    std::error_code ec;
    home_dir = std::filesystem::absolute(home_dir, ec).string();  // gpg and the agent socket want absolute paths
    std::filesystem::create_directories(home_dir, ec);
    if (ec) return core::Internal("create GnuPG home " + home_dir + ": " + ec.message());
    if (::chmod(home_dir.c_str(), 0700) != 0)
        return core::Internal("chmod GnuPG home " + home_dir + ": " + std::strerror(errno));
    // Loopback pinentry never prompts: the center's key has no passphrase and nothing may block on a tty.
    const std::string agent_conf = home_dir + "/gpg-agent.conf";
    if (!std::filesystem::exists(agent_conf)) std::ofstream(agent_conf) << "allow-loopback-pinentry\n";
    // A deep data directory would put the agent's socket beyond the Unix socket path limit: use a short alias.
    KZ_ASSIGN(std::string usable_home, detail::UsableGnupgHome(home_dir));
    return CenterKeyring(std::move(usable_home));
}

CenterKeyring::~CenterKeyring() {
    if (home_.empty()) return;
    const char* gpgconf = gpgme_get_dirinfo("gpgconf-name");
    if (gpgconf && *gpgconf) detail::RunQuietly({gpgconf, "--homedir", home_, "--kill", "all"});
}

CenterKeyring::CenterKeyring(CenterKeyring&& other) noexcept : home_(std::move(other.home_)) { other.home_.clear(); }

core::Result<std::string> CenterKeyring::Fingerprint() {
    KZ_ASSIGN(detail::Context ctx, detail::NewOpenPgpContext(home_));
    if (gpgme_error_t err = gpgme_op_keylist_start(ctx.get(), nullptr, 1); err != 0)
        return FromGpgme(err, "list secret keys");
    std::string found;
    gpgme_key_t key = nullptr;
    while (gpgme_op_keylist_next(ctx.get(), &key) == 0) {
        detail::Key owned(key);
        if (found.empty() && !key->revoked && !key->expired && key->can_sign && key->fpr) found = key->fpr;
    }
    gpgme_op_keylist_end(ctx.get());
    if (found.empty()) return core::NotFound("the center has no OpenPGP key yet (kizuna mail init-key)");
    return found;
}

core::Result<std::string> CenterKeyring::EnsureKey(std::string_view user_id) {
    auto existing = Fingerprint();
    if (existing.ok() || existing.error().code() != core::ErrorCode::kNotFound) return existing;
    if (user_id.find('<') == std::string_view::npos)
        return core::InvalidArgument("the key's user ID must be \"Name <address>\"", "mail.from_address");
    KZ_ASSIGN(detail::Context ctx, detail::NewOpenPgpContext(home_));
    const unsigned flags = GPGME_CREATE_NOPASSWD | GPGME_CREATE_NOEXPIRE | GPGME_CREATE_FORCE;
    if (gpgme_error_t err = gpgme_op_createkey(ctx.get(), std::string(user_id).c_str(), "future-default", 0, 0, nullptr,
                                               flags);
        err != 0)
        return FromGpgme(err, "create the center's key");
    gpgme_genkey_result_t result = gpgme_op_genkey_result(ctx.get());
    if (!result || !result->fpr) return core::Internal("create the center's key: gpg reported no fingerprint");
    const std::string fingerprint = result->fpr;
    // "future-default" normally adds a cv25519 encryption subkey; make sure one exists.
    gpgme_key_t key = nullptr;
    if (gpgme_error_t err = gpgme_get_key(ctx.get(), fingerprint.c_str(), &key, 1); err != 0)
        return FromGpgme(err, "read the new key");
    detail::Key owned(key);
    if (!key->can_encrypt) {
        if (gpgme_error_t err = gpgme_op_createsubkey(ctx.get(), key, "cv25519", 0, 0,
                                                      GPGME_CREATE_ENCR | GPGME_CREATE_NOPASSWD | GPGME_CREATE_NOEXPIRE);
            err != 0)
            return FromGpgme(err, "add an encryption subkey");
    }
    return fingerprint;
}

core::Result<std::string> CenterKeyring::ExportPublicKey(std::string_view fingerprint) {
    KZ_ASSIGN(detail::Context ctx, detail::NewOpenPgpContext(home_));
    gpgme_set_armor(ctx.get(), 1);
    KZ_ASSIGN(detail::Data out, NewOutput());
    if (gpgme_error_t err = gpgme_op_export(ctx.get(), std::string(fingerprint).c_str(), 0, out.get()); err != 0)
        return FromGpgme(err, "export public key");
    std::string armored = Drain(out.get());
    if (armored.empty()) return core::NotFound("no public key " + std::string(fingerprint));
    return armored;
}

core::Status CenterKeyring::ImportPublicKey(std::string_view armored) {
    KZ_ASSIGN(detail::Context ctx, detail::NewOpenPgpContext(home_));
    KZ_ASSIGN(detail::Data in, detail::DataOverMemory(armored));
    if (gpgme_error_t err = gpgme_op_import(ctx.get(), in.get()); err != 0) {
        if (IsInputError(err)) return core::InvalidArgument(std::string("not an OpenPGP key: ") + gpgme_strerror(err), "key");
        return FromGpgme(err, "import public key");
    }
    return core::Ok();
}

core::Result<RecipientKey> CenterKeyring::CheckRecipient(std::string_view armored, std::string_view fingerprint) {
    RecipientKey out;
    out.fingerprint = std::string(fingerprint);
    if (fingerprint.empty()) {
        out.reason = "no OpenPGP key on file for the recipient";
        return out;
    }
    if (armored.empty()) {
        out.reason = "the recipient's key " + out.fingerprint + " is not on file any more";
        return out;
    }
    if (auto st = ImportPublicKey(armored); !st.ok()) {
        out.reason = "the recipient's key cannot be imported: " + st.error().message();
        return out;
    }
    KZ_ASSIGN(detail::Context ctx, detail::NewOpenPgpContext(home_));
    gpgme_key_t key = nullptr;
    if (gpgme_get_key(ctx.get(), out.fingerprint.c_str(), &key, 0) != 0 || !key) {
        out.reason = "the recipient's key " + out.fingerprint + " is not in the center's keyring";
        return out;
    }
    detail::Key owned(key);
    if (key->revoked) {
        out.reason = "the recipient's key " + out.fingerprint + " is revoked";
    } else if (key->expired) {
        out.reason = "the recipient's key " + out.fingerprint + " has expired";
    } else if (key->disabled || key->invalid) {
        out.reason = "the recipient's key " + out.fingerprint + " is disabled or invalid";
    } else if (!key->can_encrypt) {
        out.reason = "the recipient's key " + out.fingerprint + " has no usable encryption subkey (expired or revoked)";
    } else {
        out.usable = true;
    }
    return out;
}

core::Result<Decrypted> CenterKeyring::Decrypt(std::string_view ciphertext) {
    KZ_ASSIGN(detail::Context ctx, detail::NewOpenPgpContext(home_));
    gpgme_set_pinentry_mode(ctx.get(), GPGME_PINENTRY_MODE_LOOPBACK);
    KZ_ASSIGN(detail::Data in, detail::DataOverMemory(ciphertext));
    KZ_ASSIGN(detail::Data out, NewOutput());
    const gpgme_error_t err = gpgme_op_decrypt_verify(ctx.get(), in.get(), out.get());
    if (err != 0) {
        if (gpgme_err_code(err) == GPG_ERR_NO_SECKEY || gpgme_err_code(err) == GPG_ERR_DECRYPT_FAILED) {
            std::string keys;
            if (gpgme_decrypt_result_t result = gpgme_op_decrypt_result(ctx.get()))
                for (gpgme_recipient_t r = result->recipients; r; r = r->next)
                    if (r->keyid) keys += (keys.empty() ? "" : ", ") + std::string(r->keyid);
            return core::InvalidArgument("encrypted to a key the center does not hold" +
                                             (keys.empty() ? std::string() : " (key ids " + keys + ")"),
                                         kEncryptionField);
        }
        if (IsInputError(err))
            return core::InvalidArgument(std::string("not a decryptable OpenPGP message: ") + gpgme_strerror(err),
                                         kEncryptionField);
        return FromGpgme(err, "decrypt");
    }
    Decrypted result;
    result.plaintext = Drain(out.get());
    result.signatures = Signatures(ctx.get());
    return result;
}

core::Result<std::vector<SignatureCheck>> CenterKeyring::VerifyDetached(std::string_view signed_data,
                                                                        std::string_view signature) {
    KZ_ASSIGN(detail::Context ctx, detail::NewOpenPgpContext(home_));
    KZ_ASSIGN(detail::Data sig, detail::DataOverMemory(signature));
    KZ_ASSIGN(detail::Data data, detail::DataOverMemory(signed_data));
    if (gpgme_error_t err = gpgme_op_verify(ctx.get(), sig.get(), data.get(), nullptr); err != 0) {
        if (IsInputError(err))
            return core::InvalidArgument(std::string("not an OpenPGP signature: ") + gpgme_strerror(err), kSignatureField);
        return FromGpgme(err, "verify");
    }
    return Signatures(ctx.get());
}

core::Result<Decrypted> CenterKeyring::VerifyClearSigned(std::string_view clearsigned) {
    KZ_ASSIGN(detail::Context ctx, detail::NewOpenPgpContext(home_));
    KZ_ASSIGN(detail::Data sig, detail::DataOverMemory(clearsigned));
    KZ_ASSIGN(detail::Data out, NewOutput());
    if (gpgme_error_t err = gpgme_op_verify(ctx.get(), sig.get(), nullptr, out.get()); err != 0) {
        if (IsInputError(err))
            return core::InvalidArgument(std::string("not a clear-signed message: ") + gpgme_strerror(err), kSignatureField);
        return FromGpgme(err, "verify");
    }
    Decrypted result;
    result.plaintext = Drain(out.get());
    result.signatures = Signatures(ctx.get());
    return result;
}

core::Result<std::string> CenterKeyring::SignEncrypt(std::string_view plaintext, std::string_view signer,
                                                     std::string_view recipient) {
    KZ_ASSIGN(detail::Context ctx, detail::NewOpenPgpContext(home_));
    gpgme_set_armor(ctx.get(), 1);
    gpgme_set_pinentry_mode(ctx.get(), GPGME_PINENTRY_MODE_LOOPBACK);
    KZ_ASSIGN(detail::Key signing, SecretKey(ctx.get(), signer));
    if (gpgme_error_t err = gpgme_signers_add(ctx.get(), signing.get()); err != 0) return FromGpgme(err, "add signer");
    gpgme_key_t to = nullptr;
    if (gpgme_get_key(ctx.get(), std::string(recipient).c_str(), &to, 0) != 0 || !to)
        return core::FailedPrecondition("the recipient's key " + std::string(recipient) + " is not in the keyring");
    detail::Key recipient_key(to);
    gpgme_key_t keys[] = {recipient_key.get(), signing.get(), nullptr};
    KZ_ASSIGN(detail::Data in, detail::DataOverMemory(plaintext));
    KZ_ASSIGN(detail::Data out, NewOutput());
    // ALWAYS_TRUST: the coordinator vetted the key when registering it; the web of trust is not used.
    if (gpgme_error_t err = gpgme_op_encrypt_sign(ctx.get(), keys, GPGME_ENCRYPT_ALWAYS_TRUST, in.get(), out.get());
        err != 0)
        return FromGpgme(err, "sign and encrypt");
    return Drain(out.get());
}

core::Result<std::string> CenterKeyring::SignDetached(std::string_view data, std::string_view signer) {
    KZ_ASSIGN(detail::Context ctx, detail::NewOpenPgpContext(home_));
    gpgme_set_armor(ctx.get(), 1);
    gpgme_set_pinentry_mode(ctx.get(), GPGME_PINENTRY_MODE_LOOPBACK);
    KZ_ASSIGN(detail::Key signing, SecretKey(ctx.get(), signer));
    if (gpgme_error_t err = gpgme_signers_add(ctx.get(), signing.get()); err != 0) return FromGpgme(err, "add signer");
    KZ_ASSIGN(detail::Data in, detail::DataOverMemory(data));
    KZ_ASSIGN(detail::Data out, NewOutput());
    if (gpgme_error_t err = gpgme_op_sign(ctx.get(), in.get(), out.get(), GPGME_SIG_MODE_DETACH); err != 0)
        return FromGpgme(err, "sign");
    return Drain(out.get());
}

}  // namespace kizuna::mail
