// Helpers for the observe transport functional tests: a child process that can be killed with SIGKILL, a
// self-signed certificate made with `openssl req`, and a registered sensor user with its token.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace kizuna::functional {

// A child process with stdout and stderr to a log file. Killed with SIGKILL if still running at destruction.
class Child {
  public:
    Child(const std::vector<std::string>& argv, const std::string& log_path) : log_path_(log_path) {
        pid_ = fork();
        if (pid_ == 0) {
            const int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
            if (fd >= 0) {
                dup2(fd, 1);
                dup2(fd, 2);
            }
            std::vector<char*> args;
            for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
            args.push_back(nullptr);
            execv(args[0], args.data());
            _exit(127);
        }
    }
    ~Child() {
        if (running()) Kill();
    }
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    bool running() {
        if (exited_) return false;
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) Reap(status);
        return !exited_;
    }
    // SIGKILL and reap.
    void Kill() { Signal(SIGKILL); }
    void Signal(int signal) {
        if (exited_) return;
        ::kill(pid_, signal);
        int status = 0;
        if (waitpid(pid_, &status, 0) == pid_) Reap(status);
    }
    // Waits up to `timeout` for the exit; returns the exit code (128+N for signal N), -1 on timeout.
    int Wait(std::chrono::seconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (running() && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        return exited_ ? exit_code_ : -1;
    }
    std::string Log() const {
        std::ifstream in(log_path_);
        std::stringstream text;
        text << in.rdbuf();
        return text.str();
    }

  private:
    void Reap(int status) {
        exited_ = true;
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    pid_t pid_ = -1;
    bool exited_ = false;
    int exit_code_ = -1;
    std::string log_path_;
};

inline std::string ReadFirstLine(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    return line;
}

// Waits until `path` holds a line (a port file); returns it or "" after `timeout`.
inline std::string WaitForFile(const std::string& path, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        auto line = ReadFirstLine(path);
        if (!line.empty()) return line;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return {};
}

// cert.pem / key.pem for localhost and 127.0.0.1 in `dir`; true on success.
inline bool MakeSelfSignedCertificate(const testing::TempDir& dir) {
    auto r = testing::RunCommand({"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                                  "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", dir.File("key.pem"), "-out",
                                  dir.File("cert.pem"), "-days", "2", "-subj", "/CN=localhost", "-addext",
                                  "subjectAltName=DNS:localhost,IP:127.0.0.1"});
    return r.exit_code == 0;
}

// Adds a `sensor` user and writes its token to token_file; true on success.
inline bool RegisterSensor(const std::string& kizuna, const std::string& data_dir, const std::string& name,
                           const std::string& token_file) {
    auto added = testing::RunCommand({kizuna, "user", "add", name, "--role", "sensor", "--data-dir", data_dir});
    if (added.exit_code != 0) return false;
    auto token = testing::RunCommand({kizuna, "token", "create", "--user", name, "--data-dir", data_dir});
    if (token.exit_code != 0) return false;
    std::ofstream(token_file) << token.out.substr(0, token.out.find('\n')) << "\n";
    return true;
}

}  // namespace kizuna::functional
