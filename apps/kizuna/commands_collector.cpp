// observe collect: the sensor collector (TLS transport from kizuna-sensor; IPFIX from flow exporters),
// standalone until SIGTERM, or started inside `kizuna serve` when the config enables it.
#include <signal.h>

#include <cstdio>
#include <fstream>

#include "commands.hpp"
#include "observe/storage/storage.hpp"
#include "observe/transport/transport.hpp"

namespace kizuna::app {

struct CollectorService::Parts {
    std::unique_ptr<observe::EventStore> store;
    std::unique_ptr<observe::SensorStatusBoard> status;
    std::unique_ptr<observe::ClickHouseForwarder> clickhouse;  // [observe] backend = "clickhouse"
    std::unique_ptr<observe::StoreSink> sink;
    std::unique_ptr<observe::Collector> collector;
    std::unique_ptr<observe::StoreSink> ipfix_sink;
    std::unique_ptr<observe::IpfixListener> ipfix;
};

CollectorService::CollectorService() : parts_(std::make_unique<Parts>()) {}
CollectorService::~CollectorService() { Stop(); }

observe::SensorAuthenticator SensorTokenAuthenticator(auth::TokenService& tokens) {
    return [&tokens](std::string_view sensor, std::string_view credential) -> core::Status {
        auto principal = tokens.Resolve(credential);
        if (!principal.ok()) return principal.error();
        // One answer for every failure, so a prober learns nothing about which part was wrong.
        const auto refused = core::Unauthenticated("not a valid token of sensor " + std::string(sensor));
        if (!principal->has_value()) return refused;
        if ((*principal)->role != auth::Role::kSensor || (*principal)->name != sensor) return refused;
        return core::Ok();
    };
}

core::Result<std::unique_ptr<CollectorService>> CollectorService::Start(Center& center, const CollectOptions& options,
                                                                         std::shared_ptr<observe::EventStore> store) {
    std::unique_ptr<CollectorService> service(new CollectorService());
    auto& parts = *service->parts_;
    if (store) {
        service->shared_store_ = std::move(store);
    } else {
        KZ_ASSIGN(auto store_options, ObserveStoreOptions(center.config));
        KZ_ASSIGN(parts.store, observe::EventStore::Open(ObserveStoreDir(center.data_dir), store_options));
    }
    observe::EventStore& events = service->shared_store_ ? *service->shared_store_ : *parts.store;
    parts.status = std::make_unique<observe::SensorStatusBoard>(observe::SensorStatusPath(center.data_dir),
                                                                core::RealClock());
    if (center.config.observe.backend == "clickhouse") {
        // The live sink: every stored batch is forwarded to ClickHouse in the background.
        KZ_ASSIGN(auto store_options, ObserveStoreOptions(center.config));
        observe::ForwarderOptions forwarder_options;
        forwarder_options.clickhouse.url = center.config.observe.clickhouse_url;
        forwarder_options.geo_database = store_options.geo_database;
        KZ_ASSIGN(parts.clickhouse, observe::ClickHouseForwarder::Start(events, forwarder_options, *center.log));
        center.log->Info("collector forwards to ClickHouse", {{"url", center.config.observe.clickhouse_url}});
    }
    parts.sink = std::make_unique<observe::StoreSink>(events, *parts.status, "kizuna-sensor", parts.clickhouse.get());
    observe::CollectorOptions collector_options;
    collector_options.listen = options.listen;
    collector_options.port = static_cast<std::uint16_t>(options.port);
    collector_options.tls_cert_file = options.tls_cert;
    collector_options.tls_key_file = options.tls_key;
    parts.collector = std::make_unique<observe::Collector>(collector_options, *parts.sink,
                                                           SensorTokenAuthenticator(*center.tokens), *center.log);
    KZ_TRY(parts.collector->Start());
    if (options.ipfix_udp_port >= 0 || options.ipfix_tcp_port >= 0) {
        parts.ipfix_sink = std::make_unique<observe::StoreSink>(events, *parts.status, "ipfix", parts.clickhouse.get());
        observe::IpfixOptions ipfix_options;
        ipfix_options.listen = options.listen;
        ipfix_options.udp_port = options.ipfix_udp_port;
        ipfix_options.tcp_port = options.ipfix_tcp_port;
        parts.ipfix = std::make_unique<observe::IpfixListener>(ipfix_options, *parts.ipfix_sink, parts.status.get(),
                                                               *center.log);
        KZ_TRY(parts.ipfix->Start());
    }
    return service;
}

std::uint16_t CollectorService::port() const { return parts_->collector ? parts_->collector->port() : 0; }
int CollectorService::ipfix_udp_port() const { return parts_->ipfix ? parts_->ipfix->udp_port() : -1; }
int CollectorService::ipfix_tcp_port() const { return parts_->ipfix ? parts_->ipfix->tcp_port() : -1; }

void CollectorService::Stop() {
    if (!parts_) return;
    if (parts_->collector) parts_->collector->Stop();
    if (parts_->ipfix) parts_->ipfix->Stop();
    if (parts_->clickhouse) parts_->clickhouse->Stop();
    if (parts_->status) (void)parts_->status->Flush();
}

CollectOptions CollectOptionsFromConfig(const core::Config& config, const CollectOptions& flags) {
    CollectOptions options = flags;
    if (options.listen.empty()) options.listen = config.observe.collector_listen;
    if (options.port < 0) options.port = config.observe.collector_port >= 0 ? config.observe.collector_port : 4750;
    if (options.tls_cert.empty()) options.tls_cert = config.observe.tls_cert;
    if (options.tls_key.empty()) options.tls_key = config.observe.tls_key;
    if (options.ipfix_udp_port == -2) options.ipfix_udp_port = config.observe.ipfix_udp_port;
    if (options.ipfix_tcp_port == -2) options.ipfix_tcp_port = config.observe.ipfix_tcp_port;
    return options;
}

int RunCollect(const GlobalOptions& global, const CollectOptions& flags) {
    // Signals go to sigwait below, not to the collector's threads.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    signal(SIGPIPE, SIG_IGN);

    int code = kExitOk;
    auto center = OpenCenter(global, &code);
    if (!center) return code;
    const auto options = CollectOptionsFromConfig(center->config, flags);
    auto service = CollectorService::Start(*center, options, nullptr);
    if (!service.ok()) {
        PrintError("observe collect: " + service.error().ToString());
        return service.error().code() == core::ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
    }
    if (!options.ipfix_port_file.empty())
        std::ofstream(options.ipfix_port_file) << (*service)->ipfix_udp_port() << " " << (*service)->ipfix_tcp_port() << "\n";
    if (!options.port_file.empty()) std::ofstream(options.port_file) << (*service)->port() << "\n";
    std::printf("collector listening on %s:%u (TLS)\n", options.listen.c_str(), unsigned{(*service)->port()});
    std::fflush(stdout);
    int received = 0;
    sigwait(&signals, &received);
    center->log->Info("collector stopping", {{"signal", received}});
    (*service)->Stop();
    return kExitOk;
}

}  // namespace kizuna::app
