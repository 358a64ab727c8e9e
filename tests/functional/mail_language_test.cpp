// Issue 13 end to end: a vendor with a Japanese and an English contact; the notice leaves through the real
// outbound sender to the relay, encrypted to the vendor's key, each contact's copy in its own language.
#include "mail_gateway_fixture.hpp"

namespace kizuna::functional {
namespace {

std::string DecodeBase64(std::string_view in) {
    static const std::string kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    unsigned buffer = 0;
    int bits = 0;
    for (char ch : in) {
        const auto at = kAlphabet.find(ch);
        if (at == std::string::npos) continue;  // line ends, padding
        buffer = (buffer << 6) | static_cast<unsigned>(at);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buffer >> bits) & 0xFF);
        }
    }
    return out;
}

// The text/plain part of a decrypted inner message (base64, as the sender writes it).
std::string InnerText(const std::string& inner) {
    const auto headers_end = inner.find("\r\n\r\n");
    if (headers_end == std::string::npos) return {};
    return DecodeBase64(inner.substr(headers_end + 4));
}

// The Subject header with its RFC 2047 words decoded.
std::string Subject(const std::string& message) {
    const auto at = message.find("\r\nSubject: ");
    if (at == std::string::npos) return {};
    std::string raw;
    std::size_t pos = at + 11;
    while (true) {  // the header and its continuation lines
        const auto end = message.find("\r\n", pos);
        raw += message.substr(pos, end - pos);
        if (message.compare(end + 2, 1, " ") != 0) break;
        pos = end + 3;
    }
    std::string out;
    std::size_t i = 0;
    while (i < raw.size()) {
        const auto word = raw.find("=?UTF-8?B?", i);
        if (word == std::string::npos) {
            out += raw.substr(i);
            break;
        }
        out += raw.substr(i, word - i);
        const auto end = raw.find("?=", word + 10);
        out += DecodeBase64(raw.substr(word + 10, end - word - 10));
        i = end + 2;
    }
    return out;
}

TEST_F(MailGatewayTest, EachContactGetsTheNoticeInItsLanguageEncrypted) {
    Api api(static_cast<std::uint16_t>(http_port_), token_);
    const auto vendor = AddVendor(api, "Sakura", "psirt@sakura.example.jp", true);
    api.Call("POST", "/api/v1/vendors/" + std::to_string(vendor) + "/contacts",
             {{"name", "Global PSIRT"}, {"email", "global@sakura.example.com"}, {"lang", "en"}}, 201);
    std::string identifier;
    CaseWithDetails(api, vendor, &identifier);

    ASSERT_TRUE(WaitFor([&] { return sink_->Messages().size() == 2; })) << testing::ReadWholeFile(dir_.File("serve.log"));
    std::map<std::string, std::string> subject_to, text_to;
    for (const std::string& sent : sink_->Messages()) {
        EXPECT_NE(sent.find("multipart/encrypted"), std::string::npos) << "never in clear";
        EXPECT_EQ(sent.find("Please investigate"), std::string::npos);
        const auto to_at = sent.find("\r\nTo: <");
        ASSERT_NE(to_at, std::string::npos);
        const std::string to = sent.substr(to_at + 7, sent.find('>', to_at) - to_at - 7);
        std::string status;
        const std::string inner = vendor_->Decrypt(ArmoredBlock(sent), &status);
        EXPECT_NE(status.find("GOODSIG"), std::string::npos) << status;
        subject_to[to] = Subject(sent);
        text_to[to] = InnerText(inner);
    }
    ASSERT_EQ(subject_to.size(), 2u);
    EXPECT_EQ(subject_to["psirt@sakura.example.jp"], "[" + identifier + "] 脆弱性詳細情報のご提供");
    EXPECT_NE(text_to["psirt@sakura.example.jp"].find("脆弱性詳細情報は、ベンダポータルにてご覧いただけます。"),
              std::string::npos)
        << text_to["psirt@sakura.example.jp"];
    EXPECT_EQ(subject_to["global@sakura.example.com"], "[" + identifier + "] Vulnerability details");
    EXPECT_NE(text_to["global@sakura.example.com"].find("Please investigate your products"), std::string::npos)
        << text_to["global@sakura.example.com"];
    EXPECT_EQ(text_to["global@sakura.example.com"].find("脆弱性"), std::string::npos);
}

// A coordinator's edit of a template is what leaves the center next.
TEST_F(MailGatewayTest, AnEditedTemplateIsWhatTheVendorReceives) {
    Api api(static_cast<std::uint16_t>(http_port_), token_);
    const auto vendor = AddVendor(api, "Sakura", "psirt@sakura.example.jp", true);
    const std::string cookie = [&] {
        EXPECT_EQ(Run({"user", "add", "yamada", "--role", "coordinator"}, "yamada-password-1\n").exit_code, 0);
        return Login("yamada", "yamada-password-1");
    }();
    ASSERT_FALSE(cookie.empty());
    HttpClient web("127.0.0.1", static_cast<std::uint16_t>(http_port_));
    HttpReply page = web.Request("GET", "/templates/notice.detail", "", {{"Cookie", "kz_session=" + cookie}});
    ASSERT_EQ(page.status, 200);
    const std::string csrf = HiddenCsrf(page.body);
    HttpReply saved = web.Request(
        "POST", "/templates/notice.detail",
        "csrf=" + csrf + "&lang=ja&action=save&subject=%7B%7Bidentifier%7D%7D+%E8%A9%B3%E7%B4%B0&body=" +
            "%E7%B7%A8%E9%9B%86%E3%81%97%E3%81%9F%E6%9C%AC%E6%96%87+%7B%7Bvendor%7D%7D",
        {{"Content-Type", "application/x-www-form-urlencoded"}, {"Cookie", "kz_session=" + cookie}});
    ASSERT_EQ(saved.status, 303) << saved.body;
    std::string identifier;
    CaseWithDetails(api, vendor, &identifier);
    ASSERT_TRUE(WaitFor([&] { return sink_->Messages().size() == 1; })) << testing::ReadWholeFile(dir_.File("serve.log"));
    const std::string sent = sink_->Messages().front();
    EXPECT_EQ(Subject(sent), identifier + " 詳細");
    std::string status;
    EXPECT_EQ(InnerText(vendor_->Decrypt(ArmoredBlock(sent), &status)), "編集した本文 Sakura");
}

}  // namespace
}  // namespace kizuna::functional
