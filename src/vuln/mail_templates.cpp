#include "vuln/mail_templates.hpp"

#include <algorithm>

#include "vuln/cases.hpp"

namespace kizuna::vuln {
namespace {

constexpr std::size_t kMaxSubject = 500;
constexpr std::size_t kMaxBody = 50000;

// The shipped texts. Japanese follows the wording of seed 001 and of the center's coordination mails
// (脆弱性概要情報 / 脆弱性詳細情報 / 一般公表日時 / 製品脆弱性対策ご担当者様); English says the same.
const std::vector<MailTemplateDef>& Defaults() {
    static const std::vector<MailTemplateDef> kDefaults = {
        {"notice.summary",
         {"identifier", "title", "summary", "vendor"},
         {"identifier"},
         {"[{{identifier}}] 脆弱性概要情報のお知らせ",
          "{{vendor}}\n製品脆弱性対策ご担当者様\n\n"
          "いつもお世話になっております。\n"
          "貴組織の製品に関係する可能性のある脆弱性関連情報の届出がありましたので、脆弱性概要情報をお知らせいたします。\n"
          "本情報は、技術的な詳細を含まない概要情報です。\n\n"
          "識別番号: {{identifier}}\n"
          "件名: {{title}}\n\n"
          "概要:\n{{summary}}\n\n"
          "貴組織の開発製品のなかに本脆弱性に該当する可能性のある製品があるかどうかをご判断のうえ、"
          "ベンダポータルにて次のいずれかをご回答ください。\n"
          "  - 該当する可能性のある製品がある場合: 脆弱性詳細情報を請求する\n"
          "  - 該当する製品がない場合: 該当製品なし\n\n"
          "本件についてお問い合わせいただく際は、上記の識別番号をお示しください。\n"
          "本情報は、一般公表日まで機密情報としてお取り扱いくださいますようお願いいたします。\n"},
         {"[{{identifier}}] Vulnerability summary notice",
          "{{vendor}}\nProduct security team\n\n"
          "We have received a report of a vulnerability that may concern your products. This summary notice "
          "contains no technical detail.\n\n"
          "Identifier: {{identifier}}\n"
          "Title: {{title}}\n\n"
          "Summary:\n{{summary}}\n\n"
          "Please judge whether any of your products may be affected and answer in the vendor portal:\n"
          "  - request details, if a product may be affected;\n"
          "  - no applicable products, if none is.\n\n"
          "Please quote the identifier above in any question about this matter, and keep this information "
          "confidential until the public disclosure date.\n"}},
        {"notice.detail",
         {"identifier", "title", "vendor"},
         {"identifier"},
         {"[{{identifier}}] 脆弱性詳細情報のご提供",
          "{{vendor}}\n製品脆弱性対策ご担当者様\n\n"
          "いつもお世話になっております。\n"
          "識別番号 {{identifier}}「{{title}}」について、脆弱性詳細情報をご提供いたします。\n"
          "脆弱性詳細情報は、ベンダポータルにてご覧いただけます。\n\n"
          "脆弱性詳細情報を元に貴組織の製品について調査・検証を行い、その結果をご報告ください。"
          "その際、以下の点についてお知らせください。\n"
          "  - 脆弱性該当製品の有無\n"
          "  - 該当製品がある場合、回避方法や修正方法の作成・提供方針\n"
          "  - 該当製品がある場合、対応スケジュール\n"
          "  - 製品開発者としての公表情報の作成・提供方針\n\n"
          "脆弱性詳細情報は機密情報として、組織内の必要最小限の関係者にのみ開示し、"
          "一般公表日まで第三者に漏洩しないよう慎重にお取り扱いください。\n"},
         {"[{{identifier}}] Vulnerability details",
          "{{vendor}}\nProduct security team\n\n"
          "The vulnerability details for {{identifier}} \"{{title}}\" are available to you in the vendor portal.\n\n"
          "Please investigate your products and report your status: whether products are affected, your plan "
          "for workarounds and fixes, your schedule, and what you will publish.\n\n"
          "Share the details only with the few people in your organisation who need them, and with nobody "
          "outside it before the public disclosure date.\n"}},
        {"message.coordinator",
         {"identifier", "vendor", "message"},
         {"message"},
         {"[{{identifier}}] 調整担当者からのご連絡",
          "{{vendor}}\nご担当者様\n\n{{message}}\n\n"
          "本メールへのご返信、またはベンダポータルにてご回答ください。\n"},
         {"[{{identifier}}] Message from the coordinator",
          "{{vendor}}\n\n{{message}}\n\nPlease reply to this mail or answer in the vendor portal.\n"}},
        {"schedule.proposed",
         {"identifier", "recipient", "date", "reason"},
         {"date"},
         {"[{{identifier}}] 一般公表日時のご提案",
          "{{recipient}}\nご担当者様\n\n"
          "識別番号 {{identifier}} の脆弱性情報について、一般公表日時を次のとおりご提案いたします。\n\n"
          "提案する一般公表日時: {{date}}\n"
          "理由: {{reason}}\n\n"
          "この日時でよろしければ、ベンダポータルにて承諾してください。"
          "ご都合が悪い場合は、ご希望の日時と理由をベンダポータルからお知らせください。\n"},
         {"[{{identifier}}] Proposed publication date",
          "{{recipient}}\n\n"
          "For {{identifier}} we propose to publish at {{date}}.\n"
          "Reason: {{reason}}\n\n"
          "Please accept it or ask for another date, with your reason, in the vendor portal.\n"}},
        {"schedule.decided",
         {"identifier", "recipient", "date", "reason"},
         {"date"},
         {"[{{identifier}}] 一般公表日時決定のお知らせ",
          "{{recipient}}\nご担当者様\n\n"
          "識別番号 {{identifier}} の脆弱性情報について、一般公表日時が決定しましたのでお知らせいたします。\n\n"
          "一般公表日時: {{date}}\n"
          "備考: {{reason}}\n\n"
          "この日時より前に、本脆弱性に関する情報を公表しないようお願いいたします（同時公表）。"
          "ベンダポータルにて本日時をご確認ください。\n"},
         {"[{{identifier}}] Publication date decided",
          "{{recipient}}\n\n"
          "The publication date and time of {{identifier}} is {{date}}.\n"
          "Note: {{reason}}\n\n"
          "Nothing about this vulnerability may be published before then (simultaneous publication). Please "
          "confirm this date in the vendor portal.\n"}},
        {"schedule.brought_forward",
         {"identifier", "recipient", "date", "reason"},
         {"date"},
         {"[{{identifier}}] 一般公表日時繰り上げのお知らせ",
          "{{recipient}}\nご担当者様\n\n"
          "識別番号 {{identifier}} の脆弱性情報について、情報流出（{{reason}}）のため、"
          "一般公表日時を次のとおり繰り上げます。\n\n"
          "一般公表日時: {{date}}\n\n"
          "ご対応をお急ぎいただきますようお願いいたします。\n"},
         {"[{{identifier}}] Publication brought forward",
          "{{recipient}}\n\n"
          "Because of a leak ({{reason}}) the publication of {{identifier}} is brought forward to {{date}}.\n"}},
        {"schedule.reminder",
         {"identifier", "recipient", "date"},
         {"date"},
         {"[{{identifier}}] 調査・検証結果のご報告のお願い",
          "{{recipient}}\n製品脆弱性対策ご担当者様\n\n"
          "識別番号 {{identifier}} の一般公表日時（{{date}}）が近づいております。\n"
          "現時点で、貴組織から調査・検証結果のご報告をいただいておりません。"
          "ご報告がない場合、公表時の対応状況は「不明」と記載されます。\n"
          "ベンダポータルからご報告くださいますようお願いいたします。\n"},
         {"[{{identifier}}] Reminder: status report",
          "{{recipient}}\n\n"
          "Publication of {{identifier}} is scheduled for {{date}}. We have no status report from you yet; "
          "without one your status will read 'unknown'. Please report it in the vendor portal.\n"}},
        {"early_notice",
         {"identifier", "recipient", "content"},
         {"content"},
         {"[{{identifier}}] 公表前の優先情報提供",
          "{{recipient}}\nご担当者様\n\n"
          "政府機関および重要インフラ事業者の皆様に、公表前の脆弱性情報を優先的にご提供いたします。\n\n"
          "{{content}}\n"
          "本情報は公表前の機密情報です。{{identifier}} の脆弱性情報が一般公表されるまで、"
          "第三者への提供や公表はお控えください。\n"},
         {"[{{identifier}}] Priority early information (before publication)",
          "{{recipient}}\n\n"
          "This is priority early information given before publication to government bodies and "
          "critical-infrastructure operators.\n\n"
          "{{content}}\n"
          "Do not pass it on or make it public before the advisory for {{identifier}} is published.\n"}},
        {"related.information",
         {"identifier", "recipient", "person", "vendor", "content"},
         {"content"},
         {"[{{identifier}}] 脆弱性関連情報のご提供（{{vendor}} の関係組織として）",
          "{{recipient}}\n{{person}} 様\n\n"
          "{{vendor}} からのご依頼により、次の脆弱性関連情報を共有いたします。\n\n"
          "{{content}}\n"
          "本情報は公表されていません。{{identifier}} の脆弱性情報が一般公表されるまで、"
          "第三者への提供や公表はお控えください。他に情報を必要とする組織がある場合は、調整担当者までご連絡ください。\n"},
         {"[{{identifier}}] Vulnerability information (related organization of {{vendor}})",
          "Dear {{person}},\n\n"
          "{{vendor}} asked us to share the following vulnerability information with {{recipient}}.\n\n"
          "{{content}}\n"
          "This information is not public. Do not pass it on or make it public before the advisory for "
          "{{identifier}} is published; contact the coordinator if others need it.\n"}},
    };
    return kDefaults;
}

// Calls `each(name, begin, end)` for every {{name}}; false (with *unclosed) at a "{{" without "}}".
template <typename F>
bool ScanPlaceholders(std::string_view text, F each, bool* unclosed = nullptr) {
    std::size_t pos = 0;
    while ((pos = text.find("{{", pos)) != std::string_view::npos) {
        const std::size_t end = text.find("}}", pos + 2);
        if (end == std::string_view::npos) {
            if (unclosed) *unclosed = true;
            return false;
        }
        std::string_view name = text.substr(pos + 2, end - pos - 2);
        while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
        while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
        each(name, pos, end + 2);
        pos = end + 2;
    }
    return true;
}

std::optional<MailTemplateProblem> CheckField(const MailTemplateDef& def, std::string_view text,
                                              std::string_view field) {
    using Kind = MailTemplateProblem::Kind;
    bool unclosed = false;
    std::optional<std::string> unknown;
    ScanPlaceholders(
        text,
        [&](std::string_view name, std::size_t, std::size_t) {
            if (!unknown && std::find(def.placeholders.begin(), def.placeholders.end(), name) == def.placeholders.end())
                unknown = std::string(name);
        },
        &unclosed);
    if (unknown) return MailTemplateProblem{Kind::kUnknownPlaceholder, std::string(field), *unknown};
    if (unclosed) return MailTemplateProblem{Kind::kUnclosed, std::string(field), ""};
    return std::nullopt;
}

bool Uses(std::string_view text, std::string_view placeholder) {
    bool found = false;
    ScanPlaceholders(text, [&](std::string_view name, std::size_t, std::size_t) { found = found || name == placeholder; });
    return found;
}

MailTemplateVersion VersionOf(const MailTemplateDef& def, MailLang lang) {
    MailTemplateVersion v;
    v.lang = lang;
    v.defaults = lang == MailLang::kJa ? def.ja : def.en;
    return v;
}

core::Status RequireStaff(const Caller& caller) {
    if (!caller.staff()) return core::NotFound("no such page");
    return core::Ok();
}

}  // namespace

std::string_view Name(MailLang lang) { return lang == MailLang::kEn ? "en" : "ja"; }

core::Result<MailLang> ParseMailLang(std::string_view s, std::string_view field) {
    if (s == "ja") return MailLang::kJa;
    if (s == "en") return MailLang::kEn;
    return core::InvalidArgument("must be ja or en", std::string(field));
}

MailLang MailLangOr(std::string_view s, MailLang fallback) {
    auto parsed = ParseMailLang(s);
    return parsed.ok() ? *parsed : fallback;
}

std::span<const MailTemplateDef> MailTemplateDefaults() { return Defaults(); }

const MailTemplateDef* FindMailTemplate(std::string_view name) {
    for (const auto& d : Defaults())
        if (d.name == name) return &d;
    return nullptr;
}

std::string FillPlaceholders(std::string_view text, const MailValues& values) {
    std::string out;
    std::size_t copied = 0;
    ScanPlaceholders(text, [&](std::string_view name, std::size_t begin, std::size_t end) {
        out.append(text.substr(copied, begin - copied));
        if (auto it = values.find(name); it != values.end()) out += it->second;
        copied = end;
    });
    out.append(text.substr(copied));
    return out;
}

std::optional<MailTemplateProblem> CheckMailTemplate(const MailTemplateDef& def, std::string_view subject,
                                                     std::string_view body) {
    using Kind = MailTemplateProblem::Kind;
    if (subject.empty()) return MailTemplateProblem{Kind::kEmpty, "subject", ""};
    if (subject.size() > kMaxSubject) return MailTemplateProblem{Kind::kTooLong, "subject", ""};
    if (subject.find_first_of("\r\n") != std::string_view::npos) return MailTemplateProblem{Kind::kMultiline, "subject", ""};
    if (body.empty()) return MailTemplateProblem{Kind::kEmpty, "body", ""};
    if (body.size() > kMaxBody) return MailTemplateProblem{Kind::kTooLong, "body", ""};
    if (auto p = CheckField(def, subject, "subject")) return p;
    if (auto p = CheckField(def, body, "body")) return p;
    for (std::string_view required : def.required)
        if (!Uses(subject, required) && !Uses(body, required))
            return MailTemplateProblem{Kind::kMissingRequired, "body", std::string(required)};
    return std::nullopt;
}

core::Status ValidateMailTemplate(const MailTemplateDef& def, std::string_view subject, std::string_view body) {
    using Kind = MailTemplateProblem::Kind;
    const auto problem = CheckMailTemplate(def, subject, body);
    if (!problem) return core::Ok();
    switch (problem->kind) {
        case Kind::kEmpty:
            return core::InvalidArgument("must not be empty", problem->field);
        case Kind::kTooLong:
            return core::InvalidArgument(
                "must be at most " + std::to_string(problem->field == "subject" ? kMaxSubject : kMaxBody) + " bytes",
                problem->field);
        case Kind::kMultiline:
            return core::InvalidArgument("must be a single line", problem->field);
        case Kind::kUnknownPlaceholder:
            return core::InvalidArgument("unknown placeholder {{" + problem->placeholder + "}}", problem->field);
        case Kind::kUnclosed:
            return core::InvalidArgument("a placeholder is not closed: write {{name}}", problem->field);
        case Kind::kMissingRequired:
            return core::InvalidArgument("the placeholder {{" + problem->placeholder + "}} is required", problem->field);
    }
    return core::Ok();
}

std::string FormatMailDate(core::WallTime t, MailLang lang, const core::TimeZone& zone) {
    const std::string local = zone.FormatRfc3339Local(t);  // 2026-12-27T10:00:00+09:00 (or Z for UTC)
    const std::string minutes = zone.FormatMinutes(t);     // 2026-12-27 10:00 JST
    const std::string abbreviation = minutes.size() > 17 ? minutes.substr(17) : zone.name();
    if (lang == MailLang::kJa) {
        const int month = std::atoi(local.substr(5, 2).c_str());
        const int day = std::atoi(local.substr(8, 2).c_str());
        return local.substr(0, 4) + "年" + std::to_string(month) + "月" + std::to_string(day) + "日 " +
               local.substr(11, 5) + " (" + abbreviation + ")";
    }
    std::string offset = local.size() > 19 ? local.substr(19) : "Z";
    if (offset == "Z" || offset == "+00:00") offset = "";
    return local.substr(0, 10) + " " + local.substr(11, 5) + " (UTC" + offset + ")";
}

core::Result<MailText> RenderMail(store::Connection& c, std::string_view name, MailLang lang, const MailValues& values) {
    const MailTemplateDef* def = FindMailTemplate(name);
    if (!def) return core::NotFound("no mail template " + std::string(name));
    MailText text = lang == MailLang::kJa ? def->ja : def->en;
    KZ_ASSIGN(auto row, c.QueryOne("SELECT subject, body FROM mail_templates WHERE name = ? AND lang = ?",
                                   {std::string(name), std::string(Name(lang))}));
    if (row) text = {row->Text(0), row->Text(1)};
    return MailText{FillPlaceholders(text.subject, values), FillPlaceholders(text.body, values)};
}

core::Result<std::vector<MailTemplateView>> MailTemplateService::List(const Caller& caller) {
    KZ_TRY(RequireStaff(caller));
    std::vector<MailTemplateView> out;
    for (const auto& def : Defaults()) {
        KZ_ASSIGN(MailTemplateView v, Get(def.name, caller));
        out.push_back(std::move(v));
    }
    return out;
}

core::Result<MailTemplateView> MailTemplateService::Get(std::string_view name, const Caller& caller) {
    KZ_TRY(RequireStaff(caller));
    const MailTemplateDef* def = FindMailTemplate(name);
    if (!def) return core::NotFound("no mail template " + std::string(name));
    MailTemplateView v{def, VersionOf(*def, MailLang::kJa), VersionOf(*def, MailLang::kEn)};
    KZ_ASSIGN(auto lease, db_.Acquire());
    KZ_ASSIGN(auto rows, lease->Query("SELECT lang, subject, body, updated_at, updated_by FROM mail_templates"
                                      " WHERE name = ?",
                                      {std::string(name)}));
    for (const auto& r : rows) {
        MailTemplateVersion& version = r.Text(0) == "en" ? v.en : v.ja;
        version.override_text = MailText{r.Text(1), r.Text(2)};
        version.updated_at = r.Text(3);
        version.updated_by = r.Text(4);
    }
    return v;
}

core::Status MailTemplateService::Save(std::string_view name, MailLang lang, std::string_view subject,
                                       std::string_view body, const Caller& caller) {
    KZ_TRY(RequireStaff(caller));
    const MailTemplateDef* def = FindMailTemplate(name);
    if (!def) return core::NotFound("no mail template " + std::string(name));
    KZ_TRY(ValidateMailTemplate(*def, subject, body));
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_TRY(c.Exec("INSERT INTO mail_templates(name, lang, subject, body, updated_at, updated_by)"
                      " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(name, lang) DO UPDATE SET subject = excluded.subject,"
                      " body = excluded.body, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                      {std::string(name), std::string(Name(lang)), std::string(subject), std::string(body),
                       core::FormatRfc3339(clock_.Now()), caller.name()}));
        auto seq = audit_.Append(c, {caller.name(), "mail_template.edit", "mail_template:" + std::string(name),
                                     "{\"lang\":\"" + std::string(Name(lang)) + "\"}", ""});
        if (!seq.ok()) return seq.error();
        return core::Ok();
    });
}

core::Status MailTemplateService::Reset(std::string_view name, MailLang lang, const Caller& caller) {
    KZ_TRY(RequireStaff(caller));
    if (!FindMailTemplate(name)) return core::NotFound("no mail template " + std::string(name));
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_TRY(c.Exec("DELETE FROM mail_templates WHERE name = ? AND lang = ?",
                      {std::string(name), std::string(Name(lang))}));
        auto seq = audit_.Append(c, {caller.name(), "mail_template.reset", "mail_template:" + std::string(name),
                                     "{\"lang\":\"" + std::string(Name(lang)) + "\"}", ""});
        if (!seq.ok()) return seq.error();
        return core::Ok();
    });
}

std::string_view MailTemplatesSchema() {
    // Overseas coordinators default to English (they are foreign CSIRTs, like the IODEF partners); every
    // other recipient to Japanese.
    return R"sql(
CREATE TABLE mail_templates (
    name       TEXT NOT NULL,
    lang       TEXT NOT NULL CHECK (lang IN ('ja','en')),
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (name, lang)
);
ALTER TABLE vendor_contacts ADD COLUMN lang TEXT NOT NULL DEFAULT 'ja' CHECK (lang IN ('ja','en'));
ALTER TABLE infra_contacts ADD COLUMN lang TEXT NOT NULL DEFAULT 'ja' CHECK (lang IN ('ja','en'));
ALTER TABLE related_orgs ADD COLUMN lang TEXT NOT NULL DEFAULT 'ja' CHECK (lang IN ('ja','en'));
ALTER TABLE case_coordinators ADD COLUMN lang TEXT NOT NULL DEFAULT 'en' CHECK (lang IN ('ja','en'));
ALTER TABLE cases ADD COLUMN reporter_lang TEXT NOT NULL DEFAULT 'ja' CHECK (reporter_lang IN ('ja','en'));
)sql";
}

}  // namespace kizuna::vuln
