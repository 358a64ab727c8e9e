// The real center over HTTP: login, wrong password, CSRF, tokens, access control, error statuses.
#include "center_fixture.hpp"

namespace kizuna::functional {
namespace {

std::vector<std::pair<std::string, std::string>> Bearer(const std::string& token) {
    return {{"Authorization", "Bearer " + token}};
}

TEST_F(CenterTest, HealthzAnswersOk) {
    HttpClient c = Client();
    HttpReply r = c.Request("GET", "/healthz");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, R"({"status":"ok","database":"ok"})");
    EXPECT_EQ(r.Header("x-content-type-options"), "nosniff");
}

TEST_F(CenterTest, LoginSetsAStrictHttpOnlySessionCookieAndShowsTheDashboard) {
    HttpClient c = Client();
    HttpReply login;
    const std::string session = Login(c, "coord", "coord-password-1", &login);
    ASSERT_EQ(login.status, 303) << login.body;
    EXPECT_EQ(login.Header("location"), "/dashboard");
    ASSERT_EQ(session.size(), 64u);
    const std::string cookie = login.Header("set-cookie");
    const std::string session_cookie = cookie.substr(0, cookie.find('\n'));
    EXPECT_EQ(session_cookie.rfind("kz_session=" + session + "; Path=/;", 0), 0u) << cookie;
    EXPECT_NE(session_cookie.find("; HttpOnly"), std::string::npos) << cookie;
    EXPECT_NE(session_cookie.find("; SameSite=Strict"), std::string::npos) << cookie;
    EXPECT_EQ(session_cookie.find("Secure"), std::string::npos) << "no Secure flag without TLS";
    HttpReply dash = c.Request("GET", "/dashboard", "", {{"Cookie", "kz_session=" + session}});
    ASSERT_EQ(dash.status, 200);
    // A work queue (issue 13), not account counts: the queue's sections are there, the counts are not.
    EXPECT_NE(dash.body.find("data-testid=\"queue-unowned\""), std::string::npos);
    EXPECT_NE(dash.body.find("data-testid=\"queue-overdue\""), std::string::npos);
    EXPECT_EQ(dash.body.find("data-testid=\"stat-users\""), std::string::npos);
    // Recent audit entries, in words (the default language is Japanese), never as codes.
    EXPECT_NE(dash.body.find("<td>ログイン</td>"), std::string::npos);
    EXPECT_NE(dash.body.find("<td>アカウント作成</td>"), std::string::npos);
    EXPECT_EQ(dash.body.find("auth.login"), std::string::npos);
}

TEST_F(CenterTest, WrongPasswordIsRefusedWithoutASession) {
    HttpClient c = Client();
    HttpReply r;
    EXPECT_EQ(Login(c, "coord", "not-the-password", &r), "");
    EXPECT_EQ(r.status, 401);
    EXPECT_NE(r.body.find("data-testid=\"login-error\""), std::string::npos);
}

TEST_F(CenterTest, LoginWithoutTheCsrfTokenIsRejected) {
    HttpClient c = Client();
    HttpReply r = c.Request("POST", "/login", "name=coord&password=coord-password-1",
                            {{"Content-Type", "application/x-www-form-urlencoded"}});
    EXPECT_EQ(r.status, 403);
    EXPECT_EQ(SetCookieValue(r, "kz_session"), "");
    // A token in the form that does not match the cookie is refused too.
    r = c.Request("POST", "/login", "csrf=" + std::string(64, 'a') + "&name=coord&password=coord-password-1",
                  {{"Content-Type", "application/x-www-form-urlencoded"},
                   {"Cookie", "kz_login_csrf=" + std::string(64, 'b')}});
    EXPECT_EQ(r.status, 403);
}

TEST_F(CenterTest, LogoutNeedsTheSessionsCsrfToken) {
    HttpClient c = Client();
    const std::string session = Login(c, "coord", "coord-password-1");
    ASSERT_FALSE(session.empty());
    const std::pair<std::string, std::string> cookie{"Cookie", "kz_session=" + session};
    HttpReply forged = c.Request("POST", "/logout", "csrf=" + std::string(64, '0'),
                                 {{"Content-Type", "application/x-www-form-urlencoded"}, cookie});
    EXPECT_EQ(forged.status, 403);
    HttpReply page = c.Request("GET", "/dashboard", "", {cookie});
    ASSERT_EQ(page.status, 200);  // still logged in
    const std::string csrf = HiddenCsrf(page.body);
    HttpReply out = c.Request("POST", "/logout", "csrf=" + csrf,
                              {{"Content-Type", "application/x-www-form-urlencoded"}, cookie});
    EXPECT_EQ(out.status, 303);
    EXPECT_EQ(c.Request("GET", "/dashboard", "", {cookie}).status, 303);  // back to the login page
}

TEST_F(CenterTest, SessionApiCallsNeedTheCsrfHeader) {
    HttpClient c = Client();
    const std::string session = Login(c, "admin", "admin-password-1");
    ASSERT_FALSE(session.empty());
    const std::string body = R"({"name":"viacookie","role":"reporter","password":"reporter-pass-1"})";
    HttpReply r = c.Request("POST", "/api/v1/users", body,
                            {{"Content-Type", "application/json"}, {"Cookie", "kz_session=" + session}});
    EXPECT_EQ(r.status, 403);
    EXPECT_NE(r.body.find("X-CSRF-Token"), std::string::npos);
}

TEST_F(CenterTest, BearerTokensAuthenticateTheApi) {
    HttpClient c = Client();
    HttpReply me = c.Request("GET", "/api/v1/me", "", Bearer(*admin_token_));
    ASSERT_EQ(me.status, 200) << me.body;
    EXPECT_NE(me.body.find("\"role\":\"admin\""), std::string::npos);
    EXPECT_NE(me.body.find("\"via_token\":true"), std::string::npos);
    HttpReply bad = c.Request("GET", "/api/v1/me", "", Bearer("kz_" + std::string(64, 'f')));
    EXPECT_EQ(bad.status, 401);
    EXPECT_NE(bad.Header("www-authenticate").find("invalid_token"), std::string::npos);
    EXPECT_EQ(c.Request("GET", "/api/v1/me").status, 401);
}

TEST_F(CenterTest, CreatingAUserThroughTheApiValidatesEveryField) {
    HttpClient c = Client();
    auto post = [&](const std::string& body) {
        auto h = Bearer(*admin_token_);
        h.push_back({"Content-Type", "application/json"});
        return c.Request("POST", "/api/v1/users", body, h);
    };
    HttpReply created = post(R"({"name":"sato","role":"vendor","password":"vendor-pass-22","email":"s@example.jp"})");
    EXPECT_EQ(created.status, 201) << created.body;
    HttpReply dup = post(R"({"name":"sato","role":"vendor","password":"vendor-pass-22"})");
    EXPECT_EQ(dup.status, 409);
    EXPECT_NE(dup.body.find("\"field\":\"name\""), std::string::npos) << dup.body;
    HttpReply bad_role = post(R"({"name":"x1","role":"root","password":"vendor-pass-22"})");
    EXPECT_EQ(bad_role.status, 400);
    EXPECT_NE(bad_role.body.find("\"field\":\"role\""), std::string::npos) << bad_role.body;
    HttpReply wrong_type = post(R"({"name":42,"role":"vendor"})");
    EXPECT_EQ(wrong_type.status, 400);
    EXPECT_NE(wrong_type.body.find("\"field\":\"name\""), std::string::npos) << wrong_type.body;
    HttpReply syntax = post(R"({"name":"x2",)");
    EXPECT_EQ(syntax.status, 400);
    EXPECT_NE(syntax.body.find("\"field\":\"body\""), std::string::npos) << syntax.body;
    HttpReply unknown = post(R"({"name":"x3","role":"vendor","password":"vendor-pass-22","admin":true})");
    EXPECT_EQ(unknown.status, 400);
    EXPECT_NE(unknown.body.find("\"field\":\"admin\""), std::string::npos) << unknown.body;
}

TEST_F(CenterTest, AccessIsDecidedByThePolicy) {
    HttpClient c = Client();
    EXPECT_EQ(c.Request("GET", "/metrics").status, 401);
    EXPECT_EQ(c.Request("GET", "/metrics", "", Bearer(*vendor_token_)).status, 403);
    HttpReply metrics = c.Request("GET", "/metrics", "", Bearer(*admin_token_));
    ASSERT_EQ(metrics.status, 200);
    EXPECT_NE(metrics.body.find("kizuna_http_requests_total"), std::string::npos);
    EXPECT_NE(metrics.body.find("kizuna_db_query_duration_seconds"), std::string::npos);
    auto h = Bearer(*vendor_token_);
    h.push_back({"Content-Type", "application/json"});
    EXPECT_EQ(c.Request("POST", "/api/v1/users", R"({"name":"evil","role":"admin","password":"evil-password"})", h)
                  .status,
              403);
    EXPECT_EQ(c.Request("GET", "/api/v1/audit/verify", "", Bearer(*vendor_token_)).status, 403);
    // Pages: anonymous callers are sent to the login page; vendors get 403 on coordinator pages.
    HttpReply dash = c.Request("GET", "/dashboard");
    EXPECT_EQ(dash.status, 303);
    EXPECT_EQ(dash.Header("location"), "/login?next=/dashboard");
    const std::string vendor = Login(c, "vendor1", "vendor-password-1");
    ASSERT_FALSE(vendor.empty());
    EXPECT_EQ(c.Request("GET", "/dashboard", "", {{"Cookie", "kz_session=" + vendor}}).status, 403);
    EXPECT_EQ(c.Request("GET", "/account", "", {{"Cookie", "kz_session=" + vendor}}).status, 200);
}

TEST_F(CenterTest, NotFoundMethodNotAllowedAndTooLarge) {
    HttpClient c = Client();
    HttpReply page = c.Request("GET", "/no/such/page");
    EXPECT_EQ(page.status, 404);
    EXPECT_NE(page.Header("content-type").find("text/html"), std::string::npos);
    HttpReply api = c.Request("GET", "/api/v1/nothing");
    EXPECT_EQ(api.status, 404);
    EXPECT_NE(api.body.find("\"code\":\"not_found\""), std::string::npos);
    HttpReply method = c.Request("DELETE", "/healthz");
    EXPECT_EQ(method.status, 405);
    EXPECT_NE(method.Header("allow").find("GET"), std::string::npos);
    auto h = Bearer(*admin_token_);
    h.push_back({"Content-Type", "application/json"});
    HttpReply big = c.Request("POST", "/api/v1/users", std::string(10000, ' '), h);  // limit: 4096
    EXPECT_EQ(big.status, 413);
}

TEST_F(CenterTest, LanguageFollowsTheSwitchThenAcceptLanguage) {
    HttpClient c = Client();
    HttpReply ja = c.Request("GET", "/login");
    EXPECT_NE(ja.body.find("<html lang=\"ja\">"), std::string::npos);
    HttpReply en = c.Request("GET", "/login", "", {{"Accept-Language", "en-US,en;q=0.9"}});
    EXPECT_NE(en.body.find("<html lang=\"en\">"), std::string::npos);
    HttpReply sw = c.Request("GET", "/login?lang=en");
    EXPECT_NE(sw.body.find("Log in"), std::string::npos);
    EXPECT_EQ(SetCookieValue(sw, "kz_lang"), "en");
}

TEST_F(CenterTest, RepeatedFailuresAreThrottled) {
    HttpClient c = Client();
    HttpReply r;
    for (int i = 0; i < 5; ++i) Login(c, "throttled-user", "wrong-password", &r);
    EXPECT_EQ(r.status, 401);
    Login(c, "throttled-user", "wrong-password", &r);
    EXPECT_EQ(r.status, 429);
}

TEST_F(CenterTest, OutputIsEscaped) {
    HttpClient c = Client();
    HttpReply r;
    Login(c, "<script>alert(1)</script>", "x", &r);
    EXPECT_EQ(r.body.find("<script>alert(1)</script>"), std::string::npos);
    EXPECT_NE(r.body.find("&lt;script&gt;"), std::string::npos);
}

}  // namespace
}  // namespace kizuna::functional
