#include "auth/tokens.hpp"

#include "auth_fixture.hpp"

namespace kizuna::auth {
namespace {

using TokensTest = AuthFixture;

TEST_F(TokensTest, TokensResolveToTheirUserUntilRevoked) {
    MakeUser("sensor-01", Role::kSensor, "");
    auto t = tokens_->Create("sensor-01", "tokyo sensor", "admin");
    ASSERT_TRUE(t.ok()) << t.error().ToString();
    EXPECT_EQ(t->secret.rfind("kz_", 0), 0u);
    auto p = tokens_->Resolve(t->secret);
    ASSERT_TRUE(p.ok() && p->has_value());
    EXPECT_EQ((*p)->role, Role::kSensor);
    EXPECT_TRUE((*p)->via_token);
    EXPECT_EQ(*Conn().QueryInt("SELECT count(*) FROM api_tokens WHERE token_hash = ?", {t->secret}), 0);
    ASSERT_TRUE(tokens_->Revoke(t->id, "admin").ok());
    EXPECT_FALSE(tokens_->Resolve(t->secret)->has_value());
}

TEST_F(TokensTest, UnknownUsersAndGarbageAreRejected) {
    EXPECT_EQ(tokens_->Create("ghost", "", "admin").error().code(), core::ErrorCode::kNotFound);
    EXPECT_FALSE(tokens_->Resolve("kz_" + std::string(64, '0'))->has_value());
    EXPECT_FALSE(tokens_->Resolve("Bearer nonsense")->has_value());
}

TEST_F(TokensTest, TokensExpireByDefaultAndNeverLaterThanTheMaximum) {
    MakeUser("bob", Role::kVendor);
    TokenService tokens(*db_, clock_, audit_, TokenLimits{std::chrono::days(30), std::chrono::days(60)});
    auto t = tokens.Create("bob", "", "bob");
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->expires, clock_.Now() + std::chrono::days(30));
    auto too_long = tokens.Create("bob", "", "bob", std::chrono::days(61));
    ASSERT_FALSE(too_long.ok());
    EXPECT_EQ(too_long.error().field(), "expires_in_days");
    auto week = tokens.Create("bob", "", "bob", std::chrono::days(7));
    ASSERT_TRUE(week.ok());
    clock_.Advance(std::chrono::days(7));
    EXPECT_FALSE(tokens.Resolve(week->secret)->has_value());
    EXPECT_TRUE(tokens.Resolve(t->secret)->has_value());
    clock_.Advance(std::chrono::days(23));
    EXPECT_FALSE(tokens.Resolve(t->secret)->has_value());
    EXPECT_EQ(*tokens.ActiveCount(), 0);
}

TEST_F(TokensTest, ListingShowsStateButNoSecret) {
    const User bob = MakeUser("bob", Role::kVendor);
    MakeUser("carol", Role::kVendor);
    auto a = tokens_->Create("bob", "ci", "bob");
    auto b = tokens_->Create("carol", "", "carol");
    ASSERT_TRUE(a.ok() && b.ok());
    ASSERT_TRUE(tokens_->Revoke(a->id, "bob").ok());
    EXPECT_EQ(tokens_->Revoke(a->id, "bob").error().code(), core::ErrorCode::kFailedPrecondition);
    EXPECT_EQ(tokens_->Revoke(999, "bob").error().code(), core::ErrorCode::kNotFound);
    auto bobs = tokens_->List(bob.id);
    ASSERT_TRUE(bobs.ok());
    ASSERT_EQ(bobs->size(), 1u);
    EXPECT_EQ((*bobs)[0].label, "ci");
    EXPECT_TRUE((*bobs)[0].revoked);
    EXPECT_FALSE((*bobs)[0].revoked_at.empty());
    EXPECT_EQ(tokens_->List(std::nullopt)->size(), 2u);
}

TEST_F(TokensTest, DisablingAnAccountOrChangingItsPasswordRevokesEverything) {
    MakeUser("bob", Role::kVendor);
    auto t = tokens_->Create("bob", "", "bob");
    auto s = sessions_->Login("bob", "correct horse battery", "192.0.2.1");
    ASSERT_TRUE(t.ok() && s.ok());
    ASSERT_TRUE(users_->ChangePassword("bob", "a new horse battery", "admin").ok());
    EXPECT_FALSE(tokens_->Resolve(t->secret)->has_value());
    EXPECT_FALSE(sessions_->Resolve(s->token)->has_value());
    EXPECT_FALSE(sessions_->Login("bob", "correct horse battery", "192.0.2.1").ok());
    auto s2 = sessions_->Login("bob", "a new horse battery", "192.0.2.1");
    ASSERT_TRUE(s2.ok());
    auto t2 = tokens_->Create("bob", "", "bob");
    ASSERT_TRUE(t2.ok());
    ASSERT_TRUE(users_->SetDisabled("bob", true, "admin").ok());
    ASSERT_TRUE(users_->SetDisabled("bob", false, "admin").ok());
    // Enabling does not bring them back.
    EXPECT_FALSE(tokens_->Resolve(t2->secret)->has_value());
    EXPECT_FALSE(sessions_->Resolve(s2->token)->has_value());
    EXPECT_EQ(users_->ChangePassword("bob", "short", "admin").error().field(), "password");
    EXPECT_EQ(users_->SetDisabled("nobody", true, "admin").error().code(), core::ErrorCode::kNotFound);
    auto detail = Conn().Query("SELECT detail FROM audit_log WHERE action = 'user.disable'");
    ASSERT_TRUE(detail.ok() && detail->size() == 1);
    EXPECT_EQ((*detail)[0].Text(0), "{\"sessions_ended\":1,\"tokens_revoked\":1}");
}

}  // namespace
}  // namespace kizuna::auth
