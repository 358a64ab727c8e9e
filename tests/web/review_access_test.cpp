// Issue 13, reporter and review side: the report form with attachment, wishes and reply key; the status
// secret (hashed, shown once); the status lookup that answers a wrong id and a wrong secret alike and is
// throttled; the acknowledgement review; the vendors' draft review (another case's vendor is refused exactly
// like a case that does not exist); replies by mail to a reporter without account; the editor's product rows.
#include <sodium.h>

#include <cctype>
#include <nlohmann/json.hpp>
#include <regex>

#include "site_fixture.hpp"
#include "support/mail_tools.hpp"

namespace kizuna::web {
namespace {

constexpr const char* kToken = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
constexpr const char* kBoundary = "----kizunaTestBoundary7MA4YWxkTrZu0gW";

std::string Enc(const std::string& s) {
    std::string out;
    const char* hex = "0123456789ABCDEF";
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::string Sha256Hex(const std::string& data) {
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
    char hex[crypto_hash_sha256_BYTES * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    return hex;
}

std::string Capture(const std::string& body, const std::string& pattern) {
    std::smatch m;
    if (!std::regex_search(body, m, std::regex(pattern))) return {};
    return m[1];
}

class ReviewAccessTest : public SiteFixture {
  protected:
    void SetUp() override {
        SiteFixture::SetUp();
        coordinator_ = AddUser("coord2", auth::Role::kCoordinator);
        for (const std::string name : {"detail", "summary", "outsider"}) {
            auto v = vendors_->Create({"Vendor " + name, "", vuln::RegistrationKind::kGeneral}, "t");
            ASSERT_TRUE(v.ok());
            ASSERT_TRUE(vendors_->AddContact(*v, {0, "PSIRT", name + "@example.jp", "", true}, "t").ok());
            ASSERT_TRUE(vendors_->AgreeToTerms(*v, "2026-04", "t").ok());
            for (auto st : {vuln::RegistrationState::kDocumentsReceived, vuln::RegistrationState::kMeeting,
                            vuln::RegistrationState::kRegistered})
                ASSERT_TRUE(vendors_->Advance(*v, st, "t", "").ok());
            auth::Principal member = AddUser("v-" + name, auth::Role::kVendor);
            ASSERT_TRUE(vendors_->AddMember(*v, member.id, "t").ok());
            vendor_ids_[name] = *v;
        }
    }

    // A multipart POST as the anonymous browser form sends it (double-submit CSRF cookie).
    http::Response PostMultipart(const std::string& target, const std::vector<std::pair<std::string, std::string>>& fields,
                                 const std::vector<std::pair<std::string, std::string>>& files,
                                 const std::string& ip = "198.51.100.7") {
        std::string body;
        for (const auto& [name, value] : fields)
            body += std::string("--") + kBoundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" +
                    value + "\r\n";
        for (const auto& [filename, content] : files)
            body += std::string("--") + kBoundary + "\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"" +
                    filename + "\"\r\nContent-Type: text/plain\r\n\r\n" + content + "\r\n";
        body += std::string("--") + kBoundary + "--\r\n";
        auto req = http::Request::Make("POST", target,
                                       {{"Content-Type", std::string("multipart/form-data; boundary=") + kBoundary},
                                        {"Cookie", std::string("kz_login_csrf=") + kToken}},
                                       body);
        EXPECT_TRUE(req.ok());
        req->remote_ip = ip;
        return handler_(*req);
    }

    http::Response PostForm(const std::string& target, const std::vector<std::pair<std::string, std::string>>& fields,
                            const std::string& who = "", const std::string& ip = "198.51.100.7") {
        std::string body = who.empty() ? std::string("csrf=") + kToken : "";
        for (const auto& [name, value] : fields) body += (body.empty() ? "" : "&") + name + "=" + Enc(value);
        http::HeaderList headers{{"Content-Type", "application/x-www-form-urlencoded"}};
        if (who.empty()) headers.push_back({"Cookie", std::string("kz_login_csrf=") + kToken});
        else headers.push_back({"Authorization", "Bearer " + secrets_[who]});
        auto req = http::Request::Make("POST", target, headers, body);
        EXPECT_TRUE(req.ok());
        req->remote_ip = ip;
        return handler_(*req);
    }

    struct Submitted {
        std::string receipt_id, secret;
        vuln::CaseId id;
    };

    Submitted SubmitReport(const std::string& reply_key = "") {
        auto r = PostMultipart("/report",
                               {{"csrf", kToken},
                                {"title", "Stack overflow in the router"},
                                {"details", "send 5000 bytes"},
                                {"reporter_name", "Hana Finder"},
                                {"reporter_email", "hana@example.org"},
                                {"ack", "name"},
                                {"ack_name", "Hana F."},
                                {"vendor_contacted", "yes"},
                                {"vendor_contacted_which", "Vendor detail, last week"},
                                {"reply_key", reply_key}},
                               {{"poc.py", "print('poc')\n"}});
        EXPECT_EQ(r.status, 201) << r.body;
        Submitted s;
        s.receipt_id = Capture(r.body, "data-testid=\"receipt-id\">([^<]+)<");
        s.secret = Capture(r.body, "data-testid=\"status-secret\">([0-9a-f]+)<");
        auto lease = db_->Acquire();
        auto row = (*lease)->QueryOne("SELECT id FROM cases WHERE receipt_id = ?", {s.receipt_id});
        EXPECT_TRUE(row.ok() && *row);
        if (row.ok() && *row) s.id = vuln::CaseId((**row).Int(0));
        return s;
    }

    // The case in coordination with the "detail" vendor (details) and the "summary" vendor (summary only),
    // and an advisory draft with an acknowledgement text.
    void Coordinate(vuln::CaseId id) {
        const vuln::Caller coord{&coordinator_, std::nullopt};
        ASSERT_TRUE(cases_->Verify(id, vuln::Verification::kReproduced, "", coord).ok());
        for (const char* name : {"detail", "summary"}) ASSERT_TRUE(cases_->AddVendor(id, vendor_ids_[name], coord).ok());
        ASSERT_TRUE(cases_->DiscloseDetails(id, vendor_ids_["detail"], true, coord).ok());
        ASSERT_TRUE(cases_->SendSummary(id, vendor_ids_["summary"], coord).ok());
        const std::string content = R"({"title": {"ja": "ルータの脆弱性", "en": "Router flaw"},
            "overview": {"ja": "概要", "en": "Overview"},
            "acknowledgements": {"ja": "Hana F. 氏が報告しました。", "en": "Reported by Hana F."},
            "products": [{"vendor_id": )" + V("detail") + R"(, "product_key": "rx-1", "name": {"ja": "RX-1", "en": "RX-1"},
                          "versions": ["1.0 - 1.4"]}]})";
        auto saved = Call("PUT", "/api/v1/cases/" + std::to_string(id.value()) + "/advisory", "coord", content);
        ASSERT_EQ(saved.status, 200) << saved.body;
    }

    std::string V(const std::string& name) { return std::to_string(vendor_ids_[name].value()); }

    std::int64_t Count(const std::string& sql, std::initializer_list<store::Value> params = {}) {
        auto lease = db_->Acquire();
        return std::move((*lease)->QueryInt(sql, params)).value();
    }

    auth::Principal coordinator_;
    std::map<std::string, vuln::VendorId> vendor_ids_;
};

TEST_F(ReviewAccessTest, ReportFormStoresAttachmentWishesAndOnlyTheHashOfTheSecret) {
    const Submitted s = SubmitReport();
    ASSERT_EQ(s.secret.size(), 32u);  // 128 bits, hex
    EXPECT_EQ(Count("SELECT count(*) FROM case_attachments WHERE case_id = ? AND name = 'poc.py' AND kind = 'poc'",
                    {s.id.value()}),
              1);
    EXPECT_EQ(Count("SELECT count(*) FROM report_followup WHERE case_id = ? AND secret_sha256 = ? AND ack_name = 'Hana F.'"
                    " AND vendor_contacted = 1",
                    {s.id.value(), Sha256Hex(s.secret)}),
              1);
    // The secret itself is nowhere: not in the follow-up row, the audit log or the case events.
    EXPECT_EQ(Count("SELECT count(*) FROM report_followup WHERE instr(secret_sha256, ?) > 0", {s.secret}), 0);
    EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE instr(detail, ?) > 0", {s.secret}), 0);
    EXPECT_EQ(Count("SELECT count(*) FROM case_events WHERE instr(text, ?) > 0", {s.secret}), 0);
    // The status page with the secret works; a second receipt page is never shown (no GET of the receipt).
    auto status = PostForm("/report/status", {{"receipt_id", s.receipt_id}, {"secret", s.secret}});
    EXPECT_EQ(status.status, 200) << status.body;
    EXPECT_NE(status.body.find("data-stage=\"received\""), std::string::npos);
    EXPECT_EQ(status.body.find("data-testid=\"status-secret\""), std::string::npos);
}

TEST_F(ReviewAccessTest, WrongReceiptIdAndWrongSecretGetTheSameAnswer) {
    const Submitted s = SubmitReport();
    const std::string other_secret(32, 'a');
    auto wrong_secret = PostForm("/report/status", {{"receipt_id", s.receipt_id}, {"secret", other_secret}});
    auto wrong_id = PostForm("/report/status", {{"receipt_id", "R-0000-0000-0000"}, {"secret", s.secret}});
    auto both_wrong = PostForm("/report/status", {{"receipt_id", "R-0000-0000-0000"}, {"secret", other_secret}});
    EXPECT_EQ(wrong_secret.status, 404);
    EXPECT_EQ(wrong_id.status, wrong_secret.status);
    EXPECT_EQ(both_wrong.status, wrong_secret.status);
    // Same page apart from the receipt id the visitor typed (kept in its field).
    auto normalize = [](std::string body, const std::string& typed) {
        for (auto p = body.find(typed); p != std::string::npos; p = body.find(typed)) body.replace(p, typed.size(), "ID");
        return body;
    };
    EXPECT_EQ(normalize(wrong_secret.body, s.receipt_id), normalize(wrong_id.body, "R-0000-0000-0000"));
    EXPECT_EQ(wrong_id.body, both_wrong.body);
    // Nothing of the case shows on a failed lookup.
    EXPECT_EQ(wrong_secret.body.find("Stack overflow"), std::string::npos);
    // Acting (comment) with a wrong secret is refused the same way.
    auto act = PostForm("/report/status",
                        {{"receipt_id", s.receipt_id}, {"secret", other_secret}, {"action", "approve"}});
    EXPECT_EQ(act.status, 404);
    EXPECT_EQ(Count("SELECT count(*) FROM report_ack_feedback"), 0);
}

TEST_F(ReviewAccessTest, FailedLookupsAreThrottledLikeTheReportForm) {
    const Submitted s = SubmitReport();
    for (int i = 0; i < report_throttle_.max_reports; ++i)
        EXPECT_EQ(PostForm("/report/status", {{"receipt_id", "R-1111-2222-3333"}, {"secret", "x"}}, "", "203.0.113.9").status,
                  404);
    // Now even the right secret is refused from that address (no guessing on), but not from another.
    EXPECT_EQ(PostForm("/report/status", {{"receipt_id", s.receipt_id}, {"secret", s.secret}}, "", "203.0.113.9").status,
              429);
    EXPECT_EQ(PostForm("/report/status", {{"receipt_id", s.receipt_id}, {"secret", s.secret}}, "", "203.0.113.10").status,
              200);
}

TEST_F(ReviewAccessTest, BadKeyIsRefusedBesideItsFieldKeepingWhatWasTyped) {
    auto r = PostMultipart("/report?lang=ja",
                           {{"csrf", kToken},
                            {"title", "型付きの件名"},
                            {"details", "詳細"},
                            {"reporter_email", "hana@example.org"},
                            {"reply_key", "-----BEGIN PGP PUBLIC KEY BLOCK-----\nnot a key\n-----END PGP PUBLIC KEY BLOCK-----"}},
                           {});
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_NE(r.body.find("data-testid=\"err-reply_key\""), std::string::npos);
    EXPECT_NE(r.body.find("value=\"型付きの件名\""), std::string::npos);
    EXPECT_NE(r.body.find("使える OpenPGP 公開鍵ではありません"), std::string::npos);
    EXPECT_EQ(Count("SELECT count(*) FROM cases"), 0);  // nothing kept from a refused form
    // Without CSRF token: refused.
    auto req = http::Request::Make("POST", "/report", {{"Content-Type", std::string("multipart/form-data; boundary=") + kBoundary}},
                                   std::string("--") + kBoundary + "\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nx\r\n--" +
                                       kBoundary + "--\r\n");
    ASSERT_TRUE(req.ok());
    EXPECT_EQ(handler_(*req).status, 403);
}

TEST_F(ReviewAccessTest, StatusShowsStageVendorsDateAndTakesAcknowledgementFeedback) {
    const Submitted s = SubmitReport();
    Coordinate(s.id);
    auto st = PostForm("/report/status?lang=en", {{"receipt_id", s.receipt_id}, {"secret", s.secret}});
    ASSERT_EQ(st.status, 200) << st.body;
    EXPECT_NE(st.body.find("data-stage=\"coordinating\""), std::string::npos);
    EXPECT_NE(st.body.find("data-testid=\"vendors-notified\">2<"), std::string::npos);  // detail + summary
    EXPECT_NE(st.body.find("Reported by Hana F."), std::string::npos);
    // Approve the acknowledgement: stored and in the reporter thread for the coordinator.
    auto ok = PostForm("/report/status", {{"receipt_id", s.receipt_id}, {"secret", s.secret}, {"action", "approve"}});
    EXPECT_EQ(ok.status, 200);
    EXPECT_NE(ok.body.find("data-testid=\"ack-approved\""), std::string::npos);
    EXPECT_EQ(Count("SELECT count(*) FROM report_ack_feedback WHERE case_id = ? AND approved = 1", {s.id.value()}), 1);
    EXPECT_EQ(Count("SELECT count(*) FROM messages WHERE case_id = ? AND thread = 'reporter' AND author_role = 'reporter'",
                    {s.id.value()}),
              1);
    // The publication date once decided, in the center's zone, named.
    ASSERT_TRUE(db_->InTransaction([&](store::Connection& c) {
                       return c.Exec("UPDATE cases SET publish_at = '2027-01-20T01:00:00Z' WHERE id = ?", {s.id.value()});
                   }).ok());
    auto dated = PostForm("/report/status?lang=en", {{"receipt_id", s.receipt_id}, {"secret", s.secret}});
    EXPECT_NE(dated.body.find("2027-01-20 10:00"), std::string::npos) << dated.body;
    EXPECT_NE(dated.body.find("Asia/Tokyo"), std::string::npos);
    EXPECT_NE(dated.body.find("data-stage=\"scheduled\""), std::string::npos);
}

TEST_F(ReviewAccessTest, DraftReviewOnlyForTheDetailVendorOfThatCase) {
    const Submitted s = SubmitReport();
    Coordinate(s.id);
    const std::string draft = "/cases/" + std::to_string(s.id.value()) + "/draft";
    const std::string missing = "/cases/999999/draft";
    EXPECT_EQ(Status("GET", draft, "v-detail"), 200);
    auto page = Call("GET", draft, "v-detail");
    EXPECT_NE(page.body.find("Hana F."), std::string::npos);  // the acknowledgement text of the draft
    EXPECT_NE(page.body.find("RX-1"), std::string::npos);
    // Another case's vendor and a summary-level vendor: exactly what a case that does not exist answers.
    auto outsider = Call("GET", draft, "v-outsider");
    auto nonexistent = Call("GET", missing, "v-outsider");
    EXPECT_EQ(outsider.status, 404);
    EXPECT_EQ(nonexistent.status, 404);
    // The pages differ only in the path the visitor asked for (the language links repeat it).
    auto same_path = [](std::string body, const std::string& from, const std::string& to) {
        for (auto p = body.find(from); p != std::string::npos; p = body.find(from, p + to.size())) body.replace(p, from.size(), to);
        return body;
    };
    EXPECT_EQ(same_path(outsider.body, draft, missing), nonexistent.body);
    EXPECT_EQ(Status("GET", draft, "v-summary"), 404);
    EXPECT_EQ(Status("GET", draft, "reporter"), 404);
    auto anonymous = Call("GET", draft, "");
    EXPECT_EQ(anonymous.status, 303);  // to the login, like any case page
    bool to_login = false;
    for (const auto& [k, v] : anonymous.headers) to_login = to_login || (k == "Location" && v.starts_with("/login"));
    EXPECT_TRUE(to_login);
    // Comments: the detail vendor's lands with the coordinator; others are refused like a missing case.
    const std::string comment = draft + "/comment";
    EXPECT_EQ(PostForm(comment, {{"body", "Please name version 1.5 too."}}, "v-detail").status, 303);
    EXPECT_EQ(PostForm(comment, {{"body", "And 1.6."}}, "v-detail").status, 303);
    EXPECT_EQ(Count("SELECT count(*) FROM advisory_draft_comments WHERE case_id = ? AND vendor_id = ?",
                    {s.id.value(), vendor_ids_["detail"].value()}),
              2);
    auto refused = PostForm(comment, {{"body", "sneaky"}}, "v-outsider");
    auto refused_missing = PostForm("/cases/999999/draft/comment", {{"body", "sneaky"}}, "v-outsider");
    EXPECT_EQ(refused.status, 404);
    EXPECT_EQ(same_path(refused.body, comment, "/cases/999999/draft/comment"), refused_missing.body);
    EXPECT_EQ(PostForm(comment, {{"body", "sneaky"}}, "v-summary").status, 404);
    EXPECT_EQ(Count("SELECT count(*) FROM advisory_draft_comments WHERE body = 'sneaky'"), 0);
    // The coordinator sees the comment beside the editor; reading the draft was audited.
    auto editor = Call("GET", "/cases/" + std::to_string(s.id.value()) + "/advisory", "coord");
    EXPECT_NE(editor.body.find("Please name version 1.5 too."), std::string::npos);
    EXPECT_GE(Count("SELECT count(*) FROM audit_log WHERE action = 'advisory.draft_read'"), 1);
}

TEST_F(ReviewAccessTest, CoordinatorRepliesReachAnAnonymousReporterEncryptedToItsKey) {
    testing::GpgUser finder(dir_.File("gpg-finder"), "Hana Finder <hana@example.org>");
    clock_.Set(core::RealClock().Now() + std::chrono::minutes(10));  // after the key's creation
    ReissueTokens();
    const Submitted s = SubmitReport(finder.ExportPublic());
    const vuln::Caller coord{&coordinator_, std::nullopt};
    ASSERT_TRUE(cases_->PostMessage(s.id, "reporter", "Thank you, we reproduced it.", coord).ok());
    auto lease = db_->Acquire();
    auto row = (*lease)->QueryOne("SELECT to_address, encrypt_to FROM mail_queue WHERE case_id = ?", {s.id.value()});
    ASSERT_TRUE(row.ok() && *row);
    EXPECT_EQ((**row).Text(0), "hana@example.org");
    auto upper = [](std::string v) {
        for (char& c : v) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        return v;
    };
    EXPECT_EQ(upper((**row).Text(1)), upper(finder.fingerprint()));
    EXPECT_EQ(Count("SELECT count(*) FROM mail_recipient_keys WHERE upper(fingerprint) = upper(?) AND address = 'hana@example.org'",
                    {finder.fingerprint()}),
              1);
}

TEST_F(ReviewAccessTest, EditorEditsAffectedProductRows) {
    const Submitted s = SubmitReport();
    Coordinate(s.id);
    const std::string target = "/cases/" + std::to_string(s.id.value()) + "/advisory";
    auto page = Call("GET", target, "coord");
    ASSERT_EQ(page.status, 200);
    EXPECT_NE(page.body.find("name=\"prod_key_0\" value=\"rx-1\""), std::string::npos);
    // Keep title/overview, remove rx-1, add rx-2.
    auto saved = PostForm(target, {{"title_ja", "ルータの脆弱性"}, {"title_en", "Router flaw"}, {"overview_ja", "概要"},
                                   {"overview_en", "Overview"}, {"prod_rows", "2"},
                                   {"prod_vendor_0", V("detail")}, {"prod_key_0", "rx-1"}, {"prod_name_ja_0", "RX-1"},
                                   {"prod_remove_0", "1"},
                                   {"prod_vendor_1", V("detail")}, {"prod_key_1", "rx-2"}, {"prod_name_ja_1", "RX-2"},
                                   {"prod_name_en_1", "RX-2"}, {"prod_versions_1", "2.0; 2.1"}, {"prod_fixed_1", "2.2"}},
                          "coord");
    ASSERT_EQ(saved.status, 303) << saved.body;
    auto api = Call("GET", "/api/v1/cases/" + std::to_string(s.id.value()) + "/advisory", "coord");
    ASSERT_EQ(api.status, 200) << api.body;
    const auto j = nlohmann::json::parse(api.body);
    const auto& products = j.contains("content") ? j["content"]["products"] : j["products"];
    ASSERT_EQ(products.size(), 1u) << api.body;
    EXPECT_EQ(products[0]["product_key"], "rx-2");
    EXPECT_EQ(products[0]["versions"].size(), 2u);
    // A bad product id: the form comes back as typed with the error beside the products.
    auto bad = PostForm(target, {{"title_ja", "ルータの脆弱性"}, {"overview_ja", "概要"}, {"prod_rows", "1"},
                                 {"prod_vendor_0", V("detail")}, {"prod_key_0", "bad key!"}, {"prod_name_ja_0", "X"}},
                        "coord");
    EXPECT_EQ(bad.status, 422);
    EXPECT_NE(bad.body.find("data-testid=\"products-error\""), std::string::npos);
    EXPECT_NE(bad.body.find("value=\"bad key!\""), std::string::npos);
    // Only coordinators edit.
    EXPECT_EQ(PostForm(target, {{"title_ja", "x"}}, "v-detail").status, 404);
}

}  // namespace
}  // namespace kizuna::web
