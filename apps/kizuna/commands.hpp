// Subcommands of `kizuna`. Each returns the process exit code.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "center.hpp"

namespace kizuna::observe {
class EventStore;
}

namespace kizuna::app {

struct ServeOptions {
    std::string listen;
    int port = -1;           // -1: from config
    std::string port_file;   // write the bound port here (for tests and scripts using --port 0)
};

int RunServe(const GlobalOptions& global, const ServeOptions& options);
int RunDemo(const GlobalOptions& global, const ServeOptions& options);
int RunMigrate(const GlobalOptions& global);

struct UserAddOptions {
    std::string name;
    std::string role;
    std::string display_name;
    std::string email;
    std::string organization;
};
int RunUserAdd(const GlobalOptions& global, const UserAddOptions& options);
int RunTokenCreate(const GlobalOptions& global, const std::string& user, const std::string& label,
                   int expires_in_days = 0);
// `kizuna token list [--user NAME]` and `kizuna token revoke ID` (commands_tokens.cpp).
int RunTokenList(const GlobalOptions& global, const std::string& user);
int RunTokenRevoke(const GlobalOptions& global, std::int64_t token_id);
// `kizuna user disable|enable NAME`, `kizuna user passwd NAME` (password from stdin or prompted).
int RunUserSetDisabled(const GlobalOptions& global, const std::string& name, bool disabled);
int RunUserPasswd(const GlobalOptions& global, const std::string& name);
int RunAuditVerify(const GlobalOptions& global);
// Appends a checkpoint of the audit chain head to <data_dir>/audit-checkpoints.log.
int RunAuditCheckpoint(const GlobalOptions& global);

// `kizuna mail ...` (commands_mail.cpp).
int RunMailInitKey(const GlobalOptions& global);
int RunMailPublicKey(const GlobalOptions& global);
int RunMailImport(const GlobalOptions& global, const std::string& path);
int RunMailReprocess(const GlobalOptions& global, std::int64_t id);
int RunMailSendOnce(const GlobalOptions& global);
struct ExportCveOptions {
    std::string advisory_id;    // "JVNVU#12345678" or its URL form "JVNVU12345678"
    std::string out_dir = ".";  // one <CVE id>.json per CVE id of the advisory
};
// Exit 0 when written; 1 when the advisory is not published, has no CVE id or a file cannot be written;
// 2 when the [publication] CNA settings are missing.
int RunExportCve(const GlobalOptions& global, const ExportCveOptions& options);

// The public origin ("https://jvn.example.jp"): server.public_url, else http(s)://listen:port.
std::string PublicOrigin(const core::Config& config);

// Demo accounts and data (see demo_data.cpp); returns false when the database already had users.
core::Result<bool> SeedDemoData(Center& center);
void PrintDemoAccounts(const std::string& url);

// observe collect (commands_collector.cpp): the sensor collector.
struct CollectOptions {
    std::string listen;       // empty: observe.collector_listen
    int port = -1;            // -1: observe.collector_port, else 4750; 0 picks a free one
    std::string port_file;    // write the bound port here once listening
    std::string tls_cert;     // PEM certificate chain and key (the transport is TLS only)
    std::string tls_key;
    int ipfix_udp_port = -2;       // IPFIX over UDP; -1 off, 0 picks a free one; -2: observe.ipfix_udp_port
    int ipfix_tcp_port = -2;       // IPFIX over TCP; likewise
    std::string ipfix_port_file;   // "UDP_PORT TCP_PORT" (-1 for off) once listening
};
int RunCollect(const GlobalOptions& global, const CollectOptions& options);
// The collector options of the config, with any flags given on the command line on top.
CollectOptions CollectOptionsFromConfig(const core::Config& config, const CollectOptions& flags);

// A running collector bound to the center's tokens and the event store; stopped by Stop() or the destructor.
class CollectorService {
  public:
    // `store`: the event store to write to when the caller already has it open; null opens
    // <data_dir>/observe itself.
    static core::Result<std::unique_ptr<CollectorService>> Start(Center& center, const CollectOptions& options,
                                                                 std::shared_ptr<observe::EventStore> store);
    ~CollectorService();
    std::uint16_t port() const;
    int ipfix_udp_port() const;  // -1 when off
    int ipfix_tcp_port() const;
    void Stop();

  private:
    CollectorService();
    struct Parts;
    std::unique_ptr<Parts> parts_;
    std::shared_ptr<observe::EventStore> shared_store_;
};

}  // namespace kizuna::app

// observe import, top-ports, countries, port, icmp, iodef (commands_observe.cpp).
#include <optional>

#include "observe/storage/storage.hpp"

namespace CLI {
class App;
}

namespace kizuna::app {

// Adds `observe` and its query/import subcommands; returns `observe` so other files add theirs to it
// (observe collect). Flags are kept in commands_observe.cpp until RunObserveCommand runs.
CLI::App* RegisterObserveCommands(CLI::App& app, GlobalOptions& global);
// After parsing: the exit code of the observe subcommand that was parsed, or nullopt when none of them was.
std::optional<int> RunObserveCommand();
// observe partner add|list|set-key|remove and observe iodef-mail (commands_partners.cpp), added by
// RegisterObserveCommands and run by RunObserveCommand.
void RegisterPartnerCommands(CLI::App& observe, GlobalOptions& global);
std::optional<int> RunPartnerCommand();
// The event store's directory, <data_dir>/observe.
std::string ObserveStoreDir(const std::string& data_dir);
// EventStore options from [observe]: compression level and the country database (empty setting: the copy
// scripts/setup.sh installs, with a warning when it is missing; "none": no lookup). kInvalidArgument naming
// observe.geo_database when a configured file does not exist.
core::Result<observe::StoreOptions> ObserveStoreOptions(const core::Config& config);

}  // namespace kizuna::app

// The observation parts of serve (observe_site.cpp): event store (or ClickHouse, per [observe] backend),
// queries, port notes and the sensor-status file, attached to the site's services.
namespace kizuna::observe {
class ClickHouseStore;
class DistinctCounts;
class ObservationQueries;
class PartnerRegistry;
class PortNotes;
}  // namespace kizuna::observe
namespace kizuna::web {
struct SiteServices;
}

namespace kizuna::app {

struct ObserveSite {
    std::shared_ptr<observe::EventStore> store;  // null with the ClickHouse backend
    std::unique_ptr<observe::ClickHouseStore> clickhouse;
    std::unique_ptr<observe::ObservationQueries> queries;
    std::unique_ptr<observe::DistinctCounts> distinct;  // unique sources/targets per port and day (same backend)
    std::unique_ptr<observe::PortNotes> notes;
    std::unique_ptr<observe::PartnerRegistry> partners;  // /observe/partners (O5)
    std::string status_path;
    ~ObserveSite();
    void Attach(web::SiteServices& services) const;
};
core::Result<std::unique_ptr<ObserveSite>> OpenObserveSite(Center& center);
// The daily IODEF export per partner CSIRT (observe.iodef_export_dir, observe.iodef_partners): registers the
// job kind observe.iodef_daily with center.scheduler and, when the export is configured and no run is
// pending, schedules the next one (00:15 UTC, exporting the previous day). Each run schedules the next day's
// in its own transaction. REQUIRES: before center.scheduler->Start(); `site` outlives the scheduler's thread.
// The job also queues the day's signed and encrypted IODEF mail to every partner CSIRT (observe partner
// add), once per (partner, day), in the job's transaction.
core::Status SetUpIodefDailyExport(Center& center, const ObserveSite& site);
// Schedules the next observe.iodef_daily run unless one is pending (observe partner add calls it).
core::Status EnsureIodefDailyJob(Center& center);

// The queries the CLI answers with: ClickHouse when [observe] backend = "clickhouse", else `store`
// (which must outlive the result).
struct ObservationBackend {
    std::unique_ptr<observe::ClickHouseStore> clickhouse;
    std::unique_ptr<observe::ObservationQueries> queries;
    std::unique_ptr<observe::DistinctCounts> distinct;
    ~ObservationBackend();
};
core::Result<std::unique_ptr<ObservationBackend>> OpenQueryBackend(const core::Config& config,
                                                                    const observe::EventStore& store);
// observe clickhouse-sync: copies into ClickHouse what it lacks of the event store, per sensor
// (ClickHouseStore::CatchUp: incremental, never twice; URL: the flag, else observe.clickhouse_url).
int RunClickHouseSync(const GlobalOptions& global, const std::string& url);

// A year of synthetic observation data for the demo (demo_observe.cpp); does nothing when the event store
// already holds events.
core::Status SeedDemoObservations(Center& center);

}  // namespace kizuna::app
