// The whole site in process (no sockets): every page and endpoint as each kind of caller, against the
// one policy. 401/303 for anonymous callers, 403 for the wrong role, 200 for the right one.
#include "web/site.hpp"

#include <gtest/gtest.h>

#include "support/manual_clock.hpp"
#include "support/temp_dir.hpp"

namespace kizuna::web {
namespace {

class SiteTest : public ::testing::Test {
  protected:
    void SetUp() override {
        db_ = std::move(store::OpenSqlite({.path = dir_.File("site.db")})).value();
        std::vector<store::Migration> all;
        for (const auto& m : auth::Migrations()) all.push_back(m);
        for (const auto& m : vuln::Migrations()) all.push_back(m);
        ASSERT_TRUE(store::Migrate(*db_, all).ok());
        users_ = std::make_unique<auth::UserDirectory>(*db_, clock_, audit_, auth::PasswordLimits::ForTests());
        sessions_ = std::make_unique<auth::SessionManager>(*db_, clock_, *users_, audit_, auth::SessionLimits{});
        tokens_ = std::make_unique<auth::TokenService>(*db_, clock_, audit_);
        vendors_ = std::make_unique<vuln::VendorRegistry>(*db_, clock_, audit_);
        cases_ = std::make_unique<vuln::CaseService>(*db_, clock_, audit_, *vendors_, "JVNVU#{seq:8}");
        for (auto [name, role] : {std::pair{"admin", auth::Role::kAdmin}, {"coord", auth::Role::kCoordinator},
                                  {"vendor", auth::Role::kVendor}, {"reporter", auth::Role::kReporter}}) {
            ASSERT_TRUE(users_->Create({name, role, "long-enough-password"}, "test").ok());
            secrets_[name] = std::move(tokens_->Create(name, "", "test")).value().secret;
        }
        site_ = std::make_unique<Site>(SiteServices{config_, clock_, log_, *db_, audit_, *users_, *sessions_,
                                                    *tokens_, metrics_, *core::TimeZone::Load("Asia/Tokyo"), *vendors_, *cases_});
        handler_ = site_->Handler();
    }

    int Status(const std::string& method, const std::string& target, const std::string& who) {
        http::HeaderList headers;
        if (!who.empty()) headers.push_back({"Authorization", "Bearer " + secrets_[who]});
        auto req = http::Request::Make(method, target, headers);
        EXPECT_TRUE(req.ok());
        req->remote_ip = "192.0.2.1";
        return handler_(*req).status;
    }

    kizuna::testing::TempDir dir_;
    kizuna::testing::ManualClock clock_;
    core::Config config_;
    core::Logger log_{clock_, core::LogLevel::kError};
    std::unique_ptr<store::Database> db_;
    auth::AuditLog audit_{clock_};
    std::unique_ptr<auth::UserDirectory> users_;
    std::unique_ptr<auth::SessionManager> sessions_;
    std::unique_ptr<auth::TokenService> tokens_;
    std::map<std::string, std::string> secrets_;
    std::unique_ptr<vuln::VendorRegistry> vendors_;
    std::unique_ptr<vuln::CaseService> cases_;
    http::Metrics metrics_;
    std::unique_ptr<Site> site_;
    http::Handler handler_;
};

TEST_F(SiteTest, EveryRouteAsEveryRole) {
    struct Case {
        const char* method;
        const char* target;
        int anonymous, reporter, vendor, coord, admin;
    } cases[] = {
        {"GET", "/", 200, 200, 200, 200, 200},
        {"GET", "/login", 200, 200, 200, 200, 200},
        {"GET", "/healthz", 200, 200, 200, 200, 200},
        {"GET", "/static/kizuna.css", 200, 200, 200, 200, 200},
        {"GET", "/dashboard", 303, 403, 403, 200, 200},
        {"GET", "/audit", 303, 403, 403, 200, 200},
        {"GET", "/users", 303, 403, 403, 200, 200},
        {"GET", "/account", 303, 200, 200, 200, 200},
        {"GET", "/metrics", 401, 403, 403, 200, 200},
        {"GET", "/api/v1/me", 401, 200, 200, 200, 200},
        {"GET", "/api/v1/users", 401, 403, 403, 200, 200},
        {"GET", "/api/v1/audit/verify", 401, 403, 403, 200, 200},
        {"GET", "/no-such-page", 404, 404, 404, 404, 404},
    };
    for (const Case& c : cases) {
        EXPECT_EQ(Status(c.method, c.target, ""), c.anonymous) << c.target << " anonymous";
        EXPECT_EQ(Status(c.method, c.target, "reporter"), c.reporter) << c.target << " reporter";
        EXPECT_EQ(Status(c.method, c.target, "vendor"), c.vendor) << c.target << " vendor";
        EXPECT_EQ(Status(c.method, c.target, "coord"), c.coord) << c.target << " coordinator";
        EXPECT_EQ(Status(c.method, c.target, "admin"), c.admin) << c.target << " admin";
    }
}

}  // namespace
}  // namespace kizuna::web
