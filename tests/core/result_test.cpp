#include "core/result.hpp"

#include <gtest/gtest.h>

namespace kizuna::core {
namespace {

Result<int> Half(int n) {
    if (n % 2 != 0) return InvalidArgument("must be even", "n");
    return n / 2;
}

Result<int> Quarter(int n) {
    KZ_ASSIGN(int half, Half(n));
    KZ_ASSIGN(int quarter, Half(half));
    return quarter;
}

Status CheckEven(int n) {
    KZ_TRY(Half(n));
    return Ok();
}

TEST(ResultTest, ValueAndErrorAreExclusive) {
    Result<int> good = Half(8);
    ASSERT_TRUE(good.ok());
    EXPECT_EQ(*good, 4);
    Result<int> bad = Half(3);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(bad.error().field(), "n");
    EXPECT_EQ(bad.error().ToString(), "invalid_argument: n: must be even");
}

TEST(ResultTest, MacrosPropagateTheFirstError) {
    EXPECT_EQ(*Quarter(8), 2);
    EXPECT_FALSE(Quarter(6).ok());  // 6/2 = 3 is odd
    EXPECT_TRUE(CheckEven(2).ok());
    EXPECT_EQ(CheckEven(1).error().message(), "must be even");
}

TEST(ResultTest, ContextIsPrepended) {
    Error e = NotFound("no such user").WithContext("token create");
    EXPECT_EQ(e.message(), "token create: no such user");
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
}

TEST(ResultTest, EveryCodeHasAName) {
    for (ErrorCode c : {ErrorCode::kInvalidArgument, ErrorCode::kUnauthenticated, ErrorCode::kPermissionDenied,
                        ErrorCode::kNotFound, ErrorCode::kAlreadyExists, ErrorCode::kFailedPrecondition,
                        ErrorCode::kResourceExhausted, ErrorCode::kTooLarge, ErrorCode::kUnavailable,
                        ErrorCode::kDataLoss, ErrorCode::kInternal}) {
        EXPECT_FALSE(ErrorCodeName(c).empty());
    }
    EXPECT_EQ(ErrorCodeName(ErrorCode::kFailedPrecondition), "failed_precondition");
}

}  // namespace
}  // namespace kizuna::core
