// The publication schedule of a case (seed 001 section 4; V5, V8-V10): the 45-day default target, the
// coordinator's proposal and decision, vendors accepting or asking for another date, the release of the
// case at the decided instant (exactly once, by the durable scheduler), a leak bringing the date forward,
// reminders to silent vendors, and the 3-month clock that makes a vendor unreachable.
//
// The date itself is confidential until publication (V10): only staff and vendors taking part see it.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "auth/audit.hpp"
#include "core/clock.hpp"
#include "store/store.hpp"
#include "vuln/cases.hpp"

namespace kizuna::sched {
class Scheduler;
}

namespace kizuna::vuln {

inline constexpr std::chrono::days kDefaultPublicationWindow{45};
inline constexpr std::chrono::days kUnreachableAfter{91};  // three months from the first contact attempt
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
    std::vector<VendorDate> vendors;         // staff: all; a vendor: its own row
    std::vector<ChangeRequest> change_requests;  // staff: all; a vendor: its own
};

struct UnreachableCandidate {
    VendorId vendor;
    std::string name;
    std::string first_attempt;
    int attempts;
};

class ScheduleService {
  public:
    ScheduleService(store::Database& db, const core::Clock& clock, const auth::AuditLog& audit)
        : db_(db), clock_(clock), audit_(audit) {}

    core::Result<ScheduleView> View(CaseId id, const Caller& caller);
    // Proposes a date to the vendors of a multi-vendor case. A date other than the 45-day default needs a
    // reason (vendor fix time, overseas coordination, leak risk).
    core::Status Propose(CaseId id, core::WallTime at, std::string_view reason, const Caller& caller);
    // A vendor's answer to the proposal.
    core::Status Accept(CaseId id, const Caller& caller);
    core::Status RequestChange(CaseId id, core::WallTime wanted, std::string_view reason, const Caller& caller);
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
    core::Status Notify(store::Connection& c, CaseId id, const std::string& subject, const std::string& body,
                        const std::string& actor);
    core::Status Event(store::Connection& c, CaseId id, std::string_view actor, std::string_view kind,
                       std::string_view text, std::optional<VendorId> vendor = std::nullopt);
    core::Status NotifyRelatedBodies(store::Connection& c, CaseId id, const std::string& subject,
                                     const std::string& body);
    core::Status ScheduleRelease(store::Connection& c, CaseId id, core::WallTime at);

    store::Database& db_;
    const core::Clock& clock_;
    const auth::AuditLog& audit_;
};

}  // namespace kizuna::vuln
