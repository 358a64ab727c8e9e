#include "http/request.hpp"

#include <gtest/gtest.h>

#include "http/internal/percent.hpp"

namespace kizuna::http {
namespace {

Request MakeOrDie(std::string method, std::string target, HeaderList headers = {}, std::string body = {}) {
    auto request = Request::Make(std::move(method), std::move(target), std::move(headers), std::move(body));
    EXPECT_TRUE(request.ok()) << request.error().ToString();
    return std::move(request).value();
}

TEST(RequestTest, PathIsPercentDecodedWithoutQuery) {
    Request request = MakeOrDie("GET", "/a%20b/c+d?x=1");
    EXPECT_EQ(request.path, "/a b/c+d");
    EXPECT_EQ(request.query_string(), "x=1");
    EXPECT_EQ(request.target, "/a%20b/c+d?x=1");
}

TEST(RequestTest, RejectsBadTargets) {
    struct Case {
        const char* target;
        const char* why;
    };
    for (const Case& c : {Case{"", "empty"}, Case{"http://x/y", "absolute form"}, Case{"/a%zz", "bad escape"},
                          Case{"/a%2", "truncated escape"}, Case{"/a%00b", "NUL"}}) {
        auto request = Request::Make("GET", c.target);
        ASSERT_FALSE(request.ok()) << c.why;
        EXPECT_EQ(request.error().code(), core::ErrorCode::kInvalidArgument);
        EXPECT_EQ(request.error().field(), "target");
    }
}

TEST(RequestTest, QueryParameters) {
    Request request = MakeOrDie("GET", "/s?q=a+b%21&empty=&flag&q=second&%C3%A9t%C3%A9=%E5%A4%8F&bad=%zz");
    EXPECT_EQ(request.Query("q"), "a b!");  // first occurrence wins
    EXPECT_EQ(request.Query("empty"), "");
    EXPECT_EQ(request.Query("flag"), "");
    EXPECT_EQ(request.Query("été"), "夏");
    EXPECT_EQ(request.Query("bad"), "%zz");  // malformed escapes are kept literally
    EXPECT_EQ(request.Query("missing"), std::nullopt);
    EXPECT_EQ(MakeOrDie("GET", "/").Query("q"), std::nullopt);
}

TEST(RequestTest, HeadersAreCaseInsensitive) {
    Request request = MakeOrDie("GET", "/", {{"Content-Type", "text/plain"}, {"X-Twice", "1"}, {"x-twice", "2"}});
    EXPECT_EQ(request.Header("content-type"), "text/plain");
    EXPECT_EQ(request.Header("CONTENT-TYPE"), "text/plain");
    EXPECT_EQ(request.Header("X-Twice"), "1");
    EXPECT_EQ(request.Header("Accept"), "");
}

TEST(RequestTest, Cookies) {
    Request request =
        MakeOrDie("GET", "/", {{"Cookie", "sid=abc123; theme=\"dark\";  lang=ja ;empty="}, {"Cookie", "other=x"}});
    EXPECT_EQ(request.Cookie("sid"), "abc123");
    EXPECT_EQ(request.Cookie("theme"), "dark");
    EXPECT_EQ(request.Cookie("lang"), "ja");
    EXPECT_EQ(request.Cookie("empty"), "");
    EXPECT_EQ(request.Cookie("other"), "x");
    EXPECT_EQ(request.Cookie("si"), std::nullopt);
    EXPECT_EQ(MakeOrDie("GET", "/").Cookie("sid"), std::nullopt);
}

TEST(RequestTest, FormFields) {
    Request request =
        MakeOrDie("POST", "/login", {{"Content-Type", "application/x-www-form-urlencoded; charset=UTF-8"}},
                  "user=alice&password=p%26ss+word%3D&tag=a&tag=b&csrf=");
    EXPECT_EQ(request.Form("user"), "alice");
    EXPECT_EQ(request.Form("password"), "p&ss word=");
    EXPECT_EQ(request.Form("csrf"), "");
    EXPECT_EQ(request.Form("missing"), std::nullopt);
    EXPECT_EQ(request.FormAll("tag"), (std::vector<std::string>{"a", "b"}));
}

TEST(RequestTest, FormNeedsFormContentType) {
    Request request = MakeOrDie("POST", "/x", {{"Content-Type", "application/json"}}, "user=alice");
    EXPECT_EQ(request.Form("user"), std::nullopt);
    EXPECT_TRUE(request.FormAll("user").empty());
}

TEST(RequestTest, ParamsSetByRouter) {
    Request request = MakeOrDie("GET", "/u/bob");
    request.SetParams({{"name", "bob"}});
    EXPECT_EQ(request.Param("name"), "bob");
    EXPECT_EQ(request.Param("other"), "");
}

TEST(PercentTest, StrictAndLenientDecoding) {
    using detail::PlusMode;
    EXPECT_EQ(detail::PercentDecode("a%2Fb%2fc", PlusMode::kLiteral), "a/b/c");
    EXPECT_EQ(detail::PercentDecode("a+b", PlusMode::kLiteral), "a+b");
    EXPECT_EQ(detail::PercentDecode("a+b", PlusMode::kSpace), "a b");
    EXPECT_EQ(detail::PercentDecode("%", PlusMode::kLiteral), std::nullopt);
    EXPECT_EQ(detail::PercentDecode("%g0", PlusMode::kLiteral), std::nullopt);
    EXPECT_EQ(detail::PercentDecodeLenient("100%", PlusMode::kLiteral), "100%");
    EXPECT_EQ(detail::PercentDecodeLenient("%4", PlusMode::kLiteral), "%4");
}

}  // namespace
}  // namespace kizuna::http
