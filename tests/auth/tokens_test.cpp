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

}  // namespace
}  // namespace kizuna::auth
