// AdvisoryService: authoring with revisions, and the public view assembled from the content and the live
// case (see advisories.hpp for why visibility is the case's published flag).
#include "vuln/advisories.hpp"

#include <algorithm>
#include <map>

#include "auth/policy.hpp"
#include "formats/cvss.hpp"
#include "vuln/internal/advisory_json.hpp"
#include "vuln/internal/case_access.hpp"

namespace kizuna::vuln {
namespace {

// Figure 3 (seed 001 6-3): the fixed recommendation when a vendor could not be reached.
constexpr std::string_view kStopUsingJa =
    "当該製品の利用者は、本脆弱性の影響を受ける可能性がありますので、製品の利用ができる限り中止することが推奨されます。";
constexpr std::string_view kStopUsingEn =
    "Users of the product may be affected by this vulnerability. It is recommended that they stop using the "
    "product as far as possible.";

std::string AdvisoryVendorKey(std::int64_t vendor) { return "v" + std::to_string(vendor); }

core::WallTime TimeOr(const std::string& text, core::WallTime fallback) {
    auto t = core::ParseRfc3339(text);
    return t ? *t : fallback;
}

std::string StatusNameJa(VendorStatus s) { return std::string(JapaneseLabel(s)); }
std::string StatusNameEn(VendorStatus s) {
    switch (s) {
        case VendorStatus::kUnknown: return "Unknown";
        case VendorStatus::kAffected: return "Vulnerable";
        case VendorStatus::kAffectedInvestigating: return "Vulnerable, investigating";
        case VendorStatus::kNotAffected: return "Not vulnerable";
        case VendorStatus::kNotAffectedInvestigating: return "Not vulnerable, investigating";
    }
    return "Unknown";
}

// A product key from a free product name: lower-case ASCII letters and digits, '-' between words.
std::string KeyFromName(std::string_view name, std::int64_t fallback_id) {
    std::string out;
    for (char ch : name) {
        const char c = (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch;
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_') {
            out += c;
        } else if (!out.empty() && out.back() != '-') {
            out += '-';
        }
        if (out.size() >= 48) break;
    }
    while (!out.empty() && out.back() == '-') out.pop_back();
    return out.empty() ? "product-" + std::to_string(fallback_id) : out;
}

auth::Resource AdvisoryResource(bool published) {
    auth::Resource r{auth::ResourceKind::kAdvisory};
    r.published = published;
    return r;
}

bool ContainsFolded(const std::string& haystack_lower, const std::string& needle_lower) {
    return haystack_lower.find(needle_lower) != std::string::npos;
}

}  // namespace

core::Result<AdvisoryRecord> AdvisoryService::Save(CaseId id, const AdvisoryContent& input,
                                                   const formats::Localized& note, const Caller& caller) {
    KZ_ASSIGN(AdvisoryContent content, ValidateAdvisoryContent(input));
    formats::Localized clean_note{note.ja.substr(0, std::min<std::size_t>(note.ja.size(), 500)),
                                  note.en.substr(0, std::min<std::size_t>(note.en.size(), 500))};
    return db_.InTransaction<AdvisoryRecord>([&](store::Connection& c) -> core::Result<AdvisoryRecord> {
        KZ_TRY(detail::RequireStaff(c, id, caller));
        KZ_ASSIGN(auto kase, c.QueryOne("SELECT identifier, source, published FROM cases WHERE id = ?", {id.value()}));
        if (!kase) return core::NotFound("no such case");
        const bool published = kase->Int(2) != 0;
        if (!auth::Authorize(caller.principal, auth::Action::kUpdate, AdvisoryResource(published)))
            return core::NotFound("no such case");
        // Vendors named by statements and products must take part in the case.
        auto check_vendor = [&](VendorId v, const std::string& field) -> core::Status {
            KZ_ASSIGN(auto part, c.QueryOne("SELECT 1 FROM case_vendors WHERE case_id = ? AND vendor_id = ?",
                                            {id.value(), v.value()}));
            if (!part) return core::InvalidArgument("is not a vendor of this case", field);
            return core::Ok();
        };
        for (std::size_t i = 0; i < content.vendor_statements.size(); ++i)
            KZ_TRY(check_vendor(content.vendor_statements[i].vendor,
                                "vendor_statements[" + std::to_string(i) + "].vendor_id"));
        for (std::size_t i = 0; i < content.products.size(); ++i)
            KZ_TRY(check_vendor(content.products[i].vendor, "products[" + std::to_string(i) + "].vendor_id"));

        const std::string now = core::FormatRfc3339(clock_.Now());
        const std::string json = AdvisoryContentJson(content);
        KZ_ASSIGN(auto existing, c.QueryOne("SELECT id, revision, advisory_id FROM advisories WHERE case_id = ?", {id.value()}));
        std::int64_t row_id = 0;
        int revision = 1;
        std::string advisory_id;
        if (existing) {
            row_id = existing->Int(0);
            revision = static_cast<int>(existing->Int(1)) + 1;
            advisory_id = existing->Text(2);
            KZ_TRY(c.Exec("UPDATE advisories SET revision = ?, content = ?, updated_at = ? WHERE id = ?",
                          {std::int64_t{revision}, json, now, row_id}));
        } else {
            advisory_id = AdvisoryIdFor(kase->Text(0), ParseSource(kase->Text(1)).value_or(Source::kOther));
            KZ_ASSIGN(auto taken, c.QueryOne("SELECT 1 FROM advisories WHERE advisory_id = ? OR slug = ?",
                                             {advisory_id, AdvisorySlug(advisory_id)}));
            if (taken) return core::AlreadyExists("advisory identifier " + advisory_id + " is taken", "advisory_id");
            KZ_TRY(c.Exec("INSERT INTO advisories(case_id, advisory_id, slug, revision, content, created_at, updated_at)"
                          " VALUES (?, ?, ?, 1, ?, ?, ?)",
                          {id.value(), advisory_id, AdvisorySlug(advisory_id), json, now, now}));
            row_id = c.LastInsertId();
        }
        KZ_TRY(c.Exec("INSERT INTO advisory_revisions(advisory, revision, content, at, actor, note_ja, note_en, "
                      "after_publication) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                      {row_id, std::int64_t{revision}, json, now, caller.name(), clean_note.ja, clean_note.en,
                       std::int64_t{published ? 1 : 0}}));
        auto seq = audit_.Append(c, {caller.name(), "advisory.save", "advisory:" + advisory_id,
                                     "{\"revision\":" + std::to_string(revision) + "}", ""});
        if (!seq.ok()) return seq.error();
        KZ_TRY(detail::AddCaseEvent(c, clock_, id, caller.name(), "advisory.saved",
                                    advisory_id + " revision " + std::to_string(revision)));
        return Load(c, row_id);
    });
}

core::Result<std::optional<AdvisoryRecord>> AdvisoryService::ForCase(CaseId id, const Caller& caller) const {
    KZ_ASSIGN(auto lease, db_.Acquire());
    KZ_TRY(detail::RequireStaff(*lease, id, caller));
    KZ_ASSIGN(auto row, lease->QueryOne("SELECT a.id, c.published FROM advisories a JOIN cases c ON c.id = a.case_id"
                                        " WHERE a.case_id = ?",
                                        {id.value()}));
    if (!row) return std::optional<AdvisoryRecord>();
    if (!auth::Authorize(caller.principal, auth::Action::kView, AdvisoryResource(row->Int(1) != 0)))
        return core::NotFound("no such case");
    KZ_ASSIGN(AdvisoryRecord rec, Load(*lease, row->Int(0)));
    return std::optional<AdvisoryRecord>(std::move(rec));
}

core::Result<std::vector<AdvisoryRevisionInfo>> AdvisoryService::Revisions(CaseId id, const Caller& caller) const {
    KZ_ASSIGN(auto lease, db_.Acquire());
    KZ_TRY(detail::RequireStaff(*lease, id, caller));
    KZ_ASSIGN(auto rows, lease->Query("SELECT r.revision, r.at, r.actor, r.note_ja, r.note_en, r.after_publication"
                                      " FROM advisory_revisions r JOIN advisories a ON a.id = r.advisory"
                                      " WHERE a.case_id = ? ORDER BY r.revision DESC",
                                      {id.value()}));
    std::vector<AdvisoryRevisionInfo> out;
    for (const auto& r : rows) {
        std::string note = r.Text(3);
        if (!r.Text(4).empty()) note += (note.empty() ? "" : " / ") + r.Text(4);
        out.push_back({static_cast<int>(r.Int(0)), r.Text(1), r.Text(2), note, r.Int(5) != 0});
    }
    return out;
}

core::Result<AdvisoryRecord> AdvisoryService::Get(const Caller& caller, std::string_view advisory_id) const {
    if (advisory_id.empty() || advisory_id.size() > 100) return core::NotFound("no such advisory");
    KZ_ASSIGN(auto lease, db_.Acquire());
    KZ_ASSIGN(auto row, lease->QueryOne("SELECT a.id, c.published, a.advisory_id FROM advisories a"
                                        " JOIN cases c ON c.id = a.case_id WHERE a.advisory_id = ? OR a.slug = ?",
                                        {std::string(advisory_id), std::string(advisory_id)}));
    if (!row) return core::NotFound("no such advisory");
    const bool published = row->Int(1) != 0;
    if (!auth::Authorize(caller.principal, auth::Action::kView, AdvisoryResource(published)))
        return core::NotFound("no such advisory");
    if (!published && caller.principal && caller.principal->role != auth::Role::kCoordinator) {
        auto seq = audit_.Append(*lease, {caller.name(), "advisory.preview", "advisory:" + row->Text(2), "", ""});
        if (!seq.ok()) return seq.error();
    }
    return Load(*lease, row->Int(0));
}

core::Result<formats::AdvisoryDoc> AdvisoryService::Document(const Caller& caller, std::string_view advisory_id) const {
    KZ_ASSIGN(AdvisoryRecord rec, Get(caller, advisory_id));
    return std::move(rec.doc);
}

core::Result<std::vector<formats::AdvisoryDoc>> AdvisoryService::PublishedDocuments() const {
    KZ_ASSIGN(auto lease, db_.Acquire());
    KZ_ASSIGN(auto rows, lease->Query("SELECT a.id FROM advisories a JOIN cases c ON c.id = a.case_id"
                                      " WHERE c.published = 1 ORDER BY c.published_at DESC, a.id DESC"));
    std::vector<formats::AdvisoryDoc> out;
    out.reserve(rows.size());
    for (const auto& r : rows) {
        KZ_ASSIGN(AdvisoryRecord rec, Load(*lease, r.Int(0)));
        out.push_back(std::move(rec.doc));
    }
    // Newest first by first publication; the SQL order is by text, this one by time.
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first_published > b.first_published; });
    return out;
}

core::Result<AdvisoryPage> AdvisoryService::Search(const AdvisorySearch& query) const {
    AdvisoryPage page;
    page.per_page = std::clamp(query.per_page, 1, 100);
    page.page = std::max(query.page, 1);
    const std::string needle = detail::Lower(query.text);
    if (needle.size() > 200) return core::InvalidArgument("at most 200 characters", "q");
    KZ_ASSIGN(auto docs, PublishedDocuments());
    std::vector<AdvisorySummary> matches;
    for (auto& d : docs) {
        AdvisorySummary s;
        s.id = d.id;
        s.slug = AdvisorySlug(d.id);
        s.title = d.title;
        s.cve_ids = d.cve_ids;
        s.source = d.source;
        s.first_published = d.first_published;
        s.last_updated = d.last_updated;
        std::string hay = detail::Lower(d.id + "\n" + s.slug + "\n" + d.title.ja + "\n" + d.title.en);
        for (const auto& cve : d.cve_ids) hay += "\n" + detail::Lower(cve);
        if (d.analysis.cvss_v40) {
            s.cvss_version = "4.0", s.cvss_score = d.analysis.cvss_v40->score, s.severity = d.analysis.cvss_v40->severity;
        } else if (d.analysis.cvss_v31) {
            s.cvss_version = "3.1", s.cvss_score = d.analysis.cvss_v31->base_score;
            s.severity = d.analysis.cvss_v31->severity;
        }
        for (const auto& v : d.vendors) {
            s.vendors.push_back(v.name.In("ja"));
            s.vendor_names.push_back(v.name);
            hay += "\n" + detail::Lower(v.name.ja) + "\n" + detail::Lower(v.name.en);
            for (const auto& p : v.products) {
                s.products.push_back(p.name.In("ja"));
                hay += "\n" + detail::Lower(p.name.ja) + "\n" + detail::Lower(p.name.en);
            }
        }
        hay += "\n" + detail::Lower(d.affected_systems.ja) + "\n" + detail::Lower(d.affected_systems.en);
        if (needle.empty() || ContainsFolded(hay, needle)) matches.push_back(std::move(s));
    }
    page.total = static_cast<int>(matches.size());
    const std::size_t begin = static_cast<std::size_t>(page.page - 1) * static_cast<std::size_t>(page.per_page);
    for (std::size_t i = begin; i < matches.size() && i < begin + static_cast<std::size_t>(page.per_page); ++i)
        page.items.push_back(std::move(matches[i]));
    return page;
}

core::Result<std::optional<AdvisoryService::PublicLink>> AdvisoryService::PublishedLink(CaseId id) const {
    KZ_ASSIGN(auto lease, db_.Acquire());
    KZ_ASSIGN(auto row, lease->QueryOne("SELECT a.advisory_id, a.slug FROM advisories a JOIN cases c ON c.id = a.case_id"
                                        " WHERE a.case_id = ? AND c.published = 1",
                                        {id.value()}));
    if (!row) return std::optional<PublicLink>();
    return std::optional<PublicLink>(PublicLink{row->Text(0), row->Text(1)});
}

core::Result<std::string> AdvisoryService::PublicStamp(std::string_view advisory_id) const {
    if (advisory_id.empty() || advisory_id.size() > 100) return core::NotFound("no such advisory");
    KZ_ASSIGN(auto lease, db_.Acquire());
    KZ_ASSIGN(auto row, lease->QueryOne(
                            "SELECT a.id, a.revision, c.published_at,"
                            " (SELECT COALESCE(MAX(e.id), 0) FROM case_events e WHERE e.case_id = c.id)"
                            " FROM advisories a JOIN cases c ON c.id = a.case_id"
                            " WHERE (a.advisory_id = ? OR a.slug = ?) AND c.published = 1",
                            {std::string(advisory_id), std::string(advisory_id)}));
    if (!row) return core::NotFound("no such advisory");
    return std::to_string(row->Int(0)) + ":" + std::to_string(row->Int(1)) + ":" + row->Text(2) + ":" +
           std::to_string(row->Int(3));
}

core::Result<AdvisoryRecord> AdvisoryService::Load(store::Connection& c, std::int64_t advisory_row) const {
    KZ_ASSIGN(auto row, c.QueryOne("SELECT a.case_id, a.advisory_id, a.slug, a.revision, a.content, c.published,"
                                   " c.published_at, c.publish_at, c.source, c.identifier FROM advisories a"
                                   " JOIN cases c ON c.id = a.case_id WHERE a.id = ?",
                                   {advisory_row}));
    if (!row) return core::NotFound("no such advisory");
    AdvisoryRecord rec;
    rec.case_id = CaseId(row->Int(0));
    rec.slug = row->Text(2);
    rec.case_identifier = row->Text(9);
    rec.revision = static_cast<int>(row->Int(3));
    {
        const auto stored = nlohmann::json::parse(row->Text(4), nullptr, false);
        if (stored.is_discarded()) return core::DataLoss("advisory " + row->Text(1) + ": stored content is not JSON");
        auto content = detail::ContentFromJson(stored);
        if (!content.ok()) return core::DataLoss("advisory " + row->Text(1) + ": " + content.error().ToString());
        rec.content = std::move(*content);
    }
    const bool published = row->Int(5) != 0;
    const core::WallTime now = clock_.Now();
    // A preview shows the decided instant (or now) where the publication date will be.
    const core::WallTime published_at =
        published ? TimeOr(row->Text(6), now) : TimeOr(row->Text(7), now);
    if (!published) rec.publish_at = row->Text(7);

    formats::AdvisoryDoc& d = rec.doc;
    const AdvisoryContent& ct = rec.content;
    d.id = row->Text(1);
    d.title = ct.title;
    d.overview = ct.overview;
    d.affected_systems = ct.affected_systems;
    d.details = ct.details;
    d.impact = ct.impact;
    d.solution = ct.solution;
    d.references = ct.references;
    d.coordinator_notes = ct.coordinator_notes;
    d.analysis.text = ct.analysis;
    if (!ct.cvss31_vector.empty()) {
        if (auto s = formats::ScoreCvss31(ct.cvss31_vector); s.ok())
            d.analysis.cvss_v31 = formats::CvssV31Assessment{s->vector, s->base, s->severity};
    }
    if (!ct.cvss40_vector.empty()) {
        if (auto s = formats::ScoreCvss40(ct.cvss40_vector); s.ok())
            d.analysis.cvss_v40 = formats::CvssV40Assessment{s->vector, s->score, s->severity};
    }
    d.acknowledgements = ct.acknowledgements;
    d.related = ct.related;
    d.cve_ids = ct.cve_ids;
    d.source = AdvisorySourceOf(ParseSource(row->Text(8)).value_or(Source::kOther));
    d.published = published;
    d.first_published = published_at;

    // The vendor table: every vendor that received the details (6-3: 脆弱性詳細情報を通知した全ての製品開発者),
    // and every vendor declared unreachable (figure 3).
    KZ_ASSIGN(auto vendors, c.Query("SELECT cv.vendor_id, v.name, v.name_en, cv.status, cv.status_text, cv.status_urls,"
                                    " cv.status_at, cv.unreachable, cv.unreachable_since FROM case_vendors cv"
                                    " JOIN vendors v ON v.id = cv.vendor_id WHERE cv.case_id = ?"
                                    " AND (cv.level = 'detail' OR cv.unreachable = 1) ORDER BY cv.added_at, cv.vendor_id",
                                    {rec.case_id.value()}));
    KZ_ASSIGN(auto measures, c.Query("SELECT id, vendor_id, product, fixed_version FROM countermeasures"
                                     " WHERE case_id = ? ORDER BY id",
                                     {rec.case_id.value()}));
    std::map<std::int64_t, std::size_t> vendor_index;
    bool any_unreachable = false;
    for (const auto& v : vendors) {
        formats::AdvisoryVendor av;
        const std::int64_t vid = v.Int(0);
        av.vendor_key = AdvisoryVendorKey(vid);
        av.name = {v.Text(1), v.Text(2).empty() ? v.Text(1) : v.Text(2)};
        const VendorStatus status = ParseVendorStatus(v.Text(3)).value_or(VendorStatus::kUnknown);
        av.status = ToAdvisoryStatus(status);
        const auto urls = detail::SplitLines(v.Text(5));
        std::string comment = v.Text(4);
        for (std::size_t i = 1; i < urls.size(); ++i) comment += (comment.empty() ? "" : "\n") + urls[i];
        av.comment = {comment, ""};
        if (!urls.empty() && (urls[0].starts_with("https://") || urls[0].starts_with("http://")))
            av.announcement_url = urls[0];
        if (!v.Text(6).empty()) av.status_updated = core::ParseRfc3339(v.Text(6));
        // A vendor that answers after all (V15) shows its status instead of the figure 3 note.
        av.unreachable = v.Int(7) != 0 && status == VendorStatus::kUnknown;
        if (av.unreachable) {
            av.unreachable_since = core::ParseRfc3339(v.Text(8));
            any_unreachable = true;
        }
        for (const auto& p : ct.products)
            if (p.vendor.value() == vid) av.products.push_back(p.product);
        if (av.products.empty()) {
            // Without a product list from the coordinator, the vendor's countermeasures name its products.
            for (const auto& m : measures) {
                if (m.Int(1) != vid) continue;
                formats::AdvisoryProduct p;
                p.product_key = KeyFromName(m.Text(2), m.Int(0));
                p.name = {m.Text(2), ""};
                if (!m.Text(3).empty()) p.versions.push_back({"< " + m.Text(3), "", m.Text(3), ""});
                bool dup = false;
                for (const auto& q : av.products) dup = dup || q.product_key == p.product_key;
                if (!dup) av.products.push_back(std::move(p));
            }
        }
        vendor_index[vid] = d.vendors.size();
        d.vendors.push_back(std::move(av));
    }
    // Statements of vendors in the table only (a vendor may drop out of it, e.g. before details are sent).
    for (const auto& st : ct.vendor_statements)
        if (vendor_index.count(st.vendor.value()))
            d.vendor_statements.push_back({AdvisoryVendorKey(st.vendor.value()), st.text});
    if (any_unreachable) {
        d.solution.ja = std::string(kStopUsingJa) + (d.solution.ja.empty() ? "" : "\n\n" + d.solution.ja);
        d.solution.en = std::string(kStopUsingEn) + (d.solution.en.empty() ? "" : "\n\n" + d.solution.en);
    }

    // Update history (V15): the publication, then every later revision and vendor report, by date.
    d.revisions.push_back({published_at, {"公開", "Published"}});
    for (const auto& v : d.vendors) rec.vendor_history.push_back({v.vendor_key, {{published_at, {"公開", "Published"}}}});
    if (published) {
        KZ_ASSIGN(auto saves, c.Query("SELECT at, note_ja, note_en FROM advisory_revisions"
                                      " WHERE advisory = ? AND after_publication = 1 ORDER BY revision",
                                      {advisory_row}));
        for (const auto& s : saves) {
            formats::Localized text{s.Text(1).empty() ? "内容を更新" : s.Text(1),
                                    s.Text(2).empty() ? "Content updated" : s.Text(2)};
            d.revisions.push_back({TimeOr(s.Text(0), published_at), text});
        }
        KZ_ASSIGN(auto reports, c.Query("SELECT vendor_id, status, reported_at FROM status_reports WHERE case_id = ?"
                                        " ORDER BY id",
                                        {rec.case_id.value()}));
        for (const auto& r : reports) {
            auto it = vendor_index.find(r.Int(0));
            if (it == vendor_index.end()) continue;
            const core::WallTime at = TimeOr(r.Text(2), published_at);
            if (at <= published_at) continue;
            const auto& v = d.vendors[it->second];
            const VendorStatus st = ParseVendorStatus(r.Text(1)).value_or(VendorStatus::kUnknown);
            formats::Localized text{v.name.ja + " のステータスを「" + StatusNameJa(st) + "」に更新",
                                    "Status of " + v.name.en + " updated to \"" + StatusNameEn(st) + "\""};
            d.revisions.push_back({at, text});
            rec.vendor_history[it->second].second.push_back({at, {"ステータスを更新: " + StatusNameJa(st),
                                                                  "Status updated: " + StatusNameEn(st)}});
        }
        std::stable_sort(d.revisions.begin(), d.revisions.end(),
                         [](const auto& a, const auto& b) { return a.date < b.date; });
    }
    d.last_updated = d.revisions.back().date;
    return rec;
}

}  // namespace kizuna::vuln
