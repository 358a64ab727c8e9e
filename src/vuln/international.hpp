// V18 (seed 001, 4-1 "海外の調整機関との調整に要する期間"): cases shared with overseas coordinators
// (CERT/CC, CPNI/NCSC, KrCERT/CC ...) and their vendors, and the publication date aligned across them.
//
// A partner coordinator takes part in a case as a participant of its own: its name, country, contact, its
// own reference for the case ("VU#123456"), the vendors it coordinates (free-text names, not our vendor
// registry) and at most one publication constraint (not before / not after). View() puts the partners'
// constraints next to the case's decided (cases.publish_at) or proposed date (the open schedule proposal)
// and flags conflicts. The schedule itself stays with ScheduleService.
//
// Export/Import carry a case to and from a partner as a versioned JSON document:
//   {"format":"kizuna-case-exchange","version":1,
//    "sender":{"name","country","contact_email","source","case_reference","vendors":[..],
//              "constraint":{"not_before","not_after","note"}},
//    "case":{"identifier","title","summary","details","source","terms":[{"kind","value","version"}],"created_at"},
//    "vendors":[{"name","status","status_text","urls":[..]}],
//    "schedule":{"publish_at","proposed_at","handling_started_at","published"},
//    "coordinators":[{"name","country","contact_email","case_reference","note","vendors":[..],
//                     "constraint":{"not_before","not_after","note"}}]}
//
// Everything here is for staff only: any other caller gets NotFound (Unauthenticated when anonymous), as
// for a case it may not know exists.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/audit.hpp"
#include "core/clock.hpp"
#include "core/ids.hpp"
#include "store/store.hpp"
#include "vuln/cases.hpp"

namespace kizuna::vuln {

struct CoordinatorTag;
using CoordinatorId = core::Id<CoordinatorTag>;

inline constexpr std::string_view kExchangeFormat = "kizuna-case-exchange";
inline constexpr int kExchangeVersion = 1;

struct NewCoordinator {
    std::string name;            // "CERT/CC"; unique within a case (AlreadyExists, field "name")
    std::string country;         // "US", free text up to 100 characters
    std::string contact_email;   // optional; must contain '@' when given
    std::string case_reference;  // their id for the case, e.g. "VU#123456"
    std::string note;
    std::vector<std::string> vendors;  // vendors this coordinator brings, as free-text names
};

// Both bounds optional; RFC 3339 date-times ("2026-06-01T00:00:00+09:00"), stored in UTC.
struct PublicationConstraint {
    std::string not_before;
    std::string not_after;
    std::string note;
};

struct Coordinator {
    CoordinatorId id;
    std::string name;
    std::string country;
    std::string contact_email;
    std::string case_reference;
    std::string note;
    std::vector<std::string> vendors;
    PublicationConstraint constraint;  // empty bounds = no constraint
    std::string added_at;
    std::string added_by;
    std::string key_fingerprint;  // the OpenPGP key mail to contact_email is encrypted to ('' = none yet)
    std::string key_info;
};

// The publication window every partner agrees to, next to the case's own date.
struct PublicationWindow {
    std::string not_before;     // latest not_before across all partners, "" when none
    std::string not_before_by;  // the partner that set it
    std::string not_after;      // earliest not_after, "" when none
    std::string not_after_by;
    std::string publish_at;   // decided instant (cases.publish_at), "" when undecided
    std::string proposed_at;  // latest open proposal, "" when none
    // True when not_before > not_after (the constraints cannot all be met), or the decided date — or,
    // while nothing is decided, the proposed date — lies outside some partner's constraint.
    bool conflict = false;
    std::vector<std::string> conflicts;  // one readable line per conflict
};

struct InternationalView {
    std::vector<Coordinator> coordinators;  // in the order they were added
    PublicationWindow window;
};

class InternationalService {
  public:
    // `self_name` / `self_country` go into exported documents as the sender.
    InternationalService(store::Database& db, const core::Clock& clock, const auth::AuditLog& audit, CaseService& cases,
                         std::string self_name = "JPCERT/CC", std::string self_country = "JP")
        : db_(db),
          clock_(clock),
          audit_(audit),
          cases_(cases),
          self_name_(std::move(self_name)),
          self_country_(std::move(self_country)) {}

    // Validation (InvalidArgument with field): name 1-200, country <= 100, contact_email (an address or
    // empty), case_reference <= 200, note <= 4000, vendors at most 100 names of 1-200 characters.
    core::Result<CoordinatorId> AddCoordinator(CaseId id, const NewCoordinator& coordinator, const Caller& caller);
    // Replaces the coordinator's vendor list.
    core::Status SetVendors(CaseId id, CoordinatorId coordinator, const std::vector<std::string>& vendors,
                            const Caller& caller);
    // Replaces the coordinator's constraint. Bounds are RFC 3339 or empty (fields "not_before",
    // "not_after"); a not_before after its own not_after is InvalidArgument ("not_after"). Clearing both
    // bounds removes the constraint.
    core::Status SetConstraint(CaseId id, CoordinatorId coordinator, const PublicationConstraint& constraint,
                               const Caller& caller);
    core::Result<InternationalView> View(CaseId id, const Caller& caller);
    // Registers or replaces the coordinator's OpenPGP public key for its contact address (checked with
    // GPGME; InvalidArgument field "key"), so the date and other mail to it can be sent encrypted.
    // FailedPrecondition when the coordinator has no contact e-mail. Audited as "case.coordinator_key".
    core::Status SetKey(CaseId id, CoordinatorId coordinator, std::string_view armored, const Caller& caller);

    // The case as an exchange document (JSON text), technical details included. Audited "case.export".
    core::Result<std::string> Export(CaseId id, const Caller& caller);
    // A new case from a partner's document: Submit with the source of sender.source (certcc, cpni or other),
    // then the sender as a coordinator (case_reference: sender.case_reference, else case.identifier) with
    // its constraint and vendors (sender.vendors plus the document's vendors), and the document's other
    // coordinators except ourselves. Malformed documents are InvalidArgument naming the JSON path
    // ("case.title", "case.terms[1].kind", "sender.constraint.not_before"; "document" when it is not JSON).
    core::Result<Receipt> Import(std::string_view json_text, const Caller& caller);

  private:
    store::Database& db_;
    const core::Clock& clock_;
    const auth::AuditLog& audit_;
    CaseService& cases_;
    std::string self_name_;
    std::string self_country_;
};

// Schema of this file's tables (SQL text, for vuln's migration list).
std::string_view InternationalSchema();

}  // namespace kizuna::vuln
