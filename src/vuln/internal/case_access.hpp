// The access check every case operation starts with: the caller's participation in the case, asked of
// the one policy (auth::Authorize). Anything hidden answers NotFound, exactly like a missing case.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "store/store.hpp"
#include "vuln/cases.hpp"

namespace kizuna::vuln::detail {

struct CaseAccess {
    bool staff = false;
    bool reporter = false;                 // the caller reported the case
    std::optional<VendorId> vendor;        // the caller's vendor, when it takes part in the case
    Level level = Level::kNone;            // that vendor's level
    bool detail_allowed = false;           // may see technical detail
    CaseState state = CaseState::kReceived;
    Verification verification = Verification::kPending;
};

// NotFound when the case does not exist or the caller may not know it exists; Unauthenticated for an
// anonymous caller. With need_detail, also NotFound when the caller may not see technical detail.
core::Result<CaseAccess> CheckCaseAccess(store::Connection& c, CaseId id, const Caller& caller, bool need_detail);

// CheckCaseAccess for operations only coordinators and admins may do; anyone else gets NotFound.
core::Result<CaseAccess> RequireStaff(store::Connection& c, CaseId id, const Caller& caller);

// One row of the case timeline (case_events), stamped with the clock; `vendor` for events about one vendor.
core::Status AddCaseEvent(store::Connection& c, const core::Clock& clock, CaseId id, std::string_view actor,
                          std::string_view kind, std::string_view text, std::optional<VendorId> vendor = std::nullopt);

// A message thread name, matched exactly: "reporter", or "vendor:<id>" with <id> a positive decimal number
// without sign, leading zeros or anything after it ("vendor:1-hidden", "vendor:01" are not threads).
// nullopt when `thread` is neither; `*vendor` is set for a vendor thread.
std::optional<std::optional<VendorId>> ParseThread(std::string_view thread);

std::string Lower(std::string_view s);
std::vector<std::string> SplitLines(std::string_view s);
std::string JoinLines(const std::vector<std::string>& lines);

}  // namespace kizuna::vuln::detail
