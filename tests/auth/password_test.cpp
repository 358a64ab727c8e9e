#include "auth/password.hpp"

#include <gtest/gtest.h>

namespace kizuna::auth {
namespace {

TEST(PasswordTest, HashesAreArgon2idAndSalted) {
    auto a = HashPassword("correct horse battery", PasswordLimits::ForTests());
    auto b = HashPassword("correct horse battery", PasswordLimits::ForTests());
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(a->rfind("$argon2id$", 0), 0u) << *a;
    EXPECT_NE(*a, *b);
    EXPECT_TRUE(VerifyPassword(*a, "correct horse battery"));
    EXPECT_FALSE(VerifyPassword(*a, "correct horse batterY"));
    EXPECT_FALSE(VerifyPassword("garbage", "correct horse battery"));
}

TEST(PasswordTest, RulesNameTheField) {
    EXPECT_EQ(CheckPasswordRules("short").error().field(), "password");
    EXPECT_FALSE(CheckPasswordRules("            ").ok());
    EXPECT_TRUE(CheckPasswordRules("パスワードは十文字以上").ok());
}

}  // namespace
}  // namespace kizuna::auth
