#include "vuln/schedule.hpp"

#include "sched/sched.hpp"
#include "vuln/internal/case_access.hpp"
#include "vuln/internal/recipients.hpp"

namespace kizuna::vuln {
namespace {

DateAnswer ParseDateAnswer(std::string_view s) {
    if (s == "accepted") return DateAnswer::kAccepted;
    if (s == "change_requested") return DateAnswer::kChangeRequested;
    return DateAnswer::kNone;
}

std::string CaseKey(std::string_view prefix, CaseId id) { return std::string(prefix) + ":case:" + std::to_string(id.value()); }

// What every vendor of the case reads as the reason of a date granted on a vendor's request: the request's
// own reason stays with the request (coordinators and that vendor only).
constexpr std::string_view kGrantedReason = "changed at a vendor's request";

// A new date needs a new answer from everyone (V9): answers for any other date go back to 'none'.
core::Status ResetAnswers(store::Connection& c, CaseId id, const std::string& new_date) {
    return c.Exec("UPDATE case_vendors SET date_answer = 'none', date_answer_for = '' WHERE case_id = ?"
                  " AND NOT (date_answer = 'accepted' AND date_answer_for = ?)",
                  {id.value(), new_date});
}

// The date vendors answer to: the open proposal, else the decided instant.
core::Result<std::string> CurrentDate(store::Connection& c, CaseId id) {
    KZ_ASSIGN(auto proposal, c.QueryOne("SELECT publish_at FROM schedule_proposals WHERE case_id = ? AND"
                                        " state = 'proposed' ORDER BY id DESC LIMIT 1",
                                        {id.value()}));
    if (proposal) return proposal->Text(0);
    KZ_ASSIGN(auto row, c.QueryOne("SELECT publish_at, published FROM cases WHERE id = ?", {id.value()}));
    if (!row || row->Int(1) != 0) return std::string();
    return row->Text(0);
}

// A reason placeholder never renders empty: "なし" / "none".
std::string ReasonOrNone(const std::string& reason, MailLang lang) {
    if (!reason.empty()) return reason;
    return lang == MailLang::kJa ? "なし" : "none";
}

}  // namespace

core::WallTime UnreachableFrom(core::WallTime first_attempt, const core::TimeZone& zone) {
    return zone.StartOfDayMonthsLater(first_attempt, kUnreachableAfterMonths);
}

core::WallTime DefaultPublicationInstant(core::WallTime handling_started, const core::TimeZone& zone, int hour) {
    return zone.AtLocalHour(handling_started + kDefaultPublicationWindow, hour);
}

ScheduleService::ScheduleService(store::Database& db, const core::Clock& clock, const auth::AuditLog& audit)
    : ScheduleService(db, clock, audit, std::move(core::TimeZone::Load("UTC")).value()) {}

core::Status ScheduleService::Event(store::Connection& c, CaseId id, std::string_view actor, std::string_view kind,
                                    std::string_view text, std::optional<VendorId> vendor) {
    return detail::AddCaseEvent(c, clock_, id, actor, kind, text, vendor);
}

// Tells every vendor told anything so far (and only them), through its thread and the mail queue: each
// e-mail contact in its own language; the thread keeps the text as the primary contact reads it.
core::Status ScheduleService::Notify(store::Connection& c, CaseId id, std::string_view template_name,
                                     const ValuesFor& values, const std::string& actor) {
    KZ_ASSIGN(auto vendors, c.Query("SELECT cv.vendor_id, v.name FROM case_vendors cv JOIN vendors v ON v.id ="
                                    " cv.vendor_id WHERE cv.case_id = ? AND cv.level != 'none' ORDER BY cv.vendor_id",
                                    {id.value()}));
    const std::string now = core::FormatRfc3339(clock_.Now());
    for (const auto& v : vendors) {
        const VendorId vendor(v.Int(0));
        const std::string name = v.Text(1);
        KZ_ASSIGN(auto recipients, detail::VendorRecipients(c, vendor));
        KZ_ASSIGN(auto queued, detail::QueueForRecipients(c, clock_, id, vendor, recipients, template_name,
                                                          [&](MailLang lang) { return values(lang, name); }));
        MailText text;
        if (!queued.empty()) {
            text = queued.front().text;
        } else {
            KZ_ASSIGN(text, RenderMail(c, template_name, MailLang::kJa, values(MailLang::kJa, name)));
        }
        KZ_TRY(c.Exec("INSERT INTO messages(case_id, thread, author, author_role, body, at) VALUES (?, ?, ?, ?, ?, ?)",
                      {id.value(), "vendor:" + std::to_string(vendor.value()), actor, "coordinator",
                       text.subject + "\n\n" + text.body, now}));
    }
    return core::Ok();
}

// The related bodies hear the decided instant too (V8): overseas coordinators of the case and related
// organisations that were approved to receive the information, each in its language. Mail only; vendor_id NULL.
core::Status ScheduleService::NotifyRelatedBodies(store::Connection& c, CaseId id, std::string_view template_name,
                                                  const ValuesFor& values) {
    KZ_ASSIGN(auto rows, c.Query("SELECT contact_email, name, lang FROM case_coordinators WHERE case_id = ? AND"
                                 " contact_email != '' UNION SELECT email, name, lang FROM related_orgs WHERE"
                                 " case_id = ? AND state = 'approved'",
                                 {id.value(), id.value()}));
    for (const auto& r : rows) {
        const std::string name = r.Text(1);
        const std::vector<detail::MailRecipient> to{{r.Text(0), MailLangOr(r.Text(2)), ""}};
        KZ_ASSIGN(auto queued, detail::QueueForRecipients(c, clock_, id, std::nullopt, to, template_name,
                                                          [&](MailLang lang) { return values(lang, name); }));
        (void)queued;
    }
    return core::Ok();
}

core::Status ScheduleService::ScheduleRelease(store::Connection& c, CaseId id, core::WallTime at) {
    const std::string payload = std::to_string(id.value());
    KZ_TRY(sched::Scheduler::Schedule(c, kPublishJob, at, payload, CaseKey("publish", id)));
    for (auto before : {std::chrono::hours(24 * 7), std::chrono::hours(24)}) {
        const core::WallTime when = at - before;
        const std::string key = CaseKey(before.count() == 24 ? "remind1" : "remind7", id);
        if (when > clock_.Now()) {
            KZ_TRY(sched::Scheduler::Schedule(c, kReminderJob, when, payload, key));
        } else {
            KZ_TRY(sched::Scheduler::Cancel(c, key));
        }
    }
    return core::Ok();
}

core::Result<ScheduleView> ScheduleService::View(CaseId id, const Caller& caller) {
    KZ_ASSIGN(auto lease, db_.Acquire());
    store::Connection& c = *lease;
    KZ_ASSIGN(detail::CaseAccess a, detail::CheckCaseAccess(c, id, caller, false));
    if (!a.staff && !a.vendor) return core::NotFound("no such case");  // the date is confidential (V10)
    KZ_ASSIGN(auto row, c.QueryOne("SELECT handling_started_at, publish_at, publish_reason, published, published_at,"
                                   " leak_risk FROM cases WHERE id = ?",
                                   {id.value()}));
    ScheduleView v;
    v.handling_started_at = row->Text(0);
    if (auto start = core::ParseRfc3339(v.handling_started_at))
        v.default_target = core::FormatRfc3339(*start + kDefaultPublicationWindow);
    v.publish_at = row->Text(1);
    v.publish_reason = row->Text(2);
    v.published = row->Int(3) != 0;
    v.published_at = row->Text(4);
    v.leak_risk = row->Text(5);
    // A vendor's reason for a date change is never the case's reason (V10, other vendors read this): rows
    // written before that rule hold it, so they are not shown to vendors.
    if (!a.staff && v.publish_reason.rfind("date change requested by a vendor", 0) == 0)
        v.publish_reason = std::string(kGrantedReason);
    KZ_ASSIGN(v.current_date, CurrentDate(c, id));
    KZ_ASSIGN(auto proposal, c.QueryOne("SELECT publish_at, reason FROM schedule_proposals WHERE case_id = ? AND"
                                        " state = 'proposed' ORDER BY id DESC LIMIT 1",
                                        {id.value()}));
    if (proposal) {
        v.proposed_at = proposal->Text(0);
        v.proposal_reason = proposal->Text(1);
    }
    KZ_ASSIGN(auto vendors, c.Query("SELECT cv.vendor_id, v.name, cv.level, cv.status, cv.date_answer, cv.unreachable,"
                                    " cv.unreachable_since, cv.date_answer_for FROM case_vendors cv"
                                    " JOIN vendors v ON v.id = cv.vendor_id WHERE cv.case_id = ? ORDER BY v.name",
                                    {id.value()}));
    for (const auto& r : vendors) {
        const VendorId vid(r.Int(0));
        if (!a.staff && !(a.vendor && *a.vendor == vid)) continue;
        VendorDate d{vid, r.Text(1), ParseLevel(r.Text(2)).value_or(Level::kNone),
                     ParseVendorStatus(r.Text(3)).value_or(VendorStatus::kUnknown), ParseDateAnswer(r.Text(4)),
                     r.Int(5) != 0, r.Text(6), r.Text(7)};
        d.agreed_current = d.answer == DateAnswer::kAccepted && !v.current_date.empty() && d.answer_for == v.current_date;
        v.vendors.push_back(std::move(d));
    }
    KZ_ASSIGN(auto requests, c.Query("SELECT r.id, r.vendor_id, v.name, r.requested_at, r.reason, r.state FROM"
                                     " date_change_requests r JOIN vendors v ON v.id = r.vendor_id WHERE r.case_id = ?"
                                     " ORDER BY r.id",
                                     {id.value()}));
    for (const auto& r : requests) {
        const VendorId vid(r.Int(1));
        if (!a.staff && !(a.vendor && *a.vendor == vid)) continue;
        v.change_requests.push_back({r.Int(0), vid, r.Text(2), r.Text(3), r.Text(4), r.Text(5)});
    }
    return v;
}

core::Status ScheduleService::Propose(CaseId id, core::WallTime at, std::string_view reason, const Caller& caller) {
    if (reason.size() > 2000) return core::InvalidArgument("must be at most 2000 characters", "reason");
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_ASSIGN(detail::CaseAccess a, detail::CheckCaseAccess(c, id, caller, true));
        if (!a.staff) return core::NotFound("no such case");
        KZ_ASSIGN(auto row, c.QueryOne("SELECT handling_started_at, published, identifier FROM cases WHERE id = ?",
                                       {id.value()}));
        if (row->Int(1) != 0) return core::FailedPrecondition("the case is already published");
        if (at <= clock_.Now()) return core::InvalidArgument("must be in the future", "publish_at");
        const auto start = core::ParseRfc3339(row->Text(0));
        if (!start) return core::FailedPrecondition("verify the report first: handling has not started");
        const auto target = *start + kDefaultPublicationWindow;
        const auto diff = at > target ? at - target : target - at;
        if (diff > std::chrono::hours(24) && reason.empty())
            return core::InvalidArgument("a date other than the 45-day default (" + core::FormatRfc3339(target) +
                                             ") needs a reason: vendor fix time, overseas coordination or leak risk",
                                         "reason");
        KZ_TRY(c.Exec("UPDATE schedule_proposals SET state = 'superseded' WHERE case_id = ? AND state = 'proposed'",
                      {id.value()}));
        KZ_TRY(c.Exec("INSERT INTO schedule_proposals(case_id, publish_at, reason, state, created_at, actor)"
                      " VALUES (?, ?, ?, 'proposed', ?, ?)",
                      {id.value(), core::FormatRfc3339(at), std::string(reason), core::FormatRfc3339(clock_.Now()),
                       caller.name()}));
        KZ_TRY(ResetAnswers(c, id, core::FormatRfc3339(at)));
        const std::string identifier = row->Text(2);
        const std::string why(reason);
        KZ_TRY(Notify(c, id, "schedule.proposed",
                      [&](MailLang lang, const std::string& recipient) {
                          return MailValues{{"identifier", identifier},
                                            {"recipient", recipient},
                                            {"date", FormatMailDate(at, lang, zone_)},
                                            {"reason", ReasonOrNone(why, lang)}};
                      },
                      caller.name()));
        return Event(c, id, caller.name(), "schedule.proposed", core::FormatRfc3339(at));
    });
}

core::Status ScheduleService::Accept(CaseId id, const Caller& caller) {
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_ASSIGN(detail::CaseAccess a, detail::CheckCaseAccess(c, id, caller, false));
        if (!a.vendor) return core::PermissionDenied("only a vendor of the case answers the proposal");
        KZ_ASSIGN(std::string current, CurrentDate(c, id));
        if (current.empty()) return core::FailedPrecondition("there is no proposed or decided date to accept");
        KZ_TRY(c.Exec("UPDATE case_vendors SET date_answer = 'accepted', date_answer_for = ? WHERE case_id = ? AND"
                      " vendor_id = ?",
                      {current, id.value(), a.vendor->value()}));
        return Event(c, id, caller.name(), "schedule.accepted", current, *a.vendor);
    });
}

core::Result<std::int64_t> ScheduleService::RequestChange(CaseId id, core::WallTime wanted, std::string_view reason,
                                                          const Caller& caller) {
    if (reason.empty() || reason.size() > 2000) return core::InvalidArgument("give a reason (1-2000 characters)", "reason");
    return db_.InTransaction<std::int64_t>([&](store::Connection& c) -> core::Result<std::int64_t> {
        KZ_ASSIGN(detail::CaseAccess a, detail::CheckCaseAccess(c, id, caller, false));
        if (!a.vendor) return core::PermissionDenied("only a vendor of the case asks for another date");
        if (wanted <= clock_.Now()) return core::InvalidArgument("must be in the future", "publish_at");
        KZ_TRY(c.Exec("INSERT INTO date_change_requests(case_id, vendor_id, requested_at, reason, created_at)"
                      " VALUES (?, ?, ?, ?, ?)",
                      {id.value(), a.vendor->value(), core::FormatRfc3339(wanted), std::string(reason),
                       core::FormatRfc3339(clock_.Now())}));
        const std::int64_t request = c.LastInsertId();
        KZ_TRY(c.Exec("UPDATE case_vendors SET date_answer = 'change_requested', date_answer_for = '' WHERE"
                      " case_id = ? AND vendor_id = ?",
                      {id.value(), a.vendor->value()}));
        KZ_TRY(Event(c, id, caller.name(), "schedule.change_requested",
                     core::FormatRfc3339(wanted) + ": " + std::string(reason), *a.vendor));
        return request;
    });
}

core::Status ScheduleService::DecideIn(store::Connection& c, CaseId id, core::WallTime at,
                                       const std::string& public_reason, const std::string& identifier,
                                       const Caller& caller) {
    const std::string when = core::FormatRfc3339(at);
    KZ_TRY(c.Exec("UPDATE cases SET publish_at = ?, publish_reason = ? WHERE id = ?", {when, public_reason, id.value()}));
    KZ_TRY(c.Exec("UPDATE schedule_proposals SET state = 'superseded' WHERE case_id = ? AND state = 'proposed'",
                  {id.value()}));
    KZ_TRY(c.Exec("INSERT INTO schedule_proposals(case_id, publish_at, reason, state, created_at, actor)"
                  " VALUES (?, ?, ?, 'decided', ?, ?)",
                  {id.value(), when, public_reason, core::FormatRfc3339(clock_.Now()), caller.name()}));
    KZ_TRY(ScheduleRelease(c, id, at));
    KZ_TRY(ResetAnswers(c, id, when));
    const ValuesFor values = [&](MailLang lang, const std::string& recipient) {
        return MailValues{{"identifier", identifier},
                          {"recipient", recipient},
                          {"date", FormatMailDate(at, lang, zone_)},
                          {"reason", ReasonOrNone(public_reason, lang)}};
    };
    KZ_TRY(Notify(c, id, "schedule.decided", values, caller.name()));
    KZ_TRY(NotifyRelatedBodies(c, id, "schedule.decided", values));
    return Event(c, id, caller.name(), "schedule.decided", when + (public_reason.empty() ? "" : " (" + public_reason + ")"));
}

core::Status ScheduleService::Decide(CaseId id, core::WallTime at, std::string_view reason, const Caller& caller) {
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_ASSIGN(detail::CaseAccess a, detail::CheckCaseAccess(c, id, caller, true));
        if (!a.staff) return core::NotFound("no such case");
        KZ_ASSIGN(auto row, c.QueryOne("SELECT published, identifier, handling_started_at FROM cases WHERE id = ?",
                                       {id.value()}));
        if (row->Int(0) != 0) return core::FailedPrecondition("the case is already published");
        if (row->Text(2).empty()) return core::FailedPrecondition("verify the report first: handling has not started");
        if (at <= clock_.Now()) return core::InvalidArgument("must be in the future", "publish_at");
        if (auto start = core::ParseRfc3339(row->Text(2)); start) {
            const auto target = *start + kDefaultPublicationWindow;
            const auto diff = at > target ? at - target : target - at;
            if (diff > std::chrono::hours(24) && reason.empty())
                return core::InvalidArgument("a date other than the 45-day default needs a reason", "reason");
        }
        return DecideIn(c, id, at, std::string(reason), row->Text(1), caller);
    });
}

core::Status ScheduleService::DecideChange(CaseId id, std::int64_t request, bool grant, const Caller& caller) {
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_ASSIGN(detail::CaseAccess a, detail::CheckCaseAccess(c, id, caller, true));
        if (!a.staff) return core::NotFound("no such case");
        KZ_ASSIGN(auto row, c.QueryOne("SELECT requested_at, state FROM date_change_requests WHERE id = ? AND case_id = ?",
                                       {request, id.value()}));
        if (!row) return core::NotFound("no such change request");
        if (row->Text(1) != "open") return core::FailedPrecondition("the request was already decided");
        const std::string wanted = row->Text(0);
        if (grant) {
            auto at = core::ParseRfc3339(wanted);
            if (!at) return core::Internal("stored date unreadable");
            KZ_ASSIGN(auto kase, c.QueryOne("SELECT published, identifier FROM cases WHERE id = ?", {id.value()}));
            if (kase->Int(0) != 0) return core::FailedPrecondition("the case is already published");
            if (*at <= clock_.Now()) return core::FailedPrecondition("the requested date has passed");
            KZ_TRY(DecideIn(c, id, *at, std::string(kGrantedReason), kase->Text(1), caller));
        }
        KZ_TRY(c.Exec("UPDATE date_change_requests SET state = ?, decided_at = ? WHERE id = ?",
                      {std::string(grant ? "granted" : "refused"), core::FormatRfc3339(clock_.Now()), request}));
        return Event(c, id, caller.name(), grant ? "schedule.change_granted" : "schedule.change_refused", wanted);
    });
}

core::Status ScheduleService::ReportLeak(CaseId id, std::string_view reason, std::optional<core::WallTime> at,
                                         const Caller& caller) {
    if (reason.empty() || reason.size() > 2000) return core::InvalidArgument("record why (1-2000 characters)", "reason");
    const core::WallTime when = at.value_or(clock_.Now());
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_ASSIGN(detail::CaseAccess a, detail::CheckCaseAccess(c, id, caller, true));
        if (!a.staff) return core::NotFound("no such case");
        KZ_ASSIGN(auto row, c.QueryOne("SELECT published, identifier, publish_at FROM cases WHERE id = ?", {id.value()}));
        if (row->Int(0) != 0) return core::FailedPrecondition("the case is already published");
        if (auto current = core::ParseRfc3339(row->Text(2)); current && when >= *current)
            return core::InvalidArgument("a leak brings the date forward: give an earlier instant", "publish_at");
        const std::string stamp = core::FormatRfc3339(when);
        KZ_TRY(c.Exec("UPDATE cases SET publish_at = ?, publish_reason = ?, leak_risk = 'high' WHERE id = ?",
                      {stamp, "leak: " + std::string(reason), id.value()}));
        KZ_TRY(ScheduleRelease(c, id, when));
        KZ_TRY(ResetAnswers(c, id, stamp));
        const std::string identifier = row->Text(1);
        const std::string why(reason);
        const ValuesFor values = [&](MailLang lang, const std::string& recipient) {
            return MailValues{{"identifier", identifier},
                              {"recipient", recipient},
                              {"date", FormatMailDate(when, lang, zone_)},
                              {"reason", why}};
        };
        KZ_TRY(Notify(c, id, "schedule.brought_forward", values, caller.name()));
        KZ_TRY(NotifyRelatedBodies(c, id, "schedule.brought_forward", values));
        auto seq = audit_.Append(c, {caller.name(), "case.leak", "case:" + std::to_string(id.value()),
                                     "{\"publish_at\":\"" + stamp + "\"}", ""});
        if (!seq.ok()) return seq.error();
        return Event(c, id, caller.name(), "schedule.leak", stamp + ": " + std::string(reason));
    });
}

core::Status ScheduleService::SetLeakRisk(CaseId id, bool high, const Caller& caller) {
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_ASSIGN(detail::CaseAccess a, detail::CheckCaseAccess(c, id, caller, true));
        if (!a.staff) return core::NotFound("no such case");
        KZ_TRY(c.Exec("UPDATE cases SET leak_risk = ? WHERE id = ?", {std::string(high ? "high" : "normal"), id.value()}));
        return Event(c, id, caller.name(), "case.leak_risk", high ? "high" : "normal");
    });
}

core::Result<std::vector<UnreachableCandidate>> ScheduleService::UnreachableCandidates(CaseId id, const Caller& caller) {
    KZ_ASSIGN(auto lease, db_.Acquire());
    KZ_ASSIGN(detail::CaseAccess a, detail::CheckCaseAccess(*lease, id, caller, true));
    if (!a.staff) return core::NotFound("no such case");
    KZ_ASSIGN(auto rows, lease->Query("SELECT cv.vendor_id, v.name, min(ca.at), count(ca.id) FROM case_vendors cv"
                                      " JOIN vendors v ON v.id = cv.vendor_id"
                                      " JOIN contact_attempts ca ON ca.case_id = cv.case_id AND ca.vendor_id = cv.vendor_id"
                                      " WHERE cv.case_id = ? AND cv.unreachable = 0 AND cv.answer = 'none'"
                                      " AND cv.status = 'unknown' AND v.registration_state != 'registered'"
                                      " GROUP BY cv.vendor_id",
                                      {id.value()}));
    const core::WallTime now = clock_.Now();
    std::vector<UnreachableCandidate> out;
    for (const auto& r : rows) {
        const auto first = core::ParseRfc3339(r.Text(2));
        if (!first) continue;
        const core::WallTime from = UnreachableFrom(*first, zone_);
        if (now < from) continue;
        out.push_back({VendorId(r.Int(0)), r.Text(1), r.Text(2), static_cast<int>(r.Int(3)), core::FormatRfc3339(from)});
    }
    return out;
}

core::Status ScheduleService::DeclareUnreachable(CaseId id, VendorId vendor, const Caller& caller) {
    KZ_ASSIGN(auto candidates, UnreachableCandidates(id, caller));
    const UnreachableCandidate* found = nullptr;
    for (const auto& cand : candidates)
        if (cand.vendor == vendor) found = &cand;
    if (!found)
        return core::FailedPrecondition("a vendor becomes unreachable only three months after the first contact "
                                        "attempt without an answer");
    const std::string since = found->first_attempt;
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_TRY(c.Exec("UPDATE case_vendors SET unreachable = 1, unreachable_since = ? WHERE case_id = ? AND vendor_id = ?",
                      {since, id.value(), vendor.value()}));
        return Event(c, id, caller.name(), "vendor.unreachable", "contact attempted since " + since, vendor);
    });
}

core::Status ScheduleService::Release(store::Connection& c, CaseId id) {
    KZ_ASSIGN(auto row, c.QueryOne("SELECT published FROM cases WHERE id = ?", {id.value()}));
    if (!row) return core::Ok();  // case gone: nothing to release
    if (row->Int(0) != 0) return core::Ok();  // already released (e.g. brought forward): release happens once
    const std::string now = core::FormatRfc3339(clock_.Now());
    // The release event: one transaction flips the case public; the advisory, feeds and CSAF of the
    // publication issue hang off this same flag so they appear together.
    KZ_TRY(c.Exec("UPDATE cases SET published_at = ? WHERE id = ?", {now, id.value()}));
    auto seq = audit_.Append(c, {"system", "case.publish", "case:" + std::to_string(id.value()), "", ""});
    if (!seq.ok()) return seq.error();
    return Event(c, id, "system", "case.published", now);
}

core::Status ScheduleService::Remind(store::Connection& c, CaseId id) {
    KZ_ASSIGN(auto row, c.QueryOne("SELECT published, identifier, publish_at FROM cases WHERE id = ?", {id.value()}));
    if (!row || row->Int(0) != 0) return core::Ok();
    KZ_ASSIGN(auto silent, c.Query("SELECT cv.vendor_id, v.name FROM case_vendors cv JOIN vendors v ON v.id ="
                                   " cv.vendor_id WHERE cv.case_id = ? AND cv.level = 'detail' AND"
                                   " cv.status = 'unknown' AND cv.unreachable = 0",
                                   {id.value()}));
    const std::string now = core::FormatRfc3339(clock_.Now());
    const std::string identifier = row->Text(1);
    const auto publish_at = core::ParseRfc3339(row->Text(2));
    for (const auto& v : silent) {
        const VendorId vendor(v.Int(0));
        const std::string name = v.Text(1);
        auto values = [&](MailLang lang) {
            return MailValues{{"identifier", identifier},
                              {"recipient", name},
                              {"date", publish_at ? FormatMailDate(*publish_at, lang, zone_) : row->Text(2)}};
        };
        KZ_ASSIGN(auto recipients, detail::VendorRecipients(c, vendor));
        KZ_ASSIGN(auto queued, detail::QueueForRecipients(c, clock_, id, vendor, recipients, "schedule.reminder", values));
        MailText text;
        if (!queued.empty()) {
            text = queued.front().text;
        } else {
            KZ_ASSIGN(text, RenderMail(c, "schedule.reminder", MailLang::kJa, values(MailLang::kJa)));
        }
        KZ_TRY(c.Exec("INSERT INTO messages(case_id, thread, author, author_role, body, at) VALUES (?, ?, 'system', "
                      "'coordinator', ?, ?)",
                      {id.value(), "vendor:" + std::to_string(vendor.value()), text.body, now}));
        KZ_TRY(Event(c, id, "system", "schedule.reminder", "", vendor));
    }
    return core::Ok();
}

core::Status ScheduleService::ProposeUnreachable(store::Connection& c, CaseId id, VendorId vendor) {
    KZ_ASSIGN(auto row, c.QueryOne("SELECT cv.answer, cv.status, cv.unreachable, v.name FROM case_vendors cv"
                                   " JOIN vendors v ON v.id = cv.vendor_id WHERE cv.case_id = ? AND cv.vendor_id = ?",
                                   {id.value(), vendor.value()}));
    if (!row || row->Text(0) != "none" || row->Text(1) != "unknown" || row->Int(2) != 0) return core::Ok();
    return Event(c, id, "system", "vendor.unreachable_proposed",
                 row->Text(3) + ": no answer three months after the first contact attempt; the coordinator may declare "
                                "the vendor unreachable",
                 vendor);
}

void ScheduleService::RegisterJobs(sched::Scheduler& scheduler) {
    auto case_of = [](const sched::Job& job) { return CaseId(std::atoll(job.payload.c_str())); };
    scheduler.Register(std::string(kPublishJob),
                       [this, case_of](store::Connection& c, const sched::Job& job) { return Release(c, case_of(job)); });
    scheduler.Register(std::string(kReminderJob),
                       [this, case_of](store::Connection& c, const sched::Job& job) { return Remind(c, case_of(job)); });
    scheduler.Register(std::string(kUnreachableJob), [this](store::Connection& c, const sched::Job& job) {
        const auto colon = job.payload.find(':');
        return ProposeUnreachable(c, CaseId(std::atoll(job.payload.substr(0, colon).c_str())),
                                  VendorId(std::atoll(job.payload.substr(colon + 1).c_str())));
    });
}

}  // namespace kizuna::vuln
