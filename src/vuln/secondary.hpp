// V16 (seed 001, その他 "関係組織への情報の取扱いについて（情報の二次配布）"): secondary distribution.
//
// A vendor taking part in a case names a related organisation (subsidiary, subcontractor) that needs the
// vulnerability information: organisation name, person, e-mail, phone. The vendor passes on ONLY the
// case identifier. The related organisation then asks the coordinator with that identifier through the
// public form (/related): the identifier plus the e-mail address the vendor registered authenticate it,
// and its contact is recorded (state 'claimed'). A coordinator approves the claim, and only then the
// coordinator itself sends the information, at the naming vendor's current disclosure level (technical
// details only when that vendor has 'detail'), as one mail_queue row.
//
// Claim never tells its caller whether the identifier or the organisation was right: the outcome is
// returned for the audit and the tests, and the web layer shows the same page for every outcome. Failed
// claims are counted per remote address (table secondary_claim_failures, like login_failures).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/audit.hpp"
#include "core/clock.hpp"
#include "core/ids.hpp"
#include "store/store.hpp"
#include "vuln/cases.hpp"
#include "vuln/types.hpp"

namespace kizuna::vuln {

struct RelatedOrganizationTag;
using RelatedId = core::Id<RelatedOrganizationTag>;

// What the vendor registers, and what the related organisation sends with its claim.
struct RelatedContact {
    std::string name;    // organisation or company name (組織名、又は会社名)
    std::string person;  // person in charge (担当者名)
    std::string email;   // required: the claim is matched on it
    std::string phone;   // optional
    std::string key;     // claim only, optional: the organisation's OpenPGP public key (ASCII-armored)
    // The language of its mail (issue 13): set when named (default ja); a claim that gives one changes it.
    std::optional<MailLang> lang;
};

// 'named' (by the vendor) → 'claimed' (the organisation asked with the identifier) → 'approved' (the
// information was sent) or 'refused'.
enum class RelatedState { kNamed, kClaimed, kApproved, kRefused };
std::string_view Name(RelatedState v);

struct RelatedOrganization {
    RelatedId id;
    CaseId case_id;
    VendorId vendor;          // the vendor that named it
    std::string vendor_name;
    RelatedContact contact;   // as the vendor registered it
    RelatedState state = RelatedState::kNamed;
    std::string named_by;
    std::string named_at;
    RelatedContact claimed;   // as the organisation registered itself with the claim ('' before)
    std::string claimed_at;
    std::string decided_by;
    std::string decided_at;
    std::string refusal_reason;
    Level sent_level = Level::kNone;  // the level the information was sent at (approved only)
    std::string key_fingerprint;      // the OpenPGP key the information is encrypted to ('' = none yet)
    std::string key_info;             // "ed25519/cv25519, no expiry"
};

// Returned by Claim for the audit trail and the tests; never shown to the claimant.
enum class ClaimOutcome {
    kClaimed,         // identifier and e-mail matched a named organisation: contact recorded
    kUnknownCase,     // no case has this identifier (counts as a failure)
    kNoMatch,         // the case exists but no named organisation of it has this e-mail (a failure)
    kAlreadyClaimed,  // matched, but the organisation was already claimed, approved or refused: no change
};
std::string_view Name(ClaimOutcome v);

class SecondaryService {
  public:
    // Failed claims allowed per remote address within kClaimWindow; once the window holds this many,
    // every further attempt from the address is refused (ResourceExhausted) until the oldest ages out.
    static constexpr int kMaxClaimFailures = 5;
    static constexpr std::chrono::minutes kClaimWindow{15};

    SecondaryService(store::Database& db, const core::Clock& clock, const auth::AuditLog& audit)
        : db_(db), clock_(clock), audit_(audit) {}

    // A vendor in the case at level summary or detail names a related organisation. Staff may record it
    // for a vendor of the case with `on_behalf_of` (the vendor sent the items by mail). NotFound for a
    // caller that may not know the case or whose vendor has not been told about it; InvalidArgument with
    // field name/person/email/phone; AlreadyExists (field "email") when the case already has a related
    // organisation with this e-mail named by the same vendor (whether another vendor named the same address
    // is never revealed: each vendor's naming is its own row). Writes case event "related.named" and audit
    // "secondary.register".
    core::Result<RelatedId> RegisterRelated(CaseId id, const RelatedContact& org, const Caller& caller,
                                            std::optional<VendorId> on_behalf_of = std::nullopt);

    // The related organisation asks with the case identifier (no account). InvalidArgument (fields
    // identifier/name/person/email/phone) for a malformed form, ResourceExhausted when the address is
    // throttled; otherwise the outcome, which callers must not reveal. Audited as "secondary.claim" with
    // the outcome in the detail (the identifier only when it named a case). An optional `claimant.key` is
    // checked with GPGME before anything is looked up (InvalidArgument, field "key", when it is not one
    // usable public key) and, on a successful claim, registered for the organisation's address: the
    // information is sent encrypted to it.
    core::Result<ClaimOutcome> Claim(std::string_view identifier, const RelatedContact& claimant,
                                     std::string_view remote_ip);

    // Staff: sends the information to a claimed organisation at the naming vendor's current level and
    // returns the mail_queue id. The mail carries what the vendor has at that level: summary and keywords;
    // at 'detail' also the technical details, the case's terms and its attachments (as mail attachments,
    // up to mail::kMaxAttachmentBytes; those left out are named in the text). FailedPrecondition unless the organisation is claimed, or when the vendor
    // has no level any more. Audited as "case.disclose" {"related": id, "level": ...}.
    core::Result<std::int64_t> Approve(CaseId id, RelatedId related, const Caller& caller);
    // Staff: registers or replaces the organisation's OpenPGP public key (checked with GPGME: one public key,
    // not revoked or expired, able to encrypt; InvalidArgument field "key" otherwise). Mail waiting for a
    // key is released by the outbound sender. Audited as "secondary.key".
    core::Status SetKey(CaseId id, RelatedId related, std::string_view armored, const Caller& caller);
    // Staff: closes a named or claimed organisation without sending anything.
    core::Status Refuse(CaseId id, RelatedId related, std::string_view reason, const Caller& caller);

    // Staff: every related organisation of the case; a vendor of the case: those it named; others NotFound.
    core::Result<std::vector<RelatedOrganization>> List(CaseId id, const Caller& caller);

  private:
    store::Database& db_;
    const core::Clock& clock_;
    const auth::AuditLog& audit_;
};

// Schema of this file's tables (SQL text, for vuln's migration list).
std::string_view SecondarySchema();
// Migration 1021: one row per naming vendor (UNIQUE case, vendor, e-mail) and the organisation's key.
std::string_view SecondaryKeysSchema();

namespace detail {
// A public key a related body (related organisation, overseas coordinator) registers: checked with GPGME
// at `now`. InvalidArgument (field "key") unless it is one public key that can encrypt now.
struct CheckedKey {
    std::string fingerprint;
    std::string info;  // "ed25519/cv25519, expires 2028-01-01T00:00:00Z"
};
core::Result<CheckedKey> CheckBodyKey(std::string_view armored, core::WallTime now);
}  // namespace detail

}  // namespace kizuna::vuln
