// The observation parts of `kizuna serve` (issue 6): the event store, the query backend chosen by
// [observe] backend, the coordinators' port notes and the collector's sensor-status file, handed to the
// web pages through SiteServices.
#include <cstdio>

#include "commands.hpp"
#include "observe/clickhouse.hpp"
#include "observe/queries.hpp"
#include "observe/sensor_status.hpp"
#include "observe/trends.hpp"
#include "web/site.hpp"

namespace kizuna::app {

core::Result<std::unique_ptr<ObserveSite>> OpenObserveSite(Center& center) {
    auto site = std::make_unique<ObserveSite>();
    site->status_path = observe::SensorStatusPath(center.data_dir);
    site->notes = std::make_unique<observe::PortNotes>(*center.db, core::RealClock(), *center.audit);
    if (center.config.observe.backend == "clickhouse") {
        KZ_ASSIGN(site->clickhouse, observe::ClickHouseStore::Open({.url = center.config.observe.clickhouse_url}));
        site->queries = observe::MakeClickHouseQueries(*site->clickhouse);
        center.log->Info("observation pages read from ClickHouse", {{"url", center.config.observe.clickhouse_url}});
        return site;
    }
    KZ_ASSIGN(observe::StoreOptions options, ObserveStoreOptions(center.config));
    const std::string dir = ObserveStoreDir(center.data_dir);
    auto store = observe::EventStore::Open(dir, options);
    if (!store.ok() && store.error().code() == core::ErrorCode::kUnavailable) {
        // A standalone `kizuna observe collect` holds the store: read what is there now (the pages show
        // data up to this start; restart serve, or run the collector inside serve, for live graphs).
        options.read_only = true;
        center.log->Warn("event store in use by another process; observation pages read a snapshot",
                         {{"dir", dir}});
        store = observe::EventStore::Open(dir, options);
    }
    if (!store.ok()) return store.error();
    site->store = std::shared_ptr<observe::EventStore>(std::move(store).value());
    site->queries = observe::MakeStoreQueries(*site->store);
    return site;
}

core::Result<std::unique_ptr<ObservationBackend>> OpenQueryBackend(const core::Config& config,
                                                                    const observe::EventStore& store) {
    auto backend = std::make_unique<ObservationBackend>();
    if (config.observe.backend == "clickhouse") {
        KZ_ASSIGN(backend->clickhouse, observe::ClickHouseStore::Open({.url = config.observe.clickhouse_url}));
        backend->queries = observe::MakeClickHouseQueries(*backend->clickhouse);
    } else {
        backend->queries = observe::MakeStoreQueries(store);
    }
    return backend;
}

ObservationBackend::~ObservationBackend() = default;

void ObserveSite::Attach(web::SiteServices& services) const {
    services.observe_queries = queries.get();
    services.port_notes = notes.get();
    services.sensor_status = [path = status_path] { return observe::LoadSensorStatus(path); };
}

ObserveSite::~ObserveSite() = default;

}  // namespace kizuna::app
