// A data directory with a long path (issue 12): gpg-agent's socket in <data>/gnupg would pass the 107-byte
// Unix socket path limit and every secret-key operation failed with "GnuPG: No agent running". The real
// `kizuna serve` and `kizuna demo` on such a directory must create the center's key, and the running center
// must decrypt and verify a signed and encrypted message delivered over LMTP (real gpg, real swaks).
#include <signal.h>
#include <sqlite3.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "support/mail_tools.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace kizuna::testing {
namespace {

constexpr std::size_t kUnixSocketPathMax = 107;

std::string Column(const std::string& db_path, const std::string& sql) {
    std::string value;
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
        sqlite3_busy_timeout(db, 5000);
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
            const auto* text = sqlite3_column_text(st, 0);
            value = text ? reinterpret_cast<const char*>(text) : "";
        }
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return value;
}

class GnupgLongPathTest : public ::testing::Test {
  protected:
    void SetUp() override {
        // /tmp/<40 characters>/<20 characters>/… as in the report, below this test's own directory.
        data_dir_ = dir_.File(std::string(40, 'a') + "/" + std::string(20, 'b') + "/" + std::string(20, 'c') + "/data");
        std::filesystem::create_directories(data_dir_);
        ASSERT_GT((data_dir_ + "/gnupg/S.gpg-agent.browser").size(), kUnixSocketPathMax)
            << "the directory must be deep enough to reproduce the failure";
        WriteWholeFile(dir_.File("kizuna.toml"), "[mail]\nlmtp_port = 0\nfrom_address = \"vuls@center.example\"\n"
                                                 "from_name = \"Center\"\n");
    }

    CommandResult Kizuna(std::vector<std::string> args) {
        args.insert(args.begin(), KIZUNA_BIN);
        args.insert(args.end(), {"--data-dir", data_dir_, "--config", dir_.File("kizuna.toml")});
        return RunCommand(args);
    }

    TempDir dir_;
    std::string data_dir_;
};

TEST_F(GnupgLongPathTest, ServeCreatesTheKeyAndDecryptsSignedMailOverLmtp) {
    auto serve = std::make_unique<ChildProcess>(
        std::vector<std::string>{KIZUNA_BIN, "serve", "--data-dir", data_dir_, "--config", dir_.File("kizuna.toml"),
                                 "--port", "0", "--port-file", dir_.File("http.port")},
        dir_.File("serve.log"));
    const int lmtp_port = WaitForPortFile(data_dir_ + "/lmtp.port", std::chrono::seconds(60));
    ASSERT_GT(lmtp_port, 0) << "serve did not start its LMTP listener: " << ReadWholeFile(dir_.File("serve.log"));
    EXPECT_EQ(ReadWholeFile(dir_.File("serve.log")).find("No agent running"), std::string::npos);

    // The center's public key, as a correspondent gets it.
    auto public_key = Kizuna({"mail", "public-key"});
    ASSERT_EQ(public_key.exit_code, 0) << public_key.err;
    ASSERT_NE(public_key.out.find("BEGIN PGP PUBLIC KEY BLOCK"), std::string::npos);
    GpgUser reporter(dir_.File("gpg-reporter"), "Finder <finder@example.org>");
    reporter.Import(public_key.out);

    // Signed and encrypted to the center: decrypting needs the center's secret key, so the agent.
    const std::string armored =
        reporter.SignEncrypt("Content-Type: text/plain; charset=UTF-8\r\n\r\nlong path report\r\n",
                             "vuls@center.example");
    ASSERT_NE(armored.find("BEGIN PGP MESSAGE"), std::string::npos);
    WriteWholeFile(dir_.File("report.eml"), PgpMimeMessage("From: Finder <finder@example.org>\r\n"
                                                           "To: vuls@center.example\r\n"
                                                           "Subject: report\r\n"
                                                           "Message-ID: <long-path-1@example.org>\r\n",
                                                           armored));
    auto swaks = RunCommand({"/usr/bin/swaks", "--server", "127.0.0.1", "--port", std::to_string(lmtp_port),
                             "--protocol", "LMTP", "--from", "finder@example.org", "--to", "vuls@center.example",
                             "--data", dir_.File("report.eml"), "--suppress-data"});
    ASSERT_EQ(swaks.exit_code, 0) << swaks.out << swaks.err << ReadWholeFile(dir_.File("serve.log"));
    EXPECT_NE(swaks.out.find("250 2.0.0 stored as"), std::string::npos) << swaks.out;
    const std::string db = data_dir_ + "/kizuna.db";
    EXPECT_EQ(Column(db, "SELECT pgp FROM mail_inbound"), "pgp_mime_encrypted");
    EXPECT_EQ(Column(db, "SELECT reason FROM mail_inbound").find("undecryptable"), std::string::npos);
    // The signature sits inside the encrypted part: a known signer proves the message was decrypted.
    EXPECT_EQ(Column(db, "SELECT signer FROM mail_inbound"), reporter.fingerprint());
    EXPECT_EQ(serve->Stop(SIGTERM), 0) << ReadWholeFile(dir_.File("serve.log"));
}

TEST_F(GnupgLongPathTest, DemoStartsOnALongDataDirectory) {
    // The demo makes a partner keyring and signs with it while seeding; with the LMTP listener configured it
    // also creates the center's key (lmtp.port is written once that is done and the listener runs). Stopped a
    // second after that, when the signal handlers are in place.
    const std::string script =
        "\"$0\" demo --port 0 --port-file \"$1\" --data-dir \"$2\" --config \"$4\" > \"$3\" & pid=$!; "
        "for i in $(seq 1 1800); do [ -s \"$2/lmtp.port\" ] && break; kill -0 $pid 2>/dev/null || break; "
        "sleep 0.1; done; sleep 1; kill -TERM $pid 2>/dev/null; wait $pid";
    auto run = RunCommand({"/bin/sh", "-c", script, KIZUNA_BIN, dir_.File("demo.port"), data_dir_,
                           dir_.File("demo.out"), dir_.File("kizuna.toml")});
    const std::string out = ReadWholeFile(dir_.File("demo.out"));
    EXPECT_NE(out.find("Created demo database"), std::string::npos) << out << run.err;
    EXPECT_NE(out.find("Kizuna is running"), std::string::npos) << out << run.err;
    EXPECT_EQ(run.err.find("No agent running"), std::string::npos) << run.err;
    EXPECT_EQ(run.exit_code, 0) << run.err;
    // The key the demo made is usable from the same deep directory.
    auto public_key = Kizuna({"mail", "public-key"});
    EXPECT_EQ(public_key.exit_code, 0) << public_key.err;
    EXPECT_NE(public_key.out.find("BEGIN PGP PUBLIC KEY BLOCK"), std::string::npos);
}

}  // namespace
}  // namespace kizuna::testing
