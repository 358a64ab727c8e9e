// Attribute(): the signature decides who sent a message, never From: (issue 12, V17). Table-driven.
#include <gtest/gtest.h>

#include "mail/attribution.hpp"

namespace kizuna::mail {
namespace {

const Party kSakura{"vendor", 1, "Sakura", true};
const Party kMomiji{"vendor", 2, "Momiji", true};
const Party kStrict{"vendor", 3, "Kaede", false};

SignatureCheck Sig(std::string status, std::string fpr = "AAAA") {
    SignatureCheck s;
    s.status = status;
    s.good = status == "good";
    s.fingerprint = fpr;
    return s;
}

struct Case {
    const char* name;
    std::vector<SignatureCheck> signatures;
    std::vector<Party> claimed;
    std::vector<Party> signers;
    Verdict verdict;
    std::optional<std::int64_t> party;
    const char* reason_part;
};

TEST(AttributionTest, TheSignatureDecides) {
    const Case cases[] = {
        {"good signature by the claimed vendor's key", {Sig("good")}, {kSakura}, {kSakura}, Verdict::kAttributed, 1, ""},
        {"good signature, From: unknown", {Sig("good")}, {}, {kMomiji}, Verdict::kAttributed, 2, ""},
        {"unsigned, From: the vendor", {}, {kSakura}, {}, Verdict::kUnverified, 1, "not signed"},
        {"signed by B, From: A", {Sig("good")}, {kSakura}, {kMomiji}, Verdict::kMismatch, 1, "Momiji"},
        {"good signature by an unregistered key", {Sig("good")}, {kSakura}, {}, Verdict::kUnverified, 1, "registered to no party"},
        {"unknown key", {Sig("no public key")}, {kSakura}, {}, Verdict::kUnverified, 1, "cannot be verified"},
        {"bad signature", {Sig("bad signature")}, {kSakura}, {kSakura}, Verdict::kQuarantined, 1, "bad signature"},
        {"a bad one beside a good one", {Sig("good"), Sig("bad signature", "BBBB")}, {kSakura}, {kSakura},
         Verdict::kQuarantined, 1, "BBBB"},
        {"revoked key", {Sig("key revoked")}, {}, {}, Verdict::kQuarantined, std::nullopt, "revoked"},
        {"unsigned, strict vendor", {}, {kStrict}, {}, Verdict::kQuarantined, 3, "accepts signed mail only"},
        {"signed by another vendor, strict vendor", {Sig("good")}, {kStrict}, {kMomiji}, Verdict::kQuarantined, 3,
         "accepts signed mail only"},
        {"good signature by the strict vendor", {Sig("good")}, {kStrict}, {kStrict}, Verdict::kAttributed, 3, ""},
        {"unsigned, nobody claimed", {}, {}, {}, Verdict::kUnverified, std::nullopt, "not signed"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        const Attribution a = Attribute(c.signatures, c.claimed, c.signers);
        EXPECT_EQ(Name(a.verdict), Name(c.verdict));
        ASSERT_EQ(a.party.has_value(), c.party.has_value());
        if (c.party) {
            EXPECT_EQ(a.party->id, *c.party);
        }
        EXPECT_NE(a.reason.find(c.reason_part), std::string::npos) << a.reason;
        if (c.verdict == Verdict::kAttributed) {
            EXPECT_TRUE(a.reason.empty());
        }
    }
}

}  // namespace
}  // namespace kizuna::mail
