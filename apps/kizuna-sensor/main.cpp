// kizuna-sensor: the ISDAS sensor (MISSION O1). Captures on an interface (or reads pcap/pcapng files),
// decodes packets into scan events, spools them to disk and sends them to the center's collector over TLS
// (docs/formats/sensor-protocol.md, docs/OPERATIONS.md "Sensors"). Composition root: parses the command
// line, builds the logger and the Sensor, and stops it on SIGINT/SIGTERM.
#include <CLI/CLI.hpp>
#include <signal.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "core/clock.hpp"
#include "core/log.hpp"
#include "observe/transport/transport.hpp"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

int Usage(const std::string& message) {
    std::fprintf(stderr, "kizuna-sensor: %s (see kizuna-sensor --help)\n", message.c_str());
    return kExitUsage;
}

// "host:port" or "[v6]:port".
bool SplitHostPort(const std::string& text, std::string& host, std::uint16_t& port) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || colon + 1 == text.size()) return false;
    host = text.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    char* end = nullptr;
    const long value = std::strtol(text.c_str() + colon + 1, &end, 10);
    if (*end != '\0' || value < 1 || value > 65535 || host.empty()) return false;
    port = static_cast<std::uint16_t>(value);
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    // The spool holds captured scan events: private to the sensor's user (directories 0700, files 0600).
    ::umask(0077);
    CLI::App app{"kizuna-sensor — ISDAS scan sensor: capture, spool, send to the Kizuna collector over TLS",
                 "kizuna-sensor"};
    kizuna::observe::SensorOptions options;
    std::string collector, token_file, log_level = "info";
    int batch_ms = 1000, heartbeat_seconds = 10;
    app.add_option("--name", options.name, "sensor name registered at the center (its `sensor` user)")->required();
    app.add_option("--collector", collector, "collector address HOST:PORT")->required();
    app.add_option("--token-file", token_file,
                   "file whose first line is the sensor's API token (default: $KIZUNA_SENSOR_TOKEN)");
    app.add_option("--ca", options.ca_file, "PEM file the collector's certificate must chain to (default: system CAs)");
    app.add_option("--server-name", options.server_name, "name to verify in the collector's certificate (default: HOST)");
    app.add_option("--spool", options.spool_dir, "spool directory: batches wait here until acknowledged")->required();
    auto* read = app.add_option("--read", options.read_files, "pcap/pcapng files to send, then exit when all are stored");
    auto* interface = app.add_option("--interface", options.interface, "capture live on this interface");
    read->excludes(interface);
    app.add_option("--address", options.own_addresses,
                   "the sensor's own address (repeatable): capture only packets to it");
    app.add_option("--filter", options.bpf_filter, "BPF filter instead of the --address filter");
    app.add_option("--user", options.user, "after opening the interface, switch to this user (drops root)");
    app.add_option("--snaplen", options.snap_length, "bytes captured per packet")->check(CLI::Range(64, 65535));
    app.add_option("--batch-events", options.batch_events, "cut a batch at this many events (1-65536)")
        ->check(CLI::Range(1, 65536));
    app.add_option("--batch-ms", batch_ms, "or this many milliseconds after its first event")->check(CLI::Range(1, 600000));
    app.add_option("--heartbeat-seconds", heartbeat_seconds, "heartbeat interval")->check(CLI::Range(1, 3600));
    app.add_option("--window", options.window, "batches sent ahead of their acks")->check(CLI::Range(1, 1024));
    app.add_option("--log-level", log_level, "debug, info, warn or error");
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        return Usage(e.what());
    }
    if (options.read_files.empty() && options.interface.empty()) return Usage("give --interface or --read");
    if (!SplitHostPort(collector, options.collector_host, options.collector_port))
        return Usage("--collector: expected HOST:PORT, got '" + collector + "'");
    if (!token_file.empty()) {
        std::ifstream in(token_file);
        if (!in || !std::getline(in, options.credential)) return Usage("--token-file: cannot read " + token_file);
    } else if (const char* env = std::getenv("KIZUNA_SENSOR_TOKEN")) {
        options.credential = env;
    }
    while (!options.credential.empty() && (options.credential.back() == '\r' || options.credential.back() == ' '))
        options.credential.pop_back();
    if (options.credential.empty()) return Usage("no token: give --token-file or set KIZUNA_SENSOR_TOKEN");
    options.batch_interval = std::chrono::milliseconds(batch_ms);
    options.heartbeat_interval = std::chrono::seconds(heartbeat_seconds);
    auto level = kizuna::core::ParseLogLevel(log_level);
    if (!level.ok()) return Usage("--log-level: " + level.error().message());

    kizuna::core::Logger log(kizuna::core::RealClock(), *level);
    // Signals are taken by a watcher thread (sigwait), never by a handler that could interrupt the spool.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    signal(SIGPIPE, SIG_IGN);

    auto sensor = kizuna::observe::Sensor::Create(options, kizuna::core::RealClock(), log);
    if (!sensor.ok()) {
        std::fprintf(stderr, "kizuna-sensor: %s\n", sensor.error().ToString().c_str());
        return sensor.error().code() == kizuna::core::ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
    }
    std::thread watcher([&signals, &sensor] {
        int received = 0;
        sigwait(&signals, &received);
        if (received != 0) (*sensor)->RequestStop();
    });
    auto report = (*sensor)->Run();
    // Wake the watcher if it is still waiting (the run ended on its own).
    pthread_kill(watcher.native_handle(), SIGTERM);
    watcher.join();
    if (!report.ok()) {
        std::fprintf(stderr, "kizuna-sensor: %s\n", report.error().ToString().c_str());
        return kExitFailure;
    }
    // One line for scripts and tests.
    std::printf("packets=%llu events=%llu batches=%llu anomalies=%llu acknowledged=%llu\n",
                static_cast<unsigned long long>(report->packets), static_cast<unsigned long long>(report->events),
                static_cast<unsigned long long>(report->batches), static_cast<unsigned long long>(report->anomalies),
                static_cast<unsigned long long>(report->acknowledged_batches));
    return kExitOk;
}
