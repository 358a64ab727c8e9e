// JSON API for advisories (docs/API.md): the coordinator's GET/PUT /api/v1/cases/{id}/advisory and the
// public list/search GET /api/v1/advisories. vuln::AdvisoryService decides who may see and change what.
#include <nlohmann/json.hpp>

#include "web/internal/handlers.hpp"

namespace kizuna::web::detail {
namespace {

using nlohmann::json;

json LocalizedJson(const formats::Localized& t) { return {{"ja", t.ja}, {"en", t.en}}; }

json RecordJson(const vuln::AdvisoryRecord& rec, const std::vector<vuln::AdvisoryRevisionInfo>& revisions) {
    json scores = json::object();
    if (rec.doc.analysis.cvss_v31)
        scores["cvss_v31"] = {{"vector", rec.doc.analysis.cvss_v31->vector},
                              {"base_score", rec.doc.analysis.cvss_v31->base_score},
                              {"severity", rec.doc.analysis.cvss_v31->severity}};
    if (rec.doc.analysis.cvss_v40)
        scores["cvss_v40"] = {{"vector", rec.doc.analysis.cvss_v40->vector},
                              {"score", rec.doc.analysis.cvss_v40->score},
                              {"severity", rec.doc.analysis.cvss_v40->severity}};
    json revs = json::array();
    for (const auto& r : revisions)
        revs.push_back({{"revision", r.revision}, {"at", r.at}, {"actor", r.actor}, {"note", r.note},
                        {"after_publication", r.after_publication}});
    json vendors = json::array();
    for (const auto& v : rec.doc.vendors)
        vendors.push_back({{"vendor_key", v.vendor_key}, {"name", LocalizedJson(v.name)}, {"unreachable", v.unreachable},
                           {"announcement_url", v.announcement_url}});
    return {{"advisory_id", rec.doc.id},
            {"slug", rec.slug},
            {"url", "/advisories/" + rec.slug},
            {"case_id", rec.case_id.value()},
            {"revision", rec.revision},
            {"published", rec.doc.published},
            {"first_published", rec.doc.published ? core::FormatRfc3339(rec.doc.first_published) : ""},
            {"publish_at", rec.publish_at},
            {"content", json::parse(vuln::AdvisoryContentJson(rec.content))},
            {"scores", scores},
            {"vendors", vendors},
            {"revisions", revs}};
}

}  // namespace

void AddAdvisoryApi(http::Router& router, SiteServices& s) {
    router.Add("GET", "/api/v1/cases/{id}/advisory", [&s](http::Request& req) {
        auto id = CaseIdParam(req, s);
        if (!id.ok()) return ApiError(id.error(), req, s);
        const vuln::Caller caller = CallerFor(req, s);
        auto rec = s.advisories.ForCase(*id, caller);
        if (!rec.ok()) return ApiError(rec.error(), req, s);
        if (!*rec) return ApiError(core::NotFound("no advisory written for this case yet"), req, s);
        auto revisions = s.advisories.Revisions(*id, caller);
        if (!revisions.ok()) return ApiError(revisions.error(), req, s);
        return http::Response::Json(200, RecordJson(**rec, *revisions));
    });

    router.Add("PUT", "/api/v1/cases/{id}/advisory", [&s](http::Request& req) {
        if (auto bad = RequireApiWrite(req)) return *bad;
        auto id = CaseIdParam(req, s);
        if (!id.ok()) return ApiError(id.error(), req, s);
        auto body = http::ParseJsonBody(req);
        if (!body.ok()) return ApiError(body.error(), req, s);
        formats::Localized note;
        if (body->contains("note")) {
            const json& n = body->at("note");
            if (n.is_string()) {
                note.ja = n.get<std::string>();
            } else if (n.is_object() && n.value("ja", json("")).is_string() && n.value("en", json("")).is_string()) {
                note = {n.value("ja", ""), n.value("en", "")};
            } else {
                return ApiError(core::InvalidArgument("must be a string or {\"ja\", \"en\"}", "note"), req, s);
            }
            if (note.ja.size() > 500 || note.en.size() > 500)
                return ApiError(core::InvalidArgument("at most 500 bytes", "note"), req, s);
        }
        auto content = vuln::ParseAdvisoryContent(body->dump());
        if (!content.ok()) return ApiError(content.error(), req, s);
        const vuln::Caller caller = CallerFor(req, s);
        auto saved = s.advisories.Save(*id, *content, note, caller);
        if (!saved.ok()) return ApiError(saved.error(), req, s);
        auto revisions = s.advisories.Revisions(*id, caller);
        if (!revisions.ok()) return ApiError(revisions.error(), req, s);
        return http::Response::Json(200, RecordJson(*saved, *revisions));
    });

    // Public: published advisories only (an embargoed one leaves no trace here).
    router.Add("GET", "/api/v1/advisories", [&s](http::Request& req) {
        vuln::AdvisorySearch q;
        q.text = req.Query("q").value_or("");
        q.page = std::max(1, std::atoi(req.Query("page").value_or("1").c_str()));
        q.per_page = std::atoi(req.Query("per_page").value_or("20").c_str());
        auto page = s.advisories.Search(q);
        if (!page.ok()) return ApiError(page.error(), req, s);
        json items = json::array();
        for (const auto& a : page->items)
            items.push_back({{"advisory_id", a.id},
                             {"url", "/advisories/" + a.slug},
                             {"title", LocalizedJson(a.title)},
                             {"cve_ids", a.cve_ids},
                             {"vendors", a.vendors},
                             {"products", a.products},
                             {"source", formats::AdvisorySource(a.source) == formats::AdvisorySource::kCertCc ? "certcc"
                                        : a.source == formats::AdvisorySource::kCpni                  ? "cpni"
                                                                                                       : "domestic"},
                             {"first_published", core::FormatRfc3339(a.first_published)},
                             {"last_updated", core::FormatRfc3339(a.last_updated)}});
        return http::Response::Json(200, json{{"total", page->total}, {"page", page->page}, {"per_page", page->per_page},
                                              {"items", items}});
    });
}

}  // namespace kizuna::web::detail
