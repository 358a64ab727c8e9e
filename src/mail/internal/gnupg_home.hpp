// A throw-away GNUPGHOME for one GPGME operation, so that the center never reads or writes a real keyring
// and concurrent operations never share state.
#pragma once

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
