#include "web/internal/case_words.hpp"
#include "web/internal/mail_words.hpp"

#include <string_view>

#include "web/internal/labels.hpp"

namespace kizuna::web::detail {
namespace {

void ReplaceAll(std::string& text, std::string_view token, std::string_view value) {
    for (auto at = text.find(token); at != std::string::npos; at = text.find(token, at + value.size()))
        text.replace(at, token.size(), value);
}

// Events whose text starts with an RFC 3339 instant (schedule.*, case.published): the instant in the
// viewer's zone and what follows it (": reason", " (reason)").
struct InstantAndRest {
    std::string when;
    std::string rest;
};

InstantAndRest SplitInstant(const core::TimeZone& zone, const std::string& text) {
    const auto end = text.find_first_of(" (:", 19);  // after "YYYY-MM-DDTHH:MM:SS"
    const std::string head = text.substr(0, end);
    auto at = core::ParseRfc3339(head);
    if (!at) return {"", text};
    std::string rest = end == std::string::npos ? "" : text.substr(end);
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == ':' || rest.front() == '(')) rest.erase(0, 1);
    if (!rest.empty() && rest.back() == ')') rest.pop_back();
    return {zone.FormatMinutes(*at), rest};
}

// "Vendor name: code" → the label of the code (the vendor is named by the sentence).
std::string AfterColon(const std::string& text) {
    const auto colon = text.rfind(": ");
    return colon == std::string::npos ? text : text.substr(colon + 2);
}

}  // namespace

std::string ActorWords(Lang lang, const std::string& actor, const std::string& display) {
    if (actor == "system") return Translate(lang, "case_actor_system");
    if (actor == "anonymous" || actor.empty()) return Translate(lang, "case_actor_anonymous");
    return display.empty() ? actor : display;
}

TimelineWords TimelineSentence(Lang lang, const core::TimeZone& zone, const vuln::TimelineEvent& e) {
    std::string key = "case_ev_";
    for (char ch : e.kind) key += ch == '.' ? '_' : ch;
    std::string detail = e.text;
    std::string when;
    const std::string_view kind = e.kind;
    if (kind.starts_with("schedule.") || kind == "case.published") {
        InstantAndRest split = SplitInstant(zone, e.text);
        when = split.when;
        detail = split.rest;
    } else if (kind == "case.received") {
        const std::string_view source = std::string_view(e.text).substr(e.text.rfind(' ') + 1);
        detail = CodeLabel(lang, "source", source);
    } else if (kind == "case.verified") {
        const auto colon = e.text.find(": ");
        detail = CodeLabel(lang, "verification", e.text.substr(0, colon)) +
                 (colon == std::string::npos ? "" : " — " + e.text.substr(colon + 2));
    } else if (kind == "notice.answer") {
        detail = CodeLabel(lang, "answer", AfterColon(e.text));
    } else if (kind == "status.reported") {
        detail = CodeLabel(lang, "vendor_status", AfterColon(e.text));
    } else if (kind == "case.leak_risk") {
        detail = CodeLabel(lang, "case_leak_risk", e.text);
    } else if (kind == "contact.attempt") {
        const auto via = e.text.rfind(" via ");
        detail = via == std::string::npos ? "" : CodeLabel(lang, "channel", e.text.substr(via + 5));
    } else if (kind == "attachment.added") {
        const auto open = e.text.rfind(" (");
        if (open != std::string::npos && e.text.back() == ')')
            detail = e.text.substr(0, open) + " (" +
                     CodeLabel(lang, "attachment_kind", e.text.substr(open + 2, e.text.size() - open - 3)) + ")";
    } else if (kind == "message.posted") {
        detail = e.vendor.empty() ? Translate(lang, "case_thread_reporter") : e.vendor;
    } else if (kind == "vendor.added" || kind == "notice.summary" || kind == "notice.detail" ||
               kind == "notice.detail_direct" || kind == "vendor.registration_requested" ||
               kind == "vendor.unreachable" || kind == "vendor.unreachable_proposed") {
        detail.clear();  // the text is the vendor's name (or a stored English note): the sentence says it
    } else if (kind == "mail.waiting" || kind == "mail.sent" || kind == "mail.failed") {
        // mail/outbound writes 'mail "<subject>" to <address> <outcome>'; the sentence says the outcome,
        // the detail keeps the address and, for a waiting mail, the reason in words.
        const auto to = e.text.rfind("\" to ");
        std::string address;
        if (to != std::string::npos) {
            const auto end = e.text.find(' ', to + 5);
            address = e.text.substr(to + 5, end == std::string::npos ? std::string::npos : end - to - 5);
        }
        detail = address;
        if (kind == "mail.waiting") {
            const auto reason = e.text.find(" not sent: ");
            if (reason != std::string::npos)
                detail = MailReasonWords(lang, e.text.substr(reason + 11)).text + (address.empty() ? "" : " (" + address + ")");
        }
    } else if (kind == "case.owner" && e.text.empty()) {
        key = "case_ev_case_owner_none";
    }
    if (Translate(lang, key) == key) key = "case_ev_other";
    std::string sentence = Translate(lang, key);
    ReplaceAll(sentence, "{actor}", ActorWords(lang, e.actor, e.actor_display));
    ReplaceAll(sentence, "{vendor}", e.vendor.empty() ? Translate(lang, "case_a_vendor") : e.vendor);
    ReplaceAll(sentence, "{when}", when);
    return {sentence, detail};
}

}  // namespace kizuna::web::detail
