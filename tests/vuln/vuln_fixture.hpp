// A migrated database with coordinators, vendors (general, individual, unregistered), their portal
// accounts and a reporter, wired to a manual clock.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "auth/auth.hpp"
#include "sched/sched.hpp"
#include "support/manual_clock.hpp"
#include "support/temp_dir.hpp"
#include "vuln/vuln.hpp"

namespace kizuna::vuln {

class VulnFixture : public ::testing::Test {
  protected:
    void SetUp() override {
        db_ = std::move(store::OpenSqlite({.path = dir_.File("vuln.db")})).value();
        std::vector<store::Migration> all;
        for (const auto& m : auth::Migrations()) all.push_back(m);
        for (const auto& m : Migrations()) all.push_back(m);
        for (const auto& m : sched::Migrations()) all.push_back(m);
        auto migrated = store::Migrate(*db_, all);
        ASSERT_TRUE(migrated.ok()) << migrated.error().ToString();
        users_ = std::make_unique<auth::UserDirectory>(*db_, clock_, audit_, auth::PasswordLimits::ForTests());
        vendors_ = std::make_unique<VendorRegistry>(*db_, clock_, audit_);
        cases_ = std::make_unique<CaseService>(*db_, clock_, audit_, *vendors_, "JVNVU#{seq:8}");

        coord_ = User("coord", auth::Role::kCoordinator);
        reporter_ = User("finder", auth::Role::kReporter);
        other_reporter_ = User("finder2", auth::Role::kReporter);
        a_ = RegisteredVendor("さくら電機", RegistrationKind::kGeneral, "sakura", {"SR-1000 Router"});
        b_ = RegisteredVendor("Hikari Networks", RegistrationKind::kGeneral, "hikari", {"HN Gateway"});
        c_ = RegisteredVendor("Komorebi Soft", RegistrationKind::kIndividual, "komorebi", {"Komorebi Viewer"});
        d_ = std::move(vendors_->Create({"Unknown Cam Co.", "", RegistrationKind::kUnregistered}, "coord")).value();
    }

    auth::Principal User(const std::string& name, auth::Role role) {
        auto u = users_->Create({name, role, "long-enough-password"}, "test");
        EXPECT_TRUE(u.ok()) << u.error().ToString();
        return auth::Principal{u->id, u->name, u->display_name, role, false};
    }

    VendorId RegisteredVendor(const std::string& name, RegistrationKind kind, const std::string& account,
                              const std::vector<std::string>& products) {
        VendorId id = std::move(vendors_->Create({name, "", kind}, "coord")).value();
        EXPECT_TRUE(vendors_->AddContact(id, {0, "PSIRT", account + "@example.jp", "", true}, "coord").ok());
        if (kind == RegistrationKind::kGeneral) {
            EXPECT_TRUE(vendors_->AgreeToTerms(id, "2026-04", "coord").ok());
            for (auto s : {RegistrationState::kDocumentsReceived, RegistrationState::kMeeting,
                           RegistrationState::kRegistered})
                EXPECT_TRUE(vendors_->Advance(id, s, "coord", "").ok());
        } else {
            EXPECT_TRUE(vendors_->Advance(id, RegistrationState::kRegistered, "coord", "by e-mail").ok());
        }
        for (const auto& p : products)
            EXPECT_TRUE(vendors_->AddProduct(id, p, {{"openssl", "3.0.7", ""}, {"busybox", "1.36.1", ""}}, "coord").ok());
        auth::Principal member = User(account, auth::Role::kVendor);
        EXPECT_TRUE(vendors_->AddMember(id, member.id, "coord").ok());
        members_[id.value()] = member;
        return id;
    }

    Caller Coord() { return Caller{&coord_, std::nullopt}; }
    Caller VendorCaller(VendorId v) { return Caller{&members_[v.value()], v}; }
    Caller Reporter() { return Caller{&reporter_, std::nullopt}; }
    Caller OtherReporter() { return Caller{&other_reporter_, std::nullopt}; }
    Caller Anonymous() { return Caller{}; }

    // A verified case naming `products`, submitted by the reporter account.
    CaseId VerifiedCase(const std::vector<std::string>& products = {"SR-1000 Router"}) {
        NewCase n;
        n.title = "Stack overflow in the UPnP service";
        n.summary = "A vulnerability in a UPnP implementation.";
        n.details = "Sending a crafted M-SEARCH with a 4 KiB ST header overflows a stack buffer.";
        n.keywords = {"upnp"};
        n.components = {{"libupnp", "< 1.14.18"}};
        n.products = products;
        auto r = cases_->Submit(n, Reporter());
        EXPECT_TRUE(r.ok()) << r.error().ToString();
        EXPECT_TRUE(cases_->Verify(r->id, Verification::kReproduced, "reproduced on SR-1000", Coord()).ok());
        return r->id;
    }

    kizuna::testing::TempDir dir_;
    kizuna::testing::ManualClock clock_;
    std::unique_ptr<store::Database> db_;
    auth::AuditLog audit_{clock_};
    std::unique_ptr<auth::UserDirectory> users_;
    std::unique_ptr<VendorRegistry> vendors_;
    std::unique_ptr<CaseService> cases_;
    auth::Principal coord_, reporter_, other_reporter_;
    std::map<std::int64_t, auth::Principal> members_;
    VendorId a_, b_, c_, d_;
};

}  // namespace kizuna::vuln
