// JSON API for international coordination (V18): /api/v1/cases/{id}/coordinators..., export, import.
// Staff only; the service answers NotFound to everyone else.
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "web/internal/handlers.hpp"

namespace kizuna::web::detail {
namespace {

using nlohmann::json;

json ConstraintJson(const vuln::PublicationConstraint& k) {
    return json{{"not_before", k.not_before}, {"not_after", k.not_after}, {"note", k.note}};
}

json ViewJson(const vuln::InternationalView& v) {
    json coordinators = json::array();
    for (const auto& k : v.coordinators)
        coordinators.push_back({{"id", k.id.value()},
                                {"name", k.name},
                                {"country", k.country},
                                {"contact_email", k.contact_email},
                                {"case_reference", k.case_reference},
                                {"note", k.note},
                                {"vendors", k.vendors},
                                {"constraint", ConstraintJson(k.constraint)},
                                {"added_at", k.added_at},
                                {"added_by", k.added_by},
                                {"key_fingerprint", k.key_fingerprint},
                                {"key_info", k.key_info}});
    const auto& w = v.window;
    return json{{"coordinators", coordinators},
                {"window",
                 {{"not_before", w.not_before},
                  {"not_before_by", w.not_before_by},
                  {"not_after", w.not_after},
                  {"not_after_by", w.not_after_by},
                  {"publish_at", w.publish_at},
                  {"proposed_at", w.proposed_at},
                  {"conflict", w.conflict},
                  {"conflicts", w.conflicts}}}};
}

// The body of a POST as an object ({} when empty).
core::Result<json> Body(http::Request& req) {
    if (req.body.empty()) return json::object();
    return http::ParseJsonBody(req);
}

}  // namespace

void AddInternationalRoutes(http::Router& router, SiteServices& s) {
    router.Add("GET", "/api/v1/cases/{id}/coordinators", [&s](http::Request& req) {
        auto id = CaseIdParam(req, s);
        if (!id.ok()) return ApiError(id.error(), req, s);
        auto v = s.international.View(*id, CallerFor(req, s));
        if (!v.ok()) return ApiError(v.error(), req, s);
        return http::Response::Json(200, ViewJson(*v));
    });

    // {"name","country","contact_email","case_reference","note","vendors":[..]}; 201 {"id"}.
    router.Add("POST", "/api/v1/cases/{id}/coordinators", [&s](http::Request& req) {
        if (auto bad = RequireApiWrite(req)) return *bad;
        auto id = CaseIdParam(req, s);
        if (!id.ok()) return ApiError(id.error(), req, s);
        const vuln::Caller caller = CallerFor(req, s);
        // Access before input: a caller that may not see the case learns nothing from a bad body.
        if (auto v = s.international.View(*id, caller); !v.ok()) return ApiError(v.error(), req, s);
        auto body = Body(req);
        if (!body.ok()) return ApiError(body.error(), req, s);
        const http::JsonObjectReader r(*body);
        auto result = [&]() -> core::Result<vuln::CoordinatorId> {
            KZ_TRY(r.RejectUnknown({"name", "country", "contact_email", "case_reference", "note", "vendors"}));
            vuln::NewCoordinator n;
            KZ_ASSIGN(n.name, r.RequireString("name", 1, 200));
            KZ_ASSIGN(auto country, r.OptionalString("country", 0, 100));
            KZ_ASSIGN(auto email, r.OptionalString("contact_email", 0, 254));
            KZ_ASSIGN(auto reference, r.OptionalString("case_reference", 0, 200));
            KZ_ASSIGN(auto note, r.OptionalString("note", 0, 4000));
            KZ_ASSIGN(n.vendors, r.StringArray("vendors", false, 100, 1, 200));
            n.country = country.value_or("");
            n.contact_email = email.value_or("");
            n.case_reference = reference.value_or("");
            n.note = note.value_or("");
            return s.international.AddCoordinator(*id, n, caller);
        }();
        if (!result.ok()) return ApiError(result.error(), req, s);
        return http::Response::Json(201, json{{"id", result->value()}});
    });

    // {"not_before","not_after","note"} (each optional; "" or null clears a bound); optional "vendors"
    // replaces the coordinator's vendor list.
    router.Add("POST", "/api/v1/cases/{id}/coordinators/{cid}/constraint", [&s](http::Request& req) {
        if (auto bad = RequireApiWrite(req)) return *bad;
        auto id = CaseIdParam(req, s);
        if (!id.ok()) return ApiError(id.error(), req, s);
        const vuln::Caller caller = CallerFor(req, s);
        if (auto v = s.international.View(*id, caller); !v.ok()) return ApiError(v.error(), req, s);
        const std::string cid_text(req.Param("cid"));
        char* end = nullptr;
        const long long cid = std::strtoll(cid_text.c_str(), &end, 10);
        if (cid_text.empty() || end == nullptr || *end != '\0' || cid <= 0)
            return http::ErrorResponse(404, "not_found", "no such coordinator in the case");
        auto body = Body(req);
        if (!body.ok()) return ApiError(body.error(), req, s);
        const http::JsonObjectReader r(*body);
        core::Status st = [&]() -> core::Status {
            KZ_TRY(r.RejectUnknown({"not_before", "not_after", "note", "vendors"}));
            KZ_ASSIGN(auto not_before, r.OptionalString("not_before", 0, 64));
            KZ_ASSIGN(auto not_after, r.OptionalString("not_after", 0, 64));
            KZ_ASSIGN(auto note, r.OptionalString("note", 0, 4000));
            vuln::PublicationConstraint k;
            k.not_before = not_before.value_or("");
            k.not_after = not_after.value_or("");
            k.note = note.value_or("");
            if (r.Has("vendors")) {
                KZ_ASSIGN(auto vendors, r.StringArray("vendors", true, 100, 1, 200));
                KZ_TRY(s.international.SetVendors(*id, vuln::CoordinatorId(cid), vendors, caller));
            }
            return s.international.SetConstraint(*id, vuln::CoordinatorId(cid), k, caller);
        }();
        if (!st.ok()) return ApiError(st.error(), req, s);
        return http::Response::Json(200, json{{"ok", true}});
    });

    // {"key": "<ASCII-armored public key>"}: registers or replaces the coordinator's key (staff).
    router.Add("PUT", "/api/v1/cases/{id}/coordinators/{cid}/key", [&s](http::Request& req) {
        if (auto bad = RequireApiWrite(req)) return *bad;
        auto id = CaseIdParam(req, s);
        if (!id.ok()) return ApiError(id.error(), req, s);
        const std::string cid_text(req.Param("cid"));
        char* end = nullptr;
        const long long cid = std::strtoll(cid_text.c_str(), &end, 10);
        if (cid_text.empty() || end == nullptr || *end != '\0' || cid <= 0)
            return ApiError(core::NotFound("no such coordinator in the case"), req, s);
        auto body = Body(req);
        if (!body.ok()) return ApiError(body.error(), req, s);
        const http::JsonObjectReader r(*body);
        core::Status st = [&]() -> core::Status {
            KZ_TRY(r.RejectUnknown({"key"}));
            KZ_ASSIGN(std::string key, r.RequireString("key", 1, 1024 * 1024));
            return s.international.SetKey(*id, vuln::CoordinatorId(cid), key, CallerFor(req, s));
        }();
        if (!st.ok()) return ApiError(st.error(), req, s);
        return http::Response::Json(200, json{{"ok", true}});
    });

    router.Add("GET", "/api/v1/cases/{id}/export", [&s](http::Request& req) {
        auto id = CaseIdParam(req, s);
        if (!id.ok()) return ApiError(id.error(), req, s);
        auto doc = s.international.Export(*id, CallerFor(req, s));
        if (!doc.ok()) return ApiError(doc.error(), req, s);
        auto parsed = json::parse(*doc, nullptr, false);
        return http::Response::Json(200, parsed);
    });

    // Body: the exchange document; 201 {"id","identifier"}.
    router.Add("POST", "/api/v1/cases/import", [&s](http::Request& req) {
        if (auto bad = RequireApiWrite(req)) return *bad;
        const vuln::Caller caller = CallerFor(req, s);
        if (!caller.staff()) return http::ErrorResponse(404, "not_found", "not found");
        auto body = http::ParseJsonBody(req);  // Content-Type, size and depth rules of the API
        if (!body.ok()) return ApiError(body.error(), req, s);
        auto receipt = s.international.Import(req.body, caller);
        if (!receipt.ok()) return ApiError(receipt.error(), req, s);
        return http::Response::Json(201, json{{"id", receipt->id.value()}, {"identifier", receipt->identifier}});
    });
}

}  // namespace kizuna::web::detail
