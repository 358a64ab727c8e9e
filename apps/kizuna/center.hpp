// The composition root's building blocks: configuration, the data directory, the database with every
// module's migrations, and the services built on it. Only apps/ constructs these.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/auth.hpp"
#include "core/core.hpp"
#include "mail/mail.hpp"
#include "store/store.hpp"
#include "sched/sched.hpp"
#include "vuln/vuln.hpp"

namespace kizuna::app {

// Options every subcommand shares (see --help).
struct GlobalOptions {
    std::string config_file;
    std::string data_dir;
    std::vector<std::string> settings;  // --set KEY=VALUE
    std::string log_level;
};

// Loads the config file (--config, else $KIZUNA_CONFIG, else ./kizuna.toml when present), applies
// --set overrides and resolves the data directory. Errors are usage errors (exit 2).
core::Result<core::Config> LoadConfiguration(const GlobalOptions& options, std::string* data_dir_out);

// Every module's schema, in one list for store::Migrate.
std::vector<store::Migration> AllMigrations();

// The open center: database and services. Built by Open, which applies pending migrations.
struct Center {
    core::Config config;
    std::string data_dir;
    std::unique_ptr<core::Logger> log;
    std::unique_ptr<store::Database> db;
    std::unique_ptr<auth::AuditLog> audit;
    std::unique_ptr<auth::UserDirectory> users;
    std::unique_ptr<auth::SessionManager> sessions;
    std::unique_ptr<auth::TokenService> tokens;
    std::unique_ptr<vuln::VendorRegistry> vendors;
    std::unique_ptr<vuln::CaseService> cases;
    std::unique_ptr<vuln::ScheduleService> schedule;
    std::unique_ptr<sched::Scheduler> scheduler;
    std::unique_ptr<vuln::InfrastructureRegistry> infrastructure;
    std::unique_ptr<vuln::EarlyNoticeService> early_notices;
    std::unique_ptr<vuln::SecondaryService> secondary;
    std::unique_ptr<vuln::InternationalService> international;  // jobs registered; started by serve/demo
    // The mail gateway: the center's keyring lives in <data_dir>/gnupg.
    std::unique_ptr<mail::CenterKeyring> keyring;
    std::unique_ptr<mail::InboundService> mail_inbound;
    std::unique_ptr<mail::OutboundSender> mail_outbound;
    std::unique_ptr<vuln::AdvisoryService> advisories;
    store::MigrationReport migrations;

    static core::Result<std::unique_ptr<Center>> Open(core::Config config, std::string data_dir);
    std::string DatabasePath() const { return data_dir + "/kizuna.db"; }
    std::string GnupgHome() const { return data_dir + "/gnupg"; }
    // "Name <address>" of the center's key, from [mail] from_name / from_address.
    std::string CenterKeyUserId() const { return config.mail.from_name + " <" + config.mail.from_address + ">"; }
};

// Creates the data directory 0700 (when missing) and the database file 0600; warns when an existing
// directory is open to others.
core::Status EnsurePrivateDataDir(const std::string& data_dir, core::Logger& log);

// Loads configuration and opens the center, printing why not; sets *exit_code (2 for usage and
// configuration errors, 1 for others) and returns null on failure.
std::unique_ptr<Center> OpenCenter(const GlobalOptions& global, int* exit_code);

// Exit codes.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// Prints "kizuna: <message>" to stderr.
void PrintError(const std::string& message);

}  // namespace kizuna::app
