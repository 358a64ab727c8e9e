#include "web/internal/form_errors.hpp"

#include <algorithm>
#include <cctype>
#include <regex>
#include <utility>
#include <vector>

namespace kizuna::web::detail {
namespace {

struct Sentence {
    std::string key;                                         // "words_err_<kind>"
    std::vector<std::pair<std::string, std::string>> args;  // {{name}} → value
};

std::string Lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool Has(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

// Messages with their own sentence (prefix of the lower-cased message → kind).
constexpr std::pair<std::string_view, std::string_view> kKnownMessages[] = {
    {"the case is already published", "case_published"},
    {"verify the report first", "verify_first"},
    {"there is no proposed or decided date to accept", "no_date_to_accept"},
    {"the request was already decided", "request_decided"},
    {"the requested date has passed", "date_passed"},
    {"the key is revoked", "key_revoked"},
    {"the key has expired", "key_expired"},
    {"the key has no usable encryption subkey", "key_no_subkey"},
    {"the key is too large", "key_too_large"},
    {"the end of the period must be after its start", "period_reversed"},
    {"period too long", "period_too_long"},
    {"the vendor is not part of this case", "vendor_not_in_case"},
    {"unknown field", "unknown_field"},
};

// What an invalid-argument message says, as a sentence with the numbers it carried.
Sentence ClassifyInvalid(const std::string& m) {
    static const std::regex kRange(R"((\d+)\s*(?:-|\.\.|to|〜)\s*(\d+)\s*(?:characters|of|bytes))");
    static const std::regex kAtMostChars(R"((?:at most|longer than)\s+(\d+)\s+(?:characters|bytes))");
    static const std::regex kAtMostItems(R"(at most\s+(\d+)\s+(?!characters|bytes)[a-z])");
    static const std::regex kAtLeast(R"(must be at least\s+(-?\d+))");
    static const std::regex kAtMost(R"(must be at most\s+(-?\d+))");
    static const std::regex kBetween(R"(must be\s+(-?\d+)\s*\.\.\s*(\d+))");
    std::smatch match;
    if (Has(m, "must not be empty") || Has(m, "is required") || m == "required" || m.starts_with("required ") ||
        m == "must be set" || m.starts_with("must be set:") || Has(m, "only whitespace"))
        return {"words_err_required", {}};
    if (std::regex_search(m, match, kRange))
        return {Has(m, "[a-z") ? "words_err_name_chars" : "words_err_length", {{"min", match[1]}, {"max", match[2]}}};
    if (std::regex_search(m, match, kAtMostChars)) return {"words_err_too_long", {{"max", match[1]}}};
    if (std::regex_search(m, match, kAtMostItems)) return {"words_err_too_many", {{"max", match[1]}}};
    if (std::regex_search(m, match, kBetween)) return {"words_err_between", {{"min", match[1]}, {"max", match[2]}}};
    if (std::regex_search(m, match, kAtLeast)) return {"words_err_at_least", {{"n", match[1]}}};
    if (std::regex_search(m, match, kAtMost)) return {"words_err_at_most", {{"n", match[1]}}};
    if (Has(m, "e-mail address") || Has(m, "mail address")) return {"words_err_email", {}};
    if (Has(m, "http://") || Has(m, "url")) return {"words_err_url", {}};
    if (Has(m, "rfc 3339") || Has(m, "date-time") || Has(m, " date")) return {"words_err_datetime", {}};
    if (Has(m, "in the future")) return {"words_err_future", {}};
    if (Has(m, "control character") || Has(m, "nul") || Has(m, "spaces, quotes")) return {"words_err_chars", {}};
    if (Has(m, "ip address")) return {"words_err_ip", {}};
    if (Has(m, "country code")) return {"words_err_country", {}};
    if (Has(m, "integer") || Has(m, "number") || Has(m, "out of range")) return {"words_err_number", {}};
    if (Has(m, "openpgp") || Has(m, "public key") || Has(m, "the key")) return {"words_err_key", {}};
    return {"words_err_invalid", {}};
}

Sentence Classify(const core::Error& error) {
    const std::string m = Lower(error.message());
    for (const auto& [prefix, kind] : kKnownMessages)
        if (m.starts_with(prefix)) return {"words_err_" + std::string(kind), {}};
    switch (error.code()) {
        case core::ErrorCode::kInvalidArgument: return ClassifyInvalid(m);
        case core::ErrorCode::kAlreadyExists: return {"words_err_exists", {}};
        case core::ErrorCode::kNotFound: return {"words_err_not_found", {}};
        case core::ErrorCode::kFailedPrecondition: return {"words_err_state", {}};
        case core::ErrorCode::kResourceExhausted: return {"words_err_throttled", {}};
        case core::ErrorCode::kTooLarge: return {"words_err_too_large", {}};
        case core::ErrorCode::kPermissionDenied:
        case core::ErrorCode::kUnauthenticated: return {"words_err_denied", {}};
        case core::ErrorCode::kUnavailable: return {"words_err_unavailable", {}};
        case core::ErrorCode::kDataLoss:
        case core::ErrorCode::kInternal: return {"words_err_internal", {}};
    }
    return {"words_err_invalid", {}};
}

std::string Fill(std::string text, const std::vector<std::pair<std::string, std::string>>& args) {
    for (const auto& [name, value] : args) {
        const std::string tag = "{{" + name + "}}";
        for (auto pos = text.find(tag); pos != std::string::npos; pos = text.find(tag, pos + value.size()))
            text.replace(pos, tag.size(), value);
    }
    return text;
}

}  // namespace

std::string ErrorSentence(Lang lang, const core::Error& error) {
    const Sentence s = Classify(error);
    return Fill(Translate(lang, s.key), s.args);
}

std::string FieldLabel(Lang lang, std::string_view field) {
    // "urls[2]", "title.ja": the label of the base name.
    const std::string base(field.substr(0, std::min(field.find('['), field.find('.'))));
    const std::string key = "words_field_" + base;
    const std::string& text = Translate(lang, key);
    return text == key ? Translate(lang, "words_field_other") : text;
}

std::string ErrorWithField(Lang lang, const core::Error& error) {
    if (error.field().empty()) return ErrorSentence(lang, error);
    return FieldLabel(lang, error.field()) + Translate(lang, "words_field_separator") + ErrorSentence(lang, error);
}

void FormErrors::Add(const core::Error& error) {
    if (error.field().empty()) {
        banner_ += (banner_.empty() ? "" : " ") + ErrorSentence(lang_, error);
        return;
    }
    const std::string field = error.field().substr(0, std::min(error.field().find('['), error.field().find('.')));
    std::string& slot = by_field_[field];
    slot += (slot.empty() ? "" : " ") + ErrorSentence(lang_, error);
}

void FormErrors::Add(std::string_view field, std::string_view catalog_key) {
    AddText(field, Translate(lang_, catalog_key));
}

void FormErrors::AddText(std::string_view field, const std::string& text) {
    if (field.empty()) {
        banner_ += (banner_.empty() ? "" : " ") + text;
        return;
    }
    std::string& slot = by_field_[std::string(field)];
    slot += (slot.empty() ? "" : " ") + text;
}

View FormErrors::ToView() const {
    View view{View::type::object};
    for (const auto& [field, text] : by_field_) view.set(field, text);
    return view;
}

}  // namespace kizuna::web::detail
