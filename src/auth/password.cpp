#include "auth/password.hpp"

#include <sodium.h>

#include <cctype>

#include "auth/internal/crypto.hpp"

namespace kizuna::auth {

PasswordLimits PasswordLimits::Interactive() {
    return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

PasswordLimits PasswordLimits::ForTests() { return {crypto_pwhash_OPSLIMIT_MIN, 8192}; }

core::Status CheckPasswordRules(std::string_view password) {
    if (password.size() < 10) return core::InvalidArgument("must be at least 10 characters", "password");
    if (password.size() > 1024) return core::InvalidArgument("must be at most 1024 bytes", "password");
    bool all_space = true;
    for (unsigned char c : password) all_space = all_space && std::isspace(c);
    if (all_space) return core::InvalidArgument("must not be only whitespace", "password");
    return core::Ok();
}

core::Result<std::string> HashPassword(std::string_view password, const PasswordLimits& limits) {
    detail::EnsureSodium();
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(out, password.data(), password.size(), limits.ops, limits.mem_bytes,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return core::Error(core::ErrorCode::kResourceExhausted, "argon2id: out of memory");
    return std::string(out);
}

bool VerifyPassword(std::string_view encoded_hash, std::string_view password) {
    detail::EnsureSodium();
    if (encoded_hash.size() >= crypto_pwhash_STRBYTES) return false;
    const std::string hash(encoded_hash);  // NUL-terminated copy for libsodium
    return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

}  // namespace kizuna::auth
