// Configuration: documented defaults (kizuna.toml.example), overridden by a TOML file, overridden by
// command-line settings ("server.port=9090"). Unknown keys and wrong types are errors that name the key.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace kizuna::core {

struct ServerConfig {
    std::string listen = "127.0.0.1";
    int port = 8080;
    int threads = 2;                       // I/O threads; 0 = one per core
    std::string tls_cert;                  // PEM file; TLS is on when cert and key are both set
    std::string tls_key;
    std::int64_t max_header_bytes = 16 * 1024;
    std::int64_t max_body_bytes = 1024 * 1024;
    int idle_timeout_seconds = 30;         // keep-alive connection closed after this much silence
    int shutdown_grace_seconds = 10;       // SIGTERM: in-flight requests get this long to finish
    std::string public_url;                // how users reach us; defaults to http(s)://listen:port
};

struct LogConfig {
    std::string level = "info";
    std::string file;                      // empty: stderr
};

struct AuthConfig {
    int session_ttl_minutes = 12 * 60;
    int login_max_failures = 5;            // failures within the window before login is refused
    int login_window_minutes = 15;
    int login_lockout_minutes = 15;
    int token_ttl_days = 90;               // lifetime of a new API token unless asked otherwise
    int token_max_ttl_days = 365;          // the longest lifetime anyone may ask for
    int audit_checkpoint_minutes = 10;     // how often serve appends an audit checkpoint (and at stop)
    std::string audit_checkpoint_mail;     // also mail each checkpoint to this address ("" = do not)
};

struct WebConfig {
    std::string default_lang = "ja";       // "ja" or "en"
    std::string time_zone = "Asia/Tokyo";
};

struct VulnConfig {
    // Case identifiers: {rand:N} N random digits, {seq:N} the case number zero-padded, {year} the year.
    std::string identifier_scheme = "JVNVU#{rand:8}";
    std::string terms_version = "2026-04";   // current version of the vendor registration terms
    int report_max_per_window = 10;          // the /report form: reports per client address within ...
    int report_window_minutes = 60;          // ... this window (staff are not throttled)
    // The local hour (web.time_zone) the case page proposes for a publication: the 45-day default lands on
    // that day at this hour, not at the minute handling started.
    int publication_hour = 10;
    // The work queue: days the center gives itself per open case state, counted from the case's last
    // activity; past them the case is overdue ([vuln] response_days = { received = 3, ... }).
    int response_days_received = 3;
    int response_days_verified = 5;
    int response_days_coordinating = 14;
};

// The mail gateway (src/mail/). Ports: -1 = off, 0 = any free port (the bound port is written to
// <data_dir>/lmtp.port or smtp.port). Listeners bind loopback addresses only unless `listen` says otherwise.
struct MailConfig {
    std::string listen = "127.0.0.1";
    int lmtp_port = -1;                    // RFC 2033, for Postfix/Exim local delivery
    int smtp_port = -1;                    // plain SMTP on loopback, for MTAs that cannot speak LMTP
    std::string relay_host;                // outbound submission; empty: the sender does not run
    int relay_port = 25;
    int relay_starttls = 0;                // 1: require STARTTLS to the relay
    std::string from_address = "kizuna@localhost";  // envelope and From: of outbound mail
    std::string from_name = "Kizuna";
    std::int64_t max_message_bytes = 25 * 1024 * 1024;   // larger messages are kept but quarantined
    std::int64_t max_accept_bytes = 100 * 1024 * 1024;   // larger ones are refused in the SMTP dialogue (552)
    int send_interval_seconds = 10;        // how often the sender looks at the outbox
    int max_send_attempts = 20;            // then the message is 'failed' (the coordinator sees it)
};


// What the published documents say about their publisher (CSAF publisher, CVE JSON 5 assigner).
struct PublicationConfig {
    std::string publisher_name = "Kizuna coordination center";  // CSAF document.publisher.name
    std::string contact = "";              // CSAF publisher contact_details, e.g. "vuls@example.jp"
    std::string cna_org_id = "";           // the CNA's UUID (CVE Services); needed by `kizuna export cve`
    std::string cna_short_name = "";       // the CNA's short name, 2-32 characters
};

struct ObserveConfig {
    // MaxMind-format country database for scan sources. Empty: the copy scripts/setup.sh installs from npm
    // (@ip-location-db/geo-whois-asn-country-mmdb, CC BY 4.0); "none": no lookup, every source is ZZ.
    std::string geo_database;
    int compression_level = 1;             // zstd level of event-store blocks, 1..19
    // Where the observation pages and queries read from: "embedded" (the event store) or "clickhouse"
    // (clickhouse_url, HTTP interface; events mirrored there with ClickHouseStore).
    std::string backend = "embedded";
    std::string clickhouse_url = "http://127.0.0.1:8123";
    // Sensor collector (kizuna-sensor over TLS; IPFIX). `kizuna serve` runs it when collector_port >= 0;
    // `kizuna observe collect` runs it standalone (its flags override these).
    std::string collector_listen = "127.0.0.1";
    int collector_port = -1;               // -1: not inside serve; 0: ephemeral; else the port (4750)
    std::string tls_cert;                  // PEM certificate chain and key of the collector (TLS only)
    std::string tls_key;
    int ipfix_udp_port = -1;               // IPFIX over UDP (4739); -1 off
    int ipfix_tcp_port = -1;               // IPFIX over TCP (4739); -1 off
    // Daily IODEF export per partner CSIRT (`kizuna serve`, job observe.iodef_daily at 00:15 UTC): one file
    // <iodef_export_dir>/<YYYY-MM-DD>/<CC>.xml per country of iodef_partners ("JP,KR,TW") for the previous
    // UTC day. Empty directory: no export.
    std::string iodef_export_dir;
    std::string iodef_partners;
};

struct Config {
    std::string data_dir;                  // empty: not set in the file (see ResolveDataDir)
    ServerConfig server;
    LogConfig log;
    AuthConfig auth;
    WebConfig web;
    VulnConfig vuln;
    MailConfig mail;
    PublicationConfig publication;
    ObserveConfig observe;
};

// Reads and validates a TOML file on top of the defaults.
Result<Config> LoadConfigFile(const std::string& path);
// Parses TOML text (for tests and for LoadConfigFile).
Result<Config> ParseConfig(std::string_view toml_text, std::string_view source_name);
// Applies one "dotted.key=value" setting; the value is parsed by the key's type. Cross-field rules are
// checked by ValidateConfig once all settings are in (tls_cert and tls_key come one at a time).
Status ApplyConfigOverride(Config& config, std::string_view setting);
// Checks cross-field rules (ports in range, TLS cert and key together, known language...).
Status ValidateConfig(const Config& config);

// The data-directory rule, the same for every subcommand:
// --data-dir, else $KIZUNA_DATA_DIR, else data_dir from the config file, else "./var".
std::string ResolveDataDir(std::string_view flag_value, const char* env_value, const Config& config);

// The keys a config file may contain, for documentation and error messages.
std::vector<std::string> ConfigKeys();

}  // namespace kizuna::core
