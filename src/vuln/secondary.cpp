// V16: secondary distribution to related organisations named by a vendor (seed 001, その他).
#include "vuln/secondary.hpp"

#include "core/log.hpp"
#include "mail/openpgp.hpp"
#include "mail/queue.hpp"
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
    " r.decided_by, r.decided_at, r.refusal_reason, r.sent_level, r.key_fingerprint, r.key_info, r.lang"
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
    o.key_fingerprint = r.Text(20);
    o.key_info = r.Text(21);
    o.contact.lang = MailLangOr(r.Text(22));
    return o;
}

// mail_recipient_keys owner of a related organisation's key: one per address and case (several vendors may
// name the same organisation; it has one key).
std::string KeyOwner(CaseId id, std::string_view email_key) {
    return "related_org:" + std::to_string(id.value()) + ":" + std::string(email_key);
}

core::Status StoreKey(store::Connection& c, CaseId id, std::string_view email, const detail::CheckedKey& key,
                      std::string_view armored, core::WallTime now) {
    const std::string email_key = detail::Lower(email);
    KZ_TRY(c.Exec("UPDATE related_orgs SET key_fingerprint = ?, key_info = ? WHERE case_id = ? AND email_key = ?",
                  {key.fingerprint, key.info, id.value(), email_key}));
    KZ_TRY(mail::RemoveRecipientKeys(c, KeyOwner(id, email_key)));
    return mail::RegisterRecipientKey(c, key.fingerprint, email, armored, KeyOwner(id, email_key), now);
}

// An attachment name the mail gateway accepts ([A-Za-z0-9._-], 1-100, not starting with '.').
std::string MailFilename(std::string_view name, std::int64_t id) {
    std::string out;
    for (char ch : name) {
        const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
                        ch == '_' || ch == '-';
        out += ok ? ch : '_';
        if (out.size() == 100) break;
    }
    if (out.empty() || out.front() == '.') out = "attachment-" + std::to_string(id) + out.substr(0, 80);
    return out;
}

std::string MailContentType(std::string_view media_type) {
    std::string type = detail::Lower(media_type.substr(0, media_type.find(';')));
    const bool ok = !type.empty() && type.size() <= 100 && type.find('/') != std::string::npos &&
                    type.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789/+.-") == std::string::npos;
    return ok ? type : "application/octet-stream";
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
        // Only this vendor's own namings: whether another vendor named the address is not this vendor's to know.
        KZ_ASSIGN(auto dup, c.QueryInt("SELECT count(*) FROM related_orgs WHERE case_id = ? AND vendor_id = ? AND"
                                       " email_key = ?",
                                       {id.value(), vendor->value(), email_key}));
        if (dup != 0)
            return core::AlreadyExists("a related organization with this e-mail address is already named for the case",
                                       "email");
        KZ_TRY(c.Exec("INSERT INTO related_orgs(case_id, vendor_id, name, person, email, email_key, phone, named_by,"
                      " named_at, lang) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      {id.value(), vendor->value(), contact.name, contact.person, contact.email, email_key,
                       contact.phone, caller.name(), core::FormatRfc3339(clock_.Now()),
                       std::string(Name(contact.lang.value_or(MailLang::kJa)))}));
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
    // The key is checked before anything is looked up: a bad key says nothing about the identifier.
    std::optional<detail::CheckedKey> claim_key;
    if (!Trim(claimant.key).empty()) {
        auto checked = detail::CheckBodyKey(claimant.key, clock_.Now());
        if (!checked.ok()) {
            auto seq = audit_.Append(db_, {"anonymous", "secondary.claim", "related:claim",
                                           "{\"outcome\":\"invalid\"}", ip});
            if (!seq.ok()) return seq.error();
            return checked.error();
        }
        claim_key = std::move(*checked);
    }
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
                // Several vendors may have named the same organisation: the claim answers all of their namings.
                KZ_ASSIGN(auto orgs, c.Query("SELECT id, state, email FROM related_orgs WHERE case_id = ? AND"
                                             " email_key = ? ORDER BY id",
                                             {id.value(), detail::Lower(contact.email)}));
                std::vector<std::int64_t> named;
                for (const auto& org : orgs)
                    if (org.Text(1) == "named") named.push_back(org.Int(0));
                if (orgs.empty()) {
                    outcome = ClaimOutcome::kNoMatch;
                } else if (named.empty()) {
                    outcome = ClaimOutcome::kAlreadyClaimed;
                    detail = ",\"related\":" + std::to_string(orgs.front().Int(0));
                } else {
                    outcome = ClaimOutcome::kClaimed;
                    for (const std::int64_t related : named) {
                        KZ_TRY(c.Exec("UPDATE related_orgs SET state = 'claimed', claimed_name = ?, claimed_person = ?,"
                                      " claimed_email = ?, claimed_phone = ?, claimed_at = ?, claimed_ip = ?"
                                      " WHERE id = ? AND state = 'named'",
                                      {contact.name, contact.person, contact.email, contact.phone,
                                       core::FormatRfc3339(clock_.Now()), ip, related}));
                        if (contact.lang)
                            KZ_TRY(c.Exec("UPDATE related_orgs SET lang = ? WHERE id = ?",
                                          {std::string(Name(*contact.lang)), related}));
                        KZ_TRY(detail::AddCaseEvent(c, clock_, id, "anonymous", "related.claimed",
                                                    "#" + std::to_string(related) + " " + contact.name + " (" +
                                                        contact.person + ") asked for the information with the identifier" +
                                                        (claim_key ? ", key " + claim_key->fingerprint : std::string())));
                    }
                    if (claim_key) KZ_TRY(StoreKey(c, id, orgs.front().Text(2), *claim_key, claimant.key, clock_.Now()));
                    detail = ",\"related\":" + std::to_string(named.front());
                    if (claim_key) detail += ",\"key\":" + Quote(claim_key->fingerprint);
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
        // What the naming vendor has at its level (V16): the summary notice's content and keywords; with
        // 'detail' also the technical details, the terms and the attachments.
        // The text goes in the organisation's language (issue 13); the template wraps this content.
        const MailLang lang = org.contact.lang.value_or(MailLang::kJa);
        const bool ja = lang == MailLang::kJa;
        std::string body = "[" + identifier + "] " + kase->Text(1) + "\n\n" + (ja ? "概要:\n" : "Summary:\n") +
                           kase->Text(2) + "\n";
        KZ_ASSIGN(auto terms, c.Query("SELECT kind, value, version FROM case_terms WHERE case_id = ? ORDER BY kind, value",
                                      {id.value()}));
        std::string term_lines;
        for (const auto& t : terms)
            if (level == Level::kDetail || t.Text(0) == "keyword")
                term_lines += "- " + t.Text(0) + ": " + t.Text(1) + (t.Text(2).empty() ? "" : " " + t.Text(2)) + "\n";
        if (!term_lines.empty()) body += (ja ? "\n関連する技術・コンポーネント:\n" : "\nTechnologies and components:\n") + term_lines;
        mail::QueuedMail out;
        if (level == Level::kDetail) {
            body += (ja ? "\n技術的な詳細:\n" : "\nTechnical details:\n") + kase->Text(3) + "\n";
            KZ_ASSIGN(auto atts, c.Query("SELECT id, name, media_type, content FROM case_attachments WHERE case_id = ?"
                                         " ORDER BY id",
                                         {id.value()}));
            std::size_t total = 0;
            std::string left_out;
            for (const auto& a : atts) {
                std::string data = a.Text(3);
                if (total + data.size() > mail::kMaxAttachmentBytes) {
                    left_out += "- " + a.Text(1) + " (" + std::to_string(data.size()) + " bytes)\n";
                    continue;
                }
                total += data.size();
                out.attachments.push_back({MailFilename(a.Text(1), a.Int(0)), MailContentType(a.Text(2)), std::move(data)});
            }
            if (!out.attachments.empty())
                body += ja ? "\n本件のファイル " + std::to_string(out.attachments.size()) + " 件を添付しています。\n"
                           : "\nAttached: " + std::to_string(out.attachments.size()) + " file(s) of the case.\n";
            if (!left_out.empty())
                body += (ja ? "\n次のファイルは大きすぎるため添付していません（必要な場合は調整担当者にご依頼ください）:\n"
                            : "\nToo large to attach (ask the coordinator for them):\n") + left_out;
        }
        KZ_ASSIGN(MailText text, RenderMail(c, "related.information", lang,
                                            {{"identifier", identifier},
                                             {"recipient", org.contact.name},
                                             {"person", org.claimed.person},
                                             {"vendor", org.vendor_name},
                                             {"content", body}}));
        out.to = org.contact.email;
        out.subject = std::move(text.subject);
        out.body = std::move(text.body);
        out.encrypt_to = org.key_fingerprint;  // '' = the sender looks for a key registered for the address
        const std::string now = core::FormatRfc3339(clock_.Now());
        KZ_ASSIGN(const std::int64_t mail, mail::EnqueueMail(c, out, clock_.Now()));
        KZ_TRY(c.Exec("UPDATE mail_queue SET case_id = ? WHERE id = ?", {id.value(), mail}));
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

core::Status SecondaryService::SetKey(CaseId id, RelatedId related, std::string_view armored, const Caller& caller) {
    {
        // Access before the (slow) key check: anyone but staff learns nothing.
        KZ_ASSIGN(auto lease, db_.Acquire());
        KZ_TRY(LoadForStaff(*lease, id, related, caller));
    }
    KZ_ASSIGN(detail::CheckedKey key, detail::CheckBodyKey(armored, clock_.Now()));
    return db_.InTransaction([&](store::Connection& c) -> core::Status {
        KZ_ASSIGN(RelatedOrganization org, LoadForStaff(c, id, related, caller));
        KZ_TRY(StoreKey(c, id, org.contact.email, key, armored, clock_.Now()));
        KZ_TRY(detail::AddCaseEvent(c, clock_, id, caller.name(), "related.key",
                                    "#" + std::to_string(related.value()) + " " + org.contact.name + ": key " +
                                        key.fingerprint));
        return Audit(c, audit_, caller.name(), "secondary.key", "case:" + std::to_string(id.value()),
                     "{\"related\":" + std::to_string(related.value()) + ",\"fingerprint\":" +
                         Quote(key.fingerprint) + "}");
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

namespace detail {
core::Result<CheckedKey> CheckBodyKey(std::string_view armored, core::WallTime now) {
    if (armored.size() > mail::kMaxPublicKeyBytes) return core::InvalidArgument("the key is too large", "key");
    KZ_ASSIGN(mail::PublicKeyInfo info, mail::InspectPublicKey(armored, now));
    if (info.revoked) return core::InvalidArgument("the key is revoked", "key");
    if (info.expired) return core::InvalidArgument("the key has expired", "key");
    if (!info.can_encrypt) return core::InvalidArgument("the key has no usable encryption subkey", "key");
    std::string text = info.algorithm;
    text += info.expires ? ", expires " + core::FormatRfc3339(*info.expires) : ", no expiry";
    return CheckedKey{info.fingerprint, text};
}
}  // namespace detail

std::string_view SecondaryKeysSchema() {
    return R"sql(
CREATE TABLE related_orgs_v2 (
    id              INTEGER PRIMARY KEY,
    case_id         INTEGER NOT NULL REFERENCES cases(id),
    vendor_id       INTEGER NOT NULL REFERENCES vendors(id),
    name            TEXT NOT NULL,
    person          TEXT NOT NULL,
    email           TEXT NOT NULL,
    email_key       TEXT NOT NULL,
    phone           TEXT NOT NULL DEFAULT '',
    state           TEXT NOT NULL DEFAULT 'named' CHECK (state IN ('named','claimed','approved','refused')),
    named_by        TEXT NOT NULL,
    named_at        TEXT NOT NULL,
    claimed_name    TEXT NOT NULL DEFAULT '',
    claimed_person  TEXT NOT NULL DEFAULT '',
    claimed_email   TEXT NOT NULL DEFAULT '',
    claimed_phone   TEXT NOT NULL DEFAULT '',
    claimed_at      TEXT NOT NULL DEFAULT '',
    claimed_ip      TEXT NOT NULL DEFAULT '',
    decided_by      TEXT NOT NULL DEFAULT '',
    decided_at      TEXT NOT NULL DEFAULT '',
    refusal_reason  TEXT NOT NULL DEFAULT '',
    sent_level      TEXT NOT NULL DEFAULT '' CHECK (sent_level IN ('','summary','detail')),
    mail_id         INTEGER REFERENCES mail_queue(id),
    key_fingerprint TEXT NOT NULL DEFAULT '',                   -- the organisation's key ('' = none yet)
    key_info        TEXT NOT NULL DEFAULT '',
    UNIQUE (case_id, vendor_id, email_key)                      -- one naming per vendor: never across vendors
);
INSERT INTO related_orgs_v2(id, case_id, vendor_id, name, person, email, email_key, phone, state, named_by, named_at,
    claimed_name, claimed_person, claimed_email, claimed_phone, claimed_at, claimed_ip, decided_by, decided_at,
    refusal_reason, sent_level, mail_id)
  SELECT id, case_id, vendor_id, name, person, email, email_key, phone, state, named_by, named_at,
    claimed_name, claimed_person, claimed_email, claimed_phone, claimed_at, claimed_ip, decided_by, decided_at,
    refusal_reason, sent_level, mail_id FROM related_orgs;
DROP TABLE related_orgs;
ALTER TABLE related_orgs_v2 RENAME TO related_orgs;
CREATE INDEX related_orgs_by_address ON related_orgs(case_id, email_key);
ALTER TABLE case_coordinators ADD COLUMN key_fingerprint TEXT NOT NULL DEFAULT '';
ALTER TABLE case_coordinators ADD COLUMN key_info TEXT NOT NULL DEFAULT '';
)sql";
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
