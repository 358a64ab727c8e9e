#include "auth/audit_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "auth/internal/crypto.hpp"
#include "core/ids.hpp"

namespace kizuna::auth {
namespace {

constexpr std::string_view kLineMagic = "kizuna-audit-checkpoint 1";
constexpr std::size_t kKeyHexChars = 64;
const std::string kGenesis(64, '0');

core::Error FromErrno(const std::string& what, const std::string& path) {
    return core::Internal(what + " " + path + ": " + std::strerror(errno));
}

// Writes all of `data` to a file descriptor, retrying short writes.
core::Status WriteAll(int fd, std::string_view data, const std::string& path) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return FromErrno("cannot write", path);
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return core::Ok();
}

// Reads the key file; nullopt when it does not exist.
core::Result<std::optional<std::string>> ReadKeyFile(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        if (::access(path.c_str(), F_OK) != 0) return std::optional<std::string>();
        return FromErrno("cannot read audit key", path);
    }
    std::string key;
    std::getline(in, key);
    if (key.size() != kKeyHexChars || key.find_first_not_of("0123456789abcdef") != std::string::npos)
        return core::DataLoss("audit key file " + path + " is damaged (expected 64 hex characters)");
    return std::optional<std::string>(key);
}

core::Status CreateKeyFile(const std::string& path, const std::string& key) {
    // O_EXCL: two processes starting at once must not both create (and use) different keys.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return FromErrno("cannot create audit key", path);
    core::Status st = WriteAll(fd, key + "\n", path);
    if (st.ok() && ::fsync(fd) != 0) st = FromErrno("cannot sync", path);
    ::close(fd);
    return st;
}

}  // namespace

std::string AuditKeyPath(const std::string& data_dir) { return data_dir + "/audit.key"; }
std::string AuditCheckpointPath(const std::string& data_dir) { return data_dir + "/audit-checkpoints.log"; }

namespace detail {

std::string CheckpointLineBody(const AuditCheckpoint& c) {
    return std::string(kLineMagic) + " " + c.kind + " " + c.at + " " + std::to_string(c.entries) + " " +
           std::to_string(c.last_seq) + " " + c.head;
}

core::Result<std::optional<std::vector<AuditCheckpoint>>> ReadCheckpoints(const std::string& path) {
    using Found = std::optional<std::vector<AuditCheckpoint>>;
    std::ifstream in(path);
    if (!in) {
        if (::access(path.c_str(), F_OK) != 0) return Found();
        return FromErrno("cannot read audit checkpoints", path);
    }
    std::vector<AuditCheckpoint> out;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        AuditCheckpoint c;
        std::istringstream fields(line);
        std::string magic, version;
        fields >> magic >> version >> c.kind >> c.at >> c.entries >> c.last_seq >> c.head >> c.mac;
        const bool parsed = !fields.fail() && magic + " " + version == kLineMagic &&
                            (c.kind == "keyed" || c.kind == "head") && c.head.size() == 64 && c.mac.size() == 64;
        if (!parsed) c = AuditCheckpoint{};  // kind "": not authentic
        out.push_back(std::move(c));
    }
    return Found(std::move(out));
}

core::Status AppendCheckpoint(const std::string& path, const AuditCheckpoint& c) {
    const int create = c.kind == "keyed" ? O_CREAT : 0;
    const int fd = ::open(path.c_str(), O_WRONLY | create | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0 && errno == ENOENT)
        return core::FailedPrecondition("the audit checkpoint file " + path +
                                        " is missing; it is not recreated (restore it, see `kizuna audit verify`)");
    if (fd < 0) return FromErrno("cannot open audit checkpoints", path);
    core::Status st = WriteAll(fd, CheckpointLineBody(c) + " " + c.mac + "\n", path);
    if (st.ok() && ::fsync(fd) != 0) st = FromErrno("cannot sync", path);
    ::close(fd);
    return st;
}

}  // namespace detail

core::Result<AuditKeying> LoadAuditKeying(const std::string& data_dir) {
    AuditKeying keying{"", AuditKeyPath(data_dir), AuditCheckpointPath(data_dir)};
    KZ_ASSIGN(auto key, ReadKeyFile(keying.key_path));
    if (key) keying.key = *key;
    return keying;
}

core::Result<AuditKeying> OpenAuditKeying(store::Database& db, const std::string& data_dir, const core::Clock& clock) {
    AuditKeying keying{"", AuditKeyPath(data_dir), AuditCheckpointPath(data_dir)};
    KZ_ASSIGN(auto existing, ReadKeyFile(keying.key_path));
    {
        KZ_ASSIGN(auto lease, db.Acquire());
        KZ_ASSIGN(auto marker, lease->QueryOne("SELECT keyed_after_seq FROM audit_keying WHERE id = 1"));
        if (!existing && marker)
            return core::FailedPrecondition("the audit key file " + keying.key_path +
                                            " is missing, but the audit log holds keyed entries after entry " +
                                            std::to_string(marker->Int(0)) +
                                            "; restore the key from a backup (`kizuna audit verify` names what is "
                                            "missing)");
    }
    if (!existing) {
        const std::string created = core::RandomHex(kKeyHexChars / 2);
        if (auto st = CreateKeyFile(keying.key_path, created); !st.ok()) {
            // Another process may have won the race: use its key.
            KZ_ASSIGN(existing, ReadKeyFile(keying.key_path));
            if (!existing) return st.error();
        } else {
            existing = created;
        }
    }
    keying.key = *existing;
    // The marker: entries up to the current head stay v1 (verified as before); later ones are keyed.
    // Recorded in the database and, MACed, as the first line of the checkpoint file.
    KZ_ASSIGN(auto marker, db.InTransaction<std::optional<AuditCheckpoint>>(
                               [&](store::Connection& c) -> core::Result<std::optional<AuditCheckpoint>> {
                                   using Out = std::optional<AuditCheckpoint>;
                                   KZ_ASSIGN(auto have, c.QueryOne("SELECT 1 FROM audit_keying WHERE id = 1"));
                                   if (have) return Out();
                                   KZ_ASSIGN(auto anchor,
                                             c.QueryOne("SELECT last_seq, last_hash FROM audit_anchor WHERE id = 1"));
                                   AuditCheckpoint cp;
                                   cp.kind = "keyed";
                                   cp.at = core::FormatRfc3339(clock.Now());
                                   cp.last_seq = anchor ? anchor->Int(0) : 0;
                                   cp.entries = cp.last_seq;
                                   cp.head = anchor ? anchor->Text(1) : kGenesis;
                                   KZ_TRY(c.Exec("INSERT INTO audit_keying(id, keyed_after_seq, head, created_at)"
                                                 " VALUES (1, ?, ?, ?)",
                                                 {cp.last_seq, cp.head, cp.at}));
                                   return Out(cp);
                               }));
    if (marker) {
        marker->mac = detail::HmacSha256Hex(keying.key, detail::CheckpointLineBody(*marker));
        KZ_TRY(detail::AppendCheckpoint(keying.checkpoint_path, *marker));
    }
    return keying;
}

}  // namespace kizuna::auth
