// Queueing mail for the outbound sender from other modules (V17, O5), and keys of recipients that are
// neither vendors nor infrastructure operators (partner CSIRTs).
//
// EnqueueMail writes one row of the durable outbox (vuln's mail_queue) plus its attachments
// (mail_queue_attachments) on the caller's connection, so the caller's transaction decides: the mail exists
// exactly when the caller's change does (the scheduler runs a job and queues its mail in one transaction).
// OutboundSender then signs and encrypts it like every other message — never in clear: without a usable key
// it waits with the reason.
//
// Recipient keys (mail_recipient_keys): a key registered for an address by its owner (e.g.
// "observe_partner:3"). OutboundSender looks a queued fingerprint up there too, and for a message queued
// without a usable key it tries the keys registered for the recipient address, newest first — so a key
// registered later releases the waiting message, as for vendors.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "store/store.hpp"

namespace kizuna::mail {

struct QueuedAttachment {
    std::string filename;      // [A-Za-z0-9._-], 1..100 bytes
    std::string content_type;  // e.g. "application/xml"
    std::string data;          // bytes
};

struct QueuedMail {
    std::string to;          // one address
    std::string subject;
    std::string body;        // text/plain, UTF-8
    std::string encrypt_to;  // OpenPGP fingerprint; "" = look for a key registered for `to`
    std::vector<QueuedAttachment> attachments;
};

// Largest attachment total per message (the relay and the recipient's mailbox must take it).
inline constexpr std::size_t kMaxAttachmentBytes = 20u << 20;

// Inserts the message (state 'queued') and its attachments; returns the mail_queue id. kInvalidArgument
// naming the field for a bad address, an empty subject, a bad attachment name or too many bytes.
core::Result<std::int64_t> EnqueueMail(store::Connection& c, const QueuedMail& mail, core::WallTime now);

// Attachments of a queued message, in the order given.
core::Result<std::vector<QueuedAttachment>> QueuedAttachments(store::Connection& c, std::int64_t mail_id);

// Registers (or replaces) `armored` with `fingerprint` for `address`, owned by `owner`.
core::Status RegisterRecipientKey(store::Connection& c, std::string_view fingerprint, std::string_view address,
                                  std::string_view armored, std::string_view owner, core::WallTime now);
// Removes every key `owner` registered.
core::Status RemoveRecipientKeys(store::Connection& c, std::string_view owner);

// A plausible single mailbox address (local@domain, no spaces, brackets or control characters, ≤ 254).
bool ValidMailAddress(std::string_view address);

}  // namespace kizuna::mail
