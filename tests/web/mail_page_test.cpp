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
    const auto page = Call("GET", "/mail?lang=ja", "coord");
    ASSERT_EQ(page.status, 200);
    // The reason in words, never mail/'s English sentence.
    EXPECT_NE(page.body.find("差出人アドレス（From:）がありません"), std::string::npos) << page.body;
    EXPECT_EQ(page.body.find("malformed: no sender address"), std::string::npos);
    EXPECT_NE(Call("GET", "/mail?lang=en", "coord").body.find("No sender address in From:"), std::string::npos);
    EXPECT_EQ(page.body.find("<b>hi</b>"), std::string::npos) << "escaped";
    EXPECT_NE(page.body.find("&lt;b&gt;hi&lt;/b&gt;"), std::string::npos);
    EXPECT_NE(page.body.find("router crash"), std::string::npos);
    EXPECT_NE(page.body.find("/mail/quarantine/" + std::to_string(broken->id) + "/reprocess"), std::string::npos);

    const auto again = Call("POST", "/mail/quarantine/" + std::to_string(broken->id) + "/reprocess", "coord");
    EXPECT_EQ(again.status, 303);
    EXPECT_EQ(again.Header("Location"), "/mail?done=quarantined&id=" + std::to_string(broken->id));
    // The notice says it in words, with the reason read from the store.
    const auto notice = Call("GET", std::string(again.Header("Location")) + "&lang=ja", "coord");
    EXPECT_NE(notice.body.find("引き続き隔離されています: 差出人アドレス（From:）がありません"), std::string::npos) << notice.body;
    // Nothing from the query string is shown: an unknown outcome or a non-numeric id shows no notice.
    EXPECT_EQ(Call("GET", "/mail?done=%3Cb%3Ex&id=1", "coord").body.find("mail-notice"), std::string::npos);
    EXPECT_EQ(Call("GET", "/mail?done=routed&id=%3Cb%3E", "coord").body.find("mail-notice"), std::string::npos);
    EXPECT_EQ(Call("POST", "/mail/quarantine/999/reprocess", "coord").status, 404);
}

}  // namespace
}  // namespace kizuna::web
