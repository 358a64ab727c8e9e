// /mail: coordinators see quarantine, waiting outbound mail and incoming reports; everyone else gets 404
// (mail carries embargoed case content), including on the reprocess form.
#include "site_fixture.hpp"

namespace kizuna::web {
namespace {

class MailPageTest : public SiteFixture {};

TEST_F(MailPageTest, OnlyStaffSeeThePageOthersGet404) {
    for (const char* who : {"", "vendor", "reporter"}) {
        EXPECT_EQ(Status("GET", "/mail", who), 404) << who;
        EXPECT_EQ(Status("POST", "/mail/quarantine/1/reprocess", who), 404) << who;
    }
    EXPECT_EQ(Status("GET", "/mail", "coord"), 200);
    EXPECT_EQ(Status("GET", "/mail", "admin"), 200);
}

TEST_F(MailPageTest, QuarantineShowsTheReasonEscapedAndReprocessKeepsIt) {
    auto broken = mail_inbound_->Deliver("To: x@example.org\r\nSubject: <b>hi</b>\r\n\r\nbody\r\n", "lmtp");
    ASSERT_TRUE(broken.ok()) << broken.error().ToString();
    ASSERT_EQ(broken->state, "quarantined");
    auto report = mail_inbound_->Deliver("From: Finder <finder@example.org>\r\nSubject: new vuln <x>\r\n"
                                         "Message-ID: <r1@example.org>\r\n\r\nrouter crash\r\n",
                                         "smtp");
    ASSERT_TRUE(report.ok());
    ASSERT_EQ(report->state, "routed");
    const auto page = Call("GET", "/mail", "coord");
    ASSERT_EQ(page.status, 200);
    EXPECT_NE(page.body.find("malformed: no sender address"), std::string::npos) << page.body;
    EXPECT_EQ(page.body.find("<b>hi</b>"), std::string::npos) << "escaped";
    EXPECT_NE(page.body.find("&lt;b&gt;hi&lt;/b&gt;"), std::string::npos);
    EXPECT_NE(page.body.find("router crash"), std::string::npos);
    EXPECT_NE(page.body.find("/mail/quarantine/" + std::to_string(broken->id) + "/reprocess"), std::string::npos);

    const auto again = Call("POST", "/mail/quarantine/" + std::to_string(broken->id) + "/reprocess", "coord");
    EXPECT_EQ(again.status, 303);
    EXPECT_NE(again.Header("Location").find("still%20quarantined"), std::string::npos) << again.Header("Location");
    EXPECT_EQ(Call("POST", "/mail/quarantine/999/reprocess", "coord").status, 404);
}

}  // namespace
}  // namespace kizuna::web
