// The one access policy. Every handler, page and CLI command asks Authorize(); none decides itself.
//
// A decision is made from the caller's role × the kind of resource × the action, plus, for case data,
// the vendor's participation in that case (none / summary / detail) and whether the record is
// published. Anonymous callers are a null principal. Denials carry a reason for the audit log and for
// choosing 401 (anonymous) versus 403 (authenticated) versus 404 (must not learn it exists).
#pragma once

#include <optional>
#include <string_view>

#include "auth/roles.hpp"

namespace kizuna::auth {

enum class Action { kView, kCreate, kUpdate, kDelete };

enum class ResourceKind {
    kPublicPage,   // home, login page, published advisories list
    kHealth,       // /healthz
    kMetrics,      // /metrics (operational counters; no case data)
    kDashboard,    // the coordinator dashboard
    kUser,         // user accounts
    kApiToken,     // API tokens
    kAuditLog,     // the audit log
    kCase,         // a vulnerability case: summary-level data
    kCaseDetail,   // technical details, PoC, attachments of a case
    kAdvisory,     // an advisory (published or not)
    kSensorData,   // observation data uploaded by sensors
    kVendorRecord, // a vendor's registry record (contacts, keys, products); `own` for its members
    kSensorStatus, // observation sensors' health (last batch, lag, drops): coordinators only, hidden otherwise
    kPortNote,     // a coordinator's note on a scanned port (product, related cases): public text, staff edit
    kObservePartner,  // partner CSIRTs receiving the daily IODEF (addresses, keys): coordinators only, hidden otherwise
};

enum class Participation { kNone, kSummary, kDetail };

struct Resource {
    ResourceKind kind;
    std::optional<UserId> owner;                    // the account the resource belongs to, if any
    Participation participation = Participation::kNone;  // the caller's participation, for case data
    bool published = false;                         // advisories and cases after the publication instant
    bool own = false;                               // the record belongs to the caller's organisation
};

enum class Denial {
    kNone,
    kUnauthenticated,  // anonymous caller: log in first (401 / redirect to login)
    kForbidden,        // known caller, not allowed (403)
    kHidden,           // not allowed, and must not learn the thing exists (404): embargoed data
};

struct Decision {
    bool allowed;
    Denial denial;
    std::string_view reason;
    explicit operator bool() const { return allowed; }
};

Decision Authorize(const Principal* who, Action action, const Resource& resource);

}  // namespace kizuna::auth
