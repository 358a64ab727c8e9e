// JSON API for V11: the registry of government bodies and critical-infrastructure operators, and early
// notices released to chosen sectors before publication (four-eyes approval). Staff only.
#include <nlohmann/json.hpp>

#include "web/internal/handlers.hpp"

namespace kizuna::web::detail {
namespace {

using nlohmann::json;

// Registry records are staff data: the policy's vendor-record rule (staff only, others must not learn of them).
std::optional<http::Response> Staff(http::Request& req, auth::Action action) {
    if (auto denied = Check(req, action, {auth::ResourceKind::kVendorRecord}, true)) return denied;
    if (action != auth::Action::kView && !CsrfValid(req))
        return http::ErrorResponse(403, "permission_denied", "missing or wrong CSRF token", "X-CSRF-Token");
    return std::nullopt;
}

json OrgJson(const vuln::Organization& o) {
    json contacts = json::array();
    for (const auto& c : o.contacts)
        contacts.push_back(
            {{"id", c.id}, {"name", c.name}, {"email", c.email}, {"phone", c.phone}, {"lang", vuln::Name(c.lang)}});
    json keys = json::array();
    for (const auto& k : o.keys)
        keys.push_back({{"fingerprint", k.fingerprint}, {"expires_at", k.expires_at}, {"can_encrypt", k.can_encrypt}});
    return {{"id", o.id.value()}, {"name", o.name}, {"sector", vuln::Name(o.sector)}, {"created_at", o.created_at},
            {"contacts", contacts}, {"keys", keys}};
}

json NoticeJson(const vuln::EarlyNotice& n) {
    json sectors = json::array();
    for (auto s : n.sectors) sectors.push_back(vuln::Name(s));
    return {{"id", n.id.value()},          {"sectors", sectors},           {"what", vuln::Name(n.content)},
            {"reason", n.reason},          {"state", vuln::Name(n.state)}, {"requested_by", n.requested_by},
            {"requested_at", n.requested_at}, {"decided_by", n.decided_by}, {"decided_at", n.decided_at},
            {"refusal_reason", n.refusal_reason}, {"organizations", n.organizations}, {"mails", n.mails}};
}

core::Result<vuln::OrganizationContact> ParseContact(const http::JsonObjectReader& r) {
    vuln::OrganizationContact c;
    KZ_ASSIGN(c.name, r.RequireString("name", 1, 200));
    KZ_ASSIGN(auto email, r.OptionalString("email", 0, 254));
    c.email = email.value_or("");
    KZ_ASSIGN(auto phone, r.OptionalString("phone", 0, 50));
    c.phone = phone.value_or("");
    KZ_ASSIGN(auto lang, r.OptionalString("lang", 0, 10));
    if (lang) {
        KZ_ASSIGN(c.lang, vuln::ParseMailLang(*lang));
    }
    return c;
}

// The notice must belong to the case in the path.
core::Status NoticeOfCase(SiteServices& s, vuln::CaseId id, std::int64_t notice, const vuln::Caller& caller) {
    KZ_ASSIGN(auto list, s.early_notices.List(id, caller));
    for (const auto& n : list)
        if (n.id.value() == notice) return core::Ok();
    return core::NotFound("no such early notice");
}

}  // namespace

void AddEarlyNoticeApi(http::Router& router, SiteServices& s) {
    router.Add("GET", "/api/v1/infrastructure", [&s](http::Request& req) {
        if (auto denied = Staff(req, auth::Action::kView)) return *denied;
        std::optional<vuln::Sector> sector;
        if (auto q = req.Query("sector")) {
            auto parsed = vuln::ParseSector(*q);
            if (!parsed.ok()) return ApiError(parsed.error(), req, s);
            sector = *parsed;
        }
        auto list = s.infrastructure.List(sector);
        if (!list.ok()) return ApiError(list.error(), req, s);
        json out = json::array();
        for (const auto& o : *list) out.push_back(OrgJson(o));
        return http::Response::Json(200, json{{"organizations", out}});
    });

    router.Add("POST", "/api/v1/infrastructure", [&s](http::Request& req) {
        if (auto denied = Staff(req, auth::Action::kCreate)) return *denied;
        auto body = http::ParseJsonBody(req);
        if (!body.ok()) return ApiError(body.error(), req, s);
        auto parsed = [&]() -> core::Result<vuln::NewOrganization> {
            http::JsonObjectReader r(*body);
            KZ_TRY(r.RejectUnknown({"name", "sector", "contacts"}));
            vuln::NewOrganization o;
            KZ_ASSIGN(o.name, r.RequireString("name", 1, 200));
            KZ_ASSIGN(std::string sector, r.RequireString("sector", 1, 20));
            KZ_ASSIGN(o.sector, vuln::ParseSector(sector));
            if (r.Has("contacts")) {
                const json& list = body->at("contacts");
                if (!list.is_array() || list.size() > 50)
                    return core::InvalidArgument("must be an array of {name, email, phone, lang}", "contacts");
                for (std::size_t i = 0; i < list.size(); ++i) {
                    const std::string field = "contacts[" + std::to_string(i) + "]";
                    if (!list[i].is_object()) return core::InvalidArgument("must be an object", field);
                    KZ_ASSIGN(auto c, ParseContact(http::JsonObjectReader(list[i], field)));
                    o.contacts.push_back(std::move(c));
                }
            }
            return o;
        }();
        if (!parsed.ok()) return ApiError(parsed.error(), req, s);
        auto id = s.infrastructure.Create(*parsed, Context(req).principal->name);
        if (!id.ok()) return ApiError(id.error(), req, s);
        return http::Response::Json(201, json{{"id", id->value()}});
    });

    router.Add("POST", "/api/v1/infrastructure/{org}/contacts", [&s](http::Request& req) {
        if (auto denied = Staff(req, auth::Action::kUpdate)) return *denied;
        auto body = http::ParseJsonBody(req);
        if (!body.ok()) return ApiError(body.error(), req, s);
        auto contact = ParseContact(http::JsonObjectReader(*body));
        if (!contact.ok()) return ApiError(contact.error(), req, s);
        auto id = s.infrastructure.AddContact(vuln::OrganizationId(std::atoll(std::string(req.Param("org")).c_str())),
                                              *contact, Context(req).principal->name);
        if (!id.ok()) return ApiError(id.error(), req, s);
        return http::Response::Json(201, json{{"id", *id}});
    });

    router.Add("POST", "/api/v1/infrastructure/{org}/keys", [&s](http::Request& req) {
        if (auto denied = Staff(req, auth::Action::kUpdate)) return *denied;
        auto body = http::ParseJsonBody(req);
        if (!body.ok()) return ApiError(body.error(), req, s);
        auto armored = http::JsonObjectReader(*body).RequireString("key", 1, 1024 * 1024);
        if (!armored.ok()) return ApiError(armored.error(), req, s);
        auto key = s.infrastructure.ImportKey(vuln::OrganizationId(std::atoll(std::string(req.Param("org")).c_str())),
                                              *armored, Context(req).principal->name);
        if (!key.ok()) return ApiError(key.error(), req, s);
        return http::Response::Json(201, json{{"fingerprint", key->fingerprint}, {"can_encrypt", key->can_encrypt},
                                              {"expires_at", key->expires_at}});
    });

    router.Add("GET", "/api/v1/cases/{id}/early-notices", [&s](http::Request& req) {
        auto id = CaseIdParam(req, s);
        if (!id.ok()) return ApiError(id.error(), req, s);
        auto list = s.early_notices.List(*id, CallerFor(req, s));
        if (!list.ok()) return ApiError(list.error(), req, s);
        json out = json::array();
        for (const auto& n : *list) out.push_back(NoticeJson(n));
        return http::Response::Json(200, json{{"early_notices", out}});
    });

    router.Add("POST", "/api/v1/cases/{id}/early-notices", [&s](http::Request& req) {
        if (!Context(req).principal) return http::ErrorResponse(401, "unauthenticated", "log in or send an API token");
        if (!CsrfValid(req)) return http::ErrorResponse(403, "permission_denied", "missing or wrong CSRF token", "X-CSRF-Token");
        auto id = CaseIdParam(req, s);
        if (!id.ok()) return ApiError(id.error(), req, s);
        auto body = http::ParseJsonBody(req);
        if (!body.ok()) return ApiError(body.error(), req, s);
        auto notice = [&]() -> core::Result<vuln::EarlyNoticeId> {
            http::JsonObjectReader r(*body);
            KZ_TRY(r.RejectUnknown({"sectors", "what", "reason"}));
            KZ_ASSIGN(auto sectors, r.StringArray("sectors", true, 10, 1, 20));
            KZ_ASSIGN(auto what_text, r.OptionalString("what", 1, 40));
            KZ_ASSIGN(auto what, vuln::ParseNoticeContent(what_text.value_or("information")));
            KZ_ASSIGN(std::string reason, r.RequireString("reason", 1, 4000));
            return s.early_notices.Request(*id, sectors, what, reason, CallerFor(req, s));
        }();
        if (!notice.ok()) return ApiError(notice.error(), req, s);
        return http::Response::Json(201, json{{"id", notice->value()}});
    });

    for (const char* action : {"approve", "refuse"}) {
        const bool approve = std::string_view(action) == "approve";
        router.Add("POST", std::string("/api/v1/cases/{id}/early-notices/{notice}/") + action, [&s, approve](http::Request& req) {
            if (!Context(req).principal) return http::ErrorResponse(401, "unauthenticated", "log in or send an API token");
            if (!CsrfValid(req))
                return http::ErrorResponse(403, "permission_denied", "missing or wrong CSRF token", "X-CSRF-Token");
            auto id = CaseIdParam(req, s);
            if (!id.ok()) return ApiError(id.error(), req, s);
            const vuln::Caller caller = CallerFor(req, s);
            const std::int64_t notice = std::atoll(std::string(req.Param("notice")).c_str());
            if (auto st = NoticeOfCase(s, *id, notice, caller); !st.ok()) return ApiError(st.error(), req, s);
            core::Status st;
            if (approve) {
                st = s.early_notices.Approve(vuln::EarlyNoticeId(notice), caller);
            } else {
                auto body = http::ParseJsonBody(req);
                if (!body.ok()) return ApiError(body.error(), req, s);
                auto reason = http::JsonObjectReader(*body).RequireString("reason", 1, 4000);
                if (!reason.ok()) return ApiError(reason.error(), req, s);
                st = s.early_notices.Refuse(vuln::EarlyNoticeId(notice), *reason, caller);
            }
            if (!st.ok()) return ApiError(st.error(), req, s);
            return http::Response::Json(200, json{{"ok", true}});
        });
    }
}

}  // namespace kizuna::web::detail
