// serve and demo: run the center until SIGTERM.
#include <cstdio>
#include <fstream>
#include <tuple>

#include "audit_checkpointer.hpp"
#include "commands.hpp"
#include "http/http.hpp"
#include "web/site.hpp"

namespace kizuna::app {
namespace {

// Starts the LMTP/SMTP listeners (ports in <data_dir>/lmtp.port, smtp.port), processes mail a crash left
// unprocessed and starts the outbound sender when a relay is configured. The center's key is created on
// first use.
core::Status StartMail(Center& center, std::vector<std::unique_ptr<mail::MailListener>>& listeners) {
    const core::MailConfig& m = center.config.mail;
    if (m.lmtp_port < 0 && m.smtp_port < 0 && m.relay_host.empty()) return core::Ok();
    KZ_ASSIGN(std::string fingerprint, center.keyring->EnsureKey(center.CenterKeyUserId()));
    center.log->Info("center key", {{"fingerprint", fingerprint}, {"home", center.GnupgHome()}});
    if (auto pending = center.mail_inbound->ProcessPending(); !pending.ok())
        center.log->Error("inbound mail left unprocessed", {{"error", pending.error().ToString()}});
    for (auto [port, protocol, name] : {std::tuple{m.lmtp_port, mail::ListenerProtocol::kLmtp, "lmtp"},
                                        std::tuple{m.smtp_port, mail::ListenerProtocol::kSmtp, "smtp"}}) {
        if (port < 0) continue;
        mail::ListenerOptions options;
        options.listen = m.listen;
        options.port = port;
        options.protocol = protocol;
        options.max_accept_bytes = m.max_accept_bytes;
        auto listener = std::make_unique<mail::MailListener>(*center.mail_inbound, *center.log, options);
        KZ_TRY(listener->Start());
        std::ofstream(center.data_dir + "/" + name + ".port") << listener->port() << "\n";
        center.log->Info("mail listener", {{"protocol", name}, {"address", m.listen}, {"port", listener->port()}});
        listeners.push_back(std::move(listener));
    }
    if (!m.relay_host.empty()) center.mail_outbound->Start(std::chrono::seconds(m.send_interval_seconds));
    return core::Ok();
}

int Serve(Center& center, const ServeOptions& options, bool demo) {
    core::Config& config = center.config;
    if (!options.listen.empty()) config.server.listen = options.listen;
    if (options.port >= 0) config.server.port = options.port;
    auto zone = core::TimeZone::Load(config.web.time_zone);
    if (!zone.ok()) {
        PrintError(zone.error().ToString());
        return kExitUsage;
    }

    http::Metrics metrics;
    metrics.AddCollector([&center](std::string& out) { center.db->stats().RenderPrometheus(out, center.db->backend()); });
    auto observe_site = OpenObserveSite(center);
    if (!observe_site.ok()) {
        PrintError("observation: " + observe_site.error().ToString());
        return observe_site.error().code() == core::ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
    }
    if (auto st = SetUpIodefDailyExport(center, **observe_site); !st.ok()) {
        PrintError("iodef export: " + st.error().ToString());
        return st.error().code() == core::ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
    }
    web::SiteServices services{config, core::RealClock(), *center.log, *center.db, *center.audit, *center.users,
                               *center.sessions, *center.tokens, metrics, *zone, *center.vendors,
                               *center.cases, *center.schedule, *center.scheduler,
                               *center.infrastructure, *center.early_notices, *center.secondary,
                               *center.international, *center.mail_inbound, *center.mail_outbound,
                               *center.advisories};
    (*observe_site)->Attach(services);
    // The sensor collector runs inside serve when [observe] collector_port is set (commands_collector.cpp).
    std::unique_ptr<CollectorService> collector;
    if (config.observe.collector_port >= 0) {
        auto started = CollectorService::Start(center, CollectOptionsFromConfig(config, CollectOptions{}),
                                               (*observe_site)->store);
        if (!started.ok()) {
            PrintError("collector: " + started.error().ToString());
            return started.error().code() == core::ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
        }
        collector = std::move(started).value();
    }
    web::Site site(std::move(services));
    http::Server server(http::ServerOptions::FromConfig(config.server), site.Handler(), metrics, *center.log);
    if (auto st = server.Start(); !st.ok()) {
        PrintError(st.error().ToString());
        return st.error().code() == core::ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
    }
    const std::string scheme = server.tls() ? "https" : "http";
    const std::string host = config.server.listen.find(':') != std::string::npos ? "[" + config.server.listen + "]"
                                                                                  : config.server.listen;
    const std::string url = config.server.public_url.empty()
                                ? scheme + "://" + host + ":" + std::to_string(server.port())
                                : config.server.public_url;
    center.log->Info("listening", {{"url", url}, {"data_dir", center.data_dir}, {"tls", server.tls()}});
    if (demo) PrintDemoAccounts(url);
    std::printf("Kizuna is running at %s  (data: %s; stop with Ctrl-C)\n", url.c_str(), center.data_dir.c_str());
    std::fflush(stdout);
    // After the flush: whoever waits for the port file and then stops us has everything printed so far.
    if (!options.port_file.empty()) {
        std::ofstream(options.port_file) << server.port() << "\n";
    }
    // Due jobs (publication instants, reminders) run in the background; jobs missed while the center was
    // down run now (catch-up).
    center.scheduler->Start();
    AuditCheckpointer checkpointer(center);
    checkpointer.Start();
    // The mail gateway: listeners hand inbound mail over, the sender drains the outbox.
    std::vector<std::unique_ptr<mail::MailListener>> listeners;
    if (auto st = StartMail(center, listeners); !st.ok()) {
        PrintError(st.error().ToString());
        center.scheduler->Stop();
        return st.error().code() == core::ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
    }
    server.Run();
    for (auto& l : listeners) l->Stop();
    center.mail_outbound->Stop();
    if (collector) collector->Stop();
    center.scheduler->Stop();
    checkpointer.Stop();
    center.log->Info("stopped");
    return kExitOk;
}

}  // namespace

int RunServe(const GlobalOptions& global, const ServeOptions& options) {
    int code = kExitOk;
    auto center = OpenCenter(global, &code);
    if (!center) return code;
    return Serve(*center, options, false);
}

int RunDemo(const GlobalOptions& global, const ServeOptions& options) {
    int code = kExitOk;
    auto center = OpenCenter(global, &code);
    if (!center) return code;
    auto seeded = SeedDemoData(*center);
    if (!seeded.ok()) {
        PrintError("demo data: " + seeded.error().ToString());
        return kExitFailure;
    }
    std::printf(*seeded ? "Created demo database %s\n" : "Reusing demo database %s\n", center->DatabasePath().c_str());
    return Serve(*center, options, true);
}

}  // namespace kizuna::app
