// Outgoing mail in the recipient's language (issue 13): named templates with a Japanese and an English
// version, shipped as defaults and overridable by coordinators (table mail_templates, every change audited).
//
// A template is a subject and a body with {{placeholders}}. Each template names the placeholders it may use
// and those it must use (a summary notice without {{identifier}} would break seed 001 2-1: the notice
// carries the identifier vendors quote in their questions). Edits are validated before they are stored:
// an unknown placeholder, a missing required one or an unclosed "{{" is an InvalidArgument naming the field
// ("subject" or "body"), never a broken mail.
//
// Every recipient (vendor contact, infrastructure contact, related organisation, overseas coordinator,
// reporter) has a language, 'ja' by default ('en' for overseas coordinators); senders render each mail in the
// recipient's language with RenderMail.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "auth/audit.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "core/time_zone.hpp"
#include "store/store.hpp"

namespace kizuna::vuln {

struct Caller;

enum class MailLang { kJa, kEn };
std::string_view Name(MailLang lang);
core::Result<MailLang> ParseMailLang(std::string_view s, std::string_view field = "lang");
// A stored language column: anything unreadable is Japanese (the default).
MailLang MailLangOr(std::string_view s, MailLang fallback = MailLang::kJa);

using MailValues = std::map<std::string, std::string, std::less<>>;

struct MailText {
    std::string subject;
    std::string body;
};

// One shipped template: its name ("notice.summary"), what it may and must contain, and both defaults.
struct MailTemplateDef {
    std::string_view name;
    std::vector<std::string_view> placeholders;  // allowed
    std::vector<std::string_view> required;      // subset of placeholders; somewhere in subject or body
    MailText ja;
    MailText en;
};

// The shipped templates, in a stable order (notice.summary, notice.detail, message.coordinator,
// schedule.proposed, schedule.decided, schedule.brought_forward, schedule.reminder, early_notice,
// related.information).
std::span<const MailTemplateDef> MailTemplateDefaults();
const MailTemplateDef* FindMailTemplate(std::string_view name);

// Replaces each {{name}} with values[name]; a placeholder without a value renders empty.
std::string FillPlaceholders(std::string_view text, const MailValues& values);
// What is wrong with an edited template, for pages that explain it in the user's language.
struct MailTemplateProblem {
    enum class Kind { kEmpty, kTooLong, kMultiline, kUnknownPlaceholder, kUnclosed, kMissingRequired };
    Kind kind = Kind::kEmpty;
    std::string field;        // "subject" or "body"
    std::string placeholder;  // for kUnknownPlaceholder and kMissingRequired
};
std::optional<MailTemplateProblem> CheckMailTemplate(const MailTemplateDef& def, std::string_view subject,
                                                     std::string_view body);
// CheckMailTemplate as a Status: InvalidArgument with field "subject" or "body" and a message naming the
// placeholder.
core::Status ValidateMailTemplate(const MailTemplateDef& def, std::string_view subject, std::string_view body);

// A date for a mail: ja "2026年12月27日 10:00 (JST)" — the zone named; en "2026-12-27 10:00 (UTC+09:00)".
std::string FormatMailDate(core::WallTime t, MailLang lang, const core::TimeZone& zone);

// The text a recipient in `lang` gets: the stored override of `name` in that language if there is one,
// else the default, with `values` filled in. NotFound for an unknown template name.
core::Result<MailText> RenderMail(store::Connection& c, std::string_view name, MailLang lang, const MailValues& values);

// One template in one language as the templates page shows it.
struct MailTemplateVersion {
    MailLang lang = MailLang::kJa;
    MailText defaults;
    std::optional<MailText> override_text;  // the coordinator's edit, if any
    std::string updated_at;
    std::string updated_by;
    const MailText& effective() const { return override_text ? *override_text : defaults; }
};

struct MailTemplateView {
    const MailTemplateDef* def = nullptr;
    MailTemplateVersion ja;
    MailTemplateVersion en;
};

// Listing and editing the templates: staff only (anyone else gets NotFound — the uniform refusal).
class MailTemplateService {
  public:
    MailTemplateService(store::Database& db, const core::Clock& clock, const auth::AuditLog& audit)
        : db_(db), clock_(clock), audit_(audit) {}

    core::Result<std::vector<MailTemplateView>> List(const Caller& caller);
    core::Result<MailTemplateView> Get(std::string_view name, const Caller& caller);
    // Validates, stores the override and audits "mail_template.edit".
    core::Status Save(std::string_view name, MailLang lang, std::string_view subject, std::string_view body,
                      const Caller& caller);
    // Drops the override (back to the shipped default) and audits "mail_template.reset".
    core::Status Reset(std::string_view name, MailLang lang, const Caller& caller);

  private:
    store::Database& db_;
    const core::Clock& clock_;
    const auth::AuditLog& audit_;
};

// The schema of the templates table and the language columns (migration 1230).
std::string_view MailTemplatesSchema();

}  // namespace kizuna::vuln
