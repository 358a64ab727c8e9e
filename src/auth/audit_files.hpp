// The audit log's files outside the database: the chain key and the append-only checkpoint file.
//
// <data_dir>/audit.key               64 hex characters (32 random bytes) and a newline; mode 0600.
// <data_dir>/audit-checkpoints.log   one line per checkpoint, appended (O_APPEND) and fsync'ed:
//     kizuna-audit-checkpoint 1 <kind> <at> <entries> <last_seq> <head> <mac>
//   kind "keyed" (first line: the marker, the head when the key was created; entries after it are
//   keyed) or "head"; at RFC 3339 UTC; mac = HMAC-SHA-256(key, the line up to and without " <mac>").
// See docs/formats/audit-checkpoints.md.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "auth/audit.hpp"
#include "core/clock.hpp"
#include "store/store.hpp"

namespace kizuna::auth {

std::string AuditKeyPath(const std::string& data_dir);
std::string AuditCheckpointPath(const std::string& data_dir);

// Opens the keying of a center: reads <data_dir>/audit.key, or on first start creates it (0600), records
// the keying marker in the database (audit_keying) and writes the "keyed" line to the checkpoint file.
// Errors: kFailedPrecondition when the key file is missing but the database says entries were keyed
// (restore the key from backup; a new key would make every keyed entry unverifiable).
core::Result<AuditKeying> OpenAuditKeying(store::Database& db, const std::string& data_dir, const core::Clock& clock);

// The keying as found, for verification: never creates anything; `key` is empty when the file is missing.
core::Result<AuditKeying> LoadAuditKeying(const std::string& data_dir);

namespace detail {
std::string CheckpointLineBody(const AuditCheckpoint& c);  // the MACed part of a line
// nullopt when the file does not exist; lines that do not parse come back with kind "" (counted as forged).
core::Result<std::optional<std::vector<AuditCheckpoint>>> ReadCheckpoints(const std::string& path);
// Appends one line. Only the keying marker creates the file: a missing file is reported (kFailedPrecondition),
// never quietly started over, so its removal stays visible to `audit verify`.
core::Status AppendCheckpoint(const std::string& path, const AuditCheckpoint& c);
}  // namespace detail

}  // namespace kizuna::auth
