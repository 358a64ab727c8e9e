#include "core/config.hpp"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>

#include <toml++/toml.h>

#include "core/log.hpp"

namespace kizuna::core {
namespace {

enum class Kind { kString, kInt };

struct KeySpec {
    std::string_view key;
    Kind kind;
    std::function<std::string*(Config&)> str;
    std::function<std::int64_t*(Config&)> i64;
    std::function<int*(Config&)> i32;
};

const std::vector<KeySpec>& Specs() {
    static const std::vector<KeySpec> specs = [] {
        std::vector<KeySpec> v;
        auto s = [&](std::string_view k, std::string* (*f)(Config&)) { v.push_back({k, Kind::kString, f, {}, {}}); };
        auto i = [&](std::string_view k, int* (*f)(Config&)) { v.push_back({k, Kind::kInt, {}, {}, f}); };
        auto l = [&](std::string_view k, std::int64_t* (*f)(Config&)) { v.push_back({k, Kind::kInt, {}, f, {}}); };
        s("data_dir", [](Config& c) { return &c.data_dir; });
        s("server.listen", [](Config& c) { return &c.server.listen; });
        i("server.port", [](Config& c) { return &c.server.port; });
        i("server.threads", [](Config& c) { return &c.server.threads; });
        s("server.tls_cert", [](Config& c) { return &c.server.tls_cert; });
        s("server.tls_key", [](Config& c) { return &c.server.tls_key; });
        l("server.max_header_bytes", [](Config& c) { return &c.server.max_header_bytes; });
        l("server.max_body_bytes", [](Config& c) { return &c.server.max_body_bytes; });
        i("server.idle_timeout_seconds", [](Config& c) { return &c.server.idle_timeout_seconds; });
        i("server.shutdown_grace_seconds", [](Config& c) { return &c.server.shutdown_grace_seconds; });
        s("server.public_url", [](Config& c) { return &c.server.public_url; });
        s("log.level", [](Config& c) { return &c.log.level; });
        s("log.file", [](Config& c) { return &c.log.file; });
        i("auth.session_ttl_minutes", [](Config& c) { return &c.auth.session_ttl_minutes; });
        i("auth.login_max_failures", [](Config& c) { return &c.auth.login_max_failures; });
        i("auth.login_window_minutes", [](Config& c) { return &c.auth.login_window_minutes; });
        i("auth.login_lockout_minutes", [](Config& c) { return &c.auth.login_lockout_minutes; });
        i("auth.token_ttl_days", [](Config& c) { return &c.auth.token_ttl_days; });
        i("auth.token_max_ttl_days", [](Config& c) { return &c.auth.token_max_ttl_days; });
        i("auth.audit_checkpoint_minutes", [](Config& c) { return &c.auth.audit_checkpoint_minutes; });
        s("auth.audit_checkpoint_mail", [](Config& c) { return &c.auth.audit_checkpoint_mail; });
        s("web.default_lang", [](Config& c) { return &c.web.default_lang; });
        s("web.time_zone", [](Config& c) { return &c.web.time_zone; });
        s("vuln.identifier_scheme", [](Config& c) { return &c.vuln.identifier_scheme; });
        s("vuln.terms_version", [](Config& c) { return &c.vuln.terms_version; });
        i("vuln.report_max_per_window", [](Config& c) { return &c.vuln.report_max_per_window; });
        i("vuln.report_window_minutes", [](Config& c) { return &c.vuln.report_window_minutes; });
        i("vuln.publication_hour", [](Config& c) { return &c.vuln.publication_hour; });
        i("vuln.response_days.received", [](Config& c) { return &c.vuln.response_days_received; });
        i("vuln.response_days.verified", [](Config& c) { return &c.vuln.response_days_verified; });
        i("vuln.response_days.coordinating", [](Config& c) { return &c.vuln.response_days_coordinating; });
        s("mail.listen", [](Config& c) { return &c.mail.listen; });
        i("mail.lmtp_port", [](Config& c) { return &c.mail.lmtp_port; });
        i("mail.smtp_port", [](Config& c) { return &c.mail.smtp_port; });
        s("mail.relay_host", [](Config& c) { return &c.mail.relay_host; });
        i("mail.relay_port", [](Config& c) { return &c.mail.relay_port; });
        i("mail.relay_starttls", [](Config& c) { return &c.mail.relay_starttls; });
        s("mail.from_address", [](Config& c) { return &c.mail.from_address; });
        s("mail.from_name", [](Config& c) { return &c.mail.from_name; });
        l("mail.max_message_bytes", [](Config& c) { return &c.mail.max_message_bytes; });
        l("mail.max_accept_bytes", [](Config& c) { return &c.mail.max_accept_bytes; });
        i("mail.send_interval_seconds", [](Config& c) { return &c.mail.send_interval_seconds; });
        i("mail.max_send_attempts", [](Config& c) { return &c.mail.max_send_attempts; });
        s("publication.publisher_name", [](Config& c) { return &c.publication.publisher_name; });
        s("publication.contact", [](Config& c) { return &c.publication.contact; });
        s("publication.cna_org_id", [](Config& c) { return &c.publication.cna_org_id; });
        s("publication.cna_short_name", [](Config& c) { return &c.publication.cna_short_name; });
        s("observe.geo_database", [](Config& c) { return &c.observe.geo_database; });
        i("observe.compression_level", [](Config& c) { return &c.observe.compression_level; });
        s("observe.backend", [](Config& c) { return &c.observe.backend; });
        s("observe.clickhouse_url", [](Config& c) { return &c.observe.clickhouse_url; });
        s("observe.collector_listen", [](Config& c) { return &c.observe.collector_listen; });
        i("observe.collector_port", [](Config& c) { return &c.observe.collector_port; });
        s("observe.tls_cert", [](Config& c) { return &c.observe.tls_cert; });
        s("observe.tls_key", [](Config& c) { return &c.observe.tls_key; });
        i("observe.ipfix_udp_port", [](Config& c) { return &c.observe.ipfix_udp_port; });
        i("observe.ipfix_tcp_port", [](Config& c) { return &c.observe.ipfix_tcp_port; });
        s("observe.iodef_export_dir", [](Config& c) { return &c.observe.iodef_export_dir; });
        s("observe.iodef_partners", [](Config& c) { return &c.observe.iodef_partners; });
        return v;
    }();
    return specs;
}

const KeySpec* FindSpec(std::string_view key) {
    for (const auto& spec : Specs())
        if (spec.key == key) return &spec;
    return nullptr;
}

Status SetInt(Config& c, const KeySpec& spec, std::int64_t value) {
    if (spec.i64) {
        *spec.i64(c) = value;
    } else {
        if (value < INT32_MIN || value > INT32_MAX)
            return InvalidArgument("value out of range", std::string(spec.key));
        *spec.i32(c) = static_cast<int>(value);
    }
    return Ok();
}

Status ApplyNode(Config& c, std::string_view key, const toml::node& node, std::string_view source) {
    const KeySpec* spec = FindSpec(key);
    std::string where = std::string(source) + ":" + std::to_string(node.source().begin.line);
    if (!spec) return InvalidArgument(where + ": unknown key", std::string(key));
    if (spec->kind == Kind::kString) {
        auto v = node.value<std::string>();
        if (!v) return InvalidArgument(where + ": expected a string", std::string(key));
        *spec->str(c) = *v;
        return Ok();
    }
    auto v = node.value<std::int64_t>();
    if (!v || !node.is_integer()) return InvalidArgument(where + ": expected an integer", std::string(key));
    return SetInt(c, *spec, *v);
}

Status Walk(Config& c, const toml::table& table, const std::string& prefix, std::string_view source) {
    for (auto&& [k, node] : table) {
        std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
        if (const toml::table* sub = node.as_table()) {
            KZ_TRY(Walk(c, *sub, key, source));
        } else {
            KZ_TRY(ApplyNode(c, key, node, source));
        }
    }
    return Ok();
}

}  // namespace

// toml++ (as packaged) reports parse errors by exception; they are caught here, at the seam.
Result<Config> ParseConfig(std::string_view toml_text, std::string_view source_name) {
    toml::table table;
    try {
        table = toml::parse(toml_text, source_name);
    } catch (const toml::parse_error& err) {
        std::ostringstream msg;
        msg << source_name << ":" << err.source().begin.line << ": " << err.description();
        return InvalidArgument(msg.str());
    }
    Config config;
    KZ_TRY(Walk(config, table, "", source_name));
    KZ_TRY(ValidateConfig(config));
    return config;
}

Result<Config> LoadConfigFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return InvalidArgument(path + ": cannot read: " + std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    return ParseConfig(text.str(), path);
}

Status ApplyConfigOverride(Config& config, std::string_view setting) {
    auto eq = setting.find('=');
    if (eq == std::string_view::npos || eq == 0)
        return InvalidArgument("expected KEY=VALUE, got '" + std::string(setting) + "'", "--set");
    std::string_view key = setting.substr(0, eq);
    std::string_view value = setting.substr(eq + 1);
    const KeySpec* spec = FindSpec(key);
    if (!spec) return InvalidArgument("unknown key", std::string(key));
    if (spec->kind == Kind::kString) {
        *spec->str(config) = std::string(value);
    } else {
        std::int64_t v = 0;
        auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
        if (ec != std::errc() || ptr != value.data() + value.size())
            return InvalidArgument("expected an integer, got '" + std::string(value) + "'", std::string(key));
        KZ_TRY(SetInt(config, *spec, v));
    }
    return Ok();
}

Status ValidateConfig(const Config& c) {
    if (c.server.port < 0 || c.server.port > 65535) return InvalidArgument("must be 0..65535", "server.port");
    if (c.server.threads < 0 || c.server.threads > 256) return InvalidArgument("must be 0..256", "server.threads");
    if (c.server.tls_cert.empty() != c.server.tls_key.empty())
        return InvalidArgument("tls_cert and tls_key must be set together", "server.tls_key");
    if (c.server.max_header_bytes < 1024) return InvalidArgument("must be at least 1024", "server.max_header_bytes");
    if (c.server.max_body_bytes < 1024) return InvalidArgument("must be at least 1024", "server.max_body_bytes");
    if (c.server.idle_timeout_seconds < 1) return InvalidArgument("must be at least 1", "server.idle_timeout_seconds");
    if (c.server.shutdown_grace_seconds < 0)
        return InvalidArgument("must not be negative", "server.shutdown_grace_seconds");
    if (!ParseLogLevel(c.log.level).ok()) return InvalidArgument("must be debug, info, warn or error", "log.level");
    if (c.auth.session_ttl_minutes < 1) return InvalidArgument("must be at least 1", "auth.session_ttl_minutes");
    if (c.auth.login_max_failures < 1) return InvalidArgument("must be at least 1", "auth.login_max_failures");
    if (c.auth.login_window_minutes < 1) return InvalidArgument("must be at least 1", "auth.login_window_minutes");
    if (c.auth.login_lockout_minutes < 1) return InvalidArgument("must be at least 1", "auth.login_lockout_minutes");
    if (c.auth.token_max_ttl_days < 1) return InvalidArgument("must be at least 1", "auth.token_max_ttl_days");
    if (c.auth.token_ttl_days < 1 || c.auth.token_ttl_days > c.auth.token_max_ttl_days)
        return InvalidArgument("must be 1..auth.token_max_ttl_days", "auth.token_ttl_days");
    if (c.auth.audit_checkpoint_minutes < 1) return InvalidArgument("must be at least 1", "auth.audit_checkpoint_minutes");
    if (!c.auth.audit_checkpoint_mail.empty() && c.auth.audit_checkpoint_mail.find('@') == std::string::npos)
        return InvalidArgument("must be an e-mail address", "auth.audit_checkpoint_mail");
    if (c.vuln.identifier_scheme.find("{rand:") == std::string::npos &&
        c.vuln.identifier_scheme.find("{seq:") == std::string::npos)
        return InvalidArgument("must contain {rand:N} or {seq:N}", "vuln.identifier_scheme");
    if (c.vuln.report_max_per_window < 1) return InvalidArgument("must be at least 1", "vuln.report_max_per_window");
    if (c.vuln.report_window_minutes < 1) return InvalidArgument("must be at least 1", "vuln.report_window_minutes");
    if (c.vuln.publication_hour < 0 || c.vuln.publication_hour > 23)
        return InvalidArgument("must be 0..23", "vuln.publication_hour");
    for (auto [days, key] : {std::pair{c.vuln.response_days_received, "vuln.response_days.received"},
                             {c.vuln.response_days_verified, "vuln.response_days.verified"},
                             {c.vuln.response_days_coordinating, "vuln.response_days.coordinating"}})
        if (days < 0 || days > 365) return InvalidArgument("must be 0..365", key);
    if (c.mail.lmtp_port < -1 || c.mail.lmtp_port > 65535) return InvalidArgument("must be -1..65535", "mail.lmtp_port");
    if (c.mail.smtp_port < -1 || c.mail.smtp_port > 65535) return InvalidArgument("must be -1..65535", "mail.smtp_port");
    if (c.mail.relay_port < 1 || c.mail.relay_port > 65535) return InvalidArgument("must be 1..65535", "mail.relay_port");
    if (c.mail.from_address.find('@') == std::string::npos)
        return InvalidArgument("must be an e-mail address", "mail.from_address");
    if (c.mail.max_message_bytes < 1024) return InvalidArgument("must be at least 1024", "mail.max_message_bytes");
    if (c.mail.max_accept_bytes < c.mail.max_message_bytes)
        return InvalidArgument("must be at least mail.max_message_bytes", "mail.max_accept_bytes");
    if (c.mail.send_interval_seconds < 1) return InvalidArgument("must be at least 1", "mail.send_interval_seconds");
    if (c.mail.max_send_attempts < 1) return InvalidArgument("must be at least 1", "mail.max_send_attempts");
    if (c.web.default_lang != "ja" && c.web.default_lang != "en")
        return InvalidArgument("must be ja or en", "web.default_lang");
    if (c.observe.compression_level < 1 || c.observe.compression_level > 19)
        return InvalidArgument("must be 1..19", "observe.compression_level");
    if (c.observe.backend != "embedded" && c.observe.backend != "clickhouse")
        return InvalidArgument("must be embedded or clickhouse", "observe.backend");
    if (!c.observe.clickhouse_url.starts_with("http://") && !c.observe.clickhouse_url.starts_with("https://"))
        return InvalidArgument("must be an http:// or https:// URL", "observe.clickhouse_url");
    for (auto [port, key] : {std::pair{c.observe.collector_port, "observe.collector_port"},
                             std::pair{c.observe.ipfix_udp_port, "observe.ipfix_udp_port"},
                             std::pair{c.observe.ipfix_tcp_port, "observe.ipfix_tcp_port"}})
        if (port < -1 || port > 65535) return InvalidArgument("must be -1 (off) or 0..65535", key);
    if (c.observe.collector_port >= 0 && (c.observe.tls_cert.empty() || c.observe.tls_key.empty()))
        return InvalidArgument("the collector needs observe.tls_cert and observe.tls_key", "observe.collector_port");
    return Ok();
}

std::string ResolveDataDir(std::string_view flag_value, const char* env_value, const Config& config) {
    if (!flag_value.empty()) return std::string(flag_value);
    if (env_value != nullptr && *env_value != '\0') return env_value;
    if (!config.data_dir.empty()) return config.data_dir;
    return "./var";
}

std::vector<std::string> ConfigKeys() {
    std::vector<std::string> keys;
    for (const auto& spec : Specs()) keys.emplace_back(spec.key);
    return keys;
}

}  // namespace kizuna::core
