// A real `kizuna serve` with a fresh data directory, an admin, a coordinator, a vendor and tokens.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <regex>
#include <string>

#include "support/http_client.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace kizuna::functional {

using testing::CommandResult;
using testing::HttpClient;
using testing::HttpReply;

inline CommandResult Kizuna(const testing::TempDir& dir, std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), KIZUNA_BIN);
    args.push_back("--data-dir");
    args.push_back(dir.File("data"));
    return testing::RunCommand(args, input);
}

// The value of cookie `name` from a reply's Set-Cookie headers ("" when absent).
inline std::string SetCookieValue(const HttpReply& reply, const std::string& name) {
    std::smatch m;
    const std::string all = reply.Header("set-cookie");
    std::regex re("(^|\\n)" + name + "=([^;\\n]*)");
    return std::regex_search(all, m, re) ? m[2].str() : "";
}

inline std::string HiddenCsrf(const std::string& html) {
    std::smatch m;
    static const std::regex re("name=\"csrf\" value=\"([0-9a-f]{64})\"");
    return std::regex_search(html, m, re) ? m[1].str() : "";
}

class CenterTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        dir_ = new testing::TempDir();
        auto add = [](const char* name, const char* role, const char* password) {
            auto r = Kizuna(*dir_, {"user", "add", name, "--role", role}, std::string(password) + "\n");
            ASSERT_EQ(r.exit_code, 0) << r.err;
        };
        add("admin", "admin", "admin-password-1");
        add("coord", "coordinator", "coord-password-1");
        add("vendor1", "vendor", "vendor-password-1");
        auto token = Kizuna(*dir_, {"token", "create", "--user", "admin"});
        ASSERT_EQ(token.exit_code, 0) << token.err;
        admin_token_ = new std::string(token.out.substr(0, token.out.find('\n')));
        auto vtoken = Kizuna(*dir_, {"token", "create", "--user", "vendor1"});
        vendor_token_ = new std::string(vtoken.out.substr(0, vtoken.out.find('\n')));
        server_ = new testing::ServerProcess(
            KIZUNA_BIN, {"--data-dir", dir_->File("data"), "--set", "server.max_body_bytes=4096"}, dir_->path());
        ASSERT_TRUE(server_->started()) << "server did not start; see " << server_->log_path();
    }
    static void TearDownTestSuite() {
        delete server_;
        delete admin_token_;
        delete vendor_token_;
        delete dir_;
    }

    HttpClient Client() { return HttpClient("127.0.0.1", server_->port()); }

    // Logs in through the form like a browser; returns the session cookie ("" on failure).
    std::string Login(HttpClient& c, const std::string& name, const std::string& password, HttpReply* out = nullptr) {
        HttpReply form = c.Request("GET", "/login");
        const std::string csrf_cookie = SetCookieValue(form, "kz_login_csrf");
        const std::string csrf = HiddenCsrf(form.body);
        HttpReply r = c.Request("POST", "/login", "csrf=" + csrf + "&name=" + name + "&password=" + password,
                                {{"Content-Type", "application/x-www-form-urlencoded"},
                                 {"Cookie", "kz_login_csrf=" + csrf_cookie}});
        if (out) *out = r;
        return SetCookieValue(r, "kz_session");
    }

    static testing::TempDir* dir_;
    static testing::ServerProcess* server_;
    static std::string* admin_token_;
    static std::string* vendor_token_;
};

inline testing::TempDir* CenterTest::dir_ = nullptr;
inline testing::ServerProcess* CenterTest::server_ = nullptr;
inline std::string* CenterTest::admin_token_ = nullptr;
inline std::string* CenterTest::vendor_token_ = nullptr;

}  // namespace kizuna::functional
