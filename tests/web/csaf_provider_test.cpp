// The CSAF provider and the feeds as the public reaches them: nothing about an embargoed advisory before the
// release instant (404, absent from provider metadata, index.txt, changes.csv and every feed, for every
// caller), everything at once after it; documents follow later revisions at once (the render cache is keyed
// by the advisory's public stamp).
#include <sodium.h>

#include <nlohmann/json.hpp>

#include "formats/csaf.hpp"
#include "site_fixture.hpp"

namespace kizuna::web {
namespace {

constexpr const char* kSecret = "SECRET-CSAF-TITLE";
constexpr const char* kCve = "CVE-2026-77777";

class CsafProviderTest : public SiteFixture {
  protected:
    void SetUp() override {
        SiteFixture::SetUp();
        config_.server.public_url = "https://cert.example.jp";
        config_.publication.publisher_name = "Test CERT";
        coordinator_ = AddUser("coord2", auth::Role::kCoordinator);
        reporter_ = AddUser("finder", auth::Role::kReporter);
        const vuln::Caller coord{&coordinator_, std::nullopt};
        auto v = vendors_->Create({"Vendor A", "", vuln::RegistrationKind::kGeneral}, "t");
        ASSERT_TRUE(v.ok());
        vendor_ = *v;
        ASSERT_TRUE(vendors_->AddContact(vendor_, {0, "PSIRT", "psirt@a.example.jp", "", true}, "t").ok());
        ASSERT_TRUE(vendors_->AgreeToTerms(vendor_, "2026-04", "t").ok());
        for (auto st : {vuln::RegistrationState::kDocumentsReceived, vuln::RegistrationState::kMeeting,
                        vuln::RegistrationState::kRegistered})
            ASSERT_TRUE(vendors_->Advance(vendor_, st, "t", "").ok());
        auth::Principal member = AddUser("v-a", auth::Role::kVendor);
        ASSERT_TRUE(vendors_->AddMember(vendor_, member.id, "t").ok());

        vuln::NewCase n;
        n.title = "embargoed case";
        n.summary = "summary text";
        n.details = "detail";
        n.source = vuln::Source::kFinder;  // a finder reporting in Japan: a JVN# advisory
        auto r = cases_->Submit(n, vuln::Caller{&reporter_, std::nullopt});
        ASSERT_TRUE(r.ok()) << r.error().ToString();
        case_id_ = r->id;
        case_ = std::to_string(r->id.value());
        ASSERT_TRUE(cases_->Verify(r->id, vuln::Verification::kReproduced, "", coord).ok());
        ASSERT_TRUE(cases_->AddVendor(r->id, vendor_, coord).ok());
        ASSERT_TRUE(cases_->DiscloseDetails(r->id, vendor_, true, coord).ok());
        Save(kSecret);
    }

    void Save(const std::string& title) {
        auto saved = Call("PUT", "/api/v1/cases/" + case_ + "/advisory", "coord",
                          R"({"title": {"ja": ")" + title + R"(", "en": ")" + title + R"( <b>&</b>"},
                              "overview": {"ja": "概要", "en": "Overview"},
                              "solution": {"ja": "更新してください", "en": "Update"},
                              "cvss_v31": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                              "cve_ids": [")" + std::string(kCve) + R"("],
                              "products": [{"vendor_id": )" + std::to_string(vendor_.value()) +
                              R"(, "product_key": "widget", "name": {"ja": "ウィジェット", "en": "Widget"},
                                            "versions": [{"label": "1.0 to 1.2", "introduced": "1.0", "fixed": "1.3"}]}]})");
        ASSERT_EQ(saved.status, 200) << saved.body;
        auto body = nlohmann::json::parse(saved.body);
        slug_ = body["slug"];
        advisory_id_ = body["advisory_id"];
    }

    void Release() {
        ASSERT_TRUE(db_->InTransaction([&](store::Connection& c) { return schedule_->Release(c, case_id_); }).ok());
    }

    // Every public publication endpoint; none may mention the advisory before the release.
    std::vector<std::string> PublicTargets() const {
        return {"/.well-known/csaf/provider-metadata.json", "/.well-known/csaf/white/index.txt",
                "/.well-known/csaf/white/changes.csv",       "/advisories/feed/rss.xml",
                "/advisories/feed/rss.xml?lang=en",          "/advisories/feed/atom.xml",
                "/advisories/feed/atom.xml?lang=en"};
    }

    auth::Principal coordinator_, reporter_;
    vuln::VendorId vendor_;
    vuln::CaseId case_id_;
    std::string case_, slug_, advisory_id_;
};

const char* const kCallers[] = {"", "admin", "coord", "v-a", "finder"};

TEST_F(CsafProviderTest, NothingBeforeTheReleaseEverythingAfter) {
    const std::string file = formats::CsafFileName(advisory_id_);
    const std::string digits = slug_.substr(4);  // "JVN#00000001" -> slug "JVN00000001" -> "00000001"
    for (const char* who : kCallers) {
        for (const std::string& target : PublicTargets()) {
            auto r = Call("GET", target, who);
            EXPECT_EQ(r.status, 200) << target << " as '" << who << "'";
            EXPECT_EQ(r.body.find(digits), std::string::npos) << target << " as '" << who << "'";
            EXPECT_EQ(r.body.find(kSecret), std::string::npos) << target << " as '" << who << "'";
            EXPECT_EQ(r.body.find(kCve), std::string::npos) << target << " as '" << who << "'";
        }
        for (const std::string year : {"2025", "2026", "2027"}) {
            EXPECT_EQ(Status("GET", "/.well-known/csaf/white/" + year + "/" + file, who), 404) << who;
            EXPECT_EQ(Status("GET", "/.well-known/csaf/white/" + year + "/" + file + ".sha256", who), 404) << who;
        }
    }
    EXPECT_EQ(Call("GET", "/.well-known/csaf/white/index.txt", "").body, "");
    EXPECT_EQ(Call("GET", "/.well-known/csaf/white/changes.csv", "").body, "");

    Release();
    auto index = Call("GET", "/.well-known/csaf/white/index.txt", "");
    ASSERT_EQ(index.status, 200);
    EXPECT_EQ(index.Header("Content-Type"), "text/plain; charset=utf-8");
    ASSERT_NE(index.body.find("/" + file + "\n"), std::string::npos) << index.body;
    const std::string path = index.body.substr(0, index.body.find('\n'));
    auto changes = Call("GET", "/.well-known/csaf/white/changes.csv", "");
    EXPECT_EQ(changes.body.rfind("\"" + path + "\",\"", 0), 0u) << changes.body;
    for (const char* who : kCallers) {
        auto doc = Call("GET", "/.well-known/csaf/white/" + path, who);
        ASSERT_EQ(doc.status, 200) << who;
        EXPECT_EQ(doc.Header("Content-Type"), "application/json");
        auto csaf = nlohmann::json::parse(doc.body);
        EXPECT_EQ(csaf["document"]["tracking"]["id"], advisory_id_);
        EXPECT_EQ(csaf["document"]["lang"], "en");
        EXPECT_EQ(csaf["document"]["publisher"]["name"], "Test CERT");
        EXPECT_EQ(csaf["document"]["publisher"]["namespace"], "https://cert.example.jp");
        EXPECT_EQ(csaf["vulnerabilities"][0]["cve"], kCve);
        EXPECT_EQ(csaf["document"]["references"][0]["url"], "https://cert.example.jp/advisories/" + slug_ + "?lang=en");
        const formats::VersionRange range{"1.0 to 1.2", "1.0", "1.3", ""};
        EXPECT_EQ(csaf["product_tree"]["branches"][0]["branches"][0]["branches"][0]["product"]["product_id"],
                  formats::CsafProductId("v" + std::to_string(vendor_.value()), "widget", &range));
    }
    // Every feed now carries the advisory (index and changes were checked above).
    for (const std::string& target : PublicTargets()) {
        if (target.find("/feed/") == std::string::npos) continue;
        EXPECT_NE(Call("GET", target, "").body.find(kSecret), std::string::npos) << target;
    }
    auto metadata = nlohmann::json::parse(Call("GET", "/.well-known/csaf/provider-metadata.json", "").body);
    EXPECT_EQ(metadata["canonical_url"], "https://cert.example.jp/.well-known/csaf/provider-metadata.json");
    EXPECT_EQ(metadata["distributions"][0]["directory_url"], "https://cert.example.jp/.well-known/csaf/white/");
}

TEST_F(CsafProviderTest, Sha256MatchesTheDocument) {
    Release();
    const std::string path = Call("GET", "/.well-known/csaf/white/index.txt", "").body;
    const std::string doc = Call("GET", "/.well-known/csaf/white/" + path.substr(0, path.find('\n')), "").body;
    auto sha = Call("GET", "/.well-known/csaf/white/" + path.substr(0, path.find('\n')) + ".sha256", "");
    ASSERT_EQ(sha.status, 200);
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(doc.data()), doc.size());
    char hex[crypto_hash_sha256_BYTES * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    EXPECT_EQ(sha.body, std::string(hex) + "  " + formats::CsafFileName(advisory_id_) + "\n");
}

TEST_F(CsafProviderTest, LaterRevisionsShowAtOnce) {
    Release();
    const std::string index = Call("GET", "/.well-known/csaf/white/index.txt", "").body;
    const std::string target = "/.well-known/csaf/white/" + index.substr(0, index.find('\n'));
    auto first = nlohmann::json::parse(Call("GET", target, "").body);  // rendered and cached
    EXPECT_EQ(nlohmann::json::parse(Call("GET", target, "").body), first);
    clock_.Advance(std::chrono::hours(24));
    Save("Updated title");
    auto second = nlohmann::json::parse(Call("GET", target, "").body);
    EXPECT_EQ(second["document"]["title"], "Updated title <b>&</b>");
    EXPECT_NE(second["document"]["tracking"]["version"], first["document"]["tracking"]["version"]);
    EXPECT_EQ(second["document"]["tracking"]["revision_history"].size(),
              std::stoul(second["document"]["tracking"]["version"].get<std::string>()));
    // The feeds show the update: Atom's <updated> moves, RSS gets an item for the revision.
    const std::string rss = Call("GET", "/advisories/feed/rss.xml?lang=en", "").body;
    EXPECT_NE(rss.find("#revision-2</guid>"), std::string::npos) << rss;
    EXPECT_NE(rss.find("Updated title &lt;b&gt;&amp;&lt;/b&gt;"), std::string::npos);
}

TEST_F(CsafProviderTest, UnknownPathsAre404) {
    Release();
    for (const std::string& target :
         std::vector<std::string>{"/.well-known/csaf/white/2026/nothing.json", "/.well-known/csaf/white/2026/x.txt",
          "/.well-known/csaf/white/1999/" + formats::CsafFileName(advisory_id_),
          "/.well-known/csaf/white/2026/..%2F..%2Fetc%2Fpasswd", "/.well-known/csaf/red/index.txt"}) {
        EXPECT_EQ(Status("GET", target, ""), 404) << target;
    }
}

TEST_F(CsafProviderTest, FeedsAreXmlInBothLanguages) {
    Release();
    auto rss = Call("GET", "/advisories/feed/rss.xml", "");
    EXPECT_EQ(rss.Header("Content-Type"), "application/rss+xml; charset=utf-8");
    EXPECT_NE(rss.body.find("<language>ja</language>"), std::string::npos);
    EXPECT_NE(rss.body.find("<link>https://cert.example.jp/advisories/" + slug_ + "</link>"), std::string::npos);
    auto atom = Call("GET", "/advisories/feed/atom.xml?lang=en", "");
    EXPECT_EQ(atom.Header("Content-Type"), "application/atom+xml; charset=utf-8");
    EXPECT_NE(atom.body.find("xml:lang=\"en\""), std::string::npos);
    EXPECT_NE(atom.body.find("href=\"https://cert.example.jp/advisories/" + slug_ + "?lang=en\""), std::string::npos);
    EXPECT_NE(atom.body.find("&lt;b&gt;&amp;&lt;/b&gt;"), std::string::npos);  // escaped, never raw
    EXPECT_EQ(atom.body.find("<b>&</b>"), std::string::npos);
}

}  // namespace
}  // namespace kizuna::web
