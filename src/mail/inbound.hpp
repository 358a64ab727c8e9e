// Inbound mail (I1, V17): every delivered message is first stored raw and durably (mail_inbound), then
// parsed, decrypted and verified with the center's key, and routed:
//   - to a case thread when the case identifier is in the subject (e.g. "[JVNVU#12345678]"), in an
//     X-Kizuna-Case header, or when In-Reply-To/References name a message the center sent or routed, and
//     the sender is that case's vendor contact (thread "vendor:<id>") or reporter (thread "reporter");
//   - otherwise to a new incoming report (mail_reports) with its attachments, keeping any case it named as
//     a hint for the coordinator.
// Malformed, undecryptable and oversized mail is quarantined with the reason and can be reprocessed;
// nothing is dropped. A second delivery with the same Message-ID is recognised and not stored again.
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

struct MailReport {
    std::int64_t id = 0;
    std::int64_t inbound_id = 0;
    std::string from_address;
    std::string from_name;
    std::string subject;
    std::string body;
    std::string signer;
    std::string signature_status;
    bool encrypted = false;
    std::optional<std::int64_t> case_hint;
    std::string created_at;
    std::vector<std::string> attachments;  // "name (media type, N bytes)"
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

  private:
    store::Database& db_;
    const core::Clock& clock_;
    CenterKeyring& keyring_;
    MimeLimits limits_;
};

}  // namespace kizuna::mail
