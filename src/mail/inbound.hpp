// Inbound mail (I1, V17): every delivered message is first stored raw and durably (mail_inbound), then
// parsed, decrypted and verified with the center's key, attributed (mail/attribution.hpp) and routed:
//   - to a case thread when the case identifier is in the subject (e.g. "[JVNVU#12345678]"), in an
//     X-Kizuna-Case header, or when In-Reply-To/References name a message the center sent or routed, and
//     the message carries a good signature by a key registered to a vendor of that case (thread
//     "vendor:<id>"). From: alone never puts anything into a thread: identifiers travel in every subject;
//   - otherwise to an incoming report (mail_reports) with its attachments, marked attributed, unverified
//     (with the sender it claims) or mismatch, keeping any case it named as a hint for the coordinator.
// Bad signatures, malformed, truncated, undecryptable and oversized mail are quarantined with the reason
// and can be reprocessed; nothing is dropped. A second delivery with the same Message-ID and the same
// body is recognised and not stored again; the same Message-ID with another body is a new message.
// Only what a signature covers is shown as signed; text and parts beside it are stored as unsigned.
//
// Reads vuln's tables (cases, case_vendors, vendor_contacts, vendor_keys, messages, case_events, mail_queue)
// through SQL only: vuln links against mail (key inspection), so mail cannot link against vuln.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "mail/mime.hpp"
#include "mail/pgp.hpp"
#include "store/store.hpp"

namespace kizuna::mail {

struct AcceptResult {
    std::int64_t id = 0;
    bool duplicate = false;  // the Message-ID was already stored; nothing new was written
};

struct ProcessResult {
    std::int64_t id = 0;
    std::string state;   // routed, quarantined
    std::string reason;  // quarantine reason
    std::optional<std::int64_t> case_id;
    std::string thread;
    std::optional<std::int64_t> report_id;
};

struct InboundItem {
    std::int64_t id = 0;
    std::string message_id;
    std::string received_at;
    std::string via;
    std::string from_address;
    std::string subject;
    std::string state;
    std::string reason;
    std::string pgp;
    std::string signer;
    std::string signature_status;
    std::int64_t size = 0;
    int attempts = 0;
};

struct MailAttachmentInfo {
    std::int64_t id = 0;
    std::string filename;  // "" when the part had none
    std::string media_type;
    std::int64_t size = 0;
    bool covered = false;  // inside what the signature (or encryption) covers
};

struct MailReport {
    std::int64_t id = 0;
    std::int64_t inbound_id = 0;
    std::string from_address;
    std::string from_name;
    std::string subject;
    std::string body;           // what the signature covers when signed
    std::string unsigned_body;  // text outside the signature ("" when none)
    std::string signer;
    std::string signature_status;
    bool encrypted = false;
    std::string verification;         // attributed, unverified, mismatch ("" for mail stored before issue 12)
    std::string party;                // "vendor:3": who it is from (attributed) or claims to be from
    std::string party_name;
    std::string verification_reason;  // why it is not attributed
    std::optional<std::int64_t> case_hint;
    std::optional<std::int64_t> case_id;  // the case a coordinator made of it
    std::string created_at;
    std::vector<std::string> attachments;  // "name (media type, N bytes)"
    std::vector<MailAttachmentInfo> files;
};

// One stored attachment of an inbound message, for the download route.
struct StoredAttachment {
    MailAttachmentInfo info;
    std::string content;
    std::int64_t inbound_id = 0;
    std::optional<std::int64_t> case_id;  // the case its message was routed to or made into
    std::string thread;                   // "vendor:3" when routed into a thread
};

class InboundService {
  public:
    // All references must outlive the service. Thread-safe (each call uses its own pooled connection).
    InboundService(store::Database& db, const core::Clock& clock, CenterKeyring& keyring, MimeLimits limits);

    // Stores the raw message in its own committed transaction: when this returns ok the message is durable
    // (LMTP/SMTP may now answer 250). Over-limit messages are stored too (and quarantined by Process).
    core::Result<AcceptResult> Accept(std::string_view raw, std::string_view via, std::string_view envelope_from = {},
                                      std::string_view envelope_to = {});
    // Parses, decrypts, verifies and routes a stored message (state 'received' or 'quarantined').
    // Never fails because of the message itself: that is a quarantine with a reason. Errors are store
    // or gpg failures, after which the message stays as it was (and ProcessPending picks it up again).
    core::Result<ProcessResult> Process(std::int64_t id);
    // Accept, then Process unless it was a duplicate.
    core::Result<ProcessResult> Deliver(std::string_view raw, std::string_view via, std::string_view envelope_from = {},
                                        std::string_view envelope_to = {});
    // Processes every message still 'received' (after a crash between Accept and Process).
    core::Result<int> ProcessPending();
    // A quarantined message once more (e.g. after the center's key was imported). FailedPrecondition for
    // a message that is not in quarantine.
    core::Result<ProcessResult> Reprocess(std::int64_t id);

    core::Result<std::vector<InboundItem>> List(std::string_view state, int limit);
    core::Result<std::vector<MailReport>> Reports(int limit);
    core::Result<MailReport> Report(std::int64_t report_id);  // NotFound
    core::Result<StoredAttachment> Attachment(std::int64_t attachment_id);  // NotFound
    // The attachments of the inbound messages routed into `case_id` or made into it; with `thread`
    // ("vendor:3") only those of messages routed into that thread.
    core::Result<std::vector<MailAttachmentInfo>> CaseAttachments(std::int64_t case_id, const std::string& thread = {});
    // The message as delivered, for the download of the original.
    core::Result<std::string> Raw(std::int64_t inbound_id);  // NotFound
    // Records that a coordinator made a case of the report: the report (state triaged), its message and
    // attachments stay linked to `case_id`. FailedPrecondition when the report already became a case.
    core::Status LinkReportToCase(std::int64_t report_id, std::int64_t case_id);

  private:
    store::Database& db_;
    const core::Clock& clock_;
    CenterKeyring& keyring_;
    MimeLimits limits_;
};

}  // namespace kizuna::mail
