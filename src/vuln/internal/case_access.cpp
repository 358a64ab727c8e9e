#include "vuln/internal/case_access.hpp"

#include "auth/policy.hpp"

namespace kizuna::vuln::detail {

std::optional<std::optional<VendorId>> ParseThread(std::string_view thread) {
    if (thread == "reporter") return std::optional<VendorId>();
    constexpr std::string_view kPrefix = "vendor:";
    if (thread.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
    const std::string_view digits = thread.substr(kPrefix.size());
    if (digits.empty() || digits.size() > 18 || digits[0] == '0') return std::nullopt;
    std::int64_t value = 0;
    for (char ch : digits) {
        if (ch < '0' || ch > '9') return std::nullopt;
        value = value * 10 + (ch - '0');
    }
    return std::optional<VendorId>(VendorId(value));
}

std::string Lower(std::string_view s) {
    std::size_t b = 0, e = s.size();
    while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\n' || s[b] == '\r')) ++b;
    while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\n' || s[e - 1] == '\r')) --e;
    std::string out;
    for (char c : s.substr(b, e - b)) out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    return out;
}

std::vector<std::string> SplitLines(std::string_view s) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos < s.size()) {
        std::size_t nl = s.find('\n', pos);
        std::string_view line = s.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        if (!line.empty()) out.emplace_back(line);
        if (nl == std::string_view::npos) break;
        pos = nl + 1;
    }
    return out;
}

std::string JoinLines(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& l : lines) {
        if (!out.empty()) out += '\n';
        out += l;
    }
    return out;
}

core::Result<CaseAccess> RequireStaff(store::Connection& c, CaseId id, const Caller& caller) {
    KZ_ASSIGN(CaseAccess a, CheckCaseAccess(c, id, caller, false));
    if (!a.staff) return core::NotFound("no such case");
    return a;
}

core::Status AddCaseEvent(store::Connection& c, const core::Clock& clock, CaseId id, std::string_view actor,
                          std::string_view kind, std::string_view text, std::optional<VendorId> vendor) {
    return c.Exec("INSERT INTO case_events(case_id, at, actor, kind, text, vendor_id) VALUES (?, ?, ?, ?, ?, ?)",
                  {id.value(), core::FormatRfc3339(clock.Now()), std::string(actor), std::string(kind),
                   std::string(text), vendor ? store::Value(vendor->value()) : store::Null()});
}

core::Result<CaseAccess> CheckCaseAccess(store::Connection& c, CaseId id, const Caller& caller, bool need_detail) {
    KZ_ASSIGN(auto row, c.QueryOne("SELECT reporter_user_id, state, verification, published FROM cases WHERE id = ?",
                                   {id.value()}));
    const bool published = row && row->Int(3) != 0;
    if (!caller.principal && !published) return core::Unauthenticated("log in to see cases");
    if (!row) return core::NotFound("no such case");
    CaseAccess a;
    a.state = ParseCaseState(row->Text(1)).value_or(CaseState::kReceived);
    a.verification = ParseVerification(row->Text(2)).value_or(Verification::kPending);
    a.staff = caller.staff();
    auth::Resource resource{auth::ResourceKind::kCase};
    resource.published = published;
    if (!row->IsNull(0)) resource.owner = auth::UserId(row->Int(0));
    a.reporter = caller.principal && resource.owner && *resource.owner == caller.principal->id;
    if (caller.vendor) {
        KZ_ASSIGN(auto part, c.QueryOne("SELECT level FROM case_vendors WHERE case_id = ? AND vendor_id = ?",
                                        {id.value(), caller.vendor->value()}));
        if (part) {
            a.level = ParseLevel(part->Text(0)).value_or(Level::kNone);
            if (a.level != Level::kNone) a.vendor = caller.vendor;
        }
    }
    resource.participation = a.level == Level::kDetail    ? auth::Participation::kDetail
                             : a.level == Level::kSummary ? auth::Participation::kSummary
                                                          : auth::Participation::kNone;
    if (!auth::Authorize(caller.principal, auth::Action::kView, resource)) return core::NotFound("no such case");
    resource.kind = auth::ResourceKind::kCaseDetail;
    a.detail_allowed = static_cast<bool>(auth::Authorize(caller.principal, auth::Action::kView, resource));
    if (need_detail && !a.detail_allowed) return core::NotFound("no such case");
    return a;
}

}  // namespace kizuna::vuln::detail
