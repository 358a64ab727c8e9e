#include "web/internal/mail_words.hpp"

#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "web/internal/labels.hpp"

namespace kizuna::web::detail {
namespace {

using Args = std::vector<std::pair<std::string, std::string>>;

std::string Fill(Lang lang, std::string_view key, const Args& args) {
    std::string text = Translate(lang, key);
    for (const auto& [name, value] : args) {
        const std::string tag = "{{" + name + "}}";
        for (auto pos = text.find(tag); pos != std::string::npos; pos = text.find(tag, pos + value.size()))
            text.replace(pos, tag.size(), value);
    }
    return text;
}

std::string Underscored(std::string_view code) {
    std::string key(code);
    for (char& c : key)
        if (c == ' ' || c == '-') c = '_';
    return key;
}

// mail/attribution.cpp Describe(): "Example Corp (vendor)" or "vendor 3".
std::string PartyWords(Lang lang, const std::string& described) {
    static const std::regex kNamed(R"(^(.*) \((vendor|reporter|related|partner|infra)\)$)");
    static const std::regex kUnnamed(R"(^(vendor|reporter|related|partner|infra) ([0-9]+)$)");
    std::smatch m;
    if (std::regex_match(described, m, kNamed))
        return Fill(lang, "words_mail_party_named",
                    {{"name", PartyNameWords(lang, m[1].str())}, {"kind", CodeLabel(lang, "mail_party", m[2].str())}});
    if (std::regex_match(described, m, kUnnamed))
        return CodeLabel(lang, "mail_party", m[1].str()) + " #" + m[2].str();
    return PartyNameWords(lang, described);
}

// One "; "-separated part of a reason.
MailReason OnePart(Lang lang, const std::string& part) {
    std::smatch m;
    static const std::regex kOversized(R"(^oversized: ([0-9]+) bytes, the limit is ([0-9]+)$)");
    static const std::regex kBadSignature(R"(^bad signature(?: \(key ([0-9A-Fa-f]+)\))?$)");
    static const std::regex kRevokedSigner(R"(^signed with a revoked key(?: \(key ([0-9A-Fa-f]+)\))?$)");
    static const std::regex kUnregisteredKey(R"(^signed by key ([0-9A-Fa-f]+), which is registered to no party$)");
    static const std::regex kMismatch(R"(^From: names (.*), but the signature is by the key of (.*)$)");
    static const std::regex kUnverifiable(R"(^the signature cannot be verified \(([^,]*)(?:, key ([0-9A-Fa-f]+))?\)$)");
    static const std::regex kSignedOnly(R"(^(.*) accepts signed mail only$)");
    static const std::regex kWaits(R"(^the message to (.*) waits \(never sent in clear\)$)");
    static const std::regex kRecipientKey(R"(^the recipient's key ([0-9A-Fa-f]+) (.*)$)");
    if (part == "not signed") return {Translate(lang, "words_mail_reason_not_signed"), ""};
    if (part == "malformed: no sender address in From:") return {Translate(lang, "words_mail_reason_no_sender"), ""};
    if (part == "no OpenPGP key on file for the recipient") return {Translate(lang, "words_mail_reason_no_key"), ""};
    if (std::regex_match(part, m, kOversized))
        return {Fill(lang, "words_mail_reason_oversized", {{"size", m[1].str()}, {"limit", m[2].str()}}), ""};
    if (std::regex_match(part, m, kBadSignature))
        return {Translate(lang, "words_mail_reason_bad_signature") +
                    (m[1].matched ? Fill(lang, "words_mail_key", {{"fingerprint", m[1].str()}}) : ""),
                ""};
    if (std::regex_match(part, m, kRevokedSigner))
        return {Translate(lang, "words_mail_reason_revoked_signer") +
                    (m[1].matched ? Fill(lang, "words_mail_key", {{"fingerprint", m[1].str()}}) : ""),
                ""};
    if (std::regex_match(part, m, kUnregisteredKey))
        return {Fill(lang, "words_mail_reason_unregistered_key", {{"fingerprint", m[1].str()}}), ""};
    if (std::regex_match(part, m, kMismatch))
        return {Fill(lang, "words_mail_reason_mismatch",
                     {{"claimed", PartyWords(lang, m[1].str())}, {"signer", PartyWords(lang, m[2].str())}}),
                ""};
    if (std::regex_match(part, m, kUnverifiable))
        return {Fill(lang, "words_mail_reason_unverifiable", {{"status", SignatureStatusWords(lang, m[1].str())}}) +
                    (m[2].matched ? Fill(lang, "words_mail_key", {{"fingerprint", m[2].str()}}) : ""),
                ""};
    if (std::regex_match(part, m, kSignedOnly))
        return {Fill(lang, "words_mail_reason_signed_only", {{"party", PartyWords(lang, m[1].str())}}), ""};
    if (std::regex_match(part, m, kWaits)) return {Fill(lang, "words_mail_reason_waits", {{"to", m[1].str()}}), ""};
    if (std::regex_match(part, m, kRecipientKey)) {
        // mail/pgp.cpp: "is not on file any more", "is revoked", "has expired", "is not in the center's
        // keyring", "is disabled or invalid", "has no usable encryption subkey (expired or revoked)".
        static const std::pair<std::string_view, std::string_view> kKeyStates[] = {
            {"is not on file any more", "gone"},      {"is revoked", "revoked"},
            {"has expired", "expired"},               {"is not in the center's keyring", "not_in_keyring"},
            {"is disabled or invalid", "invalid"},    {"has no usable encryption subkey", "no_subkey"},
        };
        for (const auto& [tail, kind] : kKeyStates)
            if (m[2].str().starts_with(tail))
                return {Fill(lang, "words_mail_reason_recipient_key_" + std::string(kind), {{"fingerprint", m[1].str()}}),
                        ""};
    }
    // "<what>: <a library's message>": the words for <what>, the message as technical detail.
    static const std::pair<std::string_view, std::string_view> kPrefixes[] = {
        {"malformed MIME in the decrypted content: ", "malformed_decrypted"},
        {"malformed decrypted content: ", "malformed_decrypted"},
        {"malformed MIME: ", "malformed_mime"},
        {"malformed signature: ", "malformed_signature"},
        {"malformed: ", "malformed"},
        {"undecryptable: ", "undecryptable"},
        {"the recipient's key cannot be imported: ", "recipient_key_unusable"},
    };
    for (const auto& [prefix, kind] : kPrefixes)
        if (part.starts_with(prefix))
            return {Translate(lang, "words_mail_reason_" + std::string(kind)), part.substr(prefix.size())};
    return {Translate(lang, "words_mail_reason_other"), part};
}

}  // namespace

MailReason MailReasonWords(Lang lang, std::string_view reason) {
    MailReason out;
    std::string rest(reason);
    while (!rest.empty()) {
        const auto cut = rest.find("; ");
        const std::string part = rest.substr(0, cut);
        rest = cut == std::string::npos ? "" : rest.substr(cut + 2);
        if (part.empty()) continue;
        MailReason words = OnePart(lang, part);
        out.text += (out.text.empty() ? "" : Translate(lang, "words_mail_reason_join")) + words.text;
        if (!words.detail.empty()) out.detail += (out.detail.empty() ? "" : "; ") + words.detail;
    }
    return out;
}

std::string SignatureStatusWords(Lang lang, std::string_view status) {
    if (status.empty()) return Translate(lang, "words_mail_sig_none");
    const std::string code = Underscored(status);
    if (HasCodeLabel(lang, "signature_status", code)) return CodeLabel(lang, "signature_status", code);
    return Translate(lang, "words_mail_sig_other");
}

std::string MailStateWords(Lang lang, std::string_view state) {
    const std::string code = state.empty() ? "new" : std::string(state);
    if (HasCodeLabel(lang, "mail_state", code)) return CodeLabel(lang, "mail_state", code);
    return Translate(lang, "words_mail_state_other");
}

std::string PartyNameWords(Lang lang, std::string_view name) {
    constexpr std::string_view kReporterOf = "reporter of ";  // mail/inbound.cpp
    if (name.starts_with(kReporterOf))
        return Fill(lang, "words_mail_reporter_of", {{"case", std::string(name.substr(kReporterOf.size()))}});
    return std::string(name);
}

}  // namespace kizuna::web::detail
