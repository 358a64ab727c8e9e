// The publication schedule of a case (seed 001 section 4; V5, V8-V10): the 45-day default target, the
// coordinator's proposal and decision, vendors accepting or asking for another date, the release of the
// case at the decided instant (exactly once, by the durable scheduler), a leak bringing the date forward,
// reminders to silent vendors, and the 3-month clock that makes a vendor unreachable.
//
// The date itself is confidential until publication (V10): only staff and vendors taking part see it.
#pragma once

#include <functional>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "auth/audit.hpp"
#include "core/clock.hpp"
#include "core/time_zone.hpp"
#include "store/store.hpp"
#include "vuln/cases.hpp"

namespace kizuna::sched {
class Scheduler;
}

namespace kizuna::vuln {

inline constexpr std::chrono::days kDefaultPublicationWindow{45};
// Seed 001 2-3: a vendor is unreachable when it has not answered within three months of the first contact
// attempt — calendar months in the center's time zone (12 Jan → from 12 Apr; 1 Jun → from 1 Sep).
inline constexpr int kUnreachableAfterMonths = 3;
// The first instant a vendor first contacted at `first_attempt` may be declared unreachable: 00:00 in `zone`
// of the day three calendar months later (see core::TimeZone::StartOfDayMonthsLater).
core::WallTime UnreachableFrom(core::WallTime first_attempt, const core::TimeZone& zone);
// The instant the case page proposes by default: the day of the 45-day target in the center's zone, at
// `hour`:00 local (vuln.publication_hour) — a business hour, not the minute handling happened to start.
core::WallTime DefaultPublicationInstant(core::WallTime handling_started, const core::TimeZone& zone, int hour);
inline constexpr std::string_view kPublishJob = "vuln.publish";
inline constexpr std::string_view kReminderJob = "vuln.reminder";
inline constexpr std::string_view kUnreachableJob = "vuln.unreachable_check";

enum class DateAnswer { kNone, kAccepted, kChangeRequested };

struct VendorDate {
    VendorId vendor;
    std::string name;
    Level level;
    VendorStatus status;
    DateAnswer answer;
    bool unreachable;
    std::string unreachable_since;
    std::string answer_for;       // the date the answer was given for ('' for none)
    bool agreed_current = false;  // accepted the case's current date (ScheduleView::current_date)
};

struct ChangeRequest {
    std::int64_t id;
    VendorId vendor;
    std::string vendor_name;
    std::string requested_at;
    std::string reason;
    std::string state;
};

struct ScheduleView {
    std::string handling_started_at;
    std::string default_target;      // handling start + 45 days
    std::string proposed_at;         // open proposal, if any
    std::string proposal_reason;
    std::string publish_at;          // decided instant
    std::string publish_reason;
    bool published = false;
    std::string published_at;
    std::string leak_risk;           // "normal" or "high"
    // The date vendors answer to: the open proposal, else the decided instant ('' when neither). A new
    // date needs a new answer from everyone (V9), so an acceptance counts only for this date.
    std::string current_date;
    std::vector<VendorDate> vendors;         // staff: all; a vendor: its own row
    std::vector<ChangeRequest> change_requests;  // staff: all; a vendor: its own
};

struct UnreachableCandidate {
    VendorId vendor;
    std::string name;
    std::string first_attempt;
    int attempts;
    std::string candidate_from;  // UnreachableFrom(first_attempt)
};

class ScheduleService {
  public:
    // `zone` is the center's time zone (web.time_zone): the unreachable rule counts calendar months in it.
    ScheduleService(store::Database& db, const core::Clock& clock, const auth::AuditLog& audit, core::TimeZone zone)
        : db_(db), clock_(clock), audit_(audit), zone_(std::move(zone)) {}
    // The same in UTC (tests, tools without a configured zone).
    ScheduleService(store::Database& db, const core::Clock& clock, const auth::AuditLog& audit);

    const core::TimeZone& zone() const { return zone_; }

    core::Result<ScheduleView> View(CaseId id, const Caller& caller);
    // Proposes a date to the vendors of a multi-vendor case. A date other than the 45-day default needs a
    // reason (vendor fix time, overseas coordination, leak risk).
    core::Status Propose(CaseId id, core::WallTime at, std::string_view reason, const Caller& caller);
    // A vendor's answer to the current date (the open proposal, else the decided date). FailedPrecondition
    // when there is neither.
    core::Status Accept(CaseId id, const Caller& caller);
    // A vendor asks for another date; returns the request's id. The reason stays with the request: only
    // coordinators and the asking vendor ever see it (never the case's publish_reason).
    core::Result<std::int64_t> RequestChange(CaseId id, core::WallTime wanted, std::string_view reason,
                                             const Caller& caller);
    // The coordinator decides (silent vendors do not block it): the instant is sent to every participant and
    // the release is scheduled; reminders go to vendors still 'unknown' 7 days and 1 day before.
    core::Status Decide(CaseId id, core::WallTime at, std::string_view reason, const Caller& caller);
    core::Status DecideChange(CaseId id, std::int64_t request, bool grant, const Caller& caller);
    // A leak brings the date forward (default: now), with a recorded reason, notifying everyone at once.
    core::Status ReportLeak(CaseId id, std::string_view reason, std::optional<core::WallTime> at, const Caller& caller);
    core::Status SetLeakRisk(CaseId id, bool high, const Caller& caller);

    // V5: vendors whose first contact attempt is three months old without an answer.
    core::Result<std::vector<UnreachableCandidate>> UnreachableCandidates(CaseId id, const Caller& caller);
    core::Status DeclareUnreachable(CaseId id, VendorId vendor, const Caller& caller);

    // Job handlers (run by sched::Scheduler inside the job's transaction).
    core::Status Release(store::Connection& conn, CaseId id);
    core::Status Remind(store::Connection& conn, CaseId id);
    core::Status ProposeUnreachable(store::Connection& conn, CaseId id, VendorId vendor);

    // Registers the handlers above with the scheduler.
    void RegisterJobs(sched::Scheduler& scheduler);

  private:
    // The values of a schedule template for one language and one addressee (vendor or organisation name).
    using ValuesFor = std::function<MailValues(MailLang, const std::string& recipient)>;
    core::Status Notify(store::Connection& c, CaseId id, std::string_view template_name, const ValuesFor& values,
                        const std::string& actor);
    core::Status Event(store::Connection& c, CaseId id, std::string_view actor, std::string_view kind,
                       std::string_view text, std::optional<VendorId> vendor = std::nullopt);
    core::Status NotifyRelatedBodies(store::Connection& c, CaseId id, std::string_view template_name,
                                     const ValuesFor& values);
    core::Status ScheduleRelease(store::Connection& c, CaseId id, core::WallTime at);
    // Sets the decided instant (inside the caller's transaction): proposals superseded, release scheduled,
    // answers for another date reset, everyone told. `public_reason` is visible to every vendor of the case.
    core::Status DecideIn(store::Connection& c, CaseId id, core::WallTime at, const std::string& public_reason,
                          const std::string& identifier, const Caller& caller);

    store::Database& db_;
    const core::Clock& clock_;
    const auth::AuditLog& audit_;
    core::TimeZone zone_;
};

}  // namespace kizuna::vuln
