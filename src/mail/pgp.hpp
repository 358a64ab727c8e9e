// The center's own OpenPGP keyring (V17, I1): a GnuPG home under the data directory holding the center's
// secret key (no passphrase: the data directory is the secret, mode 0700) and the public keys of the
// vendors and partners the center writes to. Decrypts PGP/MIME (RFC 3156) and inline PGP, verifies
// signatures, and signs+encrypts outgoing mail, all through GPGME.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace kizuna::mail {

struct SignatureCheck {
    std::string fingerprint;  // of the signing key as gpg reports it (40 hex, upper case) or the key id
    bool good = false;        // the signature verifies over the data
    std::string validity;     // GnuPG's key validity: unknown, undefined, never, marginal, full, ultimate
    std::string status;       // "good", "bad signature", "no public key", "key expired", "key revoked"...
    // The primary key of the signing key (equal to `fingerprint` unless a signing subkey made the
    // signature); "" when the key is not in the keyring. Registered keys are known by their primary
    // fingerprint, so attribution compares both.
    std::string primary_fingerprint;
};

struct Decrypted {
    std::string plaintext;
    std::vector<SignatureCheck> signatures;
};

// Whether mail can be encrypted to a key now, and if not why (shown to the coordinator).
struct RecipientKey {
    std::string fingerprint;
    bool usable = false;
    std::string reason;  // "" when usable: "the key is revoked", "the key expired", "no encryption subkey"
};

class CenterKeyring {
  public:
    // `home_dir` is created (0700) when missing. Nothing is generated yet. When `home_dir` is too deep for
    // gpg-agent's socket (Unix socket paths stop at 107 bytes), the keyring works through a short private
    // alias of it (/tmp/kizuna-gnupg-<uid>/<hash>, see detail::UsableGnupgHome), which home() then returns.
    static core::Result<CenterKeyring> Open(std::string home_dir);
    // Stops the gpg-agent this keyring started (gpgconf --kill all).
    ~CenterKeyring();
    CenterKeyring(CenterKeyring&& other) noexcept;
    CenterKeyring& operator=(CenterKeyring&&) = delete;
    CenterKeyring(const CenterKeyring&) = delete;

    const std::string& home() const { return home_; }

    // The fingerprint of the center's secret key; creates an ed25519/cv25519 key without passphrase and
    // without expiry for `user_id` ("JPCERT/CC <vuls@example.org>") when the keyring holds none.
    core::Result<std::string> EnsureKey(std::string_view user_id);
    // NotFound when no secret key exists yet.
    core::Result<std::string> Fingerprint();
    core::Result<std::string> ExportPublicKey(std::string_view fingerprint);

    // Imports (idempotently) public keys of correspondents.
    core::Status ImportPublicKey(std::string_view armored);
    // Imports `armored` and judges its fingerprint for encryption now.
    core::Result<RecipientKey> CheckRecipient(std::string_view armored, std::string_view fingerprint);

    // Ciphertext (armoured or binary) → plaintext and the signatures inside. invalid_argument, field
    // "encryption", when the center holds no key it is encrypted to ("encrypted to a key the center does not
    // hold: <key ids>") or when the data is not an OpenPGP message.
    core::Result<Decrypted> Decrypt(std::string_view ciphertext);
    // Detached signature over `signed_data` (PGP/MIME).
    core::Result<std::vector<SignatureCheck>> VerifyDetached(std::string_view signed_data, std::string_view signature);
    // Clear-signed text ("-----BEGIN PGP SIGNED MESSAGE-----"): the text and its signatures.
    core::Result<Decrypted> VerifyClearSigned(std::string_view clearsigned);

    // Signs `plaintext` with the center's key (`signer`) and encrypts it to `recipient` and to the center
    // itself (so the sent copy stays readable); armoured. REQUIRES: CheckRecipient said usable.
    core::Result<std::string> SignEncrypt(std::string_view plaintext, std::string_view signer,
                                          std::string_view recipient);
    // Detached signature (armoured) over `data` with `signer`.
    core::Result<std::string> SignDetached(std::string_view data, std::string_view signer);

  private:
    explicit CenterKeyring(std::string home) : home_(std::move(home)) {}
    std::string home_;  // empty once moved from
};

}  // namespace kizuna::mail
