#include "auth/policy.hpp"

namespace kizuna::auth {
namespace {

constexpr Decision Allow(std::string_view reason) { return {true, Denial::kNone, reason}; }
constexpr Decision Deny(Denial d, std::string_view reason) { return {false, d, reason}; }

bool IsStaff(const Principal& p) { return p.role == Role::kAdmin || p.role == Role::kCoordinator; }

Decision CaseData(const Principal* who, Action action, const Resource& r, bool detail) {
    if (r.published && action == Action::kView && !detail) return Allow("published");
    if (!who) return Deny(Denial::kHidden, "embargoed: anonymous");
    if (IsStaff(*who)) return Allow("staff");
    if (action != Action::kView) return Deny(Denial::kHidden, "only coordinators change cases");
    if (r.owner && *r.owner == who->id) return Allow("reporter of the case");
    const Participation needed = detail ? Participation::kDetail : Participation::kSummary;
    if ((who->role == Role::kVendor || who->role == Role::kPartner) &&
        static_cast<int>(r.participation) >= static_cast<int>(needed))
        return Allow(detail ? "vendor received details" : "vendor received summary");
    return Deny(Denial::kHidden, "embargoed: not a participant at this level");
}

}  // namespace

Decision Authorize(const Principal* who, Action action, const Resource& r) {
    switch (r.kind) {
        case ResourceKind::kPublicPage:
        case ResourceKind::kHealth:
            if (action == Action::kView) return Allow("public");
            return who ? Deny(Denial::kForbidden, "read-only") : Deny(Denial::kUnauthenticated, "read-only");
        case ResourceKind::kMetrics:
        case ResourceKind::kDashboard:
        case ResourceKind::kAuditLog:
            if (!who) return Deny(Denial::kUnauthenticated, "login required");
            if (action == Action::kView && IsStaff(*who)) return Allow("staff");
            return Deny(Denial::kForbidden, "coordinators and admins only");
        case ResourceKind::kUser:
            if (!who) return Deny(Denial::kUnauthenticated, "login required");
            if (who->role == Role::kAdmin) return Allow("admin");
            if (action == Action::kView && (who->role == Role::kCoordinator || (r.owner && *r.owner == who->id)))
                return Allow("own account or coordinator");
            return Deny(Denial::kForbidden, "admins manage accounts");
        case ResourceKind::kApiToken:
            if (!who) return Deny(Denial::kUnauthenticated, "login required");
            if (who->role == Role::kAdmin) return Allow("admin");
            // A leaked token must not be able to make more of itself: only an admin's token mints tokens.
            if (action == Action::kCreate && who->via_token)
                return Deny(Denial::kForbidden, "tokens are created from a browser session");
            if (r.owner && *r.owner == who->id && who->role != Role::kSensor) return Allow("own token");
            return Deny(Denial::kForbidden, "admins manage tokens of others");
        case ResourceKind::kCase: return CaseData(who, action, r, false);
        case ResourceKind::kCaseDetail: return CaseData(who, action, r, true);
        case ResourceKind::kAdvisory:
            if (action == Action::kView && r.published) return Allow("published");
            if (who && who->role == Role::kCoordinator) return Allow("coordinator");
            if (who && who->role == Role::kAdmin && action == Action::kView) return Allow("admin");
            return Deny(Denial::kHidden, "advisory not published");
        case ResourceKind::kVendorRecord:
            if (!who) return Deny(Denial::kUnauthenticated, "login required");
            if (IsStaff(*who)) return Allow("staff");
            if (who->role == Role::kVendor && r.own && action == Action::kView) return Allow("own organisation");
            return Deny(Denial::kHidden, "other organisations' records are not shown");
        case ResourceKind::kSensorData:
            if (!who) return Deny(Denial::kUnauthenticated, "sensor token required");
            if (action == Action::kCreate && who->role == Role::kSensor) return Allow("sensor upload");
            if (action == Action::kView && IsStaff(*who)) return Allow("staff");
            return Deny(Denial::kForbidden, "sensors upload, staff read");
        case ResourceKind::kSensorStatus:
            if (action == Action::kView && who && IsStaff(*who)) return Allow("staff");
            return Deny(Denial::kHidden, "sensor status is for coordinators");
        case ResourceKind::kObservePartner:
            if (who && IsStaff(*who)) return Allow("staff");
            return Deny(Denial::kHidden, "the partner table is for coordinators");
        case ResourceKind::kPortNote:
            if (action == Action::kView) return Allow("public note");
            if (who && IsStaff(*who)) return Allow("staff");
            return Deny(Denial::kHidden, "coordinators edit port notes");
    }
    return Deny(Denial::kForbidden, "unknown resource");
}

}  // namespace kizuna::auth
