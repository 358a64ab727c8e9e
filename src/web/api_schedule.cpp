// JSON API for the publication schedule: /api/v1/cases/{id}/schedule..., leaks, unreachable vendors.
#include <nlohmann/json.hpp>

#include "sched/sched.hpp"
#include "web/internal/handlers.hpp"

namespace kizuna::web::detail {
namespace {

using nlohmann::json;

core::Result<core::WallTime> Instant(const http::JsonObjectReader& r, std::string_view field) {
    KZ_ASSIGN(std::string text, r.RequireString(field, 1, 40));
    auto at = core::ParseRfc3339(text);
    if (!at) return core::InvalidArgument("must be an RFC 3339 date-time such as 2026-05-16T10:00:00+09:00",
                                          std::string(field));
    return *at;
}

std::string_view AnswerName(vuln::DateAnswer a) {
    return a == vuln::DateAnswer::kAccepted ? "accepted" : a == vuln::DateAnswer::kChangeRequested ? "change_requested" : "none";
}

template <typename Fn>
http::Response Mutating(http::Request& req, SiteServices& s, Fn&& fn) {
    if (auto bad = RequireApiWrite(req)) return *bad;
    auto id = CaseIdParam(req, s);
    if (!id.ok()) return ApiError(id.error(), req, s);
    json body = json::object();
    if (!req.body.empty()) {
        auto parsed = http::ParseJsonBody(req);
        if (!parsed.ok()) return ApiError(parsed.error(), req, s);
        body = std::move(*parsed);
    }
    core::Status st = fn(*id, CallerFor(req, s), http::JsonObjectReader(body));
    if (!st.ok()) return ApiError(st.error(), req, s);
    s.scheduler.Wake();
    return http::Response::Json(200, json{{"ok", true}});
}

}  // namespace

void AddScheduleApi(http::Router& router, SiteServices& s) {
    router.Add("GET", "/api/v1/cases/{id}/schedule", [&s](http::Request& req) {
        auto id = CaseIdParam(req, s);
        if (!id.ok()) return ApiError(id.error(), req, s);
        auto v = s.schedule.View(*id, CallerFor(req, s));
        if (!v.ok()) return ApiError(v.error(), req, s);
        json vendors = json::array();
        json agreed = json::array(), not_agreed = json::array();
        for (const auto& vd : v->vendors) {
            vendors.push_back({{"vendor_id", vd.vendor.value()}, {"name", vd.name}, {"level", vuln::Name(vd.level)},
                               {"status", vuln::Name(vd.status)}, {"date_answer", AnswerName(vd.answer)},
                               {"date_answer_for", vd.answer_for}, {"agreed_to_current", vd.agreed_current},
                               {"unreachable", vd.unreachable}, {"unreachable_since", vd.unreachable_since}});
            // Who has and has not agreed to the current date (vendors told about the case).
            if (vd.level != vuln::Level::kNone && !vd.unreachable)
                (vd.agreed_current ? agreed : not_agreed).push_back(vd.vendor.value());
        }
        json requests = json::array();
        for (const auto& r : v->change_requests)
            requests.push_back({{"id", r.id}, {"vendor_id", r.vendor.value()}, {"vendor", r.vendor_name},
                                {"publish_at", r.requested_at}, {"reason", r.reason}, {"state", r.state}});
        http::Response out = http::Response::Json(200, json{{"handling_started_at", v->handling_started_at},
                                              {"default_target", v->default_target},
                                              {"proposed_at", v->proposed_at},
                                              {"proposal_reason", v->proposal_reason},
                                              {"publish_at", v->publish_at},
                                              {"publish_reason", v->publish_reason},
                                              {"published", v->published},
                                              {"published_at", v->published_at},
                                              {"leak_risk", v->leak_risk},
                                              {"current_date", v->current_date},
                                              {"agreement", {{"date", v->current_date},
                                                             {"agreed", agreed},
                                                             {"not_agreed", not_agreed}}},
                                              {"vendors", vendors},
                                              {"change_requests", requests}});
        out.SetHeader("Cache-Control", "no-store");  // the date is confidential until publication
        return out;
    });

    router.Add("POST", "/api/v1/cases/{id}/schedule/proposal", [&s](http::Request& req) {
        return Mutating(req, s, [&](vuln::CaseId id, const vuln::Caller& caller, http::JsonObjectReader r) -> core::Status {
            KZ_ASSIGN(core::WallTime at, Instant(r, "publish_at"));
            KZ_ASSIGN(auto reason, r.OptionalString("reason", 0, 2000));
            return s.schedule.Propose(id, at, reason.value_or(""), caller);
        });
    });
    router.Add("POST", "/api/v1/cases/{id}/schedule/decision", [&s](http::Request& req) {
        return Mutating(req, s, [&](vuln::CaseId id, const vuln::Caller& caller, http::JsonObjectReader r) -> core::Status {
            KZ_ASSIGN(core::WallTime at, Instant(r, "publish_at"));
            KZ_ASSIGN(auto reason, r.OptionalString("reason", 0, 2000));
            return s.schedule.Decide(id, at, reason.value_or(""), caller);
        });
    });
    router.Add("POST", "/api/v1/cases/{id}/schedule/accept", [&s](http::Request& req) {
        return Mutating(req, s, [&](vuln::CaseId id, const vuln::Caller& caller, http::JsonObjectReader) {
            return s.schedule.Accept(id, caller);
        });
    });
    router.Add("POST", "/api/v1/cases/{id}/schedule/change-requests", [&s](http::Request& req) {
        std::int64_t created = 0;
        http::Response r = Mutating(req, s, [&](vuln::CaseId id, const vuln::Caller& caller,
                                                http::JsonObjectReader body) -> core::Status {
            KZ_ASSIGN(core::WallTime at, Instant(body, "publish_at"));
            KZ_ASSIGN(std::string reason, body.RequireString("reason", 1, 2000));
            KZ_ASSIGN(created, s.schedule.RequestChange(id, at, reason, caller));
            return core::Ok();
        });
        if (r.status != 200) return r;
        return http::Response::Json(200, json{{"ok", true}, {"id", created}});
    });
    router.Add("POST", "/api/v1/cases/{id}/schedule/change-requests/{request}/decision", [&s](http::Request& req) {
        const long long request = std::atoll(std::string(req.Param("request")).c_str());
        return Mutating(req, s, [&](vuln::CaseId id, const vuln::Caller& caller, http::JsonObjectReader r) -> core::Status {
            KZ_ASSIGN(bool grant, r.RequireBool("grant"));
            return s.schedule.DecideChange(id, request, grant, caller);
        });
    });
    router.Add("POST", "/api/v1/cases/{id}/leak", [&s](http::Request& req) {
        return Mutating(req, s, [&](vuln::CaseId id, const vuln::Caller& caller, http::JsonObjectReader r) -> core::Status {
            KZ_ASSIGN(std::string reason, r.RequireString("reason", 1, 2000));
            std::optional<core::WallTime> at;
            if (r.Has("publish_at")) {
                KZ_ASSIGN(at, Instant(r, "publish_at"));
            }
            return s.schedule.ReportLeak(id, reason, at, caller);
        });
    });
    router.Add("POST", "/api/v1/cases/{id}/leak-risk", [&s](http::Request& req) {
        return Mutating(req, s, [&](vuln::CaseId id, const vuln::Caller& caller, http::JsonObjectReader r) -> core::Status {
            KZ_ASSIGN(std::string level, r.RequireString("level", 1, 10));
            if (level != "high" && level != "normal") return core::InvalidArgument("must be normal or high", "level");
            return s.schedule.SetLeakRisk(id, level == "high", caller);
        });
    });
    router.Add("GET", "/api/v1/cases/{id}/unreachable", [&s](http::Request& req) {
        auto id = CaseIdParam(req, s);
        if (!id.ok()) return ApiError(id.error(), req, s);
        auto list = s.schedule.UnreachableCandidates(*id, CallerFor(req, s));
        if (!list.ok()) return ApiError(list.error(), req, s);
        json out = json::array();
        for (const auto& c : *list)
            out.push_back({{"vendor_id", c.vendor.value()}, {"name", c.name}, {"first_attempt", c.first_attempt},
                           {"attempts", c.attempts}});
        return http::Response::Json(200, json{{"candidates", out}});
    });
    router.Add("POST", "/api/v1/cases/{id}/vendors/{vendor}/unreachable", [&s](http::Request& req) {
        const long long vendor = std::atoll(std::string(req.Param("vendor")).c_str());
        return Mutating(req, s, [&](vuln::CaseId id, const vuln::Caller& caller, http::JsonObjectReader) {
            return s.schedule.DeclareUnreachable(id, vuln::VendorId(vendor), caller);
        });
    });
}

}  // namespace kizuna::web::detail
