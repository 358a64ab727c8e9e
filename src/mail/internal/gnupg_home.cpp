#include "mail/internal/gnupg_home.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <utility>
#include <vector>

extern char** environ;

namespace kizuna::mail::detail {
namespace {

// gpg reads this before doing anything: never start gpg-agent or dirmngr for this home. Importing and
// listing public keys needs neither, and a secret key then fails to import instead of reaching an agent.
constexpr char kGpgConf[] =
    "# Written by Kizuna for a throw-away GNUPGHOME.\n"
    "no-autostart\n";

core::Error FromErrno(int error_number, std::string_view context) {
    return core::Internal(std::string(context) + ": " + std::strerror(error_number));
}

std::string TempBase() {
    const char* tmpdir = std::getenv("TMPDIR");
    return (tmpdir != nullptr && tmpdir[0] != '\0') ? tmpdir : "/tmp";
}

}  // namespace

void RunQuietly(const std::vector<std::string>& argv) {
    std::vector<char*> args;
    for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    if (posix_spawn_file_actions_init(&actions) != 0) return;
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) return;
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
}

core::Result<TempGnupgHome> TempGnupgHome::Create(std::string gpgconf_path) {
    std::string pattern = TempBase() + "/kizuna-gpg-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) return FromErrno(errno, "create temporary GnuPG home in " + TempBase());
    TempGnupgHome home(std::move(pattern), std::move(gpgconf_path));  // from here on, cleanup is automatic
    std::ofstream conf(home.path_ + "/gpg.conf", std::ios::binary | std::ios::trunc);
    conf << kGpgConf;
    conf.close();
    if (!conf) return core::Internal("write gpg.conf in temporary GnuPG home " + home.path_);
    return home;
}

TempGnupgHome::~TempGnupgHome() { Cleanup(); }

TempGnupgHome::TempGnupgHome(TempGnupgHome&& other) noexcept
    : path_(std::exchange(other.path_, {})),
      gpgconf_path_(std::move(other.gpgconf_path_)),
      agent_may_run_(other.agent_may_run_) {}

TempGnupgHome& TempGnupgHome::operator=(TempGnupgHome&& other) noexcept {
    if (this != &other) {
        Cleanup();
        path_ = std::exchange(other.path_, {});
        gpgconf_path_ = std::move(other.gpgconf_path_);
        agent_may_run_ = other.agent_may_run_;
    }
    return *this;
}

void TempGnupgHome::Cleanup() noexcept {
    if (path_.empty()) return;
    std::error_code ec;
    // With no /run/user/<uid>, GnuPG puts the agent's sockets in the home directory itself; with it, the
    // caller's mark is what tells us an agent may be running.
    const bool socket_present = std::filesystem::exists(path_ + "/S.gpg-agent", ec);
    if ((agent_may_run_ || socket_present) && !gpgconf_path_.empty()) {
        try {
            RunQuietly({gpgconf_path_, "--homedir", path_, "--kill", "all"});
            // Removes /run/user/<uid>/gnupg/d.<hash> if gpg-agent created one for this home.
            RunQuietly({gpgconf_path_, "--homedir", path_, "--remove-socketdir"});
        } catch (...) {
            // Allocation failure while building argv: nothing more we can do in a destructor.
        }
    }
    std::filesystem::remove_all(path_, ec);
    path_.clear();
}

}  // namespace kizuna::mail::detail

namespace kizuna::mail::detail {
namespace {

constexpr std::string_view kLongestSocketName = "/S.gpg-agent.browser";
// sun_path holds 108 bytes with the terminating NUL.
constexpr std::size_t kMaxSocketPath = sizeof(sockaddr_un{}.sun_path) - 1;

// FNV-1a, 64 bits: a stable short name per home (not a security boundary; the directory's mode is).
std::string HashName(std::string_view text) {
    std::uint64_t hash = 14695981039346656037ULL;
    for (unsigned char c : text) {
        hash ^= c;
        hash *= 1099511628211ULL;
    }
    char hex[17];
    std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(hash));
    return hex;
}

}  // namespace

std::size_t LongestSocketPath(const std::string& home) { return home.size() + kLongestSocketName.size(); }

core::Result<std::string> UsableGnupgHome(const std::string& home) {
    if (LongestSocketPath(home) <= kMaxSocketPath) return home;
    const std::string base = "/tmp/kizuna-gnupg-" + std::to_string(::getuid());
    if (::mkdir(base.c_str(), 0700) != 0 && errno != EEXIST) return FromErrno(errno, "create " + base);
    struct stat st {};
    if (::lstat(base.c_str(), &st) != 0) return FromErrno(errno, "inspect " + base);
    if (!S_ISDIR(st.st_mode) || st.st_uid != ::getuid() || (st.st_mode & 077) != 0)
        return core::FailedPrecondition(base + " must be a directory owned by this user with mode 0700: it holds "
                                        "the short alias of the GnuPG home " + home);
    const std::string alias = base + "/" + HashName(home);
    std::string target(4096, '\0');
    const ssize_t length = ::readlink(alias.c_str(), target.data(), target.size());
    if (length > 0 && static_cast<std::size_t>(length) < target.size() &&
        std::string_view(target.data(), static_cast<std::size_t>(length)) == home)
        return alias;
    // Missing or pointing elsewhere: replace atomically, so a concurrent user never sees no alias.
    const std::string temporary = alias + ".new." + std::to_string(::getpid());
    ::unlink(temporary.c_str());
    if (::symlink(home.c_str(), temporary.c_str()) != 0) return FromErrno(errno, "create " + temporary);
    if (::rename(temporary.c_str(), alias.c_str()) != 0) {
        const int error_number = errno;
        ::unlink(temporary.c_str());
        return FromErrno(error_number, "rename " + temporary + " to " + alias);
    }
    return alias;
}

}  // namespace kizuna::mail::detail
