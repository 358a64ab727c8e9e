#include "mail/attribution.hpp"

namespace kizuna::mail {
namespace {

std::string Describe(const Party& p) { return p.name.empty() ? p.kind + " " + std::to_string(p.id) : p.name + " (" + p.kind + ")"; }

}  // namespace

std::string_view Name(Verdict verdict) {
    switch (verdict) {
        case Verdict::kAttributed: return "attributed";
        case Verdict::kUnverified: return "unverified";
        case Verdict::kMismatch: return "mismatch";
        case Verdict::kQuarantined: return "quarantined";
    }
    return "unverified";
}

Attribution Attribute(const std::vector<SignatureCheck>& signatures, const std::vector<Party>& claimed,
                      const std::vector<Party>& signer_parties) {
    Attribution out;
    if (!claimed.empty()) out.party = claimed.front();
    // A signature that is wrong is never a reason to believe anything: quarantine whatever else it carries.
    for (const auto& s : signatures) {
        if (s.status == "bad signature" || s.status == "key revoked") {
            out.verdict = Verdict::kQuarantined;
            out.signature = s;
            out.reason = (s.status == "bad signature" ? "bad signature" : "signed with a revoked key") +
                         std::string(s.fingerprint.empty() ? "" : " (key " + s.fingerprint + ")");
            return out;
        }
    }
    const SignatureCheck* good = nullptr;
    for (const auto& s : signatures)
        if (s.status == "good") {
            good = &s;
            break;
        }
    if (good) {
        out.signature = *good;
        if (signer_parties.empty()) {
            out.verdict = Verdict::kUnverified;
            out.reason = "signed by key " + good->fingerprint + ", which is registered to no party";
        } else if (claimed.empty()) {
            out.verdict = Verdict::kAttributed;
            out.party = signer_parties.front();
            return out;
        } else {
            for (const auto& signer : signer_parties)
                for (const auto& c : claimed)
                    if (signer.Same(c)) {
                        out.verdict = Verdict::kAttributed;
                        out.party = signer;
                        return out;
                    }
            out.verdict = Verdict::kMismatch;
            out.reason = "From: names " + Describe(claimed.front()) + ", but the signature is by the key of " +
                         Describe(signer_parties.front());
        }
    } else if (!signatures.empty()) {
        out.signature = signatures.front();
        out.verdict = Verdict::kUnverified;
        out.reason = "the signature cannot be verified (" + signatures.front().status +
                     (signatures.front().fingerprint.empty() ? "" : ", key " + signatures.front().fingerprint) + ")";
    } else {
        out.verdict = Verdict::kUnverified;
        out.reason = "not signed";
    }
    // Not attributed: a party that accepts signed mail only has it quarantined instead of held.
    for (const auto& c : claimed)
        if (!c.accepts_unsigned) {
            out.verdict = Verdict::kQuarantined;
            out.reason += "; " + Describe(c) + " accepts signed mail only";
            break;
        }
    return out;
}

}  // namespace kizuna::mail
