// V18: overseas coordinators as case participants, their publication constraints, and the exchange
// document for carrying a case to and from a partner (seed 001, 4-1).
#include "vuln/international.hpp"

#include "core/json_depth.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "mail/queue.hpp"
#include "vuln/internal/case_access.hpp"
#include "vuln/secondary.hpp"

namespace kizuna::vuln {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxName = 200;
constexpr std::size_t kMaxCountry = 100;
constexpr std::size_t kMaxReference = 200;
constexpr std::size_t kMaxNote = 4000;
constexpr std::size_t kMaxVendors = 100;
constexpr std::size_t kMaxDocument = 4 * 1024 * 1024;
constexpr int kMaxDepth = 64;

core::Status Audit(store::Connection& c, const auth::AuditLog& audit, const Caller& caller, std::string_view action,
                   CaseId id, std::string detail) {
    auto seq = audit.Append(
        c, {caller.name(), std::string(action), "case:" + std::to_string(id.value()), std::move(detail), ""});
    if (!seq.ok()) return seq.error();
    return core::Ok();
}

// "" stays ""; anything else must be RFC 3339 and comes back normalised to UTC.
core::Result<std::string> NormalizeInstant(std::string_view text, const std::string& field) {
    if (text.empty()) return std::string();
    auto at = core::ParseRfc3339(text);
    if (!at) return core::InvalidArgument("must be an RFC 3339 date-time such as 2026-06-01T00:00:00+09:00", field);
    return core::FormatRfc3339(*at);
}

core::Result<PublicationConstraint> CheckConstraint(const PublicationConstraint& in, const std::string& prefix) {
    PublicationConstraint out;
    KZ_ASSIGN(out.not_before, NormalizeInstant(in.not_before, prefix + "not_before"));
    KZ_ASSIGN(out.not_after, NormalizeInstant(in.not_after, prefix + "not_after"));
    if (in.note.size() > kMaxNote) return core::InvalidArgument("must be at most 4000 characters", prefix + "note");
    out.note = in.note;
    if (!out.not_before.empty() && !out.not_after.empty() &&
        *core::ParseRfc3339(out.not_before) > *core::ParseRfc3339(out.not_after))
        return core::InvalidArgument("must not be before not_before", prefix + "not_after");
    return out;
}

core::Status CheckVendors(const std::vector<std::string>& vendors, const std::string& field) {
    if (vendors.size() > kMaxVendors) return core::InvalidArgument("at most 100 vendors", field);
    for (std::size_t i = 0; i < vendors.size(); ++i)
        if (vendors[i].empty() || vendors[i].size() > kMaxName || vendors[i].find('\n') != std::string::npos)
            return core::InvalidArgument("must be a name of 1-200 characters on one line",
                                         field + "[" + std::to_string(i) + "]");
    return core::Ok();
}

core::Status CheckCoordinator(const NewCoordinator& n, const std::string& prefix) {
    if (n.name.empty() || n.name.size() > kMaxName)
        return core::InvalidArgument("must be 1-200 characters", prefix + "name");
    if (n.country.size() > kMaxCountry)
        return core::InvalidArgument("must be at most 100 characters", prefix + "country");
    if (!n.contact_email.empty() && (n.contact_email.find('@') == std::string::npos || n.contact_email.size() > 254))
        return core::InvalidArgument("must be an e-mail address", prefix + "contact_email");
    if (n.case_reference.size() > kMaxReference)
        return core::InvalidArgument("must be at most 200 characters", prefix + "case_reference");
    if (n.note.size() > kMaxNote) return core::InvalidArgument("must be at most 4000 characters", prefix + "note");
    return CheckVendors(n.vendors, prefix + "vendors");
}

// Inserts a checked coordinator. AlreadyExists (field "name") when the case has one of that name.
core::Result<CoordinatorId> InsertCoordinator(store::Connection& c, const core::Clock& clock, CaseId id,
                                              const NewCoordinator& n, const PublicationConstraint& k,
                                              const Caller& caller) {
    core::Status st = c.Exec(
        "INSERT INTO case_coordinators(case_id, name, country, contact_email, case_reference, note, vendors,"
        " not_before, not_after, constraint_note, added_at, added_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {id.value(), n.name, n.country, n.contact_email, n.case_reference, n.note, detail::JoinLines(n.vendors),
         k.not_before, k.not_after, k.note, core::FormatRfc3339(clock.Now()), caller.name()});
    if (!st.ok() && st.error().code() == core::ErrorCode::kAlreadyExists)
        return core::AlreadyExists("a coordinator of this name already takes part in the case", "name");
    KZ_TRY(st);
    return CoordinatorId(c.LastInsertId());
}

std::string ConstraintText(const PublicationConstraint& k) {
    if (k.not_before.empty() && k.not_after.empty()) return "no constraint";
    std::string out;
    if (!k.not_before.empty()) out += "not before " + k.not_before;
    if (!k.not_after.empty()) out += std::string(out.empty() ? "" : ", ") + "not after " + k.not_after;
    return out;
}

core::Result<std::vector<Coordinator>> LoadCoordinators(store::Connection& c, CaseId id) {
    KZ_ASSIGN(auto rows, c.Query("SELECT id, name, country, contact_email, case_reference, note, vendors, not_before,"
                                 " not_after, constraint_note, added_at, added_by, key_fingerprint, key_info FROM case_coordinators"
                                 " WHERE case_id = ? ORDER BY id",
                                 {id.value()}));
    std::vector<Coordinator> out;
    for (const auto& r : rows) {
        Coordinator k;
        k.id = CoordinatorId(r.Int(0));
        k.name = r.Text(1);
        k.country = r.Text(2);
        k.contact_email = r.Text(3);
        k.case_reference = r.Text(4);
        k.note = r.Text(5);
        k.vendors = detail::SplitLines(r.Text(6));
        k.constraint.not_before = r.Text(7);
        k.constraint.not_after = r.Text(8);
        k.constraint.note = r.Text(9);
        k.added_at = r.Text(10);
        k.added_by = r.Text(11);
        k.key_fingerprint = r.Text(12);
        k.key_info = r.Text(13);
        out.push_back(std::move(k));
    }
    return out;
}

core::Result<PublicationWindow> ComputeWindow(store::Connection& c, CaseId id, const std::vector<Coordinator>& all) {
    PublicationWindow w;
    std::optional<core::WallTime> lo, hi;
    for (const auto& k : all) {
        if (auto t = core::ParseRfc3339(k.constraint.not_before); t && (!lo || *t > *lo)) {
            lo = t;
            w.not_before = k.constraint.not_before;
            w.not_before_by = k.name;
        }
        if (auto t = core::ParseRfc3339(k.constraint.not_after); t && (!hi || *t < *hi)) {
            hi = t;
            w.not_after = k.constraint.not_after;
            w.not_after_by = k.name;
        }
    }
    KZ_ASSIGN(auto row, c.QueryOne("SELECT publish_at FROM cases WHERE id = ?", {id.value()}));
    if (row) w.publish_at = row->Text(0);
    KZ_ASSIGN(auto proposal, c.QueryOne("SELECT publish_at FROM schedule_proposals WHERE case_id = ? AND"
                                        " state = 'proposed' ORDER BY id DESC LIMIT 1",
                                        {id.value()}));
    if (proposal) w.proposed_at = proposal->Text(0);

    if (lo && hi && *lo > *hi)
        w.conflicts.push_back("the constraints cannot all be met: " + w.not_before_by + " not before " + w.not_before +
                              ", " + w.not_after_by + " not after " + w.not_after);
    const bool decided = !w.publish_at.empty();
    const std::string& date = decided ? w.publish_at : w.proposed_at;
    if (auto at = core::ParseRfc3339(date)) {
        const std::string what = decided ? "the decided date " : "the proposed date ";
        for (const auto& k : all) {
            if (auto t = core::ParseRfc3339(k.constraint.not_before); t && *at < *t)
                w.conflicts.push_back(what + date + " is before " + k.name + "'s not_before " +
                                      k.constraint.not_before);
            if (auto t = core::ParseRfc3339(k.constraint.not_after); t && *at > *t)
                w.conflicts.push_back(what + date + " is after " + k.name + "'s not_after " + k.constraint.not_after);
        }
    }
    w.conflict = !w.conflicts.empty();
    return w;
}

// --- the exchange document ----------------------------------------------------------------------------

json ConstraintJson(const PublicationConstraint& k) {
    return json{{"not_before", k.not_before}, {"not_after", k.not_after}, {"note", k.note}};
}

// Typed access to one object of the document; every error names the JSON path.
class Reader {
  public:
    Reader(const json& object, std::string path) : object_(object), path_(std::move(path)) {}

    std::string Path(std::string_view key) const {
        return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
    }

    const json* Find(std::string_view key) const {
        auto it = object_.find(std::string(key));
        if (it == object_.end() || it->is_null()) return nullptr;
        return &*it;
    }

    core::Result<std::string> String(std::string_view key, bool required, std::size_t max) const {
        const json* v = Find(key);
        if (!v) {
            if (required) return core::InvalidArgument("is required", Path(key));
            return std::string();
        }
        if (!v->is_string()) return core::InvalidArgument("must be a string", Path(key));
        std::string s = v->get<std::string>();
        if (required && s.empty()) return core::InvalidArgument("must not be empty", Path(key));
        if (s.size() > max)
            return core::InvalidArgument("must be at most " + std::to_string(max) + " bytes", Path(key));
        if (s.find('\0') != std::string::npos) return core::InvalidArgument("must not contain NUL", Path(key));
        return s;
    }

    // Absent -> an empty reader over an empty object.
    core::Result<Reader> Object(std::string_view key, bool required) const {
        const json* v = Find(key);
        if (!v) {
            if (required) return core::InvalidArgument("is required", Path(key));
            return Reader(Empty(), Path(key));
        }
        if (!v->is_object()) return core::InvalidArgument("must be an object", Path(key));
        return Reader(*v, Path(key));
    }

    // Absent -> empty array.
    core::Result<const json*> Array(std::string_view key) const {
        const json* v = Find(key);
        if (!v) return &EmptyArray();
        if (!v->is_array()) return core::InvalidArgument("must be an array", Path(key));
        return v;
    }

    core::Result<std::vector<std::string>> Strings(std::string_view key, std::size_t max) const {
        KZ_ASSIGN(const json* a, Array(key));
        std::vector<std::string> out;
        for (std::size_t i = 0; i < a->size(); ++i) {
            const std::string item = Path(key) + "[" + std::to_string(i) + "]";
            if (!(*a)[i].is_string()) return core::InvalidArgument("must be a string", item);
            std::string s = (*a)[i].get<std::string>();
            if (s.size() > max) return core::InvalidArgument("must be at most " + std::to_string(max) + " bytes", item);
            out.push_back(std::move(s));
        }
        return out;
    }

  private:
    static const json& Empty() {
        static const json kEmpty = json::object();
        return kEmpty;
    }
    static const json& EmptyArray() {
        static const json kEmpty = json::array();
        return kEmpty;
    }
    const json& object_;
    std::string path_;
};

core::Result<PublicationConstraint> ReadConstraint(const Reader& party) {
    KZ_ASSIGN(Reader r, party.Object("constraint", false));
    PublicationConstraint k;
    KZ_ASSIGN(k.not_before, r.String("not_before", false, 64));
    KZ_ASSIGN(k.not_after, r.String("not_after", false, 64));
    KZ_ASSIGN(k.note, r.String("note", false, kMaxNote));
    return CheckConstraint(k, r.Path(""));
}

core::Result<NewCoordinator> ReadParty(const Reader& r) {
    NewCoordinator n;
    KZ_ASSIGN(n.name, r.String("name", true, kMaxName));
    KZ_ASSIGN(n.country, r.String("country", false, kMaxCountry));
    KZ_ASSIGN(n.contact_email, r.String("contact_email", false, 254));
    KZ_ASSIGN(n.case_reference, r.String("case_reference", false, kMaxReference));
    KZ_ASSIGN(n.note, r.String("note", false, kMaxNote));
    KZ_ASSIGN(n.vendors, r.Strings("vendors", kMaxName));
    KZ_TRY(CheckCoordinator(n, r.Path("")));
    return n;
}

struct Party {
    NewCoordinator who;
    PublicationConstraint constraint;
};

struct ImportDocument {
    NewCase report;
    Party sender;
    std::vector<Party> others;
    std::string partner_identifier;
};

core::Result<ImportDocument> ParseDocument(std::string_view text, std::string_view self_name) {
    if (text.size() > kMaxDocument) return core::InvalidArgument("the document is larger than 4 MiB", "document");
    if (!core::JsonNestingWithin(text, kMaxDepth)) return core::InvalidArgument("nested too deeply", "document");
    const json doc = json::parse(text.begin(), text.end(), nullptr, false);
    if (doc.is_discarded()) return core::InvalidArgument("is not well-formed JSON", "document");
    if (!doc.is_object()) return core::InvalidArgument("must be a JSON object", "document");
    const Reader root(doc, "");

    KZ_ASSIGN(std::string format, root.String("format", true, 100));
    if (format != kExchangeFormat)
        return core::InvalidArgument("must be \"" + std::string(kExchangeFormat) + "\"", "format");
    const json* version = root.Find("version");
    if (!version) return core::InvalidArgument("is required", "version");
    if (!version->is_number_integer()) return core::InvalidArgument("must be an integer", "version");
    if (version->get<std::int64_t>() != kExchangeVersion)
        return core::InvalidArgument("unsupported version; this server reads version 1", "version");

    ImportDocument out;
    // The case.
    KZ_ASSIGN(Reader cr, root.Object("case", true));
    NewCase& n = out.report;
    KZ_ASSIGN(out.partner_identifier, cr.String("identifier", false, kMaxReference));
    KZ_ASSIGN(n.title, cr.String("title", true, 300));
    KZ_ASSIGN(n.summary, cr.String("summary", false, 20000));
    KZ_ASSIGN(n.details, cr.String("details", true, 200000));
    KZ_ASSIGN(const json* terms, cr.Array("terms"));
    if (terms->size() > 200) return core::InvalidArgument("at most 200 terms", "case.terms");
    for (std::size_t i = 0; i < terms->size(); ++i) {
        const std::string path = "case.terms[" + std::to_string(i) + "]";
        if (!(*terms)[i].is_object()) return core::InvalidArgument("must be an object", path);
        const Reader t((*terms)[i], path);
        KZ_ASSIGN(std::string kind, t.String("kind", true, 20));
        KZ_ASSIGN(std::string value, t.String("value", true, 500));
        KZ_ASSIGN(std::string version_text, t.String("version", false, 200));
        if (kind == "keyword")
            n.keywords.push_back(value);
        else if (kind == "product")
            n.products.push_back(value);
        else if (kind == "component")
            n.components.push_back({value, version_text});
        else
            return core::InvalidArgument("must be keyword, component or product", path + ".kind");
    }

    // The sender: the partner coordinator the document comes from.
    KZ_ASSIGN(Reader sr, root.Object("sender", true));
    KZ_ASSIGN(out.sender.who, ReadParty(sr));
    KZ_ASSIGN(out.sender.constraint, ReadConstraint(sr));
    KZ_ASSIGN(std::string source, sr.String("source", false, 20));
    if (source.empty() || source == "other")
        n.source = Source::kOther;
    else if (source == "certcc")
        n.source = Source::kCertCc;
    else if (source == "cpni")
        n.source = Source::kCpni;
    else
        return core::InvalidArgument("must be certcc, cpni or other", "sender.source");
    if (out.sender.who.case_reference.empty()) out.sender.who.case_reference = out.partner_identifier;
    n.reporter_name = out.sender.who.name;
    n.reporter_email = out.sender.who.contact_email;

    // The partner's vendors (free-text names) join the sender's list.
    KZ_ASSIGN(const json* vendors, root.Array("vendors"));
    for (std::size_t i = 0; i < vendors->size(); ++i) {
        const std::string path = "vendors[" + std::to_string(i) + "]";
        if (!(*vendors)[i].is_object()) return core::InvalidArgument("must be an object", path);
        const Reader v((*vendors)[i], path);
        KZ_ASSIGN(std::string name, v.String("name", true, kMaxName));
        KZ_ASSIGN(std::string status, v.String("status", false, 100));
        KZ_ASSIGN(std::string status_text, v.String("status_text", false, 20000));
        KZ_ASSIGN(auto urls, v.Strings("urls", 2000));
        auto& list = out.sender.who.vendors;
        if (std::find(list.begin(), list.end(), name) == list.end()) list.push_back(name);
    }
    KZ_TRY(CheckVendors(out.sender.who.vendors, "vendors"));

    // The schedule block is informational; its dates must still be dates.
    KZ_ASSIGN(Reader sched, root.Object("schedule", false));
    for (std::string_view key : {"publish_at", "proposed_at", "handling_started_at"}) {
        KZ_ASSIGN(std::string at, sched.String(key, false, 64));
        KZ_TRY(NormalizeInstant(at, sched.Path(key)));
    }

    // Other coordinators the partner works with (ourselves and the sender excepted).
    KZ_ASSIGN(const json* coordinators, root.Array("coordinators"));
    if (coordinators->size() > 50) return core::InvalidArgument("at most 50 coordinators", "coordinators");
    for (std::size_t i = 0; i < coordinators->size(); ++i) {
        const std::string path = "coordinators[" + std::to_string(i) + "]";
        if (!(*coordinators)[i].is_object()) return core::InvalidArgument("must be an object", path);
        const Reader k((*coordinators)[i], path);
        Party p;
        KZ_ASSIGN(p.who, ReadParty(k));
        KZ_ASSIGN(p.constraint, ReadConstraint(k));
        if (p.who.name == self_name || p.who.name == out.sender.who.name) continue;
        bool seen = false;
        for (const auto& o : out.others) seen = seen || o.who.name == p.who.name;
        if (!seen) out.others.push_back(std::move(p));
    }
    return out;
}

}  // namespace

core::Result<CoordinatorId> InternationalService::AddCoordinator(CaseId id, const NewCoordinator& coordinator,
                                                                 const Caller& caller) {
    return db_.InTransaction<CoordinatorId>([&](store::Connection& c) -> core::Result<CoordinatorId> {
        KZ_TRY(detail::RequireStaff(c, id, caller));
        KZ_TRY(CheckCoordinator(coordinator, ""));
        KZ_ASSIGN(CoordinatorId k, InsertCoordinator(c, clock_, id, coordinator, {}, caller));
        std::string text = coordinator.name;
        if (!coordinator.country.empty()) text += " (" + coordinator.country + ")";
        if (!coordinator.case_reference.empty()) text += " " + coordinator.case_reference;
        KZ_TRY(detail::AddCaseEvent(c, clock_, id, caller.name(), "international.coordinator_added", std::move(text)));
        KZ_TRY(Audit(c, audit_, caller, "case.coordinator_add", id,
                     json{{"coordinator", k.value()}, {"name", coordinator.name}}.dump()));
        return k;
    });
}

core::Status InternationalService::SetVendors(CaseId id, CoordinatorId coordinator,
                                              const std::vector<std::string>& vendors, const Caller& caller) {
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_TRY(detail::RequireStaff(c, id, caller));
        KZ_TRY(CheckVendors(vendors, "vendors"));
        KZ_ASSIGN(auto row, c.QueryOne("SELECT name FROM case_coordinators WHERE id = ? AND case_id = ?",
                                       {coordinator.value(), id.value()}));
        if (!row) return core::NotFound("no such coordinator in the case");
        KZ_TRY(c.Exec("UPDATE case_coordinators SET vendors = ? WHERE id = ?",
                      {detail::JoinLines(vendors), coordinator.value()}));
        KZ_TRY(detail::AddCaseEvent(c, clock_, id, caller.name(), "international.vendors",
                     row->Text(0) + ": " + std::to_string(vendors.size()) + " vendor(s)"));
        return Audit(c, audit_, caller, "case.coordinator_vendors", id,
                     json{{"coordinator", coordinator.value()}, {"vendors", vendors.size()}}.dump());
    });
}

core::Status InternationalService::SetKey(CaseId id, CoordinatorId coordinator, std::string_view armored,
                                          const Caller& caller) {
    {
        // Access before the (slow) key check.
        KZ_ASSIGN(auto lease, db_.Acquire());
        KZ_TRY(detail::RequireStaff(*lease, id, caller));
    }
    KZ_ASSIGN(detail::CheckedKey key, detail::CheckBodyKey(armored, clock_.Now()));
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_TRY(detail::RequireStaff(c, id, caller));
        KZ_ASSIGN(auto row, c.QueryOne("SELECT name, contact_email FROM case_coordinators WHERE id = ? AND case_id = ?",
                                       {coordinator.value(), id.value()}));
        if (!row) return core::NotFound("no such coordinator in the case");
        if (row->Text(1).empty())
            return core::FailedPrecondition("give the coordinator a contact e-mail address first");
        const std::string owner = "case_coordinator:" + std::to_string(coordinator.value());
        KZ_TRY(c.Exec("UPDATE case_coordinators SET key_fingerprint = ?, key_info = ? WHERE id = ?",
                      {key.fingerprint, key.info, coordinator.value()}));
        KZ_TRY(mail::RemoveRecipientKeys(c, owner));
        KZ_TRY(mail::RegisterRecipientKey(c, key.fingerprint, row->Text(1), armored, owner, clock_.Now()));
        KZ_TRY(detail::AddCaseEvent(c, clock_, id, caller.name(), "international.key",
                                    row->Text(0) + ": key " + key.fingerprint));
        return Audit(c, audit_, caller, "case.coordinator_key", id,
                     json{{"coordinator", coordinator.value()}, {"fingerprint", key.fingerprint}}.dump());
    });
}

core::Status InternationalService::SetConstraint(CaseId id, CoordinatorId coordinator,
                                                 const PublicationConstraint& constraint, const Caller& caller) {
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_TRY(detail::RequireStaff(c, id, caller));
        KZ_ASSIGN(PublicationConstraint k, CheckConstraint(constraint, ""));
        KZ_ASSIGN(auto row, c.QueryOne("SELECT name FROM case_coordinators WHERE id = ? AND case_id = ?",
                                       {coordinator.value(), id.value()}));
        if (!row) return core::NotFound("no such coordinator in the case");
        KZ_TRY(c.Exec("UPDATE case_coordinators SET not_before = ?, not_after = ?, constraint_note = ? WHERE id = ?",
                      {k.not_before, k.not_after, k.note, coordinator.value()}));
        KZ_TRY(detail::AddCaseEvent(c, clock_, id, caller.name(), "international.constraint", row->Text(0) + ": " + ConstraintText(k)));
        return Audit(
            c, audit_, caller, "case.coordinator_constraint", id,
            json{{"coordinator", coordinator.value()}, {"not_before", k.not_before}, {"not_after", k.not_after}}
                .dump());
    });
}

core::Result<InternationalView> InternationalService::View(CaseId id, const Caller& caller) {
    KZ_ASSIGN(auto lease, db_.Acquire());
    KZ_TRY(detail::RequireStaff(*lease, id, caller));
    InternationalView v;
    KZ_ASSIGN(v.coordinators, LoadCoordinators(*lease, id));
    KZ_ASSIGN(v.window, ComputeWindow(*lease, id, v.coordinators));
    return v;
}

core::Result<std::string> InternationalService::Export(CaseId id, const Caller& caller) {
    {
        // Access first, so that a non-staff caller learns nothing from CaseService's answer either.
        KZ_ASSIGN(auto lease, db_.Acquire());
        KZ_TRY(detail::RequireStaff(*lease, id, caller));
    }
    KZ_ASSIGN(CaseView cv, cases_.Get(id, caller));
    return db_.InTransaction<std::string>([&](store::Connection& c) -> core::Result<std::string> {
        KZ_TRY(detail::RequireStaff(c, id, caller));
        json terms = json::array();
        for (const auto& t : cv.terms) terms.push_back({{"kind", t.kind}, {"value", t.value}, {"version", t.version}});
        json vendors = json::array();
        for (const auto& v : cv.vendors)
            vendors.push_back({{"name", v.name},
                               {"status", std::string(Name(v.status))},
                               {"status_text", v.status_text},
                               {"urls", v.status_urls}});
        KZ_ASSIGN(auto row, c.QueryOne("SELECT publish_at, handling_started_at, published FROM cases WHERE id = ?",
                                       {id.value()}));
        if (!row) return core::NotFound("no such case");
        KZ_ASSIGN(auto coordinators, LoadCoordinators(c, id));
        KZ_ASSIGN(PublicationWindow w, ComputeWindow(c, id, coordinators));
        json parties = json::array();
        for (const auto& k : coordinators)
            parties.push_back({{"name", k.name},
                               {"country", k.country},
                               {"contact_email", k.contact_email},
                               {"case_reference", k.case_reference},
                               {"note", k.note},
                               {"vendors", k.vendors},
                               {"constraint", ConstraintJson(k.constraint)}});
        const std::string now = core::FormatRfc3339(clock_.Now());
        json doc = {
            {"format", kExchangeFormat},
            {"version", kExchangeVersion},
            {"exported_at", now},
            {"sender",
             {{"name", self_name_},
              {"country", self_country_},
              {"contact_email", ""},
              {"source", "other"},
              {"case_reference", cv.identifier},
              {"vendors", json::array()},
              {"constraint", ConstraintJson({})}}},
            {"case",
             {{"identifier", cv.identifier},
              {"title", cv.title},
              {"summary", cv.summary},
              {"details", cv.details.value_or("")},
              {"source", std::string(Name(cv.source))},
              {"terms", terms},
              {"created_at", cv.created_at}}},
            {"vendors", vendors},
            {"schedule",
             {{"publish_at", row->Text(0)},
              {"proposed_at", w.proposed_at},
              {"handling_started_at", row->Text(1)},
              {"published", row->Int(2) != 0}}},
            {"coordinators", parties},
        };
        KZ_TRY(detail::AddCaseEvent(c, clock_, id, caller.name(), "international.export",
                     "exchange document exported (" + std::to_string(coordinators.size()) + " coordinator(s))"));
        // A disclosure: the document carries the technical details.
        KZ_TRY(Audit(c, audit_, caller, "case.export", id,
                     json{{"format", kExchangeFormat}, {"version", kExchangeVersion}, {"details", true}}.dump()));
        return doc.dump(2);
    });
}

core::Result<Receipt> InternationalService::Import(std::string_view json_text, const Caller& caller) {
    if (!caller.principal) return core::Unauthenticated("log in to import a case");
    if (!caller.staff()) return core::NotFound("not found");
    KZ_ASSIGN(ImportDocument doc, ParseDocument(json_text, self_name_));
    KZ_ASSIGN(Receipt receipt, cases_.Submit(doc.report, caller));
    // Submit commits on its own; the document was checked in full above, so only a storage failure can
    // leave the case without its coordinators.
    KZ_TRY(db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_TRY(detail::RequireStaff(c, receipt.id, caller));
        KZ_ASSIGN(CoordinatorId sender,
                  InsertCoordinator(c, clock_, receipt.id, doc.sender.who, doc.sender.constraint, caller));
        for (const auto& p : doc.others) KZ_TRY(InsertCoordinator(c, clock_, receipt.id, p.who, p.constraint, caller));
        KZ_TRY(detail::AddCaseEvent(c, clock_, receipt.id, caller.name(), "international.import",
                     "imported from " + doc.sender.who.name +
                         (doc.sender.who.case_reference.empty() ? "" : " " + doc.sender.who.case_reference) + "; " +
                         ConstraintText(doc.sender.constraint)));
        return Audit(c, audit_, caller, "case.import", receipt.id,
                     json{{"sender", doc.sender.who.name},
                          {"coordinator", sender.value()},
                          {"case_reference", doc.sender.who.case_reference},
                          {"coordinators", doc.others.size() + 1}}
                         .dump());
    }));
    return receipt;
}

std::string_view InternationalSchema() {
    return R"sql(
CREATE TABLE case_coordinators (
    id              INTEGER PRIMARY KEY,
    case_id         INTEGER NOT NULL REFERENCES cases(id),
    name            TEXT NOT NULL,                -- 'CERT/CC', 'NCSC', 'KrCERT/CC'
    country         TEXT NOT NULL DEFAULT '',
    contact_email   TEXT NOT NULL DEFAULT '',
    case_reference  TEXT NOT NULL DEFAULT '',     -- their id for the case: 'VU#123456'
    note            TEXT NOT NULL DEFAULT '',
    vendors         TEXT NOT NULL DEFAULT '',     -- newline-separated free-text vendor names
    not_before      TEXT NOT NULL DEFAULT '',     -- publication constraint, UTC RFC 3339, '' = none
    not_after       TEXT NOT NULL DEFAULT '',
    constraint_note TEXT NOT NULL DEFAULT '',
    added_at        TEXT NOT NULL,
    added_by        TEXT NOT NULL,
    UNIQUE (case_id, name)
);
)sql";
}

}  // namespace kizuna::vuln
