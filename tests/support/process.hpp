// Running the real binaries from tests: one-shot commands with captured output, and a long-running
// `kizuna serve` on a free loopback port that is stopped with SIGTERM.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace kizuna::testing {

struct CommandResult {
    int exit_code = -1;  // 128+N when killed by signal N
    std::string out;
    std::string err;
};

// Runs `argv` with `input` on standard input (a pipe, so not a terminal) and extra environment entries.
CommandResult RunCommand(const std::vector<std::string>& argv, const std::string& input = "",
                         const std::vector<std::string>& env = {});

class ServerProcess {
  public:
    // Starts `binary serve --port 0 --port-file ... <args>` and waits until it listens.
    ServerProcess(const std::string& binary, const std::vector<std::string>& args, const std::string& work_dir);
    ~ServerProcess();
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    bool started() const { return port_ != 0; }
    std::uint16_t port() const { return port_; }
    // Sends SIGTERM and waits; returns the exit code (128+N when killed by signal N, -1 on timeout).
    int Terminate(std::chrono::seconds timeout = std::chrono::seconds(15));
    const std::string& log_path() const { return log_path_; }

  private:
    pid_t pid_ = -1;
    std::uint16_t port_ = 0;
    std::string log_path_;
};

}  // namespace kizuna::testing
