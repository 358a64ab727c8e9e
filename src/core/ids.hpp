// Identifiers. Strong typedefs keep a UserId from being passed where a CaseId is meant; random tokens
// come from the kernel's CSPRNG so receipt ids and session ids cannot be guessed.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <string>

namespace kizuna::core {

// A database row id with a tag type: Id<struct UserTag>.
template <typename Tag>
class Id {
  public:
    constexpr Id() = default;
    constexpr explicit Id(std::int64_t value) : value_(value) {}
    constexpr std::int64_t value() const { return value_; }
    constexpr bool valid() const { return value_ > 0; }
    friend constexpr auto operator<=>(Id, Id) = default;

  private:
    std::int64_t value_ = 0;
};

// Fills `size` bytes from getrandom(2). Aborts if the kernel cannot provide randomness: continuing
// with predictable tokens would be worse than stopping.
void RandomBytes(void* out, std::size_t size);

// `bytes` random bytes as lowercase hex (2*bytes characters).
std::string RandomHex(std::size_t bytes);

// Crockford base32 (no I, L, O, U), `length` characters; for ids a person reads or types.
std::string RandomBase32(std::size_t length);

// Generates human-facing identifiers. Injected so tests can make them deterministic.
class IdGenerator {
  public:
    virtual ~IdGenerator() = default;
    // A receipt id for a submission: "prefix-XXXX-XXXX-XXXX" (Crockford base32).
    virtual std::string NewReceiptId(std::string_view prefix) = 0;
};

class RandomIdGenerator final : public IdGenerator {
  public:
    std::string NewReceiptId(std::string_view prefix) override;
};

}  // namespace kizuna::core

template <typename Tag>
struct std::hash<kizuna::core::Id<Tag>> {
    std::size_t operator()(kizuna::core::Id<Tag> id) const noexcept { return std::hash<std::int64_t>()(id.value()); }
};
