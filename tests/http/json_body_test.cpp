#include "http/json_body.hpp"

#include <gtest/gtest.h>

namespace kizuna::http {
namespace {

Request JsonRequest(std::string body, std::string content_type = "application/json") {
    HeaderList headers;
    if (!content_type.empty()) headers.emplace_back("Content-Type", content_type);
    return std::move(Request::Make("POST", "/api/v1/x", std::move(headers), std::move(body))).value();
}

struct ParseCase {
    const char* name;
    std::string body;
    std::string content_type;
    bool ok;
    std::string field;    // expected error field
    std::string message;  // expected prefix of the error message
};

TEST(JsonBodyTest, ParseTable) {
    std::string deep_ok = std::string(kMaxJsonDepth - 1, '[') + std::string(kMaxJsonDepth - 1, ']');
    std::string too_deep = std::string(100000, '[');
    std::string deep_in_string = R"({"a":")" + std::string(1000, '[') + R"("})";
    const ParseCase cases[] = {
        {"valid", R"({"name":"alice","n":3})", "application/json", true, "", ""},
        {"charset param", R"({})", "Application/JSON; charset=utf-8", true, "", ""},
        {"wrong content type", R"({})", "text/plain", false, "Content-Type", "must be application/json"},
        {"missing content type", R"({})", "", false, "Content-Type", "must be application/json"},
        {"empty", "", "application/json", false, "body", "must not be empty"},
        {"syntax error", R"({"name": })", "application/json", false, "body", "syntax error at byte 9: "},
        {"truncated", R"({"name": "x")", "application/json", false, "body", "syntax error at byte 12: "},
        {"trailing garbage", R"({} x)", "application/json", false, "body", "syntax error at byte 3: "},
        {"invalid utf-8", "{\"a\":\"\xff\"}", "application/json", false, "body", "syntax error at byte "},
        {"not an object", R"([1,2])", "application/json", false, "body", "must be a JSON object"},
        {"scalar", R"("x")", "application/json", false, "body", "must be a JSON object"},
        {"too deep", too_deep, "application/json", false, "body", "nested deeper than 64 levels"},
        {"deep but allowed", "{\"a\":" + deep_ok + "}", "application/json", true, "", ""},
        {"brackets inside strings", deep_in_string, "application/json", true, "", ""},
    };
    for (const ParseCase& c : cases) {
        auto parsed = ParseJsonBody(JsonRequest(c.body, c.content_type));
        ASSERT_EQ(parsed.ok(), c.ok) << c.name << (parsed.ok() ? "" : ": " + parsed.error().ToString());
        if (c.ok) continue;
        EXPECT_EQ(parsed.error().code(), core::ErrorCode::kInvalidArgument) << c.name;
        EXPECT_EQ(parsed.error().field(), c.field) << c.name;
        EXPECT_TRUE(parsed.error().message().starts_with(c.message)) << c.name << ": " << parsed.error().message();
    }
}

TEST(JsonBodyTest, SyntaxErrorNamesReasonWithoutEchoingInput) {
    auto parsed = ParseJsonObject(R"({"secret": tru})");
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.error().message().find("last read"), std::string::npos) << parsed.error().message();
    EXPECT_NE(parsed.error().message().find("invalid literal"), std::string::npos) << parsed.error().message();
}

nlohmann::json Obj(const char* text) { return nlohmann::json::parse(text); }

TEST(JsonObjectReaderTest, Strings) {
    nlohmann::json body = Obj(R"({"name":"alice","empty":"","jp":"夏休み","num":3,"nul":"a\u0000b","nothing":null})");
    JsonObjectReader reader(body);
    EXPECT_EQ(*reader.RequireString("name", 1, 64), "alice");
    EXPECT_EQ(*reader.RequireString("jp", 1, 3), "夏休み");  // code points, not bytes

    struct Case {
        const char* field;
        std::size_t min_len;
        std::size_t max_len;
        const char* message;
    };
    for (const Case& c :
         {Case{"missing", 1, 10, "is required"}, Case{"nothing", 1, 10, "is required"},
          Case{"num", 1, 10, "must be a string"}, Case{"empty", 1, 10, "must not be empty"},
          Case{"name", 6, 10, "must be at least 6 characters"}, Case{"name", 1, 4, "must be at most 4 characters"},
          Case{"jp", 1, 2, "must be at most 2 characters"}, Case{"nul", 0, 10, "must not contain NUL characters"}}) {
        auto result = reader.RequireString(c.field, c.min_len, c.max_len);
        ASSERT_FALSE(result.ok()) << c.field;
        EXPECT_EQ(result.error().field(), c.field);
        EXPECT_EQ(result.error().message(), c.message) << c.field;
    }
    EXPECT_EQ(*reader.OptionalString("missing", 1, 10), std::nullopt);
    EXPECT_EQ(*reader.OptionalString("nothing", 1, 10), std::nullopt);
    EXPECT_EQ(*reader.OptionalString("name", 1, 10), "alice");
    EXPECT_FALSE(reader.OptionalString("num", 1, 10).ok());
}

TEST(JsonObjectReaderTest, Integers) {
    nlohmann::json body = Obj(R"({"n":5,"neg":-3,"big":18446744073709551615,"f":1.5,"s":"5"})");
    JsonObjectReader reader(body);
    EXPECT_EQ(*reader.RequireInt("n", 0, 10), 5);
    EXPECT_EQ(*reader.RequireInt("neg", -5, 0), -3);
    EXPECT_EQ(reader.RequireInt("n", 6, 10).error().message(), "must be between 6 and 10");
    EXPECT_EQ(reader.RequireInt("neg", 0, 10).error().message(), "must be between 0 and 10");
    EXPECT_EQ(reader.RequireInt("big", 0, INT64_MAX).error().field(), "big");
    EXPECT_EQ(reader.RequireInt("f", 0, 10).error().message(), "must be an integer");
    EXPECT_EQ(reader.RequireInt("s", 0, 10).error().message(), "must be an integer");
    EXPECT_EQ(reader.RequireInt("missing", 0, 10).error().message(), "is required");
    EXPECT_EQ(*reader.OptionalInt("missing", 0, 10), std::nullopt);
    EXPECT_EQ(*reader.OptionalInt("n", 0, 10), 5);
}

TEST(JsonObjectReaderTest, BoolsArraysObjects) {
    nlohmann::json body = Obj(R"({"t":true,"s":"true","tags":["a","bb"],"bad":["a",1],"c":{"email":""}})");
    JsonObjectReader reader(body);
    EXPECT_TRUE(*reader.OptionalBool("t", false));
    EXPECT_TRUE(*reader.OptionalBool("missing", true));
    EXPECT_EQ(reader.OptionalBool("s", false).error().message(), "must be true or false");
    EXPECT_EQ(*reader.StringArray("tags", true, 5, 1, 2), (std::vector<std::string>{"a", "bb"}));
    EXPECT_TRUE(reader.StringArray("missing", false, 5, 1, 2)->empty());
    EXPECT_EQ(reader.StringArray("tags", true, 1, 1, 2).error().message(), "must have at most 1 items");
    EXPECT_EQ(reader.StringArray("bad", true, 5, 1, 2).error().field(), "bad[1]");

    auto contact = reader.RequireObject("c");
    ASSERT_TRUE(contact.ok());
    auto email = contact->RequireString("email", 1, 100);
    EXPECT_EQ(email.error().field(), "c.email");
    EXPECT_EQ(reader.RequireObject("t").error().message(), "must be an object");
}

TEST(JsonObjectReaderTest, RejectUnknown) {
    nlohmann::json body = Obj(R"({"name":"a","zzz":1,"extra":2})");
    JsonObjectReader reader(body);
    EXPECT_TRUE(reader.RejectUnknown({"name", "zzz", "extra"}).ok());
    auto status = reader.RejectUnknown({"name"});
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().field(), "extra");  // keys are visited in sorted order
    EXPECT_EQ(status.error().message(), "unknown field");
}

}  // namespace
}  // namespace kizuna::http
