#include "http/error_mapping.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace kizuna::http {
namespace {

using core::ErrorCode;

TEST(ErrorMappingTest, StatusTable) {
    struct Case {
        ErrorCode code;
        int status;
    };
    for (const Case& c :
         {Case{ErrorCode::kInvalidArgument, 400}, Case{ErrorCode::kUnauthenticated, 401},
          Case{ErrorCode::kPermissionDenied, 403}, Case{ErrorCode::kNotFound, 404},
          Case{ErrorCode::kAlreadyExists, 409}, Case{ErrorCode::kFailedPrecondition, 409},
          Case{ErrorCode::kResourceExhausted, 429}, Case{ErrorCode::kTooLarge, 413}, Case{ErrorCode::kUnavailable, 503},
          Case{ErrorCode::kDataLoss, 500}, Case{ErrorCode::kInternal, 500}}) {
        EXPECT_EQ(HttpStatusFor(c.code), c.status) << core::ErrorCodeName(c.code);
    }
}

TEST(ErrorMappingTest, JsonBodyWithField) {
    Response response = ErrorResponse(core::InvalidArgument("must not be empty", "name"));
    EXPECT_EQ(response.status, 400);
    EXPECT_EQ(response.Header("Content-Type"), "application/json");
    EXPECT_EQ(
        nlohmann::json::parse(response.body),
        nlohmann::json::parse(R"({"error":{"code":"invalid_argument","message":"must not be empty","field":"name"}})"));
}

TEST(ErrorMappingTest, FieldOmittedWhenEmpty) {
    Response response = ErrorResponse(core::NotFound("no such case"));
    EXPECT_EQ(response.status, 404);
    EXPECT_EQ(response.body, R"({"error":{"code":"not_found","message":"no such case"}})");
}

TEST(ErrorMappingTest, InternalMessagesDoNotLeak) {
    for (const core::Error& error :
         {core::Internal("sqlite: /var/lib/kizuna/db locked"), core::DataLoss("chain hash mismatch at row 17")}) {
        Response response = ErrorResponse(error);
        EXPECT_EQ(response.status, 500);
        EXPECT_EQ(response.body.find("sqlite"), std::string::npos);
        EXPECT_EQ(response.body.find("row 17"), std::string::npos);
        auto body = nlohmann::json::parse(response.body);
        EXPECT_EQ(body["error"]["code"], std::string(core::ErrorCodeName(error.code())));
        EXPECT_FALSE(body["error"]["message"].get<std::string>().empty());
    }
}

}  // namespace
}  // namespace kizuna::http
