#include "center.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "auth/audit_files.hpp"
#include "incident/incident.hpp"

#include "observe/trends/trends.hpp"

namespace kizuna::app {

void PrintError(const std::string& message) { std::fprintf(stderr, "kizuna: %s\n", message.c_str()); }

core::Result<core::Config> LoadConfiguration(const GlobalOptions& options, std::string* data_dir_out) {
    std::string path = options.config_file;
    if (path.empty())
        if (const char* env = std::getenv("KIZUNA_CONFIG"); env && *env) path = env;
    if (path.empty() && std::filesystem::exists("kizuna.toml")) path = "kizuna.toml";
    core::Config config;
    if (!path.empty()) {
        KZ_ASSIGN(config, core::LoadConfigFile(path));
    }
    for (const std::string& setting : options.settings) KZ_TRY(core::ApplyConfigOverride(config, setting));
    if (!options.log_level.empty()) KZ_TRY(core::ApplyConfigOverride(config, "log.level=" + options.log_level));
    KZ_TRY(core::ValidateConfig(config));
    *data_dir_out = core::ResolveDataDir(options.data_dir, std::getenv("KIZUNA_DATA_DIR"), config);
    return config;
}

std::vector<store::Migration> AllMigrations() {
    std::vector<store::Migration> all;
    for (const auto& m : auth::Migrations()) all.push_back(m);
    for (const auto& m : sched::Migrations()) all.push_back(m);
    for (const auto& m : vuln::Migrations()) all.push_back(m);
    for (const auto& m : mail::Migrations()) all.push_back(m);
    for (const auto& m : observe::TrendMigrations()) all.push_back(m);
    for (const auto& m : incident::Migrations()) all.push_back(m);
    return all;
}

core::Status EnsurePrivateDataDir(const std::string& data_dir, core::Logger& log) {
    // Everything under the data directory is the center's secret (database, keys, mail, events): the
    // process umask is 077 (main.cpp) and the directory itself is made 0700 when we create it.
    std::error_code ec;
    const bool existed = std::filesystem::exists(data_dir, ec);
    std::filesystem::create_directories(data_dir, ec);
    if (ec) return core::InvalidArgument("cannot create data directory " + data_dir + ": " + ec.message(), "data_dir");
    struct stat st {};
    if (!existed) {
        if (::chmod(data_dir.c_str(), 0700) != 0)
            return core::Internal("cannot make data directory " + data_dir + " private: " + std::strerror(errno));
    } else if (::stat(data_dir.c_str(), &st) == 0 && (st.st_mode & 0077) != 0) {
        log.Warn("the data directory is readable by others; chmod 700 it", {{"dir", data_dir}});
    }
    // SQLite creates its file (and -wal, -shm with the same mode) 0644 unless it already exists.
    const std::string db_path = data_dir + "/kizuna.db";
    const int fd = ::open(db_path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return core::Internal("cannot create " + db_path + ": " + std::strerror(errno));
    ::close(fd);
    return core::Ok();
}

core::Result<std::unique_ptr<Center>> Center::Open(core::Config config, std::string data_dir) {
    auto center = std::make_unique<Center>();
    center->config = std::move(config);
    center->data_dir = std::move(data_dir);
    KZ_ASSIGN(core::LogLevel level, core::ParseLogLevel(center->config.log.level));
    center->log = std::make_unique<core::Logger>(core::RealClock(), level, center->config.log.file);

    KZ_TRY(EnsurePrivateDataDir(center->data_dir, *center->log));
    const int pool = std::max(2, center->config.server.threads + 2);
    KZ_ASSIGN(center->db, store::OpenSqlite({.path = center->DatabasePath(), .pool_size = pool}));
    const auto migrations = AllMigrations();
    KZ_ASSIGN(center->migrations, store::Migrate(*center->db, migrations));
    if (center->migrations.applied > 0)
        center->log->Info("database migrated", {{"applied", center->migrations.applied},
                                                {"version", center->migrations.current_version},
                                                {"path", center->DatabasePath()}});
    const core::Clock& clock = core::RealClock();
    // The audit chain's key and checkpoints live beside the database, outside it (auth/audit_files.hpp).
    KZ_ASSIGN(auth::AuditKeying keying, auth::OpenAuditKeying(*center->db, center->data_dir, clock));
    center->audit = std::make_unique<auth::AuditLog>(clock, std::move(keying));
    center->users = std::make_unique<auth::UserDirectory>(*center->db, clock, *center->audit,
                                                          auth::PasswordLimits::Interactive());
    center->sessions = std::make_unique<auth::SessionManager>(
        *center->db, clock, *center->users, *center->audit, auth::SessionLimits::FromConfig(center->config.auth));
    center->tokens = std::make_unique<auth::TokenService>(*center->db, clock, *center->audit,
                                                          auth::TokenLimits::FromConfig(center->config.auth));
    center->vendors = std::make_unique<vuln::VendorRegistry>(*center->db, clock, *center->audit);
    // The center's zone: calendar rules (the unreachable vendor's three months) count days in it.
    KZ_ASSIGN(core::TimeZone zone, core::TimeZone::Load(center->config.web.time_zone));
    const vuln::ReportThrottle throttle{center->config.vuln.report_max_per_window,
                                        std::chrono::minutes(center->config.vuln.report_window_minutes)};
    center->cases = std::make_unique<vuln::CaseService>(*center->db, clock, *center->audit, *center->vendors,
                                                        center->config.vuln.identifier_scheme, throttle, zone);
    center->schedule = std::make_unique<vuln::ScheduleService>(*center->db, clock, *center->audit, zone);
    center->scheduler = std::make_unique<sched::Scheduler>(*center->db, clock, *center->log);
    center->schedule->RegisterJobs(*center->scheduler);
    center->infrastructure = std::make_unique<vuln::InfrastructureRegistry>(*center->db, clock, *center->audit);
    center->early_notices = std::make_unique<vuln::EarlyNoticeService>(*center->db, clock, *center->audit);
    center->secondary = std::make_unique<vuln::SecondaryService>(*center->db, clock, *center->audit);
    center->international =
        std::make_unique<vuln::InternationalService>(*center->db, clock, *center->audit, *center->cases);
    KZ_ASSIGN(auto keyring, mail::CenterKeyring::Open(center->GnupgHome()));
    center->keyring = std::make_unique<mail::CenterKeyring>(std::move(keyring));
    mail::MimeLimits limits;
    limits.max_message_bytes = static_cast<std::size_t>(center->config.mail.max_message_bytes);
    center->mail_inbound = std::make_unique<mail::InboundService>(*center->db, clock, *center->keyring, limits);
    mail::RelayOptions relay;
    relay.host = center->config.mail.relay_host;
    relay.port = center->config.mail.relay_port;
    relay.starttls = center->config.mail.relay_starttls != 0;
    relay.from_address = center->config.mail.from_address;
    relay.from_name = center->config.mail.from_name;
    relay.max_attempts = center->config.mail.max_send_attempts;
    center->mail_outbound =
        std::make_unique<mail::OutboundSender>(*center->db, clock, *center->log, *center->keyring, relay);
    center->advisories = std::make_unique<vuln::AdvisoryService>(*center->db, clock, *center->audit);
    return center;
}

// Opens the center or prints why not. Configuration problems are usage errors (exit 2).
std::unique_ptr<Center> OpenCenter(const GlobalOptions& global, int* exit_code) {
    std::string data_dir;
    auto config = LoadConfiguration(global, &data_dir);
    if (!config.ok()) {
        PrintError(config.error().ToString());
        *exit_code = kExitUsage;
        return nullptr;
    }
    auto center = Center::Open(std::move(config).value(), data_dir);
    if (!center.ok()) {
        PrintError(center.error().ToString());
        *exit_code = center.error().code() == core::ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
        return nullptr;
    }
    return std::move(center).value();
}

}  // namespace kizuna::app
