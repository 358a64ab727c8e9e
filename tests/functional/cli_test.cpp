// The kizuna command line: usage errors, the data-directory rule, scripted user creation, audit verify.
#include <sqlite3.h>
#include <sys/stat.h>

#include <fstream>

#include "auth/audit.hpp"
#include "center_fixture.hpp"

namespace kizuna::functional {
namespace {

using testing::RunCommand;
using testing::TempDir;

int CountLines(const std::string& s) {
    int n = 0;
    for (char c : s) n += c == '\n';
    return n;
}

TEST(CliTest, EverySubcommandHasHelp) {
    for (std::vector<std::string> args : {std::vector<std::string>{"--help"}, {"serve", "--help"}, {"demo", "--help"},
                                          {"migrate", "--help"}, {"user", "add", "--help"},
                                          {"token", "create", "--help"}, {"audit", "verify", "--help"},
                                          {"token", "list", "--help"}, {"token", "revoke", "--help"},
                                          {"user", "disable", "--help"}, {"user", "enable", "--help"},
                                          {"user", "passwd", "--help"}, {"audit", "checkpoint", "--help"}}) {
        args.insert(args.begin(), KIZUNA_BIN);
        auto r = RunCommand(args);
        EXPECT_EQ(r.exit_code, 0) << args[1];
        EXPECT_NE(r.out.find("Usage"), std::string::npos) << args[1] << r.out;
    }
}

TEST(CliTest, BadFlagsGiveOneLineAndExit2) {
    auto r = RunCommand({KIZUNA_BIN, "serve", "--no-such-flag"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(CountLines(r.err), 1) << r.err;
    EXPECT_NE(r.err.find("--no-such-flag"), std::string::npos);
    r = RunCommand({KIZUNA_BIN, "frobnicate"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(CountLines(r.err), 1) << r.err;
    r = RunCommand({KIZUNA_BIN, "serve", "--port", "99999"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(CountLines(r.err), 1) << r.err;
}

TEST(CliTest, BadConfigGivesOneLineAndExit2) {
    TempDir dir;
    std::ofstream(dir.File("bad.toml")) << "[server]\nprot = 8080\n";
    auto r = RunCommand({KIZUNA_BIN, "migrate", "--config", dir.File("bad.toml"), "--data-dir", dir.File("d")});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(CountLines(r.err), 1) << r.err;
    EXPECT_NE(r.err.find("server.prot"), std::string::npos) << r.err;
    r = RunCommand({KIZUNA_BIN, "migrate", "--set", "server.port=http", "--data-dir", dir.File("d")});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(CountLines(r.err), 1) << r.err;
    r = RunCommand({KIZUNA_BIN, "migrate", "--config", dir.File("missing.toml"), "--data-dir", dir.File("d")});
    EXPECT_EQ(r.exit_code, 2);
}

TEST(CliTest, DataDirectoryRuleIsTheSameForEveryCommand) {
    TempDir dir;
    std::ofstream(dir.File("k.toml")) << "data_dir = \"" << dir.File("from-config") << "\"\n";
    // config file
    auto r = RunCommand({KIZUNA_BIN, "migrate", "--config", dir.File("k.toml")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find(dir.File("from-config") + "/kizuna.db"), std::string::npos) << r.out;
    // environment beats the file
    r = RunCommand({KIZUNA_BIN, "migrate", "--config", dir.File("k.toml")}, "",
                   {"KIZUNA_DATA_DIR=" + dir.File("from-env")});
    EXPECT_NE(r.out.find(dir.File("from-env") + "/kizuna.db"), std::string::npos) << r.out;
    // the flag beats both, for user add as for migrate
    r = RunCommand({KIZUNA_BIN, "user", "add", "alice", "--role", "coordinator", "--config", dir.File("k.toml"),
                    "--data-dir", dir.File("from-flag")},
                   "alice-password-1\n", {"KIZUNA_DATA_DIR=" + dir.File("from-env")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::ifstream db(dir.File("from-flag") + "/kizuna.db");
    EXPECT_TRUE(db.good());
}

TEST(CliTest, MigrateIsIdempotent) {
    TempDir dir;
    auto first = Kizuna(dir, {"migrate"});
    ASSERT_EQ(first.exit_code, 0) << first.err;
    EXPECT_EQ(first.out.find(" 0 migration(s) applied"), std::string::npos) << first.out;
    EXPECT_NE(first.out.find("migration(s) applied"), std::string::npos) << first.out;
    auto second = Kizuna(dir, {"migrate"});
    EXPECT_NE(second.out.find("0 migration(s) applied"), std::string::npos) << second.out;
}

TEST(CliTest, UserAddReadsThePasswordFromStandardInput) {
    TempDir dir;
    auto r = Kizuna(dir, {"user", "add", "yamada", "--role", "coordinator", "--display-name", "山田 花子"},
                    "a-good-password\n");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto dup = Kizuna(dir, {"user", "add", "yamada", "--role", "coordinator"}, "a-good-password\n");
    EXPECT_EQ(dup.exit_code, 1);
    EXPECT_NE(dup.err.find("already exists"), std::string::npos) << dup.err;
    auto weak = Kizuna(dir, {"user", "add", "weak", "--role", "vendor"}, "short\n");
    EXPECT_EQ(weak.exit_code, 2);
    EXPECT_NE(weak.err.find("password"), std::string::npos);
    auto role = Kizuna(dir, {"user", "add", "who", "--role", "king"}, "a-good-password\n");
    EXPECT_EQ(role.exit_code, 2);
}

TEST(CliTest, TokenCreatePrintsOnlyTheToken) {
    TempDir dir;
    ASSERT_EQ(Kizuna(dir, {"user", "add", "s1", "--role", "sensor"}).exit_code, 0);
    auto r = Kizuna(dir, {"token", "create", "--user", "s1", "--label", "tokyo"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.size(), 68u);  // "kz_" + 64 hex + "\n"
    EXPECT_EQ(r.out.rfind("kz_", 0), 0u);
    EXPECT_EQ(Kizuna(dir, {"token", "create", "--user", "nobody"}).exit_code, 1);
}

TEST(CliTest, AuditVerifyNamesTheFirstTamperedEntry) {
    TempDir dir;
    ASSERT_EQ(Kizuna(dir, {"user", "add", "a1", "--role", "admin"}, "admin-password-1\n").exit_code, 0);
    ASSERT_EQ(Kizuna(dir, {"user", "add", "a2", "--role", "vendor"}, "vendor-password-1\n").exit_code, 0);
    ASSERT_EQ(Kizuna(dir, {"token", "create", "--user", "a2"}).exit_code, 0);
    auto ok = Kizuna(dir, {"audit", "verify"});
    EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
    EXPECT_NE(ok.out.find("3 entries verified"), std::string::npos) << ok.out;

    // Someone with write access to the database file alters entry 2 behind the triggers' back.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(dir.File("data/kizuna.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "DROP TRIGGER audit_log_no_update;"
                           "UPDATE audit_log SET object = 'user:someone-else' WHERE seq = 2;",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
    auto bad = Kizuna(dir, {"audit", "verify"});
    EXPECT_NE(bad.exit_code, 0);
    EXPECT_NE(bad.out.find("entry 2 was altered"), std::string::npos) << bad.out;
    EXPECT_NE(bad.out.find("first bad entry: 2"), std::string::npos) << bad.out;
}

TEST(CliTest, AuditVerifyDetectsARemovedEntry) {
    TempDir dir;
    for (const char* name : {"u1", "u2", "u3"})
        ASSERT_EQ(Kizuna(dir, {"user", "add", name, "--role", "reporter"}, "reporter-pass-1\n").exit_code, 0);
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(dir.File("data/kizuna.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = 2;", nullptr,
                           nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
    auto bad = Kizuna(dir, {"audit", "verify"});
    EXPECT_NE(bad.exit_code, 0);
    EXPECT_NE(bad.out.find("entry 2 is missing"), std::string::npos) << bad.out;
}

// Runs SQL on the database file directly, as someone with write access to it (no Kizuna code, no key).
void Tamper(const TempDir& dir, const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(dir.File("data/kizuna.db").c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    const std::string message = err ? err : "";
    sqlite3_free(err);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << message;
}

TEST(CliTest, AuditVerifyDetectsTruncationBehindARewrittenAnchor) {
    TempDir dir;
    for (const char* name : {"u1", "u2", "u3", "u4"})
        ASSERT_EQ(Kizuna(dir, {"user", "add", name, "--role", "reporter"}, "reporter-pass-1\n").exit_code, 0);
    auto cp = Kizuna(dir, {"audit", "checkpoint"});
    ASSERT_EQ(cp.exit_code, 0) << cp.err;
    EXPECT_NE(cp.out.find("4 entries"), std::string::npos) << cp.out;
    ASSERT_EQ(Kizuna(dir, {"audit", "verify"}).exit_code, 0);
    // Drop the trigger, delete the newest two entries, point the anchor at entry 2.
    Tamper(dir,
           "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq > 2;"
           "UPDATE audit_anchor SET last_seq = 2, last_hash = (SELECT hash FROM audit_log WHERE seq = 2);");
    auto bad = Kizuna(dir, {"audit", "verify"});
    EXPECT_EQ(bad.exit_code, 1);
    EXPECT_NE(bad.out.find("truncated"), std::string::npos) << bad.out;
    EXPECT_NE(bad.out.find("the log now ends at entry 2"), std::string::npos) << bad.out;
}

TEST(CliTest, AuditVerifyDetectsADeletedEntryWithTheRestRechained) {
    TempDir dir;
    for (const char* name : {"u1", "u2", "u3"})
        ASSERT_EQ(Kizuna(dir, {"user", "add", name, "--role", "reporter"}, "reporter-pass-1\n").exit_code, 0);
    ASSERT_EQ(Kizuna(dir, {"audit", "checkpoint"}).exit_code, 0);
    // Delete entry 2, move 3 down and re-chain it with the public (unkeyed) formula: the attacker has no key.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(dir.File("data/kizuna.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "DROP TRIGGER audit_log_no_delete; DROP TRIGGER audit_log_no_update;"
                           "DELETE FROM audit_log WHERE seq = 2; UPDATE audit_log SET seq = 2 WHERE seq = 3;"
                           "UPDATE audit_log SET prev_hash = (SELECT hash FROM audit_log WHERE seq = 1) WHERE seq = 2;",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
    auto rows = testing::RunCommand({"/usr/bin/sqlite3", dir.File("data/kizuna.db"),
                                     "SELECT at, actor, action, object, detail, remote_ip, prev_hash FROM audit_log"
                                     " WHERE seq = 2"});
    ASSERT_EQ(rows.exit_code, 0) << rows.err;
    std::string line = rows.out.substr(0, rows.out.find('\n'));
    std::vector<std::string> f;
    for (std::size_t p = 0;;) {
        const auto bar = line.find('|', p);
        f.push_back(line.substr(p, bar == std::string::npos ? std::string::npos : bar - p));
        if (bar == std::string::npos) break;
        p = bar + 1;
    }
    ASSERT_EQ(f.size(), 7u) << rows.out;
    const std::string hash = auth::AuditLog::ChainHash(2, f[0], {f[1], f[2], f[3], f[4], f[5]}, f[6]);
    Tamper(dir, "UPDATE audit_log SET hash = '" + hash + "' WHERE seq = 2;"
                "UPDATE audit_anchor SET last_seq = 2, last_hash = '" + hash + "';");
    auto bad = Kizuna(dir, {"audit", "verify"});
    EXPECT_EQ(bad.exit_code, 1);
    EXPECT_NE(bad.out.find("entry 2 was altered or re-chained"), std::string::npos) << bad.out;
    EXPECT_NE(bad.out.find("truncated"), std::string::npos) << bad.out;
}

TEST(CliTest, AuditVerifyNamesAMissingKeyOrCheckpointFile) {
    TempDir dir;
    ASSERT_EQ(Kizuna(dir, {"user", "add", "u1", "--role", "reporter"}, "reporter-pass-1\n").exit_code, 0);
    ASSERT_EQ(std::rename(dir.File("data/audit-checkpoints.log").c_str(), dir.File("cp").c_str()), 0);
    auto no_file = Kizuna(dir, {"audit", "verify"});
    EXPECT_EQ(no_file.exit_code, 1);
    EXPECT_NE(no_file.out.find("the checkpoint file " + dir.File("data/audit-checkpoints.log") + " is missing"),
              std::string::npos)
        << no_file.out;
    ASSERT_EQ(std::rename(dir.File("cp").c_str(), dir.File("data/audit-checkpoints.log").c_str()), 0);
    ASSERT_EQ(std::rename(dir.File("data/audit.key").c_str(), dir.File("key").c_str()), 0);
    auto no_key = Kizuna(dir, {"audit", "verify"});
    EXPECT_EQ(no_key.exit_code, 1);
    EXPECT_NE(no_key.out.find("the audit key file " + dir.File("data/audit.key") + " is missing"), std::string::npos)
        << no_key.out;
    // And the center does not quietly start over with a new key.
    auto refused = Kizuna(dir, {"user", "add", "u2", "--role", "reporter"}, "reporter-pass-1\n");
    EXPECT_NE(refused.exit_code, 0);
    EXPECT_NE(refused.err.find("audit key file"), std::string::npos) << refused.err;
}

TEST(CliTest, TokensAreListedRevokedAndEndWithThePassword) {
    TempDir dir;
    ASSERT_EQ(Kizuna(dir, {"user", "add", "v1", "--role", "vendor"}, "vendor-password-1\n").exit_code, 0);
    ASSERT_EQ(Kizuna(dir, {"token", "create", "--user", "v1", "--label", "ci", "--expires-in-days", "30"}).exit_code, 0);
    ASSERT_EQ(Kizuna(dir, {"token", "create", "--user", "v1", "--label", "laptop"}).exit_code, 0);
    EXPECT_EQ(Kizuna(dir, {"token", "create", "--user", "v1", "--expires-in-days", "400"}).exit_code, 2);
    auto list = Kizuna(dir, {"token", "list", "--user", "v1"});
    ASSERT_EQ(list.exit_code, 0) << list.err;
    EXPECT_EQ(CountLines(list.out), 3) << list.out;  // header + 2
    EXPECT_EQ(list.out.find("kz_"), std::string::npos);
    auto revoke = Kizuna(dir, {"token", "revoke", "1"});
    ASSERT_EQ(revoke.exit_code, 0) << revoke.err;
    EXPECT_EQ(Kizuna(dir, {"token", "revoke", "1"}).exit_code, 1);
    EXPECT_EQ(Kizuna(dir, {"token", "revoke", "99"}).exit_code, 1);
    list = Kizuna(dir, {"token", "list"});
    EXPECT_NE(list.out.find("revoked"), std::string::npos) << list.out;
    EXPECT_NE(list.out.find("active"), std::string::npos) << list.out;
    ASSERT_EQ(Kizuna(dir, {"user", "passwd", "v1"}, "a-brand-new-password\n").exit_code, 0);
    list = Kizuna(dir, {"token", "list"});
    EXPECT_EQ(list.out.find("active"), std::string::npos) << list.out;
    EXPECT_EQ(Kizuna(dir, {"user", "disable", "nobody"}).exit_code, 1);
    EXPECT_EQ(Kizuna(dir, {"audit", "verify"}).exit_code, 0);
}

TEST(CliTest, TheDataDirectoryAndItsFilesArePrivate) {
    TempDir dir;
    ASSERT_EQ(Kizuna(dir, {"migrate"}).exit_code, 0);
    {
        testing::ServerProcess server(KIZUNA_BIN, {"--data-dir", dir.File("data")}, dir.path());
        ASSERT_TRUE(server.started());
        EXPECT_EQ(server.Terminate(), 0);
    }
    struct Expect {
        const char* path;
        unsigned mode;
    } expected[] = {{"data", 0700},          {"data/kizuna.db", 0600},         {"data/kizuna.db-wal", 0600},
                    {"data/audit.key", 0600}, {"data/audit-checkpoints.log", 0600}, {"data/gnupg", 0700},
                    {"data/observe", 0700}};
    for (const Expect& e : expected) {
        struct stat st {};
        if (std::string(e.path).ends_with("-wal") && ::stat(dir.File(e.path).c_str(), &st) != 0) continue;  // checkpointed away
        ASSERT_EQ(::stat(dir.File(e.path).c_str(), &st), 0) << e.path;
        EXPECT_EQ(st.st_mode & 0777, e.mode) << e.path << " is " << std::oct << (st.st_mode & 0777);
    }
}

TEST(CliTest, ServeCheckpointsTheAuditLogAndMailsTheCheckpoint) {
    TempDir dir;
    ASSERT_EQ(Kizuna(dir, {"user", "add", "u1", "--role", "reporter"}, "reporter-pass-1\n").exit_code, 0);
    {
        testing::ServerProcess server(KIZUNA_BIN,
                                      {"--data-dir", dir.File("data"), "--set",
                                       "auth.audit_checkpoint_mail=audit-archive@example.jp"},
                                      dir.path());
        ASSERT_TRUE(server.started());
        EXPECT_EQ(server.Terminate(), 0);
    }
    std::ifstream file(dir.File("data/audit-checkpoints.log"));
    std::string line, last;
    int lines = 0;
    while (std::getline(file, line)) {
        ++lines;
        last = line;
    }
    EXPECT_EQ(lines, 2);  // the keying marker, then the head at start (unchanged at stop: no third line)
    EXPECT_EQ(last.rfind("kizuna-audit-checkpoint 1 head ", 0), 0u) << last;
    auto queued = testing::RunCommand({"/usr/bin/sqlite3", dir.File("data/kizuna.db"),
                                       "SELECT to_address, body FROM mail_queue"});
    ASSERT_EQ(queued.exit_code, 0) << queued.err;
    EXPECT_EQ(queued.out.rfind("audit-archive@example.jp|", 0), 0u) << queued.out;
    EXPECT_NE(queued.out.find(last), std::string::npos) << queued.out;
    EXPECT_EQ(Kizuna(dir, {"audit", "verify"}).exit_code, 0);
}

TEST(CliTest, ServeStopsCleanlyOnSigterm) {
    TempDir dir;
    testing::ServerProcess server(KIZUNA_BIN, {"--data-dir", dir.File("data")}, dir.path());
    ASSERT_TRUE(server.started());
    testing::HttpClient c("127.0.0.1", server.port());
    EXPECT_EQ(c.Request("GET", "/healthz").status, 200);
    EXPECT_EQ(server.Terminate(), 0);
}

TEST(CliTest, DemoCreatesDataOnceAndReusesIt) {
    TempDir dir;
    // `demo` is `serve` plus seeding; run the seeding path twice through the real binary.
    for (int round = 0; round < 2; ++round) {
        // Stop the demo as soon as it listens (seeding a year of observation data takes seconds on a loaded
        // machine, so no fixed timeout), giving up after 120 s.
        const std::string port_file = dir.File("port" + std::to_string(round));
        const std::string script =
            "\"$0\" demo --port 0 --port-file \"$1\" --data-dir \"$2\" & pid=$!; "
            "for i in $(seq 1 1200); do [ -s \"$1\" ] && break; kill -0 $pid 2>/dev/null || break; sleep 0.1; done; "
            "kill -TERM $pid 2>/dev/null; wait $pid";
        auto r = RunCommand({"/bin/sh", "-c", script, KIZUNA_BIN, port_file, dir.File("data")});
        EXPECT_NE(r.out.find(round == 0 ? "Created demo database" : "Reusing demo database"), std::string::npos)
            << r.out << r.err;
        EXPECT_NE(r.out.find("coordinator"), std::string::npos);
    }
}

}  // namespace
}  // namespace kizuna::functional

namespace kizuna::functional {
namespace {

TEST(TlsTest, ServeOverTlsMarksTheSessionCookieSecure) {
    testing::TempDir dir;
    auto cert = testing::RunCommand({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj",
                                     "/CN=localhost", "-days", "1", "-keyout", dir.File("key.pem"), "-out",
                                     dir.File("cert.pem")});
    ASSERT_EQ(cert.exit_code, 0) << cert.err;
    ASSERT_EQ(Kizuna(dir, {"user", "add", "coord", "--role", "coordinator"}, "coord-password-1\n").exit_code, 0);
    testing::ServerProcess server(KIZUNA_BIN,
                                  {"--data-dir", dir.File("data"), "--set", "server.tls_cert=" + dir.File("cert.pem"),
                                   "--set", "server.tls_key=" + dir.File("key.pem")},
                                  dir.path());
    ASSERT_TRUE(server.started());
    const std::string base = "https://127.0.0.1:" + std::to_string(server.port());
    // curl keeps the cookies between the form and the post, like a browser.
    auto form = testing::RunCommand({"/usr/bin/curl", "-sk", "-c", dir.File("jar"), base + "/login"});
    ASSERT_EQ(form.exit_code, 0) << form.err;
    const std::string csrf = HiddenCsrf(form.out);
    ASSERT_FALSE(csrf.empty()) << form.out;
    auto login = testing::RunCommand({"/usr/bin/curl", "-sk", "-D", "-", "-o", "/dev/null", "-b", dir.File("jar"),
                                      "--data", "csrf=" + csrf + "&name=coord&password=coord-password-1",
                                      base + "/login"});
    ASSERT_EQ(login.exit_code, 0) << login.err;
    EXPECT_NE(login.out.find("303"), std::string::npos) << login.out;
    EXPECT_NE(login.out.find("kz_session="), std::string::npos) << login.out;
    EXPECT_NE(login.out.find("; Secure"), std::string::npos) << login.out;
    // Plain HTTP to the TLS port gets nothing useful.
    auto plain = testing::RunCommand({"/usr/bin/curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                                      "http://127.0.0.1:" + std::to_string(server.port()) + "/healthz"});
    EXPECT_NE(plain.out, "200");
}

}  // namespace
}  // namespace kizuna::functional
