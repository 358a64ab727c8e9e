// Structured logging: one JSON object per line, to stderr or to a file.
//   {"ts":"2026-11-22T02:20:47.1Z","level":"info","msg":"listening","port":8080}
// Thread-safe. The composition root creates one Logger and passes it down by reference.
#pragma once

#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <variant>

#include "core/clock.hpp"
#include "core/result.hpp"

namespace kizuna::core {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

Result<LogLevel> ParseLogLevel(std::string_view name);

struct LogField {
    using Value = std::variant<std::string_view, std::int64_t, double, bool>;
    LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
    LogField(std::string_view k, const std::string& v) : key(k), value(std::string_view(v)) {}
    LogField(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
    LogField(std::string_view k, std::int64_t v) : key(k), value(v) {}
    LogField(std::string_view k, int v) : key(k), value(static_cast<std::int64_t>(v)) {}
    LogField(std::string_view k, unsigned v) : key(k), value(static_cast<std::int64_t>(v)) {}
    LogField(std::string_view k, std::uint64_t v) : key(k), value(static_cast<std::int64_t>(v)) {}
    LogField(std::string_view k, double v) : key(k), value(v) {}
    LogField(std::string_view k, bool v) : key(k), value(v) {}
    std::string_view key;
    Value value;
};

class Logger {
  public:
    // Logs to stderr.
    Logger(const Clock& clock, LogLevel min_level);
    // Logs to `path` (appending); falls back to stderr with an error entry when it cannot be opened.
    Logger(const Clock& clock, LogLevel min_level, const std::string& path);
    ~Logger();
    Logger(const Logger&) = delete;
    Logger& operator=(const Logger&) = delete;

    void Log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields = {});
    void Debug(std::string_view msg, std::initializer_list<LogField> f = {}) { Log(LogLevel::kDebug, msg, f); }
    void Info(std::string_view msg, std::initializer_list<LogField> f = {}) { Log(LogLevel::kInfo, msg, f); }
    void Warn(std::string_view msg, std::initializer_list<LogField> f = {}) { Log(LogLevel::kWarn, msg, f); }
    void Error(std::string_view msg, std::initializer_list<LogField> f = {}) { Log(LogLevel::kError, msg, f); }

    bool Enabled(LogLevel level) const { return level >= min_level_; }

  private:
    const Clock& clock_;
    LogLevel min_level_;
    std::FILE* out_;
    bool owns_file_ = false;
    std::mutex mu_;
};

// Appends `s` to `out` as a JSON string literal body (without quotes), escaping per RFC 8259.
void AppendJsonEscaped(std::string& out, std::string_view s);

}  // namespace kizuna::core
