// The whole site in process (no sockets), with accounts and bearer tokens for every role.
#pragma once

#include <gtest/gtest.h>

#include <map>

#include "support/manual_clock.hpp"
#include "support/temp_dir.hpp"
#include "sched/sched.hpp"
#include "web/site.hpp"

namespace kizuna::web {

class SiteFixture : public ::testing::Test {
  protected:
    void SetUp() override {
        db_ = std::move(store::OpenSqlite({.path = dir_.File("site.db")})).value();
        std::vector<store::Migration> all;
        for (const auto& m : auth::Migrations()) all.push_back(m);
        for (const auto& m : vuln::Migrations()) all.push_back(m);
        for (const auto& m : sched::Migrations()) all.push_back(m);
        for (const auto& m : mail::Migrations()) all.push_back(m);
        for (const auto& m : observe::TrendMigrations()) all.push_back(m);
        ASSERT_TRUE(store::Migrate(*db_, all).ok());
        users_ = std::make_unique<auth::UserDirectory>(*db_, clock_, audit_, auth::PasswordLimits::ForTests());
        sessions_ = std::make_unique<auth::SessionManager>(*db_, clock_, *users_, audit_, auth::SessionLimits{});
        tokens_ = std::make_unique<auth::TokenService>(*db_, clock_, audit_);
        vendors_ = std::make_unique<vuln::VendorRegistry>(*db_, clock_, audit_);
        cases_ = std::make_unique<vuln::CaseService>(*db_, clock_, audit_, *vendors_, "JVNVU#{seq:8}", report_throttle_,
                                                     *core::TimeZone::Load("Asia/Tokyo"));
        schedule_ = std::make_unique<vuln::ScheduleService>(*db_, clock_, audit_, *core::TimeZone::Load("Asia/Tokyo"));
        scheduler_ = std::make_unique<sched::Scheduler>(*db_, clock_, log_);
        schedule_->RegisterJobs(*scheduler_);
        infrastructure_ = std::make_unique<vuln::InfrastructureRegistry>(*db_, clock_, audit_);
        early_notices_ = std::make_unique<vuln::EarlyNoticeService>(*db_, clock_, audit_);
        secondary_ = std::make_unique<vuln::SecondaryService>(*db_, clock_, audit_);
        international_ = std::make_unique<vuln::InternationalService>(*db_, clock_, audit_, *cases_);
        keyring_ = std::make_unique<mail::CenterKeyring>(std::move(mail::CenterKeyring::Open(dir_.File("gnupg"))).value());
        mail_inbound_ = std::make_unique<mail::InboundService>(*db_, clock_, *keyring_, mail::MimeLimits{});
        mail_outbound_ = std::make_unique<mail::OutboundSender>(*db_, clock_, log_, *keyring_, mail::RelayOptions{});
        advisories_ = std::make_unique<vuln::AdvisoryService>(*db_, clock_, audit_);
        for (auto [name, role] : {std::pair{"admin", auth::Role::kAdmin}, {"coord", auth::Role::kCoordinator},
                                  {"vendor", auth::Role::kVendor}, {"reporter", auth::Role::kReporter}}) {
            ASSERT_TRUE(users_->Create({name, role, "long-enough-password"}, "test").ok());
            secrets_[name] = std::move(tokens_->Create(name, "", "test")).value().secret;
        }
        SiteServices services{config_, clock_, log_, *db_, audit_, *users_, *sessions_,
                              *tokens_, metrics_, *core::TimeZone::Load("Asia/Tokyo"), *vendors_, *cases_, *schedule_, *scheduler_,
                              *infrastructure_, *early_notices_, *secondary_, *international_, *mail_inbound_, *mail_outbound_, *advisories_};
        Customize(services);
        site_ = std::make_unique<Site>(std::move(services));
        handler_ = site_->Handler();
    }

    // Fixtures for later parts (observation) set their services here, before the Site is built.
    virtual void Customize(SiteServices& /*services*/) {}

    http::Response Call(const std::string& method, const std::string& target, const std::string& who,
                        const std::string& body = "") {
        http::HeaderList headers;
        if (!who.empty()) headers.push_back({"Authorization", "Bearer " + secrets_[who]});
        if (!body.empty()) headers.push_back({"Content-Type", "application/json"});
        auto req = http::Request::Make(method, target, headers, body);
        EXPECT_TRUE(req.ok());
        req->remote_ip = "192.0.2.1";
        return handler_(*req);
    }
    int Status(const std::string& method, const std::string& target, const std::string& who) {
        return Call(method, target, who).status;
    }
    // Tokens expire (auth.token_ttl_days): a test that moves the clock far ahead issues fresh ones.
    void ReissueTokens() {
        for (auto& [name, secret] : secrets_) secret = std::move(tokens_->Create(name, "", "test")).value().secret;
    }
    auth::Principal AddUser(const std::string& name, auth::Role role) {
        auto u = users_->Create({name, role, "long-enough-password"}, "test");
        EXPECT_TRUE(u.ok());
        secrets_[name] = std::move(tokens_->Create(name, "", "test")).value().secret;
        return auth::Principal{u->id, u->name, u->display_name, role, false};
    }

    kizuna::testing::TempDir dir_;
    kizuna::testing::ManualClock clock_;
    core::Config config_;
    vuln::ReportThrottle report_throttle_;
    core::Logger log_{clock_, core::LogLevel::kError};
    std::unique_ptr<store::Database> db_;
    auth::AuditLog audit_{clock_};
    std::unique_ptr<auth::UserDirectory> users_;
    std::unique_ptr<auth::SessionManager> sessions_;
    std::unique_ptr<auth::TokenService> tokens_;
    std::map<std::string, std::string> secrets_;
    std::unique_ptr<vuln::VendorRegistry> vendors_;
    std::unique_ptr<vuln::CaseService> cases_;
    std::unique_ptr<vuln::ScheduleService> schedule_;
    std::unique_ptr<sched::Scheduler> scheduler_;
    std::unique_ptr<vuln::InfrastructureRegistry> infrastructure_;
    std::unique_ptr<vuln::EarlyNoticeService> early_notices_;
    std::unique_ptr<vuln::SecondaryService> secondary_;
    std::unique_ptr<vuln::InternationalService> international_;
    std::unique_ptr<mail::CenterKeyring> keyring_;
    std::unique_ptr<mail::InboundService> mail_inbound_;
    std::unique_ptr<mail::OutboundSender> mail_outbound_;
    std::unique_ptr<vuln::AdvisoryService> advisories_;
    http::Metrics metrics_;
    std::unique_ptr<Site> site_;
    http::Handler handler_;
};

}  // namespace kizuna::web
