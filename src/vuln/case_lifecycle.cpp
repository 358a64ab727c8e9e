// The case's own life beside coordination: closing it, rejecting a report, the coordinator in charge, and
// the vendors a coordinator may add by hand. Staff only; anyone else learns nothing (NotFound).
#include <cstdio>

#include "vuln/cases.hpp"
#include "vuln/internal/case_access.hpp"

namespace kizuna::vuln {
namespace {

constexpr std::size_t kMaxReason = 2000;

core::Status CheckReason(std::string_view reason) {
    if (detail::Lower(reason).empty()) return core::InvalidArgument("give a reason", "reason");
    if (reason.size() > kMaxReason) return core::InvalidArgument("must be at most 2000 characters", "reason");
    return core::Ok();
}

std::string JsonString(std::string_view s) {
    std::string out = "\"";
    for (char ch : s) {
        if (ch == '"' || ch == '\\') {
            out += '\\';
            out += ch;
        } else if (static_cast<unsigned char>(ch) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", ch);
            out += buf;
        } else {
            out += ch;
        }
    }
    return out + "\"";
}

}  // namespace

StatusReport MergeStatusReport(const StatusReport& current, const StatusReport& shown, const StatusReport& submitted) {
    StatusReport out = submitted;
    if (submitted.status == shown.status) out.status = current.status;
    if (submitted.public_text == shown.public_text) out.public_text = current.public_text;
    if (submitted.urls == shown.urls) out.urls = current.urls;
    if (submitted.affected_products == shown.affected_products) out.affected_products = current.affected_products;
    if (submitted.plan == shown.plan) out.plan = current.plan;
    if (submitted.schedule == shown.schedule) out.schedule = current.schedule;
    // A form shown before any report carries no status; an untouched one must still name one.
    if (out.status == VendorStatus::kUnknown) out.status = submitted.status;
    return out;
}

core::Status CaseService::Close(CaseId id, std::string_view reason, const Caller& caller) {
    KZ_TRY(CheckReason(reason));
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_ASSIGN(detail::CaseAccess a, detail::RequireStaff(c, id, caller));
        if (a.state == CaseState::kClosed) return core::FailedPrecondition("the case is already closed");
        KZ_TRY(c.Exec("UPDATE cases SET state = 'closed', closed_reason = ? WHERE id = ?",
                      {std::string(reason), id.value()}));
        KZ_TRY(Event(c, id, caller, "case.closed", reason));
        return Audit(c, caller, "case.close",
                     id, "{\"from\":\"" + std::string(Name(a.state)) + "\",\"reason\":" + JsonString(reason) + "}");
    });
}

core::Status CaseService::Reject(CaseId id, std::string_view reason, const Caller& caller) {
    KZ_TRY(CheckReason(reason));
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_ASSIGN(detail::CaseAccess a, detail::RequireStaff(c, id, caller));
        // Once vendors are being coordinated the case is closed, not rejected.
        if (a.state != CaseState::kReceived && a.state != CaseState::kVerified)
            return core::FailedPrecondition("only a report not yet coordinated can be rejected");
        KZ_TRY(c.Exec("UPDATE cases SET state = 'rejected', closed_reason = ? WHERE id = ?",
                      {std::string(reason), id.value()}));
        KZ_TRY(Event(c, id, caller, "case.rejected", reason));
        return Audit(c, caller, "case.reject", id, "{\"reason\":" + JsonString(reason) + "}");
    });
}

core::Status CaseService::AssignOwner(CaseId id, std::optional<auth::UserId> owner, const Caller& caller) {
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_TRY(detail::RequireStaff(c, id, caller));
        std::string name;
        if (owner) {
            KZ_ASSIGN(auto row, c.QueryOne("SELECT name FROM users WHERE id = ? AND disabled = 0 AND"
                                           " role IN ('coordinator','admin')",
                                           {owner->value()}));
            if (!row) return core::InvalidArgument("choose an enabled coordinator", "owner");
            name = row->Text(0);
        }
        KZ_TRY(c.Exec("UPDATE cases SET owner_user_id = ? WHERE id = ?",
                      {owner ? store::Value(owner->value()) : store::Null(), id.value()}));
        KZ_TRY(Event(c, id, caller, "case.owner", name));
        return Audit(c, caller, "case.owner", id, "{\"owner\":" + JsonString(name) + "}");
    });
}

core::Result<std::vector<OwnerCandidate>> CaseService::OwnerCandidates(CaseId id, const Caller& caller) {
    KZ_ASSIGN(auto lease, db_.Acquire());
    KZ_TRY(detail::RequireStaff(*lease, id, caller));
    KZ_ASSIGN(auto rows, lease->Query("SELECT id, name, display_name FROM users WHERE disabled = 0 AND"
                                      " role IN ('coordinator','admin') ORDER BY display_name, name"));
    std::vector<OwnerCandidate> out;
    for (const auto& r : rows)
        out.push_back({auth::UserId(r.Int(0)), r.Text(1), r.Text(2).empty() ? r.Text(1) : r.Text(2)});
    return out;
}

core::Result<std::vector<Vendor>> CaseService::AddableVendors(CaseId id, const Caller& caller) {
    {
        KZ_ASSIGN(auto lease, db_.Acquire());
        KZ_TRY(detail::RequireStaff(*lease, id, caller));
    }
    KZ_ASSIGN(std::vector<Vendor> all, vendors_.List());
    KZ_ASSIGN(auto lease, db_.Acquire());
    KZ_ASSIGN(auto rows, lease->Query("SELECT vendor_id FROM case_vendors WHERE case_id = ?", {id.value()}));
    std::vector<Vendor> out;
    for (auto& v : all) {
        bool in_case = false;
        for (const auto& r : rows) in_case = in_case || r.Int(0) == v.id.value();
        if (!in_case) out.push_back(std::move(v));
    }
    return out;
}

}  // namespace kizuna::vuln
