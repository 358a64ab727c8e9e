// A throw-away GNUPGHOME for one GPGME operation, so that the center never reads or writes a real keyring
// and concurrent operations never share state.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace kizuna::mail::detail {

// Runs `argv` (argv[0] an absolute path) with output discarded and waits for it. Best effort.
void RunQuietly(const std::vector<std::string>& argv);

// Owns a fresh directory "$TMPDIR/kizuna-gpg-XXXXXX" (mode 0700; /tmp when TMPDIR is unset) holding a
// gpg.conf with `no-autostart`, so gpg started on it never launches gpg-agent or dirmngr. The destructor
// stops any daemon that runs for the directory anyway (`gpgconf --homedir DIR --kill all`, when one may
// have started: the caller said so, or an agent socket is present) and then removes the directory with
// everything in it. Errors during cleanup are ignored: there is nobody left to report them to.
//
// Move-only. Not thread-safe; use one per operation.
class TempGnupgHome {
  public:
    // `gpgconf_path`: absolute path of gpgconf, used only in cleanup.
    static core::Result<TempGnupgHome> Create(std::string gpgconf_path);

    ~TempGnupgHome();
    TempGnupgHome(TempGnupgHome&& other) noexcept;
    TempGnupgHome& operator=(TempGnupgHome&& other) noexcept;
    TempGnupgHome(const TempGnupgHome&) = delete;
    TempGnupgHome& operator=(const TempGnupgHome&) = delete;

    const std::string& path() const { return path_; }

    // Tells cleanup that gpg may have started gpg-agent (for example because it read secret key material),
    // so `gpgconf --kill all` runs even if no socket is visible in the directory.
    void MarkAgentMayRun() { agent_may_run_ = true; }

  private:
    TempGnupgHome(std::string path, std::string gpgconf_path)
        : path_(std::move(path)), gpgconf_path_(std::move(gpgconf_path)) {}
    void Cleanup() noexcept;

    std::string path_;  // empty once moved from
    std::string gpgconf_path_;
    bool agent_may_run_ = false;
};

}  // namespace kizuna::mail::detail

namespace kizuna::mail::detail {

// A GnuPG home whose path gpg-agent can use. Without /run/user/<uid>, gpg-agent puts its sockets in the
// home itself ("<home>/S.gpg-agent.browser" is the longest), and a Unix socket path longer than 107 bytes
// fails with "No agent running". For such a home this returns a short private alias that resolves to it:
// "/tmp/kizuna-gnupg-<uid>/<16 hex digits of a hash of the home>", a symlink inside a directory that must
// be ours with mode 0700 (refused otherwise: someone else could redirect it). gpg then names its sockets
// under the alias. A short enough home is returned unchanged. The alias is kept (several processes may use
// the home at once); it is recreated when it points elsewhere. REQUIRES: `home` is absolute.
core::Result<std::string> UsableGnupgHome(const std::string& home);

// The longest path gpg-agent may bind under `home` ("<home>/S.gpg-agent.browser"), in bytes.
std::size_t LongestSocketPath(const std::string& home);

}  // namespace kizuna::mail::detail
