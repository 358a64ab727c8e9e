// kizuna: the coordination center. Composition root: parses the command line and hands over to the
// subcommand, which builds the real clock, store and services.
#include <CLI/CLI.hpp>
#include <sys/stat.h>

#include <cstdio>

#include "commands.hpp"
#include "commands_incident.hpp"

namespace {

using kizuna::app::GlobalOptions;

void AddGlobalOptions(CLI::App& cmd, GlobalOptions& g) {
    cmd.add_option("--config", g.config_file, "TOML config file (default: $KIZUNA_CONFIG, else ./kizuna.toml)");
    cmd.add_option("--data-dir", g.data_dir,
                   "data directory (default: $KIZUNA_DATA_DIR, else data_dir in the config, else ./var)");
    cmd.add_option("--set", g.settings, "override a config key, e.g. --set server.port=9090 (repeatable)");
    cmd.add_option("--log-level", g.log_level, "debug, info, warn or error");
}

void AddServeOptions(CLI::App& cmd, kizuna::app::ServeOptions& s) {
    cmd.add_option("--listen", s.listen, "address to bind (default from config: 127.0.0.1)");
    cmd.add_option("--port", s.port, "port to bind; 0 picks a free one (default from config: 8080)")
        ->check(CLI::Range(0, 65535));
    cmd.add_option("--port-file", s.port_file, "write the bound port to this file once listening");
}

}  // namespace

int main(int argc, char** argv) {
    // Everything the center writes (database, keys, mail, events, checkpoints) is private to its user:
    // directories 0700, files 0600 (issue 12). Exports meant for others are copied out by the operator.
    ::umask(0077);
    CLI::App app{"Kizuna — coordination-center platform for CSIRTs", "kizuna"};
    app.require_subcommand(1);
    GlobalOptions global;
    kizuna::app::ServeOptions serve_options;
    kizuna::app::UserAddOptions user_options;
    std::string token_user, token_label;
    int token_days = 0;
    std::int64_t token_id = 0;
    std::string user_target;

    auto* serve = app.add_subcommand("serve", "run the center (web pages, API) until SIGTERM");
    AddGlobalOptions(*serve, global);
    AddServeOptions(*serve, serve_options);

    auto* demo = app.add_subcommand("demo", "create demo data (first run only) and run the center");
    AddGlobalOptions(*demo, global);
    AddServeOptions(*demo, serve_options);

    auto* migrate = app.add_subcommand("migrate", "apply pending database migrations and exit");
    AddGlobalOptions(*migrate, global);

    auto* user = app.add_subcommand("user", "manage user accounts");
    user->require_subcommand(1);
    auto* user_add = user->add_subcommand("add", "add a user; the password is read from standard input when it is "
                                                 "not a terminal, else prompted for");
    AddGlobalOptions(*user_add, global);
    user_add->add_option("name", user_options.name, "login name (a-z, 0-9, . _ -)")->required();
    user_add->add_option("--role", user_options.role,
                         "admin, coordinator, vendor, reporter, partner or sensor")
        ->required();
    user_add->add_option("--display-name", user_options.display_name, "name shown on pages");
    user_add->add_option("--email", user_options.email, "contact e-mail address");
    user_add->add_option("--organization", user_options.organization, "organisation");

    auto* user_disable = user->add_subcommand("disable", "disable an account: ends its sessions, revokes its tokens");
    AddGlobalOptions(*user_disable, global);
    user_disable->add_option("name", user_target, "login name")->required();
    auto* user_enable = user->add_subcommand("enable", "enable a disabled account again (tokens stay revoked)");
    AddGlobalOptions(*user_enable, global);
    user_enable->add_option("name", user_target, "login name")->required();
    auto* user_passwd = user->add_subcommand("passwd", "set a new password (standard input or prompt); ends the "
                                                       "user's sessions and revokes its tokens");
    AddGlobalOptions(*user_passwd, global);
    user_passwd->add_option("name", user_target, "login name")->required();

    auto* token = app.add_subcommand("token", "manage API tokens");
    token->require_subcommand(1);
    auto* token_create = token->add_subcommand("create", "create an API token for a user and print it once");
    AddGlobalOptions(*token_create, global);
    token_create->add_option("--user", token_user, "the user the token acts as")->required();
    token_create->add_option("--label", token_label, "what the token is for");
    token_create->add_option("--expires-in-days", token_days,
                             "lifetime in days (default auth.token_ttl_days; at most auth.token_max_ttl_days)")
        ->check(CLI::Range(1, 36500));
    auto* token_list = token->add_subcommand("list", "list API tokens (never their secrets)");
    AddGlobalOptions(*token_list, global);
    token_list->add_option("--user", token_user, "only this user's tokens");
    auto* token_revoke = token->add_subcommand("revoke", "revoke an API token by its id (see token list)");
    AddGlobalOptions(*token_revoke, global);
    token_revoke->add_option("id", token_id, "token id")->required();

    auto* audit = app.add_subcommand("audit", "audit log");
    audit->require_subcommand(1);
    auto* audit_verify = audit->add_subcommand(
        "verify", "check the keyed chain and the checkpoints outside the database; exit 0 when intact, 1 "
                  "naming what is wrong or missing otherwise");
    AddGlobalOptions(*audit_verify, global);
    auto* audit_checkpoint = audit->add_subcommand(
        "checkpoint", "append a checkpoint of the chain head to <data_dir>/audit-checkpoints.log");
    AddGlobalOptions(*audit_checkpoint, global);

    auto* mail = app.add_subcommand("mail", "the mail gateway: center key, import, quarantine, outbox");
    mail->require_subcommand(1);
    auto* mail_init_key = mail->add_subcommand("init-key", "create the center's OpenPGP key (data_dir/gnupg) unless one exists");
    AddGlobalOptions(*mail_init_key, global);
    auto* mail_public_key = mail->add_subcommand("public-key", "print the center's public key (armoured)");
    AddGlobalOptions(*mail_public_key, global);
    std::string mail_path;
    auto* mail_import = mail->add_subcommand("import", "import a Maildir or an mbox file through the inbound path");
    AddGlobalOptions(*mail_import, global);
    mail_import->add_option("path", mail_path, "Maildir directory or mbox file")->required();
    std::int64_t mail_id = 0;
    auto* mail_reprocess = mail->add_subcommand("reprocess", "process a quarantined message again");
    AddGlobalOptions(*mail_reprocess, global);
    mail_reprocess->add_option("id", mail_id, "inbound message id (see the /mail page)")->required();
    auto* mail_send_once = mail->add_subcommand("send-once", "one pass of the outbound sender, then exit");
    AddGlobalOptions(*mail_send_once, global);
    kizuna::app::ExportCveOptions export_cve_options;
    auto* export_cmd = app.add_subcommand("export", "export published documents");
    export_cmd->require_subcommand(1);
    auto* export_cve = export_cmd->add_subcommand(
        "cve", "write the CVE JSON 5 record of every CVE id of a published advisory as <DIR>/<CVE id>.json");
    AddGlobalOptions(*export_cve, global);
    export_cve->add_option("id", export_cve_options.advisory_id, "advisory id, e.g. JVNVU#12345678")->required();
    export_cve->add_option("--out", export_cve_options.out_dir, "output directory (default: current directory)");
    // incident resolve (commands_incident.cpp).
    kizuna::app::RegisterIncidentCommands(app, global);
    // observe import/top-ports/countries/port/icmp/iodef (commands_observe.cpp).
    kizuna::app::RegisterObserveCommands(app, global);

    // observe collect (commands_collector.cpp), under the `observe` command when it exists already.
    kizuna::app::CollectOptions collect_options;
    CLI::App* observe = nullptr;
    for (auto* sub : app.get_subcommands({}))
        if (sub->get_name() == "observe") observe = sub;
    if (observe == nullptr) observe = app.add_subcommand("observe", "Internet scan observation (ISDAS)");
    // observe clickhouse-sync (observe_site.cpp): mirror the event store into ClickHouse.
    std::string ch_sync_url;
    auto* ch_sync = observe->add_subcommand("clickhouse-sync", "copy into ClickHouse what it lacks of the event store (incremental)");
    AddGlobalOptions(*ch_sync, global);
    ch_sync->add_option("--url", ch_sync_url, "ClickHouse HTTP URL (default: observe.clickhouse_url)");
    auto* collect = observe->add_subcommand("collect", "run the sensor collector (TLS) until SIGTERM");
    AddGlobalOptions(*collect, global);
    collect->add_option("--listen", collect_options.listen, "address to bind (default: observe.collector_listen)");
    collect->add_option("--port", collect_options.port,
                        "port for kizuna-sensor connections; 0 picks one (default: observe.collector_port, else 4750)")
        ->check(CLI::Range(0, 65535));
    collect->add_option("--port-file", collect_options.port_file, "write the bound port here once listening");
    collect->add_option("--tls-cert", collect_options.tls_cert, "PEM certificate chain (default: observe.tls_cert)");
    collect->add_option("--tls-key", collect_options.tls_key, "PEM private key (default: observe.tls_key)");
    collect->add_option("--ipfix-udp-port", collect_options.ipfix_udp_port, "also accept IPFIX over UDP on this port (4739)")
        ->check(CLI::Range(0, 65535));
    collect->add_option("--ipfix-tcp-port", collect_options.ipfix_tcp_port, "also accept IPFIX over TCP on this port (4739)")
        ->check(CLI::Range(0, 65535));
    collect->add_option("--ipfix-port-file", collect_options.ipfix_port_file, "write \"UDP_PORT TCP_PORT\" here once listening");

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        // One clear line and exit 2, as for bad configuration.
        std::fprintf(stderr, "kizuna: %s (see kizuna --help)\n", e.what());
        return kizuna::app::kExitUsage;
    }

    if (serve->parsed()) return kizuna::app::RunServe(global, serve_options);
    if (demo->parsed()) return kizuna::app::RunDemo(global, serve_options);
    if (migrate->parsed()) return kizuna::app::RunMigrate(global);
    if (user_add->parsed()) return kizuna::app::RunUserAdd(global, user_options);
    if (user_disable->parsed()) return kizuna::app::RunUserSetDisabled(global, user_target, true);
    if (user_enable->parsed()) return kizuna::app::RunUserSetDisabled(global, user_target, false);
    if (user_passwd->parsed()) return kizuna::app::RunUserPasswd(global, user_target);
    if (token_create->parsed()) return kizuna::app::RunTokenCreate(global, token_user, token_label, token_days);
    if (token_list->parsed()) return kizuna::app::RunTokenList(global, token_user);
    if (token_revoke->parsed()) return kizuna::app::RunTokenRevoke(global, token_id);
    if (audit_verify->parsed()) return kizuna::app::RunAuditVerify(global);
    if (audit_checkpoint->parsed()) return kizuna::app::RunAuditCheckpoint(global);
    if (mail_init_key->parsed()) return kizuna::app::RunMailInitKey(global);
    if (mail_public_key->parsed()) return kizuna::app::RunMailPublicKey(global);
    if (mail_import->parsed()) return kizuna::app::RunMailImport(global, mail_path);
    if (mail_reprocess->parsed()) return kizuna::app::RunMailReprocess(global, mail_id);
    if (mail_send_once->parsed()) return kizuna::app::RunMailSendOnce(global);
    if (export_cve->parsed()) return kizuna::app::RunExportCve(global, export_cve_options);
    if (ch_sync->parsed()) return kizuna::app::RunClickHouseSync(global, ch_sync_url);
    if (collect->parsed()) return kizuna::app::RunCollect(global, collect_options);
    if (auto code = kizuna::app::RunObserveCommand()) return *code;
    if (auto code = kizuna::app::RunIncidentCommand()) return *code;
    return kizuna::app::kExitUsage;
}
