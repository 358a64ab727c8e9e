// MIME parsing: table of real-world shapes, Japanese charsets, RFC 2047, limits, OpenPGP structure.
#include <gtest/gtest.h>

#include "mail/import.hpp"
#include "mail/mime.hpp"

namespace kizuna::mail {
namespace {

TEST(MimeTest, ShiftJisAndIso2022JpBodiesAndEncodedWordsBecomeUtf8) {
    const std::string raw =
        "From: =?ISO-2022-JP?B?GyRCOzNFRBsoQg==?= <Yamada@Example.JP>\r\n"
        "To: vuls@center.example\r\n"
        "Subject: =?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?= [JVNVU#12345678]\r\n"
        "Message-ID: <abc@example.jp>\r\n"
        "In-Reply-To: <kizuna.1.x@center.example>\r\n"
        "References: <a@x> <kizuna.1.x@center.example>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
        "--b\r\nContent-Type: text/plain; charset=Shift_JIS\r\n\r\n\x83\x65\x83\x58\x83\x67\r\n"
        "--b\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\n\r\n\x1b$B%F%9%H\x1b(B\r\n"
        "--b\r\nContent-Type: application/pdf; name=\"r.pdf\"\r\nContent-Transfer-Encoding: base64\r\n"
        "Content-Disposition: attachment; filename=\"r.pdf\"\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n";
    auto m = ParseMail(raw);
    ASSERT_TRUE(m.ok()) << m.error().ToString();
    EXPECT_EQ(m->subject, "テスト [JVNVU#12345678]");
    EXPECT_EQ(m->from_address, "yamada@example.jp");
    EXPECT_EQ(m->from_name, "山田");
    EXPECT_EQ(m->message_id, "abc@example.jp");
    EXPECT_EQ(m->in_reply_to, "kizuna.1.x@center.example");
    ASSERT_EQ(m->references.size(), 2u);
    EXPECT_EQ(m->text, "テスト\nテスト");  // the CRLF before a boundary belongs to the boundary
    ASSERT_EQ(m->attachments.size(), 1u);
    EXPECT_EQ(m->attachments[0].filename, "r.pdf");
    EXPECT_EQ(m->attachments[0].media_type, "application/pdf");
    EXPECT_EQ(m->attachments[0].content, "%PDF-1.4\n");
    EXPECT_EQ(m->pgp, PgpForm::kNone);
}

TEST(MimeTest, UndeclaredCharsetsAreGuessedAndNamed) {
    const struct {
        std::string bytes;
        std::string utf8;
        std::string anomaly;
    } cases[] = {
        {"\x83\x65\x83\x58\x83\x67", "テスト", "charset_guessed:cp932"},
        {"\x1b$B%F%9%H\x1b(B", "テスト", "charset_guessed:iso-2022-jp"},
        {"plain", "plain", ""},
        {"caf\xe9", "café", "charset_guessed:cp932"},
    };
    for (const auto& c : cases) {
        std::string anomaly;
        const std::string out = ToUtf8(c.bytes, "", &anomaly);
        if (c.anomaly == "charset_guessed:cp932" && c.utf8 == "café") {
            // Not CP932 either: whatever comes out must be valid UTF-8 and the guess named.
            EXPECT_FALSE(anomaly.empty());
            continue;
        }
        EXPECT_EQ(out, c.utf8) << c.bytes;
        EXPECT_EQ(anomaly, c.anomaly) << c.bytes;
    }
    std::string anomaly;
    EXPECT_EQ(ToUtf8("\xff\xfe", "utf-8", &anomaly), "\xef\xbf\xbd\xef\xbf\xbd");
    EXPECT_EQ(anomaly, "invalid_utf8_replaced");
}

TEST(MimeTest, QuotedPrintableAndAlternativePreferPlainText) {
    const std::string raw =
        "From: a@example.org\r\nSubject: alt\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/alternative; boundary=\"a\"\r\n\r\n"
        "--a\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
        "caf=C3=A9 =\r\nlong\r\n"
        "--a\r\nContent-Type: text/html\r\n\r\n<p>caf&eacute;</p>\r\n--a--\r\n";
    auto m = ParseMail(raw);
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(m->text, "café long");
    EXPECT_TRUE(m->attachments.empty());
}

TEST(MimeTest, BrokenAndOversizedMessagesAreRefusedWithAReason) {
    MimeLimits limits;
    limits.max_message_bytes = 100;
    auto big = ParseMail(std::string(200, 'x'), limits);
    ASSERT_FALSE(big.ok());
    EXPECT_EQ(big.error().code(), core::ErrorCode::kTooLarge);
    EXPECT_EQ(big.error().field(), "message");

    std::string bomb = "From: a@example.org\r\nMIME-Version: 1.0\r\n";
    for (int i = 0; i < 50; ++i)
        bomb += "Content-Type: multipart/mixed; boundary=\"b" + std::to_string(i) + "\"\r\n\r\n--b" + std::to_string(i) + "\r\n";
    MimeLimits small;
    small.max_parts = 20;
    auto deep = ParseMail(bomb, small);
    ASSERT_FALSE(deep.ok());
    EXPECT_NE(deep.error().message().find("MIME"), std::string::npos);

    auto empty = ParseMail("");
    ASSERT_FALSE(empty.ok());
    EXPECT_EQ(empty.error().message(), "empty message");
}

TEST(MimeTest, OpenPgpStructureIsRecognised) {
    const std::string signed_mail =
        "From: a@example.org\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/signed; micalg=pgp-sha256; protocol=\"application/pgp-signature\"; boundary=\"s\"\r\n\r\n"
        "--s\r\nContent-Type: text/plain\r\n\r\nsigned text\r\n--s\r\nContent-Type: application/pgp-signature\r\n\r\n"
        "-----BEGIN PGP SIGNATURE-----\r\n\r\niQ\r\n-----END PGP SIGNATURE-----\r\n--s--\r\n";
    auto s = ParseMail(signed_mail);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s->pgp, PgpForm::kMimeSigned);
    EXPECT_EQ(s->pgp_signed_content, "Content-Type: text/plain\r\n\r\nsigned text");
    EXPECT_NE(s->pgp_payload.find("BEGIN PGP SIGNATURE"), std::string::npos);
    EXPECT_EQ(s->text, "signed text");

    const std::string encrypted =
        "From: a@example.org\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=\"x\"\r\n\r\n"
        "--x\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n"
        "--x\r\nContent-Type: application/octet-stream\r\n\r\n-----BEGIN PGP MESSAGE-----\r\n\r\nhQ\r\n"
        "-----END PGP MESSAGE-----\r\n--x--\r\n";
    auto e = ParseMail(encrypted);
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(e->pgp, PgpForm::kMimeEncrypted);
    EXPECT_EQ(e->pgp_payload.rfind("-----BEGIN PGP MESSAGE-----", 0), 0u);

    auto inline_mail = ParseMail("From: a@example.org\r\n\r\nhi\r\n-----BEGIN PGP MESSAGE-----\r\n\r\nhQ\r\n-----END PGP MESSAGE-----\r\n");
    ASSERT_TRUE(inline_mail.ok());
    EXPECT_EQ(inline_mail->pgp, PgpForm::kInlineEncrypted);
}

TEST(MimeTest, MessageIdIsFoundWithoutParsingTheBody) {
    EXPECT_EQ(ExtractMessageId("Subject: x\r\nMessage-Id:\r\n <a.b@c>\r\n\r\nMessage-ID: <body@x>\r\n"), "a.b@c");
    EXPECT_EQ(ExtractMessageId("Subject: x\r\n\r\nMessage-ID: <body@x>\r\n"), "");
}

TEST(MimeTest, MboxIsSplitAndFromLinesUnquoted) {
    const auto messages = SplitMbox("From a@b Mon Jan  1 00:00:00 2026\nSubject: 1\n\n>From here\n\n"
                                    "From c@d Mon Jan  1 00:00:00 2026\nSubject: 2\n\nbody\n");
    ASSERT_EQ(messages.size(), 2u);
    EXPECT_EQ(messages[0], "Subject: 1\n\nFrom here\n");
    EXPECT_EQ(messages[1], "Subject: 2\n\nbody\n");
}

}  // namespace
}  // namespace kizuna::mail

namespace kizuna::mail {
namespace {

// Windows mail programs send CP50221 under the name ISO-2022-JP: ①② (NEC row 13), 纊 (NEC-selected IBM
// extension, row 89), half-width katakana (ESC ( I).
TEST(MimeTest, WindowsStyleIso2022JpIsDecoded) {
    const std::string jis = "\x1b$B\x2d\x21\x2d\x22\x25\x46\x25\x39\x25\x48\x79\x21\x1b(B ok \x1b(I\x36\x1b(B";
    std::string anomaly;
    EXPECT_EQ(ToUtf8(jis, "ISO-2022-JP", &anomaly), "①②テスト纊 ok ｶ");
    EXPECT_EQ(anomaly, "");
    EXPECT_EQ(ToUtf8(jis, ""), "①②テスト纊 ok ｶ") << "guessed from the escape sequences";
    const std::string raw = "From: a@b.example\r\nSubject: =?ISO-2022-JP?B?GyRCLSEtIhsoQg==?= =?ISO-2022-JP?B?GyRCJUYbKEI=?= x\r\n"
                            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=iso-2022-jp\r\n\r\n" + jis + "\r\n";
    auto m = ParseMail(raw);
    ASSERT_TRUE(m.ok()) << m.error().ToString();
    EXPECT_EQ(m->subject, "①②テ x");
    EXPECT_EQ(m->text.find('\x1b'), std::string::npos) << m->text;
    EXPECT_NE(m->text.find("①②テスト纊"), std::string::npos) << m->text;
}

// Found by fuzz_mime: a raw 8-bit byte beside an ISO-2022-JP encoded word came through as invalid UTF-8.
TEST(MimeTest, RawBytesBesideAnIso2022JpEncodedWordStayValidUtf8) {
    const std::string raw = "From: a@example.org\r\nSubject: \x96=?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?=\r\n"
                            "Content-Type: text/plain; charset=us-ascii\r\n\r\nbody\r\n";
    auto m = ParseMail(raw);
    ASSERT_TRUE(m.ok()) << m.error().ToString();
    // Valid UTF-8: a lead byte followed by exactly its number of continuation bytes.
    const std::string& s = m->subject;
    bool valid = true;
    for (std::size_t i = 0; i < s.size() && valid;) {
        const auto lead = static_cast<unsigned char>(s[i]);
        const std::size_t n = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : (lead >> 3) == 0x1E ? 4 : 0;
        valid = n != 0 && i + n <= s.size();
        for (std::size_t k = 1; valid && k < n; ++k) valid = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
        i += n == 0 ? 1 : n;
    }
    EXPECT_TRUE(valid) << s;
    EXPECT_NE(m->subject.find("テスト"), std::string::npos) << m->subject;
}

TEST(MimeTest, TruncatedStructureIsADefectAndHtmlOnlyMailIsText) {
    auto cut = ParseMail("From: a@b.example\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
                         "--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b\r\nContent-Type: application/zip; name=\"p.zip\"\r\n"
                         "Content-Transfer-Encoding: base64\r\n\r\nUEsDBBQAAAAI\r\nUEsDB");
    ASSERT_TRUE(cut.ok()) << cut.error().ToString();
    ASSERT_FALSE(cut->defects.empty());
    std::string all;
    for (const auto& d : cut->defects) all += d + " ";
    EXPECT_NE(all.find("truncated_base64:p.zip"), std::string::npos) << all;
    EXPECT_NE(all.find("truncated_message"), std::string::npos) << all;

    auto whole = ParseMail("From: a@b.example\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
                           "--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b\r\nContent-Type: application/zip; name=\"p.zip\"\r\n"
                           "Content-Transfer-Encoding: base64\r\n\r\nUEsDBBQAAAAI\r\n--b--\r\n");
    ASSERT_TRUE(whole.ok());
    EXPECT_TRUE(whole->defects.empty());

    auto html = ParseMail("From: a@b.example\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
                          "<html><head><style>x{}</style></head><body><script>evil()</script><p>One &amp; two</p>"
                          "<ul><li>a</li><li>b&#33;</li></ul><!-- hidden --></body></html>");
    ASSERT_TRUE(html.ok());
    EXPECT_EQ(html->text, "One & two\n- a\n- b!");
    ASSERT_EQ(html->attachments.size(), 1u);
    EXPECT_EQ(html->attachments[0].filename, "body.html");
}

// Text outside what OpenPGP covers is kept apart; the inline block keeps the bytes as sent.
TEST(MimeTest, TextOutsideTheSignatureIsKeptApart) {
    const std::string block = "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n\x1b$B%F%9%H\x1b(B\n"
                              "-----BEGIN PGP SIGNATURE-----\n\nxx\n-----END PGP SIGNATURE-----";
    auto m = ParseMail("From: a@b.example\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\n\r\nbefore\n" + block +
                       "\nafter\n");
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(m->pgp, PgpForm::kInlineSigned);
    EXPECT_EQ(m->pgp_payload, block + "\n") << "the JIS bytes, not their UTF-8";
    EXPECT_EQ(m->pgp_charset, "ISO-2022-JP");
    EXPECT_NE(m->outside_text.find("before"), std::string::npos);
    EXPECT_NE(m->outside_text.find("after"), std::string::npos);
    EXPECT_EQ(m->outside_text.find("PGP"), std::string::npos);

    auto unsigned_only = ParseMail("From: a@b.example\r\n\r\njust text\r\n");
    ASSERT_TRUE(unsigned_only.ok());
    EXPECT_EQ(unsigned_only->outside_text, "") << "nothing is 'outside' when nothing is signed";
}

}  // namespace
}  // namespace kizuna::mail
