// The observation parts of `kizuna serve` (issue 6): the event store, the query backend chosen by
// [observe] backend, the coordinators' port notes and the collector's sensor-status file, handed to the
// web pages through SiteServices.
#include <chrono>
#include <cstdio>

#include "commands.hpp"
#include "observe/export/export.hpp"
#include "observe/storage/storage.hpp"
#include "observe/transport/transport.hpp"
#include "observe/trends/trends.hpp"
#include "web/site.hpp"

namespace kizuna::app {

core::Result<std::unique_ptr<ObserveSite>> OpenObserveSite(Center& center) {
    auto site = std::make_unique<ObserveSite>();
    site->status_path = observe::SensorStatusPath(center.data_dir);
    site->notes = std::make_unique<observe::PortNotes>(*center.db, core::RealClock(), *center.audit);
    site->partners = std::make_unique<observe::PartnerRegistry>(*center.db, core::RealClock(), *center.audit);
    if (center.config.observe.backend == "clickhouse") {
        KZ_ASSIGN(site->clickhouse, observe::ClickHouseStore::Open({.url = center.config.observe.clickhouse_url}));
        site->queries = observe::MakeClickHouseQueries(*site->clickhouse);
        site->distinct = observe::MakeClickHouseDistinctCounts(*site->clickhouse);
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
    site->distinct = observe::MakeStoreDistinctCounts(*site->store);
    return site;
}

core::Result<std::unique_ptr<ObservationBackend>> OpenQueryBackend(const core::Config& config,
                                                                    const observe::EventStore& store) {
    auto backend = std::make_unique<ObservationBackend>();
    if (config.observe.backend == "clickhouse") {
        KZ_ASSIGN(backend->clickhouse, observe::ClickHouseStore::Open({.url = config.observe.clickhouse_url}));
        backend->queries = observe::MakeClickHouseQueries(*backend->clickhouse);
        backend->distinct = observe::MakeClickHouseDistinctCounts(*backend->clickhouse);
    } else {
        backend->queries = observe::MakeStoreQueries(store);
        backend->distinct = observe::MakeStoreDistinctCounts(store);
    }
    return backend;
}

ObservationBackend::~ObservationBackend() = default;

int RunClickHouseSync(const GlobalOptions& global, const std::string& url_flag) {
    std::string data_dir;
    auto config = LoadConfiguration(global, &data_dir);
    if (!config.ok()) {
        PrintError(config.error().ToString());
        return kExitUsage;
    }
    auto options = ObserveStoreOptions(*config);
    if (!options.ok()) {
        PrintError(options.error().ToString());
        return kExitUsage;
    }
    options->read_only = true;  // a running collector may hold the store: copy what is durable now
    const std::string dir = ObserveStoreDir(data_dir);
    auto store = observe::EventStore::Open(dir, *options);
    if (!store.ok()) {
        PrintError(store.error().ToString());
        return kExitFailure;
    }
    const std::string url = url_flag.empty() ? config->observe.clickhouse_url : url_flag;
    auto started = std::chrono::steady_clock::now();
    // Incremental: per sensor, only what ClickHouse lacks (ClickHouseStore::CatchUp), so a repeated sync,
    // or one after the collector's live sink forwarded part of the data, never counts an event twice.
    auto ch = observe::ClickHouseStore::Open({.url = url});
    if (!ch.ok()) {
        PrintError(ch.error().ToString());
        return kExitFailure;
    }
    std::uint64_t copied = 0;
    for (const auto& sensor : (*store)->Sensors()) {
        auto caught_up = (*ch)->CatchUp(**store, sensor);
        if (!caught_up.ok()) {
            PrintError("sensor " + sensor + ": " + caught_up.error().ToString());
            return kExitFailure;
        }
        copied += *caught_up;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::printf("copied %llu event(s) from %s to ClickHouse at %s in %.1f s\n",
                static_cast<unsigned long long>(copied), dir.c_str(), url.c_str(), seconds);
    return kExitOk;
}

void ObserveSite::Attach(web::SiteServices& services) const {
    services.observe_queries = queries.get();
    services.port_notes = notes.get();
    services.observe_distinct = distinct.get();
    services.observe_partners = partners.get();
    services.sensor_status = [path = status_path] { return observe::LoadSensorStatus(path); };
}

ObserveSite::~ObserveSite() = default;

}  // namespace kizuna::app
