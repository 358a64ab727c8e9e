// V16: secondary distribution to related organisations named by a vendor (seed 001, その他).
#include "vuln/secondary.hpp"

#include "core/log.hpp"
#include "vuln/internal/case_access.hpp"

namespace kizuna::vuln {

namespace {

constexpr std::size_t kMaxName = 200;
constexpr std::size_t kMaxEmail = 254;
constexpr std::size_t kMaxPhone = 40;
constexpr std::size_t kMaxIdentifier = 100;
constexpr std::size_t kMaxReason = 4000;

std::string Trim(std::string_view s) {
    std::size_t b = 0, e = s.size();
    while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r' || s[b] == '\n')) ++b;
    while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r' || s[e - 1] == '\n')) --e;
    return std::string(s.substr(b, e - b));
}

bool HasControl(std::string_view s) {
    for (unsigned char c : s)
        if (c < 0x20 || c == 0x7f) return true;
    return false;
}

std::string Quote(std::string_view s) {
    std::string out = "\"";
    core::AppendJsonEscaped(out, s);
    return out + "\"";
}

// Trimmed copy, checked field by field.
core::Result<RelatedContact> CheckContact(const RelatedContact& in) {
    RelatedContact c{Trim(in.name), Trim(in.person), Trim(in.email), Trim(in.phone)};
    if (c.name.empty() || c.name.size() > kMaxName || HasControl(c.name))
        return core::InvalidArgument("must be 1-200 characters", "name");
    if (c.person.empty() || c.person.size() > kMaxName || HasControl(c.person))
        return core::InvalidArgument("must be 1-200 characters", "person");
    const auto at = c.email.find('@');
    if (c.email.empty() || c.email.size() > kMaxEmail || at == std::string::npos || at == 0 ||
        at + 1 == c.email.size() || c.email.find_first_of(" \t,;<>\"") != std::string::npos || HasControl(c.email))
        return core::InvalidArgument("must be an e-mail address", "email");
    if (c.phone.size() > kMaxPhone || HasControl(c.phone))
        return core::InvalidArgument("must be at most 40 characters", "phone");
    return c;
}

core::Status Audit(store::Connection& c, const auth::AuditLog& audit, std::string_view actor, std::string_view action,
                   std::string object, std::string detail, std::string_view remote_ip = {}) {
    auto seq = audit.Append(c, {std::string(actor), std::string(action), std::move(object), std::move(detail),
                                std::string(remote_ip)});
    if (!seq.ok()) return seq.error();
    return core::Ok();
}

RelatedState ParseState(std::string_view s) {
    if (s == "claimed") return RelatedState::kClaimed;
    if (s == "approved") return RelatedState::kApproved;
    if (s == "refused") return RelatedState::kRefused;
    return RelatedState::kNamed;
}

constexpr std::string_view kSelect =
    "SELECT r.id, r.case_id, r.vendor_id, v.name, r.name, r.person, r.email, r.phone, r.state, r.named_by,"
    " r.named_at, r.claimed_name, r.claimed_person, r.claimed_email, r.claimed_phone, r.claimed_at,"
    " r.decided_by, r.decided_at, r.refusal_reason, r.sent_level"
    " FROM related_orgs r JOIN vendors v ON v.id = r.vendor_id";

RelatedOrganization FromRow(const store::Row& r) {
    RelatedOrganization o;
    o.id = RelatedId(r.Int(0));
    o.case_id = CaseId(r.Int(1));
    o.vendor = VendorId(r.Int(2));
    o.vendor_name = r.Text(3);
    o.contact = {r.Text(4), r.Text(5), r.Text(6), r.Text(7)};
    o.state = ParseState(r.Text(8));
    o.named_by = r.Text(9);
    o.named_at = r.Text(10);
    o.claimed = {r.Text(11), r.Text(12), r.Text(13), r.Text(14)};
    o.claimed_at = r.Text(15);
    o.decided_by = r.Text(16);
    o.decided_at = r.Text(17);
    o.refusal_reason = r.Text(18);
    o.sent_level = ParseLevel(r.Text(19)).value_or(Level::kNone);
    return o;
}

// The related organisation of this case, for staff (NotFound for anyone else, and for an id of another case).
core::Result<RelatedOrganization> LoadForStaff(store::Connection& c, CaseId id, RelatedId related,
                                               const Caller& caller) {
    KZ_TRY(detail::RequireStaff(c, id, caller));
    KZ_ASSIGN(auto row, c.QueryOne(std::string(kSelect) + " WHERE r.id = ? AND r.case_id = ?",
                                   {related.value(), id.value()}));
    if (!row) return core::NotFound("no such related organization");
    return FromRow(*row);
}

}  // namespace

std::string_view Name(RelatedState v) {
    switch (v) {
        case RelatedState::kNamed:
            return "named";
        case RelatedState::kClaimed:
            return "claimed";
        case RelatedState::kApproved:
            return "approved";
        case RelatedState::kRefused:
            return "refused";
    }
    return "named";
}

std::string_view Name(ClaimOutcome v) {
    switch (v) {
        case ClaimOutcome::kClaimed:
            return "claimed";
        case ClaimOutcome::kUnknownCase:
            return "unknown_case";
        case ClaimOutcome::kNoMatch:
            return "no_match";
        case ClaimOutcome::kAlreadyClaimed:
            return "already_claimed";
    }
    return "no_match";
}

core::Result<RelatedId> SecondaryService::RegisterRelated(CaseId id, const RelatedContact& org, const Caller& caller,
                                                          std::optional<VendorId> on_behalf_of) {
    return db_.InTransaction<RelatedId>([&](store::Connection& c) -> core::Result<RelatedId> {
        // Access first: a caller that may not know the case learns nothing, not even about its input.
        KZ_ASSIGN(detail::CaseAccess a, detail::CheckCaseAccess(c, id, caller, false));
        std::optional<VendorId> vendor;
        if (a.staff && on_behalf_of) {
            KZ_ASSIGN(auto part, c.QueryOne("SELECT level FROM case_vendors WHERE case_id = ? AND vendor_id = ?",
                                            {id.value(), on_behalf_of->value()}));
            if (!part || ParseLevel(part->Text(0)).value_or(Level::kNone) == Level::kNone)
                return core::FailedPrecondition(
                    "the vendor has not been told about the case (summary or detail) and cannot name related "
                    "organizations");
            vendor = on_behalf_of;
        } else if (a.vendor && a.level != Level::kNone) {
            vendor = a.vendor;
        } else if (a.staff) {
            return core::InvalidArgument("name the vendor the related organization belongs to", "vendor_id");
        } else {
            return core::NotFound("no such case");
        }
        KZ_ASSIGN(RelatedContact contact, CheckContact(org));
        const std::string email_key = detail::Lower(contact.email);
        KZ_ASSIGN(auto dup, c.QueryInt("SELECT count(*) FROM related_orgs WHERE case_id = ? AND email_key = ?",
                                       {id.value(), email_key}));
        if (dup != 0)
            return core::AlreadyExists("a related organization with this e-mail address is already named for the case",
                                       "email");
        KZ_TRY(c.Exec("INSERT INTO related_orgs(case_id, vendor_id, name, person, email, email_key, phone, named_by,"
                      " named_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      {id.value(), vendor->value(), contact.name, contact.person, contact.email, email_key,
                       contact.phone, caller.name(), core::FormatRfc3339(clock_.Now())}));
        const RelatedId related(c.LastInsertId());
        KZ_TRY(detail::AddCaseEvent(c, clock_, id, caller.name(), "related.named",
                     "#" + std::to_string(related.value()) + " " + contact.name + " (" + contact.person + ")"));
        KZ_TRY(Audit(c, audit_, caller.name(), "secondary.register", "case:" + std::to_string(id.value()),
                     "{\"related\":" + std::to_string(related.value()) +
                         ",\"vendor\":" + std::to_string(vendor->value()) + "}"));
        return related;
    });
}

core::Result<ClaimOutcome> SecondaryService::Claim(std::string_view identifier_in, const RelatedContact& claimant,
                                                   std::string_view remote_ip) {
    const std::string ip(remote_ip);
    const std::string key = "ip:" + ip;
    const std::int64_t now_us = core::ToUnixMicros(clock_.Now());
    const std::int64_t window_us = std::chrono::duration_cast<std::chrono::microseconds>(kClaimWindow).count();
    // Throttle check and the attempt are one transaction, so parallel attempts cannot overrun the limit.
    core::Result<ClaimOutcome> result = db_.InTransaction<ClaimOutcome>(
        [&](store::Connection& c) -> core::Result<ClaimOutcome> {
            KZ_ASSIGN(auto failures,
                      c.QueryInt("SELECT count(*) FROM secondary_claim_failures WHERE key = ? AND at_us > ?",
                                 {key, now_us - window_us}));
            if (failures >= kMaxClaimFailures) return core::ResourceExhausted("throttled");

            const std::string identifier = Trim(identifier_in);
            if (identifier.empty() || identifier.size() > kMaxIdentifier || HasControl(identifier))
                return core::InvalidArgument("enter the identifier the vendor gave you", "identifier");
            KZ_ASSIGN(RelatedContact contact, CheckContact(claimant));

            ClaimOutcome outcome = ClaimOutcome::kUnknownCase;
            std::string object = "related:claim";
            std::string detail;
            KZ_ASSIGN(auto kase, c.QueryOne("SELECT id FROM cases WHERE identifier = ?", {identifier}));
            if (kase) {
                const CaseId id(kase->Int(0));
                object = "case:" + std::to_string(id.value());
                KZ_ASSIGN(auto org, c.QueryOne("SELECT id, state FROM related_orgs WHERE case_id = ? AND email_key = ?",
                                               {id.value(), detail::Lower(contact.email)}));
                if (!org) {
                    outcome = ClaimOutcome::kNoMatch;
                } else if (org->Text(1) != "named") {
                    outcome = ClaimOutcome::kAlreadyClaimed;
                    detail = ",\"related\":" + std::to_string(org->Int(0));
                } else {
                    outcome = ClaimOutcome::kClaimed;
                    const std::int64_t related = org->Int(0);
                    KZ_TRY(c.Exec("UPDATE related_orgs SET state = 'claimed', claimed_name = ?, claimed_person = ?,"
                                  " claimed_email = ?, claimed_phone = ?, claimed_at = ?, claimed_ip = ?"
                                  " WHERE id = ? AND state = 'named'",
                                  {contact.name, contact.person, contact.email, contact.phone,
                                   core::FormatRfc3339(clock_.Now()), ip, related}));
                    KZ_TRY(detail::AddCaseEvent(c, clock_, id, "anonymous", "related.claimed",
                                 "#" + std::to_string(related) + " " + contact.name + " (" + contact.person +
                                     ") asked for the information with the identifier"));
                    detail = ",\"related\":" + std::to_string(related);
                }
                detail = ",\"identifier\":" + Quote(identifier) + detail;
            }
            if (outcome == ClaimOutcome::kUnknownCase || outcome == ClaimOutcome::kNoMatch) {
                KZ_TRY(c.Exec("INSERT INTO secondary_claim_failures(key, at_us) VALUES (?, ?)", {key, now_us}));
                // Keep the table small: failures older than a day no longer matter.
                KZ_TRY(c.Exec("DELETE FROM secondary_claim_failures WHERE at_us < ?", {now_us - 86'400'000'000LL}));
            }
            KZ_TRY(Audit(c, audit_, "anonymous", "secondary.claim", object,
                         "{\"outcome\":" + Quote(Name(outcome)) + detail + "}", ip));
            return outcome;
        });
    if (!result.ok()) {
        // Refused and malformed attempts are audited too (after the rolled-back transaction).
        const auto code = result.error().code();
        std::string outcome = code == core::ErrorCode::kResourceExhausted ? "throttled"
                              : code == core::ErrorCode::kInvalidArgument ? "invalid"
                                                                          : "";
        if (!outcome.empty()) {
            auto seq = audit_.Append(db_, {"anonymous", "secondary.claim", "related:claim",
                                           "{\"outcome\":" + Quote(outcome) + "}", ip});
            if (!seq.ok()) return seq.error();
        }
        if (code == core::ErrorCode::kResourceExhausted)
            return core::ResourceExhausted("too many attempts from this address; please try again later");
    }
    return result;
}

core::Result<std::int64_t> SecondaryService::Approve(CaseId id, RelatedId related, const Caller& caller) {
    return db_.InTransaction<std::int64_t>([&](store::Connection& c) -> core::Result<std::int64_t> {
        KZ_ASSIGN(RelatedOrganization org, LoadForStaff(c, id, related, caller));
        if (org.state != RelatedState::kClaimed)
            return core::FailedPrecondition(
                org.state == RelatedState::kNamed
                    ? "the related organization has not asked for the information with the identifier yet"
                    : "the related organization was already " + std::string(Name(org.state)));
        KZ_ASSIGN(auto part, c.QueryOne("SELECT level FROM case_vendors WHERE case_id = ? AND vendor_id = ?",
                                        {id.value(), org.vendor.value()}));
        const Level level = part ? ParseLevel(part->Text(0)).value_or(Level::kNone) : Level::kNone;
        if (level == Level::kNone)
            return core::FailedPrecondition("the naming vendor has no disclosure level in the case any more");
        KZ_ASSIGN(auto kase, c.QueryOne("SELECT identifier, title, summary, details FROM cases WHERE id = ?",
                                        {id.value()}));
        if (!kase) return core::NotFound("no such case");
        const std::string identifier = kase->Text(0);
        std::string body = "Dear " + org.claimed.person + ",\n\n" + org.vendor_name +
                           " asked us to share the following vulnerability information with " + org.contact.name +
                           ".\n\n[" + identifier + "] " + kase->Text(1) + "\n\nSummary:\n" + kase->Text(2) + "\n";
        if (level == Level::kDetail) body += "\nTechnical details:\n" + kase->Text(3) + "\n";
        body += "\nThis information is not public. Do not pass it on or make it public before the advisory for " +
                identifier + " is published; contact the coordinator if others need it.\n";
        const std::string subject = "[" + identifier + "] Vulnerability information (related organization of " +
                                    org.vendor_name + ")";
        const std::string now = core::FormatRfc3339(clock_.Now());
        KZ_TRY(c.Exec("INSERT INTO mail_queue(to_address, subject, body, encrypt_to, case_id, vendor_id, created_at)"
                      " VALUES (?, ?, ?, '', ?, NULL, ?)",
                      {org.contact.email, subject, body, id.value(), now}));
        const std::int64_t mail = c.LastInsertId();
        KZ_TRY(c.Exec("UPDATE related_orgs SET state = 'approved', decided_by = ?, decided_at = ?, sent_level = ?,"
                      " mail_id = ? WHERE id = ?",
                      {caller.name(), now, std::string(Name(level)), mail, related.value()}));
        KZ_TRY(detail::AddCaseEvent(c, clock_, id, caller.name(), "related.approved",
                     "#" + std::to_string(related.value()) + " " + org.contact.name + ": information sent (" +
                         std::string(Name(level)) + ")"));
        KZ_TRY(Audit(c, audit_, caller.name(), "case.disclose", "case:" + std::to_string(id.value()),
                     "{\"related\":" + std::to_string(related.value()) + ",\"level\":" + Quote(Name(level)) + "}"));
        return mail;
    });
}

core::Status SecondaryService::Refuse(CaseId id, RelatedId related, std::string_view reason, const Caller& caller) {
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_ASSIGN(RelatedOrganization org, LoadForStaff(c, id, related, caller));
        if (org.state != RelatedState::kNamed && org.state != RelatedState::kClaimed)
            return core::FailedPrecondition("the related organization was already " + std::string(Name(org.state)));
        if (reason.size() > kMaxReason) return core::InvalidArgument("must be at most 4000 characters", "reason");
        KZ_TRY(c.Exec("UPDATE related_orgs SET state = 'refused', decided_by = ?, decided_at = ?, refusal_reason = ?"
                      " WHERE id = ?",
                      {caller.name(), core::FormatRfc3339(clock_.Now()), std::string(reason), related.value()}));
        KZ_TRY(detail::AddCaseEvent(c, clock_, id, caller.name(), "related.refused",
                     "#" + std::to_string(related.value()) + " " + org.contact.name +
                         (reason.empty() ? std::string() : ": " + std::string(reason))));
        return Audit(c, audit_, caller.name(), "secondary.refuse", "case:" + std::to_string(id.value()),
                     "{\"related\":" + std::to_string(related.value()) + "}");
    });
}

core::Result<std::vector<RelatedOrganization>> SecondaryService::List(CaseId id, const Caller& caller) {
    KZ_ASSIGN(auto lease, db_.Acquire());
    KZ_ASSIGN(detail::CaseAccess a, detail::CheckCaseAccess(*lease, id, caller, false));
    std::string sql = std::string(kSelect) + " WHERE r.case_id = ?";
    std::vector<store::Value> params{id.value()};
    if (!a.staff) {
        if (!a.vendor) return core::NotFound("no such case");
        sql += " AND r.vendor_id = ?";
        params.emplace_back(a.vendor->value());
    }
    KZ_ASSIGN(auto rows, lease->Query(sql + " ORDER BY r.id", params));
    std::vector<RelatedOrganization> out;
    for (const auto& r : rows) out.push_back(FromRow(r));
    return out;
}

std::string_view SecondarySchema() {
    return R"sql(
CREATE TABLE related_orgs (
    id             INTEGER PRIMARY KEY,
    case_id        INTEGER NOT NULL REFERENCES cases(id),
    vendor_id      INTEGER NOT NULL REFERENCES vendors(id),   -- the vendor that named it
    name           TEXT NOT NULL,
    person         TEXT NOT NULL,
    email          TEXT NOT NULL,
    email_key      TEXT NOT NULL,                              -- lower-case e-mail, what a claim matches
    phone          TEXT NOT NULL DEFAULT '',
    state          TEXT NOT NULL DEFAULT 'named' CHECK (state IN ('named','claimed','approved','refused')),
    named_by       TEXT NOT NULL,
    named_at       TEXT NOT NULL,
    claimed_name   TEXT NOT NULL DEFAULT '',
    claimed_person TEXT NOT NULL DEFAULT '',
    claimed_email  TEXT NOT NULL DEFAULT '',
    claimed_phone  TEXT NOT NULL DEFAULT '',
    claimed_at     TEXT NOT NULL DEFAULT '',
    claimed_ip     TEXT NOT NULL DEFAULT '',
    decided_by     TEXT NOT NULL DEFAULT '',
    decided_at     TEXT NOT NULL DEFAULT '',
    refusal_reason TEXT NOT NULL DEFAULT '',
    sent_level     TEXT NOT NULL DEFAULT '' CHECK (sent_level IN ('','summary','detail')),
    mail_id        INTEGER REFERENCES mail_queue(id),
    UNIQUE (case_id, email_key)
);
CREATE TABLE secondary_claim_failures (
    key   TEXT NOT NULL,               -- 'ip:ADDRESS'
    at_us INTEGER NOT NULL
);
CREATE INDEX secondary_claim_failures_by_key ON secondary_claim_failures(key, at_us);
)sql";
}

}  // namespace kizuna::vuln
