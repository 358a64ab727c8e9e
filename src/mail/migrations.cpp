// The mail gateway's tables (versions 400-499). They refer to vuln's cases, messages and mail_queue by id
// without a REFERENCES clause because vuln's schema (1000+) is created after this one.
#include "mail/schema.hpp"

namespace kizuna::mail {
namespace {

constexpr std::string_view kGateway = R"sql(
CREATE TABLE mail_inbound (
    id               INTEGER PRIMARY KEY,
    message_id       TEXT NOT NULL UNIQUE,      -- without <>; "sha256:<hex>" when the message has none
    raw              BLOB NOT NULL,             -- the bytes exactly as delivered
    sha256           TEXT NOT NULL,
    via              TEXT NOT NULL,             -- lmtp, smtp, import
    envelope_from    TEXT NOT NULL DEFAULT '',
    envelope_to      TEXT NOT NULL DEFAULT '',
    received_at      TEXT NOT NULL,
    state            TEXT NOT NULL DEFAULT 'received' CHECK (state IN ('received','routed','quarantined')),
    reason           TEXT NOT NULL DEFAULT '',  -- why quarantined
    subject          TEXT NOT NULL DEFAULT '',
    from_address     TEXT NOT NULL DEFAULT '',
    pgp              TEXT NOT NULL DEFAULT 'none',
    signer           TEXT NOT NULL DEFAULT '',  -- fingerprint of the first signature
    signature_status TEXT NOT NULL DEFAULT '',  -- good, bad signature, no public key, ...
    signer_validity  TEXT NOT NULL DEFAULT '',
    case_id          INTEGER,                   -- routed to this case ...
    thread           TEXT NOT NULL DEFAULT '',  -- ... and thread
    message_row      INTEGER,                   -- messages.id of the thread message
    report_id        INTEGER,                   -- mail_reports.id when it became a new report
    processed_at     TEXT NOT NULL DEFAULT '',
    attempts         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX mail_inbound_by_state ON mail_inbound(state, id);
CREATE TABLE mail_attachments (
    id         INTEGER PRIMARY KEY,
    inbound_id INTEGER NOT NULL REFERENCES mail_inbound(id),
    filename   TEXT NOT NULL,
    media_type TEXT NOT NULL,
    content    BLOB NOT NULL,
    sha256     TEXT NOT NULL
);
CREATE INDEX mail_attachments_by_inbound ON mail_attachments(inbound_id);
CREATE TABLE mail_reports (
    id           INTEGER PRIMARY KEY,
    inbound_id   INTEGER NOT NULL UNIQUE REFERENCES mail_inbound(id),
    from_address TEXT NOT NULL,
    from_name    TEXT NOT NULL DEFAULT '',
    subject      TEXT NOT NULL,
    body         TEXT NOT NULL,
    signer       TEXT NOT NULL DEFAULT '',
    signature_status TEXT NOT NULL DEFAULT '',
    encrypted    INTEGER NOT NULL DEFAULT 0,
    case_hint    INTEGER,                        -- a case the mail names although its sender is not part of it
    state        TEXT NOT NULL DEFAULT 'new' CHECK (state IN ('new','triaged')),
    created_at   TEXT NOT NULL
);
CREATE TABLE mail_outbound (
    mail_id         INTEGER PRIMARY KEY,         -- mail_queue.id
    message_id      TEXT NOT NULL UNIQUE,        -- without <>; fixed before the first attempt
    state           TEXT NOT NULL CHECK (state IN ('waiting','retry','sending','sent','failed')),
    reason          TEXT NOT NULL DEFAULT '',    -- why waiting / the last error
    recipient_key   TEXT NOT NULL DEFAULT '',
    payload         BLOB,                        -- the exact bytes submitted (kept for the resend after a crash)
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL DEFAULT '',
    updated_at      TEXT NOT NULL,
    sent_at         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX mail_outbound_by_state ON mail_outbound(state, next_attempt_at);
)sql";

// Attachments of queued mail (the daily IODEF to partner CSIRTs, O5) and keys of recipients other than
// vendors and infrastructure operators (partner CSIRTs); see mail/queue.hpp.
constexpr std::string_view kAttachmentsAndKeys = R"sql(
CREATE TABLE mail_queue_attachments (
    id            INTEGER PRIMARY KEY,
    mail_id       INTEGER NOT NULL,          -- mail_queue(id)
    position      INTEGER NOT NULL,
    filename      TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    data          BLOB NOT NULL,
    UNIQUE (mail_id, position)
);
CREATE TABLE mail_recipient_keys (
    fingerprint   TEXT PRIMARY KEY,          -- 40 hex digits, upper case
    address       TEXT NOT NULL,             -- the recipient address the key is for
    armored       TEXT NOT NULL,
    owner         TEXT NOT NULL,             -- who registered it, e.g. observe_partner:3
    added_at      TEXT NOT NULL
);
CREATE INDEX mail_recipient_keys_by_address ON mail_recipient_keys(address);
)sql";

// Issue 12 (V17, I1): identity from the signature, duplicates by Message-ID *and* body digest, parser
// warnings, what the signature covers, mail reports that became cases. mail_inbound loses its
// UNIQUE(message_id) (a different message may reuse an id), which SQLite can only do by rebuilding the
// table; its two child tables are rebuilt with it so that no foreign key dangles at any point: the new
// children refer to mail_inbound_v2, and renaming that table rewrites their references (SQLite >= 3.26).
constexpr std::string_view kSignatureIdentity = R"sql(
CREATE TABLE mail_inbound_v2 (
    id               INTEGER PRIMARY KEY,
    message_id       TEXT NOT NULL,             -- without <>; "sha256:<hex>" when the message has none
    body_sha256      TEXT NOT NULL DEFAULT '',  -- of the bytes after the header block; '' for mail stored before
    raw              BLOB NOT NULL,             -- the bytes exactly as delivered
    sha256           TEXT NOT NULL,
    via              TEXT NOT NULL,             -- lmtp, smtp, import
    envelope_from    TEXT NOT NULL DEFAULT '',
    envelope_to      TEXT NOT NULL DEFAULT '',
    received_at      TEXT NOT NULL,
    state            TEXT NOT NULL DEFAULT 'received' CHECK (state IN ('received','routed','quarantined')),
    reason           TEXT NOT NULL DEFAULT '',  -- why quarantined
    warnings         TEXT NOT NULL DEFAULT '',  -- the parser's warnings by name, comma-separated
    subject          TEXT NOT NULL DEFAULT '',
    from_address     TEXT NOT NULL DEFAULT '',
    pgp              TEXT NOT NULL DEFAULT 'none',
    signer           TEXT NOT NULL DEFAULT '',  -- fingerprint of the first signature
    signature_status TEXT NOT NULL DEFAULT '',  -- good, bad signature, no public key, ...
    signer_validity  TEXT NOT NULL DEFAULT '',
    verification     TEXT NOT NULL DEFAULT '' CHECK (verification IN ('','attributed','unverified','mismatch','quarantined')),
    party            TEXT NOT NULL DEFAULT '',  -- "vendor:3": attributed to, or (not attributed) claimed by From:
    case_id          INTEGER,                   -- routed to this case ...
    thread           TEXT NOT NULL DEFAULT '',  -- ... and thread
    message_row      INTEGER,                   -- messages.id of the thread message
    report_id        INTEGER,                   -- mail_reports.id when it became a new report
    processed_at     TEXT NOT NULL DEFAULT '',
    attempts         INTEGER NOT NULL DEFAULT 0,
    UNIQUE (message_id, body_sha256)
);
INSERT INTO mail_inbound_v2(id, message_id, raw, sha256, via, envelope_from, envelope_to, received_at, state, reason,
    subject, from_address, pgp, signer, signature_status, signer_validity, case_id, thread, message_row, report_id,
    processed_at, attempts)
  SELECT id, message_id, raw, sha256, via, envelope_from, envelope_to, received_at, state, reason, subject,
    from_address, pgp, signer, signature_status, signer_validity, case_id, thread, message_row, report_id,
    processed_at, attempts FROM mail_inbound;
CREATE TABLE mail_attachments_v2 (
    id         INTEGER PRIMARY KEY,
    inbound_id INTEGER NOT NULL REFERENCES mail_inbound_v2(id),
    filename   TEXT NOT NULL,
    media_type TEXT NOT NULL,
    content    BLOB NOT NULL,
    sha256     TEXT NOT NULL,
    covered    INTEGER NOT NULL DEFAULT 0 CHECK (covered IN (0,1))  -- inside the signed/encrypted content
);
INSERT INTO mail_attachments_v2(id, inbound_id, filename, media_type, content, sha256)
  SELECT id, inbound_id, filename, media_type, content, sha256 FROM mail_attachments;
CREATE TABLE mail_reports_v2 (
    id           INTEGER PRIMARY KEY,
    inbound_id   INTEGER NOT NULL UNIQUE REFERENCES mail_inbound_v2(id),
    from_address TEXT NOT NULL,
    from_name    TEXT NOT NULL DEFAULT '',
    subject      TEXT NOT NULL,
    body         TEXT NOT NULL,                  -- what the signature covers when signed
    unsigned_body TEXT NOT NULL DEFAULT '',      -- text outside the signature, never shown as signed
    signer       TEXT NOT NULL DEFAULT '',
    signature_status TEXT NOT NULL DEFAULT '',
    encrypted    INTEGER NOT NULL DEFAULT 0,
    verification TEXT NOT NULL DEFAULT '' CHECK (verification IN ('','attributed','unverified','mismatch')),
    party        TEXT NOT NULL DEFAULT '',       -- "vendor:3"
    party_name   TEXT NOT NULL DEFAULT '',       -- who it is from (attributed) or claims to be from
    verification_reason TEXT NOT NULL DEFAULT '',
    case_hint    INTEGER,                        -- a case the mail names although its sender is not part of it
    case_id      INTEGER,                        -- the case the coordinator made of it
    state        TEXT NOT NULL DEFAULT 'new' CHECK (state IN ('new','triaged')),
    created_at   TEXT NOT NULL
);
INSERT INTO mail_reports_v2(id, inbound_id, from_address, from_name, subject, body, signer, signature_status,
    encrypted, case_hint, state, created_at)
  SELECT id, inbound_id, from_address, from_name, subject, body, signer, signature_status, encrypted, case_hint,
    state, created_at FROM mail_reports;
DROP TABLE mail_attachments;
DROP TABLE mail_reports;
DROP TABLE mail_inbound;
ALTER TABLE mail_inbound_v2 RENAME TO mail_inbound;
ALTER TABLE mail_attachments_v2 RENAME TO mail_attachments;
ALTER TABLE mail_reports_v2 RENAME TO mail_reports;
CREATE INDEX mail_inbound_by_state ON mail_inbound(state, id);
CREATE INDEX mail_inbound_by_case ON mail_inbound(case_id);
CREATE INDEX mail_attachments_by_inbound ON mail_attachments(inbound_id);
CREATE INDEX mail_reports_by_case ON mail_reports(case_id);
)sql";

}  // namespace

std::span<const store::Migration> Migrations() {
    static const store::Migration kMigrations[] = {
        {400, "mail_gateway", kGateway},
        {401, "mail_attachments_and_recipient_keys", kAttachmentsAndKeys},
        {402, "mail_signature_identity", kSignatureIdentity},
    };
    return kMigrations;
}

}  // namespace kizuna::mail
