// Front door of web/: the pages and the JSON API of the center, as one http::Handler.
//
// Every request first passes the gate: it resolves the caller (API bearer token, else session cookie)
// and the language, then the router runs the page or API handler, which asks auth::Authorize before it
// shows or changes anything. Handlers parse and render; rules live in the domain services.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "auth/auth.hpp"
#include "core/config.hpp"
#include "core/log.hpp"
#include "core/time_zone.hpp"
#include "http/http.hpp"
#include "observe/export/export.hpp"
#include "observe/storage/storage.hpp"
#include "observe/transport/transport.hpp"
#include "observe/trends/trends.hpp"
#include "store/store.hpp"
#include "mail/mail.hpp"
#include "vuln/vuln.hpp"
#include "vuln/schedule.hpp"

namespace kizuna::sched {
class Scheduler;
}

namespace kizuna::web {

struct SiteServices {
    const core::Config& config;
    const core::Clock& clock;
    core::Logger& log;
    store::Database& db;
    const auth::AuditLog& audit;
    auth::UserDirectory& users;
    auth::SessionManager& sessions;
    auth::TokenService& tokens;
    http::Metrics& metrics;
    core::TimeZone zone;
    vuln::VendorRegistry& vendors;
    vuln::CaseService& cases;
    vuln::ScheduleService& schedule;
    sched::Scheduler& scheduler;
    vuln::InfrastructureRegistry& infrastructure;
    vuln::EarlyNoticeService& early_notices;
    vuln::SecondaryService& secondary;
    vuln::InternationalService& international;
    mail::InboundService& mail_inbound;   // the /mail page (quarantine, incoming reports)
    mail::OutboundSender& mail_outbound;  // the /mail page (waiting outbound mail)
    vuln::AdvisoryService& advisories;
    // Observation (issue 6): graphs and trends from the queries (embedded store or ClickHouse), the
    // coordinators' port notes, the collector's per-sensor status. Null/empty: the pages answer 404.
    const observe::ObservationQueries* observe_queries = nullptr;
    observe::PortNotes* port_notes = nullptr;
    // Unique sources/targets per port and day (O4) for the trends and port pages; null: packets only.
    const observe::DistinctCounts* observe_distinct = nullptr;
    // Partner CSIRTs of the daily IODEF mail (O5): /observe/partners, coordinators only. Null: 404.
    observe::PartnerRegistry* observe_partners = nullptr;
    std::function<core::Result<std::vector<observe::SensorStatus>>()> sensor_status;
};

class Site {
  public:
    explicit Site(SiteServices services);
    ~Site();
    Site(const Site&) = delete;
    Site& operator=(const Site&) = delete;

    // The complete application handler; the Site must outlive it.
    http::Handler Handler();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace kizuna::web
