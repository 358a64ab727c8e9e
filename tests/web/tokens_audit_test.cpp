// Token lifecycle through the API and the account page, and the audit page's details and filters.
#include <nlohmann/json.hpp>

#include "site_fixture.hpp"

namespace kizuna::web {
namespace {

using nlohmann::json;
using TokensApiTest = SiteFixture;
using AuditPageTest = SiteFixture;

std::int64_t TokenIdOf(store::Connection& c, const std::string& user) {
    auto id = c.QueryInt("SELECT t.id FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE u.name = ?"
                         " ORDER BY t.id LIMIT 1",
                         {user});
    return id.ok() ? *id : 0;
}

http::Response WithSession(http::Handler& handler, const std::string& method, const std::string& target,
                           const std::string& cookie, const std::string& form = "") {
    http::HeaderList headers{{"Cookie", "kz_session=" + cookie}};
    if (!form.empty()) headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
    auto req = http::Request::Make(method, target, headers, form);
    EXPECT_TRUE(req.ok());
    req->remote_ip = "192.0.2.1";
    return handler(*req);
}

TEST_F(TokensApiTest, EachUserListsOnlyOwnTokensAndNeverSecrets) {
    EXPECT_EQ(Status("GET", "/api/v1/tokens", ""), 401);
    auto mine = Call("GET", "/api/v1/tokens", "vendor");
    ASSERT_EQ(mine.status, 200) << mine.body;
    auto listed = json::parse(mine.body)["tokens"];
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0]["user"], "vendor");
    EXPECT_FALSE(listed[0]["expires_at"].is_null());
    EXPECT_EQ(mine.body.find(secrets_["vendor"]), std::string::npos);
    EXPECT_EQ(mine.body.find("kz_"), std::string::npos);
    EXPECT_EQ(Status("GET", "/api/v1/tokens?user=coord", "vendor"), 403);
    EXPECT_EQ(Status("GET", "/api/v1/tokens?all=1", "coord"), 403);
    auto theirs = Call("GET", "/api/v1/tokens?user=vendor", "admin");
    ASSERT_EQ(theirs.status, 200);
    EXPECT_EQ(json::parse(theirs.body)["tokens"][0]["user"], "vendor");
    auto all = Call("GET", "/api/v1/tokens?all=1", "admin");
    ASSERT_EQ(all.status, 200);
    EXPECT_EQ(json::parse(all.body)["tokens"].size(), 4u);
}

TEST_F(TokensApiTest, OnlyTheOwnerOrAnAdminRevokes) {
    auto lease = db_->Acquire();
    ASSERT_TRUE(lease.ok());
    const std::int64_t coord_token = TokenIdOf(**lease, "coord");
    const std::int64_t vendor_token = TokenIdOf(**lease, "vendor");
    const std::string coord_path = "/api/v1/tokens/" + std::to_string(coord_token);
    EXPECT_EQ(Status("DELETE", coord_path, ""), 401);
    // Another user's token: 404, and it still works.
    EXPECT_EQ(Status("DELETE", coord_path, "vendor"), 404);
    EXPECT_EQ(Status("DELETE", coord_path, "reporter"), 404);
    EXPECT_EQ(Status("GET", "/api/v1/me", "coord"), 200);
    EXPECT_EQ(Status("DELETE", "/api/v1/tokens/999999", "vendor"), 404);
    // The owner revokes its own: the token stops working at once.
    auto revoked = Call("DELETE", "/api/v1/tokens/" + std::to_string(vendor_token), "vendor");
    ASSERT_EQ(revoked.status, 200) << revoked.body;
    EXPECT_EQ(json::parse(revoked.body)["revoked"], true);
    EXPECT_EQ(Status("GET", "/api/v1/me", "vendor"), 401);
    // An admin revokes anyone's.
    EXPECT_EQ(Status("DELETE", coord_path, "admin"), 200);
    EXPECT_EQ(Status("GET", "/api/v1/me", "coord"), 401);
    EXPECT_EQ(Status("DELETE", coord_path, "admin"), 409);
}

TEST_F(TokensApiTest, ATokenMintsTokensOnlyWhenItIsAnAdmins) {
    EXPECT_EQ(Call("POST", "/api/v1/tokens", "vendor", R"({"label":"more"})").status, 403);
    EXPECT_EQ(Call("POST", "/api/v1/tokens", "coord", R"({"label":"more"})").status, 403);
    auto minted = Call("POST", "/api/v1/tokens", "admin", R"({"user":"reporter","expires_in_days":7})");
    ASSERT_EQ(minted.status, 201) << minted.body;
    const auto body = json::parse(minted.body);
    EXPECT_EQ(body["user"], "reporter");
    EXPECT_EQ(body["expires_at"], core::FormatRfc3339(clock_.Now() + std::chrono::days(7)));
    auto too_long = Call("POST", "/api/v1/tokens", "admin", R"({"expires_in_days":400})");
    EXPECT_EQ(too_long.status, 400);
    EXPECT_NE(too_long.body.find("expires_in_days"), std::string::npos);
    // A browser session of a non-admin still creates its own token (with the CSRF header).
    auto session = sessions_->Login("vendor", "long-enough-password", "192.0.2.1");
    ASSERT_TRUE(session.ok());
    http::HeaderList headers{{"Cookie", "kz_session=" + session->token},
                             {"X-CSRF-Token", session->csrf_token},
                             {"Content-Type", "application/json"}};
    auto req = http::Request::Make("POST", "/api/v1/tokens", headers, R"({"label":"laptop"})");
    ASSERT_TRUE(req.ok());
    EXPECT_EQ(handler_(*req).status, 201);
}

TEST_F(TokensApiTest, TokensExpire) {
    auto minted = Call("POST", "/api/v1/tokens", "admin", R"({"user":"reporter","expires_in_days":1})");
    ASSERT_EQ(minted.status, 201);
    secrets_["short"] = json::parse(minted.body)["token"];
    EXPECT_EQ(Status("GET", "/api/v1/me", "short"), 200);
    clock_.Advance(std::chrono::hours(25));
    EXPECT_EQ(Status("GET", "/api/v1/me", "short"), 401);
    // The fixture's tokens have the default lifetime (90 days) and still work.
    EXPECT_EQ(Status("GET", "/api/v1/me", "reporter"), 200);
    clock_.Advance(std::chrono::days(90));
    EXPECT_EQ(Status("GET", "/api/v1/me", "reporter"), 401);
}

TEST_F(TokensApiTest, TheAccountPageListsAndRevokesWithCsrf) {
    auto session = sessions_->Login("vendor", "long-enough-password", "192.0.2.1");
    ASSERT_TRUE(session.ok());
    auto lease = db_->Acquire();
    ASSERT_TRUE(lease.ok());
    const std::string id = std::to_string(TokenIdOf(**lease, "vendor"));
    const std::string coord_id = std::to_string(TokenIdOf(**lease, "coord"));
    auto page = WithSession(handler_, "GET", "/account?lang=en", session->token);
    ASSERT_EQ(page.status, 200);
    EXPECT_NE(page.body.find("action=\"/account/tokens/" + id + "/revoke\""), std::string::npos) << page.body;
    EXPECT_EQ(page.body.find("/account/tokens/" + coord_id + "/revoke"), std::string::npos);
    EXPECT_NE(page.body.find("Active"), std::string::npos);
    EXPECT_NE(page.body.find("(Asia/Tokyo)"), std::string::npos);
    // Without the CSRF token: refused; with it: revoked; someone else's: 404.
    EXPECT_EQ(WithSession(handler_, "POST", "/account/tokens/" + id + "/revoke", session->token, "x=1").status, 403);
    EXPECT_EQ(Status("GET", "/api/v1/me", "vendor"), 200);
    EXPECT_EQ(WithSession(handler_, "POST", "/account/tokens/" + coord_id + "/revoke", session->token,
                          "csrf=" + session->csrf_token)
                  .status,
              404);
    auto done = WithSession(handler_, "POST", "/account/tokens/" + id + "/revoke", session->token,
                            "csrf=" + session->csrf_token);
    EXPECT_EQ(done.status, 303);
    EXPECT_EQ(Status("GET", "/api/v1/me", "vendor"), 401);
    EXPECT_EQ(Status("GET", "/api/v1/me", "coord"), 200);
    auto after = WithSession(handler_, "GET", "/account?lang=en&done=token_revoked", session->token);
    EXPECT_NE(after.body.find("Revoked"), std::string::npos);
    EXPECT_EQ(Status("POST", "/account/tokens/" + id + "/revoke", ""), 303);  // anonymous: to the login page
}

TEST_F(TokensApiTest, DisablingOrANewPasswordEndsSessionsAndTokens) {
    auto session = sessions_->Login("vendor", "long-enough-password", "192.0.2.1");
    ASSERT_TRUE(session.ok());
    ASSERT_TRUE(users_->ChangePassword("vendor", "another-long-password", "admin").ok());
    EXPECT_FALSE(sessions_->Resolve(session->token)->has_value());
    EXPECT_EQ(Status("GET", "/api/v1/me", "vendor"), 401);
    EXPECT_EQ(WithSession(handler_, "GET", "/api/v1/me", session->token).status, 401);

    auto coord_session = sessions_->Login("coord", "long-enough-password", "192.0.2.1");
    ASSERT_TRUE(coord_session.ok());
    ASSERT_TRUE(users_->SetDisabled("coord", true, "admin").ok());
    EXPECT_EQ(Status("GET", "/api/v1/me", "coord"), 401);
    ASSERT_TRUE(users_->SetDisabled("coord", false, "admin").ok());
    // Enabling again does not bring the old token or session back.
    EXPECT_EQ(Status("GET", "/api/v1/me", "coord"), 401);
    EXPECT_FALSE(sessions_->Resolve(coord_session->token)->has_value());
    auto lease = db_->Acquire();
    ASSERT_TRUE(lease.ok());
    EXPECT_EQ(*(*lease)->QueryInt("SELECT count(*) FROM audit_log WHERE action IN"
                                  " ('user.password_change', 'user.disable', 'user.enable')"),
              3);
}

TEST_F(TokensApiTest, ChangingThePasswordOnTheAccountPageEndsSessionsAndTokens) {
    auto session = sessions_->Login("vendor", "long-enough-password", "192.0.2.1");
    ASSERT_TRUE(session.ok());
    auto page = WithSession(handler_, "GET", "/account?lang=en", session->token);
    EXPECT_NE(page.body.find("action=\"/account/password\""), std::string::npos);
    const std::string good = "current_password=long-enough-password&new_password=a-new-long-password";
    // Without the CSRF token: refused, nothing changes.
    EXPECT_EQ(WithSession(handler_, "POST", "/account/password", session->token, good).status, 403);
    // A wrong current password: back to the page with a message code, nothing changes.
    auto wrong = WithSession(handler_, "POST", "/account/password", session->token,
                             "csrf=" + session->csrf_token + "&current_password=guess&new_password=a-new-long-password");
    EXPECT_EQ(wrong.status, 303);
    EXPECT_EQ(wrong.Header("Location"), "/account?error=password_wrong");
    auto shown = WithSession(handler_, "GET", "/account?lang=en&error=password_wrong", session->token);
    EXPECT_NE(shown.body.find("The current password is wrong."), std::string::npos);
    EXPECT_EQ(WithSession(handler_, "GET", "/account?lang=en&error=%3Cb%3Eowned", session->token).body.find("owned"),
              std::string::npos);
    auto weak = WithSession(handler_, "POST", "/account/password", session->token,
                            "csrf=" + session->csrf_token + "&current_password=long-enough-password&new_password=short");
    EXPECT_EQ(weak.Header("Location"), "/account?error=password_rules");
    EXPECT_EQ(Status("GET", "/api/v1/me", "vendor"), 200);
    // The change: this session and the token end; the new password logs in.
    auto done = WithSession(handler_, "POST", "/account/password", session->token, "csrf=" + session->csrf_token + "&" + good);
    EXPECT_EQ(done.status, 303);
    EXPECT_EQ(done.Header("Location"), "/login?next=/account");
    EXPECT_FALSE(sessions_->Resolve(session->token)->has_value());
    EXPECT_EQ(Status("GET", "/api/v1/me", "vendor"), 401);
    EXPECT_TRUE(sessions_->Login("vendor", "a-new-long-password", "192.0.2.1").ok());
    EXPECT_EQ(Status("POST", "/account/password", ""), 303);  // anonymous: to the login page
}

class AuditPageFixture : public SiteFixture {
  protected:
    void Seed() {
        {
        auto lease = db_->Acquire();
        ASSERT_TRUE(lease.ok());
        store::Connection& c = **lease;
        const std::string now = core::FormatRfc3339(clock_.Now());
        for (const char* name : {"Alpha Networks", "Beta Devices", "Gamma Soft"})
            ASSERT_TRUE(c.Exec("INSERT INTO vendors(name, registration_kind, registration_state, created_at)"
                               " VALUES (?, 'general', 'registered', ?)",
                               {std::string(name), now})
                            .ok());
        ASSERT_TRUE(c.Exec("INSERT INTO cases(identifier, receipt_id, title, source, state, created_at)"
                           " VALUES ('JVNVU#90000001', 'R-AAAA-BBBB-CCCC', 't', 'finder', 'coordinating', ?)",
                           {now})
                        .ok());
        }
        // Three disclosures of one case: to different vendors, at different levels, on different days.
        const char* details[] = {R"({"vendor":1,"level":"summary"})", R"({"vendor":2,"level":"summary"})",
                                 R"({"vendor":1,"level":"detail"})"};
        for (const char* d : details) {
            clock_.Advance(std::chrono::hours(24));
            ASSERT_TRUE(audit_.Append(*db_, {"coord", "case.disclose", "case:1", d, ""}).ok());
        }
        ASSERT_TRUE(audit_.Append(*db_, {"admin", "some.future_action", "user:vendor", "", ""}).ok());
        ASSERT_TRUE(audit_.Append(*db_, {"coord", "vendor.contact", "vendor:3", "", ""}).ok());
    }
    std::string Page(const std::string& target) {
        auto session = sessions_->Login("coord", "long-enough-password", "192.0.2.1");
        EXPECT_TRUE(session.ok());
        auto r = WithSession(handler_, "GET", target, session->token);
        EXPECT_EQ(r.status, 200);
        return r.body;
    }
};

std::size_t Count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
    return n;
}

TEST_F(AuditPageFixture, DisclosuresSayWhoReceivedWhat) {
    Seed();
    const std::string en = Page("/audit?lang=en&action=case.disclose");
    EXPECT_EQ(Count(en, "<tr data-seq="), 3u);
    EXPECT_EQ(Count(en, "class=\"action\">Information disclosed<"), 3u) << en;
    EXPECT_EQ(Count(en, "Alpha Networks"), 2u);
    EXPECT_EQ(Count(en, "Beta Devices"), 1u);
    EXPECT_EQ(en.find("Gamma Soft"), std::string::npos);
    EXPECT_EQ(Count(en, "Summary notice (no technical detail)"), 2u);
    EXPECT_EQ(Count(en, "Technical details"), 1u);
    EXPECT_NE(en.find("Recipient (vendor)"), std::string::npos);
    EXPECT_NE(en.find("Case JVNVU#90000001"), std::string::npos);
    EXPECT_NE(en.find("(Asia/Tokyo)"), std::string::npos);
    // No raw codes for people.
    EXPECT_EQ(en.find(">case.disclose<"), std::string::npos);
    EXPECT_EQ(en.find("\"level\""), std::string::npos);
    const std::string ja = Page("/audit?lang=ja");
    EXPECT_EQ(Count(ja, "class=\"action\">情報の開示<"), 3u);
    EXPECT_NE(ja.find("受領者（製品開発者）"), std::string::npos);
    EXPECT_NE(ja.find("class=\"action\">その他の操作<"), std::string::npos);  // an action without a label is not shown as code
    EXPECT_EQ(ja.find(">some.future_action<"), std::string::npos);
    // The object in words, linked to the vendor's record (issue 13).
    EXPECT_NE(ja.find("class=\"object\"><a href=\"/vendors/"), std::string::npos);
    EXPECT_NE(ja.find("\">製品開発者 Gamma Soft</a><"), std::string::npos);
    EXPECT_NE(ja.find("class=\"action\">製品開発者の連絡先変更<"), std::string::npos);  // audit_action.vendor.contact
}

TEST_F(AuditPageFixture, FiltersAndPages) {
    Seed();
    // Actor
    EXPECT_EQ(Count(Page("/audit?lang=en&actor=admin"), "<tr data-seq="), 1u);
    // Object substring
    EXPECT_EQ(Count(Page("/audit?lang=en&object=case%3A1"), "<tr data-seq="), 3u);
    // Time range in the viewer's zone: the second disclosure's local date only.
    auto lease = db_->Acquire();
    ASSERT_TRUE(lease.ok());
    auto at = (*lease)->QueryOne("SELECT at FROM audit_log WHERE action = 'case.disclose' ORDER BY seq LIMIT 1 OFFSET 1");
    ASSERT_TRUE(at.ok() && at->has_value());
    const auto t = core::ParseRfc3339((*at)->Text(0));
    ASSERT_TRUE(t.has_value());
    const std::string local_date = core::TimeZone::Load("Asia/Tokyo")->FormatRfc3339Local(*t).substr(0, 10);
    const std::string day = Page("/audit?lang=en&from=" + local_date + "&to=" + local_date);
    EXPECT_EQ(Count(day, "<tr data-seq="), 1u) << day;
    EXPECT_NE(day.find("Beta Devices"), std::string::npos);
    // Pagination: 50 a page, newest first, links keep the filters.
    for (int i = 0; i < 63; ++i) ASSERT_TRUE(audit_.Append(*db_, {"robot", "auth.login", "user:robot", "", ""}).ok());
    const std::string first = Page("/audit?lang=en&actor=robot");
    EXPECT_EQ(Count(first, "<tr data-seq="), 50u);
    EXPECT_NE(first.find("rel=\"next\" href=\"/audit?actor=robot&amp;action=&amp;object=&amp;from=&amp;to=&amp;page=2\""),
              std::string::npos)
        << first.substr(first.find("pager"));
    EXPECT_NE(first.find("Entries 1–50 of 63"), std::string::npos);
    const std::string second = Page("/audit?lang=en&actor=robot&page=2");
    EXPECT_EQ(Count(second, "<tr data-seq="), 13u);
    EXPECT_NE(second.find("rel=\"prev\""), std::string::npos);
    EXPECT_EQ(second.find("rel=\"next\""), std::string::npos);
    EXPECT_NE(second.find("Entries 51–63 of 63"), std::string::npos);
}

}  // namespace
}  // namespace kizuna::web
