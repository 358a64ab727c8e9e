// The mail gateway fixture (issue 7, issue 12): a real `kizuna serve` with LMTP/SMTP listeners and the
// outbound sender, a real SMTP server (python3-aiosmtpd) as the relay, real GnuPG homes for the vendors,
// swaks as the sending MTA.
#pragma once

#include <signal.h>
#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <memory>
#include <set>
#include <thread>

#include "center_fixture.hpp"
#include "support/mail_tools.hpp"

namespace kizuna::functional {

using nlohmann::json;
using testing::ChildProcess;
using testing::GpgUser;
using testing::SmtpSink;

inline const std::string kSinkScript = std::string(KIZUNA_SOURCE_DIR) + "/tests/support/smtp_sink.py";

// Rows of a query on the center's database (read-only, beside the running server).
inline std::vector<std::vector<std::string>> Sql(const std::string& db_path, const std::string& sql) {
    std::vector<std::vector<std::string>> out;
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) return out;
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK) {
        while (sqlite3_step(st) == SQLITE_ROW) {
            std::vector<std::string> row;
            for (int i = 0; i < sqlite3_column_count(st); ++i) {
                const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st, i));
                row.emplace_back(text ? text : "");
            }
            out.push_back(std::move(row));
        }
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
}

template <typename Pred>
inline bool WaitFor(Pred pred, std::chrono::seconds timeout = std::chrono::seconds(30)) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
        if (pred()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return pred();
}

inline std::string ArmoredBlock(const std::string& message) {
    const auto begin = message.find("-----BEGIN PGP MESSAGE-----");
    const auto end = message.find("-----END PGP MESSAGE-----");
    if (begin == std::string::npos || end == std::string::npos) return {};
    return message.substr(begin, end + 25 - begin) + "\n";
}

class Api {
  public:
    Api(std::uint16_t port, std::string token) : client_("127.0.0.1", port), token_(std::move(token)) {}
    json Call(const std::string& method, const std::string& path, const json& body = nullptr, int expect = 200) {
        std::vector<std::pair<std::string, std::string>> headers{{"Authorization", "Bearer " + token_}};
        if (!body.is_null()) headers.push_back({"Content-Type", "application/json"});
        HttpReply r = client_.Request(method, path, body.is_null() ? "" : body.dump(), headers);
        EXPECT_EQ(r.status, expect) << method << " " << path << ": " << r.body;
        return r.body.empty() ? json() : json::parse(r.body, nullptr, false);
    }

  private:
    HttpClient client_;
    std::string token_;
};

class MailGatewayTest : public ::testing::Test {
  protected:
    void SetUp() override {
        sink_ = std::make_unique<SmtpSink>(kSinkScript, dir_.File("sink"));
        ASSERT_GT(sink_->port(), 0) << testing::ReadWholeFile(dir_.File("sink.log"));
        testing::WriteWholeFile(dir_.File("kizuna.toml"),
                                "[mail]\nlmtp_port = 0\nsmtp_port = 0\nrelay_host = \"127.0.0.1\"\nrelay_port = " +
                                    std::to_string(sink_->port()) +
                                    "\nfrom_address = \"vuls@center.example\"\nfrom_name = \"Center\"\n"
                                    "send_interval_seconds = 1\nmax_message_bytes = 200000\n");
        ASSERT_EQ(Run({"user", "add", "admin", "--role", "admin"}, "admin-password-1\n").exit_code, 0);
        auto token = Run({"token", "create", "--user", "admin"});
        ASSERT_EQ(token.exit_code, 0) << token.err;
        token_ = token.out.substr(0, token.out.find('\n'));
        auto key = Run({"mail", "init-key"});
        ASSERT_EQ(key.exit_code, 0) << key.err;
        auto pub = Run({"mail", "public-key"});
        ASSERT_EQ(pub.exit_code, 0) << pub.err;
        center_key_ = pub.out;
        vendor_ = std::make_unique<GpgUser>(dir_.File("gpg-vendor"), "Sakura PSIRT <psirt@sakura.example.jp>");
        ASSERT_EQ(vendor_->fingerprint().size(), 40u);
        vendor_->Import(center_key_);
        StartServe();
    }
    void TearDown() override {
        serve_.reset();
        Run({"mail", "send-once"});  // harmless; also stops a gpg-agent left by a killed serve
    }

    testing::CommandResult Run(std::vector<std::string> args, const std::string& input = "") {
        args.insert(args.begin(), KIZUNA_BIN);
        args.insert(args.end(), {"--data-dir", dir_.File("data"), "--config", dir_.File("kizuna.toml")});
        return testing::RunCommand(args, input);
    }

    void StartServe() {
        for (const char* f : {"data/lmtp.port", "data/smtp.port", "http.port"}) std::filesystem::remove(dir_.File(f));
        serve_ = std::make_unique<ChildProcess>(
            std::vector<std::string>{KIZUNA_BIN, "serve", "--data-dir", dir_.File("data"), "--config",
                                     dir_.File("kizuna.toml"), "--port", "0", "--port-file", dir_.File("http.port")},
            dir_.File("serve.log"));
        http_port_ = testing::WaitForPortFile(dir_.File("http.port"));
        lmtp_port_ = testing::WaitForPortFile(dir_.File("data/lmtp.port"));
        smtp_port_ = testing::WaitForPortFile(dir_.File("data/smtp.port"));
        ASSERT_GT(lmtp_port_, 0) << testing::ReadWholeFile(dir_.File("serve.log"));
        ASSERT_GT(smtp_port_, 0);
        ASSERT_GT(http_port_, 0);
    }

    // A registered vendor with a contact, and (when `key`) the key of `vendor_` (or of `key_of`).
    std::int64_t AddVendor(Api& api, const std::string& name, const std::string& email, bool key,
                           const GpgUser* key_of = nullptr) {
        const auto id = api.Call("POST", "/api/v1/vendors", {{"name", name}}, 201)["id"].get<std::int64_t>();
        const std::string v = "/api/v1/vendors/" + std::to_string(id);
        api.Call("POST", v + "/contacts", {{"name", "PSIRT"}, {"email", email}}, 201);
        api.Call("POST", v + "/terms", {{"version", "2026-04"}});
        for (const char* st : {"documents_received", "meeting", "registered"})
            api.Call("POST", v + "/registration", {{"state", st}});
        if (key) api.Call("POST", v + "/keys", {{"key", (key_of ? key_of : vendor_.get())->ExportPublic()}}, 201);
        return id;
    }

    // A verified case whose details went to `vendor` (which queues a notice for it).
    std::int64_t CaseWithDetails(Api& api, std::int64_t vendor, std::string* identifier) {
        const auto created = api.Call("POST", "/api/v1/cases", {{"title", "Router RCE"}, {"details", "stack overflow in httpd"}}, 201);
        const auto id = created["id"].get<std::int64_t>();
        const std::string c = "/api/v1/cases/" + std::to_string(id);
        *identifier = api.Call("GET", c)["identifier"].get<std::string>();
        api.Call("POST", c + "/verification", {{"result", "reproduced"}});
        api.Call("POST", c + "/vendors", {{"vendor_id", vendor}});
        api.Call("POST", c + "/vendors/" + std::to_string(vendor) + "/details", {{"obvious_vendor", true}});
        return id;
    }

    // A portal account with `role` and an API token for it.
    std::string UserToken(const std::string& name, const std::string& role) {
        EXPECT_EQ(Run({"user", "add", name, "--role", role}, name + "-password-1\n").exit_code, 0);
        auto token = Run({"token", "create", "--user", name});
        EXPECT_EQ(token.exit_code, 0) << token.err;
        return token.out.substr(0, token.out.find('\n'));
    }

    // Logs in through the form like a browser; returns the session cookie ("" on failure).
    std::string Login(const std::string& name, const std::string& password) {
        HttpClient c("127.0.0.1", static_cast<std::uint16_t>(http_port_));
        HttpReply form = c.Request("GET", "/login");
        const std::string csrf_cookie = SetCookieValue(form, "kz_login_csrf");
        HttpReply r = c.Request("POST", "/login", "csrf=" + HiddenCsrf(form.body) + "&name=" + name + "&password=" + password,
                                {{"Content-Type", "application/x-www-form-urlencoded"},
                                 {"Cookie", "kz_login_csrf=" + csrf_cookie}});
        return SetCookieValue(r, "kz_session");
    }

    // Delivers `message` through the LMTP listener (swaks as the MTA); the LMTP reply text.
    std::string DeliverLmtp(const std::string& name, const std::string& message) {
        testing::WriteWholeFile(dir_.File(name), message);
        auto r = Swaks(lmtp_port_, true, dir_.File(name));
        EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
        return r.out;
    }

    testing::CommandResult Swaks(int port, bool lmtp, const std::string& message_file) {
        std::vector<std::string> argv = {"/usr/bin/swaks", "--server", "127.0.0.1", "--port", std::to_string(port),
                                         "--from", "psirt@sakura.example.jp", "--to", "vuls@center.example",
                                         "--data", message_file, "--suppress-data"};
        if (lmtp) argv.insert(argv.end(), {"--protocol", "LMTP"});
        return testing::RunCommand(argv);
    }

    std::string Db() const { return dir_.File("data/kizuna.db"); }

    testing::TempDir dir_;
    std::unique_ptr<SmtpSink> sink_;
    std::unique_ptr<GpgUser> vendor_;
    std::unique_ptr<ChildProcess> serve_;
    std::string token_;
    std::string center_key_;
    int http_port_ = 0, lmtp_port_ = 0, smtp_port_ = 0;
};

}  // namespace kizuna::functional
