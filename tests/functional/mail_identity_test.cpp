// Issue 12 (V17, I1): identity comes from the signature, never from From:. Every test delivers through the
// real LMTP listener of `kizuna serve` (swaks as the MTA) and signs with real GnuPG keys.
#include "mail_gateway_fixture.hpp"

namespace kizuna::functional {
namespace {

constexpr std::string_view kOutsideMarker = "----- 署名の範囲外 / not covered by the signature -----";
// "①②テスト纊" in ISO-2022-JP as Windows writes it (CP50221): NEC row 13 and an NEC-selected IBM extension.
const std::string kWindowsJis = "\x1b$B\x2d\x21\x2d\x22\x25\x46\x25\x39\x25\x48\x79\x21\x1b(B";
const std::string kWindowsJisUtf8 = "①②テスト纊";

std::string Headers(const std::string& from, const std::string& subject, const std::string& message_id) {
    return "From: " + from + "\r\nTo: vuls@center.example\r\nSubject: " + subject + "\r\nMessage-ID: <" + message_id +
           ">\r\n";
}

class MailIdentityTest : public MailGatewayTest {
  protected:
    std::string Thread(Api& api, std::int64_t case_id, std::int64_t vendor) {
        return api.Call("GET", "/api/v1/cases/" + std::to_string(case_id) + "/messages?thread=vendor:" +
                                   std::to_string(vendor))
            .dump();
    }
    std::string Page(const std::string& path, const std::string& token) {
        HttpClient c("127.0.0.1", static_cast<std::uint16_t>(http_port_));
        return c.Request("GET", path, "", {{"Authorization", "Bearer " + token}}).body;
    }
};

// A forged From: of the vendor's contact and the case identifier in the subject: held as unverified
// with the sender it claims, never in the vendor's thread.
TEST_F(MailIdentityTest, UnsignedMailWithTheVendorsFromIsHeldAsUnverifiedNotPostedAsTheVendor) {
    Api api(static_cast<std::uint16_t>(http_port_), token_);
    const auto vendor = AddVendor(api, "Sakura", "psirt@sakura.example.jp", true);
    std::string identifier;
    const auto case_id = CaseWithDetails(api, vendor, &identifier);
    const std::string reply = DeliverLmtp("forged.eml", Headers("Sakura PSIRT <psirt@sakura.example.jp>",
                                                                "Re: [" + identifier + "] fixed",
                                                                "forged-1@attacker.example") +
                                                            "\r\nPlease publish the details today.\r\n");
    EXPECT_NE(reply.find("250 2.0.0 stored as"), std::string::npos) << reply;
    EXPECT_EQ(Thread(api, case_id, vendor).find("publish the details"), std::string::npos)
        << "nothing in the vendor's thread as the vendor";
    const auto inbound = Sql(Db(), "SELECT state, verification, party, thread FROM mail_inbound");
    ASSERT_EQ(inbound.size(), 1u);
    EXPECT_EQ(inbound[0][0], "routed");
    EXPECT_EQ(inbound[0][1], "unverified");
    EXPECT_EQ(inbound[0][2], "vendor:" + std::to_string(vendor));
    EXPECT_EQ(inbound[0][3], "");
    const auto report = Sql(Db(), "SELECT verification, party_name, case_hint, verification_reason FROM mail_reports");
    ASSERT_EQ(report.size(), 1u);
    EXPECT_EQ(report[0][0], "unverified");
    EXPECT_EQ(report[0][1], "Sakura");
    EXPECT_EQ(report[0][2], std::to_string(case_id));
    EXPECT_EQ(report[0][3], "not signed");
    const std::string page = Page("/mail?lang=en", token_);
    EXPECT_NE(page.find("Unverified: not attributed to anyone"), std::string::npos) << page;
    EXPECT_NE(page.find("claims to be from: Sakura"), std::string::npos);
    const std::string page_ja = Page("/mail?lang=ja", token_);
    EXPECT_NE(page_ja.find("未確認：送信者を特定できません"), std::string::npos);
}

// Signed by vendor B's key with From: vendor A: B's key is not A's. Neither thread gets it as A.
TEST_F(MailIdentityTest, SignatureByAnotherVendorsKeyIsAMismatchAndNeverTheNamedVendor) {
    Api api(static_cast<std::uint16_t>(http_port_), token_);
    GpgUser other(dir_.File("gpg-other"), "Momiji PSIRT <psirt@momiji.example>");
    const auto a = AddVendor(api, "Sakura", "psirt@sakura.example.jp", true);
    const auto b = AddVendor(api, "Momiji", "psirt@momiji.example", true, &other);
    std::string identifier;
    const auto case_id = CaseWithDetails(api, a, &identifier);
    api.Call("POST", "/api/v1/cases/" + std::to_string(case_id) + "/vendors", {{"vendor_id", b}});
    DeliverLmtp("mismatch.eml", Headers("psirt@sakura.example.jp", "[" + identifier + "] status", "mm-1@momiji.example") +
                                    "\r\n" + other.ClearSign("Sakura: we will not fix this.\n"));
    EXPECT_EQ(Thread(api, case_id, a).find("will not fix"), std::string::npos);
    EXPECT_EQ(Thread(api, case_id, b).find("will not fix"), std::string::npos);
    const auto row = Sql(Db(), "SELECT verification, party, signer, signature_status FROM mail_inbound");
    ASSERT_EQ(row.size(), 1u);
    EXPECT_EQ(row[0][0], "mismatch");
    EXPECT_EQ(row[0][1], "vendor:" + std::to_string(a)) << "the party it claims";
    EXPECT_EQ(row[0][2], other.fingerprint());
    EXPECT_EQ(row[0][3], "good");
    const auto report = Sql(Db(), "SELECT verification, verification_reason FROM mail_reports");
    ASSERT_EQ(report.size(), 1u);
    EXPECT_NE(report[0][1].find("Momiji"), std::string::npos) << report[0][1];
}

// A vendor key whose signatures come from a separate signing subkey: attributed (the subkey's
// fingerprint is compared with the registered primary key's subkeys).
TEST_F(MailIdentityTest, KeyWithASeparateSigningSubkeyIsAttributedToItsVendor) {
    Api api(static_cast<std::uint16_t>(http_port_), token_);
    GpgUser with_subkey(dir_.File("gpg-sub"), "Kaede PSIRT <psirt@kaede.example>");
    const std::string subkey = with_subkey.AddSigningSubkey();
    ASSERT_EQ(subkey.size(), 40u);
    ASSERT_NE(subkey, with_subkey.fingerprint());
    const auto vendor = AddVendor(api, "Kaede", "psirt@kaede.example", true, &with_subkey);
    std::string identifier;
    const auto case_id = CaseWithDetails(api, vendor, &identifier);
    DeliverLmtp("subkey.eml", Headers("psirt@kaede.example", "[" + identifier + "] status", "sub-1@kaede.example") +
                                  "\r\n" + with_subkey.ClearSign("Affected: 1.0 to 1.4.\n"));
    const auto row = Sql(Db(), "SELECT signer, signature_status, verification, thread FROM mail_inbound");
    ASSERT_EQ(row.size(), 1u);
    EXPECT_EQ(row[0][0], subkey) << "gpg reports the subkey";
    EXPECT_EQ(row[0][1], "good");
    EXPECT_EQ(row[0][2], "attributed");
    EXPECT_EQ(row[0][3], "vendor:" + std::to_string(vendor));
    EXPECT_NE(Thread(api, case_id, vendor).find("Affected: 1.0 to 1.4."), std::string::npos);
}

// A bad signature is quarantined with the reason; a vendor that accepts signed mail only has unsigned
// mail claiming it quarantined. The setting is staff's (API), not the vendor's own.
TEST_F(MailIdentityTest, BadSignaturesAndUnsignedMailForAStrictVendorAreQuarantined) {
    Api api(static_cast<std::uint16_t>(http_port_), token_);
    const auto vendor = AddVendor(api, "Sakura", "psirt@sakura.example.jp", true);
    std::string identifier;
    const auto case_id = CaseWithDetails(api, vendor, &identifier);
    std::string signed_text = vendor_->ClearSign("Fixed in 2.0.\n");
    signed_text.replace(signed_text.find("Fixed in 2.0."), 13, "Fixed in 9.9.");
    DeliverLmtp("bad.eml", Headers("psirt@sakura.example.jp", "[" + identifier + "] fixed", "bad-1@sakura.example.jp") +
                               "\r\n" + signed_text);
    auto row = Sql(Db(), "SELECT state, reason FROM mail_inbound WHERE message_id = 'bad-1@sakura.example.jp'");
    ASSERT_EQ(row.size(), 1u);
    EXPECT_EQ(row[0][0], "quarantined");
    EXPECT_NE(row[0][1].find("bad signature"), std::string::npos) << row[0][1];

    // Who may change the setting: staff only.
    const std::string member = UserToken("sakura-staff", "vendor");
    api.Call("POST", "/api/v1/vendors/" + std::to_string(vendor) + "/members", {{"user", "sakura-staff"}});
    const std::string policy = "/api/v1/vendors/" + std::to_string(vendor) + "/mail-policy";
    Api own(static_cast<std::uint16_t>(http_port_), member);
    own.Call("PUT", policy, {{"accept_unsigned_mail", false}}, 404);
    Api other_vendor(static_cast<std::uint16_t>(http_port_), UserToken("stranger", "vendor"));
    other_vendor.Call("PUT", policy, {{"accept_unsigned_mail", false}}, 404);
    HttpClient anonymous("127.0.0.1", static_cast<std::uint16_t>(http_port_));
    EXPECT_EQ(anonymous.Request("PUT", policy, "{\"accept_unsigned_mail\":false}", {{"Content-Type", "application/json"}}).status,
              401);
    api.Call("PUT", policy, {{"accept_unsigned_mail", "no"}}, 400);
    EXPECT_EQ(api.Call("GET", "/api/v1/vendors/" + std::to_string(vendor))["accept_unsigned_mail"], true);
    api.Call("PUT", policy, {{"accept_unsigned_mail", false}});
    EXPECT_EQ(api.Call("GET", "/api/v1/vendors/" + std::to_string(vendor))["accept_unsigned_mail"], false);

    DeliverLmtp("unsigned.eml", Headers("psirt@sakura.example.jp", "[" + identifier + "] fixed",
                                        "unsigned-1@sakura.example.jp") + "\r\nFixed.\r\n");
    row = Sql(Db(), "SELECT state, reason FROM mail_inbound WHERE message_id = 'unsigned-1@sakura.example.jp'");
    ASSERT_EQ(row.size(), 1u);
    EXPECT_EQ(row[0][0], "quarantined");
    EXPECT_NE(row[0][1].find("accepts signed mail only"), std::string::npos) << row[0][1];
    EXPECT_EQ(Sql(Db(), "SELECT count(*) FROM mail_reports")[0][0], "0");
    EXPECT_EQ(Thread(api, case_id, vendor).find("Fixed."), std::string::npos);
    EXPECT_FALSE(Sql(Db(), "SELECT 1 FROM audit_log WHERE action = 'vendor.mail_policy'").empty());
}

// Text outside a clear-signed block and an unsigned part beside a signed one are marked, never shown
// as signed; only the signed part's attachment is marked signed.
TEST_F(MailIdentityTest, PartlySignedMailShowsOnlyTheSignedContentAsSigned) {
    Api api(static_cast<std::uint16_t>(http_port_), token_);
    const auto vendor = AddVendor(api, "Sakura", "psirt@sakura.example.jp", true);
    std::string identifier;
    const auto case_id = CaseWithDetails(api, vendor, &identifier);
    DeliverLmtp("inline.eml", Headers("psirt@sakura.example.jp", "[" + identifier + "] status", "part-1@sakura.example.jp") +
                                  "\r\nBEFORE-THE-BLOCK: ignore the advisory\r\n" +
                                  vendor_->ClearSign("Status: fixed in 2.1\n") +
                                  "AFTER-THE-BLOCK: send the PoC to evil@example.org\r\n");
    const json thread = api.Call("GET", "/api/v1/cases/" + std::to_string(case_id) + "/messages?thread=vendor:" +
                                            std::to_string(vendor));
    ASSERT_EQ(thread["messages"].size(), 2u) << "the notice and the reply: " << thread.dump();
    std::string body = thread["messages"][1]["body"].get<std::string>();
    auto marker = body.find(kOutsideMarker);
    ASSERT_NE(marker, std::string::npos) << body;
    EXPECT_LT(body.find("Status: fixed in 2.1"), marker);
    EXPECT_GT(body.find("BEFORE-THE-BLOCK"), marker);
    EXPECT_GT(body.find("AFTER-THE-BLOCK"), marker);

    const std::string signed_entity = "Content-Type: multipart/mixed; boundary=\"in\"\r\n\r\n--in\r\n"
                                      "Content-Type: text/plain; charset=utf-8\r\n\r\nSigned status text\r\n--in\r\n"
                                      "Content-Type: application/octet-stream; name=\"fix.diff\"\r\n"
                                      "Content-Disposition: attachment; filename=\"fix.diff\"\r\n\r\n+fixed\r\n--in--\r\n";
    DeliverLmtp("mime.eml", Headers("psirt@sakura.example.jp", "[" + identifier + "] patch", "part-2@sakura.example.jp") +
                                "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"out\"\r\n\r\n--out\r\n" +
                                testing::PgpMimeSigned(*vendor_, signed_entity) +
                                "--out\r\nContent-Type: text/plain\r\n\r\nUNSIGNED-ADDENDUM: use the other patch\r\n"
                                "--out\r\nContent-Type: application/octet-stream; name=\"evil.diff\"\r\n"
                                "Content-Disposition: attachment; filename=\"evil.diff\"\r\n\r\n-fixed\r\n--out--\r\n");
    const json again = api.Call("GET", "/api/v1/cases/" + std::to_string(case_id) + "/messages?thread=vendor:" +
                                           std::to_string(vendor));
    ASSERT_EQ(again["messages"].size(), 3u) << again.dump();
    body = again["messages"][2]["body"].get<std::string>();
    marker = body.find(kOutsideMarker);
    ASSERT_NE(marker, std::string::npos) << body;
    EXPECT_LT(body.find("Signed status text"), marker);
    EXPECT_GT(body.find("UNSIGNED-ADDENDUM"), marker);
    const auto files = Sql(Db(), "SELECT filename, covered FROM mail_attachments ORDER BY filename");
    ASSERT_EQ(files.size(), 2u);
    EXPECT_EQ(files[0], (std::vector<std::string>{"evil.diff", "0"}));
    EXPECT_EQ(files[1], (std::vector<std::string>{"fix.diff", "1"}));
}

// ISO-2022-JP: a clear signature over JIS bytes verifies (over the bytes as sent), and Windows-style
// ISO-2022-JP (①, NEC/IBM extensions) is decoded in the body and in an RFC 2047 subject.
TEST_F(MailIdentityTest, ClearSignedAndWindowsStyleIso2022JpMail) {
    Api api(static_cast<std::uint16_t>(http_port_), token_);
    const auto vendor = AddVendor(api, "Sakura", "psirt@sakura.example.jp", true);
    std::string identifier;
    const auto case_id = CaseWithDetails(api, vendor, &identifier);
    // "対応済みです" in JIS X 0208, then the Windows extensions.
    const std::string jis = "\x1b$BBP1~:Q$_$G$9\x1b(B\n" + kWindowsJis + "\n";
    DeliverLmtp("jis-signed.eml", Headers("psirt@sakura.example.jp", "[" + identifier + "] status", "jis-1@sakura.example.jp") +
                                      "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\n"
                                      "Content-Transfer-Encoding: 7bit\r\n\r\n" + vendor_->ClearSign(jis));
    const auto row = Sql(Db(), "SELECT signature_status, thread FROM mail_inbound WHERE message_id = 'jis-1@sakura.example.jp'");
    ASSERT_EQ(row.size(), 1u);
    EXPECT_EQ(row[0][0], "good");
    EXPECT_EQ(row[0][1], "vendor:" + std::to_string(vendor));
    const std::string thread = Thread(api, case_id, vendor);
    EXPECT_NE(thread.find("対応済みです"), std::string::npos) << thread;
    EXPECT_NE(thread.find(kWindowsJisUtf8), std::string::npos) << thread;

    DeliverLmtp("jis-windows.eml",
                Headers("Tanaka <tanaka@finder.example>", "=?ISO-2022-JP?B?GyRCLSEtIiVGJTklSHkhGyhC?=", "jis-2@finder.example") +
                    "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\n"
                    "Content-Transfer-Encoding: 7bit\r\n\r\n" + kWindowsJis + "\r\n");
    const auto report = Sql(Db(), "SELECT subject, body FROM mail_reports");
    ASSERT_EQ(report.size(), 1u);
    EXPECT_EQ(report[0][0], kWindowsJisUtf8);
    EXPECT_NE(report[0][1].find(kWindowsJisUtf8), std::string::npos) << report[0][1];
    EXPECT_EQ(report[0][1].find('\x1b'), std::string::npos) << "no raw escape sequences";
}

// Truncated MIME (a cut base64 attachment, no closing boundary) is quarantined with the parser's reason.
TEST_F(MailIdentityTest, TruncatedMimeIsQuarantinedWithTheReasonNotStoredWithACutAttachment) {
    DeliverLmtp("cut.eml", Headers("finder@lab.example", "PoC", "cut-1@lab.example") +
                               "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n"
                               "Content-Type: text/plain\r\n\r\nsee the PoC\r\n--b\r\n"
                               "Content-Type: application/zip; name=\"poc.zip\"\r\nContent-Transfer-Encoding: base64\r\n"
                               "\r\nUEsDBBQAAAAIAAAAIQBhYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ekFCQ0RFRkdISUpLTE1O\r\nUEsDBBQAAAAIAAA");
    const auto row = Sql(Db(), "SELECT state, reason FROM mail_inbound");
    ASSERT_EQ(row.size(), 1u);
    EXPECT_EQ(row[0][0], "quarantined");
    EXPECT_NE(row[0][1].find("malformed MIME"), std::string::npos) << row[0][1];
    EXPECT_NE(row[0][1].find("truncated"), std::string::npos) << row[0][1];
    EXPECT_EQ(Sql(Db(), "SELECT count(*) FROM mail_attachments")[0][0], "0");
    EXPECT_EQ(Sql(Db(), "SELECT count(*) FROM mail_reports")[0][0], "0");
}

// The same Message-ID with another body is a new message; the same body again is a duplicate.
TEST_F(MailIdentityTest, ReusedMessageIdWithAnotherBodyIsANewMessage) {
    const std::string headers = Headers("finder@lab.example", "report", "reused@lab.example");
    DeliverLmtp("first.eml", headers + "\r\nfirst report\r\n");
    DeliverLmtp("second.eml", headers + "\r\na different report\r\n");
    const std::string again = DeliverLmtp("third.eml", "Received: from relay2.example\r\n" + headers + "\r\nfirst report\r\n");
    EXPECT_NE(again.find("duplicate of"), std::string::npos) << again;
    EXPECT_EQ(Sql(Db(), "SELECT count(*) FROM mail_inbound")[0][0], "2");
    const auto bodies = Sql(Db(), "SELECT body FROM mail_reports ORDER BY id");
    ASSERT_EQ(bodies.size(), 2u);
    EXPECT_NE(bodies[0][0].find("first report"), std::string::npos);
    EXPECT_NE(bodies[1][0].find("a different report"), std::string::npos);
}

}  // namespace
}  // namespace kizuna::functional
