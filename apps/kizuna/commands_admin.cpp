// migrate, user add, token create, audit verify.
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>

#include "auth/audit_files.hpp"
#include "commands.hpp"

namespace kizuna::app {
namespace {

std::string ReadLineNoEcho(const char* prompt) {
    std::fputs(prompt, stderr);
    termios old{};
    tcgetattr(STDIN_FILENO, &old);
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    std::string line;
    std::getline(std::cin, line);
    tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::fputs("\n", stderr);
    return line;
}

}  // namespace

int RunMigrate(const GlobalOptions& global) {
    int code = kExitOk;
    auto center = OpenCenter(global, &code);
    if (!center) return code;
    std::printf("database %s: %d migration(s) applied, schema version %d\n", center->DatabasePath().c_str(),
                center->migrations.applied, center->migrations.current_version);
    return kExitOk;
}

int RunUserAdd(const GlobalOptions& global, const UserAddOptions& options) {
    auto role = auth::ParseRole(options.role);
    if (!role.ok()) {
        PrintError(role.error().ToString());
        return kExitUsage;
    }
    std::string password;
    if (*role != auth::Role::kSensor) {
        if (isatty(STDIN_FILENO)) {
            password = ReadLineNoEcho("Password: ");
            if (ReadLineNoEcho("Repeat password: ") != password) {
                PrintError("passwords do not match");
                return kExitUsage;
            }
        } else {
            std::getline(std::cin, password);  // first line of standard input, without its newline
            if (!password.empty() && password.back() == '\r') password.pop_back();
        }
    }
    int code = kExitOk;
    auto center = OpenCenter(global, &code);
    if (!center) return code;
    auto user = center->users->Create({options.name, *role, password, options.display_name, options.email,
                                       options.organization},
                                      "cli");
    if (!user.ok()) {
        PrintError("user add: " + user.error().ToString());
        return user.error().code() == core::ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
    }
    std::printf("added user %s (%s)\n", user->name.c_str(), std::string(auth::RoleName(user->role)).c_str());
    return kExitOk;
}

int RunTokenCreate(const GlobalOptions& global, const std::string& user, const std::string& label,
                   int expires_in_days) {
    int code = kExitOk;
    auto center = OpenCenter(global, &code);
    if (!center) return code;
    std::optional<std::chrono::days> ttl;
    if (expires_in_days > 0) ttl = std::chrono::days(expires_in_days);
    auto token = center->tokens->Create(user, label, "cli", ttl);
    if (!token.ok()) {
        PrintError("token create: " + token.error().ToString());
        return token.error().code() == core::ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
    }
    // Only the token on stdout, so scripts can capture it: TOKEN=$(kizuna token create --user x)
    std::printf("%s\n", token->secret.c_str());
    std::fprintf(stderr, "token %lld for %s created, expires %s; it is shown only now\n",
                 static_cast<long long>(token->id), user.c_str(), core::FormatRfc3339(token->expires).c_str());
    return kExitOk;
}

int RunAuditVerify(const GlobalOptions& global) {
    // Not OpenCenter: that would create a missing key file instead of reporting it, and must not write.
    std::string data_dir;
    auto config = LoadConfiguration(global, &data_dir);
    if (!config.ok()) {
        PrintError(config.error().ToString());
        return kExitUsage;
    }
    auto db = store::OpenSqlite({.path = data_dir + "/kizuna.db"});
    if (!db.ok()) {
        PrintError("audit verify: " + db.error().ToString());
        return kExitFailure;
    }
    const auto migrations = AllMigrations();
    if (auto migrated = store::Migrate(**db, migrations); !migrated.ok()) {
        PrintError("audit verify: " + migrated.error().ToString());
        return kExitFailure;
    }
    auto keying = auth::LoadAuditKeying(data_dir);
    auto lease = (*db)->Acquire();
    if (!keying.ok() || !lease.ok()) {
        PrintError("audit verify: " + (!keying.ok() ? keying.error() : lease.error()).ToString());
        return kExitFailure;
    }
    auto report = auth::AuditLog::Verify(**lease, *keying);
    if (!report.ok()) {
        PrintError("audit verify: " + report.error().ToString());
        return kExitFailure;
    }
    if (!report->intact) {
        std::printf("audit log TAMPERED: %s", report->problem.c_str());
        if (report->first_bad_seq) std::printf(" (first bad entry: %lld)", static_cast<long long>(*report->first_bad_seq));
        std::printf("\n");
        for (std::size_t i = 1; i < report->problems.size(); ++i) std::printf("  also: %s\n", report->problems[i].c_str());
        return kExitFailure;
    }
    std::printf("audit log intact: %lld entries verified (keyed), %lld checkpoint(s) matched\n",
                static_cast<long long>(report->entries), static_cast<long long>(report->checkpoints));
    return kExitOk;
}

int RunAuditCheckpoint(const GlobalOptions& global) {
    int code = kExitOk;
    auto center = OpenCenter(global, &code);
    if (!center) return code;
    auto cp = center->audit->WriteCheckpoint(*center->db);
    if (!cp.ok()) {
        PrintError("audit checkpoint: " + cp.error().ToString());
        return kExitFailure;
    }
    if (*cp)
        std::printf("checkpoint: %lld entries, last entry %lld, head %s\n", static_cast<long long>((*cp)->entries),
                    static_cast<long long>((*cp)->last_seq), (*cp)->head.c_str());
    else
        std::printf("checkpoint: unchanged since the last one\n");
    return kExitOk;
}

}  // namespace kizuna::app
