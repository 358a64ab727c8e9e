// The audit log page (/audit): every entry with its detail in words (who received what, when — V6),
// filters (actor, action, object, time range in the viewer's zone) and pagination. Coordinators and
// admins only. The chain status comes from the full check (key and checkpoints, auth/audit.hpp).
#include <nlohmann/json.hpp>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <functional>

#include "web/internal/handlers.hpp"
#include "web/internal/labels.hpp"

namespace kizuna::web::detail {
namespace {

using auth::ResourceKind;
constexpr int kPageSize = 50;

// A label from the catalog, or nullopt when the catalog has none (Translate returns the key itself).
std::optional<std::string> Label(Lang lang, const std::string& key) {
    const std::string& text = Translate(lang, key);
    if (text == key) return std::nullopt;
    return text;
}

std::string KeyOf(std::string_view code) {
    std::string key(code);
    for (char& c : key)
        if (c == '.') c = '_';
    return key;
}

// "case.disclose" → "情報の開示" / "Disclosure": the label of kind "audit_action" (i18n/*/words.json, which
// also names the case timeline's event kinds, "schedule.decided"…), else the older "audit_act_*" keys, else
// the area's words; an unknown action gets a generic label, never the code.
std::string ActionLabel(Lang lang, std::string_view action) {
    if (HasCodeLabel(lang, "audit_action", action)) return CodeLabel(lang, "audit_action", action);
    if (auto l = Label(lang, "audit_act_" + KeyOf(action))) return *l;
    const std::string area(action.substr(0, action.find('.')));
    if (auto l = Label(lang, "audit_area_" + area)) return *l;
    return Translate(lang, "audit_act_other");
}

// "system", "anonymous", "cli" (kizuna commands on the server) are not names of people: words for them;
// user names are shown as they are.
std::string ActorLabel(Lang lang, const std::string& actor) {
    if (actor == "system" || actor == "anonymous" || actor == "cli" || actor.empty())
        return CodeLabel(lang, "audit_actor", actor.empty() ? "anonymous" : actor);
    return actor;
}

std::optional<std::string> Lookup(store::Connection& c, std::string_view sql, std::int64_t id) {
    auto row = c.QueryOne(sql, {id});
    if (!row.ok() || !*row) return std::nullopt;
    return (*row)->Text(0);
}

std::optional<std::int64_t> Number(std::string_view text) {
    if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string_view::npos)
        return std::nullopt;
    return std::atoll(std::string(text).c_str());
}

std::string Named(Lang lang, std::string_view kind, const std::string& name) {
    return Translate(lang, "words_audit_obj_" + std::string(kind)) + " " + name;
}

// The object of an entry in words, with the names people use: "case:12" → "案件 JVNVU#12345678";
// "vendor:3" → "製品開発者 Example Corp"; "user:alice" → "ユーザー alice"; "partner/2" → "連携先 KrCERT";
// "tcp/445" → "TCP 445 番ポート". Ids that no longer resolve are shown as "#<id>" after the kind's words.
std::string ObjectLabel(store::Connection& c, Lang lang, const std::string& object) {
    const auto sep = object.find_first_of(":/");
    const std::string kind = object.substr(0, sep);
    const std::string rest = sep == std::string::npos ? "" : object.substr(sep + 1);
    const auto id = Number(rest);
    auto by_id = [&](std::string_view sql) -> std::optional<std::string> {
        return id ? Lookup(c, sql, *id) : std::nullopt;
    };
    if (kind == "case") {
        auto ident = by_id("SELECT identifier FROM cases WHERE id = ?");
        return Named(lang, "case", ident ? *ident : (id ? "#" + rest : rest));
    }
    if (kind == "vendor") return Named(lang, "vendor", by_id("SELECT name FROM vendors WHERE id = ?").value_or("#" + rest));
    if (kind == "infra_org")
        return Named(lang, "infra_org", by_id("SELECT name FROM infra_orgs WHERE id = ?").value_or("#" + rest));
    if (kind == "partner")
        return Named(lang, "partner", by_id("SELECT name FROM observe_partners WHERE id = ?").value_or("#" + rest));
    if (kind == "user") return Named(lang, "user", rest);
    if (kind == "advisory") return Named(lang, "advisory", rest);
    if (kind == "related" && rest == "claim") return Translate(lang, "words_audit_obj_related_claim");
    if (kind == "tcp" || kind == "udp" || kind == "icmp") {
        std::string upper = kind;
        for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        std::string text = Translate(lang, "words_audit_obj_port");
        for (auto [tag, value] : {std::pair<std::string, std::string>{"{{protocol}}", upper}, {"{{port}}", rest}})
            if (auto p = text.find(tag); p != std::string::npos) text.replace(p, tag.size(), value);
        return text;
    }
    // token, mail_attachment, mail_inbound, and whatever comes next: the kind's words and the number.
    if (auto l = Label(lang, "words_audit_obj_" + kind)) return *l + (rest.empty() ? "" : (id ? " #" : " ") + rest);
    return Translate(lang, "words_audit_obj_other") + (rest.empty() ? "" : " " + rest);
}

// Detail values that are stored codes, by detail key: shown as the label of that kind.
constexpr std::pair<std::string_view, std::string_view> kCodeValued[] = {
    {"result", "verification"}, {"kind", "registration_kind"}, {"to", "registration_state"},
    {"sector", "sector"},       {"content", "notice_content"}, {"level", "level"},
    {"outcome", "claim_outcome"}, {"role", "role"},
};

// Detail values that are ids, by detail key: shown as the name they stand for.
constexpr std::pair<std::string_view, std::string_view> kIdValued[] = {
    {"vendor", "SELECT name FROM vendors WHERE id = ?"},
    {"case", "SELECT identifier FROM cases WHERE id = ?"},
    {"organization", "SELECT name FROM infra_orgs WHERE id = ?"},
    {"coordinator", "SELECT name FROM case_coordinators WHERE id = ?"},
    {"product", "SELECT name FROM products WHERE id = ?"},
    {"user", "SELECT name FROM users WHERE id = ?"},
};

// Free-text details some actions record (vendor.mail_policy, observe.*): their words.
std::string FreeTextDetail(Lang lang, const std::string& detail) {
    if (detail == "unsigned mail held as unverified") return Translate(lang, "words_audit_detail_unsigned_held");
    if (detail == "unsigned mail quarantined") return Translate(lang, "words_audit_detail_unsigned_quarantined");
    if (detail == "deleted") return Translate(lang, "words_audit_detail_deleted");
    std::string text = detail;
    // observe.partner_add "<name> <mail> JP, KR, no key" / ", key <fpr>"; observe.partner_key "key <fpr>";
    // observe.port_note "cases: 1, 2".
    auto replace = [&](const std::string& from, const std::string& to) {
        if (auto p = text.find(from); p != std::string::npos) text.replace(p, from.size(), to);
    };
    if (text.starts_with("key ")) text.replace(0, 4, Translate(lang, "words_audit_detail_key") + " ");
    if (text.starts_with("cases: ")) text.replace(0, 7, Translate(lang, "words_audit_detail_cases") + " ");
    replace(", no key", " — " + Translate(lang, "words_audit_detail_no_key"));
    replace(", key ", " — " + Translate(lang, "words_audit_detail_key") + " ");
    return text;
}

// Where an entry's object can be opened: a case page, a vendor's record, the user's row on /users; "" otherwise.
// Only well-formed ids become links (the object text is stored data, not trusted markup).
std::string ObjectHref(const std::string& object) {
    const auto colon = object.find(':');
    if (colon == std::string::npos || colon + 1 >= object.size()) return "";
    const std::string kind = object.substr(0, colon), rest = object.substr(colon + 1);
    const bool numeric = rest.size() < 19 && rest.find_first_not_of("0123456789") == std::string::npos;
    if (kind == "case" && numeric) return "/cases/" + rest;
    if (kind == "vendor" && numeric) return "/vendors/" + rest;
    if (kind == "user" && auth::CheckUserName(rest).ok()) return "/users#user-" + rest;
    return "";
}

std::string ValueText(const nlohmann::json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_boolean()) return v.get<bool>() ? "✓" : "—";
    return v.dump();
}

// The entry's detail as label/value pairs: ids become names, codes words, instants local times.
View DetailRows(store::Connection& c, Lang lang, const core::TimeZone& zone, const std::string& detail) {
    View rows{View::type::list};
    auto add = [&](std::string label, std::string value) {
        View row;
        row.set("label", std::move(label));
        row.set("value", std::move(value));
        rows.push_back(row);
    };
    if (detail.empty() || detail == "{}") return rows;
    auto json = nlohmann::json::parse(detail, nullptr, false);
    if (!json.is_object()) {
        add(Translate(lang, "audit_field_note"), FreeTextDetail(lang, detail));
        return rows;
    }
    for (auto& [key, value] : json.items()) {
        const std::string field_label = Label(lang, "audit_field_" + key)
                                            .value_or(Label(lang, "words_audit_field_" + key)
                                                          .value_or(Translate(lang, "words_audit_field_other")));
        std::string text = ValueText(value);
        if (key == "related" && value.is_number_integer()) {
            auto row = c.QueryOne("SELECT name, person, email FROM related_orgs WHERE id = ?", {value.get<std::int64_t>()});
            if (row.ok() && *row) text = (*row)->Text(0) + " (" + (*row)->Text(1) + " <" + (*row)->Text(2) + ">)";
            add(Translate(lang, "audit_field_recipient_related"), text);
            continue;
        }
        if (key == "vendor" && value.is_number_integer()) {
            const std::int64_t id = value.get<std::int64_t>();
            add(Translate(lang, "audit_field_recipient_vendor"),
                Lookup(c, "SELECT name FROM vendors WHERE id = ?", id).value_or("#" + std::to_string(id)));
            continue;
        }
        bool done = false;
        for (const auto& [id_key, sql] : kIdValued)
            if (key == id_key && value.is_number_integer()) {
                const std::int64_t id = value.get<std::int64_t>();
                add(field_label, Lookup(c, sql, id).value_or("#" + std::to_string(id)));
                done = true;
            }
        for (const auto& [code_key, kind] : kCodeValued)
            if (!done && key == code_key && value.is_string()) {
                if (kind == "level") add(Translate(lang, "audit_field_level"), Label(lang, "audit_level_" + text).value_or(CodeLabel(lang, "level", text)));
                else if (kind == "role") add(field_label, Translate(lang, "role_" + text));
                else add(field_label, CodeLabel(lang, kind, text));
                done = true;
            }
        if (done) continue;
        if (value.is_string())
            if (auto t = core::ParseRfc3339(text); t && text.size() >= 20) text = zone.FormatMinutes(*t);  // "… JST"
        add(field_label, text);
    }
    return rows;
}

// A local calendar date ("2026-12-07", in the viewer's zone) as the UTC instant of its midnight.
std::optional<std::string> LocalDateToUtc(const core::TimeZone& zone, const std::string& date, int add_days) {
    int y = 0, m = 0, d = 0;
    if (date.size() != 10 || std::sscanf(date.c_str(), "%4d-%2d-%2d", &y, &m, &d) != 3) return std::nullopt;
    auto midnight_utc = core::ParseRfc3339(date + "T00:00:00Z");
    if (!midnight_utc) return std::nullopt;
    *midnight_utc += std::chrono::days(add_days);
    // The zone's offset at that moment ("+09:00" at the end of the local RFC 3339 form).
    const std::string local = zone.FormatRfc3339Local(*midnight_utc);
    int offset_minutes = 0;
    if (local.size() >= 6 && (local[local.size() - 6] == '+' || local[local.size() - 6] == '-')) {
        const int hh = std::atoi(local.substr(local.size() - 5, 2).c_str());
        const int mm = std::atoi(local.substr(local.size() - 2, 2).c_str());
        offset_minutes = (hh * 60 + mm) * (local[local.size() - 6] == '-' ? -1 : 1);
    }
    return core::FormatRfc3339(*midnight_utc - std::chrono::minutes(offset_minutes));
}

View Options(const std::vector<std::string>& values, const std::string& selected,
             const std::function<std::string(const std::string&)>& label) {
    View list{View::type::list};
    for (const auto& v : values) {
        View o;
        o.set("value", v);
        o.set("label", label(v));
        o.set("selected", v == selected ? View::type::bool_true : View::type::bool_false);
        list.push_back(o);
    }
    return list;
}

}  // namespace

std::string AuditActionLabel(Lang lang, std::string_view action) { return ActionLabel(lang, action); }
std::string AuditObjectLabel(store::Connection& c, Lang lang, const std::string& object) {
    return object.empty() ? std::string() : ObjectLabel(c, lang, object);
}

void AddAuditPages(http::Router& router, SiteServices& s) {
    router.Add("GET", "/audit", [&s](http::Request& req) {
        if (auto denied = Check(req, auth::Action::kView, {ResourceKind::kAuditLog}, false)) return *denied;
        const Lang lang = Context(req).lang;
        auto lease = s.db.Acquire();
        if (!lease.ok()) return ErrorPage(req, s, 500);
        store::Connection& c = **lease;
        auto report = s.audit.VerifyAll(c);
        if (!report.ok()) return ErrorPage(req, s, 500);

        auth::AuditQuery q;
        q.actor = req.Query("actor").value_or("");
        q.action = req.Query("action").value_or("");
        q.object = req.Query("object").value_or("");
        const std::string from = req.Query("from").value_or("");
        const std::string to = req.Query("to").value_or("");
        if (auto t = LocalDateToUtc(s.zone, from, 0)) q.from = *t;
        if (auto t = LocalDateToUtc(s.zone, to, 1)) q.to = *t;  // "to" includes that whole day
        const int page = std::max(1, std::atoi(req.Query("page").value_or("1").c_str()));
        q.limit = kPageSize;
        q.offset = (page - 1) * kPageSize;
        auto result = auth::AuditLog::Search(c, q);
        auto actors = auth::AuditLog::DistinctActors(c);
        auto actions = auth::AuditLog::DistinctActions(c);
        if (!result.ok() || !actors.ok() || !actions.ok()) return ErrorPage(req, s, 500);

        View entries{View::type::list};
        for (const auto& r : result->records) {
            View row;
            row.set("seq", std::to_string(r.seq));
            row.set("at", r.at);
            auto t = core::ParseRfc3339(r.at);
            row.set("at_local", t ? s.zone.FormatMinutes(*t) : r.at);
            row.set("actor", ActorLabel(lang, r.entry.actor));
            row.set("action_label", ActionLabel(lang, r.entry.action));
            row.set("object_label", r.entry.object.empty() ? std::string() : ObjectLabel(c, lang, r.entry.object));
            row.set("object_href", ObjectHref(r.entry.object));
            row.set("details", DetailRows(c, lang, s.zone, r.entry.detail));
            row.set("remote_ip", r.entry.remote_ip);
            entries.push_back(row);
        }

        View view;
        view.set("intact", report->intact ? View::type::bool_true : View::type::bool_false);
        std::string status = report->intact ? Translate(lang, "audit_intact") : Translate(lang, "audit_broken");
        if (auto p = status.find("{{n}}"); p != std::string::npos) status.replace(p, 5, std::to_string(report->entries));
        std::string problems;
        for (const auto& p : report->problems) problems += (problems.empty() ? "" : "; ") + p;
        if (auto p = status.find("{{problem}}"); p != std::string::npos) status.replace(p, 11, problems);
        view.set("status", status);
        view.set("zone", s.zone.name());
        view.set("entries", entries);
        view.set("actor_options", Options(*actors, q.actor, [lang](const std::string& v) { return ActorLabel(lang, v); }));
        view.set("action_options",
                 Options(*actions, q.action, [lang](const std::string& v) { return ActionLabel(lang, v); }));
        view.set("object", q.object);
        view.set("from", from);
        view.set("to", to);
        const std::int64_t total = result->total;
        const std::int64_t first = total == 0 ? 0 : q.offset + 1;
        const std::int64_t last = std::min<std::int64_t>(total, q.offset + kPageSize);
        std::string range = Translate(lang, "audit_range");
        for (auto [key, value] : {std::pair<std::string, std::int64_t>{"{{first}}", first}, {"{{last}}", last},
                                  {"{{total}}", total}})
            if (auto p = range.find(key); p != std::string::npos) range.replace(p, key.size(), std::to_string(value));
        view.set("range", range);
        const std::string base = "/audit?actor=" + UrlEncode(q.actor) + "&action=" + UrlEncode(q.action) +
                                 "&object=" + UrlEncode(q.object) + "&from=" + UrlEncode(from) + "&to=" + UrlEncode(to) + "&page=";
        if (page > 1) view.set("prev_href", base + std::to_string(page - 1));
        if (last < total) view.set("next_href", base + std::to_string(page + 1));
        http::Response r = RenderPage(req, s, "audit", "audit_title", std::move(view));
        r.SetHeader("Cache-Control", "no-store");
        return r;
    });
}

}  // namespace kizuna::web::detail
