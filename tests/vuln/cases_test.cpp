#include "vuln_fixture.hpp"

namespace kizuna::vuln {
namespace {

using core::ErrorCode;
using CasesTest = VulnFixture;

TEST_F(CasesTest, AnonymousFormGetsAReceiptAndAnIdentifier) {
    NewCase n;
    n.title = "XSS in admin page";
    n.details = "The name parameter is reflected without escaping.";
    n.reporter_name = "匿名の発見者";
    n.reporter_email = "finder@example.org";
    auto r = cases_->Submit(n, Anonymous());
    ASSERT_TRUE(r.ok()) << r.error().ToString();
    EXPECT_EQ(r->identifier, "JVNVU#00000001");
    EXPECT_EQ(r->receipt_id.rfind("R-", 0), 0u);
    n.reporter_email = "";
    EXPECT_EQ(cases_->Submit(n, Anonymous()).error().field(), "reporter_email");
    n.reporter_email = "x@example.org";
    n.source = Source::kCertCc;
    EXPECT_EQ(cases_->Submit(n, Anonymous()).error().code(), ErrorCode::kPermissionDenied);
    n.details = "";
    EXPECT_EQ(cases_->Submit(n, Anonymous()).error().field(), "details");
}

TEST_F(CasesTest, NoVendorIsContactedBeforeVerification) {
    NewCase n;
    n.title = "t";
    n.details = "d";
    auto r = cases_->Submit(n, Reporter());
    ASSERT_TRUE(r.ok());
    ASSERT_TRUE(cases_->AddVendor(r->id, a_, Coord()).ok());
    EXPECT_EQ(cases_->SendSummary(r->id, a_, Coord()).error().code(), ErrorCode::kFailedPrecondition);
    EXPECT_EQ(cases_->DiscloseDetails(r->id, a_, true, Coord()).error().code(), ErrorCode::kFailedPrecondition);
    ASSERT_TRUE(cases_->Verify(r->id, Verification::kFalseReport, "not a vulnerability", Coord()).ok());
    EXPECT_EQ(cases_->SendSummary(r->id, a_, Coord()).error().code(), ErrorCode::kFailedPrecondition);
}

TEST_F(CasesTest, SummaryThenDetailsOnlyToVendorsThatAsked) {
    CaseId id = VerifiedCase({"SR-1000 Router", "HN Gateway"});
    ASSERT_TRUE(cases_->AddVendor(id, a_, Coord()).ok());
    ASSERT_TRUE(cases_->AddVendor(id, b_, Coord()).ok());
    ASSERT_TRUE(cases_->SendSummary(id, a_, Coord()).ok());
    ASSERT_TRUE(cases_->SendSummary(id, b_, Coord()).ok());

    // With the summary only, a vendor sees no technical detail.
    auto b_view = cases_->Get(id, VendorCaller(b_));
    ASSERT_TRUE(b_view.ok());
    EXPECT_FALSE(b_view->details.has_value());
    EXPECT_EQ(b_view->caller_level, Level::kSummary);
    EXPECT_EQ(b_view->vendors.size(), 1u);  // its own row only: no other vendors' names
    for (const auto& t : b_view->terms) EXPECT_EQ(t.kind, "keyword");

    ASSERT_TRUE(cases_->AnswerSummary(id, Answer::kRequestDetails, VendorCaller(a_)).ok());
    ASSERT_TRUE(cases_->AnswerSummary(id, Answer::kNoProducts, VendorCaller(b_)).ok());
    ASSERT_TRUE(cases_->DiscloseDetails(id, a_, false, Coord()).ok());
    auto refused = cases_->DiscloseDetails(id, b_, false, Coord());
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message().find("has not requested"), std::string::npos);

    auto a_view = cases_->Get(id, VendorCaller(a_));
    ASSERT_TRUE(a_view.ok());
    ASSERT_TRUE(a_view->details.has_value());
    EXPECT_NE(a_view->details->find("M-SEARCH"), std::string::npos);
    EXPECT_FALSE(cases_->Get(id, VendorCaller(b_))->details.has_value());

    // Every disclosure is audited.
    auto lease = db_->Acquire();
    EXPECT_EQ(*(*lease)->QueryInt("SELECT count(*) FROM audit_log WHERE action = 'case.disclose'"), 3);
    EXPECT_EQ(*(*lease)->QueryInt("SELECT count(*) FROM audit_log WHERE action = 'case.read_detail'"), 1);
}

TEST_F(CasesTest, SilentVendorsReadUnknown) {
    CaseId id = VerifiedCase({"SR-1000 Router", "HN Gateway"});
    for (VendorId v : {a_, b_}) {
        ASSERT_TRUE(cases_->AddVendor(id, v, Coord()).ok());
        ASSERT_TRUE(cases_->DiscloseDetails(id, v, true, Coord()).ok());
    }
    ASSERT_TRUE(cases_->ReportStatus(id, {VendorStatus::kAffected, "修正版を公開しました。",
                                          {"https://sakura.example.jp/psirt/2026-001"}, "SR-1000 v2.x",
                                          "update to 2.4.1", "2026-05-15"},
                                     VendorCaller(a_))
                    .ok());
    auto view = cases_->Get(id, Coord());
    ASSERT_TRUE(view.ok());
    ASSERT_EQ(view->vendors.size(), 2u);
    for (const auto& v : view->vendors) {
        if (v.vendor == a_) {
            EXPECT_EQ(v.status, VendorStatus::kAffected);
            EXPECT_EQ(v.status_urls, std::vector<std::string>{"https://sakura.example.jp/psirt/2026-001"});
        } else {
            EXPECT_EQ(v.status, VendorStatus::kUnknown);
            EXPECT_EQ(JapaneseLabel(v.status), "不明");
        }
    }
    // Status needs the details first, and a real status.
    CaseId other = VerifiedCase();
    ASSERT_TRUE(cases_->AddVendor(other, a_, Coord()).ok());
    ASSERT_TRUE(cases_->SendSummary(other, a_, Coord()).ok());
    EXPECT_EQ(cases_->ReportStatus(other, {VendorStatus::kAffected}, VendorCaller(a_)).error().code(),
              ErrorCode::kFailedPrecondition);
    EXPECT_EQ(cases_->ReportStatus(id, {VendorStatus::kUnknown}, VendorCaller(a_)).error().field(), "status");
    EXPECT_EQ(cases_->ReportStatus(id, {VendorStatus::kAffected, "", {"javascript:alert(1)"}}, VendorCaller(a_))
                  .error()
                  .field(),
              "urls");
}

TEST_F(CasesTest, IndividualRegistrationNeverGetsMultiVendorCases) {
    // Its own product, alone in the case: fine (the obvious vendor, straight to details).
    CaseId own = VerifiedCase({"Komorebi Viewer"});
    ASSERT_TRUE(cases_->AddVendor(own, c_, Coord()).ok());
    ASSERT_TRUE(cases_->DiscloseDetails(own, c_, true, Coord()).ok());
    // ... and then no second vendor may be brought into that case.
    ASSERT_TRUE(cases_->AddVendor(own, a_, Coord()).ok());
    auto second = cases_->SendSummary(own, a_, Coord());
    ASSERT_FALSE(second.ok());
    EXPECT_NE(second.error().message().find("individually registered"), std::string::npos);

    // A multi-vendor case: the individual vendor receives nothing.
    CaseId multi = VerifiedCase({"Komorebi Viewer", "SR-1000 Router"});
    ASSERT_TRUE(cases_->AddVendor(multi, a_, Coord()).ok());
    ASSERT_TRUE(cases_->AddVendor(multi, c_, Coord()).ok());
    ASSERT_TRUE(cases_->SendSummary(multi, a_, Coord()).ok());
    EXPECT_EQ(cases_->SendSummary(multi, c_, Coord()).error().code(), ErrorCode::kFailedPrecondition);
    EXPECT_EQ(cases_->DiscloseDetails(multi, c_, true, Coord()).error().code(), ErrorCode::kFailedPrecondition);

    // A case that is not about its products: nothing either.
    CaseId foreign = VerifiedCase({"SR-1000 Router"});
    ASSERT_TRUE(cases_->AddVendor(foreign, c_, Coord()).ok());
    auto not_own = cases_->SendSummary(foreign, c_, Coord());
    ASSERT_FALSE(not_own.ok());
    EXPECT_NE(not_own.error().message().find("own products"), std::string::npos);
    EXPECT_EQ(cases_->Get(foreign, VendorCaller(c_)).error().code(), ErrorCode::kNotFound);
}

TEST_F(CasesTest, UnregisteredVendorsAreAskedToRegisterFirst) {
    CaseId id = VerifiedCase();
    ASSERT_TRUE(cases_->AddVendor(id, d_, Coord()).ok());
    auto refused = cases_->SendSummary(id, d_, Coord());
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message().find("not registered"), std::string::npos);
    auto forum = cases_->RequestRegistration(id, d_, Channel::kPublicForum, "https://forum.example/cam", Coord());
    ASSERT_FALSE(forum.ok());
    EXPECT_EQ(forum.error().field(), "channel");
    EXPECT_EQ(cases_->LogContactAttempt(id, d_, Channel::kOpenMailingList, "users@lists.example", "", Coord())
                  .error()
                  .field(),
              "channel");
    ASSERT_TRUE(cases_->RequestRegistration(id, d_, Channel::kEmail, "info@unknowncam.example", Coord()).ok());
    clock_.Advance(std::chrono::hours(24 * 14));
    ASSERT_TRUE(cases_->LogContactAttempt(id, d_, Channel::kPostal, "1-2-3 Chiyoda, Tokyo", "letter", Coord()).ok());
    auto vendor = vendors_->Get(d_);
    EXPECT_EQ(vendor->state, RegistrationState::kRegistrationRequested);
    EXPECT_EQ(vendor->kind, RegistrationKind::kIndividual);
    auto lease = db_->Acquire();
    auto attempts = (*lease)->Query("SELECT channel, at FROM contact_attempts WHERE vendor_id = ? ORDER BY id",
                                    {d_.value()});
    ASSERT_EQ(attempts->size(), 2u);
    EXPECT_EQ((*attempts)[0].Text(0), "email");
    EXPECT_EQ((*attempts)[1].Text(1), "2026-04-15T00:00:00Z");
}

TEST_F(CasesTest, WhoSeesWhat) {
    CaseId id = VerifiedCase({"SR-1000 Router", "HN Gateway"});
    ASSERT_TRUE(cases_->AddVendor(id, a_, Coord()).ok());
    ASSERT_TRUE(cases_->AddVendor(id, b_, Coord()).ok());
    ASSERT_TRUE(cases_->DiscloseDetails(id, a_, true, Coord()).ok());  // b_ added but told nothing yet

    EXPECT_EQ(cases_->Get(id, Anonymous()).error().code(), ErrorCode::kUnauthenticated);
    EXPECT_EQ(cases_->Get(id, VendorCaller(b_)).error().code(), ErrorCode::kNotFound);  // level none
    EXPECT_EQ(cases_->Get(id, VendorCaller(c_)).error().code(), ErrorCode::kNotFound);
    EXPECT_EQ(cases_->Get(id, OtherReporter()).error().code(), ErrorCode::kNotFound);
    auto mine = cases_->Get(id, Reporter());
    ASSERT_TRUE(mine.ok());
    EXPECT_TRUE(mine->details.has_value());  // the reporter wrote them
    EXPECT_TRUE(mine->vendors.empty());      // but does not learn which vendors are involved
    EXPECT_EQ(cases_->Get(CaseId(9999), Coord()).error().code(), ErrorCode::kNotFound);

    EXPECT_EQ(cases_->List(Coord())->size(), 1u);
    EXPECT_EQ(cases_->List(VendorCaller(a_))->size(), 1u);
    EXPECT_EQ(cases_->List(VendorCaller(b_))->size(), 0u);
    EXPECT_EQ(cases_->List(Reporter())->size(), 1u);
    EXPECT_EQ(cases_->List(OtherReporter())->size(), 0u);
    EXPECT_EQ(cases_->List(Anonymous()).error().code(), ErrorCode::kUnauthenticated);
}

TEST_F(CasesTest, AttachmentsAreDetailAndDownloadsAreAudited) {
    CaseId id = VerifiedCase({"SR-1000 Router", "HN Gateway"});
    auto att = cases_->AddAttachment(id, "poc.py", AttachmentKind::kPoc, "text/x-python", "print('boom')\n", Coord());
    ASSERT_TRUE(att.ok()) << att.error().ToString();
    for (VendorId v : {a_, b_}) ASSERT_TRUE(cases_->AddVendor(id, v, Coord()).ok());
    ASSERT_TRUE(cases_->DiscloseDetails(id, a_, true, Coord()).ok());
    ASSERT_TRUE(cases_->SendSummary(id, b_, Coord()).ok());
    auto got = cases_->DownloadAttachment(id, *att, VendorCaller(a_));
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(got->content, "print('boom')\n");
    EXPECT_EQ(cases_->DownloadAttachment(id, *att, VendorCaller(b_)).error().code(), ErrorCode::kNotFound);
    EXPECT_TRUE(cases_->Get(id, VendorCaller(b_))->attachments.empty());
    auto lease = db_->Acquire();
    EXPECT_EQ(*(*lease)->QueryInt("SELECT count(*) FROM audit_log WHERE action = 'case.download'"), 1);
    EXPECT_EQ(cases_->AddAttachment(id, "../etc/passwd", AttachmentKind::kPoc, "", "x", Coord()).error().field(), "name");
}

TEST_F(CasesTest, ThreadsGoThroughTheCoordinatorAndMailIsQueued) {
    CaseId id = VerifiedCase({"SR-1000 Router", "HN Gateway"});
    for (VendorId v : {a_, b_}) {
        ASSERT_TRUE(cases_->AddVendor(id, v, Coord()).ok());
        ASSERT_TRUE(cases_->DiscloseDetails(id, v, true, Coord()).ok());
    }
    const std::string a_thread = "vendor:" + std::to_string(a_.value());
    const std::string b_thread = "vendor:" + std::to_string(b_.value());
    ASSERT_TRUE(cases_->PostMessage(id, a_thread, "Please confirm the affected firmware versions.", Coord()).ok());
    ASSERT_TRUE(cases_->PostMessage(id, a_thread, "Versions 2.0-2.4 are affected.", VendorCaller(a_)).ok());
    EXPECT_EQ(cases_->PostMessage(id, b_thread, "hello from A", VendorCaller(a_)).error().code(),
              ErrorCode::kPermissionDenied);
    EXPECT_EQ(cases_->Messages(id, b_thread, VendorCaller(a_)).error().code(), ErrorCode::kPermissionDenied);
    EXPECT_EQ(cases_->Messages(id, a_thread, VendorCaller(a_))->size(), 3u);  // details notice + 2
    ASSERT_TRUE(cases_->PostMessage(id, "reporter", "Thank you, we reproduced it.", Coord()).ok());
    ASSERT_TRUE(cases_->PostMessage(id, "reporter", "Great!", Reporter()).ok());
    EXPECT_EQ(cases_->PostMessage(id, "reporter", "me too", VendorCaller(a_)).error().code(),
              ErrorCode::kPermissionDenied);

    auto mail = cases_->MailQueue(id, Coord());
    ASSERT_TRUE(mail.ok());
    ASSERT_EQ(mail->size(), 3u);  // two detail notices and the coordinator's message to A
    EXPECT_EQ((*mail)[2].to, "sakura@example.jp");
    EXPECT_EQ((*mail)[2].state, "queued");
    EXPECT_EQ((*mail)[0].body.find("M-SEARCH"), std::string::npos);  // no details in clear mail
    EXPECT_EQ(cases_->MailQueue(id, VendorCaller(a_)).error().code(), ErrorCode::kNotFound);

    // A vendor's timeline shows only what concerns it.
    auto a_timeline = cases_->Timeline(id, VendorCaller(a_));
    ASSERT_TRUE(a_timeline.ok());
    for (const auto& e : *a_timeline) EXPECT_EQ(e.text.find("Hikari"), std::string::npos) << e.text;
    EXPECT_GT(cases_->Timeline(id, Coord())->size(), a_timeline->size());
}

TEST_F(CasesTest, VendorsPointAtOtherVendorsAndCountermeasuresNeedOneAction) {
    CaseId id = VerifiedCase();
    ASSERT_TRUE(cases_->AddVendor(id, a_, Coord()).ok());
    ASSERT_TRUE(cases_->DiscloseDetails(id, a_, true, Coord()).ok());
    ASSERT_TRUE(cases_->SuggestVendor(id, "Hikari Networks", "ships the same SDK", VendorCaller(a_)).ok());
    ASSERT_TRUE(cases_->AddVendor(id, b_, Coord(), a_).ok());
    auto view = cases_->Get(id, Coord());
    for (const auto& v : view->vendors)
        if (v.vendor == b_) {
            EXPECT_EQ(v.suggested_by, "さくら電機");
        }
    EXPECT_EQ(cases_->AddCountermeasure(id, {"SR-1000", "", "", ""}, VendorCaller(a_)).error().field(), "workaround");
    ASSERT_TRUE(cases_->AddCountermeasure(id, {"SR-1000", "Disable UPnP", "Firmware 2.4.1", "2.4.1"}, VendorCaller(a_)).ok());
    EXPECT_EQ(cases_->Countermeasures(id, Coord())->size(), 1u);
}

TEST_F(CasesTest, SuggestionsRankVendorsWithReasons) {
    ASSERT_TRUE(vendors_->SetKeywords(b_, {"UPnP", "http-server"}, "coord").ok());
    CaseId id = VerifiedCase({"SR-1000 Router"});
    auto s = cases_->SuggestVendors(id, Coord());
    ASSERT_TRUE(s.ok()) << s.error().ToString();
    ASSERT_GE(s->size(), 2u);
    EXPECT_EQ((*s)[0].name, "さくら電機");  // its product is named
    bool b_found = false;
    for (const auto& v : *s)
        if (v.name == "Hikari Networks") {
            b_found = true;
            ASSERT_FALSE(v.candidate.reasons.empty());
        }
    EXPECT_TRUE(b_found);
    EXPECT_EQ(cases_->SuggestVendors(id, VendorCaller(a_)).error().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace kizuna::vuln
