// InboundService against a real GnuPG (the center's keyring and a vendor's, made by gpg) and the real
// schema: inline PGP, PGP/MIME signed mail, routing by subject and sender, duplicates, oversized mail,
// recovery of mail stored but not processed, mbox import.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "auth/auth.hpp"
#include "core/clock.hpp"
#include "mail/mail.hpp"
#include "sched/sched.hpp"
#include "support/mail_tools.hpp"
#include "support/manual_clock.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "vuln/vuln.hpp"

namespace kizuna::mail {
namespace {

struct SmtpSinkHolder {
    explicit SmtpSinkHolder(const std::string& dir)
        : sink(std::string(KIZUNA_SOURCE_DIR) + "/tests/support/smtp_sink.py", dir) {}
    testing::SmtpSink sink;
};

class InboundTest : public ::testing::Test {
  protected:
    void SetUp() override {
        db_ = std::move(store::OpenSqlite({.path = dir_.File("t.db")})).value();
        std::vector<store::Migration> all;
        for (const auto& m : auth::Migrations()) all.push_back(m);
        for (const auto& m : sched::Migrations()) all.push_back(m);
        for (const auto& m : vuln::Migrations()) all.push_back(m);
        for (const auto& m : Migrations()) all.push_back(m);
        ASSERT_TRUE(store::Migrate(*db_, all).ok());
        keyring_ = std::make_unique<CenterKeyring>(std::move(CenterKeyring::Open(dir_.File("center"))).value());
        auto fpr = keyring_->EnsureKey("Center <vuls@center.example>");
        ASSERT_TRUE(fpr.ok()) << fpr.error().ToString();
        center_fpr_ = *fpr;
        vendor_ = std::make_unique<testing::GpgUser>(dir_.File("vendor"), "PSIRT <psirt@vendor.example>");
        vendor_->Import(*keyring_->ExportPublicKey(center_fpr_));
        // A case JVNVU#00000001 with one vendor (contact psirt@vendor.example, key registered) and a reporter.
        auto lease = std::move(db_->Acquire()).value();
        ASSERT_TRUE(lease->Exec("INSERT INTO cases(identifier, receipt_id, title, source, reporter_email, state, created_at)"
                                " VALUES ('JVNVU#00000001', 'R-1', 't', 'finder', 'finder@lab.example', 'coordinating', 'x')").ok());
        ASSERT_TRUE(lease->Exec("INSERT INTO vendors(name, registration_kind, registration_state, created_at)"
                                " VALUES ('V', 'general', 'registered', 'x')").ok());
        ASSERT_TRUE(lease->Exec("INSERT INTO vendor_contacts(vendor_id, name, email) VALUES (1, 'PSIRT', 'psirt@vendor.example')").ok());
        ASSERT_TRUE(lease->Exec("INSERT INTO vendor_keys(vendor_id, fingerprint, can_encrypt, armored, imported_at)"
                                " VALUES (1, ?, 1, ?, 'x')", {vendor_->fingerprint(), vendor_->ExportPublic()}).ok());
        ASSERT_TRUE(lease->Exec("INSERT INTO case_vendors(case_id, vendor_id, added_at, added_by) VALUES (1, 1, 'x', 'c')").ok());
        inbound_ = std::make_unique<InboundService>(*db_, clock_, *keyring_, limits_);
    }

    std::vector<std::string> Row(const std::string& sql) {
        auto lease = std::move(db_->Acquire()).value();
        auto row = std::move(lease->QueryOne(sql)).value();
        std::vector<std::string> out;
        for (std::size_t i = 0; row && i < row->size(); ++i) out.push_back(row->Text(i));
        return out;
    }

    testing::TempDir dir_;
    testing::ManualClock clock_;
    std::unique_ptr<store::Database> db_;
    std::unique_ptr<CenterKeyring> keyring_;
    std::unique_ptr<testing::GpgUser> vendor_;
    std::unique_ptr<InboundService> inbound_;
    MimeLimits limits_;
    std::string center_fpr_;
};

TEST_F(InboundTest, InlineEncryptedFromTheVendorLandsInItsThreadWithTheSigner) {
    const std::string armored = vendor_->SignEncrypt("修正版を準備しています\n", center_fpr_);
    const std::string raw = "From: PSIRT <PSIRT@vendor.example>\r\nSubject: Re: [JVNVU#00000001] details\r\n"
                            "Message-ID: <in1@vendor.example>\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n" +
                            armored;
    auto r = inbound_->Deliver(raw, "lmtp");
    ASSERT_TRUE(r.ok()) << r.error().ToString();
    EXPECT_EQ(r->state, "routed") << r->reason;
    EXPECT_EQ(r->thread, "vendor:1");
    const auto m = Row("SELECT body, author_role FROM messages WHERE thread = 'vendor:1'");
    ASSERT_EQ(m.size(), 2u);
    EXPECT_NE(m[0].find("修正版を準備しています"), std::string::npos) << m[0];
    EXPECT_EQ(m[0].find("BEGIN PGP MESSAGE"), std::string::npos);
    EXPECT_NE(m[0].find("signature good by " + vendor_->fingerprint()), std::string::npos) << m[0];
    EXPECT_EQ(m[1], "vendor");
    EXPECT_EQ(Row("SELECT signer, signature_status, pgp FROM mail_inbound")[2], "inline_encrypted");
    EXPECT_EQ(Row("SELECT count(*) FROM case_events WHERE kind = 'mail.received'")[0], "1");
}

TEST_F(InboundTest, ClearSignedAndPgpMimeSignedMailIsVerified) {
    const std::string clearsigned = testing::RunCommand({"/usr/bin/gpg", "--homedir", vendor_->home(), "--batch",
                                                         "--pinentry-mode", "loopback", "--clearsign"},
                                                        "status: affected\n").out;
    ASSERT_NE(clearsigned.find("BEGIN PGP SIGNED MESSAGE"), std::string::npos);
    auto r = inbound_->Deliver("From: psirt@vendor.example\r\nSubject: [JVNVU#00000001] status\r\n"
                               "Message-ID: <cs@vendor.example>\r\n\r\n" + clearsigned, "lmtp");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->state, "routed");
    const auto cs = Row("SELECT signer, signature_status FROM mail_inbound WHERE message_id = 'cs@vendor.example'");
    EXPECT_EQ(cs[0], vendor_->fingerprint());
    EXPECT_EQ(cs[1], "good");

    // RFC 3156 5: the CRLF before the boundary belongs to the boundary, not to the signed entity.
    const std::string entity = "Content-Type: text/plain; charset=utf-8\r\n\r\nsigned body";
    const std::string sig = testing::RunCommand({"/usr/bin/gpg", "--homedir", vendor_->home(), "--batch", "--pinentry-mode",
                                                 "loopback", "--armor", "--detach-sign"}, entity).out;
    const std::string mime = "From: psirt@vendor.example\r\nSubject: [JVNVU#00000001] signed\r\nMessage-ID: <ms@vendor.example>\r\n"
                             "MIME-Version: 1.0\r\nContent-Type: multipart/signed; micalg=pgp-sha512;"
                             " protocol=\"application/pgp-signature\"; boundary=\"s\"\r\n\r\n--s\r\n" + entity +
                             "\r\n--s\r\nContent-Type: application/pgp-signature\r\n\r\n" + sig + "\r\n--s--\r\n";
    auto s = inbound_->Deliver(mime, "smtp");
    ASSERT_TRUE(s.ok());
    const auto ms = Row("SELECT signer, signature_status, pgp FROM mail_inbound WHERE message_id = 'ms@vendor.example'");
    EXPECT_EQ(ms[1], "good") << "the signed part is verified exactly as transmitted";
    EXPECT_EQ(ms[2], "pgp_mime_signed");

    // One byte changed in the signed part: the signature is bad, the mail still arrives, marked so.
    std::string tampered = mime;
    tampered.replace(tampered.find("signed body"), 11, "signed b0dy");
    tampered.replace(tampered.find("<ms@"), 4, "<mt@");
    ASSERT_TRUE(inbound_->Deliver(tampered, "smtp").ok());
    EXPECT_EQ(Row("SELECT signature_status FROM mail_inbound WHERE message_id = 'mt@vendor.example'")[0], "bad signature");
}

TEST_F(InboundTest, ReporterThreadNewReportsDuplicatesAndOversizedMail) {
    auto rep = inbound_->Deliver("From: finder@lab.example\r\nSubject: JVNVU#00000001 more info\r\n"
                                 "Message-ID: <f1@lab.example>\r\n\r\nPoC attached\r\n", "lmtp");
    ASSERT_TRUE(rep.ok());
    // Unsigned: From: alone never puts mail into a thread (issue 12). Held for the coordinator with the
    // sender it claims to be.
    EXPECT_EQ(rep->thread, "");
    ASSERT_TRUE(rep->report_id.has_value());
    EXPECT_EQ(Row("SELECT verification, party, party_name FROM mail_reports WHERE id = " + std::to_string(*rep->report_id)),
              (std::vector<std::string>{"unverified", "reporter:1", "reporter of JVNVU#00000001"}));
    EXPECT_EQ(Row("SELECT count(*) FROM messages")[0], "0");

    // Someone else naming the case: not into a thread, but a new report with the case as a hint.
    auto other = inbound_->Deliver("From: someone@else.example\r\nSubject: [JVNVU#00000001] I know too\r\n"
                                   "Message-ID: <o1@else.example>\r\nMIME-Version: 1.0\r\n"
                                   "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
                                   "--b\r\nContent-Type: application/octet-stream; name=\"poc.py\"\r\n"
                                   "Content-Transfer-Encoding: base64\r\n\r\ncHJpbnQoMSkK\r\n--b--\r\n",
                                   "lmtp");
    ASSERT_TRUE(other.ok());
    ASSERT_TRUE(other->report_id.has_value());
    auto reports = inbound_->Reports(10);
    ASSERT_TRUE(reports.ok());
    ASSERT_EQ(reports->size(), 2u);
    EXPECT_EQ(reports->front().case_hint, 1);
    ASSERT_EQ(reports->front().attachments.size(), 1u);
    EXPECT_EQ(reports->front().attachments[0], "poc.py (application/octet-stream, 9 bytes)");

    // The same Message-ID with another body is another message (issue 12); the same body again is a retry.
    auto reused = inbound_->Deliver("From: someone@else.example\r\nMessage-ID: <o1@else.example>\r\n\r\nagain\r\n", "smtp");
    ASSERT_TRUE(reused.ok());
    EXPECT_EQ(reused->state, "routed");
    EXPECT_EQ(Row("SELECT count(*) FROM mail_inbound")[0], "3");
    auto dup = inbound_->Deliver("Received: by relay2\r\nFrom: someone@else.example\r\nMessage-ID: <o1@else.example>\r\n\r\nagain\r\n", "smtp");
    ASSERT_TRUE(dup.ok());
    EXPECT_EQ(dup->state, "duplicate");
    EXPECT_EQ(dup->id, reused->id);
    EXPECT_EQ(Row("SELECT count(*) FROM mail_inbound")[0], "3");

    limits_.max_message_bytes = 64;
    InboundService small(*db_, clock_, *keyring_, limits_);
    auto big = small.Deliver("From: a@b.example\r\nMessage-ID: <big@b>\r\n\r\n" + std::string(100, 'x'), "lmtp");
    ASSERT_TRUE(big.ok());
    EXPECT_EQ(big->state, "quarantined");
    EXPECT_NE(big->reason.find("oversized"), std::string::npos);
}

TEST_F(InboundTest, StoredButUnprocessedMailIsProcessedLaterAndMboxImports) {
    auto accepted = inbound_->Accept("From: finder@lab.example\r\nSubject: x\r\nMessage-ID: <late@lab>\r\n\r\nbody\r\n", "lmtp");
    ASSERT_TRUE(accepted.ok());
    EXPECT_EQ(Row("SELECT state FROM mail_inbound")[0], "received");
    auto n = inbound_->ProcessPending();
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(*n, 1);
    EXPECT_EQ(Row("SELECT state FROM mail_inbound")[0], "routed");

    testing::WriteWholeFile(dir_.File("box.mbox"),
                            "From finder@lab.example Sat Nov 21 10:00:00 2026\nFrom: finder@lab.example\nSubject: one\n"
                            "Message-ID: <m1@lab>\n\n>From the lab\n\n"
                            "From x Sat Nov 21 10:00:00 2026\nSubject: no sender\nMessage-ID: <m2@lab>\n\nbody\n");
    auto report = ImportPath(*inbound_, dir_.File("box.mbox"));
    ASSERT_TRUE(report.ok()) << report.error().ToString();
    EXPECT_EQ(report->messages, 2);
    EXPECT_EQ(report->routed, 1);
    EXPECT_EQ(report->quarantined, 1);
    auto again = ImportPath(*inbound_, dir_.File("box.mbox"));
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->duplicates, 2);
    EXPECT_FALSE(ImportPath(*inbound_, dir_.File("nothing")).ok());
}

TEST_F(InboundTest, UndecryptableMailWaitsInQuarantineUntilTheKeyIsThereThenReprocessRoutesIt) {
    testing::GpgUser old_key(dir_.File("old"), "Center 2019 <vuls@center.example>");
    vendor_->Import(old_key.ExportPublic());
    const std::string armored = vendor_->SignEncrypt("reply to the old key\n", old_key.fingerprint());
    auto r = inbound_->Deliver("From: psirt@vendor.example\r\nSubject: [JVNVU#00000001] old key\r\n"
                               "Message-ID: <old@vendor.example>\r\n\r\n" + armored, "lmtp");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->state, "quarantined");
    EXPECT_NE(r->reason.find("undecryptable: encrypted to a key the center does not hold"), std::string::npos) << r->reason;
    auto listed = inbound_->List("quarantined", 10);
    ASSERT_TRUE(listed.ok());
    ASSERT_EQ(listed->size(), 1u);
    EXPECT_EQ(listed->front().reason, r->reason);

    auto still = inbound_->Reprocess(r->id);
    ASSERT_TRUE(still.ok());
    EXPECT_EQ(still->state, "quarantined");

    // The operator imports the old secret key into the center's keyring; reprocessing now succeeds.
    const std::string secret = testing::RunCommand({"/usr/bin/gpg", "--homedir", old_key.home(), "--batch",
                                                    "--pinentry-mode", "loopback", "--passphrase", "",
                                                    "--armor", "--export-secret-keys", old_key.fingerprint()}).out;
    ASSERT_NE(secret.find("PRIVATE KEY"), std::string::npos);
    ASSERT_EQ(testing::RunCommand({"/usr/bin/gpg", "--homedir", keyring_->home(), "--batch", "--pinentry-mode",
                                   "loopback", "--passphrase", "", "--import"}, secret).exit_code, 0);
    auto routed = inbound_->Reprocess(r->id);
    ASSERT_TRUE(routed.ok()) << routed.error().ToString();
    EXPECT_EQ(routed->state, "routed") << routed->reason;
    EXPECT_EQ(routed->thread, "vendor:1");
    EXPECT_EQ(Row("SELECT attempts, state, reason FROM mail_inbound")[0], "3");
    EXPECT_FALSE(inbound_->Reprocess(r->id).ok()) << "only quarantined mail is reprocessed";
}

// Outbound: never in clear. A notice for a vendor whose key has expired waits with the reason and a case
// event; once the vendor registers a usable key it goes out signed and encrypted to that key.
TEST_F(InboundTest, OutboundWaitsForAnExpiredKeyAndGoesOutOnceAUsableKeyIsRegistered) {
    SmtpSinkHolder sink(dir_.File("sink"));
    ASSERT_GT(sink.sink.port(), 0);
    testing::GpgUser expired(dir_.File("expired"), "W PSIRT <psirt@w.example>");
    ASSERT_EQ(testing::RunCommand({"/usr/bin/gpg", "--homedir", expired.home(), "--batch", "--quick-set-expire",
                                   expired.fingerprint(), "seconds=1"}).exit_code, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(2100));
    {
        auto lease = std::move(db_->Acquire()).value();
        ASSERT_TRUE(lease->Exec("INSERT INTO vendors(name, registration_kind, registration_state, created_at)"
                                " VALUES ('W', 'general', 'registered', 'x')").ok());
        ASSERT_TRUE(lease->Exec("INSERT INTO vendor_keys(vendor_id, fingerprint, can_encrypt, armored, imported_at)"
                                " VALUES (2, ?, 1, ?, 'x')", {expired.fingerprint(), expired.ExportPublic()}).ok());
        ASSERT_TRUE(lease->Exec("INSERT INTO mail_queue(to_address, subject, body, encrypt_to, case_id, vendor_id, created_at)"
                                " VALUES ('psirt@w.example', 'Vulnerability details', 'secret details', ?, 1, 2, 'x')",
                                {expired.fingerprint()}).ok());
    }
    core::Logger log(clock_, core::LogLevel::kError);
    RelayOptions relay;
    relay.host = "127.0.0.1";
    relay.port = sink.sink.port();
    relay.from_address = "vuls@center.example";
    OutboundSender sender(*db_, clock_, log, *keyring_, relay);
    auto first = sender.SendDue();
    ASSERT_TRUE(first.ok()) << first.error().ToString();
    EXPECT_EQ(first->waiting, 1);
    EXPECT_EQ(first->sent, 0);
    EXPECT_NE(Row("SELECT reason FROM mail_outbound")[0].find("has expired"), std::string::npos)
        << Row("SELECT reason FROM mail_outbound")[0];
    EXPECT_EQ(Row("SELECT count(*) FROM case_events WHERE kind = 'mail.waiting'")[0], "1");
    EXPECT_EQ(sender.SendDue()->waiting, 0) << "looked at again after a while, not in a loop";
    EXPECT_TRUE(sink.sink.Messages().empty());

    testing::GpgUser fresh(dir_.File("fresh"), "W PSIRT 2026 <psirt@w.example>");
    fresh.Import(*keyring_->ExportPublicKey(center_fpr_));  // to check the center's signature
    {
        auto lease = std::move(db_->Acquire()).value();
        ASSERT_TRUE(lease->Exec("INSERT INTO vendor_keys(vendor_id, fingerprint, can_encrypt, armored, imported_at)"
                                " VALUES (2, ?, 1, ?, 'x')", {fresh.fingerprint(), fresh.ExportPublic()}).ok());
    }
    clock_.Advance(std::chrono::minutes(6));
    auto second = sender.SendDue();
    ASSERT_TRUE(second.ok());
    EXPECT_EQ(second->sent, 1);
    const auto messages = sink.sink.Messages();
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0].find("secret details"), std::string::npos);
    EXPECT_NE(messages[0].find("Subject: [JVNVU#00000001] Vulnerability details"), std::string::npos);
    const auto begin = messages[0].find("-----BEGIN PGP MESSAGE-----");
    const auto end = messages[0].find("-----END PGP MESSAGE-----");
    ASSERT_NE(begin, std::string::npos);
    std::string status;
    const std::string plain = fresh.Decrypt(messages[0].substr(begin, end + 25 - begin), &status);
    EXPECT_NE(plain.find("c2VjcmV0IGRldGFpbHM="), std::string::npos) << plain;  // base64 of the body
    EXPECT_NE(status.find("GOODSIG"), std::string::npos) << status;
    EXPECT_EQ(Row("SELECT state FROM mail_queue")[0], "sent");
    EXPECT_EQ(Row("SELECT recipient_key FROM mail_outbound")[0], fresh.fingerprint());
}

// The LMTP listener over a real socket: a message is answered once per recipient after it is stored, and a
// peer that goes quiet is told 421 and disconnected instead of holding a connection slot forever.
TEST_F(InboundTest, ListenerStoresOverLmtpAndDropsAnIdlePeerWith421) {
    core::Logger log(clock_, core::LogLevel::kError);
    ListenerOptions options;
    options.idle_timeout = std::chrono::milliseconds(300);
    MailListener listener(*inbound_, log, options);
    ASSERT_TRUE(listener.Start().ok());

    auto connect = [&] {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(static_cast<std::uint16_t>(listener.port()));
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
        return fd;
    };
    // Reads until `want` appears or the peer closes; returns everything read.
    auto read_until = [](int fd, const std::string& want) {
        std::string got;
        char buf[4096];
        while (got.find(want) == std::string::npos) {
            const ssize_t n = ::read(fd, buf, sizeof buf);
            if (n <= 0) break;
            got.append(buf, static_cast<std::size_t>(n));
        }
        return got;
    };
    auto write_all = [](int fd, const std::string& s) { return ::write(fd, s.data(), s.size()) == static_cast<ssize_t>(s.size()); };

    const int fd = connect();
    EXPECT_NE(read_until(fd, "\r\n").find("220 "), std::string::npos);
    ASSERT_TRUE(write_all(fd, "LHLO client\r\nMAIL FROM:<finder@lab.example>\r\nRCPT TO:<vuls@center.example>\r\n"
                              "RCPT TO:<info@center.example>\r\nDATA\r\n"));
    EXPECT_NE(read_until(fd, "354 ").find("354 "), std::string::npos);
    ASSERT_TRUE(write_all(fd, "From: finder@lab.example\r\nSubject: new report\r\nMessage-ID: <l1@lab.example>\r\n\r\n"
                              "..a dot-stuffed line\r\n.\r\n"));
    const std::string replies = read_until(fd, "stored as 1\r\n250 2.0.0 stored as 1\r\n");
    EXPECT_NE(replies.find("250 2.0.0 stored as 1\r\n250 2.0.0 stored as 1\r\n"), std::string::npos) << replies;
    EXPECT_EQ(Row("SELECT COUNT(*) FROM mail_inbound")[0], "1");

    // Now silent: the listener gives up after the idle timeout with 421 and closes.
    const std::string bye = read_until(fd, "\n421 ");
    EXPECT_NE(bye.find("421 4.4.2"), std::string::npos) << bye;
    char one;
    EXPECT_EQ(::read(fd, &one, 1), 0);  // closed by the listener
    ::close(fd);

    // Idle in the middle of DATA: nothing is stored, 421, closed.
    const int fd2 = connect();
    read_until(fd2, "\r\n");
    ASSERT_TRUE(write_all(fd2, "LHLO c\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<vuls@center.example>\r\nDATA\r\n"
                               "Subject: half\r\n"));
    EXPECT_NE(read_until(fd2, "421 ").find("421 4.4.2"), std::string::npos);
    ::close(fd2);
    EXPECT_EQ(Row("SELECT COUNT(*) FROM mail_inbound")[0], "1");
    listener.Stop();
}

}  // namespace
}  // namespace kizuna::mail

namespace kizuna::mail {
namespace {

// Migration 402 rebuilds mail_inbound (Message-ID no longer unique on its own) with its two child tables:
// mail stored before keeps its rows and links, and no foreign key dangles.
TEST(InboundMigrationTest, StoredMailSurvivesTheRebuildOfMailInbound) {
    testing::TempDir dir;
    auto db = std::move(store::OpenSqlite({.path = dir.File("m.db")})).value();
    std::vector<store::Migration> before;
    for (const auto& m : auth::Migrations()) before.push_back(m);
    for (const auto& m : sched::Migrations()) before.push_back(m);
    for (const auto& m : vuln::Migrations())
        if (m.version < 1010) before.push_back(m);
    for (const auto& m : Migrations())
        if (m.version < 402) before.push_back(m);
    ASSERT_TRUE(store::Migrate(*db, before).ok());
    {
        auto lease = std::move(db->Acquire()).value();
        ASSERT_TRUE(lease->Exec("INSERT INTO mail_inbound(message_id, raw, sha256, via, received_at, state)"
                                " VALUES ('old@x', 'raw', 'abc', 'lmtp', 't', 'routed')").ok());
        ASSERT_TRUE(lease->Exec("INSERT INTO mail_attachments(inbound_id, filename, media_type, content, sha256)"
                                " VALUES (1, 'a.txt', 'text/plain', 'x', 'h')").ok());
        ASSERT_TRUE(lease->Exec("INSERT INTO mail_reports(inbound_id, from_address, subject, body, created_at)"
                                " VALUES (1, 'a@b', 's', 'b', 't')").ok());
    }
    std::vector<store::Migration> all = before;
    for (const auto& m : vuln::Migrations())
        if (m.version >= 1010) all.push_back(m);
    for (const auto& m : Migrations())
        if (m.version >= 402) all.push_back(m);
    auto migrated = store::Migrate(*db, all);
    ASSERT_TRUE(migrated.ok()) << migrated.error().ToString();
    auto lease = std::move(db->Acquire()).value();
    auto row = std::move(lease->QueryOne("SELECT i.message_id, i.body_sha256, a.filename, r.subject, r.verification"
                                         " FROM mail_inbound i JOIN mail_attachments a ON a.inbound_id = i.id"
                                         " JOIN mail_reports r ON r.inbound_id = i.id")).value();
    ASSERT_TRUE(row.has_value());
    EXPECT_EQ(row->Text(0), "old@x");
    EXPECT_EQ(row->Text(1), "");
    EXPECT_EQ(row->Text(2), "a.txt");
    EXPECT_EQ(row->Text(3), "s");
    EXPECT_EQ(row->Text(4), "");
    EXPECT_TRUE(std::move(lease->Query("PRAGMA foreign_key_check")).value().empty());
    auto fk = std::move(lease->QueryOne("SELECT \"table\" FROM pragma_foreign_key_list('mail_attachments')")).value();
    ASSERT_TRUE(fk.has_value());
    EXPECT_EQ(fk->Text(0), "mail_inbound") << "the reference follows the renamed table";
    // The same Message-ID with another body can be stored now.
    EXPECT_TRUE(lease->Exec("INSERT INTO mail_inbound(message_id, body_sha256, raw, sha256, via, received_at)"
                            " VALUES ('old@x', 'other', 'raw2', 'def', 'lmtp', 't')").ok());
    EXPECT_EQ(std::move(lease->QueryInt("SELECT count(*) FROM pragma_table_info('vendors')"
                                        " WHERE name = 'accept_unsigned_mail'")).value(), 1);
}

}  // namespace
}  // namespace kizuna::mail
