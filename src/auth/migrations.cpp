// auth/ owns migration versions 100-199.
#include "auth/auth.hpp"

namespace kizuna::auth {
namespace {

constexpr std::string_view kUsers = R"sql(
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL DEFAULT '',
    email         TEXT NOT NULL DEFAULT '',
    organization  TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL CHECK (role IN ('admin','coordinator','vendor','reporter','partner','sensor')),
    password_hash TEXT,                -- NULL: cannot log in with a password (tokens only)
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
);
CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,      -- sha256 of the cookie value; the value itself is never stored
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token  TEXT NOT NULL,
    created_us  INTEGER NOT NULL,
    expires_us  INTEGER NOT NULL,
    remote_ip   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_by_user ON sessions(user_id);
CREATE TABLE api_tokens (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash  TEXT NOT NULL UNIQUE,  -- sha256 of the secret
    label       TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    last_used_us INTEGER,
    revoked     INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE login_failures (
    key   TEXT NOT NULL,               -- 'user:NAME' or 'ip:ADDRESS'
    at_us INTEGER NOT NULL
);
CREATE INDEX login_failures_by_key ON login_failures(key, at_us);
)sql";

// The audit log is append-only: triggers refuse UPDATE and DELETE, and every entry carries the hash
// of its predecessor so that a row altered or removed behind the triggers' back is detected by
// `kizuna audit verify`. audit_anchor holds the newest seq and hash, so removing the tail shows too.
constexpr std::string_view kAudit = R"sql(
CREATE TABLE audit_log (
    seq        INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    object     TEXT NOT NULL DEFAULT '',
    detail     TEXT NOT NULL DEFAULT '',
    remote_ip  TEXT NOT NULL DEFAULT '',
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);
CREATE TABLE audit_anchor (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    last_seq INTEGER NOT NULL,
    last_hash TEXT NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
)sql";

// The keyed audit chain (audit.hpp): the marker says which entries are still v1 (unkeyed, verified as
// before) and from where on every entry is keyed. The same marker is the first line of the checkpoint
// file outside the database; `audit verify` compares the two.
constexpr std::string_view kAuditKeying = R"sql(
CREATE TABLE audit_keying (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    keyed_after_seq INTEGER NOT NULL,
    head            TEXT NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE TRIGGER audit_keying_no_update BEFORE UPDATE ON audit_keying
BEGIN SELECT RAISE(ABORT, 'audit_keying is append-only'); END;
CREATE TRIGGER audit_keying_no_delete BEFORE DELETE ON audit_keying
BEGIN SELECT RAISE(ABORT, 'audit_keying is append-only'); END;
CREATE INDEX audit_log_by_actor ON audit_log(actor, seq);
CREATE INDEX audit_log_by_action ON audit_log(action, seq);
CREATE INDEX audit_log_by_at ON audit_log(at);
)sql";

// Token lifecycle: expiry and who revoked; revocation time for listings.
constexpr std::string_view kTokenLifecycle = R"sql(
ALTER TABLE api_tokens ADD COLUMN expires_us INTEGER;
ALTER TABLE api_tokens ADD COLUMN revoked_at TEXT;
-- Tokens from before expiry existed get the default lifetime (90 days) from the upgrade on.
UPDATE api_tokens SET expires_us = (CAST(strftime('%s', 'now') AS INTEGER) + 90 * 86400) * 1000000
 WHERE expires_us IS NULL AND revoked = 0;
CREATE INDEX api_tokens_by_user ON api_tokens(user_id);
)sql";

// Issue 12: every foreign-key column has an index whose first column it is (tests/functional/schema_test.cpp).
constexpr std::string_view kForeignKeyIndexes = R"sql(
CREATE INDEX IF NOT EXISTS api_tokens_by_user ON api_tokens(user_id);
)sql";

constexpr store::Migration kMigrations[] = {
    {100, "auth_users_sessions_tokens", kUsers},
    {101, "auth_audit_log", kAudit},
    {102, "auth_audit_keying", kAuditKeying},
    {103, "auth_token_lifecycle", kTokenLifecycle},
    {110, "auth_foreign_key_indexes", kForeignKeyIndexes},
};

}  // namespace

std::span<const store::Migration> Migrations() { return kMigrations; }

}  // namespace kizuna::auth
