// Thin wrappers over libsodium, kept out of public headers.
#pragma once

#include <string>
#include <string_view>

namespace kizuna::auth::detail {

// Initialises libsodium once; aborts if it cannot (no safe way to continue without a CSPRNG).
void EnsureSodium();
std::string Sha256Hex(std::string_view data);
bool ConstantTimeEquals(std::string_view a, std::string_view b);
// HMAC-SHA-256 of `data` under `key` (any length), as 64 lower-case hex characters.
std::string HmacSha256Hex(std::string_view key, std::string_view data);

}  // namespace kizuna::auth::detail
