// V16 in process: the public /related form (double-submit CSRF, the same answer for every outcome, the
// rate limit) and the related-organizations API.
#include <nlohmann/json.hpp>

#include "site_fixture.hpp"
#include "support/mail_tools.hpp"
#include "vuln/secondary.hpp"

namespace kizuna::web {
namespace {

const std::string kToken(64, 'a');

class SecondaryWebTest : public SiteFixture {
  protected:
    void SetUp() override {
        SiteFixture::SetUp();
        coord_ = AddUser("coord-s", auth::Role::kCoordinator);
        reporter_ = AddUser("finder", auth::Role::kReporter);
        const vuln::Caller coord{&coord_, std::nullopt};
        auto v = vendors_->Create({"Vendor detail", "", vuln::RegistrationKind::kGeneral}, "t");
        ASSERT_TRUE(v.ok());
        ASSERT_TRUE(vendors_->AddContact(*v, {0, "PSIRT", "psirt@example.jp", "", true}, "t").ok());
        ASSERT_TRUE(vendors_->AgreeToTerms(*v, "2026-04", "t").ok());
        for (auto st : {vuln::RegistrationState::kDocumentsReceived, vuln::RegistrationState::kMeeting,
                        vuln::RegistrationState::kRegistered})
            ASSERT_TRUE(vendors_->Advance(*v, st, "t", "").ok());
        member_ = AddUser("v-detail", auth::Role::kVendor);
        ASSERT_TRUE(vendors_->AddMember(*v, member_.id, "t").ok());
        vendor_ = *v;
        vuln::NewCase n;
        n.title = "embargoed case";
        n.summary = "summary text";
        n.details = "SECRET-DETAIL-TEXT";
        auto r = cases_->Submit(n, vuln::Caller{&reporter_, std::nullopt});
        ASSERT_TRUE(r.ok());
        case_ = r->id;
        identifier_ = r->identifier;
        ASSERT_TRUE(cases_->Verify(r->id, vuln::Verification::kReproduced, "", coord).ok());
        ASSERT_TRUE(cases_->AddVendor(r->id, vendor_, coord).ok());
        ASSERT_TRUE(cases_->DiscloseDetails(r->id, vendor_, true, coord).ok());
    }

    static std::string Enc(const std::string& s) {
        std::string out;
        for (unsigned char c : s) {
            if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
                out += static_cast<char>(c);
            } else {
                char buf[4];
                std::snprintf(buf, sizeof buf, "%%%02X", c);
                out += buf;
            }
        }
        return out;
    }

    http::Response PostForm(const std::string& identifier, const std::string& email, const std::string& csrf,
                            const std::string& ip = "192.0.2.50", const std::string& key = "") {
        std::string body = "csrf=" + csrf + "&identifier=" + Enc(identifier) + "&name=" + Enc("Tsubame Works") +
                           "&person=" + Enc("Sato") + "&email=" + Enc(email) + "&phone=03-0000";
        if (!key.empty()) body += "&key=" + Enc(key);
        http::HeaderList headers{{"Content-Type", "application/x-www-form-urlencoded"},
                                 {"Cookie", "kz_login_csrf=" + kToken}};
        auto req = http::Request::Make("POST", "/related", headers, body);
        EXPECT_TRUE(req.ok());
        req->remote_ip = ip;
        return handler_(*req);
    }

    std::int64_t Count(const std::string& sql) {
        auto lease = db_->Acquire();
        return *(*lease)->QueryInt(sql);
    }

    auth::Principal coord_, reporter_, member_;
    vuln::VendorId vendor_;
    vuln::CaseId case_;
    std::string identifier_;
};

TEST_F(SecondaryWebTest, FormShowsTokenAndRefusesWithoutIt) {
    auto get = Call("GET", "/related", "");
    EXPECT_EQ(get.status, 200);
    EXPECT_NE(get.body.find("name=\"identifier\""), std::string::npos);
    EXPECT_NE(get.body.find("name=\"csrf\""), std::string::npos);

    auto bad = PostForm(identifier_, "sato@tsubame.example.jp", std::string(64, 'b'));
    EXPECT_EQ(bad.status, 403);
    EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'secondary.claim'"), 0);
}

TEST_F(SecondaryWebTest, SameAnswerForRightAndWrongIdentifiers) {
    const std::string c = "/api/v1/cases/" + std::to_string(case_.value());
    auto named = Call("POST", c + "/related-organizations", "v-detail",
                      R"({"name":"Tsubame Works","person":"Sato","email":"sato@tsubame.example.jp"})");
    ASSERT_EQ(named.status, 201) << named.body;
    const std::string rid = std::to_string(nlohmann::json::parse(named.body)["id"].get<std::int64_t>());

    auto unknown = PostForm("JVNVU#99999999", "sato@tsubame.example.jp", kToken);
    auto wrong_org = PostForm(identifier_, "other@example.jp", kToken);
    auto right = PostForm(identifier_, "sato@tsubame.example.jp", kToken);
    EXPECT_EQ(right.status, 200);
    EXPECT_EQ(unknown.status, right.status);
    EXPECT_EQ(wrong_org.status, right.status);
    EXPECT_EQ(unknown.body, right.body);
    EXPECT_EQ(wrong_org.body, right.body);
    EXPECT_EQ(right.body.find(identifier_), std::string::npos);
    EXPECT_EQ(right.body.find("Tsubame"), std::string::npos);
    EXPECT_EQ(Count("SELECT count(*) FROM related_orgs WHERE state = 'claimed'"), 1);

    // The API: vendor sees it, the coordinator approves; anonymous 401, others 404.
    EXPECT_EQ(Status("GET", c + "/related-organizations", ""), 401);
    EXPECT_EQ(Status("GET", c + "/related-organizations", "finder"), 404);
    EXPECT_EQ(Status("GET", c + "/related-organizations", "vendor"), 404);
    EXPECT_EQ(Status("GET", c + "/related-organizations", "v-detail"), 200);
    EXPECT_EQ(Status("POST", c + "/related-organizations/" + rid + "/approve", ""), 401);
    EXPECT_EQ(Status("POST", c + "/related-organizations/" + rid + "/approve", "v-detail"), 404);
    auto list = Call("GET", c + "/related-organizations", "coord");
    ASSERT_EQ(list.status, 200);
    auto j = nlohmann::json::parse(list.body);
    ASSERT_EQ(j["related_organizations"].size(), 1u);
    EXPECT_EQ(j["related_organizations"][0]["state"], "claimed");
    auto approved = Call("POST", c + "/related-organizations/" + rid + "/approve", "coord");
    EXPECT_EQ(approved.status, 200) << approved.body;
    EXPECT_EQ(Count("SELECT count(*) FROM mail_queue WHERE vendor_id IS NULL AND to_address = "
                    "'sato@tsubame.example.jp' AND body LIKE '%SECRET-DETAIL-TEXT%'"),
              1);
    EXPECT_EQ(Call("POST", c + "/related-organizations/" + rid + "/refuse", "coord").status, 409);
}

// The armoured PGP message inside a sent mail.
std::string ArmoredBlock(const std::string& message) {
    const auto begin = message.find("-----BEGIN PGP MESSAGE-----");
    const auto end = message.find("-----END PGP MESSAGE-----");
    if (begin == std::string::npos || end == std::string::npos) return {};
    return message.substr(begin, end + 25 - begin) + "\n";
}

std::string Base64Decode(const std::string& in) {
    static const std::string kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    int bits = 0, value = 0;
    for (char c : in) {
        const auto pos = kAlphabet.find(c);
        if (pos == std::string::npos) continue;
        value = (value << 6) | static_cast<int>(pos);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((value >> bits) & 0xff);
        }
    }
    return out;
}

// The decoded body of the MIME part at `headers_at` (its headers end with a blank line; base64 until "--").
std::string PartBody(const std::string& mime, std::size_t headers_at) {
    const auto body = mime.find("\r\n\r\n", headers_at);
    if (body == std::string::npos) return {};
    const auto next = mime.find("\r\n--", body);
    return Base64Decode(mime.substr(body + 4, next == std::string::npos ? std::string::npos : next - body - 4));
}

// Issue 12: a vendor naming a related organisation must not learn whether another vendor named the same
// address (no 409 across vendors); the organisation's one claim answers both namings.
TEST_F(SecondaryWebTest, NamingNeverRevealsAnotherVendorsNaming) {
    const vuln::Caller coord{&coord_, std::nullopt};
    auto two = vendors_->Create({"Vendor two", "", vuln::RegistrationKind::kGeneral}, "t");
    ASSERT_TRUE(two.ok());
    ASSERT_TRUE(vendors_->AddContact(*two, {0, "PSIRT", "psirt@two.example.jp", "", true}, "t").ok());
    ASSERT_TRUE(vendors_->AgreeToTerms(*two, "2026-04", "t").ok());
    for (auto st : {vuln::RegistrationState::kDocumentsReceived, vuln::RegistrationState::kMeeting,
                    vuln::RegistrationState::kRegistered})
        ASSERT_TRUE(vendors_->Advance(*two, st, "t", "").ok());
    auth::Principal member = AddUser("v-two", auth::Role::kVendor);
    ASSERT_TRUE(vendors_->AddMember(*two, member.id, "t").ok());
    ASSERT_TRUE(cases_->AddVendor(case_, *two, coord).ok());
    ASSERT_TRUE(cases_->SendSummary(case_, *two, coord).ok());

    const std::string c = "/api/v1/cases/" + std::to_string(case_.value());
    const std::string org = R"({"name":"Tsubame Works","person":"Sato","email":"sato@tsubame.example.jp"})";
    ASSERT_EQ(Call("POST", c + "/related-organizations", "v-detail", org).status, 201);
    auto second = Call("POST", c + "/related-organizations", "v-two",
                       R"({"name":"Tsubame","person":"Sato","email":"SATO@tsubame.example.jp"})");
    EXPECT_EQ(second.status, 201) << second.body;
    EXPECT_EQ(Call("POST", c + "/related-organizations", "v-two", org).status, 409);  // its own naming, again
    // Each vendor sees only its own naming.
    EXPECT_EQ(nlohmann::json::parse(Call("GET", c + "/related-organizations", "v-two").body)["related_organizations"].size(),
              1u);
    ASSERT_EQ(PostForm(identifier_, "sato@tsubame.example.jp", kToken).status, 200);
    EXPECT_EQ(Count("SELECT count(*) FROM related_orgs WHERE state = 'claimed'"), 2);
    // Approved at each naming vendor's level: the summary vendor's organisation gets no technical detail.
    const auto all = nlohmann::json::parse(Call("GET", c + "/related-organizations", "coord").body);
    for (const auto& r : all["related_organizations"])
        ASSERT_EQ(Call("POST", c + "/related-organizations/" + std::to_string(r["id"].get<std::int64_t>()) + "/approve",
                       "coord")
                      .status,
                  200);
    EXPECT_EQ(Count("SELECT count(*) FROM mail_queue WHERE subject LIKE '%Vendor two%' AND body LIKE '%SECRET-DETAIL%'"), 0);
    EXPECT_EQ(Count("SELECT count(*) FROM mail_queue WHERE subject LIKE '%Vendor detail%' AND body LIKE '%SECRET-DETAIL%'"),
              1);
}

// Issue 12 (V16): the organisation submits its key with the claim (checked with GPGME), staff may replace
// it, and the information reaches the organisation encrypted to it with what the vendor has at its level,
// the case's attachments included — through the real outbound sender, a real SMTP server and real GnuPG.
TEST_F(SecondaryWebTest, ClaimWithKeyAndTheMailCarriesTheAttachmentsEncrypted) {
    clock_.Set(core::RealClock().Now() + std::chrono::minutes(10));  // after the creation of the keys made below
    ReissueTokens();  // the fixture's tokens were issued at the manual clock's start, long before now
    const vuln::Caller coord{&coord_, std::nullopt};
    ASSERT_TRUE(cases_->AddAttachment(case_, "poc exploit.py", vuln::AttachmentKind::kPoc, "text/x-python; charset=utf-8",
                                      "ATTACHED-POC-BYTES", coord)
                    .ok());
    const std::string c = "/api/v1/cases/" + std::to_string(case_.value());
    ASSERT_EQ(Call("POST", c + "/related-organizations", "v-detail",
                   R"({"name":"Tsubame Works","person":"Sato","email":"sato@tsubame.example.jp"})")
                  .status,
              201);
    testing::GpgUser org(dir_.File("gpg-org"), "Tsubame Works <sato@tsubame.example.jp>");
    testing::GpgUser other(dir_.File("gpg-other"), "Other <other@tsubame.example.jp>");

    // A bad key is refused before anything is looked up (the same answer for any identifier).
    auto bad = PostForm(identifier_, "sato@tsubame.example.jp", kToken, "192.0.2.50", "not a key");
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(PostForm("JVNVU#99999999", "sato@tsubame.example.jp", kToken, "192.0.2.50", "not a key").body, bad.body);
    EXPECT_EQ(Count("SELECT count(*) FROM related_orgs WHERE state = 'claimed'"), 0);
    // The GET form offers the key field.
    EXPECT_NE(Call("GET", "/related", "").body.find("name=\"key\""), std::string::npos);

    ASSERT_EQ(PostForm(identifier_, "sato@tsubame.example.jp", kToken, "192.0.2.50", other.ExportPublic()).status, 200);
    auto listed = nlohmann::json::parse(Call("GET", c + "/related-organizations", "coord").body)["related_organizations"];
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0]["key_fingerprint"], other.fingerprint());
    const std::string rid = std::to_string(listed[0]["id"].get<std::int64_t>());

    // Staff replace the key; nobody else may (and learns nothing).
    const std::string key_body = nlohmann::json{{"key", org.ExportPublic()}}.dump();
    EXPECT_EQ(Call("PUT", c + "/related-organizations/" + rid + "/key", "", key_body).status, 401);
    for (const char* who : {"v-detail", "finder", "vendor"})
        EXPECT_EQ(Call("PUT", c + "/related-organizations/" + rid + "/key", who, key_body).status, 404) << who;
    auto junk = Call("PUT", c + "/related-organizations/" + rid + "/key", "coord", R"({"key":"junk"})");
    EXPECT_EQ(junk.status, 400);
    EXPECT_NE(junk.body.find("\"field\":\"key\""), std::string::npos);
    ASSERT_EQ(Call("PUT", c + "/related-organizations/" + rid + "/key", "coord", key_body).status, 200);
    listed = nlohmann::json::parse(Call("GET", c + "/related-organizations", "coord").body)["related_organizations"];
    EXPECT_EQ(listed[0]["key_fingerprint"], org.fingerprint());
    EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'secondary.key'"), 1);

    auto approved = Call("POST", c + "/related-organizations/" + rid + "/approve", "coord");
    ASSERT_EQ(approved.status, 200) << approved.body;
    EXPECT_EQ(Count("SELECT count(*) FROM mail_queue_attachments a JOIN mail_queue q ON q.id = a.mail_id WHERE"
                    " q.to_address = 'sato@tsubame.example.jp' AND a.filename = 'poc_exploit.py'"),
              1);

    ASSERT_TRUE(keyring_->EnsureKey("Kizuna Test <kizuna@example.jp>").ok());
    testing::SmtpSink sink(std::string(KIZUNA_SOURCE_DIR) + "/tests/support/smtp_sink.py", dir_.File("sink"));
    mail::RelayOptions relay;
    relay.host = "127.0.0.1";
    relay.port = sink.port();
    relay.from_address = "kizuna@example.jp";
    mail::OutboundSender sender(*db_, clock_, log_, *keyring_, relay);
    auto report = sender.SendDue();
    ASSERT_TRUE(report.ok()) << report.error().ToString();
    std::string message;
    for (const auto& m : sink.Messages())
        if (m.find("To: <sato@tsubame.example.jp>") != std::string::npos) message = m;
    ASSERT_FALSE(message.empty());
    EXPECT_EQ(message.find("SECRET-DETAIL-TEXT"), std::string::npos) << "sent in clear";
    const std::string inner = org.Decrypt(ArmoredBlock(message));
    ASSERT_FALSE(inner.empty());
    EXPECT_NE(PartBody(inner, inner.find("Content-Type: text/plain")).find("SECRET-DETAIL-TEXT"), std::string::npos);
    const auto attached = inner.find("filename=\"poc_exploit.py\"");
    ASSERT_NE(attached, std::string::npos) << inner;
    EXPECT_NE(inner.find("Content-Type: text/x-python; name=\"poc_exploit.py\""), std::string::npos);
    EXPECT_EQ(PartBody(inner, attached), "ATTACHED-POC-BYTES");
}

// Issue 12 (V18): staff register an overseas coordinator's key; mail to it that waited for a key is sent,
// encrypted to that key.
TEST_F(SecondaryWebTest, OverseasCoordinatorKeyReleasesWaitingMail) {
    clock_.Set(core::RealClock().Now() + std::chrono::minutes(10));  // after the creation of the keys made below
    ReissueTokens();  // the fixture's tokens were issued at the manual clock's start, long before now
    const vuln::Caller coord{&coord_, std::nullopt};
    auto k = international_->AddCoordinator(case_, {"CERT/CC", "US", "cert@cert.example.org", "VU#123456", "", {}}, coord);
    ASSERT_TRUE(k.ok());
    auto none = international_->AddCoordinator(case_, {"NoMail CERT", "XX", "", "", "", {}}, coord);
    ASSERT_TRUE(none.ok());
    const std::string c = "/api/v1/cases/" + std::to_string(case_.value());
    ASSERT_EQ(Call("POST", c + "/schedule/decision", "coord",
                   R"({"publish_at":"2027-01-15T01:00:00Z","reason":"overseas coordination"})")
                  .status,
              200);
    ASSERT_TRUE(keyring_->EnsureKey("Kizuna Test <kizuna@example.jp>").ok());
    testing::SmtpSink sink(std::string(KIZUNA_SOURCE_DIR) + "/tests/support/smtp_sink.py", dir_.File("sink"));
    mail::RelayOptions relay;
    relay.host = "127.0.0.1";
    relay.port = sink.port();
    relay.from_address = "kizuna@example.jp";
    mail::OutboundSender sender(*db_, clock_, log_, *keyring_, relay);
    ASSERT_TRUE(sender.SendDue().ok());
    for (const auto& m : sink.Messages()) EXPECT_EQ(m.find("To: <cert@cert.example.org>"), std::string::npos);
    EXPECT_EQ(Count("SELECT count(*) FROM mail_outbound o JOIN mail_queue q ON q.id = o.mail_id WHERE"
                    " q.to_address = 'cert@cert.example.org' AND o.state = 'waiting'"),
              1);

    testing::GpgUser cert(dir_.File("gpg-cert"), "CERT/CC <cert@cert.example.org>");
    const std::string target = c + "/coordinators/" + std::to_string(k->value()) + "/key";
    const std::string key_body = nlohmann::json{{"key", cert.ExportPublic()}}.dump();
    EXPECT_EQ(Call("PUT", target, "", key_body).status, 401);
    for (const char* who : {"v-detail", "finder", "vendor"}) EXPECT_EQ(Call("PUT", target, who, key_body).status, 404);
    EXPECT_EQ(Call("PUT", target, "coord", R"({"key":"junk"})").status, 400);
    EXPECT_EQ(Call("PUT", c + "/coordinators/" + std::to_string(none->value()) + "/key", "coord", key_body).status, 409);
    ASSERT_EQ(Call("PUT", target, "coord", key_body).status, 200);
    auto view = nlohmann::json::parse(Call("GET", c + "/coordinators", "coord").body);
    EXPECT_EQ(view["coordinators"][0]["key_fingerprint"], cert.fingerprint());

    clock_.Advance(std::chrono::hours(1));  // past the waiting message's next check
    ASSERT_TRUE(sender.SendDue().ok());
    std::string message;
    for (const auto& m : sink.Messages())
        if (m.find("To: <cert@cert.example.org>") != std::string::npos) message = m;
    ASSERT_FALSE(message.empty());
    const std::string inner = cert.Decrypt(ArmoredBlock(message));
    // The overseas coordinator reads English (issue 13): the instant in the center's zone with its UTC offset.
    EXPECT_NE(PartBody(inner, inner.find("Content-Type: text/plain")).find("2027-01-15 10:00 (UTC+09:00)"),
              std::string::npos);
}

// The case page's key forms go through the same rules: staff only (404 for anyone else), bad keys named.
TEST_F(SecondaryWebTest, KeyFormsOnTheCasePageAreForStaffOnly) {
    const vuln::Caller coord{&coord_, std::nullopt};
    auto k = international_->AddCoordinator(case_, {"CERT/CC", "US", "cert@cert.example.org", "", "", {}}, coord);
    ASSERT_TRUE(k.ok());
    auto rid = secondary_->RegisterRelated(case_, {"Tsubame Works", "Sato", "sato@tsubame.example.jp", ""},
                                           vuln::Caller{&member_, vendor_});
    ASSERT_TRUE(rid.ok());
    const std::string act = "/cases/" + std::to_string(case_.value()) + "/act";
    auto post = [&](const std::string& who, const std::string& body) {
        http::HeaderList headers{{"Content-Type", "application/x-www-form-urlencoded"}};
        if (!who.empty()) headers.push_back({"Authorization", "Bearer " + secrets_[who]});
        auto req = http::Request::Make("POST", act, headers, body);
        EXPECT_TRUE(req.ok());
        req->remote_ip = "192.0.2.1";
        return handler_(*req);
    };
    for (const std::string& body : {"action=coordinator_key&coordinator=" + std::to_string(k->value()) + "&key=junk",
                                   "action=related_key&related=" + std::to_string(rid->value()) + "&key=junk"}) {
        EXPECT_EQ(post("v-detail", body).status, 404) << body;
        EXPECT_EQ(post("finder", body).status, 404) << body;
        EXPECT_EQ(post("", body).status, 303) << body;  // to the login page
        // Issue 13: the page comes back with the error beside the row's key form and the typed key kept.
        auto refused = post("coord", body);
        EXPECT_EQ(refused.status, 422);
        EXPECT_NE(refused.body.find("利用できる OpenPGP 公開鍵ではありません"), std::string::npos);
        EXPECT_NE(refused.body.find("spellcheck=\"false\">junk</textarea>"), std::string::npos);
    }
    EXPECT_EQ(Count("SELECT count(*) FROM mail_recipient_keys"), 0);
    // Staff see the key column and the forms.
    auto page = Call("GET", "/cases/" + std::to_string(case_.value()) + "?lang=en", "coord");
    EXPECT_NE(page.body.find("data-testid=\"coordinator-key\">no key<"), std::string::npos);
    EXPECT_NE(page.body.find("value=\"coordinator_key\""), std::string::npos);
    EXPECT_NE(page.body.find("value=\"related_key\""), std::string::npos);
    EXPECT_EQ(Call("GET", "/cases/" + std::to_string(case_.value()), "v-detail").body.find("value=\"related_key\""),
              std::string::npos);
}

TEST_F(SecondaryWebTest, TooManyFailuresAnswer429) {
    for (int i = 0; i < vuln::SecondaryService::kMaxClaimFailures; ++i)
        EXPECT_EQ(PostForm("JVNVU#8888888" + std::to_string(i), "x@example.jp", kToken, "198.51.100.99").status, 200);
    auto refused = PostForm(identifier_, "x@example.jp", kToken, "198.51.100.99");
    EXPECT_EQ(refused.status, 429);
    EXPECT_EQ(refused.body.find(identifier_), std::string::npos);
    EXPECT_EQ(PostForm("JVNVU#88888880", "x@example.jp", kToken, "198.51.100.100").status, 200);
    clock_.Advance(std::chrono::minutes(16));
    EXPECT_EQ(PostForm("JVNVU#88888880", "x@example.jp", kToken, "198.51.100.99").status, 200);
}

}  // namespace
}  // namespace kizuna::web
