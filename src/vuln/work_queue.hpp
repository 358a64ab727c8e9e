// The coordinator's work queue (issue 13): who owns a case, when a case is due for the center's next move,
// the dashboard's lists (my cases, unowned new reports, cases waiting on me, overdue cases, messages not yet
// answered) and the staff case list with filters, sorting and pages.
//
// Due rule: a case in an open state (received, verified, coordinating) is due `ResponseDays` for that state
// after its last activity — the report itself or the newest timeline event (state change, notice, message,
// status report…). Anything that happens on the case moves its due date; a case that sits untouched past
// it is overdue. Rejected and closed cases are never due.
//
// Staff only: every method answers NotFound/Unauthenticated to anyone else, as CaseService does.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "auth/audit.hpp"
#include "auth/roles.hpp"
#include "core/clock.hpp"
#include "store/store.hpp"
#include "vuln/cases.hpp"
#include "vuln/types.hpp"

namespace kizuna::vuln {

// Days the center gives itself per open state (config [vuln] response_days = { received = 3, ... }).
struct ResponseDays {
    int received = 3;
    int verified = 5;
    int coordinating = 14;
};

// nullopt for states that wait on nobody (rejected, closed).
std::optional<int> ResponseDaysFor(CaseState state, const ResponseDays& days);
std::optional<core::WallTime> DueAt(CaseState state, core::WallTime last_activity, const ResponseDays& days);
// True when the case is in an open state and `now` is past its due instant.
bool IsOverdue(CaseState state, core::WallTime last_activity, const ResponseDays& days, core::WallTime now);

struct QueueCase {
    CaseId id;
    std::string identifier;
    std::string title;
    Source source = Source::kFinder;
    CaseState state = CaseState::kReceived;
    Verification verification = Verification::kPending;
    std::string created_at;
    core::WallTime last_activity;
    std::optional<core::WallTime> due;
    bool overdue = false;
    std::optional<auth::UserId> owner;
    std::string owner_name;          // login name, "" when unowned
    std::string owner_display_name;  // display name, falls back to the login name
    int vendor_count = 0;
    int unanswered_threads = 0;      // threads whose newest message came from outside the center
    int open_requests = 0;           // detail requests not yet answered + open date change requests
};

enum class CaseSort { kId, kState, kUpdated, kDue };
std::optional<CaseSort> ParseCaseSort(std::string_view text);
std::string_view Name(CaseSort sort);

struct CaseQuery {
    std::optional<CaseState> state;
    std::optional<Source> source;
    // "" any owner, "none" unowned, "me" the caller, otherwise a login name.
    std::string owner;
    std::optional<VendorId> vendor;  // cases this vendor takes part in
    std::string text;                // in identifier or title
    CaseSort sort = CaseSort::kId;
    bool descending = true;
    int page = 1;       // 1-based; clamped to the last page
    int per_page = 25;  // 1..200
};

struct CasePage {
    std::vector<QueueCase> items;
    int total = 0;
    int page = 1;
    int per_page = 25;
    int pages() const { return total == 0 ? 1 : (total + per_page - 1) / per_page; }
};

struct UnansweredMessage {
    CaseId case_id;
    std::string identifier;
    std::int64_t message_id = 0;
    std::string thread;       // "vendor:<id>" or "reporter"
    std::string author;
    std::string author_role;  // "vendor", "reporter", ...
    std::string vendor_name;  // for vendor threads
    std::string at;
    std::string excerpt;      // the first 140 characters (UTF-8 safe)
};

struct WorkQueue {
    std::vector<QueueCase> mine;           // open cases the caller owns, soonest due first
    std::vector<QueueCase> unowned_new;    // received reports nobody owns, oldest first
    std::vector<QueueCase> waiting_on_me;  // the caller's open cases with an unanswered message or request
    std::vector<QueueCase> overdue;        // open cases past due, whoever owns them, most overdue first
    std::vector<UnansweredMessage> messages;  // newest outside message of each unanswered thread (open cases)
};

class CaseQueue {
  public:
    CaseQueue(store::Database& db, const core::Clock& clock, const auth::AuditLog& audit, ResponseDays days)
        : db_(db), clock_(clock), audit_(audit), days_(days) {}

    core::Result<CasePage> Search(const CaseQuery& query, const Caller& caller);
    core::Result<WorkQueue> For(const Caller& caller);
    // Gives the case to a coordinator or admin account (nullopt: nobody). Audited as "case.assign".
    // Errors: InvalidArgument (field "owner") for an unknown, disabled or non-staff account.
    core::Status AssignOwner(CaseId id, std::optional<std::string> owner_name, const Caller& caller);
    // Staff accounts that may own a case (enabled coordinators and admins), by login name.
    core::Result<std::vector<std::pair<std::string, std::string>>> PossibleOwners(const Caller& caller);

    const ResponseDays& days() const { return days_; }

  private:
    core::Result<std::vector<QueueCase>> Load(store::Connection& c, const std::string& where,
                                              const std::vector<store::Value>& params);

    store::Database& db_;
    const core::Clock& clock_;
    const auth::AuditLog& audit_;
    ResponseDays days_;
};

}  // namespace kizuna::vuln
