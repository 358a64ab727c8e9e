// Advisories: authoring with validation and revisions, visibility tied to the case's release (404 for
// everyone but coordinators before it), the vendor table (detail vendors, unknown when silent, unreachable
// vendors of figure 3), the update history after publication (V15), search and statistics (V19).
#include "vuln/advisories.hpp"

#include "vuln/schedule.hpp"
#include "vuln_fixture.hpp"

namespace kizuna::vuln {
namespace {

using core::ErrorCode;
using std::chrono::hours;

class AdvisoryTest : public VulnFixture {
  protected:
    void SetUp() override {
        VulnFixture::SetUp();
        log_ = std::make_unique<core::Logger>(clock_, core::LogLevel::kError);
        schedule_ = std::make_unique<ScheduleService>(*db_, clock_, audit_);
        scheduler_ = std::make_unique<sched::Scheduler>(*db_, clock_, *log_);
        schedule_->RegisterJobs(*scheduler_);
        advisories_ = std::make_unique<AdvisoryService>(*db_, clock_, audit_);
        admin_ = User("root", auth::Role::kAdmin);
        e_ = RegisteredVendor("Ezo Devices", RegistrationKind::kGeneral, "ezo", {"EZ-7"});
    }

    // Two vendors got the details (a_ reports, b_ stays silent); e_ only the summary.
    CaseId Case() {
        CaseId id = VerifiedCase({"SR-1000 Router", "HN Gateway", "EZ-7"});
        for (VendorId v : {a_, b_}) {
            EXPECT_TRUE(cases_->AddVendor(id, v, Coord()).ok());
            EXPECT_TRUE(cases_->DiscloseDetails(id, v, true, Coord()).ok());
        }
        EXPECT_TRUE(cases_->AddVendor(id, e_, Coord()).ok());
        EXPECT_TRUE(cases_->SendSummary(id, e_, Coord()).ok());
        StatusReport report{VendorStatus::kAffected, "Fixed in 2.1.", {"https://sakura.example.jp/sec/1"}};
        EXPECT_TRUE(cases_->ReportStatus(id, report, VendorCaller(a_)).ok());
        return id;
    }

    AdvisoryContent Content() {
        AdvisoryContent c;
        c.title = {"SR-1000 における UPnP のスタックオーバーフロー", "Stack overflow in SR-1000 UPnP"};
        c.overview = {"概要です。", "Overview."};
        c.impact = {"任意のコードを実行される可能性があります。", "Arbitrary code may be executed."};
        c.cvss31_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
        c.cvss40_vector = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N";
        c.cve_ids = {"cve-2026-12345"};
        c.references = {{"https://www.kb.cert.org/vuls/id/123456", {"VU#123456", "VU#123456"}}};
        c.products = {{a_, {"sr-1000", {"SR-1000 ルータ", "SR-1000 Router"}, {{"2.0.x", "", "2.1", ""}}}}};
        return c;
    }

    void Release(CaseId id) {
        ASSERT_TRUE(db_->InTransaction([&](store::Connection& c) { return schedule_->Release(c, id); }).ok());
    }

    Caller Admin() { return Caller{&admin_, std::nullopt}; }

    std::unique_ptr<core::Logger> log_;
    std::unique_ptr<ScheduleService> schedule_;
    std::unique_ptr<sched::Scheduler> scheduler_;
    std::unique_ptr<AdvisoryService> advisories_;
    auth::Principal admin_;
    VendorId e_;
};

TEST_F(AdvisoryTest, ValidationNamesTheField) {
    CaseId id = Case();
    struct Bad {
        std::function<void(AdvisoryContent&)> change;
        std::string field;
    };
    const std::vector<Bad> cases = {
        {[](auto& c) { c.title = {}; }, "title"},
        {[](auto& c) { c.overview = {}; }, "overview"},
        {[](auto& c) { c.title.ja = "two\nlines"; }, "title"},
        {[](auto& c) { c.cvss31_vector = "CVSS:3.1/AV:N/AC:L"; }, "cvss_v31"},
        {[](auto& c) { c.cvss40_vector = "CVSS:4.0/AV:Q/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"; }, "cvss_v40"},
        {[](auto& c) { c.cve_ids = {"CVE-26-1"}; }, "cve_ids[0]"},
        {[](auto& c) { c.cve_ids = {"CVE-2026-1234", "cve-2026-1234"}; }, "cve_ids[1]"},
        {[](auto& c) { c.references = {{"javascript:alert(1)", {}}}; }, "references[0].url"},
        {[](auto& c) { c.products[0].product.product_key = "a b"; }, "products[0].product_key"},
        {[&](auto& c) { c.products[0].vendor = d_; }, "products[0].vendor_id"},  // not in the case
    };
    for (const auto& bad : cases) {
        AdvisoryContent c = Content();
        bad.change(c);
        auto r = advisories_->Save(id, c, {}, Coord());
        ASSERT_FALSE(r.ok()) << bad.field;
        EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument) << bad.field;
        EXPECT_EQ(r.error().field(), bad.field) << r.error().ToString();
    }
    auto parsed = ParseAdvisoryContent(R"({"title": {"ja": "t"}, "overview": "o", "bogus": 1})");
    EXPECT_EQ(parsed.error().field(), "bogus");
    parsed = ParseAdvisoryContent(R"({"title": {"ja": "t"}, "overview": "o", "cve_ids": [1]})");
    EXPECT_EQ(parsed.error().field(), "cve_ids[0]");
}

TEST_F(AdvisoryTest, SavedWithScoresRevisionsAndTheJvnIdentifier) {
    CaseId id = Case();
    auto saved = advisories_->Save(id, Content(), {}, Coord());
    ASSERT_TRUE(saved.ok()) << saved.error().ToString();
    auto view = cases_->Get(id, Coord());
    // The case came from a finder (domestic): JVN#, the same number as the case.
    EXPECT_EQ(saved->doc.id, "JVN#" + view->identifier.substr(view->identifier.find('#') + 1));
    EXPECT_EQ(saved->slug, AdvisorySlug(saved->doc.id));
    EXPECT_EQ(saved->doc.cve_ids, std::vector<std::string>{"CVE-2026-12345"});
    ASSERT_TRUE(saved->doc.analysis.cvss_v31);
    EXPECT_DOUBLE_EQ(saved->doc.analysis.cvss_v31->base_score, 9.8);
    EXPECT_EQ(saved->doc.analysis.cvss_v31->severity, "Critical");
    ASSERT_TRUE(saved->doc.analysis.cvss_v40);
    EXPECT_DOUBLE_EQ(saved->doc.analysis.cvss_v40->score, 9.3);
    EXPECT_FALSE(saved->doc.published);
    // The content round-trips through its JSON form.
    auto again = ParseAdvisoryContent(AdvisoryContentJson(saved->content));
    ASSERT_TRUE(again.ok()) << again.error().ToString();
    EXPECT_EQ(AdvisoryContentJson(*again), AdvisoryContentJson(saved->content));

    AdvisoryContent second = Content();
    second.solution = {"2.1 に更新してください。", "Update to 2.1."};
    ASSERT_TRUE(advisories_->Save(id, second, {}, Coord()).ok());
    auto revisions = advisories_->Revisions(id, Coord());
    ASSERT_TRUE(revisions.ok());
    ASSERT_EQ(revisions->size(), 2u);
    EXPECT_EQ((*revisions)[0].revision, 2);
    EXPECT_FALSE((*revisions)[0].after_publication);
    auto lease = db_->Acquire();
    EXPECT_EQ(*(*lease)->QueryInt("SELECT count(*) FROM audit_log WHERE action = 'advisory.save'"), 2);
    // Only coordinators write; everyone else cannot know the case exists.
    for (Caller who : {VendorCaller(a_), Reporter(), Admin(), Anonymous()}) {
        auto r = advisories_->Save(id, Content(), {}, who);
        ASSERT_FALSE(r.ok());
        EXPECT_TRUE(r.error().code() == ErrorCode::kNotFound || r.error().code() == ErrorCode::kUnauthenticated)
            << r.error().ToString();
    }
}

TEST_F(AdvisoryTest, NothingIsPublicBeforeTheReleaseAndEverythingAfter) {
    CaseId id = Case();
    auto saved = advisories_->Save(id, Content(), {}, Coord());
    ASSERT_TRUE(saved.ok());
    const std::string aid = saved->doc.id;
    for (Caller who : {Anonymous(), VendorCaller(a_), VendorCaller(e_), Reporter()}) {
        EXPECT_EQ(advisories_->Get(who, aid).error().code(), ErrorCode::kNotFound);
        EXPECT_EQ(advisories_->Document(who, saved->slug).error().code(), ErrorCode::kNotFound);
    }
    EXPECT_TRUE(advisories_->Get(Coord(), aid).ok());          // the preview
    EXPECT_TRUE(advisories_->Get(Coord(), saved->slug).ok());
    // An admin may look too (read only, by the policy); that look at embargoed text is audited.
    EXPECT_TRUE(advisories_->Get(Admin(), aid).ok());
    {
        auto lease = db_->Acquire();
        EXPECT_EQ(*(*lease)->QueryInt("SELECT count(*) FROM audit_log WHERE action = 'advisory.preview'"), 1);
    }
    EXPECT_TRUE(advisories_->PublishedDocuments()->empty());
    EXPECT_EQ(advisories_->Search({})->total, 0);
    EXPECT_EQ(advisories_->Search({"CVE-2026-12345"})->total, 0);
    EXPECT_TRUE(advisories_->Statistics()->advisories.empty());
    EXPECT_EQ(advisories_->PublicStamp(aid).error().code(), ErrorCode::kNotFound);

    clock_.Advance(hours(24));
    Release(id);
    for (Caller who : {Anonymous(), VendorCaller(a_), VendorCaller(e_), Reporter(), Coord()}) {
        auto r = advisories_->Get(who, aid);
        ASSERT_TRUE(r.ok());
        EXPECT_TRUE(r->doc.published);
    }
    auto docs = advisories_->PublishedDocuments();
    ASSERT_EQ(docs->size(), 1u);
    EXPECT_EQ((*docs)[0].first_published, clock_.Now());
    EXPECT_EQ(advisories_->Search({"cve-2026-12345"})->total, 1);
    EXPECT_EQ(advisories_->Search({"さくら"})->total, 1);      // vendor
    EXPECT_EQ(advisories_->Search({"sr-1000 router"})->total, 1);  // product
    EXPECT_EQ(advisories_->Search({"nothing like this"})->total, 0);
    EXPECT_TRUE(advisories_->PublicStamp(aid).ok());
    auto stats = advisories_->Statistics();
    ASSERT_FALSE(stats->advisories.empty());
    EXPECT_EQ(stats->advisories.back().cumulative_domestic, 1);
}

TEST_F(AdvisoryTest, VendorTableAndUpdateHistory) {
    CaseId id = Case();
    ASSERT_TRUE(advisories_->Save(id, Content(), {}, Coord()).ok());
    Release(id);
    auto rec = advisories_->Get(Anonymous(), advisories_->PublishedDocuments()->at(0).id);
    ASSERT_TRUE(rec.ok());
    // a_ and b_ got the details; e_ only the summary and is not listed.
    ASSERT_EQ(rec->doc.vendors.size(), 2u);
    EXPECT_EQ(rec->doc.vendors[0].name.ja, "さくら電機");
    EXPECT_EQ(rec->doc.vendors[0].status, formats::AdvisoryVendorStatus::kAffected);
    EXPECT_EQ(rec->doc.vendors[0].announcement_url, "https://sakura.example.jp/sec/1");
    EXPECT_EQ(rec->doc.vendors[0].comment.ja, "Fixed in 2.1.");
    ASSERT_EQ(rec->doc.vendors[0].products.size(), 1u);
    EXPECT_EQ(rec->doc.vendors[1].status, formats::AdvisoryVendorStatus::kUnknown);  // never reported
    ASSERT_EQ(rec->doc.revisions.size(), 1u);

    // V15: later reports and content updates are appended with their dates.
    clock_.Advance(hours(72));
    ASSERT_TRUE(cases_->ReportStatus(id, {VendorStatus::kNotAffected, "Not affected."}, VendorCaller(b_)).ok());
    clock_.Advance(hours(24));
    ASSERT_TRUE(advisories_->Save(id, Content(), {"参考情報を追加", "References added"}, Coord()).ok());
    rec = advisories_->Get(Anonymous(), rec->slug);
    ASSERT_EQ(rec->doc.revisions.size(), 3u);
    EXPECT_EQ(rec->doc.vendors[1].status, formats::AdvisoryVendorStatus::kNotAffected);
    EXPECT_NE(rec->doc.revisions[1].summary.en.find("Hikari Networks"), std::string::npos);
    EXPECT_EQ(rec->doc.revisions[2].summary.en, "References added");
    EXPECT_EQ(rec->doc.last_updated, clock_.Now());
    ASSERT_EQ(rec->vendor_history.size(), 2u);
    EXPECT_EQ(rec->vendor_history[1].second.size(), 2u);
}

TEST_F(AdvisoryTest, SearchIsPaginatedNewestFirst) {
    std::vector<std::string> ids;
    for (int i = 0; i < 3; ++i) {
        CaseId id = VerifiedCase({"SR-1000 Router"});
        AdvisoryContent c = Content();
        c.products.clear();
        c.cve_ids = {"CVE-2026-1000" + std::to_string(i)};
        auto saved = advisories_->Save(id, c, {}, Coord());
        ASSERT_TRUE(saved.ok()) << saved.error().ToString();
        ids.push_back(saved->doc.id);
        clock_.Advance(hours(1));
        Release(id);
    }
    auto first = advisories_->Search({"", 1, 2});
    ASSERT_TRUE(first.ok());
    EXPECT_EQ(first->total, 3);
    ASSERT_EQ(first->items.size(), 2u);
    EXPECT_EQ(first->items[0].id, ids[2]);  // newest first
    EXPECT_EQ(first->items[1].id, ids[1]);
    auto second = advisories_->Search({"", 2, 2});
    ASSERT_EQ(second->items.size(), 1u);
    EXPECT_EQ(second->items[0].id, ids[0]);
    EXPECT_TRUE(advisories_->Search({"", 3, 2})->items.empty());
    EXPECT_EQ(advisories_->Search({"cve-2026-10001", 1, 20})->items.at(0).id, ids[1]);
    EXPECT_EQ(advisories_->Search({std::string(201, 'x')}).error().field(), "q");
}

TEST_F(AdvisoryTest, UnreachableVendorGetsTheFixedWording) {
    CaseId id = VerifiedCase({"SR-1000 Router"});
    ASSERT_TRUE(cases_->AddVendor(id, d_, Coord()).ok());
    ASSERT_TRUE(cases_->RequestRegistration(id, d_, Channel::kEmail, "info@cam.example", Coord()).ok());
    clock_.Advance(hours(24 * 92));
    ASSERT_TRUE(schedule_->DeclareUnreachable(id, d_, Coord()).ok());
    AdvisoryContent content = Content();
    content.products.clear();
    auto saved = advisories_->Save(id, content, {}, Coord());
    ASSERT_TRUE(saved.ok()) << saved.error().ToString();
    Release(id);
    auto rec = advisories_->Get(Anonymous(), saved->doc.id);
    ASSERT_TRUE(rec.ok());
    ASSERT_EQ(rec->doc.vendors.size(), 1u);
    EXPECT_TRUE(rec->doc.vendors[0].unreachable);
    ASSERT_TRUE(rec->doc.vendors[0].unreachable_since);
    EXPECT_EQ(core::FormatRfc3339(*rec->doc.vendors[0].unreachable_since), "2026-04-01T00:00:00Z");
    EXPECT_TRUE(rec->doc.solution.ja.starts_with("当該製品の利用者は、本脆弱性の影響を受ける可能性がありますので"));
    EXPECT_TRUE(rec->doc.solution.en.starts_with("Users of the product may be affected"));
}

}  // namespace
}  // namespace kizuna::vuln
