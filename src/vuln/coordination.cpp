// Vendors in a case: adding them, summary notices and answers, detail disclosure, registration requests
// for unregistered vendors and the log of contact attempts (seed 001 sections 2 and 3).
#include "sched/sched.hpp"
#include "vuln/cases.hpp"
#include "vuln/schedule.hpp"
#include "vuln/internal/case_access.hpp"
#include "vuln/internal/recipients.hpp"

#include <algorithm>

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

struct CaseService::NoticeFacts {
    std::string vendor_name;
    std::string identifier;
    std::string title;
    std::string summary;
    bool direct = false;  // details to an obvious vendor without its request
};

std::string_view Name(NoticeKind kind) { return kind == NoticeKind::kDetail ? "detail" : "summary"; }

// The rules of both notices (V4, V6), checked before a preview and again when sending.
core::Result<CaseService::NoticeFacts> CaseService::CheckNotice(store::Connection& c, CaseId id, VendorId vendor,
                                                                NoticeKind kind, bool obvious_vendor,
                                                                const Caller& caller) {
    KZ_ASSIGN(detail::CaseAccess a, Check(c, id, caller, true));
    if (!a.staff) return core::NotFound("no such case");
    if (a.verification != Verification::kReproduced)
        return core::FailedPrecondition("verify the report (reproduced) before contacting vendors");
    KZ_ASSIGN(VendorFacts v, LoadVendor(c, vendor));
    if (v.state != RegistrationState::kRegistered)
        return core::FailedPrecondition(v.name + " is not registered: request its registration first");
    NoticeFacts facts;
    facts.vendor_name = v.name;
    if (kind == NoticeKind::kSummary) {
        KZ_ASSIGN(Level level, LevelIn(c, id, vendor));
        if (level != Level::kNone) return core::FailedPrecondition(v.name + " has already been notified");
    } else {
        KZ_ASSIGN(auto part, c.QueryOne("SELECT level, answer FROM case_vendors WHERE case_id = ? AND vendor_id = ?",
                                        {id.value(), vendor.value()}));
        if (!part) return core::FailedPrecondition("the vendor is not part of this case; add it first");
        if (part->Text(0) == "detail") return core::FailedPrecondition(v.name + " already has the details");
        const bool requested = part->Text(1) == "request_details";
        if (!requested && !(obvious_vendor && part->Text(0) == "none"))
            return core::FailedPrecondition(v.name + " has not requested the details");
        facts.direct = obvious_vendor && !requested;
    }
    KZ_TRY(CheckIndividualRule(c, id, vendor));
    KZ_ASSIGN(auto cs, c.QueryOne("SELECT identifier, title, summary FROM cases WHERE id = ?", {id.value()}));
    facts.identifier = cs->Text(0);
    facts.title = cs->Text(1);
    facts.summary = cs->Text(2);
    return facts;
}

namespace {

std::string_view NoticeTemplate(NoticeKind kind) { return kind == NoticeKind::kDetail ? "notice.detail" : "notice.summary"; }

// The summary notice carries the identifier and no technical detail (2-1); the details travel encrypted
// (the mail gateway encrypts to encrypt_to) or stay in the portal, so neither template gets `details`.
MailValues NoticeValues(const std::string& identifier, const std::string& title, const std::string& summary,
                        const std::string& vendor) {
    return {{"identifier", identifier}, {"title", title}, {"summary", summary}, {"vendor", vendor}};
}

core::Status CheckEdited(const std::map<MailLang, MailText>& edited) {
    for (const auto& [lang, text] : edited) {
        const std::string suffix = "_" + std::string(Name(lang));
        if (text.subject.empty() || text.subject.size() > 500 || text.subject.find_first_of("\r\n") != std::string::npos)
            return core::InvalidArgument("must be one line of 1-500 characters", "subject" + suffix);
        if (text.body.empty() || text.body.size() > 50000)
            return core::InvalidArgument("must be 1-50000 characters", "body" + suffix);
    }
    return core::Ok();
}

}  // namespace

core::Result<NoticePreview> CaseService::PreviewNotice(CaseId id, VendorId vendor, NoticeKind kind,
                                                       bool obvious_vendor, const Caller& caller) {
    KZ_ASSIGN(auto lease, db_.Acquire());
    store::Connection& c = *lease;
    KZ_ASSIGN(NoticeFacts facts, CheckNotice(c, id, vendor, kind, obvious_vendor, caller));
    KZ_ASSIGN(auto recipients, detail::VendorRecipients(c, vendor));
    if (recipients.empty()) return core::FailedPrecondition("the vendor has no registered e-mail contact");
    NoticePreview out{vendor, facts.vendor_name, kind, kind == NoticeKind::kDetail && obvious_vendor, {}};
    const MailValues values = NoticeValues(facts.identifier, facts.title, facts.summary, facts.vendor_name);
    for (const auto& r : recipients) {
        auto draft = std::find_if(out.drafts.begin(), out.drafts.end(),
                                  [&](const NoticeDraft& d) { return d.lang == r.lang; });
        if (draft == out.drafts.end()) {
            KZ_ASSIGN(MailText text, RenderMail(c, NoticeTemplate(kind), r.lang, values));
            out.drafts.push_back({r.lang, std::move(text), {}});
            draft = out.drafts.end() - 1;
        }
        draft->recipients.push_back({r.address, r.lang, !r.encrypt_to.empty()});
    }
    return out;
}

core::Result<std::vector<SentNotice>> CaseService::SendNotice(CaseId id, VendorId vendor, NoticeKind kind,
                                                              bool obvious_vendor,
                                                              const std::map<MailLang, MailText>& edited,
                                                              const Caller& caller) {
    KZ_TRY(CheckEdited(edited));
    return db_.InTransaction<std::vector<SentNotice>>([&](store::Connection& c) -> core::Result<std::vector<SentNotice>> {
        KZ_ASSIGN(NoticeFacts facts, CheckNotice(c, id, vendor, kind, obvious_vendor, caller));
        KZ_ASSIGN(auto recipients, detail::VendorRecipients(c, vendor));
        if (recipients.empty()) return core::FailedPrecondition("the vendor has no registered e-mail contact");
        const std::string now = core::FormatRfc3339(clock_.Now());
        if (kind == NoticeKind::kSummary) {
            KZ_TRY(c.Exec("UPDATE case_vendors SET level = 'summary', summary_sent_at = ? WHERE case_id = ? AND"
                          " vendor_id = ?",
                          {now, id.value(), vendor.value()}));
        } else {
            KZ_TRY(c.Exec("UPDATE case_vendors SET level = 'detail', details_sent_at = ?,"
                          " summary_sent_at = CASE WHEN summary_sent_at = '' THEN ? ELSE summary_sent_at END"
                          " WHERE case_id = ? AND vendor_id = ?",
                          {now, now, id.value(), vendor.value()}));
        }
        KZ_TRY(c.Exec("UPDATE cases SET state = 'coordinating' WHERE id = ? AND state = 'verified'", {id.value()}));
        const MailValues values = NoticeValues(facts.identifier, facts.title, facts.summary, facts.vendor_name);
        KZ_ASSIGN(auto queued, detail::QueueForRecipients(c, clock_, id, vendor, recipients, NoticeTemplate(kind),
                                                          [&](MailLang) { return values; }, edited));
        // The vendor's thread keeps the notice as its primary contact reads it.
        KZ_TRY(c.Exec("INSERT INTO messages(case_id, thread, author, author_role, body, at) VALUES (?, ?, ?, ?, ?, ?)",
                      {id.value(), "vendor:" + std::to_string(vendor.value()), caller.name(), "coordinator",
                       queued.front().text.subject + "\n\n" + queued.front().text.body, now}));
        const std::string event = kind == NoticeKind::kSummary ? "notice.summary"
                                  : facts.direct               ? "notice.detail_direct"
                                                               : "notice.detail";
        KZ_TRY(Event(c, id, caller, event, facts.vendor_name, vendor));
        KZ_TRY(Audit(c, caller, "case.disclose", id,
                     "{\"vendor\":" + std::to_string(vendor.value()) + ",\"level\":\"" +
                         std::string(kind == NoticeKind::kSummary ? "summary" : "detail") + "\"}"));
        std::vector<SentNotice> out;
        for (const auto& q : queued)
            out.push_back({q.mail_id, q.to.address, q.to.lang, !q.to.encrypt_to.empty(), q.text.subject});
        return out;
    });
}

core::Status CaseService::SendSummary(CaseId id, VendorId vendor, const Caller& caller) {
    auto sent = SendNotice(id, vendor, NoticeKind::kSummary, false, {}, caller);
    if (!sent.ok()) return sent.error();
    return core::Ok();
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
    auto sent = SendNotice(id, vendor, NoticeKind::kDetail, obvious_vendor, {}, caller);
    if (!sent.ok()) return sent.error();
    return core::Ok();
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
