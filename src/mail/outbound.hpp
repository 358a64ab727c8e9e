// Outbound mail (V17): drains vuln's durable outbox (mail_queue) to the configured SMTP relay.
//
// Every message is signed with the center's key and encrypted (PGP/MIME, RFC 3156) to the recipient's
// registered key. Embargoed content is never sent in clear: without a usable key (none on file, expired,
// revoked, no encryption subkey) the message waits in state 'waiting' with the reason, a case event tells
// the coordinator, and the key is looked at again on every pass (registering a key releases the message).
//
// Exactly once across crashes: before submitting, the message's bytes and Message-ID are fixed and the row
// is marked 'sending' in a committed transaction; after the relay's 250 it is marked 'sent'. A row found
// 'sending' at start-up was interrupted: it is submitted again with the very same bytes and Message-ID.
// The only remaining window (the relay accepted, we died before recording it) yields at most one repeat
// with an identical Message-ID, which receiving MTAs and mail readers collapse; see docs/OPERATIONS.md.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "core/log.hpp"
#include "core/result.hpp"
#include "mail/pgp.hpp"
#include "store/store.hpp"

namespace kizuna::mail {

struct RelayOptions {
    std::string host;   // empty: nothing is sent (SendDue returns FailedPrecondition)
    int port = 25;
    bool starttls = false;
    std::string from_address = "kizuna@localhost";
    std::string from_name = "Kizuna";
    int timeout_seconds = 60;
    int max_attempts = 20;
};

// One SMTP submission (libcurl). Reply code (e.g. 250, 451, 550) or 0 when the connection failed.
struct SubmitOutcome {
    bool ok = false;
    int reply_code = 0;
    std::string error;
};
SubmitOutcome SubmitSmtp(const RelayOptions& relay, const std::string& envelope_from, const std::string& rcpt,
                         const std::string& message);

struct OutboundItem {
    std::int64_t mail_id = 0;
    std::string to;
    std::string subject;
    std::string state;  // queue state: queued, sending, sent, failed
    std::string delivery_state;  // waiting, retry, sending, sent, failed, "" (not looked at yet)
    std::string reason;
    std::optional<std::int64_t> case_id;
    std::string case_identifier;
    int attempts = 0;
    std::string next_attempt_at;
    std::string message_id;
};

struct SendReport {
    int sent = 0;
    int waiting = 0;
    int retrying = 0;
    int failed = 0;
};

class OutboundSender {
  public:
    // All references must outlive the sender.
    OutboundSender(store::Database& db, const core::Clock& clock, core::Logger& log, CenterKeyring& keyring,
                   RelayOptions relay);
    ~OutboundSender();  // stops the thread

    // One pass over every due message. Returns counts; an error only when the store or gpg fails.
    core::Result<SendReport> SendDue();

    // Makes rows left 'sending' by a crashed run due now (they are resent with the same bytes and
    // Message-ID). Call once at start-up, with no other sender running on the database.
    void RecoverInFlight();

    // Background thread (calls RecoverInFlight first): SendDue every `interval` (and at once after Wake()).
    void Start(std::chrono::seconds interval);
    void Stop();
    void Wake();

    core::Result<std::vector<OutboundItem>> List(bool pending_only, int limit);

  private:
    core::Status SendOne(std::int64_t mail_id, SendReport& report);

    store::Database& db_;
    const core::Clock& clock_;
    core::Logger& log_;
    CenterKeyring& keyring_;
    RelayOptions relay_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool stop_ = false;
    bool wake_ = false;
    std::thread thread_;
};

}  // namespace kizuna::mail
