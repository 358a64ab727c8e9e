// Vendors in a case: adding them, summary notices and answers, detail disclosure, registration requests
// for unregistered vendors and the log of contact attempts (seed 001 sections 2 and 3).
#include "sched/sched.hpp"
#include "vuln/cases.hpp"
#include "vuln/schedule.hpp"
#include "vuln/internal/case_access.hpp"

namespace kizuna::vuln {

using detail::Lower;

namespace {

struct VendorFacts {
    std::string name;
    RegistrationKind kind;
    RegistrationState state;
};

core::Result<VendorFacts> LoadVendor(store::Connection& c, VendorId vendor) {
    KZ_ASSIGN(auto row, c.QueryOne("SELECT name, registration_kind, registration_state FROM vendors WHERE id = ?",
                                   {vendor.value()}));
    if (!row) return core::NotFound("no vendor " + std::to_string(vendor.value()));
    return VendorFacts{row->Text(0), ParseRegistrationKind(row->Text(1)).value_or(RegistrationKind::kUnregistered),
                       ParseRegistrationState(row->Text(2)).value_or(RegistrationState::kUnregistered)};
}

core::Result<Level> LevelIn(store::Connection& c, CaseId id, VendorId vendor) {
    KZ_ASSIGN(auto row, c.QueryOne("SELECT level FROM case_vendors WHERE case_id = ? AND vendor_id = ?",
                                   {id.value(), vendor.value()}));
    if (!row) return core::FailedPrecondition("the vendor is not part of this case; add it first");
    return ParseLevel(row->Text(0)).value_or(Level::kNone);
}

}  // namespace

core::Status CaseService::QueueMail(store::Connection& c, CaseId id, VendorId vendor, std::string subject,
                                    std::string body) {
    KZ_ASSIGN(auto contact, c.QueryOne("SELECT email FROM vendor_contacts WHERE vendor_id = ? AND email != ''"
                                       " ORDER BY is_primary DESC, id LIMIT 1",
                                       {vendor.value()}));
    if (!contact) return core::FailedPrecondition("the vendor has no registered e-mail contact");
    KZ_ASSIGN(auto key, c.QueryOne("SELECT fingerprint FROM vendor_keys WHERE vendor_id = ? AND can_encrypt = 1"
                                   " ORDER BY id DESC LIMIT 1",
                                   {vendor.value()}));
    return c.Exec("INSERT INTO mail_queue(to_address, subject, body, encrypt_to, case_id, vendor_id, created_at)"
                  " VALUES (?, ?, ?, ?, ?, ?, ?)",
                  {contact->Text(0), std::move(subject), std::move(body), key ? key->Text(0) : std::string(),
                   id.value(), vendor.value(), core::FormatRfc3339(clock_.Now())});
}

// 個別登録: pre-publication information only about the vendor's own products and never in multi-vendor
// coordination. Checked before anything reaches an individual vendor, and before anything reaches a
// second vendor of a case an individual vendor already takes part in.
core::Status CaseService::CheckIndividualRule(store::Connection& c, CaseId id, VendorId vendor) {
    KZ_ASSIGN(VendorFacts target, LoadVendor(c, vendor));
    KZ_ASSIGN(auto others, c.Query("SELECT v.registration_kind FROM case_vendors cv JOIN vendors v ON v.id = cv.vendor_id"
                                   " WHERE cv.case_id = ? AND cv.vendor_id != ? AND cv.level != 'none'",
                                   {id.value(), vendor.value()}));
    if (target.kind == RegistrationKind::kIndividual) {
        if (!others.empty())
            return core::FailedPrecondition(target.name + " has an individual registration: it receives no "
                                            "multi-vendor coordination, and other vendors already take part");
        KZ_ASSIGN(auto own, c.QueryInt("SELECT count(*) FROM case_terms t JOIN products p ON lower(p.name) = t.value"
                                       " WHERE t.case_id = ? AND t.kind = 'product' AND p.vendor_id = ?",
                                       {id.value(), vendor.value()}));
        if (own == 0)
            return core::FailedPrecondition(target.name + " has an individual registration: it receives only cases "
                                            "about its own products, and this case names none of them");
    }
    for (const auto& o : others)
        if (o.Text(0) == "individual")
            return core::FailedPrecondition("an individually registered vendor already takes part in this case; it "
                                            "must not become multi-vendor coordination");
    return core::Ok();
}

core::Status CaseService::AddVendor(CaseId id, VendorId vendor, const Caller& caller,
                                    std::optional<VendorId> suggested_by) {
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_ASSIGN(detail::CaseAccess a, Check(c, id, caller, true));
        if (!a.staff) return core::NotFound("no such case");
        KZ_ASSIGN(VendorFacts v, LoadVendor(c, vendor));
        core::Status st = c.Exec(
            "INSERT INTO case_vendors(case_id, vendor_id, added_at, added_by, suggested_by) VALUES (?, ?, ?, ?, ?)",
            {id.value(), vendor.value(), core::FormatRfc3339(clock_.Now()), caller.name(),
             suggested_by ? store::Value(suggested_by->value()) : store::Null()});
        if (!st.ok() && st.error().code() == core::ErrorCode::kAlreadyExists)
            return core::AlreadyExists(v.name + " is already part of the case", "vendor");
        KZ_TRY(st);
        return Event(c, id, caller, "vendor.added", v.name, vendor);
    });
}

core::Status CaseService::SendSummary(CaseId id, VendorId vendor, const Caller& caller) {
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_ASSIGN(detail::CaseAccess a, Check(c, id, caller, true));
        if (!a.staff) return core::NotFound("no such case");
        if (a.verification != Verification::kReproduced)
            return core::FailedPrecondition("verify the report (reproduced) before contacting vendors");
        KZ_ASSIGN(VendorFacts v, LoadVendor(c, vendor));
        if (v.state != RegistrationState::kRegistered)
            return core::FailedPrecondition(v.name + " is not registered: request its registration first");
        KZ_ASSIGN(Level level, LevelIn(c, id, vendor));
        if (level != Level::kNone) return core::FailedPrecondition(v.name + " has already been notified");
        KZ_TRY(CheckIndividualRule(c, id, vendor));
        KZ_ASSIGN(auto cs, c.QueryOne("SELECT identifier, title, summary FROM cases WHERE id = ?", {id.value()}));
        const std::string now = core::FormatRfc3339(clock_.Now());
        KZ_TRY(c.Exec("UPDATE case_vendors SET level = 'summary', summary_sent_at = ? WHERE case_id = ? AND vendor_id = ?",
                      {now, id.value(), vendor.value()}));
        KZ_TRY(c.Exec("UPDATE cases SET state = 'coordinating' WHERE id = ? AND state = 'verified'", {id.value()}));
        // The summary notice carries the identifier and no technical detail (2-1).
        const std::string body = "[" + cs->Text(0) + "] " + cs->Text(1) + "\n\n" + cs->Text(2) +
                                 "\n\nPlease answer in the vendor portal: request details, or no applicable products.\n";
        KZ_TRY(c.Exec("INSERT INTO messages(case_id, thread, author, author_role, body, at) VALUES (?, ?, ?, ?, ?, ?)",
                      {id.value(), "vendor:" + std::to_string(vendor.value()), caller.name(), "coordinator", body, now}));
        KZ_TRY(QueueMail(c, id, vendor, "[" + cs->Text(0) + "] Vulnerability summary notice", body));
        KZ_TRY(Event(c, id, caller, "notice.summary", v.name, vendor));
        return Audit(c, caller, "case.disclose", id,
                     "{\"vendor\":" + std::to_string(vendor.value()) + ",\"level\":\"summary\"}");
    });
}

core::Status CaseService::AnswerSummary(CaseId id, Answer answer, const Caller& caller) {
    if (answer == Answer::kNone) return core::InvalidArgument("answer request_details or no_products", "answer");
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_ASSIGN(detail::CaseAccess a, Check(c, id, caller, false));
        if (!a.vendor) return core::PermissionDenied("only a notified vendor answers a summary notice");
        KZ_TRY(c.Exec("UPDATE case_vendors SET answer = ? WHERE case_id = ? AND vendor_id = ?",
                      {std::string(Name(answer)), id.value(), a.vendor->value()}));
        KZ_ASSIGN(VendorFacts v, LoadVendor(c, *a.vendor));
        return Event(c, id, caller, "notice.answer", v.name + ": " + std::string(Name(answer)), *a.vendor);
    });
}

core::Status CaseService::DiscloseDetails(CaseId id, VendorId vendor, bool obvious_vendor, const Caller& caller) {
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_ASSIGN(detail::CaseAccess a, Check(c, id, caller, true));
        if (!a.staff) return core::NotFound("no such case");
        if (a.verification != Verification::kReproduced)
            return core::FailedPrecondition("verify the report (reproduced) before contacting vendors");
        KZ_ASSIGN(VendorFacts v, LoadVendor(c, vendor));
        if (v.state != RegistrationState::kRegistered)
            return core::FailedPrecondition(v.name + " is not registered: request its registration first");
        KZ_ASSIGN(auto part, c.QueryOne("SELECT level, answer FROM case_vendors WHERE case_id = ? AND vendor_id = ?",
                                        {id.value(), vendor.value()}));
        if (!part) return core::FailedPrecondition("the vendor is not part of this case; add it first");
        if (part->Text(0) == "detail") return core::FailedPrecondition(v.name + " already has the details");
        const bool requested = part->Text(1) == "request_details";
        if (!requested && !(obvious_vendor && part->Text(0) == "none"))
            return core::FailedPrecondition(v.name + " has not requested the details");
        KZ_TRY(CheckIndividualRule(c, id, vendor));
        KZ_ASSIGN(auto cs, c.QueryOne("SELECT identifier, title FROM cases WHERE id = ?", {id.value()}));
        const std::string now = core::FormatRfc3339(clock_.Now());
        KZ_TRY(c.Exec("UPDATE case_vendors SET level = 'detail', details_sent_at = ?,"
                      " summary_sent_at = CASE WHEN summary_sent_at = '' THEN ? ELSE summary_sent_at END"
                      " WHERE case_id = ? AND vendor_id = ?",
                      {now, now, id.value(), vendor.value()}));
        KZ_TRY(c.Exec("UPDATE cases SET state = 'coordinating' WHERE id = ? AND state = 'verified'", {id.value()}));
        // The details travel encrypted (the mail gateway encrypts to encrypt_to) or stay in the portal.
        const std::string body = "[" + cs->Text(0) + "] " + cs->Text(1) +
                                 "\n\nThe vulnerability details are available to you in the vendor portal. Please "
                                 "investigate your products and report your status.\n";
        KZ_TRY(c.Exec("INSERT INTO messages(case_id, thread, author, author_role, body, at) VALUES (?, ?, ?, ?, ?, ?)",
                      {id.value(), "vendor:" + std::to_string(vendor.value()), caller.name(), "coordinator", body, now}));
        KZ_TRY(QueueMail(c, id, vendor, "[" + cs->Text(0) + "] Vulnerability details", body));
        KZ_TRY(Event(c, id, caller, obvious_vendor && !requested ? "notice.detail_direct" : "notice.detail", v.name,
                     vendor));
        return Audit(c, caller, "case.disclose", id,
                     "{\"vendor\":" + std::to_string(vendor.value()) + ",\"level\":\"detail\"}");
    });
}

core::Status CaseService::LogContactAttempt(CaseId id, VendorId vendor, Channel channel, std::string_view address,
                                            std::string_view note, const Caller& caller) {
    if (channel == Channel::kPublicForum || channel == Channel::kOpenMailingList)
        return core::InvalidArgument("public forums and open mailing lists are never used: they cannot keep the "
                                     "information confidential",
                                     "channel");
    if (address.empty() || address.size() > 500) return core::InvalidArgument("must be 1-500 characters", "address");
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_ASSIGN(detail::CaseAccess a, Check(c, id, caller, true));
        if (!a.staff) return core::NotFound("no such case");
        KZ_ASSIGN(VendorFacts v, LoadVendor(c, vendor));
        // The 3-month clock (V5) starts at the first attempt: a job proposes "unreachable" when it runs out.
        KZ_ASSIGN(auto earlier, c.QueryInt("SELECT count(*) FROM contact_attempts WHERE case_id = ? AND vendor_id = ?",
                                           {id.value(), vendor.value()}));
        if (earlier == 0)
            KZ_TRY(sched::Scheduler::Schedule(c, kUnreachableJob, UnreachableFrom(clock_.Now(), zone_),
                                              std::to_string(id.value()) + ":" + std::to_string(vendor.value()),
                                              "unreachable:case:" + std::to_string(id.value()) + ":vendor:" +
                                                  std::to_string(vendor.value())));
        KZ_TRY(c.Exec("INSERT INTO contact_attempts(case_id, vendor_id, channel, address, at, actor, note)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?)",
                      {id.value(), vendor.value(), std::string(Name(channel)), std::string(address),
                       core::FormatRfc3339(clock_.Now()), caller.name(), std::string(note)}));
        return Event(c, id, caller, "contact.attempt", v.name + " via " + std::string(Name(channel)), vendor);
    });
}

core::Status CaseService::RequestRegistration(CaseId id, VendorId vendor, Channel channel, std::string_view address,
                                              const Caller& caller) {
    {
        KZ_ASSIGN(auto lease, db_.Acquire());
        // Access before anything is loaded: a caller outside the case learns nothing about the vendor.
        KZ_TRY(detail::RequireStaff(*lease, id, caller));
        KZ_ASSIGN(VendorFacts v, LoadVendor(*lease, vendor));
        if (v.state == RegistrationState::kRegistered) return core::FailedPrecondition(v.name + " is already registered");
    }
    KZ_TRY(LogContactAttempt(id, vendor, channel, address, "request to register (individual registration)", caller));
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_ASSIGN(VendorFacts v, LoadVendor(c, vendor));
        if (v.state == RegistrationState::kRegistered) return core::FailedPrecondition(v.name + " is already registered");
        const std::string now = core::FormatRfc3339(clock_.Now());
        KZ_TRY(c.Exec("UPDATE vendors SET registration_state = 'registration_requested', registration_kind ="
                      " CASE WHEN registration_kind = 'unregistered' THEN 'individual' ELSE registration_kind END"
                      " WHERE id = ? AND registration_state = 'unregistered'",
                      {vendor.value()}));
        KZ_TRY(c.Exec("UPDATE case_vendors SET registration_requested_at = ? WHERE case_id = ? AND vendor_id = ?",
                      {now, id.value(), vendor.value()}));
        return Event(c, id, caller, "vendor.registration_requested", v.name, vendor);
    });
}

}  // namespace kizuna::vuln
