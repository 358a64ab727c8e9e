// A migrated temporary database with the auth services wired to a manual clock.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "auth/auth.hpp"
#include "support/manual_clock.hpp"
#include "support/temp_dir.hpp"

namespace kizuna::auth {

class AuthFixture : public ::testing::Test {
  protected:
    void SetUp() override {
        auto db = store::OpenSqlite({.path = dir_.File("auth.db")});
        ASSERT_TRUE(db.ok()) << db.error().ToString();
        db_ = std::move(db).value();
        auto migrated = store::Migrate(*db_, Migrations());
        ASSERT_TRUE(migrated.ok()) << migrated.error().ToString();
        users_ = std::make_unique<UserDirectory>(*db_, clock_, audit_, PasswordLimits::ForTests());
        sessions_ = std::make_unique<SessionManager>(*db_, clock_, *users_, audit_, SessionLimits{});
        tokens_ = std::make_unique<TokenService>(*db_, clock_, audit_);
    }

    User MakeUser(const std::string& name, Role role, const std::string& password = "correct horse battery") {
        auto u = users_->Create({name, role, password, "", name + "@example.jp", ""}, "test");
        EXPECT_TRUE(u.ok()) << u.error().ToString();
        return u.ok() ? *u : User{};
    }

    store::Connection& Conn() {
        if (!lease_) lease_ = std::make_unique<store::Lease>(std::move(db_->Acquire()).value());
        return **lease_;
    }

    kizuna::testing::TempDir dir_;
    kizuna::testing::ManualClock clock_;
    std::unique_ptr<store::Database> db_;
    AuditLog audit_{clock_};
    std::unique_ptr<UserDirectory> users_;
    std::unique_ptr<SessionManager> sessions_;
    std::unique_ptr<TokenService> tokens_;
    std::unique_ptr<store::Lease> lease_;

    void TearDown() override { lease_.reset(); }
};

}  // namespace kizuna::auth
