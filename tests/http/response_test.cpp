#include "http/response.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "http/internal/wire.hpp"

namespace kizuna::http {
namespace {

TEST(ResponseTest, Factories) {
    Response text = Response::Text(201, "hi");
    EXPECT_EQ(text.status, 201);
    EXPECT_EQ(text.Header("content-type"), "text/plain; charset=utf-8");
    EXPECT_EQ(text.body, "hi");

    EXPECT_EQ(Response::Html(200, "<p>").Header("Content-Type"), "text/html; charset=utf-8");

    Response json = Response::Json(200, {{"a", 1}, {"b", "夏"}});
    EXPECT_EQ(json.Header("Content-Type"), "application/json");
    EXPECT_EQ(json.body, R"({"a":1,"b":"夏"})");

    Response redirect = Response::Redirect("/login");
    EXPECT_EQ(redirect.status, 303);
    EXPECT_EQ(redirect.Header("Location"), "/login");
    EXPECT_EQ(Response::Redirect("/x", 302).status, 302);
}

TEST(ResponseTest, SetHeaderReplacesAddHeaderAppends) {
    Response response;
    response.AddHeader("X-A", "1");
    response.AddHeader("x-a", "2");
    response.SetHeader("X-A", "3");
    ASSERT_EQ(response.headers.size(), 1u);
    EXPECT_EQ(response.Header("x-a"), "3");
    response.AddHeader("X-A", "4");
    EXPECT_EQ(response.headers.size(), 2u);
}

TEST(ResponseTest, SetCookieFormats) {
    struct Case {
        const char* name;
        const char* value;
        CookieOptions options;
        const char* expected;
    };
    CookieOptions defaults;
    CookieOptions persistent;
    persistent.secure = true;
    persistent.same_site = "Lax";
    persistent.max_age_seconds = 3600;
    CookieOptions remove;
    remove.max_age_seconds = 0;
    remove.http_only = false;
    remove.same_site = "";
    remove.path = "/app";
    CookieOptions none;
    none.same_site = "None";
    CookieOptions injected;
    injected.path = "/; Domain=evil";
    for (const Case& c : {
             Case{"sid", "abc", defaults, "sid=abc; Path=/; HttpOnly; SameSite=Strict"},
             Case{"sid", "abc", persistent, "sid=abc; Path=/; Max-Age=3600; Secure; HttpOnly; SameSite=Lax"},
             Case{"sid", "", remove, "sid=; Path=/app; Max-Age=0"},
             Case{"sid", "abc", none, "sid=abc; Path=/; Secure; HttpOnly; SameSite=None"},
             Case{"msg", "a b;c\"%", defaults, "msg=a%20b%3Bc%22%25; Path=/; HttpOnly; SameSite=Strict"},
             Case{"sid", "abc", injected, "sid=abc; HttpOnly; SameSite=Strict"},
         }) {
        EXPECT_EQ(FormatSetCookie(c.name, c.value, c.options), c.expected);
    }
    Response response;
    response.SetCookie("a", "1");
    response.SetCookie("b", "2");
    EXPECT_EQ(response.headers.size(), 2u);
}

TEST(WireTest, SerializesHeadWithSecurityHeaders) {
    Response response = Response::Text(200, "ok");
    std::string head;
    bool send_body = false;
    ASSERT_TRUE(detail::SerializeHead(response, {}, head, send_body));
    EXPECT_TRUE(send_body);
    EXPECT_TRUE(head.starts_with("HTTP/1.1 200 OK\r\n"));
    EXPECT_NE(head.find("Content-Length: 2\r\n"), std::string::npos);
    EXPECT_NE(head.find("X-Content-Type-Options: nosniff\r\n"), std::string::npos);
    EXPECT_NE(head.find("Referrer-Policy: same-origin\r\n"), std::string::npos);
    EXPECT_NE(head.find("X-Frame-Options: DENY\r\n"), std::string::npos);
    EXPECT_NE(head.find("Content-Security-Policy: default-src 'self'; frame-ancestors 'none'\r\n"), std::string::npos);
    EXPECT_NE(head.find("Server: kizuna\r\n"), std::string::npos);
    EXPECT_NE(head.find("Date: "), std::string::npos);
    EXPECT_EQ(head.find("Connection:"), std::string::npos);
    EXPECT_TRUE(head.ends_with("\r\n\r\n"));
}

TEST(WireTest, HandlerCspWinsAndServerOwnedHeadersAreReplaced) {
    Response response = Response::Text(200, "ok");
    response.SetHeader("Content-Security-Policy", "default-src 'none'");
    response.SetHeader("Content-Length", "999");
    response.SetHeader("Connection", "keep-alive");
    std::string head;
    bool send_body = false;
    ASSERT_TRUE(detail::SerializeHead(response, {.head_request = false, .keep_alive = false}, head, send_body));
    EXPECT_NE(head.find("Content-Security-Policy: default-src 'none'\r\n"), std::string::npos);
    EXPECT_EQ(head.find("frame-ancestors"), std::string::npos);
    EXPECT_NE(head.find("Content-Length: 2\r\n"), std::string::npos);
    EXPECT_EQ(head.find("999"), std::string::npos);
    EXPECT_NE(head.find("Connection: close\r\n"), std::string::npos);
    EXPECT_EQ(head.find("keep-alive"), std::string::npos);
}

TEST(WireTest, HeadKeepsRouterLengthAndDropsBody) {
    Response response(200);
    response.SetHeader("Content-Length", "42");
    std::string head;
    bool send_body = true;
    ASSERT_TRUE(detail::SerializeHead(response, {.head_request = true}, head, send_body));
    EXPECT_FALSE(send_body);
    EXPECT_NE(head.find("Content-Length: 42\r\n"), std::string::npos);
}

TEST(WireTest, NoContentHasNoLength) {
    std::string head;
    bool send_body = true;
    ASSERT_TRUE(detail::SerializeHead(Response(204), {}, head, send_body));
    EXPECT_FALSE(send_body);
    EXPECT_EQ(head.find("Content-Length"), std::string::npos);
}

TEST(WireTest, RejectsHeaderInjection) {
    Response response(200);
    response.SetHeader("Location", "/x\r\nSet-Cookie: evil=1");
    std::string head;
    bool send_body = false;
    EXPECT_FALSE(detail::SerializeHead(response, {}, head, send_body));
}

}  // namespace
}  // namespace kizuna::http
