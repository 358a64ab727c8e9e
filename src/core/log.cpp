#include "core/log.hpp"

#include <cstdio>

namespace kizuna::core {

Result<LogLevel> ParseLogLevel(std::string_view name) {
    if (name == "debug") return LogLevel::kDebug;
    if (name == "info") return LogLevel::kInfo;
    if (name == "warn" || name == "warning") return LogLevel::kWarn;
    if (name == "error") return LogLevel::kError;
    return InvalidArgument("unknown log level '" + std::string(name) + "' (debug, info, warn, error)");
}

void AppendJsonEscaped(std::string& out, std::string_view s) {
    for (unsigned char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
}

Logger::Logger(const Clock& clock, LogLevel min_level) : clock_(clock), min_level_(min_level), out_(stderr) {}

Logger::Logger(const Clock& clock, LogLevel min_level, const std::string& path)
    : clock_(clock), min_level_(min_level), out_(stderr) {
    if (path.empty()) return;
    if (std::FILE* f = std::fopen(path.c_str(), "a")) {
        out_ = f;
        owns_file_ = true;
    } else {
        Error("cannot open log file, logging to stderr", {{"path", path}});
    }
}

Logger::~Logger() {
    if (owns_file_) std::fclose(out_);
}

void Logger::Log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields) {
    if (!Enabled(level)) return;
    static constexpr std::string_view kNames[] = {"debug", "info", "warn", "error"};
    std::string line;
    line.reserve(128);
    line += "{\"ts\":\"";
    line += FormatRfc3339(clock_.Now());
    line += "\",\"level\":\"";
    line += kNames[static_cast<int>(level)];
    line += "\",\"msg\":\"";
    AppendJsonEscaped(line, msg);
    line += '"';
    for (const LogField& f : fields) {
        line += ",\"";
        AppendJsonEscaped(line, f.key);
        line += "\":";
        if (auto* s = std::get_if<std::string_view>(&f.value)) {
            line += '"';
            AppendJsonEscaped(line, *s);
            line += '"';
        } else if (auto* i = std::get_if<std::int64_t>(&f.value)) {
            line += std::to_string(*i);
        } else if (auto* d = std::get_if<double>(&f.value)) {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%.6g", *d);
            line += buf;
        } else {
            line += std::get<bool>(f.value) ? "true" : "false";
        }
    }
    line += "}\n";
    std::lock_guard lock(mu_);
    std::fwrite(line.data(), 1, line.size(), out_);
    std::fflush(out_);
}

}  // namespace kizuna::core
