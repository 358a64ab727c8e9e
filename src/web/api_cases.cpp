// JSON API for cases: /api/v1/cases/... (docs/API.md). Handlers parse and render; vuln::CaseService
// decides, including who may see what.
#include <nlohmann/json.hpp>

#include "web/internal/handlers.hpp"

namespace kizuna::web::detail {
namespace {

using nlohmann::json;

json VendorRowJson(const vuln::CaseVendor& v) {
    return {{"vendor_id", v.vendor.value()},
            {"name", v.name},
            {"registration_kind", vuln::Name(v.kind)},
            {"registration_state", vuln::Name(v.registration)},
            {"level", vuln::Name(v.level)},
            {"answer", vuln::Name(v.answer)},
            {"status", vuln::Name(v.status)},
            {"status_label_ja", vuln::JapaneseLabel(v.status)},
            {"status_text", v.status_text},
            {"status_urls", v.status_urls},
            {"status_at", v.status_at},
            {"summary_sent_at", v.summary_sent_at},
            {"details_sent_at", v.details_sent_at},
            {"suggested_by", v.suggested_by},
            {"can_encrypt", v.can_encrypt}};
}

json CaseJson(const vuln::CaseView& v) {
    json out{{"id", v.id.value()},
             {"identifier", v.identifier},
             {"title", v.title},
             {"summary", v.summary},
             {"source", vuln::Name(v.source)},
             {"state", vuln::Name(v.state)},
             {"verification", vuln::Name(v.verification)},
             {"created_at", v.created_at},
             {"your_level", vuln::Name(v.caller_level)}};
    if (v.details) out["details"] = *v.details;
    if (!v.receipt_id.empty()) out["receipt_id"] = v.receipt_id;
    if (!v.verification_note.empty()) out["verification_note"] = v.verification_note;
    if (!v.reporter_name.empty() || !v.reporter_email.empty())
        out["reporter"] = {{"name", v.reporter_name}, {"email", v.reporter_email}};
    json terms = json::array();
    for (const auto& t : v.terms) terms.push_back({{"kind", t.kind}, {"value", t.value}, {"version", t.version}});
    out["terms"] = terms;
    json vendors = json::array();
    for (const auto& cv : v.vendors) vendors.push_back(VendorRowJson(cv));
    out["vendors"] = vendors;
    json atts = json::array();
    for (const auto& a : v.attachments)
        atts.push_back({{"id", a.id}, {"name", a.name}, {"kind", vuln::Name(a.kind)}, {"media_type", a.media_type},
                        {"size", a.size}, {"sha256", a.sha256}});
    out["attachments"] = atts;
    return out;
}

core::Result<vuln::NewCase> ParseNewCase(const json& body, bool staff) {
    http::JsonObjectReader r(body);
    KZ_TRY(r.RejectUnknown({"title", "summary", "details", "source", "reporter_name", "reporter_email", "keywords",
                            "components", "products", "reporter_lang"}));
    vuln::NewCase n;
    KZ_ASSIGN(n.title, r.RequireString("title", 1, 300));
    KZ_ASSIGN(auto summary, r.OptionalString("summary", 0, 20000));
    n.summary = summary.value_or("");
    KZ_ASSIGN(n.details, r.RequireString("details", 1, 200000));
    KZ_ASSIGN(auto source, r.OptionalString("source", 1, 20));
    if (source) {
        KZ_ASSIGN(n.source, vuln::ParseSource(*source));
    } else {
        n.source = staff ? vuln::Source::kDomestic : vuln::Source::kFinder;
    }
    KZ_ASSIGN(auto rn, r.OptionalString("reporter_name", 0, 200));
    n.reporter_name = rn.value_or("");
    KZ_ASSIGN(auto re, r.OptionalString("reporter_email", 0, 254));
    n.reporter_email = re.value_or("");
    KZ_ASSIGN(auto reporter_lang, r.OptionalString("reporter_lang", 0, 10));
    if (reporter_lang) {
        KZ_ASSIGN(n.reporter_lang, vuln::ParseMailLang(*reporter_lang, "reporter_lang"));
    }
    KZ_ASSIGN(n.keywords, r.StringArray("keywords", false, 100, 1, 100));
    KZ_ASSIGN(n.products, r.StringArray("products", false, 100, 1, 200));
    if (r.Has("components")) {
        const json& comps = body.at("components");
        if (!comps.is_array()) return core::InvalidArgument("must be an array of {name, version}", "components");
        if (comps.size() > 100) return core::InvalidArgument("at most 100 items", "components");
        for (std::size_t i = 0; i < comps.size(); ++i) {
            const std::string field = "components[" + std::to_string(i) + "]";
            if (!comps[i].is_object()) return core::InvalidArgument("must be an object", field);
            http::JsonObjectReader cr(comps[i], field);
            KZ_TRY(cr.RejectUnknown({"name", "version"}));
            vuln::CaseComponent c;
            KZ_ASSIGN(c.name, cr.RequireString("name", 1, 200));
            KZ_ASSIGN(auto ver, cr.OptionalString("version", 0, 100));
            c.version = ver.value_or("");
            n.components.push_back(std::move(c));
        }
    }
    return n;
}

core::Result<vuln::VendorId> VendorParam(http::Request& req) {
    const std::string text(req.Param("vendor"));
    char* end = nullptr;
    const long long v = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || v <= 0) return core::InvalidArgument("must be a vendor id", "vendor");
    return vuln::VendorId(v);
}

// Runs `fn` with the case id and the caller, mapping errors to responses. Nothing about an embargoed case
// may stay in a shared or browser cache: every answer is no-store.
template <typename Fn>
http::Response WithCase(http::Request& req, SiteServices& s, Fn&& fn) {
    auto id = CaseIdParam(req, s);
    if (!id.ok()) return ApiError(id.error(), req, s);
    http::Response r = fn(*id, CallerFor(req, s));
    r.SetHeader("Cache-Control", "no-store");
    return r;
}

http::Response Done(const core::Status& st, http::Request& req, SiteServices& s) {
    if (!st.ok()) return ApiError(st.error(), req, s);
    return http::Response::Json(200, json{{"ok", true}});
}

}  // namespace

vuln::Caller CallerFor(http::Request& req, SiteServices& s) {
    RequestContext& ctx = Context(req);
    vuln::Caller caller{ctx.who(), std::nullopt};
    if (ctx.principal && ctx.principal->role == auth::Role::kVendor) {
        auto vendor = s.vendors.VendorOf(ctx.principal->id);
        if (vendor.ok()) caller.vendor = *vendor;
    }
    return caller;
}

core::Result<vuln::CaseId> CaseIdParam(http::Request& req, SiteServices& s) {
    const std::string text(req.Param("id"));
    char* end = nullptr;
    const long long v = std::strtoll(text.c_str(), &end, 10);
    if (!text.empty() && *end == '\0' && v > 0) return vuln::CaseId(v);
    if (text.empty() || text.size() > 64) return core::NotFound("no such case");
    return s.cases.FindByIdentifier(text, CallerFor(req, s));
}

void AddCaseApi(http::Router& router, SiteServices& s) {
    router.Add("GET", "/api/v1/cases", [&s](http::Request& req) {
        vuln::CaseFilter filter;
        if (auto st = req.Query("state")) {
            auto parsed = vuln::ParseCaseState(*st);
            if (!parsed.ok()) return ApiError(parsed.error(), req, s);
            filter.state = *parsed;
        }
        if (auto src = req.Query("source")) {
            auto parsed = vuln::ParseSource(*src);
            if (!parsed.ok()) return ApiError(parsed.error(), req, s);
            filter.source = *parsed;
        }
        filter.text = req.Query("q").value_or("");
        auto list = s.cases.List(CallerFor(req, s), filter);
        if (!list.ok()) return ApiError(list.error(), req, s);
        json cases = json::array();
        for (const auto& c : *list)
            cases.push_back({{"id", c.id.value()},
                             {"identifier", c.identifier},
                             {"title", c.title},
                             {"source", vuln::Name(c.source)},
                             {"state", vuln::Name(c.state)},
                             {"verification", vuln::Name(c.verification)},
                             {"created_at", c.created_at},
                             {"vendor_count", c.vendor_count},
                             {"your_level", vuln::Name(c.caller_level)},
                             {"your_status", vuln::Name(c.caller_status)}});
        return http::Response::Json(200, json{{"cases", cases}});
    });

    router.Add("POST", "/api/v1/cases", [&s](http::Request& req) {
        if (auto bad = RequireApiWrite(req)) return *bad;
        auto body = http::ParseJsonBody(req);
        if (!body.ok()) return ApiError(body.error(), req, s);
        const vuln::Caller caller = CallerFor(req, s);
        auto parsed = ParseNewCase(*body, caller.staff());
        if (!parsed.ok()) return ApiError(parsed.error(), req, s);
        auto receipt = s.cases.Submit(*parsed, caller);
        if (!receipt.ok()) return ApiError(receipt.error(), req, s);
        http::Response r = http::Response::Json(201, json{{"id", receipt->id.value()},
                                                         {"identifier", receipt->identifier},
                                                         {"receipt_id", receipt->receipt_id}});
        r.SetHeader("Location", "/api/v1/cases/" + std::to_string(receipt->id.value()));
        return r;
    });

    router.Add("GET", "/api/v1/cases/{id}", [&s](http::Request& req) {
        return WithCase(req, s, [&](vuln::CaseId id, const vuln::Caller& caller) {
            auto view = s.cases.Get(id, caller);
            if (!view.ok()) return ApiError(view.error(), req, s);
            return http::Response::Json(200, CaseJson(*view));
        });
    });

    router.Add("POST", "/api/v1/cases/{id}/verification", [&s](http::Request& req) {
        if (auto bad = RequireApiWrite(req)) return *bad;
        return WithCase(req, s, [&](vuln::CaseId id, const vuln::Caller& caller) {
            auto body = http::ParseJsonBody(req);
            if (!body.ok()) return ApiError(body.error(), req, s);
            http::JsonObjectReader r(*body);
            auto result = r.RequireString("result", 1, 40);
            if (!result.ok()) return ApiError(result.error(), req, s);
            auto v = vuln::ParseVerification(*result, "result");
            if (!v.ok()) return ApiError(v.error(), req, s);
            auto note = r.OptionalString("note", 0, 5000);
            if (!note.ok()) return ApiError(note.error(), req, s);
            return Done(s.cases.Verify(id, *v, note->value_or(""), caller), req, s);
        });
    });

    router.Add("GET", "/api/v1/cases/{id}/suggestions", [&s](http::Request& req) {
        return WithCase(req, s, [&](vuln::CaseId id, const vuln::Caller& caller) {
            auto list = s.cases.SuggestVendors(id, caller);
            if (!list.ok()) return ApiError(list.error(), req, s);
            json out = json::array();
            for (const auto& sv : *list) {
                json reasons = json::array();
                for (const auto& why : sv.candidate.reasons)
                    reasons.push_back({{"kind", why.kind == vuln::MatchKind::kKeyword     ? "keyword"
                                                : why.kind == vuln::MatchKind::kComponent ? "component"
                                                                                          : "product"},
                                       {"term", why.term},
                                       {"product", why.product},
                                       {"version", why.version},
                                       {"version_matched", why.version_matched}});
                out.push_back({{"vendor_id", sv.candidate.vendor_id},
                               {"name", sv.name},
                               {"score", sv.candidate.score},
                               {"registration_kind", vuln::Name(sv.kind)},
                               {"registration_state", vuln::Name(sv.registration)},
                               {"in_case", sv.already_in_case},
                               {"reasons", reasons}});
            }
            return http::Response::Json(200, json{{"suggestions", out}});
        });
    });

    router.Add("POST", "/api/v1/cases/{id}/vendors", [&s](http::Request& req) {
        if (auto bad = RequireApiWrite(req)) return *bad;
        return WithCase(req, s, [&](vuln::CaseId id, const vuln::Caller& caller) {
            auto body = http::ParseJsonBody(req);
            if (!body.ok()) return ApiError(body.error(), req, s);
            http::JsonObjectReader r(*body);
            if (auto st = r.RejectUnknown({"vendor_id", "suggested_by"}); !st.ok()) return ApiError(st.error(), req, s);
            auto vendor = r.RequireInt("vendor_id", 1, INT64_MAX);
            if (!vendor.ok()) return ApiError(vendor.error(), req, s);
            auto by = r.OptionalInt("suggested_by", 1, INT64_MAX);
            if (!by.ok()) return ApiError(by.error(), req, s);
            std::optional<vuln::VendorId> suggested;
            if (*by) suggested = vuln::VendorId(**by);
            return Done(s.cases.AddVendor(id, vuln::VendorId(*vendor), caller, suggested), req, s);
        });
    });

    router.Add("POST", "/api/v1/cases/{id}/vendors/{vendor}/summary", [&s](http::Request& req) {
        if (auto bad = RequireApiWrite(req)) return *bad;
        return WithCase(req, s, [&](vuln::CaseId id, const vuln::Caller& caller) {
            auto vendor = VendorParam(req);
            if (!vendor.ok()) return ApiError(vendor.error(), req, s);
            return Done(s.cases.SendSummary(id, *vendor, caller), req, s);
        });
    });

    router.Add("POST", "/api/v1/cases/{id}/vendors/{vendor}/details", [&s](http::Request& req) {
        if (auto bad = RequireApiWrite(req)) return *bad;
        return WithCase(req, s, [&](vuln::CaseId id, const vuln::Caller& caller) {
            auto vendor = VendorParam(req);
            if (!vendor.ok()) return ApiError(vendor.error(), req, s);
            bool obvious = false;
            if (!req.body.empty()) {
                auto body = http::ParseJsonBody(req);
                if (!body.ok()) return ApiError(body.error(), req, s);
                auto o = http::JsonObjectReader(*body).OptionalBool("obvious_vendor", false);
                if (!o.ok()) return ApiError(o.error(), req, s);
                obvious = *o;
            }
            return Done(s.cases.DiscloseDetails(id, *vendor, obvious, caller), req, s);
        });
    });

    for (const char* what : {"registration-request", "contact-attempts"}) {
        const bool registration = std::string_view(what) == "registration-request";
        router.Add("POST", std::string("/api/v1/cases/{id}/vendors/{vendor}/") + what, [&s, registration](http::Request& req) {
            if (auto bad = RequireApiWrite(req)) return *bad;
            return WithCase(req, s, [&](vuln::CaseId id, const vuln::Caller& caller) {
                auto vendor = VendorParam(req);
                if (!vendor.ok()) return ApiError(vendor.error(), req, s);
                auto body = http::ParseJsonBody(req);
                if (!body.ok()) return ApiError(body.error(), req, s);
                http::JsonObjectReader r(*body);
                auto channel_text = r.RequireString("channel", 1, 40);
                if (!channel_text.ok()) return ApiError(channel_text.error(), req, s);
                auto channel = vuln::ParseChannel(*channel_text);
                if (!channel.ok()) return ApiError(channel.error(), req, s);
                auto address = r.RequireString("address", 1, 500);
                if (!address.ok()) return ApiError(address.error(), req, s);
                auto note = r.OptionalString("note", 0, 2000);
                if (!note.ok()) return ApiError(note.error(), req, s);
                if (registration) return Done(s.cases.RequestRegistration(id, *vendor, *channel, *address, caller), req, s);
                return Done(s.cases.LogContactAttempt(id, *vendor, *channel, *address, note->value_or(""), caller), req, s);
            });
        });
    }

    router.Add("POST", "/api/v1/cases/{id}/answer", [&s](http::Request& req) {
        if (auto bad = RequireApiWrite(req)) return *bad;
        return WithCase(req, s, [&](vuln::CaseId id, const vuln::Caller& caller) {
            auto body = http::ParseJsonBody(req);
            if (!body.ok()) return ApiError(body.error(), req, s);
            auto text = http::JsonObjectReader(*body).RequireString("answer", 1, 40);
            if (!text.ok()) return ApiError(text.error(), req, s);
            auto answer = vuln::ParseAnswer(*text);
            if (!answer.ok()) return ApiError(answer.error(), req, s);
            return Done(s.cases.AnswerSummary(id, *answer, caller), req, s);
        });
    });

    router.Add("POST", "/api/v1/cases/{id}/status", [&s](http::Request& req) {
        if (auto bad = RequireApiWrite(req)) return *bad;
        return WithCase(req, s, [&](vuln::CaseId id, const vuln::Caller& caller) {
            auto body = http::ParseJsonBody(req);
            if (!body.ok()) return ApiError(body.error(), req, s);
            auto parsed = [&]() -> core::Result<std::pair<vuln::StatusReport, std::optional<vuln::VendorId>>> {
                http::JsonObjectReader r(*body);
                KZ_TRY(r.RejectUnknown({"status", "public_text", "urls", "affected_products", "plan", "schedule",
                                        "vendor_id"}));
                vuln::StatusReport rep;
                KZ_ASSIGN(std::string status, r.RequireString("status", 1, 40));
                KZ_ASSIGN(rep.status, vuln::ParseVendorStatus(status));
                KZ_ASSIGN(auto text, r.OptionalString("public_text", 0, 5000));
                rep.public_text = text.value_or("");
                KZ_ASSIGN(rep.urls, r.StringArray("urls", false, 20, 1, 2000));
                KZ_ASSIGN(auto ap, r.OptionalString("affected_products", 0, 5000));
                rep.affected_products = ap.value_or("");
                KZ_ASSIGN(auto plan, r.OptionalString("plan", 0, 5000));
                rep.plan = plan.value_or("");
                KZ_ASSIGN(auto schedule, r.OptionalString("schedule", 0, 5000));
                rep.schedule = schedule.value_or("");
                KZ_ASSIGN(auto vendor, r.OptionalInt("vendor_id", 1, INT64_MAX));
                std::optional<vuln::VendorId> on_behalf;
                if (vendor) on_behalf = vuln::VendorId(*vendor);
                return std::make_pair(rep, on_behalf);
            }();
            if (!parsed.ok()) return ApiError(parsed.error(), req, s);
            return Done(s.cases.ReportStatus(id, parsed->first, caller, parsed->second), req, s);
        });
    });

    router.Add("GET", "/api/v1/cases/{id}/countermeasures", [&s](http::Request& req) {
        return WithCase(req, s, [&](vuln::CaseId id, const vuln::Caller& caller) {
            auto list = s.cases.Countermeasures(id, caller);
            if (!list.ok()) return ApiError(list.error(), req, s);
            json out = json::array();
            for (const auto& m : *list)
                out.push_back({{"vendor", m.vendor}, {"product", m.measure.product}, {"workaround", m.measure.workaround},
                               {"fix", m.measure.fix}, {"fixed_version", m.measure.fixed_version}, {"at", m.at}});
            return http::Response::Json(200, json{{"countermeasures", out}});
        });
    });

    router.Add("POST", "/api/v1/cases/{id}/countermeasures", [&s](http::Request& req) {
        if (auto bad = RequireApiWrite(req)) return *bad;
        return WithCase(req, s, [&](vuln::CaseId id, const vuln::Caller& caller) {
            auto body = http::ParseJsonBody(req);
            if (!body.ok()) return ApiError(body.error(), req, s);
            auto parsed = [&]() -> core::Result<std::pair<vuln::Countermeasure, std::optional<vuln::VendorId>>> {
                http::JsonObjectReader r(*body);
                KZ_TRY(r.RejectUnknown({"product", "workaround", "fix", "fixed_version", "vendor_id"}));
                vuln::Countermeasure m;
                KZ_ASSIGN(m.product, r.RequireString("product", 1, 200));
                KZ_ASSIGN(auto w, r.OptionalString("workaround", 0, 5000));
                m.workaround = w.value_or("");
                KZ_ASSIGN(auto f, r.OptionalString("fix", 0, 5000));
                m.fix = f.value_or("");
                KZ_ASSIGN(auto fv, r.OptionalString("fixed_version", 0, 100));
                m.fixed_version = fv.value_or("");
                KZ_ASSIGN(auto vendor, r.OptionalInt("vendor_id", 1, INT64_MAX));
                std::optional<vuln::VendorId> on_behalf;
                if (vendor) on_behalf = vuln::VendorId(*vendor);
                return std::make_pair(m, on_behalf);
            }();
            if (!parsed.ok()) return ApiError(parsed.error(), req, s);
            return Done(s.cases.AddCountermeasure(id, parsed->first, caller, parsed->second), req, s);
        });
    });

    router.Add("POST", "/api/v1/cases/{id}/suggest-vendor", [&s](http::Request& req) {
        if (auto bad = RequireApiWrite(req)) return *bad;
        return WithCase(req, s, [&](vuln::CaseId id, const vuln::Caller& caller) {
            auto body = http::ParseJsonBody(req);
            if (!body.ok()) return ApiError(body.error(), req, s);
            http::JsonObjectReader r(*body);
            auto vendor = r.RequireString("vendor", 1, 200);
            if (!vendor.ok()) return ApiError(vendor.error(), req, s);
            auto note = r.OptionalString("note", 0, 5000);
            if (!note.ok()) return ApiError(note.error(), req, s);
            return Done(s.cases.SuggestVendor(id, *vendor, note->value_or(""), caller), req, s);
        });
    });

    router.Add("GET", "/api/v1/cases/{id}/messages", [&s](http::Request& req) {
        return WithCase(req, s, [&](vuln::CaseId id, const vuln::Caller& caller) {
            auto thread = req.Query("thread");
            if (!thread) return http::ErrorResponse(400, "invalid_argument", "give ?thread=vendor:<id> or reporter", "thread");
            auto list = s.cases.Messages(id, *thread, caller);
            if (!list.ok()) return ApiError(list.error(), req, s);
            json out = json::array();
            for (const auto& m : *list)
                out.push_back({{"id", m.id}, {"thread", m.thread}, {"author", m.author}, {"author_role", m.author_role},
                               {"body", m.body}, {"at", m.at}});
            return http::Response::Json(200, json{{"messages", out}});
        });
    });

    router.Add("POST", "/api/v1/cases/{id}/messages", [&s](http::Request& req) {
        if (auto bad = RequireApiWrite(req)) return *bad;
        return WithCase(req, s, [&](vuln::CaseId id, const vuln::Caller& caller) {
            auto body = http::ParseJsonBody(req);
            if (!body.ok()) return ApiError(body.error(), req, s);
            http::JsonObjectReader r(*body);
            auto thread = r.RequireString("thread", 1, 40);
            if (!thread.ok()) return ApiError(thread.error(), req, s);
            auto text = r.RequireString("body", 1, 50000);
            if (!text.ok()) return ApiError(text.error(), req, s);
            auto msg = s.cases.PostMessage(id, *thread, *text, caller);
            if (!msg.ok()) return ApiError(msg.error(), req, s);
            return http::Response::Json(201, json{{"id", *msg}});
        });
    });

    router.Add("GET", "/api/v1/cases/{id}/timeline", [&s](http::Request& req) {
        return WithCase(req, s, [&](vuln::CaseId id, const vuln::Caller& caller) {
            auto list = s.cases.Timeline(id, caller);
            if (!list.ok()) return ApiError(list.error(), req, s);
            json out = json::array();
            for (const auto& e : *list) out.push_back({{"at", e.at}, {"actor", e.actor}, {"kind", e.kind}, {"text", e.text}});
            return http::Response::Json(200, json{{"events", out}});
        });
    });

    router.Add("GET", "/api/v1/cases/{id}/mail", [&s](http::Request& req) {
        return WithCase(req, s, [&](vuln::CaseId id, const vuln::Caller& caller) {
            auto list = s.cases.MailQueue(id, caller);
            if (!list.ok()) return ApiError(list.error(), req, s);
            json out = json::array();
            for (const auto& m : *list)
                out.push_back({{"id", m.id}, {"to", m.to}, {"subject", m.subject}, {"encrypt_to", m.encrypt_to},
                               {"state", m.state}});
            return http::Response::Json(200, json{{"mail", out}});
        });
    });

    // Attachments: the raw body is the file; ?name=&kind= describe it.
    router.Add("POST", "/api/v1/cases/{id}/attachments", [&s](http::Request& req) {
        if (auto bad = RequireApiWrite(req)) return *bad;
        return WithCase(req, s, [&](vuln::CaseId id, const vuln::Caller& caller) {
            auto kind = vuln::ParseAttachmentKind(req.Query("kind").value_or("detail"));
            if (!kind.ok()) return ApiError(kind.error(), req, s);
            auto att = s.cases.AddAttachment(id, req.Query("name").value_or(""), *kind, req.Header("Content-Type"),
                                             req.body, caller);
            if (!att.ok()) return ApiError(att.error(), req, s);
            return http::Response::Json(201, json{{"id", *att}});
        });
    });

    router.Add("GET", "/api/v1/cases/{id}/attachments/{attachment}", [&s](http::Request& req) {
        return WithCase(req, s, [&](vuln::CaseId id, const vuln::Caller& caller) {
            const long long att = std::atoll(std::string(req.Param("attachment")).c_str());
            auto file = s.cases.DownloadAttachment(id, att, caller);
            if (!file.ok()) return ApiError(file.error(), req, s);
            http::Response r(200);
            r.body = std::move(file->content);
            r.SetHeader("Content-Type", "application/octet-stream");  // never rendered inline
            r.SetHeader("Content-Disposition", "attachment; filename=\"attachment-" + std::to_string(att) + "\"");
            r.SetHeader("X-Content-SHA256", file->info.sha256);
            r.SetHeader("Cache-Control", "no-store");
            return r;
        });
    });
}

}  // namespace kizuna::web::detail
