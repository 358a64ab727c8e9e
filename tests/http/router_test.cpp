#include "http/router.hpp"

#include <gtest/gtest.h>

namespace kizuna::http {
namespace {

Request Req(std::string method, std::string target) {
    return std::move(Request::Make(std::move(method), std::move(target))).value();
}

// Each handler answers with its own name so the table can check which one ran.
Handler Named(std::string name) {
    return [name](Request& request) {
        std::string body = name;
        for (const char* param : {"name", "id", "path"}) {
            if (!request.Param(param).empty())
                body += std::string(" ") + param + "=" + std::string(request.Param(param));
        }
        return Response::Text(200, body);
    };
}

class RouterTest : public ::testing::Test {
  protected:
    RouterTest() {
        router_.Add("GET", "/", Named("root"));
        router_.Add("GET", "/healthz", Named("health"));
        router_.Add("GET", "/api/v1/users", Named("list"));
        router_.Add("POST", "/api/v1/users", Named("create"));
        router_.Add("GET", "/api/v1/users/me", Named("me"));
        router_.Add("GET", "/api/v1/users/{name}", Named("user"));
        router_.Add("DELETE", "/api/v1/users/{name}", Named("delete"));
        router_.Add("GET", "/api/v1/users/{name}/keys/{id}", Named("key"));
        router_.Add("GET", "/static/{path...}", Named("static"));
        router_.Add("HEAD", "/explicit-head", Named("explicit"));
    }
    Router router_;
};

TEST_F(RouterTest, MatchTable) {
    struct Case {
        const char* method;
        const char* target;
        int status;
        const char* body;   // for 200
        const char* route;  // request.route after dispatch
    };
    const Case cases[] = {
        {"GET", "/", 200, "root", "/"},
        {"GET", "/healthz?x=1", 200, "health", "/healthz"},
        {"GET", "/api/v1/users", 200, "list", "/api/v1/users"},
        {"POST", "/api/v1/users", 200, "create", "/api/v1/users"},
        {"GET", "/api/v1/users/me", 200, "me", "/api/v1/users/me"},  // literal beats {name}
        {"GET", "/api/v1/users/bob", 200, "user name=bob", "/api/v1/users/{name}"},
        {"GET", "/api/v1/users/a%20b", 200, "user name=a b", "/api/v1/users/{name}"},
        {"GET", "/api/v1/users/a%2Fb", 200, "user name=a/b", "/api/v1/users/{name}"},
        {"DELETE", "/api/v1/users/me", 200, "delete name=me", "/api/v1/users/{name}"},  // falls back to the param
        {"GET", "/api/v1/users/bob/keys/7", 200, "key name=bob id=7", "/api/v1/users/{name}/keys/{id}"},
        {"GET", "/static/css/site.css", 200, "static path=css/site.css", "/static/{path...}"},
        {"GET", "/static/", 200, "static", "/static/{path...}"},
        {"GET", "/static", 404, "", ""},
        {"GET", "/api/v1/users/", 404, "", ""},  // {name} needs a non-empty segment
        {"GET", "/nope", 404, "", ""},
        {"GET", "/healthz/", 404, "", ""},
        {"PUT", "/api/v1/users/bob", 405, "", "/api/v1/users/{name}"},
        {"get", "/healthz", 405, "", "/healthz"},  // methods are case-sensitive
    };
    for (const Case& c : cases) {
        Request request = Req(c.method, c.target);
        Response response = router_.Dispatch(request);
        EXPECT_EQ(response.status, c.status) << c.method << " " << c.target;
        if (c.status == 200) {
            EXPECT_EQ(response.body, c.body) << c.target;
        }
        EXPECT_EQ(request.route, c.route) << c.method << " " << c.target;
    }
}

TEST_F(RouterTest, MethodNotAllowedListsAllow) {
    Request request = Req("PATCH", "/api/v1/users/me");
    Response response = router_.Dispatch(request);
    EXPECT_EQ(response.status, 405);
    // /users/me has GET; /users/{name} has GET and DELETE; HEAD comes with GET.
    EXPECT_EQ(response.Header("Allow"), "DELETE, GET, HEAD");
    EXPECT_EQ(response.Header("Content-Type"), "application/json");

    Request page = Req("POST", "/healthz");
    Response page_response = router_.Dispatch(page);
    EXPECT_EQ(page_response.Header("Allow"), "GET, HEAD");
    EXPECT_EQ(page_response.Header("Content-Type"), "text/plain; charset=utf-8");
}

TEST_F(RouterTest, NotFoundIsJsonUnderApiOnly) {
    Request api = Req("GET", "/api/v2/zzz");
    Response api_response = router_.Dispatch(api);
    EXPECT_EQ(api_response.status, 404);
    EXPECT_EQ(api_response.Header("Content-Type"), "application/json");
    Request page = Req("GET", "/zzz");
    EXPECT_EQ(router_.Dispatch(page).Header("Content-Type"), "text/plain; charset=utf-8");
}

TEST_F(RouterTest, CustomNotFound) {
    router_.SetNotFound([](Request&) { return Response::Html(404, "<h1>nope</h1>"); });
    Request request = Req("GET", "/zzz");
    Response response = router_.Dispatch(request);
    EXPECT_EQ(response.status, 404);
    EXPECT_EQ(response.body, "<h1>nope</h1>");
}

TEST_F(RouterTest, HeadRunsGetWithoutBody) {
    Request request = Req("HEAD", "/healthz");
    Response response = router_.Dispatch(request);
    EXPECT_EQ(response.status, 200);
    EXPECT_TRUE(response.body.empty());
    EXPECT_EQ(response.Header("Content-Length"), "6");  // length of "health"
    EXPECT_EQ(request.route, "/healthz");

    Request explicit_head = Req("HEAD", "/explicit-head");
    EXPECT_EQ(router_.Dispatch(explicit_head).body, "explicit");  // its own handler; the server drops the body
}

TEST(RouterDeathTest, BadPatternsAbort) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    Router router;
    router.Add("GET", "/a/{x}", Named("x"));
    EXPECT_DEATH(router.Add("GET", "/a/{x}", Named("again")), "added twice");
    EXPECT_DEATH(router.Add("GET", "/a/{y}/z", Named("y")), "conflicting parameter names");
    EXPECT_DEATH(router.Add("GET", "/b/{rest...}/c", Named("r")), "last segment");
    EXPECT_DEATH(router.Add("GET", "relative", Named("r")), "must start with");
}

}  // namespace
}  // namespace kizuna::http
