// migrate, user add, token create, audit verify.
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

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

int RunTokenCreate(const GlobalOptions& global, const std::string& user, const std::string& label) {
    int code = kExitOk;
    auto center = OpenCenter(global, &code);
    if (!center) return code;
    auto token = center->tokens->Create(user, label, "cli");
    if (!token.ok()) {
        PrintError("token create: " + token.error().ToString());
        return kExitFailure;
    }
    // Only the token on stdout, so scripts can capture it: TOKEN=$(kizuna token create --user x)
    std::printf("%s\n", token->secret.c_str());
    std::fprintf(stderr, "token %lld for %s created; it is shown only now\n", static_cast<long long>(token->id),
                 user.c_str());
    return kExitOk;
}

int RunAuditVerify(const GlobalOptions& global) {
    int code = kExitOk;
    auto center = OpenCenter(global, &code);
    if (!center) return code;
    auto lease = center->db->Acquire();
    if (!lease.ok()) {
        PrintError(lease.error().ToString());
        return kExitFailure;
    }
    auto report = auth::AuditLog::Verify(**lease);
    if (!report.ok()) {
        PrintError("audit verify: " + report.error().ToString());
        return kExitFailure;
    }
    if (!report->intact) {
        std::printf("audit log TAMPERED: %s (first bad entry: %lld)\n", report->problem.c_str(),
                    static_cast<long long>(*report->first_bad_seq));
        return kExitFailure;
    }
    std::printf("audit log intact: %lld entries verified\n", static_cast<long long>(report->entries));
    return kExitOk;
}

}  // namespace kizuna::app
