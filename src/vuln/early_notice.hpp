// V11 (seed 001, 4-5): priority early information to government bodies and critical-infrastructure
// operators before publication. The coordinator may give them the vulnerability information and the
// countermeasures ahead of the publication date, unless doing so would raise the risk of a leak.
//
// InfrastructureRegistry keeps the recipients: organisations by sector, their contacts and OpenPGP keys.
// It does no access checks of its own; only staff-facing code (pages, the service below) may reach it.
//
// EarlyNoticeService is the two-step release: a coordinator *requests* an early notice for some sectors,
// a *different* coordinator or an admin *approves* it (four eyes), and only then one mail per contact of
// every organisation of those sectors is queued. Every method answers NotFound to anyone but staff, as for
// the case itself. Technical details of the case never go into an early notice.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "auth/audit.hpp"
#include "core/clock.hpp"
#include "core/ids.hpp"
#include "store/store.hpp"
#include "vuln/cases.hpp"
#include "vuln/types.hpp"

namespace kizuna::vuln {

struct OrganizationTag;
struct EarlyNoticeTag;
using OrganizationId = core::Id<OrganizationTag>;
using EarlyNoticeId = core::Id<EarlyNoticeTag>;

// 4-5: 政府・行政機関 and the critical-infrastructure sectors 情報通信, 金融, 航空, 鉄道, 電力, ガス, 医療,
// 水道, 物流. Stable lower-case names: government, telecom, finance, aviation, railway, electricity, gas,
// medical, water, logistics.
enum class Sector {
    kGovernment,
    kTelecom,
    kFinance,
    kAviation,
    kRailway,
    kElectricity,
    kGas,
    kMedical,
    kWater,
    kLogistics
};
std::string_view Name(Sector v);
core::Result<Sector> ParseSector(std::string_view s, std::string_view field = "sector");
std::span<const Sector> AllSectors();

// What an early notice carries: the case information only, or also the countermeasures recorded so far.
enum class NoticeContent { kInformation, kInformationAndCountermeasures };
std::string_view Name(NoticeContent v);
core::Result<NoticeContent> ParseNoticeContent(std::string_view s, std::string_view field = "what");

enum class NoticeState { kPending, kReleased, kRefused };
std::string_view Name(NoticeState v);

struct OrganizationContact {
    std::int64_t id = 0;
    std::string name;
    std::string email;  // a contact without e-mail (phone only) receives no early-notice mail
    std::string phone;
    MailLang lang = MailLang::kJa;  // the language of its mail (issue 13)
};

struct OrganizationKey {
    std::string fingerprint;
    std::string user_ids;    // newline-separated
    std::string expires_at;  // "" = never
    bool can_encrypt = false;
    std::string imported_at;
};

struct NewOrganization {
    std::string name;
    Sector sector = Sector::kGovernment;
    std::vector<OrganizationContact> contacts;  // may be empty; add later with AddContact
};

struct Organization {
    OrganizationId id;
    std::string name;
    Sector sector;
    std::string created_at;
    std::vector<OrganizationContact> contacts;
    std::vector<OrganizationKey> keys;
};

// Thread-safe as the Database is. Every change is audited under the given actor.
class InfrastructureRegistry {
  public:
    InfrastructureRegistry(store::Database& db, const core::Clock& clock, const auth::AuditLog& audit)
        : db_(db), clock_(clock), audit_(audit) {}

    // Names are unique (AlreadyExists, field "name"); contacts are checked as in AddContact.
    core::Result<OrganizationId> Create(const NewOrganization& org, std::string_view actor);
    // A contact needs a name and an e-mail address or a phone number.
    core::Result<std::int64_t> AddContact(OrganizationId org, const OrganizationContact& contact,
                                          std::string_view actor);
    // Checks an ASCII-armored OpenPGP public key with mail::InspectPublicKey at the injected clock's now.
    core::Result<OrganizationKey> ImportKey(OrganizationId org, std::string_view armored, std::string_view actor);
    // All organisations, or those of one sector, ordered by sector then name; with contacts and keys.
    core::Result<std::vector<Organization>> List(std::optional<Sector> sector = std::nullopt);
    core::Result<Organization> Get(OrganizationId org);

  private:
    store::Database& db_;
    const core::Clock& clock_;
    const auth::AuditLog& audit_;
};

struct EarlyNotice {
    EarlyNoticeId id;
    CaseId case_id;
    std::vector<Sector> sectors;
    NoticeContent content;
    std::string reason;  // why these sectors get the information early
    NoticeState state;
    std::string requested_by;
    std::string requested_at;
    std::string decided_by;  // approver or refuser; "" while pending
    std::string decided_at;
    std::string refusal_reason;
    std::int64_t organizations = 0;  // organisations that received it (released only)
    std::int64_t mails = 0;          // mails queued (released only)
};

class EarlyNoticeService {
  public:
    EarlyNoticeService(store::Database& db, const core::Clock& clock, const auth::AuditLog& audit)
        : db_(db), clock_(clock), audit_(audit) {}

    // A pending early notice. `sectors` are Sector names (InvalidArgument, field "sectors", for an unknown
    // or empty list); `reason` is required. FailedPrecondition when the case is not verified (reproduced),
    // is already published, has leak_risk 'high', or no organisation exists in the chosen sectors.
    core::Result<EarlyNoticeId> Request(CaseId id, const std::vector<std::string>& sectors, NoticeContent what,
                                        std::string_view reason, const Caller& caller);
    // Releases a pending notice. The approver must be staff and not the requester (PermissionDenied).
    // Every rule of Request is checked again, since the case may have changed in between. Queues one mail
    // per e-mail contact of each organisation in the sectors (encrypted to the organisation's newest
    // can-encrypt key, if any), writes a case event and one "case.early_notice" audit entry per
    // organisation reached.
    core::Status Approve(EarlyNoticeId notice, const Caller& caller);
    // Closes a pending notice without sending anything; `reason` is required.
    core::Status Refuse(EarlyNoticeId notice, std::string_view reason, const Caller& caller);
    // The case's notices, oldest first.
    core::Result<std::vector<EarlyNotice>> List(CaseId id, const Caller& caller);

  private:
    store::Database& db_;
    const core::Clock& clock_;
    const auth::AuditLog& audit_;
};

// Schema of this file's tables (SQL text, for vuln's migration list).
std::string_view EarlyNoticeSchema();

}  // namespace kizuna::vuln
