// token list, token revoke; user disable, user enable, user passwd.
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "commands.hpp"

namespace kizuna::app {
namespace {

std::string ReadPassword() {
    std::string password;
    if (isatty(STDIN_FILENO)) {
        std::fputs("New password: ", stderr);
        termios old{};
        tcgetattr(STDIN_FILENO, &old);
        termios quiet = old;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
        std::getline(std::cin, password);
        tcsetattr(STDIN_FILENO, TCSANOW, &old);
        std::fputs("\n", stderr);
    } else {
        std::getline(std::cin, password);
        if (!password.empty() && password.back() == '\r') password.pop_back();
    }
    return password;
}

int Failed(const std::string& what, const core::Error& error) {
    PrintError(what + ": " + error.ToString());
    if (error.code() == core::ErrorCode::kInvalidArgument) return kExitUsage;
    return kExitFailure;
}

}  // namespace

int RunTokenList(const GlobalOptions& global, const std::string& user) {
    int code = kExitOk;
    auto center = OpenCenter(global, &code);
    if (!center) return code;
    std::optional<auth::UserId> owner;
    if (!user.empty()) {
        auto found = center->users->FindByName(user);
        if (!found.ok()) return Failed("token list", found.error());
        if (!*found) return Failed("token list", core::NotFound("no user named '" + user + "'"));
        owner = (*found)->id;
    }
    auto tokens = center->tokens->List(owner);
    if (!tokens.ok()) return Failed("token list", tokens.error());
    std::printf("%-6s %-16s %-9s %-28s %-28s %s\n", "id", "user", "state", "created", "expires", "label");
    for (const auto& t : *tokens) {
        const char* state = t.revoked ? "revoked" : t.expired ? "expired" : "active";
        const std::string expires = t.expires ? core::FormatRfc3339(*t.expires) : "never";
        std::printf("%-6lld %-16s %-9s %-28s %-28s %s\n", static_cast<long long>(t.id), t.user_name.c_str(), state,
                    t.created_at.c_str(), expires.c_str(), t.label.c_str());
    }
    return kExitOk;
}

int RunTokenRevoke(const GlobalOptions& global, std::int64_t token_id) {
    int code = kExitOk;
    auto center = OpenCenter(global, &code);
    if (!center) return code;
    if (auto st = center->tokens->Revoke(token_id, "cli"); !st.ok()) return Failed("token revoke", st.error());
    std::printf("token %lld revoked\n", static_cast<long long>(token_id));
    return kExitOk;
}

int RunUserSetDisabled(const GlobalOptions& global, const std::string& name, bool disabled) {
    int code = kExitOk;
    auto center = OpenCenter(global, &code);
    if (!center) return code;
    if (auto st = center->users->SetDisabled(name, disabled, "cli"); !st.ok())
        return Failed(disabled ? "user disable" : "user enable", st.error());
    std::printf(disabled ? "user %s disabled; its sessions were ended and its tokens revoked\n" : "user %s enabled\n",
                name.c_str());
    return kExitOk;
}

int RunUserPasswd(const GlobalOptions& global, const std::string& name) {
    const std::string password = ReadPassword();
    int code = kExitOk;
    auto center = OpenCenter(global, &code);
    if (!center) return code;
    if (auto st = center->users->ChangePassword(name, password, "cli"); !st.ok()) return Failed("user passwd", st.error());
    std::printf("password of %s changed; its sessions were ended and its tokens revoked\n", name.c_str());
    return kExitOk;
}

}  // namespace kizuna::app
