// Issue 12: attachments of inbound mail can be downloaded (staff from /mail and the case page; the vendor
// whose thread the mail went into), audited and never cached; HTML-only mail shows as text; a mail report
// becomes a case with its message and attachments linked. Delivered through the real LMTP listener.
#include <regex>

#include "mail_gateway_fixture.hpp"

namespace kizuna::functional {
namespace {

class MailAttachmentsTest : public MailGatewayTest {
  protected:
    HttpReply Get(const std::string& path, const std::string& token = "", const std::string& cookie = "") {
        HttpClient c("127.0.0.1", static_cast<std::uint16_t>(http_port_));
        std::vector<std::pair<std::string, std::string>> headers;
        if (!token.empty()) headers.push_back({"Authorization", "Bearer " + token});
        if (!cookie.empty()) headers.push_back({"Cookie", "kz_session=" + cookie});
        return c.Request("GET", path, "", headers);
    }
};

constexpr char kPocBytes[] = "PK\x03\x04 binary \x00\xff poc";
const std::string kPoc(kPocBytes, sizeof kPocBytes - 1);

TEST_F(MailAttachmentsTest, StaffAndTheThreadsVendorDownloadAttachmentsOthersCannot) {
    Api api(static_cast<std::uint16_t>(http_port_), token_);
    const auto vendor = AddVendor(api, "Sakura", "psirt@sakura.example.jp", true);
    std::string identifier;
    const auto case_id = CaseWithDetails(api, vendor, &identifier);
    const std::string member = UserToken("sakura-staff", "vendor");
    api.Call("POST", "/api/v1/vendors/" + std::to_string(vendor) + "/members", {{"user", "sakura-staff"}});
    const auto other = AddVendor(api, "Momiji", "psirt@momiji.example", false);
    const std::string other_member = UserToken("momiji-staff", "vendor");
    api.Call("POST", "/api/v1/vendors/" + std::to_string(other) + "/members", {{"user", "momiji-staff"}});
    api.Call("POST", "/api/v1/cases/" + std::to_string(case_id) + "/vendors", {{"vendor_id", other}});

    // A report from a finder with a binary PoC (not in any thread), and the vendor's signed patch.
    DeliverLmtp("report.eml", "From: finder@lab.example\r\nTo: vuls@center.example\r\nSubject: PoC\r\n"
                              "Message-ID: <poc-1@lab.example>\r\nMIME-Version: 1.0\r\n"
                              "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee PoC\r\n"
                              "--b\r\nContent-Type: application/zip; name=\"p\\\"oc.zip\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                              "UEsDBCBiaW5hcnkgAP8gcG9j\r\n--b--\r\n");
    const std::string entity = "Content-Type: multipart/mixed; boundary=\"in\"\r\n\r\n--in\r\nContent-Type: text/plain\r\n\r\n"
                               "patch attached\r\n--in\r\nContent-Type: text/x-diff; name=\"fix.diff\"\r\n"
                               "Content-Disposition: attachment; filename=\"fix.diff\"\r\n\r\n+fixed\r\n--in--\r\n";
    DeliverLmtp("patch.eml", "From: psirt@sakura.example.jp\r\nTo: vuls@center.example\r\nSubject: [" + identifier +
                                 "] patch\r\nMessage-ID: <patch-1@sakura.example.jp>\r\nMIME-Version: 1.0\r\n" +
                                 testing::PgpMimeSigned(*vendor_, entity));
    const auto files = Sql(Db(), "SELECT a.id, a.filename, i.thread FROM mail_attachments a JOIN mail_inbound i"
                                 " ON i.id = a.inbound_id ORDER BY a.id");
    ASSERT_EQ(files.size(), 2u) << testing::ReadWholeFile(dir_.File("serve.log"));
    const std::string poc = "/mail/attachments/" + files[0][0];
    const std::string patch = "/mail/attachments/" + files[1][0];
    EXPECT_EQ(files[1][2], "vendor:" + std::to_string(vendor));

    HttpReply r = Get(poc, token_);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.body, kPoc);
    EXPECT_EQ(r.Header("cache-control"), "no-store");
    EXPECT_EQ(r.Header("content-type"), "application/octet-stream");
    EXPECT_EQ(r.Header("content-disposition"), "attachment; filename=\"p_oc.zip\"; filename*=UTF-8''p%22oc.zip");
    EXPECT_EQ(Sql(Db(), "SELECT count(*) FROM audit_log WHERE action = 'mail.attachment_download'")[0][0], "1");

    // The access matrix: anonymous, the thread's vendor, another vendor of the case.
    EXPECT_EQ(Get(poc).status, 404);
    EXPECT_EQ(Get(patch).status, 404);
    EXPECT_EQ(Get(poc, member).status, 404) << "a finder's report is not the vendor's";
    EXPECT_EQ(Get(poc, other_member).status, 404);
    r = Get(patch, member);
    EXPECT_EQ(r.status, 200) << "the vendor's own thread";
    EXPECT_EQ(r.body, "+fixed");
    EXPECT_EQ(r.Header("cache-control"), "no-store");
    EXPECT_EQ(Get(patch, other_member).status, 404) << "another vendor's thread";
    EXPECT_EQ(Get("/mail/attachments/999", token_).status, 404);
    EXPECT_EQ(Get("/mail/messages/1/raw", member).status, 404);
    r = Get("/mail/messages/1/raw", token_);
    EXPECT_EQ(r.status, 200);
    EXPECT_NE(r.body.find("Message-ID: <poc-1@lab.example>"), std::string::npos);
    EXPECT_EQ(r.Header("cache-control"), "no-store");
    EXPECT_EQ(Sql(Db(), "SELECT count(*) FROM audit_log WHERE action = 'mail.attachment_download'")[0][0], "2");

    // Links: /mail for the report's file, the case page for the thread's file.
    EXPECT_NE(Get("/mail", token_).body.find("href=\"" + poc + "\""), std::string::npos);
    EXPECT_NE(Get("/cases/" + std::to_string(case_id) + "?thread=vendor:" + std::to_string(vendor), token_)
                  .body.find("href=\"" + patch + "\""),
              std::string::npos);
    const std::string vendor_page = Get("/cases/" + std::to_string(case_id), member).body;
    EXPECT_NE(vendor_page.find("href=\"" + patch + "\""), std::string::npos);
    EXPECT_EQ(vendor_page.find("href=\"" + poc + "\""), std::string::npos);
}

TEST_F(MailAttachmentsTest, HtmlOnlyMailShowsAsSanitisedText) {
    DeliverLmtp("html.eml", "From: finder@lab.example\r\nTo: vuls@center.example\r\nSubject: html\r\n"
                            "Message-ID: <html-1@lab.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
                            "<html><head><title>T</title><style>p{color:red}</style><script>alert('x')</script></head>"
                            "<body><p>XSS in &lt;b&gt; &amp; the login form</p><p>Version&nbsp;2 &#x3042;</p>"
                            "<img src=x onerror=alert(1)></body></html>\r\n");
    const auto report = Sql(Db(), "SELECT body FROM mail_reports");
    ASSERT_EQ(report.size(), 1u);
    const std::string body = report[0][0];
    EXPECT_NE(body.find("XSS in <b> & the login form\nVersion 2 あ"), std::string::npos) << body;
    EXPECT_EQ(body.find("alert"), std::string::npos) << body;
    EXPECT_EQ(body.find("color:red"), std::string::npos) << body;
    EXPECT_EQ(body.find("<p>"), std::string::npos) << body;
    // On the page the text is escaped like any other.
    const std::string page = Get("/mail", token_).body;
    EXPECT_NE(page.find("XSS in &lt;b&gt; &amp; the login form"), std::string::npos);
}

TEST_F(MailAttachmentsTest, AMailReportBecomesACaseWithItsMessageAndAttachments) {
    DeliverLmtp("report.eml", "From: Finder <finder@lab.example>\r\nTo: vuls@center.example\r\nSubject: RCE in router\r\n"
                              "Message-ID: <rce-1@lab.example>\r\nMIME-Version: 1.0\r\n"
                              "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
                              "stack overflow in httpd\r\n--b\r\nContent-Type: application/octet-stream; name=\"poc.py\"\r\n"
                              "Content-Transfer-Encoding: base64\r\n\r\ncHJpbnQoMSkK\r\n--b--\r\n");
    const std::string report_id = Sql(Db(), "SELECT id FROM mail_reports")[0][0];
    const std::string action = "/mail/reports/" + report_id + "/case";
    const std::string session = Login("admin", "admin-password-1");
    ASSERT_FALSE(session.empty());
    HttpClient c("127.0.0.1", static_cast<std::uint16_t>(http_port_));
    const std::string page = Get("/mail", "", session).body;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(page, m, std::regex("action=\"" + action + "\"><input type=\"hidden\" name=\"csrf\" value=\"([0-9a-f]+)\"")))
        << page;
    const std::string csrf = m[1].str();
    const std::vector<std::pair<std::string, std::string>> form{{"Content-Type", "application/x-www-form-urlencoded"},
                                                               {"Cookie", "kz_session=" + session}};
    EXPECT_EQ(c.Request("POST", action, "csrf=wrong", form).status, 403);
    const std::string vendor_token = UserToken("some-vendor", "vendor");
    EXPECT_EQ(c.Request("POST", action, "", {{"Authorization", "Bearer " + vendor_token}}).status, 404);
    EXPECT_EQ(c.Request("POST", action, "").status, 404);
    EXPECT_EQ(Sql(Db(), "SELECT count(*) FROM cases")[0][0], "0");

    HttpReply made = c.Request("POST", action, "csrf=" + csrf, form);
    ASSERT_EQ(made.status, 303) << made.body;
    const std::string location = made.Header("location");
    const auto cases = Sql(Db(), "SELECT id, title, reporter_email FROM cases");
    ASSERT_EQ(cases.size(), 1u);
    EXPECT_EQ(location, "/cases/" + cases[0][0]);
    EXPECT_EQ(cases[0][1], "RCE in router");
    EXPECT_EQ(cases[0][2], "finder@lab.example");
    EXPECT_EQ(Sql(Db(), "SELECT case_id, state FROM mail_reports")[0], (std::vector<std::string>{cases[0][0], "triaged"}));
    EXPECT_EQ(Sql(Db(), "SELECT case_id FROM mail_inbound")[0][0], cases[0][0]) << "the original message stays linked";
    EXPECT_FALSE(Sql(Db(), "SELECT 1 FROM audit_log WHERE action = 'mail.report_to_case'").empty());
    const std::string attachment = Sql(Db(), "SELECT id FROM mail_attachments")[0][0];
    EXPECT_NE(Get(location, "", session).body.find("href=\"/mail/attachments/" + attachment + "\""), std::string::npos);
    // Once more: no second case.
    EXPECT_EQ(c.Request("POST", action, "csrf=" + csrf, form).status, 303);
    EXPECT_EQ(Sql(Db(), "SELECT count(*) FROM cases")[0][0], "1");
}

// The per-vendor setting on /mail: staff with the session's CSRF token; vendors and anonymous callers 404.
TEST_F(MailAttachmentsTest, TheUnsignedMailSettingOnTheMailPageIsStaffOnlyAndCsrfProtected) {
    Api api(static_cast<std::uint16_t>(http_port_), token_);
    const auto vendor = AddVendor(api, "Sakura", "psirt@sakura.example.jp", false);
    const std::string member = UserToken("sakura-staff", "vendor");
    api.Call("POST", "/api/v1/vendors/" + std::to_string(vendor) + "/members", {{"user", "sakura-staff"}});
    const std::string action = "/mail/vendors/" + std::to_string(vendor) + "/unsigned";
    const std::string session = Login("admin", "admin-password-1");
    ASSERT_FALSE(session.empty());
    const std::string page = Get("/mail?lang=en", "", session).body;
    EXPECT_NE(page.find("held as unverified"), std::string::npos) << page;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(page, m, std::regex("action=\"" + action + "\"><input type=\"hidden\" name=\"csrf\" value=\"([0-9a-f]+)\"")));
    const std::string csrf = m[1].str();
    HttpClient c("127.0.0.1", static_cast<std::uint16_t>(http_port_));
    const std::vector<std::pair<std::string, std::string>> form{{"Content-Type", "application/x-www-form-urlencoded"},
                                                               {"Cookie", "kz_session=" + session}};
    EXPECT_EQ(c.Request("POST", action, "accept=0").status, 404) << "anonymous";
    EXPECT_EQ(c.Request("POST", action, "accept=0", {{"Authorization", "Bearer " + member},
                                                      {"Content-Type", "application/x-www-form-urlencoded"}}).status,
              404)
        << "the vendor itself";
    EXPECT_EQ(c.Request("POST", action, "accept=0&csrf=bad", form).status, 403);
    EXPECT_EQ(Sql(Db(), "SELECT accept_unsigned_mail FROM vendors WHERE id = " + std::to_string(vendor))[0][0], "1");
    EXPECT_EQ(c.Request("POST", action, "accept=0&csrf=" + csrf, form).status, 303);
    EXPECT_EQ(Sql(Db(), "SELECT accept_unsigned_mail FROM vendors WHERE id = " + std::to_string(vendor))[0][0], "0");
    EXPECT_NE(Get("/mail?lang=en", "", session).body.find("quarantined</td>"), std::string::npos);
    EXPECT_EQ(Get("/mail/messages/1/raw").status, 404) << "anonymous";
}

}  // namespace
}  // namespace kizuna::functional
