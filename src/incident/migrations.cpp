// Schema of incident/ (versions 2000-2999). Times are RFC 3339 UTC text with whole seconds (so that text
// order is time order) or NULL. The state history is append-only: triggers refuse UPDATE and DELETE.
#include "incident/incidents.hpp"

namespace kizuna::incident {
namespace {

constexpr std::string_view kIncidents = R"SQL(
CREATE TABLE incidents (
    id                  INTEGER PRIMARY KEY,
    identifier          TEXT NOT NULL UNIQUE,
    title               TEXT NOT NULL DEFAULT '',
    category            TEXT NOT NULL CHECK (category IN ('scan','abuse','forged','intrusion','dos','phishing','other')),
    subcategory         TEXT NOT NULL,
    rsit                TEXT NOT NULL,
    state               TEXT NOT NULL CHECK (state IN ('open','notifying','waiting','resolved','rejected')),
    priority            INTEGER NOT NULL DEFAULT 3 CHECK (priority BETWEEN 1 AND 5),
    owner               TEXT NOT NULL DEFAULT '',
    created_at          TEXT NOT NULL,
    first_response_due  TEXT NULL,
    first_response_at   TEXT NULL,
    closed_at           TEXT NULL,
    resolution          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX incidents_state ON incidents(state, created_at);
CREATE TABLE incident_reports (
    id              INTEGER PRIMARY KEY,
    ticket          TEXT NOT NULL UNIQUE,
    received_at     TEXT NOT NULL,
    channel         TEXT NOT NULL CHECK (channel IN ('email','web_form','api','iodef','phone','fax','postal')),
    purpose         TEXT NOT NULL CHECK (purpose IN ('information','question','contact_request','other')),
    state           TEXT NOT NULL CHECK (state IN ('incoming','incident','correspondence','rejected')),
    reporter_name   TEXT NOT NULL DEFAULT '',
    reporter_email  TEXT NOT NULL DEFAULT '',
    reporter_org    TEXT NOT NULL DEFAULT '',
    reporter_tld    TEXT NOT NULL DEFAULT '',
    subject         TEXT NOT NULL DEFAULT '',
    body            TEXT NOT NULL DEFAULT '',
    suggested       TEXT NOT NULL DEFAULT '',
    suggestion_json TEXT NOT NULL DEFAULT '[]',
    incident_id     INTEGER NULL REFERENCES incidents(id)
);
CREATE INDEX incident_reports_incident ON incident_reports(incident_id);
CREATE INDEX incident_reports_received ON incident_reports(received_at);
CREATE TABLE incident_indicators (
    report_id   INTEGER NOT NULL REFERENCES incident_reports(id),
    kind        TEXT NOT NULL,
    protocol    TEXT NOT NULL DEFAULT '',
    value       TEXT NOT NULL,
    count       INTEGER NOT NULL,
    scope       TEXT NOT NULL,
    defanged    INTEGER NOT NULL DEFAULT 0,
    first_seen  TEXT NULL,
    last_seen   TEXT NULL,
    PRIMARY KEY (report_id, kind, protocol, value)
);
CREATE INDEX incident_indicators_value ON incident_indicators(kind, value);
CREATE TABLE incident_history (
    id           INTEGER PRIMARY KEY,
    incident_id  INTEGER NULL REFERENCES incidents(id),
    report_id    INTEGER NULL REFERENCES incident_reports(id),
    at           TEXT NOT NULL,
    actor        TEXT NOT NULL,
    event        TEXT NOT NULL,
    detail       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX incident_history_incident ON incident_history(incident_id, id);
CREATE INDEX incident_history_report ON incident_history(report_id, id);
CREATE TRIGGER incident_history_no_update BEFORE UPDATE ON incident_history
BEGIN SELECT RAISE(ABORT, 'incident_history is append-only'); END;
CREATE TRIGGER incident_history_no_delete BEFORE DELETE ON incident_history
BEGIN SELECT RAISE(ABORT, 'incident_history is append-only'); END;
CREATE TABLE incident_notifications (
    id           INTEGER PRIMARY KEY,
    incident_id  INTEGER NOT NULL REFERENCES incidents(id),
    party_key    TEXT NOT NULL,
    recipients   TEXT NOT NULL,
    source       TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('draft','approved','sent','suppressed')),
    created_at   TEXT NOT NULL,
    sent_at      TEXT NULL
);
CREATE INDEX incident_notifications_incident ON incident_notifications(incident_id);
CREATE TABLE incident_takedowns (
    id            INTEGER PRIMARY KEY,
    incident_id   INTEGER NOT NULL REFERENCES incidents(id),
    url           TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('requested','acknowledged','down','reappeared')),
    requested_at  TEXT NOT NULL,
    down_at       TEXT NULL
);
CREATE INDEX incident_takedowns_incident ON incident_takedowns(incident_id);
)SQL";

constexpr store::Migration kMigrations[] = {
    {2000, "incident_reports_incidents_history", kIncidents},
};

}  // namespace

std::span<const store::Migration> Migrations() { return kMigrations; }

}  // namespace kizuna::incident
