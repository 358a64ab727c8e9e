// Partner CSIRTs and the daily IODEF by mail (MISSION O5, I7/I8): each day, the scans that came from a
// partner's countries go to that partner as IODEF 2 documents, attached to one signed and encrypted mail.
//
// PartnerRegistry keeps the table the coordinators manage (name, mail address, country codes, OpenPGP key);
// every change is audited in the same transaction (observe.partner_add / _key / _remove). The key is checked
// with GPGME (mail::InspectPublicKey) and registered with the mail gateway (mail::RegisterRecipientKey), so
// the outbound sender can encrypt to it; a partner without a usable key still gets its mail queued, and the
// mail waits with the reason until a key is registered (never sent in clear).
//
// Tables: observe_partners and observe_partner_deliveries (migration 560, in TrendMigrations()).
//
// QueuePartnerIodef queues the day's mail for every partner, exactly once per (partner, day): the row in
// observe_partner_deliveries and the queued mail are written on the caller's connection, inside the caller's
// transaction (the scheduler job's), so a rerun, a catch-up after downtime or a crash between the two cannot
// mail a partner twice for one day.
//
// Authorisation is the caller's (the CLI is the operator's; the web layer asks auth::Authorize with
// ResourceKind::kPartner — coordinators only, 404 for everyone else).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/audit.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "observe/export/iodef_export.hpp"
#include "observe/storage/queries.hpp"
#include "store/store.hpp"

namespace kizuna::observe {

struct Partner {
    std::int64_t id = 0;
    std::string name;                    // e.g. "KrCERT/CC"
    std::string email;                   // where the daily IODEF goes
    std::vector<CountryCode> countries;  // the constituency: scans from these countries
    std::string fingerprint;             // OpenPGP key (40 hex, upper case); "" = none registered
    std::string key_info;                // algorithm and expiry, for the operator
    std::string updated_by;
    std::string updated_at;  // RFC 3339 UTC
};

struct PartnerInput {
    std::string name;       // 1..200 characters, no control characters
    std::string email;      // one address
    std::string countries;  // "KR" or "JP, KR" (at least one)
    std::string key;        // armored public key; "" = none yet
};

class PartnerRegistry {
  public:
    // All three must outlive the object. Thread-safe (each call takes its own connection).
    PartnerRegistry(store::Database& db, const core::Clock& clock, const auth::AuditLog& audit)
        : db_(db), clock_(clock), audit_(audit) {}

    // kInvalidArgument naming the field ("name", "email", "countries", "key") for bad input, e.g. a key that
    // cannot encrypt (expired, revoked) or is not one public key; kAlreadyExists for a second partner with
    // the same address.
    core::Result<Partner> Add(const PartnerInput& input, std::string_view actor, std::string_view remote_ip = "");
    // Replaces the partner's key (kNotFound for an unknown id).
    core::Status SetKey(std::int64_t id, std::string_view armored, std::string_view actor, std::string_view remote_ip = "");
    // Removes the partner and its key; the delivery history stays. kNotFound for an unknown id.
    core::Status Remove(std::int64_t id, std::string_view actor, std::string_view remote_ip = "");
    core::Result<std::vector<Partner>> List() const;  // by name
    core::Result<std::optional<Partner>> Get(std::int64_t id) const;

  private:
    store::Database& db_;
    const core::Clock& clock_;
    const auth::AuditLog& audit_;
};

struct PartnerMailing {
    std::int64_t partner_id = 0;
    std::string partner_name;
    std::int64_t mail_id = 0;      // mail_queue id (0 when it had been queued before)
    std::size_t events = 0;        // events in the attached documents
    bool already_queued = false;   // this (partner, day) was mailed by an earlier run
};

inline constexpr std::string_view kIodefMediaType = "application/xml";

// Queues one mail per partner for the UTC day starting at day_start (see above), on `c` (REQUIRES: inside a
// write transaction). The attachments are `<CC>-<YYYY-MM-DD>.xml`, byte for byte what ExportIodefDay writes.
core::Result<std::vector<PartnerMailing>> QueuePartnerIodef(store::Connection& c, const ObservationQueries& queries,
                                                            const IodefIssuer& issuer, PacketTime day_start,
                                                            core::WallTime now);

}  // namespace kizuna::observe
