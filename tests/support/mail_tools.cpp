#include "support/mail_tools.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "support/process.hpp"

extern char** environ;

namespace kizuna::testing {

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const std::string& log_path) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    if (posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
}

ChildProcess::~ChildProcess() {
    if (pid_ > 0) Stop(SIGKILL);
}

int ChildProcess::Stop(int signal) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, signal);
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

std::string ReadWholeFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

void WriteWholeFile(const std::string& path, const std::string& content) {
    std::ofstream(path, std::ios::binary) << content;
}

int WaitForPortFile(const std::string& path, std::chrono::seconds timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
        const std::string text = ReadWholeFile(path);
        if (!text.empty() && text.back() == '\n') return std::atoi(text.c_str());
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return 0;
}

SmtpSink::SmtpSink(const std::string& script, const std::string& dir)
    : dir_(dir),
      process_({"/usr/bin/python3", script, "--dir", dir,
                "--port-file", dir + ".port"},
               dir + ".log") {
    port_ = WaitForPortFile(dir + ".port");
}

std::vector<std::string> SmtpSink::Messages() const {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir_, ec))
        if (e.path().extension() == ".eml") names.push_back(e.path().string());
    std::sort(names.begin(), names.end());
    std::vector<std::string> out;
    for (const auto& n : names) out.push_back(ReadWholeFile(n));
    return out;
}

void SmtpSink::Hold(bool on) {
    if (on) {
        WriteWholeFile(dir_ + "/hold", "");
    } else {
        std::filesystem::remove(dir_ + "/hold");
    }
}

bool SmtpSink::Holding() const { return std::filesystem::exists(dir_ + "/holding"); }

GpgUser::GpgUser(const std::string& home, const std::string& user_id) : home_(home) {
    std::filesystem::create_directories(home_);
    ::chmod(home_.c_str(), 0700);
    Gpg({"--passphrase", "", "--quick-gen-key", user_id, "future-default", "default", "never"}, "");
    const std::string listing = Gpg({"--with-colons", "--list-secret-keys", user_id}, "");
    const auto fpr = listing.find("\nfpr:");
    if (fpr != std::string::npos) {
        const auto start = listing.find_first_not_of(':', fpr + 5);
        fingerprint_ = listing.substr(start, listing.find(':', start) - start);
    }
}

GpgUser::~GpgUser() { RunCommand({"/usr/bin/gpgconf", "--homedir", home_, "--kill", "all"}); }

std::string GpgUser::Gpg(const std::vector<std::string>& args, const std::string& input, int* exit_code,
                         std::string* status) const {
    std::vector<std::string> argv = {"/usr/bin/gpg", "--homedir", home_, "--batch", "--yes", "--pinentry-mode",
                                     "loopback", "--trust-model", "always"};
    if (status) argv.insert(argv.end(), {"--status-file", home_ + "/status.txt"});
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = RunCommand(argv, input);
    if (exit_code) *exit_code = r.exit_code;
    if (status) *status = ReadWholeFile(home_ + "/status.txt");
    return r.out;
}

std::string GpgUser::ExportPublic() const { return Gpg({"--armor", "--export", fingerprint_}, ""); }

void GpgUser::Import(const std::string& armored) const { Gpg({"--import"}, armored); }

std::string GpgUser::SignEncrypt(const std::string& plaintext, const std::string& recipient, bool sign) const {
    std::vector<std::string> args = {"--armor", "--encrypt", "--recipient", recipient};
    if (sign) args.insert(args.end(), {"--sign", "--local-user", fingerprint_});
    return Gpg(args, plaintext);
}

std::string GpgUser::AddSigningSubkey() const {
    Gpg({"--passphrase", "", "--quick-add-key", fingerprint_, "ed25519", "sign", "never"}, "");
    const std::string listing = Gpg({"--with-colons", "--list-keys", fingerprint_}, "");
    // The last "sub" record with capability s is the new subkey; its fpr record follows it.
    std::string subkey;
    std::size_t pos = 0;
    while ((pos = listing.find("\nsub:", pos)) != std::string::npos) {
        const auto line_end = listing.find('\n', pos + 1);
        const std::string line = listing.substr(pos + 1, line_end - pos - 1);
        const auto fpr = listing.find("\nfpr:", pos + 1);
        // Field 12 holds the capabilities.
        std::size_t field = 0, start = 0;
        std::string caps;
        for (std::size_t i = 0; i <= line.size(); ++i)
            if (i == line.size() || line[i] == ':') {
                if (field == 11) caps = line.substr(start, i - start);
                ++field;
                start = i + 1;
            }
        if (caps.find('s') != std::string::npos && fpr != std::string::npos) {
            const auto begin = listing.find_first_not_of(':', fpr + 5);
            subkey = listing.substr(begin, listing.find(':', begin) - begin);
        }
        pos = line_end;
    }
    return subkey;
}

std::string GpgUser::ClearSign(const std::string& bytes) const {
    return Gpg({"--local-user", fingerprint_, "--clearsign"}, bytes);
}

std::string GpgUser::DetachSign(const std::string& bytes) const {
    return Gpg({"--local-user", fingerprint_, "--armor", "--detach-sign"}, bytes);
}

std::string GpgUser::Decrypt(const std::string& ciphertext, std::string* status) const {
    return Gpg({"--decrypt"}, ciphertext, nullptr, status);
}

std::string PgpMimeMessage(const std::string& headers, const std::string& armored) {
    std::string m = headers;
    m += "MIME-Version: 1.0\r\n";
    m += "Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=\"b0undary\"\r\n\r\n";
    m += "--b0undary\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n\r\n";
    m += "--b0undary\r\nContent-Type: application/octet-stream\r\n\r\n" + armored + "\r\n--b0undary--\r\n";
    return m;
}

std::string PgpMimeSigned(const GpgUser& signer, const std::string& entity, const std::string& boundary) {
    std::string m = "Content-Type: multipart/signed; micalg=pgp-sha512; protocol=\"application/pgp-signature\";"
                    " boundary=\"" + boundary + "\"\r\n\r\n";
    m += "--" + boundary + "\r\n" + entity + "\r\n--" + boundary + "\r\n";
    m += "Content-Type: application/pgp-signature\r\n\r\n" + signer.DetachSign(entity) + "\r\n--" + boundary + "--\r\n";
    return m;
}

}  // namespace kizuna::testing
