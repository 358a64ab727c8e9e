// Who sent an inbound message (V17, I1). Identity comes from the signature, never from From:: a message is
// attributed to a vendor, reporter, partner or related organisation only when it carries a good signature
// by a key registered to that party (its primary key or any of its signing subkeys). Everything else is
// held for a coordinator as unverified — with the sender it claims — or quarantined: a bad signature, a
// revoked key, or unsigned mail naming a party that accepts signed mail only.
//
// Pure: the caller looks the parties up (inbound.cpp) and acts on the verdict.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mail/pgp.hpp"

namespace kizuna::mail {

struct Party {
    std::string kind;  // "vendor", "reporter", "related", "partner", "infra"
    std::int64_t id = 0;
    std::string name;  // for people: "Sakura PSIRT"
    bool accepts_unsigned = true;  // false: mail claiming this party that is not attributed is quarantined

    bool Same(const Party& other) const { return kind == other.kind && id == other.id; }
};

enum class Verdict {
    kAttributed,   // a good signature by a key registered to `party`
    kUnverified,   // no usable signature: held for a coordinator, `party` is who it claims to be (if anyone)
    kMismatch,     // a good signature, but by another party's key than the one From: names
    kQuarantined,  // bad signature, revoked key, or unsigned while the claimed party refuses unsigned mail
};
std::string_view Name(Verdict verdict);  // attributed, unverified, mismatch, quarantined

struct Attribution {
    Verdict verdict = Verdict::kUnverified;
    std::optional<Party> party;  // attributed: the sender; otherwise the party From: claims, if any
    std::string reason;          // for the coordinator, "" when attributed
    SignatureCheck signature;    // the signature the verdict rests on (empty when unsigned)
};

// `claimed`: the parties whose registered address is the From: address. `signer_parties`: the parties the
// first good signature's key is registered to (by primary or subkey fingerprint).
Attribution Attribute(const std::vector<SignatureCheck>& signatures, const std::vector<Party>& claimed,
                      const std::vector<Party>& signer_parties);

}  // namespace kizuna::mail
