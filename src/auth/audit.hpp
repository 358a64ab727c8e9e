// The append-only, hash-chained audit log. Every disclosure, login, token and account change is
// written here (ARCHITECTURE.md "Data that must never leak").
//
// Chain: hash(n) = SHA-256 over the length-prefixed fields of entry n and hash(n-1); entry 1 chains to
// 64 zeros. Verify() recomputes the chain and compares with audit_anchor (the newest seq and hash).
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
    std::string problem;  // "entry 7 was altered", "entry 7 is missing", ...
};

class AuditLog {
  public:
    explicit AuditLog(const core::Clock& clock) : clock_(clock) {}

    // REQUIRES: `conn` is inside a write transaction (Transaction::Begin), so that the chain
    // is extended by one writer at a time and the entry commits with the change it records.
    core::Result<std::int64_t> Append(store::Connection& conn, const AuditEntry& entry) const;
    // Convenience: appends in a transaction of its own.
    core::Result<std::int64_t> Append(store::Database& db, const AuditEntry& entry) const;

    static core::Result<AuditVerifyReport> Verify(store::Connection& conn);
    static core::Result<std::vector<AuditRecord>> Recent(store::Connection& conn, int limit);
    static core::Result<std::int64_t> Count(store::Connection& conn);

    // The hash of one entry given its predecessor's hash (exposed for tests and tools).
    static std::string ChainHash(std::int64_t seq, const std::string& at, const AuditEntry& e,
                                 const std::string& prev_hash);

  private:
    const core::Clock& clock_;
};

}  // namespace kizuna::auth
