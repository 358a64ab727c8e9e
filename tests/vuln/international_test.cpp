// V18: overseas coordinators with their vendors and publication constraints, the window they leave for
// the case's date, and the exchange document (export, import, malformed imports).
#include "vuln/international.hpp"

#include "vuln_fixture.hpp"

namespace kizuna::vuln {
namespace {

using core::ErrorCode;

class InternationalTest : public VulnFixture {
  protected:
    void SetUp() override {
        VulnFixture::SetUp();
        intl_ = std::make_unique<InternationalService>(*db_, clock_, audit_, *cases_);
    }

    void Exec(const std::string& sql, std::initializer_list<store::Value> params = {}) {
        auto lease = db_->Acquire();
        auto st = (*lease)->Exec(sql, params);
        ASSERT_TRUE(st.ok()) << st.error().ToString();
    }
    std::int64_t Count(const std::string& sql, std::initializer_list<store::Value> params = {}) {
        auto lease = db_->Acquire();
        auto n = (*lease)->QueryInt(sql, params);
        EXPECT_TRUE(n.ok()) << n.error().ToString();
        return n.ok() ? *n : -1;
    }

    CoordinatorId Add(CaseId id, const std::string& name, const std::string& country, const std::string& ref,
                      std::vector<std::string> vendors = {}) {
        NewCoordinator n;
        n.name = name;
        n.country = country;
        n.contact_email = "cert@" + country + ".example";
        n.case_reference = ref;
        n.vendors = std::move(vendors);
        auto k = intl_->AddCoordinator(id, n, Coord());
        EXPECT_TRUE(k.ok()) << k.error().ToString();
        return k.ok() ? *k : CoordinatorId();
    }

    // CERT/CC: not before May 10; NCSC: between May 1 and May 20. Window: May 10 - May 20.
    void TwoPartners(CaseId id) {
        certcc_ = Add(id, "CERT/CC", "US", "VU#123456", {"Acme Corp", "Globex"});
        ncsc_ = Add(id, "NCSC", "GB", "NCSC-2026-77");
        ASSERT_TRUE(
            intl_->SetConstraint(id, certcc_, {"2026-05-10T00:00:00Z", "", "vendor patch cycle"}, Coord()).ok());
        ASSERT_TRUE(
            intl_->SetConstraint(id, ncsc_, {"2026-05-01T09:00:00+09:00", "2026-05-20T00:00:00Z", ""}, Coord()).ok());
    }

    std::unique_ptr<InternationalService> intl_;
    CoordinatorId certcc_, ncsc_;
};

TEST_F(InternationalTest, CoordinatorsWithVendorsAndConstraints) {
    CaseId id = VerifiedCase();
    TwoPartners(id);
    auto v = intl_->View(id, Coord());
    ASSERT_TRUE(v.ok()) << v.error().ToString();
    ASSERT_EQ(v->coordinators.size(), 2u);
    EXPECT_EQ(v->coordinators[0].name, "CERT/CC");
    EXPECT_EQ(v->coordinators[0].country, "US");
    EXPECT_EQ(v->coordinators[0].case_reference, "VU#123456");
    EXPECT_EQ(v->coordinators[0].vendors, (std::vector<std::string>{"Acme Corp", "Globex"}));
    EXPECT_EQ(v->coordinators[0].constraint.note, "vendor patch cycle");
    EXPECT_EQ(v->coordinators[1].constraint.not_before, "2026-05-01T00:00:00Z");  // normalised to UTC
    EXPECT_EQ(v->window.not_before, "2026-05-10T00:00:00Z");
    EXPECT_EQ(v->window.not_before_by, "CERT/CC");
    EXPECT_EQ(v->window.not_after, "2026-05-20T00:00:00Z");
    EXPECT_EQ(v->window.not_after_by, "NCSC");
    EXPECT_EQ(v->window.publish_at, "");
    EXPECT_FALSE(v->window.conflict);

    ASSERT_TRUE(intl_->SetVendors(id, ncsc_, {"Initech"}, Coord()).ok());
    EXPECT_EQ(intl_->View(id, Coord())->coordinators[1].vendors, std::vector<std::string>{"Initech"});

    EXPECT_EQ(Count("SELECT count(*) FROM case_events WHERE case_id = ? AND kind LIKE 'international.%'", {id.value()}),
              5);
    EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'case.coordinator_add'"), 2);
    EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'case.coordinator_constraint'"), 2);
}

TEST_F(InternationalTest, ValidatesCoordinatorsAndConstraints) {
    CaseId id = VerifiedCase();
    certcc_ = Add(id, "CERT/CC", "US", "VU#1");
    NewCoordinator dup;
    dup.name = "CERT/CC";
    EXPECT_EQ(intl_->AddCoordinator(id, dup, Coord()).error().code(), ErrorCode::kAlreadyExists);
    NewCoordinator bad;
    EXPECT_EQ(intl_->AddCoordinator(id, bad, Coord()).error().field(), "name");
    bad.name = "KrCERT/CC";
    bad.contact_email = "nobody";
    EXPECT_EQ(intl_->AddCoordinator(id, bad, Coord()).error().field(), "contact_email");
    bad.contact_email = "";
    bad.vendors = {"ok", ""};
    EXPECT_EQ(intl_->AddCoordinator(id, bad, Coord()).error().field(), "vendors[1]");

    EXPECT_EQ(intl_->SetConstraint(id, certcc_, {"next week", "", ""}, Coord()).error().field(), "not_before");
    EXPECT_EQ(intl_->SetConstraint(id, certcc_, {"", "2026-13-01T00:00:00Z", ""}, Coord()).error().field(),
              "not_after");
    EXPECT_EQ(intl_->SetConstraint(id, certcc_, {"2026-06-01T00:00:00Z", "2026-05-01T00:00:00Z", ""}, Coord())
                  .error()
                  .field(),
              "not_after");
    EXPECT_EQ(intl_->SetConstraint(id, CoordinatorId(9999), {}, Coord()).error().code(), ErrorCode::kNotFound);
    // A coordinator of another case is not this case's.
    CaseId other = VerifiedCase();
    EXPECT_EQ(intl_->SetConstraint(other, certcc_, {}, Coord()).error().code(), ErrorCode::kNotFound);
}

TEST_F(InternationalTest, DecidedDateInsideAndOutsideTheWindow) {
    CaseId id = VerifiedCase();
    TwoPartners(id);

    // Only a proposal so far: it is checked against the constraints.
    Exec(
        "INSERT INTO schedule_proposals(case_id, publish_at, reason, state, created_at, actor)"
        " VALUES (?, '2026-05-05T00:00:00Z', '', 'proposed', '2026-04-01T00:00:00Z', 'coord')",
        {id.value()});
    auto v = intl_->View(id, Coord());
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v->window.proposed_at, "2026-05-05T00:00:00Z");
    EXPECT_TRUE(v->window.conflict);
    ASSERT_EQ(v->window.conflicts.size(), 1u);
    EXPECT_NE(v->window.conflicts[0].find("CERT/CC"), std::string::npos) << v->window.conflicts[0];

    // Decided inside the window: no conflict (the decision wins over the stale proposal).
    Exec("UPDATE cases SET publish_at = '2026-05-15T01:00:00Z' WHERE id = ?", {id.value()});
    v = intl_->View(id, Coord());
    EXPECT_EQ(v->window.publish_at, "2026-05-15T01:00:00Z");
    EXPECT_FALSE(v->window.conflict) << (v->window.conflicts.empty() ? "" : v->window.conflicts[0]);

    // On the bounds themselves: still inside.
    Exec("UPDATE cases SET publish_at = '2026-05-20T00:00:00Z' WHERE id = ?", {id.value()});
    EXPECT_FALSE(intl_->View(id, Coord())->window.conflict);

    // After NCSC's not_after.
    Exec("UPDATE cases SET publish_at = '2026-05-25T00:00:00Z' WHERE id = ?", {id.value()});
    v = intl_->View(id, Coord());
    EXPECT_TRUE(v->window.conflict);
    ASSERT_EQ(v->window.conflicts.size(), 1u);
    EXPECT_NE(v->window.conflicts[0].find("NCSC"), std::string::npos);

    // Constraints that cannot all be met: KrCERT wants it out before CERT/CC allows it.
    CoordinatorId kr = Add(id, "KrCERT/CC", "KR", "KR-1");
    ASSERT_TRUE(intl_->SetConstraint(id, kr, {"", "2026-05-08T00:00:00Z", ""}, Coord()).ok());
    Exec("UPDATE cases SET publish_at = '' WHERE id = ?", {id.value()});
    Exec("UPDATE schedule_proposals SET state = 'superseded' WHERE case_id = ?", {id.value()});
    v = intl_->View(id, Coord());
    EXPECT_EQ(v->window.not_after, "2026-05-08T00:00:00Z");
    EXPECT_EQ(v->window.not_after_by, "KrCERT/CC");
    EXPECT_TRUE(v->window.conflict);
    ASSERT_EQ(v->window.conflicts.size(), 1u);
    EXPECT_NE(v->window.conflicts[0].find("cannot all be met"), std::string::npos);

    // Clearing the constraint removes the conflict.
    ASSERT_TRUE(intl_->SetConstraint(id, kr, {}, Coord()).ok());
    EXPECT_FALSE(intl_->View(id, Coord())->window.conflict);
}

TEST_F(InternationalTest, ExportImportRoundTrip) {
    CaseId id = VerifiedCase({"SR-1000 Router"});
    ASSERT_TRUE(cases_->AddVendor(id, a_, Coord()).ok());
    TwoPartners(id);
    auto doc = intl_->Export(id, Coord());
    ASSERT_TRUE(doc.ok()) << doc.error().ToString();
    EXPECT_NE(doc->find("\"format\": \"kizuna-case-exchange\""), std::string::npos);
    EXPECT_NE(doc->find("さくら電機"), std::string::npos);
    EXPECT_NE(doc->find("VU#123456"), std::string::npos);
    EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'case.export' AND object = ?",
                    {"case:" + std::to_string(id.value())}),
              1);

    auto receipt = intl_->Import(*doc, Coord());
    ASSERT_TRUE(receipt.ok()) << receipt.error().ToString();
    EXPECT_NE(receipt->id, id);
    auto original = cases_->Get(id, Coord());
    auto copy = cases_->Get(receipt->id, Coord());
    ASSERT_TRUE(original.ok() && copy.ok());
    EXPECT_EQ(copy->title, original->title);
    EXPECT_EQ(copy->summary, original->summary);
    EXPECT_EQ(copy->details, original->details);
    ASSERT_EQ(copy->terms.size(), original->terms.size());
    for (std::size_t i = 0; i < copy->terms.size(); ++i) {
        EXPECT_EQ(copy->terms[i].kind, original->terms[i].kind);
        EXPECT_EQ(copy->terms[i].value, original->terms[i].value);
        EXPECT_EQ(copy->terms[i].version, original->terms[i].version);
    }
    EXPECT_EQ(copy->source, Source::kOther);

    // The sender (ourselves, here) is a coordinator with our identifier as its reference; the partners
    // listed in the document come along with their constraints.
    auto v = intl_->View(receipt->id, Coord());
    ASSERT_TRUE(v.ok());
    ASSERT_EQ(v->coordinators.size(), 3u);
    EXPECT_EQ(v->coordinators[0].name, "JPCERT/CC");
    EXPECT_EQ(v->coordinators[0].case_reference, original->identifier);
    EXPECT_EQ(v->coordinators[0].vendors, std::vector<std::string>{"さくら電機"});
    EXPECT_EQ(v->coordinators[1].name, "CERT/CC");
    EXPECT_EQ(v->coordinators[1].case_reference, "VU#123456");
    EXPECT_EQ(v->window.not_before, "2026-05-10T00:00:00Z");
    EXPECT_EQ(v->window.not_after, "2026-05-20T00:00:00Z");
    EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'case.import'"), 1);
}

TEST_F(InternationalTest, ImportFromCertCcWithSourceAndConstraint) {
    const std::string doc = R"({"format":"kizuna-case-exchange","version":1,
      "sender":{"name":"CERT/CC","country":"US","source":"certcc","case_reference":"VU#654321",
                "constraint":{"not_before":"2026-06-01T00:00:00-04:00","note":"CERT/CC publication"}},
      "case":{"identifier":"VU#654321","title":"Auth bypass in Foo","summary":"s","details":"d",
              "terms":[{"kind":"product","value":"Foo Server"},{"kind":"component","value":"libfoo","version":"< 2"}]},
      "vendors":[{"name":"Foo Inc.","status":"affected","status_text":"","urls":["https://foo.example/sa"]}],
      "coordinators":[{"name":"JPCERT/CC"},{"name":"NCSC","country":"GB"}]})";
    auto receipt = intl_->Import(doc, Coord());
    ASSERT_TRUE(receipt.ok()) << receipt.error().ToString();
    auto c = cases_->Get(receipt->id, Coord());
    EXPECT_EQ(c->source, Source::kCertCc);
    EXPECT_EQ(c->terms.size(), 2u);
    auto v = intl_->View(receipt->id, Coord());
    ASSERT_EQ(v->coordinators.size(), 2u);  // ourselves are skipped
    EXPECT_EQ(v->coordinators[0].name, "CERT/CC");
    EXPECT_EQ(v->coordinators[0].case_reference, "VU#654321");
    EXPECT_EQ(v->coordinators[0].constraint.not_before, "2026-06-01T04:00:00Z");
    EXPECT_EQ(v->coordinators[0].vendors, std::vector<std::string>{"Foo Inc."});
    EXPECT_EQ(v->coordinators[1].name, "NCSC");
    EXPECT_EQ(v->window.not_before, "2026-06-01T04:00:00Z");
}

TEST_F(InternationalTest, MalformedImportsNameThePath) {
    const std::string head = R"({"format":"kizuna-case-exchange","version":1,"sender":{"name":"CERT/CC"},)";
    const std::string good_case = R"("case":{"title":"t","details":"d"})";
    struct Row {
        std::string doc;
        std::string field;
    };
    const std::vector<Row> rows = {
        {"not json at all", "document"},
        {"{\"format\":", "document"},
        {"[1,2]", "document"},
        {std::string(100, '[') + std::string(100, ']'), "document"},
        {R"({"version":1})", "format"},
        {R"({"format":"something-else","version":1})", "format"},
        {R"({"format":"kizuna-case-exchange"})", "version"},
        {R"({"format":"kizuna-case-exchange","version":2})", "version"},
        {R"({"format":"kizuna-case-exchange","version":"1"})", "version"},
        {R"({"format":"kizuna-case-exchange","version":1,"sender":{"name":"X"}})", "case"},
        {R"({"format":"kizuna-case-exchange","version":1,"case":[]})", "case"},
        {head + R"("case":{"details":"d"}})", "case.title"},
        {head + R"("case":{"title":"","details":"d"}})", "case.title"},
        {head + R"("case":{"title":42,"details":"d"}})", "case.title"},
        {head + R"("case":{"title":"t"}})", "case.details"},
        {head + R"("case":{"title":"t","details":"d","summary":["x"]}})", "case.summary"},
        {head + R"("case":{"title":"t","details":"d","terms":{}}})", "case.terms"},
        {head + R"("case":{"title":"t","details":"d","terms":["x"]}})", "case.terms[0]"},
        {head +
             R"("case":{"title":"t","details":"d","terms":[{"kind":"product","value":"p"},{"kind":"cve","value":"x"}]}})",
         "case.terms[1].kind"},
        {head + R"("case":{"title":"t","details":"d","terms":[{"kind":"product"}]}})", "case.terms[0].value"},
        {R"({"format":"kizuna-case-exchange","version":1,)" + good_case + "}", "sender"},
        {R"({"format":"kizuna-case-exchange","version":1,"sender":{},)" + good_case + "}", "sender.name"},
        {R"({"format":"kizuna-case-exchange","version":1,"sender":{"name":"A","source":"finder"},)" + good_case + "}",
         "sender.source"},
        {R"({"format":"kizuna-case-exchange","version":1,"sender":{"name":"A","contact_email":"x"},)" + good_case + "}",
         "sender.contact_email"},
        {R"({"format":"kizuna-case-exchange","version":1,"sender":{"name":"A","constraint":{"not_before":"soon"}},)" +
             good_case + "}",
         "sender.constraint.not_before"},
        {R"({"format":"kizuna-case-exchange","version":1,"sender":{"name":"A","vendors":[1]},)" + good_case + "}",
         "sender.vendors[0]"},
        {head + good_case + R"(,"vendors":[{"status":"affected"}]})", "vendors[0].name"},
        {head + good_case + R"(,"vendors":"Acme"})", "vendors"},
        {head + good_case + R"(,"schedule":{"publish_at":"tomorrow"}})", "schedule.publish_at"},
        {head + good_case + R"(,"coordinators":[{"name":"NCSC","constraint":{"not_after":5}}]})",
         "coordinators[0].constraint.not_after"},
        {head + good_case + R"(,"coordinators":[{"name":"NCSC"},"KrCERT"]})", "coordinators[1]"},
    };
    for (const auto& row : rows) {
        auto r = intl_->Import(row.doc, Coord());
        ASSERT_FALSE(r.ok()) << row.doc;
        EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument) << row.doc;
        EXPECT_EQ(r.error().field(), row.field) << row.doc << " -> " << r.error().ToString();
    }
    EXPECT_EQ(Count("SELECT count(*) FROM cases"), 0);
    // The minimal document is accepted.
    EXPECT_TRUE(intl_->Import(head + good_case + "}", Coord()).ok());
}

TEST_F(InternationalTest, OnlyStaff) {
    CaseId id = VerifiedCase();
    ASSERT_TRUE(cases_->AddVendor(id, a_, Coord()).ok());
    ASSERT_TRUE(cases_->DiscloseDetails(id, a_, true, Coord()).ok());
    certcc_ = Add(id, "CERT/CC", "US", "VU#1");
    auto doc = intl_->Export(id, Coord());
    ASSERT_TRUE(doc.ok());
    NewCoordinator n;
    n.name = "NCSC";
    for (const Caller& who : {VendorCaller(a_), VendorCaller(b_), Reporter(), OtherReporter()}) {
        EXPECT_EQ(intl_->AddCoordinator(id, n, who).error().code(), ErrorCode::kNotFound);
        EXPECT_EQ(intl_->SetConstraint(id, certcc_, {}, who).error().code(), ErrorCode::kNotFound);
        EXPECT_EQ(intl_->SetVendors(id, certcc_, {}, who).error().code(), ErrorCode::kNotFound);
        EXPECT_EQ(intl_->View(id, who).error().code(), ErrorCode::kNotFound);
        EXPECT_EQ(intl_->Export(id, who).error().code(), ErrorCode::kNotFound);
        EXPECT_EQ(intl_->Import(*doc, who).error().code(), ErrorCode::kNotFound);
        // Even a malformed body tells a non-staff caller nothing.
        EXPECT_EQ(intl_->Import("garbage", who).error().code(), ErrorCode::kNotFound);
    }
    EXPECT_EQ(intl_->View(id, Anonymous()).error().code(), ErrorCode::kUnauthenticated);
    EXPECT_EQ(intl_->Import(*doc, Anonymous()).error().code(), ErrorCode::kUnauthenticated);
    EXPECT_EQ(intl_->View(CaseId(9999), Coord()).error().code(), ErrorCode::kNotFound);
    EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'case.export'"), 1);
    EXPECT_EQ(Count("SELECT count(*) FROM case_coordinators"), 1);
}

}  // namespace
}  // namespace kizuna::vuln
