// V11: the critical-infrastructure registry and the four-eyes release of priority early information.
#include "vuln/early_notice.hpp"

#include <sys/stat.h>

#include <cstdlib>

#include "support/process.hpp"
#include "vuln_fixture.hpp"

namespace kizuna::vuln {
namespace {

class EarlyNoticeTest : public VulnFixture {
  protected:
    void SetUp() override {
        VulnFixture::SetUp();
        registry_ = std::make_unique<InfrastructureRegistry>(*db_, clock_, audit_);
        notices_ = std::make_unique<EarlyNoticeService>(*db_, clock_, audit_);
        coord2_ = User("coord2", auth::Role::kCoordinator);
        admin_ = User("admin", auth::Role::kAdmin);
    }

    Caller Coord2() { return Caller{&coord2_, std::nullopt}; }
    Caller Admin() { return Caller{&admin_, std::nullopt}; }

    OrganizationId Org(const std::string& name, Sector sector, std::vector<OrganizationContact> contacts) {
        auto id = registry_->Create({name, sector, std::move(contacts)}, "coord");
        EXPECT_TRUE(id.ok()) << id.error().ToString();
        return id.ok() ? *id : OrganizationId();
    }

    std::int64_t Count(const std::string& sql, std::initializer_list<store::Value> params = {}) {
        auto lease = db_->Acquire();
        auto n = (*lease)->QueryInt(sql, params);
        EXPECT_TRUE(n.ok()) << n.error().ToString();
        return n.ok() ? *n : -1;
    }

    void Exec(const std::string& sql, std::initializer_list<store::Value> params = {}) {
        auto lease = db_->Acquire();
        auto st = (*lease)->Exec(sql, params);
        ASSERT_TRUE(st.ok()) << st.error().ToString();
    }

    // Two telecom operators (one with two e-mail contacts and a phone-only one), a bank, a water utility.
    void StandardOrgs() {
        telecom_a_ =
            Org("NTT-X Telecom", Sector::kTelecom,
                {{0, "SOC", "soc@telecom-x.example.jp", ""}, {0, "CISO office", "ciso@telecom-x.example.jp", ""}});
        telecom_b_ =
            Org("Hikari Mobile", Sector::kTelecom,
                {{0, "PSIRT", "psirt@hikari-mobile.example.jp", ""}, {0, "Night desk", "", "+81-3-0000-0000"}});
        bank_ = Org("Sakura Bank", Sector::kFinance, {{0, "CSIRT", "csirt@sakura-bank.example.jp", ""}});
        water_ = Org("Tokyo Water", Sector::kWater, {{0, "IT", "it@water.example.jp", ""}});
    }

    std::unique_ptr<InfrastructureRegistry> registry_;
    std::unique_ptr<EarlyNoticeService> notices_;
    auth::Principal coord2_, admin_;
    OrganizationId telecom_a_, telecom_b_, bank_, water_;
};

TEST_F(EarlyNoticeTest, SectorNames) {
    ASSERT_EQ(AllSectors().size(), 10u);
    for (Sector s : AllSectors()) {
        auto parsed = ParseSector(Name(s));
        ASSERT_TRUE(parsed.ok()) << Name(s);
        EXPECT_EQ(*parsed, s);
    }
    for (const char* bad : {"", "Telecom", "energy", "telecom ", "政府", "information"}) {
        auto parsed = ParseSector(bad);
        ASSERT_FALSE(parsed.ok()) << bad;
        EXPECT_EQ(parsed.error().code(), core::ErrorCode::kInvalidArgument);
        EXPECT_EQ(parsed.error().field(), "sector");
    }
    EXPECT_EQ(*ParseNoticeContent("information_and_countermeasures"), NoticeContent::kInformationAndCountermeasures);
    EXPECT_EQ(ParseNoticeContent("details").error().field(), "what");
}

TEST_F(EarlyNoticeTest, RegistryCreatesAndListsBySector) {
    StandardOrgs();
    auto telecom = registry_->List(Sector::kTelecom);
    ASSERT_TRUE(telecom.ok());
    ASSERT_EQ(telecom->size(), 2u);
    EXPECT_EQ((*telecom)[0].name, "Hikari Mobile");  // by name within the sector
    EXPECT_EQ((*telecom)[1].contacts.size(), 2u);
    EXPECT_TRUE(registry_->List(Sector::kRailway)->empty());
    EXPECT_EQ(registry_->List()->size(), 4u);

    auto bank = registry_->Get(bank_);
    ASSERT_TRUE(bank.ok());
    EXPECT_EQ(bank->sector, Sector::kFinance);
    EXPECT_EQ(bank->created_at, "2026-04-01T00:00:00Z");
    ASSERT_TRUE(registry_->AddContact(bank_, {0, "Duty officer", "", "+81-3-1111-1111"}, "coord").ok());
    EXPECT_EQ(registry_->Get(bank_)->contacts.size(), 2u);
    EXPECT_EQ(registry_->Get(OrganizationId(999)).error().code(), core::ErrorCode::kNotFound);
    EXPECT_EQ(registry_->AddContact(OrganizationId(999), {0, "x", "x@y.jp", ""}, "coord").error().code(),
              core::ErrorCode::kNotFound);

    struct Bad {
        NewOrganization org;
        core::ErrorCode code;
        std::string field;
    };
    const std::vector<Bad> bad = {
        {{"", Sector::kGas, {}}, core::ErrorCode::kInvalidArgument, "name"},
        {{std::string(201, 'x'), Sector::kGas, {}}, core::ErrorCode::kInvalidArgument, "name"},
        {{"Sakura Bank", Sector::kFinance, {}}, core::ErrorCode::kAlreadyExists, "name"},
        {{"Gas Co", Sector::kGas, {{0, "", "a@b.jp", ""}}}, core::ErrorCode::kInvalidArgument, "name"},
        {{"Gas Co", Sector::kGas, {{0, "Desk", "", ""}}}, core::ErrorCode::kInvalidArgument, "email"},
        {{"Gas Co", Sector::kGas, {{0, "Desk", "not-an-address", ""}}}, core::ErrorCode::kInvalidArgument, "email"},
    };
    for (const auto& b : bad) {
        auto r = registry_->Create(b.org, "coord");
        ASSERT_FALSE(r.ok()) << b.org.name;
        EXPECT_EQ(r.error().code(), b.code) << b.org.name;
        EXPECT_EQ(r.error().field(), b.field) << b.org.name;
    }
    EXPECT_EQ(registry_->List()->size(), 4u);  // nothing half-created
}

TEST_F(EarlyNoticeTest, KeysAreCheckedAndUsedForEncryption) {
    StandardOrgs();
    const std::string home = dir_.File("gnupg");
    ASSERT_EQ(::mkdir(home.c_str(), 0700), 0);
    const std::vector<std::string> env = {"GNUPGHOME=" + home};
    auto gen = kizuna::testing::RunCommand(
        {"/usr/bin/gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", "", "--quick-gen-key",
         "Telecom X SOC <soc@telecom-x.example.jp>", "future-default", "default", "2y"},
        "", env);
    ASSERT_EQ(gen.exit_code, 0) << gen.err;
    auto exported = kizuna::testing::RunCommand({"/usr/bin/gpg", "--batch", "--armor", "--export"}, "", env);
    ::system(("gpgconf --homedir " + home + " --kill all >/dev/null 2>&1").c_str());
    ASSERT_EQ(exported.exit_code, 0);
    clock_.Set(core::RealClock().Now());  // the key was made just now; judge it at the real time

    auto key = registry_->ImportKey(telecom_a_, exported.out, "coord");
    ASSERT_TRUE(key.ok()) << key.error().ToString();
    EXPECT_EQ(key->fingerprint.size(), 40u);
    EXPECT_TRUE(key->can_encrypt);
    EXPECT_NE(key->user_ids.find("soc@telecom-x.example.jp"), std::string::npos);
    EXPECT_FALSE(key->expires_at.empty());
    EXPECT_EQ(registry_->ImportKey(telecom_a_, exported.out, "coord").error().code(), core::ErrorCode::kAlreadyExists);
    EXPECT_EQ(
        registry_->ImportKey(telecom_a_, "-----BEGIN PGP PUBLIC KEY BLOCK-----\ngarbage\n", "coord").error().field(),
        "key");
    EXPECT_EQ(registry_->ImportKey(OrganizationId(999), exported.out, "coord").error().code(),
              core::ErrorCode::kNotFound);
    ASSERT_EQ(registry_->Get(telecom_a_)->keys.size(), 1u);

    CaseId id = VerifiedCase();
    auto notice =
        notices_->Request(id, {"telecom"}, NoticeContent::kInformation, "routers in carrier networks", Coord());
    ASSERT_TRUE(notice.ok()) << notice.error().ToString();
    ASSERT_TRUE(notices_->Approve(*notice, Coord2()).ok());
    EXPECT_EQ(
        Count("SELECT count(*) FROM mail_queue WHERE case_id = ? AND encrypt_to = ?", {id.value(), key->fingerprint}),
        2);  // both e-mail contacts of the keyed operator
    EXPECT_EQ(Count("SELECT count(*) FROM mail_queue WHERE case_id = ? AND encrypt_to = ''", {id.value()}), 1);
}

TEST_F(EarlyNoticeTest, RequestThenApprovalByAnotherCoordinatorReleases) {
    StandardOrgs();
    Exec(
        "INSERT INTO infra_keys(org_id, fingerprint, can_encrypt, armored, imported_at)"
        " VALUES (?, 'AAAABBBBCCCCDDDDEEEEFFFF0000111122223333', 1, '', '2026-04-01T00:00:00Z')",
        {bank_.value()});
    CaseId id = VerifiedCase();
    ASSERT_TRUE(cases_->AddVendor(id, a_, Coord()).ok());
    ASSERT_TRUE(cases_->DiscloseDetails(id, a_, true, Coord()).ok());
    ASSERT_TRUE(
        cases_->AddCountermeasure(id, {"SR-1000 Router", "Disable UPnP on the WAN side", "", ""}, Coord(), a_).ok());
    const std::int64_t vendor_mails = Count("SELECT count(*) FROM mail_queue");
    const std::int64_t audits_before = Count("SELECT count(*) FROM audit_log WHERE action = 'case.early_notice'");

    auto notice =
        notices_->Request(id, {"finance", "telecom", "telecom"}, NoticeContent::kInformationAndCountermeasures,
                          "carrier and bank gateways are exposed", Coord());
    ASSERT_TRUE(notice.ok()) << notice.error().ToString();
    // Nothing leaves before approval.
    EXPECT_EQ(Count("SELECT count(*) FROM mail_queue"), vendor_mails);
    auto listed = notices_->List(id, Coord());
    ASSERT_TRUE(listed.ok());
    ASSERT_EQ(listed->size(), 1u);
    EXPECT_EQ((*listed)[0].state, NoticeState::kPending);
    EXPECT_EQ((*listed)[0].sectors, (std::vector<Sector>{Sector::kTelecom, Sector::kFinance}));
    EXPECT_EQ((*listed)[0].requested_by, "coord");

    clock_.Advance(std::chrono::hours(2));
    auto approved = notices_->Approve(*notice, Coord2());
    ASSERT_TRUE(approved.ok()) << approved.error().ToString();

    // One row per e-mail contact: 2 (NTT-X) + 1 (Hikari Mobile; the phone-only contact gets none) + 1 (bank).
    auto lease = db_->Acquire();
    auto rows = (*lease)->Query(
        "SELECT to_address, encrypt_to, vendor_id IS NULL, subject, body FROM mail_queue WHERE case_id = ? AND id > ?"
        " ORDER BY to_address",
        {id.value(), vendor_mails});
    ASSERT_TRUE(rows.ok());
    ASSERT_EQ(rows->size(), 4u);
    const std::vector<std::pair<std::string, std::string>> expected = {
        {"ciso@telecom-x.example.jp", ""},
        {"csirt@sakura-bank.example.jp", "AAAABBBBCCCCDDDDEEEEFFFF0000111122223333"},
        {"psirt@hikari-mobile.example.jp", ""},
        {"soc@telecom-x.example.jp", ""},
    };
    auto view = cases_->Get(id, Coord());
    ASSERT_TRUE(view.ok());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const auto& r = (*rows)[i];
        EXPECT_EQ(r.Text(0), expected[i].first);
        EXPECT_EQ(r.Text(1), expected[i].second) << r.Text(0);
        EXPECT_EQ(r.Int(2), 1) << "vendor_id must be NULL";
        EXPECT_NE(r.Text(3).find(view->identifier), std::string::npos);
        const std::string body = r.Text(4);
        EXPECT_NE(body.find(view->identifier), std::string::npos);
        EXPECT_NE(body.find("Stack overflow in the UPnP service"), std::string::npos);
        EXPECT_NE(body.find("A vulnerability in a UPnP implementation."), std::string::npos);
        EXPECT_NE(body.find("Disable UPnP on the WAN side"), std::string::npos);
        EXPECT_EQ(body.find("M-SEARCH"), std::string::npos) << "technical details leaked";
        EXPECT_EQ(body.find(*view->details), std::string::npos);
    }
    EXPECT_EQ(Count("SELECT count(*) FROM mail_queue WHERE to_address = 'it@water.example.jp'"), 0);

    // One disclosure audit entry per organization reached (three; water was not chosen).
    EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'case.early_notice' AND actor = 'coord2'"
                    " AND object = ?",
                    {"case:" + std::to_string(id.value())}),
              audits_before + 3);
    auto timeline = cases_->Timeline(id, Coord());
    ASSERT_TRUE(timeline.ok());
    ASSERT_FALSE(timeline->empty());
    EXPECT_EQ(timeline->back().kind, "early_notice.released");
    EXPECT_EQ(timeline->back().actor, "coord2");
    EXPECT_EQ(timeline->back().text.find("Night desk"), std::string::npos);  // contacts are not named

    listed = notices_->List(id, Coord());
    ASSERT_EQ(listed->size(), 1u);
    EXPECT_EQ((*listed)[0].state, NoticeState::kReleased);
    EXPECT_EQ((*listed)[0].decided_by, "coord2");
    EXPECT_EQ((*listed)[0].decided_at, "2026-04-01T02:00:00Z");
    EXPECT_EQ((*listed)[0].organizations, 3);
    EXPECT_EQ((*listed)[0].mails, 4);
    // Released once: approving again or refusing now is a state error.
    EXPECT_EQ(notices_->Approve(*notice, Admin()).error().code(), core::ErrorCode::kFailedPrecondition);
    EXPECT_EQ(notices_->Refuse(*notice, "late", Admin()).error().code(), core::ErrorCode::kFailedPrecondition);
}

TEST_F(EarlyNoticeTest, InformationOnlyLeavesCountermeasuresOut) {
    StandardOrgs();
    CaseId id = VerifiedCase();
    ASSERT_TRUE(cases_->AddVendor(id, a_, Coord()).ok());
    ASSERT_TRUE(cases_->DiscloseDetails(id, a_, true, Coord()).ok());
    ASSERT_TRUE(cases_->AddCountermeasure(id, {"SR-1000 Router", "Disable UPnP", "", ""}, Coord(), a_).ok());
    auto notice = notices_->Request(id, {"water"}, NoticeContent::kInformation, "utilities use the router", Coord());
    ASSERT_TRUE(notice.ok());
    ASSERT_TRUE(notices_->Approve(*notice, Admin()).ok());
    EXPECT_EQ(Count("SELECT count(*) FROM mail_queue WHERE to_address = 'it@water.example.jp'"
                    " AND body NOT LIKE '%Disable UPnP%' AND body LIKE '%UPnP implementation%'"),
              1);
}

TEST_F(EarlyNoticeTest, RequesterCannotApproveItsOwn) {
    StandardOrgs();
    CaseId id = VerifiedCase();
    for (const Caller& requester : {Coord(), Admin()}) {
        auto notice = notices_->Request(id, {"finance"}, NoticeContent::kInformation, "banks", requester);
        ASSERT_TRUE(notice.ok());
        auto self = notices_->Approve(*notice, requester);
        ASSERT_FALSE(self.ok());
        EXPECT_EQ(self.error().code(), core::ErrorCode::kPermissionDenied);
        EXPECT_EQ(Count("SELECT count(*) FROM mail_queue WHERE case_id = ?", {id.value()}), 0);
        ASSERT_TRUE(notices_->Refuse(*notice, "withdrawn", requester).ok());
    }
    auto notice = notices_->Request(id, {"finance"}, NoticeContent::kInformation, "banks", Coord());
    ASSERT_TRUE(notice.ok());
    EXPECT_TRUE(notices_->Approve(*notice, Admin()).ok());
    auto listed = notices_->List(id, Coord2());
    ASSERT_EQ(listed->size(), 3u);
    EXPECT_EQ((*listed)[0].state, NoticeState::kRefused);
    EXPECT_EQ((*listed)[0].refusal_reason, "withdrawn");
    EXPECT_EQ((*listed)[2].state, NoticeState::kReleased);
    EXPECT_EQ((*listed)[2].decided_by, "admin");
}

TEST_F(EarlyNoticeTest, RequestRules) {
    StandardOrgs();
    CaseId unverified = [&] {
        NewCase n;
        n.title = "Unverified";
        n.summary = "s";
        n.details = "d";
        auto r = cases_->Submit(n, Reporter());
        EXPECT_TRUE(r.ok()) << r.error().ToString();
        return r.ok() ? r->id : CaseId();
    }();
    CaseId high = VerifiedCase();
    Exec("UPDATE cases SET leak_risk = 'high' WHERE id = ?", {high.value()});
    CaseId published = VerifiedCase();
    Exec("UPDATE cases SET published_at = '2026-01-01T00:00:00Z' WHERE id = ?", {published.value()});
    CaseId ok = VerifiedCase();

    struct Row {
        std::string name;
        CaseId id;
        std::vector<std::string> sectors;
        std::string reason;
        core::ErrorCode code;
        std::string field;
    };
    const std::vector<Row> table = {
        {"high leak risk", high, {"telecom"}, "r", core::ErrorCode::kFailedPrecondition, ""},
        {"unverified", unverified, {"telecom"}, "r", core::ErrorCode::kFailedPrecondition, ""},
        {"published", published, {"telecom"}, "r", core::ErrorCode::kFailedPrecondition, ""},
        {"no organization in sector", ok, {"railway", "gas"}, "r", core::ErrorCode::kFailedPrecondition, ""},
        {"unknown sector", ok, {"telecom", "energy"}, "r", core::ErrorCode::kInvalidArgument, "sectors"},
        {"no sectors", ok, {}, "r", core::ErrorCode::kInvalidArgument, "sectors"},
        {"no reason", ok, {"telecom"}, "", core::ErrorCode::kInvalidArgument, "reason"},
        {"missing case", CaseId(9999), {"telecom"}, "r", core::ErrorCode::kNotFound, ""},
    };
    for (const auto& row : table) {
        auto r = notices_->Request(row.id, row.sectors, NoticeContent::kInformation, row.reason, Coord());
        ASSERT_FALSE(r.ok()) << row.name;
        EXPECT_EQ(r.error().code(), row.code) << row.name << ": " << r.error().ToString();
        EXPECT_EQ(r.error().field(), row.field) << row.name;
    }
    auto r = notices_->Request(high, {"telecom"}, NoticeContent::kInformation, "r", Coord());
    EXPECT_NE(r.error().message().find("leak risk"), std::string::npos);
    EXPECT_EQ(Count("SELECT count(*) FROM early_notices"), 0);
}

TEST_F(EarlyNoticeTest, RulesAreCheckedAgainAtApproval) {
    StandardOrgs();
    struct Row {
        std::string name;
        std::string change;  // SQL run on the case between request and approval
    };
    const std::vector<Row> table = {
        {"leak risk raised", "UPDATE cases SET leak_risk = 'high' WHERE id = ?"},
        {"published meanwhile", "UPDATE cases SET published_at = '2026-01-01T00:00:00Z' WHERE id = ?"},
        {"verification withdrawn", "UPDATE cases SET verification = 'not_reproduced' WHERE id = ?"},
    };
    for (const auto& row : table) {
        CaseId id = VerifiedCase();
        auto notice = notices_->Request(id, {"telecom"}, NoticeContent::kInformation, "r", Coord());
        ASSERT_TRUE(notice.ok()) << row.name;
        Exec(row.change, {id.value()});
        auto approved = notices_->Approve(*notice, Coord2());
        ASSERT_FALSE(approved.ok()) << row.name;
        EXPECT_EQ(approved.error().code(), core::ErrorCode::kFailedPrecondition) << row.name;
        EXPECT_EQ(Count("SELECT count(*) FROM mail_queue WHERE case_id = ?", {id.value()}), 0) << row.name;
        EXPECT_EQ(notices_->List(id, Coord())->at(0).state, NoticeState::kPending) << row.name;
    }
    EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'case.early_notice'"), 0);
}

TEST_F(EarlyNoticeTest, OnlyStaffSeesOrActs) {
    StandardOrgs();
    CaseId id = VerifiedCase();
    ASSERT_TRUE(cases_->AddVendor(id, a_, Coord()).ok());
    ASSERT_TRUE(cases_->DiscloseDetails(id, a_, true, Coord()).ok());  // a_ even has the details
    auto notice = notices_->Request(id, {"telecom"}, NoticeContent::kInformation, "r", Coord());
    ASSERT_TRUE(notice.ok());
    for (const Caller& outsider : {VendorCaller(a_), VendorCaller(b_), Reporter(), OtherReporter()}) {
        const std::string who = outsider.name();
        EXPECT_EQ(notices_->Request(id, {"telecom"}, NoticeContent::kInformation, "r", outsider).error().code(),
                  core::ErrorCode::kNotFound)
            << who;
        EXPECT_EQ(notices_->Request(id, {"nonsense"}, NoticeContent::kInformation, "", outsider).error().code(),
                  core::ErrorCode::kNotFound)
            << who;
        EXPECT_EQ(notices_->Approve(*notice, outsider).error().code(), core::ErrorCode::kNotFound) << who;
        EXPECT_EQ(notices_->Refuse(*notice, "no", outsider).error().code(), core::ErrorCode::kNotFound) << who;
        EXPECT_EQ(notices_->List(id, outsider).error().code(), core::ErrorCode::kNotFound) << who;
    }
    EXPECT_EQ(notices_->Approve(EarlyNoticeId(999), Coord2()).error().code(), core::ErrorCode::kNotFound);
    EXPECT_EQ(notices_->Refuse(*notice, "", Coord2()).error().field(), "reason");
    EXPECT_EQ(notices_->List(id, Coord())->at(0).state, NoticeState::kPending);
}

}  // namespace
}  // namespace kizuna::vuln
