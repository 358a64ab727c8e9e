// Intake, verification, access, listing and the case view.
#include "vuln/cases.hpp"

#include <algorithm>

#include "auth/policy.hpp"
#include "core/ids.hpp"
#include "vuln/internal/case_access.hpp"

namespace kizuna::vuln {

using detail::Lower;

namespace {
constexpr std::int64_t kDayUs = 86'400'000'000LL;
}  // namespace

bool Caller::staff() const {
    return principal && (principal->role == auth::Role::kAdmin || principal->role == auth::Role::kCoordinator);
}

std::string Caller::name() const { return principal ? principal->name : "anonymous"; }

CaseService::CaseService(store::Database& db, const core::Clock& clock, const auth::AuditLog& audit,
                         VendorRegistry& vendors, std::string identifier_scheme, ReportThrottle throttle,
                         std::optional<core::TimeZone> zone)
    : db_(db),
      clock_(clock),
      audit_(audit),
      vendors_(vendors),
      identifier_scheme_(std::move(identifier_scheme)),
      throttle_(throttle),
      zone_(zone ? std::move(*zone) : std::move(core::TimeZone::Load("UTC")).value()) {}

core::Result<detail::CaseAccess> CaseService::Check(store::Connection& c, CaseId id, const Caller& caller,
                                                    bool need_detail) {
    return detail::CheckCaseAccess(c, id, caller, need_detail);
}

core::Status CaseService::Event(store::Connection& c, CaseId id, const Caller& caller, std::string_view kind,
                                std::string_view text, std::optional<VendorId> vendor) {
    return detail::AddCaseEvent(c, clock_, id, caller.name(), kind, text, vendor);
}

core::Status CaseService::Audit(store::Connection& c, const Caller& caller, std::string_view action, CaseId id,
                                std::string detail) {
    auto seq = audit_.Append(c, {caller.name(), std::string(action), "case:" + std::to_string(id.value()),
                                 std::move(detail), ""});
    if (!seq.ok()) return seq.error();
    return core::Ok();
}

core::Result<std::string> CaseService::NewIdentifier(store::Connection& c) {
    for (int attempt = 0; attempt < 20; ++attempt) {
        KZ_ASSIGN(auto seq, c.QueryInt("SELECT count(*) + 1 FROM cases"));
        std::string out;
        const std::string& s = identifier_scheme_;
        for (std::size_t i = 0; i < s.size();) {
            if (s.compare(i, 6, "{rand:") == 0 || s.compare(i, 5, "{seq:") == 0) {
                const bool rand = s[i + 1] == 'r';
                const std::size_t close = s.find('}', i);
                const int width = std::atoi(s.substr(i + (rand ? 6 : 5), close - i).c_str());
                if (rand) {
                    for (int d = 0; d < std::clamp(width, 1, 18); ++d) {
                        unsigned char b;
                        core::RandomBytes(&b, 1);
                        out += static_cast<char>('0' + b % 10);
                    }
                } else {
                    std::string n = std::to_string(seq + attempt);
                    if (static_cast<int>(n.size()) < width) n.insert(0, static_cast<std::size_t>(width) - n.size(), '0');
                    out += n;
                }
                i = close + 1;
            } else if (s.compare(i, 6, "{year}") == 0) {
                out += core::FormatRfc3339(clock_.Now()).substr(0, 4);
                i += 6;
            } else {
                out += s[i++];
            }
        }
        KZ_ASSIGN(auto taken, c.QueryInt("SELECT count(*) FROM cases WHERE identifier = ?", {out}));
        if (taken == 0) return out;
    }
    return core::Internal("could not find a free case identifier with scheme " + identifier_scheme_);
}

core::Result<Receipt> CaseService::Submit(const NewCase& r, const Caller& caller, std::string_view remote_ip) {
    if (r.title.empty() || r.title.size() > 300) return core::InvalidArgument("must be 1-300 characters", "title");
    if (r.summary.size() > 20000) return core::InvalidArgument("must be at most 20000 characters", "summary");
    if (r.details.empty()) return core::InvalidArgument("describe the vulnerability", "details");
    if (r.details.size() > 200000) return core::InvalidArgument("must be at most 200000 characters", "details");
    if (!caller.principal && r.reporter_email.find('@') == std::string::npos)
        return core::InvalidArgument("an e-mail address is needed to reach you", "reporter_email");
    if (r.keywords.size() + r.components.size() + r.products.size() > 200)
        return core::InvalidArgument("at most 200 keywords, components and products", "keywords");
    // Only coordinators record cases from overseas coordinators or the domestic reception body.
    if (!caller.staff() && r.source != Source::kFinder && r.source != Source::kOther)
        return core::PermissionDenied("only coordinators record cases from coordinating bodies");

    core::RandomIdGenerator ids;
    const std::string now = core::FormatRfc3339(clock_.Now());
    const bool throttled = !remote_ip.empty() && !caller.staff();
    const std::string throttle_key = "ip:" + std::string(remote_ip);
    const std::int64_t now_us = core::ToUnixMicros(clock_.Now());
    const std::int64_t window_us = std::chrono::duration_cast<std::chrono::microseconds>(throttle_.window).count();
    return db_.InTransaction<Receipt>([&](store::Connection& c) -> core::Result<Receipt> {
        if (throttled) {
            // Counted and checked in the insert's write transaction: parallel submissions cannot overrun it.
            KZ_ASSIGN(auto recent, c.QueryInt("SELECT count(*) FROM report_submissions WHERE key = ? AND at_us > ?",
                                              {throttle_key, now_us - window_us}));
            if (recent >= throttle_.max_reports)
                return core::ResourceExhausted("too many reports from this address; please try again later");
            KZ_TRY(c.Exec("INSERT INTO report_submissions(key, at_us) VALUES (?, ?)", {throttle_key, now_us}));
            KZ_TRY(c.Exec("DELETE FROM report_submissions WHERE at_us <= ?", {now_us - std::max(window_us, kDayUs)}));
        }
        KZ_ASSIGN(std::string identifier, NewIdentifier(c));
        const std::string receipt = ids.NewReceiptId("R");
        const bool reporter_account = caller.principal && !caller.staff();
        KZ_TRY(c.Exec("INSERT INTO cases(identifier, receipt_id, title, summary, details, source, reporter_user_id,"
                      " reporter_name, reporter_email, reporter_lang, state, created_at)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'received', ?)",
                      {identifier, receipt, r.title, r.summary, r.details, std::string(Name(r.source)),
                       reporter_account ? store::Value(caller.principal->id.value()) : store::Null(),
                       r.reporter_name.empty() && caller.principal ? caller.principal->display_name : r.reporter_name,
                       r.reporter_email, std::string(Name(r.reporter_lang)), now}));
        const CaseId id(c.LastInsertId());
        for (const auto& k : r.keywords)
            if (!Lower(k).empty())
                KZ_TRY(c.Exec("INSERT OR IGNORE INTO case_terms(case_id, kind, value) VALUES (?, 'keyword', ?)",
                              {id.value(), Lower(k)}));
        for (const auto& comp : r.components)
            if (!Lower(comp.name).empty())
                KZ_TRY(c.Exec("INSERT OR IGNORE INTO case_terms(case_id, kind, value, version) VALUES (?, 'component', ?, ?)",
                              {id.value(), Lower(comp.name), comp.version}));
        for (const auto& p : r.products)
            if (!Lower(p).empty())
                KZ_TRY(c.Exec("INSERT OR IGNORE INTO case_terms(case_id, kind, value) VALUES (?, 'product', ?)",
                              {id.value(), Lower(p)}));
        KZ_TRY(Event(c, id, caller, "case.received", "source " + std::string(Name(r.source))));
        KZ_TRY(Audit(c, caller, "case.submit", id, "{\"receipt\":\"" + receipt + "\"}"));
        return Receipt{id, identifier, receipt};
    });
}

core::Status CaseService::Verify(CaseId id, Verification result, std::string_view note, const Caller& caller) {
    if (result == Verification::kPending) return core::InvalidArgument("choose an outcome", "verification");
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_ASSIGN(detail::CaseAccess a, Check(c, id, caller, true));
        if (!a.staff) return core::NotFound("no such case");
        if (a.state != CaseState::kReceived && a.state != CaseState::kVerified && a.state != CaseState::kRejected)
            return core::FailedPrecondition("the case is already being coordinated");
        const CaseState state = result == Verification::kReproduced ? CaseState::kVerified : CaseState::kRejected;
        KZ_TRY(c.Exec("UPDATE cases SET verification = ?, verification_note = ?, state = ?,"
                      " handling_started_at = CASE WHEN ? = 'verified' AND handling_started_at = '' THEN ?"
                      " ELSE handling_started_at END WHERE id = ?",
                      {std::string(Name(result)), std::string(note), std::string(Name(state)), std::string(Name(state)),
                       core::FormatRfc3339(clock_.Now()), id.value()}));
        KZ_TRY(Event(c, id, caller, "case.verified", std::string(Name(result)) + (note.empty() ? "" : ": " + std::string(note))));
        return Audit(c, caller, "case.verify", id, "{\"result\":\"" + std::string(Name(result)) + "\"}");
    });
}

core::Result<std::vector<CaseListItem>> CaseService::List(const Caller& caller, const CaseFilter& filter) {
    if (!caller.principal) return core::Unauthenticated("log in to see cases");
    KZ_ASSIGN(auto lease, db_.Acquire());
    // The WHERE clause restricts rows by role before anything is read: staff see all, a vendor the cases
    // it takes part in (level above none), a reporter its own reports, everyone else nothing.
    std::string sql =
        "SELECT c.id, c.identifier, c.title, c.source, c.state, c.verification, c.created_at,"
        // Staff count every vendor of the case; anyone else only what they may know: their own vendor.
        " (SELECT count(*) FROM case_vendors v WHERE v.case_id = c.id AND (? OR (v.vendor_id = ? AND"
        " v.level != 'none'))),"
        " coalesce(me.level, 'none'), coalesce(me.status, 'unknown')"
        " FROM cases c LEFT JOIN case_vendors me ON me.case_id = c.id AND me.vendor_id = ?"
        " WHERE ";
    const store::Value my_vendor =
        caller.vendor ? store::Value(caller.vendor->value()) : store::Value(std::int64_t{0});
    std::vector<store::Value> params{std::int64_t{caller.staff() ? 1 : 0}, my_vendor, my_vendor};
    if (caller.staff()) {
        sql += "1";
    } else if (caller.principal->role == auth::Role::kVendor || caller.principal->role == auth::Role::kPartner) {
        sql += "(me.level IN ('summary','detail') OR c.reporter_user_id = ?)";  // notified, or reported by them
        params.push_back(caller.principal->id.value());
    } else if (caller.principal->role == auth::Role::kReporter) {
        sql += "c.reporter_user_id = ?";
        params.push_back(caller.principal->id.value());
    } else {
        sql += "0";
    }
    if (filter.state) {
        sql += " AND c.state = ?";
        params.push_back(std::string(Name(*filter.state)));
    }
    if (filter.source) {
        sql += " AND c.source = ?";
        params.push_back(std::string(Name(*filter.source)));
    }
    if (!filter.text.empty()) {
        sql += " AND (c.identifier LIKE ? OR c.title LIKE ?)";
        params.push_back("%" + filter.text + "%");
        params.push_back("%" + filter.text + "%");
    }
    sql += " ORDER BY c.id DESC LIMIT 500";
    KZ_ASSIGN(auto rows, lease->Query(sql, params));
    std::vector<CaseListItem> out;
    for (const auto& r : rows) {
        CaseListItem item;
        item.id = CaseId(r.Int(0));
        item.identifier = r.Text(1);
        item.title = r.Text(2);
        item.source = ParseSource(r.Text(3)).value_or(Source::kOther);
        item.state = ParseCaseState(r.Text(4)).value_or(CaseState::kReceived);
        item.verification = ParseVerification(r.Text(5)).value_or(Verification::kPending);
        item.created_at = r.Text(6);
        item.vendor_count = static_cast<int>(r.Int(7));
        item.caller_level = ParseLevel(r.Text(8)).value_or(Level::kNone);
        item.caller_status = ParseVendorStatus(r.Text(9)).value_or(VendorStatus::kUnknown);
        out.push_back(std::move(item));
    }
    return out;
}

core::Result<CaseId> CaseService::FindByIdentifier(std::string_view identifier, const Caller& caller) {
    // Before any lookup: an anonymous caller must not tell real identifiers (or receipt ids) from others.
    if (!caller.principal) return core::Unauthenticated("log in to see cases");
    KZ_ASSIGN(auto lease, db_.Acquire());
    KZ_ASSIGN(auto row, lease->QueryOne("SELECT id FROM cases WHERE identifier = ? OR receipt_id = ?",
                                        {std::string(identifier), std::string(identifier)}));
    if (!row) return core::NotFound("no such case");
    const CaseId id(row->Int(0));
    KZ_TRY(Check(*lease, id, caller, false));  // the same answer as for a case that does not exist
    return id;
}

core::Result<CaseReference> CaseService::Reference(CaseId id, const Caller& caller) {
    KZ_ASSIGN(auto lease, db_.Acquire());
    KZ_TRY(Check(*lease, id, caller, false));
    KZ_ASSIGN(auto row, lease->QueryOne("SELECT identifier, published FROM cases WHERE id = ?", {id.value()}));
    if (!row) return core::NotFound("no such case");
    return CaseReference{id, row->Text(0), row->Int(1) != 0};
}

core::Result<CaseView> CaseService::Get(CaseId id, const Caller& caller) {
    KZ_ASSIGN(auto lease, db_.Acquire());
    store::Connection& c = *lease;
    KZ_ASSIGN(detail::CaseAccess a, Check(c, id, caller, false));
    KZ_ASSIGN(auto row, c.QueryOne("SELECT identifier, receipt_id, title, summary, details, source, state, verification,"
                                   " verification_note, created_at, reporter_name, reporter_email, owner_user_id,"
                                   " (SELECT CASE WHEN u.display_name != '' THEN u.display_name ELSE u.name END"
                                   " FROM users u WHERE u.id = cases.owner_user_id), closed_reason FROM cases WHERE id = ?",
                                   {id.value()}));
    if (!row) return core::NotFound("no such case");
    CaseView v;
    v.id = id;
    v.identifier = row->Text(0);
    v.title = row->Text(2);
    v.summary = row->Text(3);
    v.source = ParseSource(row->Text(5)).value_or(Source::kOther);
    v.state = a.state;
    v.verification = ParseVerification(row->Text(7)).value_or(Verification::kPending);
    v.created_at = row->Text(9);
    v.caller_level = a.level;
    v.caller_is_reporter = a.reporter;
    if (a.detail_allowed) v.details = row->Text(4);
    if (a.staff || a.reporter) {
        v.receipt_id = row->Text(1);
        v.verification_note = row->Text(8);
    }
    if (a.staff) {
        v.reporter_name = row->Text(10);
        v.reporter_email = row->Text(11);
        if (!row->IsNull(12)) v.owner = auth::UserId(row->Int(12));
        if (!row->IsNull(13)) v.owner_name = row->Text(13);
        v.closed_reason = row->Text(14);
    }
    // Terms name technologies and components: technical hints, so only with detail access; a summary
    // vendor sees the keywords only (the summary notice asks about them).
    KZ_ASSIGN(auto terms, c.Query("SELECT kind, value, version FROM case_terms WHERE case_id = ? ORDER BY kind, value",
                                  {id.value()}));
    for (const auto& t : terms)
        if (a.detail_allowed || t.Text(0) == "keyword") v.terms.push_back({t.Text(0), t.Text(1), t.Text(2)});
    if (a.staff || a.vendor) {
        KZ_ASSIGN(auto vendors,
                  c.Query("SELECT cv.vendor_id, v.name, v.registration_kind, v.registration_state, cv.level, cv.answer,"
                          " cv.status, cv.status_text, cv.status_urls, cv.status_at, cv.summary_sent_at, cv.details_sent_at,"
                          " coalesce(s.name, ''),"
                          " (SELECT count(*) FROM vendor_keys k WHERE k.vendor_id = cv.vendor_id AND k.can_encrypt = 1),"
                          " r.affected_products, r.plan, r.schedule"
                          " FROM case_vendors cv JOIN vendors v ON v.id = cv.vendor_id"
                          " LEFT JOIN vendors s ON s.id = cv.suggested_by"
                          " LEFT JOIN status_reports r ON r.rowid = (SELECT max(x.rowid) FROM status_reports x"
                          " WHERE x.case_id = cv.case_id AND x.vendor_id = cv.vendor_id)"
                          " WHERE cv.case_id = ? ORDER BY v.name",
                          {id.value()}));
        for (const auto& r : vendors) {
            const VendorId vid(r.Int(0));
            if (!a.staff && !(a.vendor && *a.vendor == vid)) continue;  // a vendor sees its own row only
            CaseVendor cv{vid,
                          r.Text(1),
                          ParseRegistrationKind(r.Text(2)).value_or(RegistrationKind::kUnregistered),
                          ParseRegistrationState(r.Text(3)).value_or(RegistrationState::kUnregistered),
                          ParseLevel(r.Text(4)).value_or(Level::kNone),
                          ParseAnswer(r.Text(5)).value_or(Answer::kNone),
                          ParseVendorStatus(r.Text(6)).value_or(VendorStatus::kUnknown),
                          r.Text(7),
                          detail::SplitLines(r.Text(8)),
                          r.Text(9),
                          r.Text(10),
                          r.Text(11),
                          r.Text(12),
                          r.Int(13) > 0};
            if (!r.IsNull(14)) {
                cv.affected_products = r.Text(14);
                cv.plan = r.Text(15);
                cv.schedule = r.Text(16);
            }
            v.vendors.push_back(std::move(cv));
        }
    }
    if (a.detail_allowed) {
        KZ_ASSIGN(auto atts, c.Query("SELECT id, name, kind, media_type, length(content), sha256 FROM case_attachments"
                                     " WHERE case_id = ? ORDER BY id",
                                     {id.value()}));
        for (const auto& r : atts)
            v.attachments.push_back({r.Int(0), r.Text(1), ParseAttachmentKind(r.Text(2)).value_or(AttachmentKind::kDetail),
                                     r.Text(3), r.Int(4), r.Text(5)});
    }
    if (!a.staff && a.detail_allowed) {
        // Reading embargoed detail as a non-coordinator is a disclosure: audit it.
        KZ_TRY(c.BeginWrite());
        core::Status st = Audit(c, caller, "case.read_detail", id, "");
        if (!st.ok()) {
            (void)c.Rollback();
            return st.error();
        }
        KZ_TRY(c.Commit());
    }
    return v;
}

core::Result<std::vector<SuggestedVendor>> CaseService::SuggestVendors(CaseId id, const Caller& caller) {
    std::vector<CaseTerm> terms;
    std::vector<std::int64_t> in_case;
    {
        KZ_ASSIGN(auto lease, db_.Acquire());
        KZ_ASSIGN(detail::CaseAccess a, Check(*lease, id, caller, true));
        if (!a.staff) return core::NotFound("no such case");
        KZ_ASSIGN(auto rows, lease->Query("SELECT kind, value, version FROM case_terms WHERE case_id = ?", {id.value()}));
        for (const auto& r : rows) {
            const MatchKind kind = r.Text(0) == "keyword"     ? MatchKind::kKeyword
                                   : r.Text(0) == "component" ? MatchKind::kComponent
                                                              : MatchKind::kProduct;
            terms.push_back({kind, r.Text(1), r.Text(2)});
        }
        KZ_ASSIGN(auto members, lease->Query("SELECT vendor_id FROM case_vendors WHERE case_id = ?", {id.value()}));
        for (const auto& r : members) in_case.push_back(r.Int(0));
    }
    KZ_ASSIGN(auto matcher, vendors_.Matcher());
    std::vector<SuggestedVendor> out;
    for (Candidate& cand : matcher->Match(terms, 50)) {
        auto vendor = vendors_.Get(VendorId(cand.vendor_id));
        if (!vendor.ok()) continue;
        const bool member = std::find(in_case.begin(), in_case.end(), cand.vendor_id) != in_case.end();
        out.push_back({std::move(cand), vendor->name, vendor->kind, vendor->state, member});
    }
    return out;
}

core::Result<std::vector<std::pair<std::string, std::int64_t>>> CaseService::CountByState() {
    KZ_ASSIGN(auto lease, db_.Acquire());
    KZ_ASSIGN(auto rows, lease->Query("SELECT state, count(*) FROM cases GROUP BY state ORDER BY state"));
    std::vector<std::pair<std::string, std::int64_t>> out;
    for (const auto& r : rows) out.emplace_back(r.Text(0), r.Int(1));
    return out;
}

}  // namespace kizuna::vuln
