// The mail gateway end to end (issue 7): a real `kizuna serve` with LMTP/SMTP listeners and the outbound
// sender, a real SMTP server (python3-aiosmtpd) as the relay, real GnuPG homes for the vendors, swaks as
// the sending MTA.
#include "mail_gateway_fixture.hpp"

namespace kizuna::functional {
namespace {

// (a) + (b): the notice reaches the relay encrypted to the vendor's key and signed by the center; the
// vendor's signed and encrypted answer comes back through LMTP into the vendor's thread with its signer.
TEST_F(MailGatewayTest, EncryptedNoticeOutAndSignedEncryptedReplyInToTheCaseThread) {
    Api api(static_cast<std::uint16_t>(http_port_), token_);
    const auto vendor = AddVendor(api, "Sakura", "psirt@sakura.example.jp", true);
    std::string identifier;
    const auto case_id = CaseWithDetails(api, vendor, &identifier);

    ASSERT_TRUE(WaitFor([&] { return sink_->Messages().size() == 1; })) << testing::ReadWholeFile(dir_.File("serve.log"));
    const std::string sent = sink_->Messages().front();
    EXPECT_NE(sent.find("multipart/encrypted"), std::string::npos);
    // The subject is Japanese now (RFC 2047 encoded, checked decoded in mail_language_test.cpp); the
    // identifier travels in the header too.
    EXPECT_NE(sent.find("X-Kizuna-Case: " + identifier), std::string::npos) << "the mail carries the identifier";
    EXPECT_EQ(sent.find("stack overflow"), std::string::npos) << "nothing of the notice in clear";
    EXPECT_EQ(sent.find("Please investigate"), std::string::npos);
    std::string status;
    const std::string plain = vendor_->Decrypt(ArmoredBlock(sent), &status);
    EXPECT_NE(plain.find("Content-Type: text/plain"), std::string::npos) << plain;
    EXPECT_NE(status.find("GOODSIG"), std::string::npos) << "signed with the center's key: " << status;
    const auto sent_rows = Sql(Db(), "SELECT q.state, o.message_id FROM mail_queue q JOIN mail_outbound o ON o.mail_id = q.id");
    ASSERT_EQ(sent_rows.size(), 1u);
    EXPECT_EQ(sent_rows[0][0], "sent");
    const std::string notice_id = sent_rows[0][1];
    EXPECT_NE(sent.find("Message-ID: <" + notice_id + ">"), std::string::npos);

    // The vendor answers: signed and encrypted to the center, in reply to the notice.
    const std::string inner = "Content-Type: text/plain; charset=UTF-8\r\n\r\n影響を受ける製品を調査中です。\r\n";
    const std::string armored = vendor_->SignEncrypt(inner, "vuls@center.example");
    ASSERT_NE(armored.find("BEGIN PGP MESSAGE"), std::string::npos);
    testing::WriteWholeFile(dir_.File("reply.eml"),
                            testing::PgpMimeMessage("From: Sakura PSIRT <psirt@sakura.example.jp>\r\n"
                                                    "To: vuls@center.example\r\n"
                                                    "Subject: Re: [" + identifier + "] Vulnerability details\r\n"
                                                    "Message-ID: <reply-1@sakura.example.jp>\r\n"
                                                    "In-Reply-To: <" + notice_id + ">\r\n",
                                                    armored));
    auto swaks = Swaks(lmtp_port_, true, dir_.File("reply.eml"));
    ASSERT_EQ(swaks.exit_code, 0) << swaks.out << swaks.err;
    EXPECT_NE(swaks.out.find("250 2.0.0 stored as"), std::string::npos) << swaks.out;

    const auto inbound = Sql(Db(), "SELECT state, case_id, thread, signer, signature_status, pgp FROM mail_inbound");
    ASSERT_EQ(inbound.size(), 1u);
    EXPECT_EQ(inbound[0][0], "routed");
    EXPECT_EQ(inbound[0][1], std::to_string(case_id));
    EXPECT_EQ(inbound[0][2], "vendor:" + std::to_string(vendor));
    EXPECT_EQ(inbound[0][3], vendor_->fingerprint());
    EXPECT_EQ(inbound[0][4], "good");
    EXPECT_EQ(inbound[0][5], "pgp_mime_encrypted");
    const json thread = api.Call("GET", "/api/v1/cases/" + std::to_string(case_id) + "/messages?thread=vendor:" +
                                            std::to_string(vendor));
    EXPECT_NE(thread.dump().find("影響を受ける製品を調査中です。"), std::string::npos) << thread.dump();
    EXPECT_NE(thread.dump().find(vendor_->fingerprint()), std::string::npos) << "the signer is shown";

    // The same delivery again (the MTA retried): recognised, not stored twice.
    auto again = Swaks(smtp_port_, false, dir_.File("reply.eml"));
    EXPECT_NE(again.out.find("duplicate of"), std::string::npos) << again.out;
    EXPECT_EQ(Sql(Db(), "SELECT count(*) FROM mail_inbound")[0][0], "1");
}

// (c): a vendor without a key gets nothing in clear; the coordinator sees why.
TEST_F(MailGatewayTest, VendorWithoutKeyGetsNothingAndTheCoordinatorSeesWhy) {
    Api api(static_cast<std::uint16_t>(http_port_), token_);
    const auto vendor = AddVendor(api, "Keyless", "psirt@keyless.example", false);
    std::string identifier;
    const auto case_id = CaseWithDetails(api, vendor, &identifier);
    ASSERT_TRUE(WaitFor([&] {
        return !Sql(Db(), "SELECT 1 FROM mail_outbound WHERE state = 'waiting'").empty();
    })) << testing::ReadWholeFile(dir_.File("serve.log"));
    const auto row = Sql(Db(), "SELECT q.state, o.reason FROM mail_queue q JOIN mail_outbound o ON o.mail_id = q.id");
    ASSERT_EQ(row.size(), 1u);
    EXPECT_EQ(row[0][0], "queued");
    EXPECT_NE(row[0][1].find("no OpenPGP key on file"), std::string::npos) << row[0][1];
    const json timeline = api.Call("GET", "/api/v1/cases/" + std::to_string(case_id) + "/timeline");
    EXPECT_NE(timeline.dump().find("mail.waiting"), std::string::npos) << timeline.dump();
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // more passes of the sender
    EXPECT_TRUE(sink_->Messages().empty()) << "nothing sent in clear";
}

// (d): a broken MIME message and one encrypted to a key the center does not hold are quarantined with
// their reasons, and reprocessing keeps them there while the cause remains.
TEST_F(MailGatewayTest, BrokenAndUndecryptableMailIsQuarantinedWithReasons) {
    std::string bomb = "From: x@example.org\r\nSubject: nested\r\nMessage-ID: <bomb@example.org>\r\n"
                       "MIME-Version: 1.0\r\n";
    for (int i = 0; i < 600; ++i)
        bomb += "Content-Type: multipart/mixed; boundary=\"b" + std::to_string(i) + "\"\r\n\r\n--b" + std::to_string(i) + "\r\n";
    testing::WriteWholeFile(dir_.File("bomb.eml"), bomb);
    auto r1 = Swaks(lmtp_port_, true, dir_.File("bomb.eml"));
    EXPECT_NE(r1.out.find("250 2.0.0 stored as"), std::string::npos) << r1.out;

    GpgUser stranger(dir_.File("gpg-stranger"), "Stranger <s@stranger.example>");
    vendor_->Import(stranger.ExportPublic());
    const std::string armored = vendor_->SignEncrypt("Content-Type: text/plain\r\n\r\nsecret\r\n", stranger.fingerprint());
    testing::WriteWholeFile(dir_.File("unknown.eml"),
                            testing::PgpMimeMessage("From: psirt@sakura.example.jp\r\nTo: vuls@center.example\r\n"
                                                    "Subject: for someone else\r\nMessage-ID: <unknown@sakura.example.jp>\r\n",
                                                    armored));
    auto r2 = Swaks(smtp_port_, false, dir_.File("unknown.eml"));
    EXPECT_NE(r2.out.find("250 2.0.0 stored as"), std::string::npos) << r2.out;

    const auto rows = Sql(Db(), "SELECT id, message_id, state, reason FROM mail_inbound ORDER BY id");
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0][2], "quarantined");
    EXPECT_NE(rows[0][3].find("malformed"), std::string::npos) << rows[0][3];
    EXPECT_NE(rows[0][3].find("MIME"), std::string::npos) << rows[0][3];
    EXPECT_EQ(rows[1][2], "quarantined");
    EXPECT_NE(rows[1][3].find("undecryptable: encrypted to a key the center does not hold"), std::string::npos)
        << rows[1][3];
    const std::string kept = Sql(Db(), "SELECT raw FROM mail_inbound WHERE id = " + rows[0][0])[0][0];
    EXPECT_EQ(kept.substr(0, bomb.size()), bomb) << "the raw bytes are kept";

    auto again = Run({"mail", "reprocess", rows[1][0]});
    EXPECT_EQ(again.exit_code, 1) << again.out << again.err;
    EXPECT_NE(again.out.find("stays in quarantine"), std::string::npos) << again.out;
    EXPECT_EQ(Sql(Db(), "SELECT attempts FROM mail_inbound WHERE id = " + rows[1][0])[0][0], "2");
}

// (e): SIGKILL while a submission hangs at the relay; after the restart every notice arrives exactly once.
TEST_F(MailGatewayTest, RestartInTheMiddleOfSendingLosesAndDuplicatesNothing) {
    Api api(static_cast<std::uint16_t>(http_port_), token_);
    sink_->Hold(true);
    const auto vendor = AddVendor(api, "Sakura", "psirt@sakura.example.jp", true);
    std::string identifier;
    const auto case_id = CaseWithDetails(api, vendor, &identifier);
    for (int i = 0; i < 3; ++i)
        api.Call("POST", "/api/v1/cases/" + std::to_string(case_id) + "/messages",
                 {{"thread", "vendor:" + std::to_string(vendor)}, {"body", "follow-up " + std::to_string(i)}}, 201);
    ASSERT_TRUE(WaitFor([&] { return sink_->Holding(); })) << testing::ReadWholeFile(dir_.File("serve.log"));
    const auto in_flight = Sql(Db(), "SELECT count(*) FROM mail_outbound WHERE state = 'sending'");
    EXPECT_EQ(in_flight[0][0], "1") << "durably marked before submitting";
    EXPECT_EQ(serve_->Stop(SIGKILL), 128 + SIGKILL);
    sink_->Hold(false);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the sink drops the dead connection
    EXPECT_TRUE(sink_->Messages().empty());

    StartServe();
    const auto queued = std::stoi(Sql(Db(), "SELECT count(*) FROM mail_queue")[0][0]);
    EXPECT_EQ(queued, 4);
    ASSERT_TRUE(WaitFor([&] { return static_cast<int>(sink_->Messages().size()) >= queued; }))
        << testing::ReadWholeFile(dir_.File("serve.log"));
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // another pass: nothing more may come
    const auto messages = sink_->Messages();
    EXPECT_EQ(static_cast<int>(messages.size()), queued);
    std::set<std::string> ids;
    for (const auto& m : messages) {
        const auto at = m.find("Message-ID: <");
        ASSERT_NE(at, std::string::npos);
        ids.insert(m.substr(at, m.find('>', at) - at));
    }
    EXPECT_EQ(static_cast<int>(ids.size()), queued) << "no duplicates";
    EXPECT_EQ(Sql(Db(), "SELECT count(*) FROM mail_queue WHERE state = 'sent'")[0][0], std::to_string(queued));
}

}  // namespace
}  // namespace kizuna::functional
