// Error messages in the viewer's language, at the web seam.
//
// Domain code answers with a core::Error: a code, an English message for logs and for the JSON API
// (docs/API.md keeps that contract: {"error": {"code", "message", "field"}} is unchanged), and the input
// field at fault. A person on a page must never read that English message in the Japanese UI, nor a
// field name such as "public_reason". This layer maps (field, code, what the message says) to a sentence
// of the catalogs:
//
//   ErrorSentence(ja, InvalidArgument("must not be empty", "title"))        → "この項目は必須です。"
//   ErrorSentence(ja, InvalidArgument("must be 1-200 characters", "name"))  → "1〜200 文字で入力してください。"
//   ErrorSentence(en, InvalidArgument("must be an e-mail address", "email"))→ "Enter an e-mail address."
//   FieldLabel(ja, "email")                                                → "メールアドレス"
//   ErrorWithField(ja, error)                                              → "メールアドレス: …"
//
// How a page uses it — errors beside the field, and the typed values kept:
//
//   FormErrors errors(lang);
//   if (!st.ok()) errors.Add(st.error());            // or errors.Add("note", "words_err_required")
//   view.set("errors", errors.ToView());              // {{#errors.note}}<p class="field-error">{{errors.note}}</p>{{/errors.note}}
//   view.set("error", errors.Banner());               // one line for errors without a field on the form
//
// Sentences live in i18n/{ja,en}/words.json: "words_err_<kind>" (with {{min}}, {{max}}, {{n}} where the
// message carried numbers) and field names in "words_field_<field>". A message this layer does not know
// gets a generic sentence for its code ("入力内容を確認してください。"), never the English text; add a rule in
// form_errors.cpp when a new message deserves its own words.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "web/i18n.hpp"
#include "web/internal/view.hpp"

namespace kizuna::web::detail {

// The sentence for `error` in `lang`, without the field name.
std::string ErrorSentence(Lang lang, const core::Error& error);

// The human name of an input field ("public_reason" → "公表理由"); a field without a label gets the
// generic "入力項目" / "Input", never the raw name.
std::string FieldLabel(Lang lang, std::string_view field);

// "<field label>: <sentence>", or the sentence alone when the error names no field.
std::string ErrorWithField(Lang lang, const core::Error& error);

// The errors of one submitted form, by field.
class FormErrors {
  public:
    explicit FormErrors(Lang lang) : lang_(lang) {}

    // A domain error: under its field when it names one, else on the banner.
    void Add(const core::Error& error);
    // A sentence from the catalog for a field the page checked itself ("" = banner).
    void Add(std::string_view field, std::string_view catalog_key);
    // A sentence already in the viewer's language ("" field = banner).
    void AddText(std::string_view field, const std::string& text);

    bool empty() const { return by_field_.empty() && banner_.empty(); }
    // {"<field>": "<sentence>", ...} for {{errors.<field>}} in templates.
    View ToView() const;
    // The errors that name no field, as one line (for the top of the form).
    std::string Banner() const { return banner_; }

  private:
    Lang lang_;
    std::map<std::string, std::string> by_field_;
    std::string banner_;
};

}  // namespace kizuna::web::detail
