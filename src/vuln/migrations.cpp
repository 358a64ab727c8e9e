// vuln/ owns migration versions 1000-1999. Times are RFC 3339 UTC text unless the column ends in _us
// (UNIX microseconds, for comparisons).
#include "vuln/advisories.hpp"
#include "vuln/early_notice.hpp"
#include "vuln/international.hpp"
#include "vuln/secondary.hpp"
#include "vuln/vuln.hpp"

namespace kizuna::vuln {
namespace {

// V1: organisations, their contact points, keys, products with software composition, keyword answers,
// registration kind and workflow, agreement to the registration terms.
constexpr std::string_view kVendors = R"sql(
CREATE TABLE vendors (
    id                 INTEGER PRIMARY KEY,
    name               TEXT NOT NULL UNIQUE,
    name_en            TEXT NOT NULL DEFAULT '',
    registration_kind  TEXT NOT NULL CHECK (registration_kind IN ('general','individual','unregistered')),
    registration_state TEXT NOT NULL CHECK (registration_state IN
        ('unregistered','applied','documents_received','meeting','registration_requested','registered','refused')),
    terms_version      TEXT NOT NULL DEFAULT '',
    terms_agreed_at    TEXT NOT NULL DEFAULT '',
    postal_address     TEXT NOT NULL DEFAULT '',
    website            TEXT NOT NULL DEFAULT '',
    created_at         TEXT NOT NULL,
    registered_at      TEXT NOT NULL DEFAULT ''
);
CREATE TABLE vendor_registration_events (
    id         INTEGER PRIMARY KEY,
    vendor_id  INTEGER NOT NULL REFERENCES vendors(id),
    from_state TEXT NOT NULL,
    to_state   TEXT NOT NULL,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT ''
);
CREATE TABLE vendor_contacts (
    id         INTEGER PRIMARY KEY,
    vendor_id  INTEGER NOT NULL REFERENCES vendors(id),
    name       TEXT NOT NULL,
    email      TEXT NOT NULL DEFAULT '',
    phone      TEXT NOT NULL DEFAULT '',
    is_primary INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE vendor_keys (
    id          INTEGER PRIMARY KEY,
    vendor_id   INTEGER NOT NULL REFERENCES vendors(id),
    fingerprint TEXT NOT NULL,
    user_ids    TEXT NOT NULL DEFAULT '',
    expires_at  TEXT NOT NULL DEFAULT '',   -- '' = does not expire
    can_encrypt INTEGER NOT NULL,
    armored     TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    UNIQUE (vendor_id, fingerprint)
);
CREATE TABLE vendor_members (
    vendor_id INTEGER NOT NULL REFERENCES vendors(id),
    user_id   INTEGER NOT NULL UNIQUE REFERENCES users(id),
    PRIMARY KEY (vendor_id, user_id)
);
CREATE TABLE products (
    id        INTEGER PRIMARY KEY,
    vendor_id INTEGER NOT NULL REFERENCES vendors(id),
    name      TEXT NOT NULL,
    UNIQUE (vendor_id, name)
);
CREATE TABLE product_components (
    id         INTEGER PRIMARY KEY,
    product_id INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,              -- normalised lower case ("openssl")
    version    TEXT NOT NULL DEFAULT '',
    purl       TEXT NOT NULL DEFAULT '',
    source     TEXT NOT NULL DEFAULT 'manual' CHECK (source IN ('manual','cyclonedx','spdx'))
);
CREATE INDEX product_components_by_name ON product_components(name);
CREATE TABLE tech_keywords (
    id       INTEGER PRIMARY KEY,
    keyword  TEXT NOT NULL UNIQUE,         -- normalised lower case ("upnp", "http-server")
    label_ja TEXT NOT NULL DEFAULT '',
    label_en TEXT NOT NULL DEFAULT ''
);
CREATE TABLE vendor_keywords (
    vendor_id  INTEGER NOT NULL REFERENCES vendors(id),
    keyword_id INTEGER NOT NULL REFERENCES tech_keywords(id),
    PRIMARY KEY (vendor_id, keyword_id)
);
)sql";


// V2-V7, V12, V13, V17: cases, their vendors and disclosure levels, notices, contact attempts,
// attachments, status reports, countermeasures, the timeline, message threads and the mail queue.
constexpr std::string_view kCases = R"sql(
CREATE TABLE cases (
    id                  INTEGER PRIMARY KEY,
    identifier          TEXT NOT NULL UNIQUE,   -- "JVNVU#12345678"
    receipt_id          TEXT NOT NULL UNIQUE,   -- given to the reporter: "R-XXXX-XXXX-XXXX"
    title               TEXT NOT NULL,
    summary             TEXT NOT NULL DEFAULT '',  -- no technical detail: what a summary notice may say
    details             TEXT NOT NULL DEFAULT '',  -- technical detail: only for coordinators and detail vendors
    source              TEXT NOT NULL CHECK (source IN ('domestic','certcc','cpni','finder','other')),
    reporter_user_id    INTEGER REFERENCES users(id),
    reporter_name       TEXT NOT NULL DEFAULT '',
    reporter_email      TEXT NOT NULL DEFAULT '',
    state               TEXT NOT NULL CHECK (state IN ('received','verified','rejected','coordinating','closed')),
    verification        TEXT NOT NULL DEFAULT 'pending'
                        CHECK (verification IN ('pending','reproduced','not_reproduced','false_report')),
    verification_note   TEXT NOT NULL DEFAULT '',
    created_at          TEXT NOT NULL,
    handling_started_at TEXT NOT NULL DEFAULT '',
    published           INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE case_terms (
    case_id INTEGER NOT NULL REFERENCES cases(id),
    kind    TEXT NOT NULL CHECK (kind IN ('keyword','component','product')),
    value   TEXT NOT NULL,
    version TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (case_id, kind, value)
);
CREATE TABLE case_vendors (
    case_id          INTEGER NOT NULL REFERENCES cases(id),
    vendor_id        INTEGER NOT NULL REFERENCES vendors(id),
    level            TEXT NOT NULL DEFAULT 'none' CHECK (level IN ('none','summary','detail')),
    answer           TEXT NOT NULL DEFAULT 'none' CHECK (answer IN ('none','request_details','no_products')),
    status           TEXT NOT NULL DEFAULT 'unknown' CHECK (status IN
                     ('unknown','affected','affected_investigating','not_affected','not_affected_investigating')),
    status_text      TEXT NOT NULL DEFAULT '',
    status_urls      TEXT NOT NULL DEFAULT '',   -- newline-separated
    status_at        TEXT NOT NULL DEFAULT '',
    added_at         TEXT NOT NULL,
    added_by         TEXT NOT NULL,
    suggested_by     INTEGER REFERENCES vendors(id),
    summary_sent_at  TEXT NOT NULL DEFAULT '',
    details_sent_at  TEXT NOT NULL DEFAULT '',
    registration_requested_at TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (case_id, vendor_id)
);
CREATE TABLE case_attachments (
    id         INTEGER PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES cases(id),
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('detail','poc','tool','test_suite')),
    media_type TEXT NOT NULL DEFAULT 'application/octet-stream',
    content    BLOB NOT NULL,
    sha256     TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE contact_attempts (
    id        INTEGER PRIMARY KEY,
    case_id   INTEGER REFERENCES cases(id),
    vendor_id INTEGER NOT NULL REFERENCES vendors(id),
    channel   TEXT NOT NULL CHECK (channel IN ('email','postal','phone','fax','web_form')),
    address   TEXT NOT NULL,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    note      TEXT NOT NULL DEFAULT ''
);
CREATE TABLE status_reports (
    id                INTEGER PRIMARY KEY,
    case_id           INTEGER NOT NULL REFERENCES cases(id),
    vendor_id         INTEGER NOT NULL REFERENCES vendors(id),
    status            TEXT NOT NULL,
    public_text       TEXT NOT NULL DEFAULT '',
    urls              TEXT NOT NULL DEFAULT '',
    affected_products TEXT NOT NULL DEFAULT '',
    plan              TEXT NOT NULL DEFAULT '',
    schedule          TEXT NOT NULL DEFAULT '',
    reported_at       TEXT NOT NULL,
    reported_by       TEXT NOT NULL
);
CREATE TABLE countermeasures (
    id            INTEGER PRIMARY KEY,
    case_id       INTEGER NOT NULL REFERENCES cases(id),
    vendor_id     INTEGER NOT NULL REFERENCES vendors(id),
    product       TEXT NOT NULL,
    workaround    TEXT NOT NULL DEFAULT '',
    fix           TEXT NOT NULL DEFAULT '',
    fixed_version TEXT NOT NULL DEFAULT '',
    at            TEXT NOT NULL
);
CREATE TABLE case_events (
    id      INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    at      TEXT NOT NULL,
    actor   TEXT NOT NULL,
    kind    TEXT NOT NULL,
    text    TEXT NOT NULL DEFAULT '',
    vendor_id INTEGER REFERENCES vendors(id)   -- set when the event concerns one vendor only
);
CREATE INDEX case_events_by_case ON case_events(case_id, id);
CREATE TABLE messages (
    id        INTEGER PRIMARY KEY,
    case_id   INTEGER NOT NULL REFERENCES cases(id),
    thread    TEXT NOT NULL,                 -- 'vendor:<id>' or 'reporter'
    author    TEXT NOT NULL,
    author_role TEXT NOT NULL,
    body      TEXT NOT NULL,
    at        TEXT NOT NULL
);
CREATE INDEX messages_by_thread ON messages(case_id, thread, id);
CREATE TABLE mail_queue (
    id            INTEGER PRIMARY KEY,
    to_address    TEXT NOT NULL,
    subject       TEXT NOT NULL,
    body          TEXT NOT NULL,
    encrypt_to    TEXT NOT NULL DEFAULT '',  -- OpenPGP fingerprint, '' = no key on file
    case_id       INTEGER REFERENCES cases(id),
    vendor_id     INTEGER REFERENCES vendors(id),
    state         TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued','sending','sent','failed')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
);
)sql";


// V5, V8-V10: the publication schedule, date change requests, embargo release and unreachable vendors.
constexpr std::string_view kSchedule = R"sql(
ALTER TABLE cases ADD COLUMN leak_risk TEXT NOT NULL DEFAULT 'normal' CHECK (leak_risk IN ('normal','high'));
ALTER TABLE cases ADD COLUMN publish_at TEXT NOT NULL DEFAULT '';        -- decided instant, UTC
ALTER TABLE cases ADD COLUMN publish_reason TEXT NOT NULL DEFAULT '';    -- why not the 45-day default
ALTER TABLE cases ADD COLUMN published_at TEXT NOT NULL DEFAULT '';
ALTER TABLE case_vendors ADD COLUMN date_answer TEXT NOT NULL DEFAULT 'none'
    CHECK (date_answer IN ('none','accepted','change_requested'));
ALTER TABLE case_vendors ADD COLUMN unreachable_since TEXT NOT NULL DEFAULT '';  -- first contact attempt
ALTER TABLE case_vendors ADD COLUMN unreachable INTEGER NOT NULL DEFAULT 0;
CREATE TABLE schedule_proposals (
    id         INTEGER PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES cases(id),
    publish_at TEXT NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    state      TEXT NOT NULL CHECK (state IN ('proposed','decided','superseded')),
    created_at TEXT NOT NULL,
    actor      TEXT NOT NULL
);
CREATE TABLE date_change_requests (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES cases(id),
    vendor_id    INTEGER NOT NULL REFERENCES vendors(id),
    requested_at TEXT NOT NULL,        -- the date the vendor asks for
    reason       TEXT NOT NULL,
    state        TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open','granted','refused')),
    created_at   TEXT NOT NULL,
    decided_at   TEXT NOT NULL DEFAULT ''
);
)sql";

// Issue 12: every foreign-key column has an index whose first column it is, so the lookups of a case's
// reports, countermeasures, attachments, contact attempts, proposals… (and SQLite's own foreign-key checks on
// delete) do not scan the table. tests/functional/schema_test.cpp fails for a foreign key without one.
constexpr std::string_view kForeignKeyIndexes = R"sql(
CREATE INDEX IF NOT EXISTS vendor_registration_events_by_vendor ON vendor_registration_events(vendor_id, id);
CREATE INDEX IF NOT EXISTS vendor_contacts_by_vendor ON vendor_contacts(vendor_id);
CREATE INDEX IF NOT EXISTS product_components_by_product ON product_components(product_id);
CREATE INDEX IF NOT EXISTS vendor_keywords_by_keyword ON vendor_keywords(keyword_id);
CREATE INDEX IF NOT EXISTS cases_by_reporter ON cases(reporter_user_id);
CREATE INDEX IF NOT EXISTS case_vendors_by_vendor ON case_vendors(vendor_id);
CREATE INDEX IF NOT EXISTS case_vendors_by_suggester ON case_vendors(suggested_by);
CREATE INDEX IF NOT EXISTS case_attachments_by_case ON case_attachments(case_id);
CREATE INDEX IF NOT EXISTS contact_attempts_by_case ON contact_attempts(case_id, vendor_id);
CREATE INDEX IF NOT EXISTS contact_attempts_by_vendor ON contact_attempts(vendor_id);
CREATE INDEX IF NOT EXISTS status_reports_by_case ON status_reports(case_id, vendor_id);
CREATE INDEX IF NOT EXISTS status_reports_by_vendor ON status_reports(vendor_id);
CREATE INDEX IF NOT EXISTS countermeasures_by_case ON countermeasures(case_id, vendor_id);
CREATE INDEX IF NOT EXISTS countermeasures_by_vendor ON countermeasures(vendor_id);
CREATE INDEX IF NOT EXISTS case_events_by_vendor ON case_events(vendor_id);
CREATE INDEX IF NOT EXISTS mail_queue_by_case ON mail_queue(case_id);
CREATE INDEX IF NOT EXISTS mail_queue_by_vendor ON mail_queue(vendor_id);
CREATE INDEX IF NOT EXISTS schedule_proposals_by_case ON schedule_proposals(case_id, state);
CREATE INDEX IF NOT EXISTS date_change_requests_by_case ON date_change_requests(case_id, vendor_id);
CREATE INDEX IF NOT EXISTS date_change_requests_by_vendor ON date_change_requests(vendor_id);
CREATE INDEX IF NOT EXISTS infra_contacts_by_org ON infra_contacts(org_id);
CREATE INDEX IF NOT EXISTS early_notices_by_requester ON early_notices(requested_by_user);
CREATE INDEX IF NOT EXISTS early_notice_recipients_by_notice ON early_notice_recipients(notice_id);
CREATE INDEX IF NOT EXISTS early_notice_recipients_by_org ON early_notice_recipients(org_id);
CREATE INDEX IF NOT EXISTS early_notice_recipients_by_mail ON early_notice_recipients(mail_id);
CREATE INDEX IF NOT EXISTS related_orgs_by_vendor ON related_orgs(vendor_id);
CREATE INDEX IF NOT EXISTS related_orgs_by_mail ON related_orgs(mail_id);
)sql";

// Issue 12: status columns created without a CHECK. SQLite cannot add a CHECK to an existing column without
// rebuilding the table, and rebuilding tables that others reference needs foreign_keys off, which cannot be
// switched inside the migration's transaction; so the check is a pair of triggers per column, which reject
// exactly what a CHECK would: RAISE(ABORT) rolls the statement back. The value lists are those of
// case_vendors.status and vendors.registration_state ('' = no state before a vendor's creation).
constexpr std::string_view kStatusChecks = R"sql(
CREATE TRIGGER status_reports_status_check_insert BEFORE INSERT ON status_reports
WHEN NEW.status NOT IN ('unknown','affected','affected_investigating','not_affected','not_affected_investigating')
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: status_reports.status'); END;
CREATE TRIGGER status_reports_status_check_update BEFORE UPDATE OF status ON status_reports
WHEN NEW.status NOT IN ('unknown','affected','affected_investigating','not_affected','not_affected_investigating')
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: status_reports.status'); END;
CREATE TRIGGER vendor_registration_events_state_check_insert BEFORE INSERT ON vendor_registration_events
WHEN NEW.from_state NOT IN ('','unregistered','applied','documents_received','meeting','registration_requested',
                            'registered','refused')
  OR NEW.to_state NOT IN ('unregistered','applied','documents_received','meeting','registration_requested',
                          'registered','refused')
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: vendor_registration_events state'); END;
CREATE TRIGGER vendor_registration_events_state_check_update BEFORE UPDATE OF from_state, to_state
ON vendor_registration_events
WHEN NEW.from_state NOT IN ('','unregistered','applied','documents_received','meeting','registration_requested',
                            'registered','refused')
  OR NEW.to_state NOT IN ('unregistered','applied','documents_received','meeting','registration_requested',
                          'registered','refused')
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: vendor_registration_events state'); END;
)sql";

// Issue 12: one source of truth for publication, and NULL (not '') for a time that has not happened.
// cases.published duplicated cases.published_at; it is now derived from it (a generated column, so every
// reader keeps working and nothing can write the two out of step). Absent times become NULL: each column is
// replaced by a nullable one without a default (ADD, copy with NULLIF, DROP, RENAME: no table rebuild, so
// the foreign keys that point at cases stay untouched). Readers see NULL as "" (store::Row::Text).
constexpr std::string_view kPublicationAndNullTimes = R"sql(
ALTER TABLE cases DROP COLUMN published;
ALTER TABLE cases ADD COLUMN published_at_new TEXT;   -- NULL = not published
UPDATE cases SET published_at_new = NULLIF(published_at, '');
ALTER TABLE cases DROP COLUMN published_at;
ALTER TABLE cases RENAME COLUMN published_at_new TO published_at;
ALTER TABLE cases ADD COLUMN published INTEGER GENERATED ALWAYS AS (published_at IS NOT NULL) VIRTUAL;
ALTER TABLE cases ADD COLUMN publish_at_new TEXT;     -- NULL = no date decided
UPDATE cases SET publish_at_new = NULLIF(publish_at, '');
ALTER TABLE cases DROP COLUMN publish_at;
ALTER TABLE cases RENAME COLUMN publish_at_new TO publish_at;
ALTER TABLE date_change_requests ADD COLUMN decided_at_new TEXT;  -- NULL = still open
UPDATE date_change_requests SET decided_at_new = NULLIF(decided_at, '');
ALTER TABLE date_change_requests DROP COLUMN decided_at;
ALTER TABLE date_change_requests RENAME COLUMN decided_at_new TO decided_at;
)sql";

// Issue 12: answers to the publication date name the date they were given for (a new date needs a new
// answer from everyone); vendors' date-change reasons leave the case's public reason; the report form's
// per-address throttle.
constexpr std::string_view kDateAnswersAndThrottle = R"sql(
ALTER TABLE case_vendors ADD COLUMN date_answer_for TEXT NOT NULL DEFAULT '';
UPDATE case_vendors SET date_answer_for = coalesce((SELECT p.publish_at FROM schedule_proposals p
    WHERE p.case_id = case_vendors.case_id AND p.state = 'proposed' ORDER BY p.id DESC LIMIT 1), '')
    WHERE date_answer = 'accepted';
UPDATE cases SET publish_reason = 'changed at a vendor''s request'
    WHERE publish_reason LIKE 'date change requested by a vendor:%';
UPDATE schedule_proposals SET reason = 'changed at a vendor''s request'
    WHERE reason LIKE 'date change requested by a vendor:%';
CREATE TABLE report_submissions (
    key   TEXT NOT NULL,               -- 'ip:ADDRESS'
    at_us INTEGER NOT NULL
);
CREATE INDEX report_submissions_by_key ON report_submissions(key, at_us);
)sql";

}  // namespace

std::span<const store::Migration> Migrations() {
    static const store::Migration kMigrations[] = {
        {1000, "vuln_vendor_registry", kVendors},
        {1001, "vuln_cases", kCases},
        {1002, "vuln_schedule", kSchedule},
        {1003, "vuln_early_notice", EarlyNoticeSchema()},
        {1004, "vuln_secondary", SecondarySchema()},
        {1005, "vuln_international", InternationalSchema()},
        // Issue 12 (V17): whether unsigned mail claiming this vendor is held as unverified (1) or quarantined (0).
        {1010, "vuln_vendor_unsigned_mail",
         "ALTER TABLE vendors ADD COLUMN accept_unsigned_mail INTEGER NOT NULL DEFAULT 1"
         " CHECK (accept_unsigned_mail IN (0,1));"},
        {1020, "vuln_date_answers_report_throttle", kDateAnswersAndThrottle},
        {1021, "vuln_related_bodies_keys", SecondaryKeysSchema()},
        {1030, "vuln_foreign_key_indexes", kForeignKeyIndexes},
        {1031, "vuln_status_checks", kStatusChecks},
        {1100, "vuln_advisories", AdvisorySchema()},
        {1130, "vuln_publication_and_null_times", kPublicationAndNullTimes},
        // Issue 13: the coordinator who owns a case (the dashboard's work queue, the case list's owner filter).
        {1220, "vuln_case_owner",
         "ALTER TABLE cases ADD COLUMN owner_user_id INTEGER REFERENCES users(id);"
         " CREATE INDEX cases_by_owner ON cases(owner_user_id);"},
    };
    return kMigrations;
}

}  // namespace kizuna::vuln
