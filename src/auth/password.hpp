// Password hashing with argon2id (libsodium crypto_pwhash, "interactive" limits by default).
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace kizuna::auth {

struct PasswordLimits {
    unsigned long long ops;
    std::size_t mem_bytes;
    static PasswordLimits Interactive();  // libsodium's interactive limits: 2 passes, 64 MiB
    static PasswordLimits ForTests();     // the minimum argon2id allows; only for test suites
};

// Rules a new password must meet: 10..1024 bytes, not all whitespace.
core::Status CheckPasswordRules(std::string_view password);
// "$argon2id$v=19$m=...": self-describing, so limits can be raised later without breaking old hashes.
core::Result<std::string> HashPassword(std::string_view password, const PasswordLimits& limits);
bool VerifyPassword(std::string_view encoded_hash, std::string_view password);

}  // namespace kizuna::auth
