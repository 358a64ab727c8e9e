// Helpers for the mail gateway tests: a child process that can be SIGKILLed (kizuna serve, the SMTP sink),
// the SMTP sink (tests/support/smtp_sink.py on python3-aiosmtpd) and throw-away GnuPG homes driven with gpg.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace kizuna::testing {

// `argv[0]` (absolute path) with output to `log_path`; killed (SIGKILL) and reaped in the destructor.
class ChildProcess {
  public:
    ChildProcess(const std::vector<std::string>& argv, const std::string& log_path);
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;
    // Sends `signal` and waits for the exit; returns the exit code (128+N when killed by signal N).
    int Stop(int signal);
    pid_t pid() const { return pid_; }

  private:
    pid_t pid_ = -1;
};

// Waits (up to `timeout`) for a file holding a port number; 0 on timeout.
int WaitForPortFile(const std::string& path, std::chrono::seconds timeout = std::chrono::seconds(20));
std::string ReadWholeFile(const std::string& path);
void WriteWholeFile(const std::string& path, const std::string& content);

// A real SMTP server on 127.0.0.1 writing each accepted message to dir/msg-NNNN.eml.
class SmtpSink {
  public:
    // `script`: the path of tests/support/smtp_sink.py.
    SmtpSink(const std::string& script, const std::string& dir);
    int port() const { return port_; }
    std::vector<std::string> Messages() const;  // in order of arrival
    // While held, RCPT commands wait (the client is stuck mid-submission); Holding() once one waits.
    void Hold(bool on);
    bool Holding() const;

  private:
    std::string dir_;
    ChildProcess process_;
    int port_ = 0;
};

// A throw-away GnuPG home with one key "Name <email>" (ed25519/cv25519, no passphrase) made by gpg itself.
class GpgUser {
  public:
    GpgUser(const std::string& home, const std::string& user_id);
    ~GpgUser();  // gpgconf --kill all
    const std::string& fingerprint() const { return fingerprint_; }
    const std::string& home() const { return home_; }
    std::string ExportPublic() const;
    void Import(const std::string& armored) const;
    // gpg --sign --encrypt to `recipient` (armoured); `sign` false: encrypt only.
    std::string SignEncrypt(const std::string& plaintext, const std::string& recipient, bool sign = true) const;
    // Adds an ed25519 signing subkey (gpg then signs with it); returns the subkey's fingerprint.
    std::string AddSigningSubkey() const;
    // gpg --clearsign over `bytes` exactly as given (any charset: gpg signs bytes).
    std::string ClearSign(const std::string& bytes) const;
    // An armoured detached signature over `bytes`.
    std::string DetachSign(const std::string& bytes) const;
    // gpg --decrypt; `status` gets gpg's --status-fd lines (GOODSIG ...).
    std::string Decrypt(const std::string& ciphertext, std::string* status = nullptr) const;

  private:
    std::string Gpg(const std::vector<std::string>& args, const std::string& input, int* exit_code = nullptr,
                    std::string* status = nullptr) const;
    std::string home_;
    std::string fingerprint_;
};

// An RFC 3156 multipart/encrypted message around `armored` with the given headers ("From: ...\r\n...").
std::string PgpMimeMessage(const std::string& headers, const std::string& armored);
// An RFC 3156 multipart/signed entity: `entity` (a MIME entity with CRLF line ends, as signed) and its
// detached signature by `signer`. Without message headers, so it can be the part of a larger message.
std::string PgpMimeSigned(const GpgUser& signer, const std::string& entity, const std::string& boundary = "s1gned");

}  // namespace kizuna::testing
