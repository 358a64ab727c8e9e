#include "auth/sessions.hpp"

#include <atomic>
#include <thread>

#include "auth_fixture.hpp"

namespace kizuna::auth {
namespace {

using SessionsTest = AuthFixture;

TEST_F(SessionsTest, LoginOpensASessionThatResolves) {
    MakeUser("alice", Role::kCoordinator);
    auto s = sessions_->Login("alice", "correct horse battery", "192.0.2.1");
    ASSERT_TRUE(s.ok()) << s.error().ToString();
    EXPECT_EQ(s->token.size(), 64u);
    EXPECT_EQ(s->csrf_token.size(), 64u);
    auto resolved = sessions_->Resolve(s->token);
    ASSERT_TRUE(resolved.ok() && resolved->has_value());
    EXPECT_EQ((*resolved)->principal.name, "alice");
    EXPECT_EQ((*resolved)->principal.role, Role::kCoordinator);
    EXPECT_EQ((*resolved)->csrf_token, s->csrf_token);
    // The cookie value itself is not in the database.
    EXPECT_EQ(*Conn().QueryInt("SELECT count(*) FROM sessions WHERE token_hash = ?", {s->token}), 0);
}

TEST_F(SessionsTest, WrongPasswordAndUnknownUserLookAlike) {
    MakeUser("alice", Role::kVendor);
    auto wrong = sessions_->Login("alice", "not the password", "192.0.2.1");
    auto unknown = sessions_->Login("nobody", "not the password", "192.0.2.1");
    ASSERT_FALSE(wrong.ok());
    ASSERT_FALSE(unknown.ok());
    EXPECT_EQ(wrong.error().code(), core::ErrorCode::kUnauthenticated);
    EXPECT_EQ(wrong.error().message(), unknown.error().message());
}

TEST_F(SessionsTest, RepeatedFailuresLockTheAccountForAWhile) {
    MakeUser("alice", Role::kVendor);
    for (int i = 0; i < 5; ++i) {
        clock_.Advance(std::chrono::seconds(10));
        EXPECT_EQ(sessions_->Login("alice", "guess " + std::to_string(i), "198.51.100." + std::to_string(i))
                      .error()
                      .code(),
                  core::ErrorCode::kUnauthenticated);
    }
    // Even the right password is refused during the lockout, from any address.
    auto locked = sessions_->Login("alice", "correct horse battery", "203.0.113.9");
    ASSERT_FALSE(locked.ok());
    EXPECT_EQ(locked.error().code(), core::ErrorCode::kResourceExhausted);
    clock_.Advance(std::chrono::minutes(16));
    EXPECT_TRUE(sessions_->Login("alice", "correct horse battery", "203.0.113.9").ok());
}

TEST_F(SessionsTest, OneAddressGuessingManyAccountsIsThrottled) {
    // An address gets four times the per-account allowance (people behind one NAT), then it is blocked.
    for (int i = 0; i < 20; ++i) {
        clock_.Advance(std::chrono::seconds(1));
        auto failed = sessions_->Login("user" + std::to_string(i), "guess", "198.51.100.7");
        ASSERT_FALSE(failed.ok()) << "attempt " << i;
        EXPECT_EQ(failed.error().code(), core::ErrorCode::kUnauthenticated) << "attempt " << i;
    }
    MakeUser("bob", Role::kReporter);
    EXPECT_EQ(sessions_->Login("bob", "correct horse battery", "198.51.100.7").error().code(),
              core::ErrorCode::kResourceExhausted);
    EXPECT_TRUE(sessions_->Login("bob", "correct horse battery", "198.51.100.8").ok());
}

TEST_F(SessionsTest, SlowFailuresDoNotLock) {
    MakeUser("alice", Role::kVendor);
    for (int i = 0; i < 8; ++i) {
        clock_.Advance(std::chrono::minutes(20));
        auto failed = sessions_->Login("alice", "typo", "192.0.2.1");
        ASSERT_FALSE(failed.ok()) << "attempt " << i;
        // Checked (wrong password), never throttled: the failures are too far apart.
        EXPECT_EQ(failed.error().code(), core::ErrorCode::kUnauthenticated) << "attempt " << i;
    }
    EXPECT_TRUE(sessions_->Login("alice", "correct horse battery", "192.0.2.1").ok());
}

TEST_F(SessionsTest, SessionsExpireAndLogoutEndsThem) {
    MakeUser("alice", Role::kCoordinator);
    auto s = sessions_->Login("alice", "correct horse battery", "192.0.2.1");
    ASSERT_TRUE(s.ok());
    clock_.Advance(std::chrono::hours(13));
    EXPECT_FALSE(sessions_->Resolve(s->token)->has_value());

    auto s2 = sessions_->Login("alice", "correct horse battery", "192.0.2.1");
    ASSERT_TRUE(s2.ok());
    EXPECT_EQ(*sessions_->ActiveCount(), 1);
    ASSERT_TRUE(sessions_->Logout(s2->token, "192.0.2.1").ok());
    EXPECT_FALSE(sessions_->Resolve(s2->token)->has_value());
}

TEST_F(SessionsTest, EveryOutcomeIsAudited) {
    MakeUser("alice", Role::kCoordinator);
    ASSERT_EQ(sessions_->Login("alice", "wrong password!", "192.0.2.1").error().code(),
              core::ErrorCode::kUnauthenticated);
    auto s = sessions_->Login("alice", "correct horse battery", "192.0.2.1");
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE(sessions_->Logout(s->token, "192.0.2.1").ok());
    auto rows = Conn().Query("SELECT action FROM audit_log ORDER BY seq");
    ASSERT_TRUE(rows.ok());
    std::vector<std::string> actions;
    for (const auto& r : *rows) actions.push_back(r.Text(0));
    EXPECT_EQ(actions, (std::vector<std::string>{"user.create", "auth.login_failed", "auth.login", "auth.logout"}));
    EXPECT_TRUE(AuditLog::Verify(Conn())->intact);
}

TEST_F(SessionsTest, ParallelGuessesGetNoMoreChecksThanTheLimit) {
    // 30 wrong passwords at once: the check and the record of an attempt are one atomic step, so no more
    // than max_failures (5) passwords are ever checked; the rest are refused as throttled.
    MakeUser("alice", Role::kVendor);
    constexpr int kAttempts = 30;
    std::atomic<int> checked{0}, throttled{0}, other{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int i = 0; i < kAttempts; ++i) {
        threads.emplace_back([&, i] {
            while (!go.load()) std::this_thread::yield();
            auto r = sessions_->Login("alice", "guess " + std::to_string(i), "203.0.113." + std::to_string(i % 200));
            if (r.ok()) {
                ++other;
            } else if (r.error().code() == core::ErrorCode::kUnauthenticated) {
                ++checked;
            } else if (r.error().code() == core::ErrorCode::kResourceExhausted) {
                ++throttled;
            } else {
                ADD_FAILURE() << r.error().ToString();
                ++other;
            }
        });
    }
    go = true;
    for (auto& t : threads) t.join();
    EXPECT_EQ(other.load(), 0);
    EXPECT_EQ(checked.load(), 5);
    EXPECT_EQ(throttled.load(), kAttempts - 5);
    EXPECT_EQ(*Conn().QueryInt("SELECT count(*) FROM audit_log WHERE action = 'auth.login_failed'"), 5);
}

TEST_F(SessionsTest, UserNamesAreValidated) {
    EXPECT_EQ(users_->Create({"Bad Name", Role::kVendor, "correct horse battery"}, "t").error().field(), "name");
    EXPECT_EQ(users_->Create({"ok", Role::kVendor, "short"}, "t").error().field(), "password");
    MakeUser("taken", Role::kVendor);
    auto dup = users_->Create({"taken", Role::kVendor, "correct horse battery"}, "t");
    ASSERT_FALSE(dup.ok());
    EXPECT_EQ(dup.error().code(), core::ErrorCode::kAlreadyExists);
    EXPECT_TRUE(users_->Create({"sensor-01", Role::kSensor, ""}, "t").ok());
}

}  // namespace
}  // namespace kizuna::auth
