// Issue 13, coordinator/admin screens: the work queue (dashboard, case list, owner form), the users admin
// and the account page's token form, and the vendor registry pages. Every new route is checked for
// anonymous callers, vendors (their own record and another's), reporters, coordinators and admins; then
// what the pages show and keep.
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "site_fixture.hpp"
#include "web/internal/view.hpp"
#include "support/process.hpp"

namespace kizuna::web {
namespace {

std::string UrlEncodeForTest(std::string_view text) { return detail::UrlEncode(text); }

class AdminPagesTest : public SiteFixture {
  protected:
    void SetUp() override {
        SiteFixture::SetUp();
        own_ = std::move(vendors_->Create({"さくら電機", "Sakura Electric", vuln::RegistrationKind::kGeneral}, "test")).value();
        other_ = std::move(vendors_->Create({"Hikari Networks", "", vuln::RegistrationKind::kGeneral}, "test")).value();
        auto vendor_user = users_->FindByName("vendor");
        ASSERT_TRUE(vendors_->AddMember(own_, (*vendor_user)->id, "test").ok());
    }

    // A form post with a bearer token (token callers need no CSRF token).
    http::Response Form(const std::string& target, const std::string& who, const std::string& form) {
        http::HeaderList headers{{"Content-Type", "application/x-www-form-urlencoded"}};
        if (!who.empty()) headers.push_back({"Authorization", "Bearer " + secrets_[who]});
        auto req = http::Request::Make("POST", target, headers, form);
        EXPECT_TRUE(req.ok());
        req->remote_ip = "192.0.2.1";
        return handler_(*req);
    }
    // A browser session: the cookie and its CSRF token.
    std::pair<std::string, std::string> Session(const std::string& name) {
        auto s = sessions_->Login(name, "long-enough-password", "192.0.2.1");
        EXPECT_TRUE(s.ok());
        return {s->token, s->csrf_token};
    }
    http::Response WithSession(const std::string& method, const std::string& target, const std::string& cookie,
                               const std::string& form = "") {
        http::HeaderList headers{{"Cookie", "kz_session=" + cookie}};
        if (!form.empty()) headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
        auto req = http::Request::Make(method, target, headers, form);
        EXPECT_TRUE(req.ok());
        req->remote_ip = "192.0.2.1";
        return handler_(*req);
    }
    vuln::CaseId Report(const std::string& title) {
        vuln::NewCase n;
        n.title = title;
        n.summary = "summary";
        n.details = "details";
        n.reporter_email = "finder@example.jp";
        auto r = cases_->Submit(n, vuln::Caller{});
        EXPECT_TRUE(r.ok());
        return r->id;
    }
    std::string V(vuln::VendorId id) { return std::to_string(id.value()); }

    vuln::VendorId own_, other_;
};

struct Expect {
    const char* method;
    std::string target;
    std::string form;
    int anonymous, vendor, reporter, coord, admin;
};

TEST_F(AdminPagesTest, EveryNewRouteAnswersEachRoleAsThePolicySays) {
    const vuln::CaseId c = Report("access");
    const std::string own = "/vendors/" + V(own_), other = "/vendors/" + V(other_);
    const std::string id = std::to_string(c.value());
    // 303 = login redirect for anonymous callers, or the redirect after a successful change.
    const std::vector<Expect> table = {
        {"GET", "/dashboard", "", 303, 403, 403, 200, 200},
        {"GET", "/cases", "", 303, 200, 200, 200, 200},
        {"GET", "/cases?sort=due&dir=asc&owner=none&page=2", "", 303, 200, 200, 200, 200},
        {"POST", "/cases/" + id + "/owner", "owner=me", 303, 404, 404, 303, 303},
        {"GET", "/users", "", 303, 403, 403, 200, 200},
        {"POST", "/users", "name=newbie&role=reporter&password=long-enough-password", 303, 403, 403, 403, 303},
        {"POST", "/users/newbie/role", "role=partner", 303, 403, 403, 403, 303},
        {"POST", "/users/newbie/disable", "", 303, 403, 403, 403, 303},
        {"POST", "/users/newbie/enable", "", 303, 403, 403, 403, 303},
        {"POST", "/users/newbie/password", "new_password=another-long-password", 303, 403, 403, 403, 303},
        {"POST", "/account/tokens", "label=x", 303, 403, 403, 403, 403},  // tokens only from a browser session
        {"GET", "/vendors", "", 303, 404, 404, 200, 200},
        {"GET", "/vendors/new", "", 303, 404, 404, 200, 200},
        {"GET", own, "", 303, 200, 404, 200, 200},
        {"GET", other, "", 303, 404, 404, 200, 200},
        {"GET", "/vendors/999", "", 303, 404, 404, 404, 404},
        {"POST", own + "/contacts", "name=PSIRT&email=psirt%40sakura.example.jp", 303, 404, 404, 303, 303},
        {"POST", other + "/contacts", "name=PSIRT&email=psirt%40hikari.example.jp", 303, 404, 404, 303, 303},
        {"POST", own + "/keys", "key=x", 303, 404, 404, 400, 400},
        {"POST", own + "/products", "name=SR-1000", 303, 404, 404, 303, 400},  // the admin's is a duplicate
        {"POST", own + "/sbom", "sbom=%7B%7D", 303, 404, 404, 400, 400},
        {"POST", own + "/keywords", "keywords=upnp%2C+router", 303, 404, 404, 303, 303},
        {"POST", own + "/terms", "version=2026-04", 303, 404, 404, 303, 303},
        {"POST", own + "/registration", "state=documents_received", 303, 404, 404, 303, 400},  // already moved
        {"POST", own + "/members", "user=nobody", 303, 404, 404, 400, 400},
        {"POST", "/vendors", "name=Komorebi&registration_kind=individual", 303, 404, 404, 303, 400},
    };
    for (const auto& e : table) {
        for (auto [who, expected] : {std::pair<std::string, int>{"", e.anonymous}, {"vendor", e.vendor},
                                     {"reporter", e.reporter}, {"coord", e.coord}, {"admin", e.admin}}) {
            const auto r = std::string(e.method) == "GET" ? Call("GET", e.target, who) : Form(e.target, who, e.form);
            EXPECT_EQ(r.status, expected) << e.method << " " << e.target << " as " << (who.empty() ? "anonymous" : who);
            if (who.empty() && expected == 303) {
                EXPECT_TRUE(r.Header("Location").starts_with("/login")) << e.target;
            }
        }
    }
}

TEST_F(AdminPagesTest, FormsWithoutTheSessionsCsrfTokenAreRefused) {
    auto [cookie, csrf] = Session("admin");
    EXPECT_EQ(WithSession("POST", "/users", cookie, "name=x1&role=reporter&password=long-enough-password").status, 403);
    EXPECT_EQ(WithSession("POST", "/vendors", cookie, "name=NoCsrf&registration_kind=general").status, 403);
    EXPECT_EQ(WithSession("POST", "/vendors/" + V(own_) + "/contacts", cookie, "name=a&email=a%40b.jp").status, 403);
    EXPECT_EQ(WithSession("POST", "/account/tokens", cookie, "label=x").status, 403);
    EXPECT_EQ(vendors_->FindByName("NoCsrf")->has_value(), false);
    EXPECT_FALSE(users_->FindByName("x1")->has_value());
}

TEST_F(AdminPagesTest, DashboardShowsTheUnownedReportAndTheOverdueCaseInWords) {
    const vuln::CaseId old = Report("Old router report");
    clock_.Advance(std::chrono::days(4));  // past received = 3 days
    ReissueTokens();
    const vuln::CaseId fresh = Report("Fresh camera report");
    auto page = Call("GET", "/dashboard?lang=en", "coord");
    ASSERT_EQ(page.status, 200);
    const auto unowned = page.body.find("data-testid=\"queue-unowned\"");
    const auto overdue = page.body.find("data-testid=\"queue-overdue\"");
    ASSERT_NE(unowned, std::string::npos);
    ASSERT_NE(overdue, std::string::npos);
    const std::string unowned_box = page.body.substr(unowned, page.body.find("</section>", unowned) - unowned);
    const std::string overdue_box = page.body.substr(overdue, page.body.find("</section>", overdue) - overdue);
    EXPECT_NE(unowned_box.find("Fresh camera report"), std::string::npos);
    EXPECT_NE(unowned_box.find("Old router report"), std::string::npos);
    EXPECT_NE(overdue_box.find("Old router report"), std::string::npos);
    EXPECT_EQ(overdue_box.find("Fresh camera report"), std::string::npos);
    EXPECT_NE(overdue_box.find("1 day(s) late"), std::string::npos);
    EXPECT_NE(overdue_box.find("Received"), std::string::npos);  // the state in words
    EXPECT_EQ(page.body.find(">received<"), std::string::npos);
    EXPECT_EQ(page.body.find("stat-users"), std::string::npos) << "no account counts on the work queue";

    // Taking the report moves it to "my cases".
    auto [cookie, csrf] = Session("coord");
    auto took = WithSession("POST", "/cases/" + std::to_string(fresh.value()) + "/owner", cookie,
                            "csrf=" + csrf + "&owner=me");
    ASSERT_EQ(took.status, 303);
    EXPECT_EQ(took.Header("Location"), "/dashboard?done=assigned");
    page = Call("GET", "/dashboard?lang=en", "coord");
    const auto mine = page.body.find("data-testid=\"queue-mine\"");
    const std::string mine_box = page.body.substr(mine, page.body.find("</section>", mine) - mine);
    EXPECT_NE(mine_box.find("Fresh camera report"), std::string::npos);
    // The assignment is in the audit log, linked to the case.
    auto audit = Call("GET", "/audit?lang=en", "coord");
    EXPECT_NE(audit.body.find("<a href=\"/cases/" + std::to_string(fresh.value()) + "\">"), std::string::npos);
    (void)old;
}

TEST_F(AdminPagesTest, CaseListPagesSortsAndFiltersByOwnerAndVendor) {
    for (int i = 0; i < 30; ++i) {
        Report("Report number " + std::to_string(i));
        clock_.Advance(std::chrono::minutes(5));
    }
    auto first = Call("GET", "/cases?lang=en", "coord");
    ASSERT_EQ(first.status, 200);
    EXPECT_NE(first.body.find("Page 1 / 2"), std::string::npos);
    EXPECT_NE(first.body.find("Report number 29"), std::string::npos);
    EXPECT_EQ(first.body.find("Report number 4<"), std::string::npos);  // on page 2
    EXPECT_NE(first.body.find("rel=\"next\""), std::string::npos);
    auto second = Call("GET", "/cases?lang=en&page=2", "coord");
    EXPECT_NE(second.body.find("Report number 4<"), std::string::npos);
    auto ascending = Call("GET", "/cases?lang=en&sort=id&dir=asc", "coord");
    EXPECT_LT(ascending.body.find("Report number 0<"), ascending.body.find("Report number 1<"));
    EXPECT_EQ(ascending.body.find("Report number 29"), std::string::npos);

    auto [cookie, csrf] = Session("coord");
    ASSERT_EQ(WithSession("POST", "/cases/3/owner", cookie, "csrf=" + csrf + "&owner=coord").status, 303);
    auto mine = Call("GET", "/cases?lang=en&owner=me", "coord");
    EXPECT_NE(mine.body.find("Report number 2<"), std::string::npos);
    EXPECT_NE(mine.body.find("Page 1 / 1 (total 1)"), std::string::npos);
    auto none = Call("GET", "/cases?lang=en&owner=none", "coord");
    EXPECT_NE(none.body.find("(total 29)"), std::string::npos);
    auto by_vendor = Call("GET", "/cases?lang=en&vendor=" + V(own_), "coord");
    EXPECT_NE(by_vendor.body.find("(total 0)"), std::string::npos);
    auto text = Call("GET", "/cases?lang=en&q=number+17", "coord");
    EXPECT_NE(text.body.find("(total 1)"), std::string::npos);
    // Hostile parameters are ignored, not echoed as codes.
    auto odd = Call("GET", "/cases?lang=en&sort=title%3B&dir=x&page=-4&state=nope", "coord");
    EXPECT_EQ(odd.status, 200);
    EXPECT_NE(odd.body.find("Page 1 / 2"), std::string::npos);
}

TEST_F(AdminPagesTest, AdminCreatesDisablesAndResetsAccountsAndFailedFormsKeepWhatWasTyped) {
    auto [cookie, csrf] = Session("admin");
    auto bad = WithSession("POST", "/users?lang=en", cookie,
                           "csrf=" + csrf + "&name=Bad+Name&display_name=Taro&email=taro%40example.jp&role=coordinator"
                           "&password=long-enough-password");
    ASSERT_EQ(bad.status, 400);
    EXPECT_NE(bad.body.find("Account names are 1-64 characters"), std::string::npos);
    EXPECT_NE(bad.body.find("value=\"Bad Name\""), std::string::npos);
    EXPECT_NE(bad.body.find("value=\"taro@example.jp\""), std::string::npos);
    EXPECT_NE(bad.body.find("<option value=\"coordinator\" selected>"), std::string::npos);
    EXPECT_EQ(bad.body.find("long-enough-password"), std::string::npos) << "passwords are never sent back";

    auto made = WithSession("POST", "/users", cookie,
                            "csrf=" + csrf + "&name=taro&display_name=Taro&role=coordinator&password=long-enough-password");
    ASSERT_EQ(made.status, 303);
    auto taro = users_->FindByName("taro");
    ASSERT_TRUE(taro.ok() && taro->has_value());
    EXPECT_EQ((*taro)->role, auth::Role::kCoordinator);
    auto taro_token = tokens_->Create("taro", "ci", "test");
    ASSERT_TRUE(taro_token.ok());

    ASSERT_EQ(WithSession("POST", "/users/taro/disable", cookie, "csrf=" + csrf).status, 303);
    EXPECT_TRUE((*users_->FindByName("taro"))->disabled);
    EXPECT_FALSE(tokens_->Resolve(taro_token->secret)->has_value()) << "disabling revokes the account's tokens";
    ASSERT_EQ(WithSession("POST", "/users/taro/enable", cookie, "csrf=" + csrf).status, 303);
    EXPECT_FALSE((*users_->FindByName("taro"))->disabled);
    ASSERT_EQ(WithSession("POST", "/users/taro/role", cookie, "csrf=" + csrf + "&role=partner").status, 303);
    EXPECT_EQ((*users_->FindByName("taro"))->role, auth::Role::kPartner);
    auto reset = WithSession("POST", "/users/taro/password", cookie, "csrf=" + csrf + "&new_password=short");
    EXPECT_EQ(reset.Header("Location"), "/users?error=password_rules");
    ASSERT_EQ(WithSession("POST", "/users/taro/password", cookie, "csrf=" + csrf + "&new_password=a-new-long-password")
                  .Header("Location"),
              "/users?done=password");
    EXPECT_TRUE(sessions_->Login("taro", "a-new-long-password", "192.0.2.1").ok());
    // The last admin keeps the role; an admin does not disable itself here.
    EXPECT_EQ(WithSession("POST", "/users/admin/role", cookie, "csrf=" + csrf + "&role=reporter").Header("Location"),
              "/users?error=last_admin");
    EXPECT_EQ(WithSession("POST", "/users/admin/disable", cookie, "csrf=" + csrf).Header("Location"), "/users?error=self");
    auto page = WithSession("GET", "/users?lang=ja&error=last_admin", cookie);
    EXPECT_NE(page.body.find("最後の管理者の権限は外せません。"), std::string::npos);
}

TEST_F(AdminPagesTest, AccountPageCreatesOwnTokenShownOnce) {
    auto [cookie, csrf] = Session("reporter");
    auto made = WithSession("POST", "/account/tokens?lang=en", cookie, "csrf=" + csrf + "&label=laptop&days=30");
    ASSERT_EQ(made.status, 201) << made.body;
    EXPECT_EQ(made.Header("Cache-Control"), "no-store");
    const auto at = made.body.find("kz_");
    ASSERT_NE(at, std::string::npos);
    const std::string secret = made.body.substr(at, 67);
    auto who = tokens_->Resolve(secret);
    ASSERT_TRUE(who.ok() && who->has_value());
    EXPECT_EQ((*who)->name, "reporter");
    auto account = WithSession("GET", "/account", cookie);
    EXPECT_NE(account.body.find("laptop"), std::string::npos);
    EXPECT_EQ(account.body.find(secret), std::string::npos);
    EXPECT_EQ(WithSession("POST", "/account/tokens", cookie, "csrf=" + csrf + "&days=99999").Header("Location"),
              "/account?error=token_days");
}

TEST_F(AdminPagesTest, CoordinatorRegistersAVendorWithContactKeyProductSbomAndRegistration) {
    auto [cookie, csrf] = Session("coord");
    // A failed registration keeps what was typed.
    auto bad = WithSession("POST", "/vendors?lang=en", cookie, "csrf=" + csrf + "&name=&name_en=Komorebi+Soft&registration_kind=general");
    ASSERT_EQ(bad.status, 400);
    EXPECT_NE(bad.body.find("value=\"Komorebi Soft\""), std::string::npos);
    EXPECT_NE(bad.body.find("Names must be 1-200 characters."), std::string::npos);
    auto made = WithSession("POST", "/vendors", cookie, "csrf=" + csrf + "&name=%E3%81%93%E3%82%82%E3%82%8C%E3%81%B3&name_en=Komorebi+Soft&registration_kind=general");
    ASSERT_EQ(made.status, 303);
    const std::string location(made.Header("Location"));
    const std::string path = location.substr(0, location.find('?'));
    auto id = vendors_->FindByName("こもれび");
    ASSERT_TRUE(id.ok() && id->has_value());
    EXPECT_EQ(path, "/vendors/" + V(**id));

    // Registering before the terms and a contact: refused in words, the note kept.
    auto early = WithSession("POST", path + "/registration?lang=en", cookie, "csrf=" + csrf + "&state=registered&note=call+on+Monday");
    EXPECT_EQ(early.status, 400);
    EXPECT_NE(early.body.find("cannot move to that state"), std::string::npos);
    EXPECT_NE(early.body.find("value=\"call on Monday\""), std::string::npos);

    // Contact: an error keeps the typed values and does not prefill with the vendor's name.
    auto no_email = WithSession("POST", path + "/contacts?lang=en", cookie, "csrf=" + csrf + "&name=PSIRT+desk");
    EXPECT_EQ(no_email.status, 400);
    EXPECT_NE(no_email.body.find("needs an e-mail address or a phone number"), std::string::npos);
    EXPECT_NE(no_email.body.find("value=\"PSIRT desk\""), std::string::npos);
    ASSERT_EQ(WithSession("POST", path + "/contacts", cookie, "csrf=" + csrf + "&name=PSIRT&email=psirt%40komorebi.example.jp").status, 303);
    auto page = WithSession("GET", path, cookie);
    EXPECT_EQ(page.body.find("name=\"name\" value=\"こもれび\""), std::string::npos);

    // A real key made by gpg, shown with its fingerprint and expiry.
    const std::string home = dir_.File("gnupg-vendor");
    ASSERT_EQ(::mkdir(home.c_str(), 0700), 0);
    const std::vector<std::string> env = {"GNUPGHOME=" + home};
    auto gen = kizuna::testing::RunCommand({"/usr/bin/gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", "",
                                            "--quick-gen-key", "Komorebi PSIRT <psirt@komorebi.example.jp>",
                                            "future-default", "default", "2y"},
                                           "", env);
    ASSERT_EQ(gen.exit_code, 0) << gen.err;
    auto exported = kizuna::testing::RunCommand({"/usr/bin/gpg", "--batch", "--armor", "--export"}, "", env);
    ::system(("gpgconf --homedir " + home + " --kill all >/dev/null 2>&1").c_str());
    ASSERT_EQ(exported.exit_code, 0);
    clock_.Set(core::RealClock().Now());  // the key was made just now
    std::tie(cookie, csrf) = Session("coord");
    ReissueTokens();
    auto garbage = WithSession("POST", path + "/keys?lang=en", cookie,
                               "csrf=" + csrf + "&key=" + UrlEncodeForTest("-----BEGIN PGP PUBLIC KEY BLOCK-----\nnope\n"));
    EXPECT_EQ(garbage.status, 400);
    EXPECT_NE(garbage.body.find("not a usable OpenPGP public key"), std::string::npos);
    ASSERT_EQ(WithSession("POST", path + "/keys", cookie, "csrf=" + csrf + "&key=" + UrlEncodeForTest(exported.out)).status, 303);
    auto vendor = vendors_->Get(**id);
    ASSERT_EQ(vendor->keys.size(), 1u);
    page = WithSession("GET", path + "?lang=en", cookie);
    EXPECT_NE(page.body.find(vendor->keys[0].fingerprint.substr(0, 4) + " " + vendor->keys[0].fingerprint.substr(4, 4)),
              std::string::npos);
    EXPECT_NE(page.body.find("(Asia/Tokyo)"), std::string::npos);
    EXPECT_EQ(page.body.find("Never"), std::string::npos) << "the key expires in two years";

    // A product with components, an SBOM, keywords, the terms and the registration.
    ASSERT_EQ(WithSession("POST", path + "/products", cookie,
                          "csrf=" + csrf + "&name=Komorebi+Viewer&components=" +
                              UrlEncodeForTest("libpng 1.6.40 pkg:generic/libpng@1.6.40\nzlib 1.3\n"))
                  .status,
              303);
    std::ifstream in(std::string(KIZUNA_SOURCE_DIR) + "/tests/data/sbom/cyclonedx-1.5-router.json");
    std::stringstream sbom;
    sbom << in.rdbuf();
    ASSERT_EQ(WithSession("POST", path + "/sbom", cookie, "csrf=" + csrf + "&name=&sbom=" + UrlEncodeForTest(sbom.str())).status,
              303);
    auto bad_sbom = WithSession("POST", path + "/sbom?lang=en", cookie, "csrf=" + csrf + "&name=X&sbom=%7B%22a%22%3A1%7D");
    EXPECT_EQ(bad_sbom.status, 400);
    EXPECT_NE(bad_sbom.body.find("CycloneDX or SPDX"), std::string::npos);
    ASSERT_EQ(WithSession("POST", path + "/keywords", cookie, "csrf=" + csrf + "&keywords=png%2C+viewer").status, 303);
    ASSERT_EQ(WithSession("POST", path + "/terms", cookie, "csrf=" + csrf + "&version=2026-04").status, 303);
    for (const char* state : {"documents_received", "meeting", "registered"})
        ASSERT_EQ(WithSession("POST", path + "/registration", cookie, "csrf=" + csrf + "&state=" + state).status, 303) << state;
    vendor = vendors_->Get(**id);
    EXPECT_EQ(vendor->state, vuln::RegistrationState::kRegistered);
    ASSERT_EQ(vendor->products.size(), 2u);
    const auto viewer = std::find_if(vendor->products.begin(), vendor->products.end(),
                                     [](const vuln::Product& p) { return p.name == "Komorebi Viewer"; });
    ASSERT_NE(viewer, vendor->products.end());
    ASSERT_EQ(viewer->components.size(), 2u);
    EXPECT_EQ(viewer->components[0].purl, "pkg:generic/libpng@1.6.40");
    EXPECT_EQ(viewer->components[1].version, "1.3");
    for (const auto& p : vendor->products) {
        if (p.name != "Komorebi Viewer") {
            EXPECT_FALSE(p.components.empty()) << "the SBOM's components";
        }
    }
    EXPECT_EQ(vendor->keywords, (std::vector<std::string>{"png", "viewer"}));
    page = WithSession("GET", path + "?lang=ja", cookie);
    EXPECT_NE(page.body.find("data-state=\"registered\">登録済み<"), std::string::npos);
    EXPECT_EQ(page.body.find("id=\"registration-form\""), std::string::npos) << "no next state after registered";
    // The audit log links the entries to the vendor's record.
    auto audit = WithSession("GET", "/audit?lang=en", cookie);
    EXPECT_NE(audit.body.find("<a href=\"/vendors/" + V(**id) + "\">"), std::string::npos);
    auto list = WithSession("GET", "/vendors?lang=en&q=KOMOREBI", cookie);
    EXPECT_NE(list.body.find("Komorebi Soft"), std::string::npos);
    EXPECT_EQ(list.body.find("Hikari Networks"), std::string::npos);
}

TEST_F(AdminPagesTest, VendorSeesItsOwnRecordWithoutForms) {
    auto page = Call("GET", "/vendors/" + V(own_) + "?lang=en", "vendor");
    ASSERT_EQ(page.status, 200);
    EXPECT_NE(page.body.find("さくら電機"), std::string::npos);
    EXPECT_EQ(page.body.find("id=\"contact-form\""), std::string::npos);
    EXPECT_EQ(page.body.find("id=\"key-form\""), std::string::npos);
    EXPECT_EQ(page.body.find("/mail"), std::string::npos);
}

}  // namespace
}  // namespace kizuna::web
