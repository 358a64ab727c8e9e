#include "core/ids.hpp"

#include <gtest/gtest.h>

#include <set>

namespace kizuna::core {
namespace {

TEST(IdsTest, RandomHexHasTheRequestedLength) {
    EXPECT_EQ(RandomHex(16).size(), 32u);
    EXPECT_NE(RandomHex(16), RandomHex(16));
}

TEST(IdsTest, ReceiptIdsUseCrockfordBase32) {
    RandomIdGenerator gen;
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) {
        std::string id = gen.NewReceiptId("R");
        ASSERT_EQ(id.size(), 2u + 14u);
        EXPECT_EQ(id.substr(0, 2), "R-");
        EXPECT_EQ(id.find_first_of("ILOU"), std::string::npos);
        seen.insert(id);
    }
    EXPECT_EQ(seen.size(), 200u);
}

TEST(IdsTest, StrongIdsCompareByValue) {
    struct UserTag;
    Id<UserTag> a(3), b(3), c(4);
    EXPECT_EQ(a, b);
    EXPECT_LT(a, c);
    EXPECT_FALSE(Id<UserTag>().valid());
}

}  // namespace
}  // namespace kizuna::core
