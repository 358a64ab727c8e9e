// The daily IODEF by mail to partner CSIRTs (MISSION O5), end to end with the real parts: the kizuna binary
// (observe import, observe partner add/set-key, observe iodef-mail — the daily job's code — and mail
// send-once), a real SMTP server (python3-aiosmtpd) as the relay and real GnuPG homes. The partner's mail
// arrives signed by the center and encrypted to the partner; the attachment validates with xmllint against
// the shared IODEF schema; a rerun does not mail twice; a partner without a key gets nothing in clear, and
// its mail goes out once a key is set.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <thread>
#include <string>
#include <vector>

#include "support/mail_tools.hpp"
#include "support/pcap_builder.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace kizuna::functional {
namespace {

using testing::GpgUser;
using testing::RunCommand;
using testing::SmtpSink;

constexpr std::int64_t kDay0 = 1'795'305'600'000'000;  // 2026-11-22T00:00:00Z
constexpr int kJpEvents = 30, kUsEvents = 12;

std::string GeoDatabase() {
    return std::string(KIZUNA_SOURCE_DIR) +
           "/third_party/geo/node_modules/@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb";
}

std::size_t Count(const std::string& haystack, const std::string& needle) {
    std::size_t n = 0;
    for (std::size_t pos = haystack.find(needle); pos != std::string::npos; pos = haystack.find(needle, pos + 1)) ++n;
    return n;
}

std::string ArmoredBlock(const std::string& message) {
    const auto begin = message.find("-----BEGIN PGP MESSAGE-----");
    const auto end = message.find("-----END PGP MESSAGE-----");
    if (begin == std::string::npos || end == std::string::npos) return {};
    return message.substr(begin, end + 25 - begin) + "\n";
}

// The base64 body of the MIME part whose headers name `filename`.
std::string AttachmentBase64(const std::string& mime, const std::string& filename) {
    const auto named = mime.find("filename=\"" + filename + "\"");
    if (named == std::string::npos) return {};
    const auto body = mime.find("\r\n\r\n", named);
    const auto next = mime.find("\r\n--", body);
    if (body == std::string::npos || next == std::string::npos) return {};
    std::string b64;
    for (char c : mime.substr(body + 4, next - body - 4))
        if (c != '\r') b64 += c;
    return b64;
}

class ObservePartnerMailTest : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_TRUE(std::filesystem::exists(GeoDatabase())) << "country database missing: run scripts/setup.sh";
        sink_ = std::make_unique<SmtpSink>(std::string(KIZUNA_SOURCE_DIR) + "/tests/support/smtp_sink.py",
                                           dir_.File("sink"));
        ASSERT_GT(sink_->port(), 0);
        testing::WriteWholeFile(dir_.File("kizuna.toml"),
                                "[server]\npublic_url = \"https://csirt.example\"\n"
                                "[mail]\nrelay_host = \"127.0.0.1\"\nrelay_port = " + std::to_string(sink_->port()) +
                                    "\nfrom_address = \"isdas@csirt.example\"\nfrom_name = \"ISDAS\"\n");
        // One day of scans: from 133.0.0.0/8 (JP) and from 8.8.8.8 (US), to documentation sensor addresses.
        std::vector<testing::PcapRecord> records;
        for (int i = 0; i < kJpEvents + kUsEvents; ++i) {
            testing::Ipv4Spec ip;
            const bool jp = i < kJpEvents;
            ip.source = jp ? std::array<std::uint8_t, 4>{133, 1, 2, static_cast<std::uint8_t>(i % 5 + 1)}
                           : std::array<std::uint8_t, 4>{8, 8, 8, 8};
            ip.destination = {192, 0, 2, static_cast<std::uint8_t>(i % 4 + 10)};
            records.push_back({kDay0 + i * 60'000'000LL,
                               testing::Ethernet(testing::kEthertypeIpv4,
                                                 testing::Ipv4(ip, testing::Tcp(static_cast<std::uint16_t>(40000 + i), 23, 0x02))),
                               {}});
        }
        testing::WritePcapFile(dir_.File("scan.pcap"), 1, records);
        auto imported = Kizuna({"observe", "import", dir_.File("scan.pcap"), "--sensor", "tokyo-1"});
        ASSERT_EQ(imported.exit_code, 0) << imported.err;
        auto key = Kizuna({"mail", "init-key"});
        ASSERT_EQ(key.exit_code, 0) << key.err;
        auto center_key = Kizuna({"mail", "public-key"});
        ASSERT_EQ(center_key.exit_code, 0) << center_key.err;
        partner_ = std::make_unique<GpgUser>(dir_.File("gpg-partner"), "Partner CSIRT <iodef@partner.example.jp>");
        partner_->Import(center_key.out);
        testing::WriteWholeFile(dir_.File("partner.asc"), partner_->ExportPublic());
    }
    void TearDown() override { Kizuna({"mail", "send-once"}); }

    testing::CommandResult Kizuna(std::vector<std::string> args) {
        args.insert(args.begin(), KIZUNA_BIN);
        args.insert(args.end(), {"--data-dir", dir_.File("data"), "--config", dir_.File("kizuna.toml"), "--set",
                                 "observe.geo_database=" + GeoDatabase()});
        return RunCommand(args);
    }
    std::string Sql(const std::string& statement) {
        auto r = RunCommand({"/usr/bin/sqlite3", dir_.File("data/kizuna.db"), statement});
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return r.out;
    }

    testing::TempDir dir_;
    std::unique_ptr<SmtpSink> sink_;
    std::unique_ptr<GpgUser> partner_;
};

TEST_F(ObservePartnerMailTest, DailyIodefArrivesEncryptedSignedAndValidOncePerDay) {
    auto added = Kizuna({"observe", "partner", "add", "--name", "Partner CSIRT", "--email", "iodef@partner.example.jp",
                         "--country", "JP", "--key", dir_.File("partner.asc")});
    ASSERT_EQ(added.exit_code, 0) << added.err;
    EXPECT_NE(added.out.find(partner_->fingerprint()), std::string::npos) << added.out;
    auto keyless = Kizuna({"observe", "partner", "add", "--name", "No-Key CERT", "--email", "cert@nokey.example",
                           "--country", "US"});
    ASSERT_EQ(keyless.exit_code, 0) << keyless.err;
    EXPECT_NE(keyless.out.find("no key yet"), std::string::npos);
    // The daily job is scheduled once partners exist.
    EXPECT_EQ(Sql("SELECT count(*) FROM jobs WHERE kind = 'observe.iodef_daily' AND state = 'pending'"), "1\n");

    auto queued = Kizuna({"observe", "iodef-mail", "--date", "2026-11-22"});
    ASSERT_EQ(queued.exit_code, 0) << queued.err;
    EXPECT_EQ(Count(queued.out, "queued as mail"), 2u) << queued.out;
    // A rerun (or a catch-up) for the same day queues nothing.
    auto again = Kizuna({"observe", "iodef-mail", "--date", "2026-11-22"});
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(Count(again.out, "already queued"), 2u) << again.out;
    EXPECT_EQ(Sql("SELECT count(*) FROM mail_queue"), "2\n");

    auto sent = Kizuna({"mail", "send-once"});
    ASSERT_EQ(sent.exit_code, 0) << sent.err;
    auto messages = sink_->Messages();
    ASSERT_EQ(messages.size(), 1u) << sent.out << sent.err;
    const std::string& message = messages[0];
    EXPECT_NE(message.find("To: <iodef@partner.example.jp>"), std::string::npos);
    EXPECT_NE(message.find("multipart/encrypted"), std::string::npos);
    EXPECT_EQ(message.find("EventData"), std::string::npos) << "IODEF in clear";
    EXPECT_EQ(message.find("133.1.2."), std::string::npos) << "scanner addresses in clear";

    std::string status;
    const std::string inner = partner_->Decrypt(ArmoredBlock(message), &status);
    EXPECT_NE(status.find("GOODSIG"), std::string::npos) << status;
    EXPECT_NE(inner.find("multipart/mixed"), std::string::npos);
    EXPECT_NE(inner.find("Content-Type: application/xml; name=\"JP-2026-11-22.xml\""), std::string::npos) << inner;
    const std::string b64 = AttachmentBase64(inner, "JP-2026-11-22.xml");
    ASSERT_FALSE(b64.empty()) << inner;
    auto decoded = RunCommand({"/usr/bin/base64", "-d"}, b64);
    ASSERT_EQ(decoded.exit_code, 0) << decoded.err;
    const std::string xml = decoded.out;
    testing::WriteWholeFile(dir_.File("jp.xml"), xml);
    const std::string schema = testing::SharedDataDir() + "/iodef/iodef-2.0.local.xsd";
    auto lint = RunCommand({"/usr/bin/xmllint", "--noout", "--nonet", "--schema", schema, dir_.File("jp.xml")});
    EXPECT_EQ(lint.exit_code, 0) << lint.err;
    EXPECT_EQ(Count(xml, "<EventData>"), static_cast<std::size_t>(kJpEvents));
    EXPECT_EQ(Count(xml, "8.8.8.8"), 0u);    // only the partner's country
    EXPECT_EQ(Count(xml, "192.0.2."), 0u);   // sensor addresses withheld
    // The same document as the directory export of that day.
    auto exported = Kizuna({"observe", "iodef-export", "--date", "2026-11-22", "--dir", dir_.File("export"), "--country", "JP"});
    ASSERT_EQ(exported.exit_code, 0) << exported.err;
    EXPECT_EQ(testing::ReadWholeFile(dir_.File("export/2026-11-22/JP.xml")), xml);

    // The partner without a key: nothing in clear, waiting with the reason.
    const std::string waiting = Sql("SELECT o.state, o.reason FROM mail_outbound o JOIN mail_queue q ON q.id = o.mail_id"
                                    " WHERE q.to_address = 'cert@nokey.example'");
    EXPECT_EQ(waiting.rfind("waiting|", 0), 0u) << waiting;
    EXPECT_NE(waiting.find("no OpenPGP key"), std::string::npos) << waiting;
    // Another pass sends nothing more.
    ASSERT_EQ(Kizuna({"mail", "send-once"}).exit_code, 0);
    EXPECT_EQ(sink_->Messages().size(), 1u);

    // A key registered later releases the waiting mail (on its next check).
    GpgUser us(dir_.File("gpg-us"), "No-Key CERT <cert@nokey.example>");
    testing::WriteWholeFile(dir_.File("us.asc"), us.ExportPublic());
    const std::string id = Sql("SELECT id FROM observe_partners WHERE email = 'cert@nokey.example'");
    auto set = Kizuna({"observe", "partner", "set-key", id.substr(0, id.find('\n')), "--key", dir_.File("us.asc")});
    ASSERT_EQ(set.exit_code, 0) << set.err;
    Sql("UPDATE mail_outbound SET next_attempt_at = '2000-01-01T00:00:00Z' WHERE state = 'waiting'");
    ASSERT_EQ(Kizuna({"mail", "send-once"}).exit_code, 0);
    messages = sink_->Messages();
    ASSERT_EQ(messages.size(), 2u);
    const std::string us_inner = us.Decrypt(ArmoredBlock(messages[1]));
    EXPECT_NE(us_inner.find("US-2026-11-22.xml"), std::string::npos);

    // Every change is in the audit log, and the chain verifies.
    EXPECT_EQ(Sql("SELECT count(*) FROM audit_log WHERE action LIKE 'observe.partner_%'"), "3\n");
    EXPECT_EQ(Kizuna({"audit", "verify"}).exit_code, 0);
}

// Inside `kizuna serve`: the daily job (here made due for the capture's day, as after downtime) queues the
// partner's mail in its own transaction and the outbound sender delivers it; the next run is scheduled.
TEST_F(ObservePartnerMailTest, ServeDailyJobMailsThePartnerOnce) {
    ASSERT_EQ(Kizuna({"observe", "partner", "add", "--name", "Partner CSIRT", "--email", "iodef@partner.example.jp",
                      "--country", "JP", "--key", dir_.File("partner.asc")})
                  .exit_code,
              0);
    const std::int64_t due_us = std::chrono::duration_cast<std::chrono::microseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count() -
                                60'000'000;
    Sql("UPDATE jobs SET payload = '2026-11-22', run_at_us = " + std::to_string(due_us) +
        " WHERE kind = 'observe.iodef_daily' AND state = 'pending'");
    const std::vector<std::string> args = {"--data-dir", dir_.File("data"), "--config", dir_.File("kizuna.toml"),
                                           "--set", "observe.geo_database=" + GeoDatabase(), "--set",
                                           "mail.send_interval_seconds=1"};
    {
        testing::ServerProcess server(KIZUNA_BIN, args, dir_.path());
        ASSERT_TRUE(server.started()) << testing::ReadWholeFile(server.log_path());
        for (int i = 0; i < 300 && sink_->Messages().empty(); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        EXPECT_EQ(server.Terminate(), 0);
    }
    ASSERT_EQ(sink_->Messages().size(), 1u);
    const std::string inner = partner_->Decrypt(ArmoredBlock(sink_->Messages()[0]));
    EXPECT_NE(inner.find("JP-2026-11-22.xml"), std::string::npos);
    EXPECT_EQ(Sql("SELECT day, events FROM observe_partner_deliveries"), "2026-11-22|" + std::to_string(kJpEvents) + "\n");
    EXPECT_EQ(Sql("SELECT count(*) FROM jobs WHERE kind = 'observe.iodef_daily' AND state = 'pending'"), "1\n");
    // Catching the same day up again by hand queues nothing.
    auto again = Kizuna({"observe", "iodef-mail", "--date", "2026-11-22"});
    EXPECT_NE(again.out.find("already queued"), std::string::npos) << again.out;
    EXPECT_EQ(Sql("SELECT count(*) FROM mail_queue"), "1\n");
}

// observe trends / observe port with unique counts (O4), on the same capture: TCP 23 was first observed on
// 2026-11-22 from 6 sources (5 in 133.1.2.0/24 and 8.8.8.8) hitting 4 sensor addresses.
TEST_F(ObservePartnerMailTest, TrendsAndPortCliCarryUniqueSourcesAndTargets) {
    auto trends = Kizuna({"observe", "trends", "--date", "2026-11-22", "--format", "json"});
    ASSERT_EQ(trends.exit_code, 0) << trends.err;
    const auto rows = nlohmann::json::parse(trends.out);
    ASSERT_EQ(rows.size(), 1u) << trends.out;
    EXPECT_EQ(rows[0]["proto"], "tcp");
    EXPECT_EQ(rows[0]["port"], 23);
    EXPECT_EQ(rows[0]["state"], "onset");
    EXPECT_EQ(rows[0]["onset"], "2026-11-22");
    EXPECT_EQ(rows[0]["first_observed"], true);
    EXPECT_EQ(rows[0]["sources"], 6);
    EXPECT_EQ(rows[0]["targets"], 4);
    EXPECT_TRUE(rows[0]["dshield_score"].is_null());  // s = 0: DShield has no score for a new port
    auto port = Kizuna({"observe", "port", "23", "--from", "2026-11-21", "--to", "2026-11-22", "--format", "json"});
    ASSERT_EQ(port.exit_code, 0) << port.err;
    const auto days = nlohmann::json::parse(port.out);
    ASSERT_EQ(days.size(), 2u);
    EXPECT_EQ(days[0]["sources"], 0);
    EXPECT_EQ(days[1]["packets"], kJpEvents + kUsEvents);
    EXPECT_EQ(days[1]["sources"], 6);
    EXPECT_EQ(days[1]["targets"], 4);
}

TEST_F(ObservePartnerMailTest, BadPartnerInputNamesTheField) {
    testing::WriteWholeFile(dir_.File("junk.asc"), "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnot a key\n");
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
        {{"--name", "X", "--email", "not-an-address", "--country", "JP"}, "email"},
        {{"--name", "X", "--email", "x@y.example", "--country", "JPN"}, "countries"},
        {{"--name", "", "--email", "x@y.example", "--country", "JP"}, "name"},
        {{"--name", "X", "--email", "x@y.example", "--country", "JP", "--key", dir_.File("junk.asc")}, "key"},
    };
    for (const auto& [args, field] : cases) {
        std::vector<std::string> argv = {"observe", "partner", "add"};
        argv.insert(argv.end(), args.begin(), args.end());
        auto r = Kizuna(argv);
        EXPECT_EQ(r.exit_code, 2) << field << ": " << r.err;
        EXPECT_NE(r.err.find(field + ":"), std::string::npos) << r.err;
    }
    EXPECT_EQ(Kizuna({"observe", "partner", "remove", "99"}).exit_code, 2);
    auto list = Kizuna({"observe", "partner", "list", "--format", "json"});
    ASSERT_EQ(list.exit_code, 0);
    EXPECT_EQ(list.out, "[]\n");
}

}  // namespace
}  // namespace kizuna::functional
