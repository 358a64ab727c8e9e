// The append-only, hash-chained audit log. Every disclosure, login, token and account change is
// written here (ARCHITECTURE.md "Data that must never leak").
//
// Chain: entry n carries hash(n), computed over the length-prefixed fields of entry n and hash(n-1);
// entry 1 chains to 64 zeros. Two schemes:
//  - v1 (unkeyed, before keying): hash = SHA-256("kizuna-audit-v1;" fields). Anyone who can write the
//    database can recompute it, so v1 alone detects only accidents and careless edits.
//  - v2 (keyed): hash = HMAC-SHA-256(key, "kizuna-audit-v2;" fields). The key lives outside the
//    database (<data_dir>/audit.key, mode 0600, see audit_files.hpp); without it nobody can write a
//    valid entry, so removing an entry and re-chaining the rest shows.
// Entries up to the keying marker (the newest seq when the key was created) are v1, every later one v2.
// Checkpoints of the chain head (entries, last seq, head hash; each MACed with the key) are appended
// to a file outside the database (<data_dir>/audit-checkpoints.log), so that removing the newest entries
// and rewriting audit_anchor shows too. docs/OPERATIONS.md "Audit log" states what this detects and
// what it cannot.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "store/store.hpp"

namespace kizuna::auth {

struct AuditEntry {
    std::string actor;   // user name, "system", or "anonymous"
    std::string action;  // dotted verb: "auth.login", "auth.login_failed", "user.create", "case.disclose"
    std::string object;  // what it concerns: "user:alice", "case:JVNVU#12345678"
    std::string detail;  // JSON text or free text; no secrets
    std::string remote_ip;
};

struct AuditRecord {
    std::int64_t seq;
    std::string at;
    AuditEntry entry;
    std::string prev_hash;
    std::string hash;
};

struct AuditVerifyReport {
    std::int64_t entries = 0;
    bool intact = true;
    std::optional<std::int64_t> first_bad_seq;
    std::string problem;                // the first problem: "entry 7 was altered", ...
    std::vector<std::string> problems;  // every problem found, in the order found
    std::int64_t checkpoints = 0;       // authentic checkpoints compared with the log
    bool keyed = false;                 // entries after the marker were checked with the key
};

// Where the keyed chain's secrets and checkpoints live (normally both in the data directory).
struct AuditKeying {
    std::string key;              // raw key bytes; empty when the key file is missing
    std::string key_path;         // for messages
    std::string checkpoint_path;  // the append-only checkpoint file
};

// One line of the checkpoint file.
struct AuditCheckpoint {
    std::string kind;  // "keyed" (the marker: written once when the key is created) or "head"
    std::string at;
    std::int64_t entries = 0;
    std::int64_t last_seq = 0;
    std::string head;  // hash of entry last_seq (64 zeros when the log is empty)
    std::string mac;   // HMAC-SHA-256 over the line before " mac"
};

// Filters and paging for the audit page (all optional; empty means "any").
struct AuditQuery {
    std::string actor;   // exact user name
    std::string action;  // exact action, or a prefix ending in '.' ("case.")
    std::string object;  // substring of the object
    std::string from;    // RFC 3339 UTC, inclusive
    std::string to;      // RFC 3339 UTC, exclusive
    int limit = 50;
    int offset = 0;
};

struct AuditPage {
    std::vector<AuditRecord> records;  // newest first
    std::int64_t total = 0;            // matching entries
};

class AuditLog {
  public:
    // Unkeyed (v1) log: for tests of other modules and tools that only read. Production uses keying.
    explicit AuditLog(const core::Clock& clock) : clock_(clock) {}
    AuditLog(const core::Clock& clock, AuditKeying keying) : clock_(clock), keying_(std::move(keying)) {}

    // REQUIRES: `conn` is inside a write transaction (Transaction::Begin), so that the chain
    // is extended by one writer at a time and the entry commits with the change it records.
    core::Result<std::int64_t> Append(store::Connection& conn, const AuditEntry& entry) const;
    // Convenience: appends in a transaction of its own.
    core::Result<std::int64_t> Append(store::Database& db, const AuditEntry& entry) const;

    // Database-only check (no key, no checkpoints): v1 entries fully, keyed entries only for linkage.
    static core::Result<AuditVerifyReport> Verify(store::Connection& conn);
    // The full check with this log's key and checkpoint file; names a missing key or checkpoint file,
    // truncation (the log ends before a checkpoint) and re-chaining (an entry differs from a checkpoint
    // or fails its MAC).
    core::Result<AuditVerifyReport> VerifyAll(store::Connection& conn) const;
    static core::Result<AuditVerifyReport> Verify(store::Connection& conn, const AuditKeying& keying);

    // Appends a "head" checkpoint of the current chain head to the checkpoint file unless the newest
    // checkpoint already records it. Returns the checkpoint written, or nullopt when nothing changed.
    // Errors: kFailedPrecondition without a key.
    core::Result<std::optional<AuditCheckpoint>> WriteCheckpoint(store::Database& db) const;

    static core::Result<std::vector<AuditRecord>> Recent(store::Connection& conn, int limit);
    static core::Result<AuditPage> Search(store::Connection& conn, const AuditQuery& query);
    static core::Result<std::int64_t> Count(store::Connection& conn);
    // Distinct actors and actions, for the filter lists of the audit page.
    static core::Result<std::vector<std::string>> DistinctActors(store::Connection& conn);
    static core::Result<std::vector<std::string>> DistinctActions(store::Connection& conn);

    // The v1 hash of one entry given its predecessor's hash (exposed for tests and tools).
    static std::string ChainHash(std::int64_t seq, const std::string& at, const AuditEntry& e,
                                 const std::string& prev_hash);
    // The v2 (keyed) hash.
    static std::string KeyedChainHash(std::string_view key, std::int64_t seq, const std::string& at,
                                      const AuditEntry& e, const std::string& prev_hash);

    bool keyed() const { return keying_.has_value() && !keying_->key.empty(); }
    const std::optional<AuditKeying>& keying() const { return keying_; }

  private:
    const core::Clock& clock_;
    std::optional<AuditKeying> keying_;
};

}  // namespace kizuna::auth
