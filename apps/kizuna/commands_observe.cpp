// kizuna observe import | top-ports | countries | port | icmp | iodef (MISSION O1–O3, O5): thin edges over
// observe::ImportCaptures, observe::ObservationQueries and observe::RenderIodef. Queries open the event
// store read-only, so they work while a collector writes to it.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>

#include "center.hpp"
#include "commands.hpp"
#include "observe/export/export.hpp"
#include "observe/storage/storage.hpp"
#include "observe/trends/trends.hpp"
#include "sched/scheduler.hpp"

#ifndef KIZUNA_DEFAULT_GEO_DATABASE
#define KIZUNA_DEFAULT_GEO_DATABASE ""
#endif

namespace kizuna::app {

namespace {

struct PeriodFlags {
    std::string from, to;
    std::string format = "table";
};

struct ObserveFlags {
    GlobalOptions* global = nullptr;
    // import
    std::vector<std::string> files;
    std::string sensor;
    std::size_t batch_events = 262144;
    // queries
    PeriodFlags period;
    std::string proto;
    std::size_t limit = 10;
    int port = -1;
    // iodef
    std::string country, date, issuer, contact_name, contact_email, output;

    CLI::App *import = nullptr, *top_ports = nullptr, *countries = nullptr, *port_cmd = nullptr, *icmp = nullptr,
             *iodef = nullptr, *iodef_export = nullptr, *trends = nullptr;
    std::vector<std::string> export_countries;
};

ObserveFlags& Flags() {
    static ObserveFlags flags;
    return flags;
}

void AddGlobal(CLI::App& cmd, GlobalOptions& g) {
    cmd.add_option("--config", g.config_file, "TOML config file (default: $KIZUNA_CONFIG, else ./kizuna.toml)");
    cmd.add_option("--data-dir", g.data_dir,
                   "data directory (default: $KIZUNA_DATA_DIR, else data_dir in the config, else ./var)");
    cmd.add_option("--set", g.settings, "override a config key, e.g. --set observe.compression_level=3 (repeatable)");
    cmd.add_option("--log-level", g.log_level, "debug, info, warn or error");
}

void AddPeriod(CLI::App& cmd, PeriodFlags& p) {
    cmd.add_option("--from", p.from, "start: YYYY-MM-DD (UTC midnight) or YYYY-MM-DDTHH:MM:SSZ")->required();
    cmd.add_option("--to", p.to, "end: YYYY-MM-DD includes that whole day; a time is exclusive")->required();
    cmd.add_option("--format", p.format, "json, csv or table (default table)")
        ->check(CLI::IsMember({"json", "csv", "table"}));
}

// Usage errors print one line and exit 2, like CLI11's own.
int Usage(const core::Error& error) {
    std::string field = error.field().empty() ? "" : error.field() + ": ";
    PrintError(field + error.message());
    return kExitUsage;
}

core::Result<observe::TimeRange> ParsePeriod(const PeriodFlags& p) {
    KZ_ASSIGN(observe::PacketTime from, observe::ParseDateOrTime(p.from, "--from"));
    KZ_ASSIGN(observe::PacketTime to, observe::ParseDateOrTime(p.to, "--to"));
    if (p.to.size() == 10) to.micros_since_epoch += observe::kDayMicros;  // a date includes its whole day
    if (to <= from) return core::InvalidArgument("the end of the period must be after its start", "--to");
    return observe::TimeRange{from, to};
}

double Round3(double v) { return std::round(v * 1000.0) / 1000.0; }

std::string Fixed(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3f", v);
    return buf;
}

// Prints rows as JSON (array of objects), CSV (header + lines) or an aligned table.
void PrintRows(const std::string& format, const std::vector<std::string>& columns,
               const std::vector<std::vector<nlohmann::json>>& rows) {
    if (format == "json") {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& row : rows) {
            nlohmann::json object = nlohmann::json::object();
            for (std::size_t i = 0; i < columns.size(); ++i) object[columns[i]] = row[i];
            out.push_back(std::move(object));
        }
        std::printf("%s\n", out.dump(2).c_str());
        return;
    }
    auto text = [](const nlohmann::json& v) {
        if (v.is_string()) return v.get<std::string>();
        if (v.is_number_float()) return Fixed(v.get<double>());
        return v.dump();
    };
    if (format == "csv") {
        for (std::size_t i = 0; i < columns.size(); ++i) std::printf("%s%s", i ? "," : "", columns[i].c_str());
        std::printf("\n");
        for (const auto& row : rows) {
            for (std::size_t i = 0; i < row.size(); ++i) std::printf("%s%s", i ? "," : "", text(row[i]).c_str());
            std::printf("\n");
        }
        return;
    }
    std::vector<std::size_t> width(columns.size());
    for (std::size_t i = 0; i < columns.size(); ++i) width[i] = columns[i].size();
    for (const auto& row : rows)
        for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], text(row[i]).size());
    for (std::size_t i = 0; i < columns.size(); ++i)
        std::printf("%s%-*s", i ? "  " : "", static_cast<int>(width[i]), columns[i].c_str());
    std::printf("\n");
    for (const auto& row : rows) {
        for (std::size_t i = 0; i < row.size(); ++i) {
            bool number = !row[i].is_string();
            std::printf("%s%*s", i ? "  " : "", number ? static_cast<int>(width[i]) : -static_cast<int>(width[i]),
                        text(row[i]).c_str());
        }
        std::printf("\n");
    }
}

struct OpenedStore {
    std::unique_ptr<observe::EventStore> store;
    core::Config config;
    std::string dir;
};

// Loads the configuration and opens <data_dir>/observe; prints why not and sets *exit_code.
std::optional<OpenedStore> OpenStore(const GlobalOptions& global, bool read_only, int* exit_code) {
    std::string data_dir;
    auto config = LoadConfiguration(global, &data_dir);
    if (!config.ok()) {
        *exit_code = Usage(config.error());
        return std::nullopt;
    }
    auto options = ObserveStoreOptions(*config);
    if (!options.ok()) {
        *exit_code = Usage(options.error());
        return std::nullopt;
    }
    options->read_only = read_only;
    std::string dir = ObserveStoreDir(data_dir);
    auto store = observe::EventStore::Open(dir, *options);
    if (!store.ok()) {
        if (read_only && store.error().code() == core::ErrorCode::kNotFound) {
            PrintError("no observations stored in " + dir + " (import captures or run a collector first)");
        } else {
            PrintError(store.error().ToString());
        }
        *exit_code = kExitFailure;
        return std::nullopt;
    }
    return OpenedStore{std::move(store).value(), std::move(config).value(), dir};
}

int RunImport(const ObserveFlags& f) {
    int code = kExitOk;
    auto opened = OpenStore(*f.global, false, &code);
    if (!opened) return code;
    observe::ImportReport report;
    auto started = std::chrono::steady_clock::now();
    auto status = observe::ImportCaptures(*opened->store, f.files, f.sensor, {f.batch_events}, report);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::uint64_t undecoded = 0;
    std::string reasons;
    for (const auto& [name, count] : report.anomalies) {
        undecoded += count;
        reasons += (reasons.empty() ? "" : ", ") + name + " " + std::to_string(count);
    }
    std::printf("imported %llu event(s) (%llu packet(s)) from %llu file(s) as sensor %s into %s: %llu batch(es), "
                "%llu record(s) without an event%s%s%s; %.2f s, %.0f records/s\n",
                static_cast<unsigned long long>(report.events), static_cast<unsigned long long>(report.packets),
                static_cast<unsigned long long>(report.files), f.sensor.c_str(), opened->dir.c_str(),
                static_cast<unsigned long long>(report.batches), static_cast<unsigned long long>(undecoded),
                reasons.empty() ? "" : " (", reasons.c_str(), reasons.empty() ? "" : ")", seconds,
                seconds > 0 ? static_cast<double>(report.records_read) / seconds : 0.0);
    for (const auto& resumed : report.resumed) {
        std::printf("resumed: %s: an earlier import of it was interrupted; went on after the %llu record(s) it had "
                    "stored, nothing counted twice\n",
                    resumed.file.c_str(), static_cast<unsigned long long>(resumed.records));
    }
    for (const auto& dup : report.duplicates) {
        std::printf("duplicate: %s skipped, nothing stored: sensor %s already imported the same content (%s, xxh128 %s, "
                    "%llu event(s))\n",
                    dup.file.c_str(), f.sensor.c_str(), dup.previous.file.c_str(),
                    observe::DigestHex(dup.previous.digest).c_str(),
                    static_cast<unsigned long long>(dup.previous.events));
    }
    if (!status.ok()) {
        if (status.error().code() == core::ErrorCode::kInvalidArgument && !status.error().field().empty()) {
            return Usage(status.error());
        }
        PrintError(status.error().ToString());
        return kExitFailure;
    }
    // With the ClickHouse backend, the import feeds it like the collector's live sink does: whatever ClickHouse
    // lacks of this sensor (the prefix rule of ClickHouseStore::CatchUp, so a re-run — also after an import
    // that was all duplicates — completes a sync that failed, and never counts an event twice). The events are
    // already durable in the event store either way.
    if (opened->config.observe.backend == "clickhouse") {
        auto ch = observe::ClickHouseStore::Open({.url = opened->config.observe.clickhouse_url});
        auto forwarded = ch.ok() ? (*ch)->CatchUp(*opened->store, f.sensor) : core::Result<std::uint64_t>(ch.error());
        if (!forwarded.ok()) {
            PrintError("stored in the event store, but ClickHouse at " + opened->config.observe.clickhouse_url +
                       " was not updated: " + forwarded.error().ToString() +
                       " (run `kizuna observe clickhouse-sync` or this import again once it is reachable)");
            return kExitFailure;
        }
        std::printf("forwarded %llu event(s) of sensor %s to ClickHouse at %s\n",
                    static_cast<unsigned long long>(*forwarded), f.sensor.c_str(),
                    opened->config.observe.clickhouse_url.c_str());
    }
    return kExitOk;
}

std::optional<observe::Protocol> ProtoOrNone(const std::string& text, core::Status& status) {
    if (text.empty()) return std::nullopt;
    auto proto = observe::ParseProtocol(text, "--proto");
    if (!proto.ok()) {
        status = proto.error();
        return std::nullopt;
    }
    return *proto;
}

int RunQuery(const ObserveFlags& f) {
    auto period = ParsePeriod(f.period);
    if (!period.ok()) return Usage(period.error());
    core::Status proto_status = core::Ok();
    std::optional<observe::Protocol> proto = ProtoOrNone(f.proto, proto_status);
    if (!proto_status.ok()) return Usage(proto_status.error());
    int code = kExitOk;
    auto opened = OpenStore(*f.global, true, &code);
    if (!opened) return code;
    auto backend = OpenQueryBackend(opened->config, *opened->store);  // [observe] backend
    if (!backend.ok()) {
        PrintError(backend.error().ToString());
        return backend.error().code() == core::ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
    }
    const auto& queries = (*backend)->queries;
    std::vector<std::vector<nlohmann::json>> rows;
    std::vector<std::string> columns;
    core::Status status = core::Ok();
    if (f.top_ports->parsed()) {
        columns = {"proto", "port", "packets", "per_sensor"};
        auto result = queries->TopPorts({*period, proto, f.limit});
        if (!result.ok()) {
            status = result.error();
        } else {
            for (const auto& r : *result)
                rows.push_back({std::string(observe::ProtocolName(r.protocol)), r.port, r.packets, Round3(r.per_sensor)});
        }
    } else if (f.countries->parsed()) {
        columns = {"country", "packets", "per_sensor"};
        auto result = queries->Countries(*period, f.limit);
        if (!result.ok()) {
            status = result.error();
        } else {
            for (const auto& r : *result)
                rows.push_back({std::string(r.country.begin(), r.country.end()), r.packets, Round3(r.per_sensor)});
        }
    } else if (f.port_cmd->parsed()) {
        // Unique sources and targets per day (O4) from the same backend: exact counts over the raw events.
        columns = {"date", "packets", "sensors", "per_sensor", "sources", "targets"};
        const observe::Protocol port_proto = proto.value_or(observe::Protocol::kTcp);
        const auto port = static_cast<std::uint16_t>(f.port);
        auto result = queries->PortDaily(port_proto, port, *period);
        auto uniques = (*backend)->distinct->PortDaily(port_proto, port, *period);
        if (!result.ok()) {
            status = result.error();
        } else if (!uniques.ok()) {
            status = uniques.error();
        } else {
            for (std::size_t i = 0; i < result->size(); ++i) {
                const auto& r = (*result)[i];
                const observe::UniqueDay u = i < uniques->size() ? (*uniques)[i] : observe::UniqueDay{};
                rows.push_back({observe::FormatDate(observe::PacketTime{r.day_start_micros}), r.packets,
                                Round3(r.effective_sensors), Round3(r.per_sensor), u.sources, u.targets});
            }
        }
    } else {
        columns = {"proto", "type", "code", "packets", "per_sensor"};
        auto result = queries->Icmp(*period, f.limit);
        if (!result.ok()) {
            status = result.error();
        } else {
            for (const auto& r : *result)
                rows.push_back({std::string(observe::ProtocolName(r.protocol)), r.type, r.code, r.packets,
                                Round3(r.per_sensor)});
        }
    }
    if (!status.ok()) {
        if (status.error().code() == core::ErrorCode::kInvalidArgument) return Usage(status.error());
        PrintError(status.error().ToString());
        return kExitFailure;
    }
    PrintRows(f.period.format, columns, rows);
    return kExitOk;
}

std::string NowRfc3339() {
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
    // Second precision is plenty for a generation time.
    return observe::FormatTimestamp(observe::PacketTime{micros - micros % 1'000'000}).substr(0, 19) + "Z";
}

// The center's host name from its public URL, else "kizuna".
std::string DefaultIssuer(const core::Config& config) {
    std::string url = config.server.public_url;
    auto scheme = url.find("://");
    std::string host = scheme == std::string::npos ? "" : url.substr(scheme + 3);
    host = host.substr(0, host.find_first_of(":/"));
    return host.empty() ? "kizuna" : host;
}

int RunIodef(const ObserveFlags& f) {
    auto country = observe::ParseCountryCode(f.country, "--country");
    if (!country.ok()) return Usage(country.error());
    if (f.date.size() != 10) return Usage(core::InvalidArgument("expected a date YYYY-MM-DD", "--date"));
    auto day = observe::ParseDateOrTime(f.date, "--date");
    if (!day.ok()) return Usage(day.error());
    int code = kExitOk;
    auto opened = OpenStore(*f.global, true, &code);
    if (!opened) return code;
    auto queries = observe::MakeStoreQueries(*opened->store);
    observe::IodefIssuer issuer{f.issuer.empty() ? DefaultIssuer(opened->config) : f.issuer, f.contact_name,
                                f.contact_email};
    auto report = observe::BuildIodefReport(*queries, issuer, *country, *day, NowRfc3339());
    if (!report.ok()) {
        PrintError(report.error().ToString());
        return kExitFailure;
    }
    std::string xml = observe::RenderIodef(*report);
    if (f.output.empty()) {
        std::fwrite(xml.data(), 1, xml.size(), stdout);
        return kExitOk;
    }
    std::ofstream out(f.output, std::ios::binary | std::ios::trunc);
    out << xml;
    out.close();
    if (!out) {
        PrintError("cannot write " + f.output);
        return kExitFailure;
    }
    std::fprintf(stderr, "wrote %zu event(s) from %c%c on %s to %s\n", report->events.size(), (*country)[0],
                 (*country)[1], f.date.c_str(), f.output.c_str());
    return kExitOk;
}

// observe iodef-export: the daily partner export for one day, by hand (same code as the scheduled job).
int RunIodefExport(const ObserveFlags& f) {
    if (f.date.size() != 10) return Usage(core::InvalidArgument("expected a date YYYY-MM-DD", "--date"));
    auto day = observe::ParseDateOrTime(f.date, "--date");
    if (!day.ok()) return Usage(day.error());
    std::vector<observe::CountryCode> countries;
    for (const auto& c : f.export_countries) {
        auto cc = observe::ParseCountryCode(c, "--country");
        if (!cc.ok()) return Usage(cc.error());
        if (std::find(countries.begin(), countries.end(), *cc) == countries.end()) countries.push_back(*cc);
    }
    int code = kExitOk;
    auto opened = OpenStore(*f.global, true, &code);
    if (!opened) return code;
    if (countries.empty()) {
        auto partners = observe::ParseCountryList(opened->config.observe.iodef_partners, "observe.iodef_partners");
        if (!partners.ok()) return Usage(partners.error());
        countries = std::move(partners).value();
    }
    if (countries.empty())
        return Usage(core::InvalidArgument("no countries: give --country or set observe.iodef_partners", "--country"));
    const std::string dir = f.output.empty() ? opened->config.observe.iodef_export_dir : f.output;
    if (dir.empty())
        return Usage(core::InvalidArgument("no directory: give --dir or set observe.iodef_export_dir", "--dir"));
    auto queries = observe::MakeStoreQueries(*opened->store);
    observe::IodefIssuer issuer{DefaultIssuer(opened->config), "", ""};
    auto files = observe::ExportIodefDay(*queries, issuer, dir, countries, *day);
    if (!files.ok()) {
        PrintError(files.error().ToString());
        return kExitFailure;
    }
    for (const auto& file : *files) std::printf("%s\t%zu\n", file.path.c_str(), file.events);
    return kExitOk;
}

// observe trends: the trends list (O4) as the /observe/trends page shows it, over the last 120 complete days
// before today (UTC), with unique sources/targets and DShield's score of the latest day and the port notes.
int RunTrends(const ObserveFlags& f) {
    int code = kExitOk;
    auto opened = OpenStore(*f.global, true, &code);
    if (!opened) return code;
    auto backend = OpenQueryBackend(opened->config, *opened->store);
    if (!backend.ok()) {
        PrintError(backend.error().ToString());
        return backend.error().code() == core::ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
    }
    std::vector<observe::PortNote> notes;
    {
        auto center = OpenCenter(*f.global, &code);
        if (!center) return code;
        auto all = observe::PortNotes(*center->db, core::RealClock(), *center->audit).All();
        if (!all.ok()) {
            PrintError(all.error().ToString());
            return kExitFailure;
        }
        notes = std::move(all).value();
    }
    std::int64_t today = core::ToUnixMicros(core::RealClock().Now());
    if (!f.date.empty()) {
        if (f.date.size() != 10) return Usage(core::InvalidArgument("expected a date YYYY-MM-DD", "--date"));
        auto day = observe::ParseDateOrTime(f.date, "--date");
        if (!day.ok()) return Usage(day.error());
        today = day->micros_since_epoch + observe::kDayMicros;  // the given day is the last one analysed
    }
    today -= ((today % observe::kDayMicros) + observe::kDayMicros) % observe::kDayMicros;
    auto listed = observe::ListTrends(*(*backend)->queries, notes, today, (*backend)->distinct.get());
    if (!listed.ok()) {
        PrintError(listed.error().ToString());
        return kExitFailure;
    }
    const std::vector<std::string> columns = {"proto", "port", "state", "onset", "first_observed", "subsiding",
                                              "baseline", "peak", "sources", "targets", "dshield_score", "note"};
    std::vector<std::vector<nlohmann::json>> rows;
    for (const auto& t : *listed) {
        std::vector<nlohmann::json> row = {std::string(observe::ProtocolName(t.protocol)), t.port,
                                           std::string(observe::TrendStateName(t.analysis.current))};
        if (t.episode) {
            row.push_back(observe::FormatDate(observe::PacketTime{t.episode->onset_micros}));
            row.push_back(t.episode->first_observed);
            row.push_back(t.episode->subsiding_micros
                              ? nlohmann::json(observe::FormatDate(observe::PacketTime{*t.episode->subsiding_micros}))
                              : nlohmann::json(nullptr));
            row.push_back(Round3(t.episode->baseline));
            row.push_back(Round3(t.episode->peak_level));
        } else {
            row.insert(row.end(), {nullptr, false, nullptr, nullptr, nullptr});
        }
        const observe::TrendPoint* last = t.analysis.days.empty() ? nullptr : &t.analysis.days.back();
        auto count = [](const std::optional<double>& v) {
            return v ? nlohmann::json(static_cast<std::uint64_t>(*v)) : nlohmann::json(nullptr);
        };
        row.push_back(last ? count(last->sources) : nullptr);
        row.push_back(last ? count(last->targets) : nullptr);
        row.push_back(last && last->dshield_score ? nlohmann::json(Round3(*last->dshield_score)) : nlohmann::json(nullptr));
        row.push_back(t.note ? t.note->note : std::string());
        rows.push_back(std::move(row));
    }
    PrintRows(f.period.format, columns, rows);
    return kExitOk;
}

}  // namespace

std::string ObserveStoreDir(const std::string& data_dir) { return data_dir + "/observe"; }

core::Result<observe::StoreOptions> ObserveStoreOptions(const core::Config& config) {
    observe::StoreOptions options;
    options.compression_level = config.observe.compression_level;
    const std::string& geo = config.observe.geo_database;
    if (geo == "none") return options;
    if (geo.empty()) {
        std::string fallback = KIZUNA_DEFAULT_GEO_DATABASE;
        if (!fallback.empty() && std::filesystem::exists(fallback)) {
            options.geo_database = fallback;
        } else {
            static bool warned = false;
            if (!warned) {
                std::fprintf(stderr, "kizuna: warning: no country database at %s (run scripts/setup.sh or set "
                                     "observe.geo_database); sources are recorded as ZZ\n",
                             fallback.empty() ? "(none configured)" : fallback.c_str());
                warned = true;
            }
        }
        return options;
    }
    if (!std::filesystem::exists(geo)) {
        return core::InvalidArgument("no such file: " + geo, "observe.geo_database");
    }
    options.geo_database = geo;
    return options;
}

core::Status EnsureIodefDailyJob(Center& center) {
    return observe::EnsureIodefDailyScheduled(*center.scheduler, *center.db, core::RealClock());
}

core::Status SetUpIodefDailyExport(Center& center, const ObserveSite& site) {
    const core::Config& config = center.config;
    KZ_ASSIGN(auto partners, observe::ParseCountryList(config.observe.iodef_partners, "observe.iodef_partners"));
    observe::IodefDailySettings settings{{DefaultIssuer(config), "", ""}, config.observe.iodef_export_dir, partners};
    // What a run reads: the ClickHouse backend, or a fresh read-only snapshot of the event store (serve's own
    // store view was taken at its start). No store yet: nothing observed, nothing to export.
    auto open_queries = [&center, &site]() -> core::Result<std::shared_ptr<const observe::ObservationQueries>> {
        if (site.clickhouse) {
            return std::shared_ptr<const observe::ObservationQueries>(site.queries.get(),
                                                                      [](const observe::ObservationQueries*) {});
        }
        KZ_ASSIGN(observe::StoreOptions options, ObserveStoreOptions(center.config));
        options.read_only = true;
        auto opened = observe::EventStore::Open(ObserveStoreDir(center.data_dir), options);
        if (!opened.ok()) {
            if (opened.error().code() == core::ErrorCode::kNotFound) return std::shared_ptr<const observe::ObservationQueries>();
            return opened.error();
        }
        std::shared_ptr<const observe::EventStore> store = std::move(opened).value();
        return std::shared_ptr<const observe::ObservationQueries>(
            observe::MakeStoreQueries(*store).release(),
            [store](const observe::ObservationQueries* queries) { delete queries; });  // the store outlives them
    };
    const observe::IodefDailyJob job(settings, open_queries, core::RealClock());
    job.Register(*center.scheduler, [&center](const observe::IodefDailyRun& run) {
        center.log->Info("iodef daily export", {{"day", run.day}, {"files", run.files.size()},
                                                {"dir", center.config.observe.iodef_export_dir},
                                                {"mails_queued", run.mails_queued}});
        if (run.mails_queued > 0 && center.mail_outbound) center.mail_outbound->Wake();
    });
    bool wanted = false;
    {
        KZ_ASSIGN(store::Lease lease, center.db->Acquire());
        KZ_ASSIGN(wanted, observe::IodefDailyWanted(*lease, settings));
    }
    if (!wanted) return core::Ok();
    return EnsureIodefDailyJob(center);
}

CLI::App* RegisterObserveCommands(CLI::App& app, GlobalOptions& global) {
    ObserveFlags& f = Flags();
    f.global = &global;
    CLI::App* observe = app.add_subcommand("observe", "Internet scan observation (ISDAS)");
    observe->require_subcommand(1);

    f.import = observe->add_subcommand("import", "store the scans in pcap/pcapng files as one sensor's observations");
    AddGlobal(*f.import, global);
    f.import->add_option("files", f.files, "pcap or pcapng files")->required()->check(CLI::ExistingFile);
    f.import->add_option("--sensor", f.sensor, "sensor name (letters, digits, . _ -)")->required();
    f.import->add_option("--batch", f.batch_events, "events per durable batch (default 262144)")
        ->check(CLI::Range(1, 1 << 20));

    f.top_ports = observe->add_subcommand("top-ports", "destination ports ranked by packets per active sensor");
    AddGlobal(*f.top_ports, global);
    AddPeriod(*f.top_ports, f.period);
    f.top_ports->add_option("--proto", f.proto, "tcp, udp or icmp (default all)")
        ->check(CLI::IsMember({"tcp", "udp", "icmp", "icmpv6"}));
    f.top_ports->add_option("--limit", f.limit, "rows (default 10; 0 = all)")->check(CLI::NonNegativeNumber);

    f.countries = observe->add_subcommand("countries", "source countries ranked by packets per active sensor");
    AddGlobal(*f.countries, global);
    AddPeriod(*f.countries, f.period);
    f.countries->add_option("--limit", f.limit, "rows (default 10; 0 = all)")->check(CLI::NonNegativeNumber);

    f.port_cmd = observe->add_subcommand("port", "one destination port per day (packets per active sensor)");
    AddGlobal(*f.port_cmd, global);
    f.port_cmd->add_option("port", f.port, "destination port")->required()->check(CLI::Range(0, 65535));
    AddPeriod(*f.port_cmd, f.period);
    f.port_cmd->add_option("--proto", f.proto, "tcp or udp (default tcp)")->check(CLI::IsMember({"tcp", "udp"}));

    f.icmp = observe->add_subcommand("icmp", "ICMP/ICMPv6 type and code ranked by packets per active sensor");
    AddGlobal(*f.icmp, global);
    AddPeriod(*f.icmp, f.period);
    f.icmp->add_option("--limit", f.limit, "rows (default 10; 0 = all)")->check(CLI::NonNegativeNumber);

    f.iodef = observe->add_subcommand("iodef", "one day's scans from one country as an IODEF 2 (RFC 7970) document");
    AddGlobal(*f.iodef, global);
    f.iodef->add_option("--country", f.country, "source country, two letters (ISO 3166-1)")->required();
    f.iodef->add_option("--date", f.date, "UTC day, YYYY-MM-DD")->required();
    f.iodef->add_option("--issuer", f.issuer, "IncidentID name (default: host of server.public_url, else kizuna)");
    f.iodef->add_option("--contact-name", f.contact_name, "creator contact name");
    f.iodef->add_option("--contact-email", f.contact_email, "creator contact e-mail");
    f.iodef->add_option("--output", f.output, "write to this file (default: standard output)");

    f.iodef_export = observe->add_subcommand(
        "iodef-export", "the daily partner export for one day: <dir>/<DATE>/<CC>.xml per partner country");
    AddGlobal(*f.iodef_export, global);
    f.iodef_export->add_option("--date", f.date, "UTC day, YYYY-MM-DD")->required();
    f.iodef_export->add_option("--dir", f.output, "export directory (default: observe.iodef_export_dir)");
    f.iodef_export->add_option("--country", f.export_countries,
                               "partner country (repeatable; default: observe.iodef_partners)");
    f.trends = observe->add_subcommand(
        "trends", "ports whose scanning started, goes on or subsides (last 120 complete days; O4)");
    AddGlobal(*f.trends, global);
    f.trends->add_option("--date", f.date, "last UTC day to analyse, YYYY-MM-DD (default: yesterday)");
    f.trends->add_option("--format", f.period.format, "json, csv or table (default table)")
        ->check(CLI::IsMember({"json", "csv", "table"}));
    RegisterPartnerCommands(*observe, global);
    return observe;
}

std::optional<int> RunObserveCommand() {
    const ObserveFlags& f = Flags();
    if (f.import == nullptr) return std::nullopt;
    if (f.import->parsed()) return RunImport(f);
    if (f.top_ports->parsed() || f.countries->parsed() || f.port_cmd->parsed() || f.icmp->parsed()) return RunQuery(f);
    if (f.iodef->parsed()) return RunIodef(f);
    if (f.iodef_export->parsed()) return RunIodefExport(f);
    if (f.trends->parsed()) return RunTrends(f);
    return RunPartnerCommand();
}

}  // namespace kizuna::app
