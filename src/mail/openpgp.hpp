// OpenPGP public keys that vendors register with the center (requirements V1/V17/P1): the key is imported
// and checked with GPGME, and what a coordinator needs to see (fingerprint, user IDs, expiry, whether mail
// can be encrypted to it) comes back as a plain value.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"

namespace kizuna::mail {

// Largest key block InspectPublicKey accepts. Real public keys are a few KiB; 1 MiB leaves room for keys
// with many signatures while bounding the work handed to gpg.
inline constexpr std::size_t kMaxPublicKeyBytes = 1024 * 1024;

// What the center knows about one registered public key. Every time-dependent flag is judged at the `now`
// passed to InspectPublicKey, not at the machine's clock.
struct PublicKeyInfo {
    std::string fingerprint;                // 40 hex digits, upper case (v4 key)
    std::vector<std::string> user_ids;      // "Name <email>" as in the key; revoked and invalid user IDs left
                                            // out. Always valid UTF-8 without control characters (bad bytes
                                            // become U+FFFD), so safe to put into JSON and escaped HTML.
    std::optional<core::WallTime> expires;  // primary key expiry; nullopt = never
    bool can_encrypt = false;  // a usable encryption (sub)key exists at `now`: key not revoked, primary not
                               // expired, and the subkey itself not revoked, invalid, expired or created after
                               // `now`
    bool revoked = false;      // the primary key is revoked
    bool expired = false;      // the primary key has expired at `now`
    std::string algorithm;     // GnuPG's names of the distinct (sub)key algorithms, primary first, joined by
                               // '/': "rsa3072", "ed25519/cv25519"
};

// Parses ASCII-armored or binary OpenPGP data that must contain exactly one public key.
//
// Errors (all invalid_argument with field "key", the message saying what is wrong): empty input; more than
// kMaxPublicKeyBytes; "not an OpenPGP public key"; "contains 2 keys; register one at a time"; "contains secret
// key material" (a secret key is refused, never imported into an agent); a key GnuPG rejects (for example
// one without a valid self-signed user ID). internal when GPGME or gpg itself fails (gpg not installed,
// temporary directory not creatable).
//
// Never touches the user's keyring or agent: each call imports into a fresh temporary GNUPGHOME
// ($TMPDIR or /tmp, "kizuna-gpg-XXXXXX") whose gpg.conf says no-autostart, so no gpg-agent or dirmngr is
// started; the directory is removed before returning, and should an agent be running for it anyway it is
// stopped with `gpgconf --kill all`.
//
// Cost: spawns gpg twice (import, key listing); tens of milliseconds. Do not call it on a hot path.
//
// Thread-safety: safe to call concurrently from any number of threads (each call has its own GPGME context
// and home directory). GPGME is initialised (gpgme_check_version) once, on first use, in a thread-safe
// function-local static. Note that GPGME's initialisation sets SIGPIPE to SIG_IGN if it was SIG_DFL.
core::Result<PublicKeyInfo> InspectPublicKey(std::string_view key_data, core::WallTime now);

}  // namespace kizuna::mail
