// Registry lookups over real TCP against whois servers on loopback that answer from the recorded answers
// of ../shared/data/whois (IANA → RIR → NIR).
#include "incident/whois_client.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <memory>
#include <sstream>

#include "support/temp_dir.hpp"
#include "support/whois_fixture.hpp"

namespace kizuna::incident {
namespace {

nlohmann::json Load(const std::string& name) {
    std::ifstream in(testing::SharedDataDir() + "/whois/" + name);
    std::stringstream s;
    s << in.rdbuf();
    return nlohmann::json::parse(s.str());
}

std::string RirServer(const std::string& registry) {
    if (registry == "ripencc") return "whois.ripe.net";
    if (registry == "arin") return "whois.arin.net";
    if (registry == "apnic") return "whois.apnic.net";
    if (registry == "lacnic") return "whois.lacnic.net";
    return "whois.afrinic.net";
}

class WhoisClientTest : public ::testing::Test {
  protected:
    void SetUp() override {
        auto whois = Load("ipwhois-whois.json");
        std::map<std::string, std::map<std::string, std::string>> answers;  // server → query → answer
        for (const auto& [ip, entry] : whois.items()) {
            const std::string rir = RirServer(entry.at("asn_data").at("asn_registry").get<std::string>());
            answers["whois.iana.org"][ip] = "% IANA WHOIS server\n\nrefer:        " + rir + "\n\ninetnum:      " +
                                            "0.0.0.0 - 255.255.255.255\norganisation: Example registry\n";
            answers[rir][ip] = entry.at("response").get<std::string>();
        }
        auto jpnic = Load("ipwhois-jpnic.json");
        answers["whois.iana.org"]["133.1.2.5"] = "refer: whois.apnic.net\n";
        answers["whois.apnic.net"]["133.1.2.5"] =
            "% [whois.apnic.net]\n\ninetnum: 133.0.0.0 - 133.255.255.255\nnetname: JAPAN-NET\ncountry: JP\n"
            "mnt-by: MAINT-JPNIC\nsource: APNIC\n\nirt: IRT-JPNIC-JP\ne-mail: hostmaster@nic.ad.jp\n"
            "abuse-mailbox: hostmaster@nic.ad.jp\n";
        answers["whois.nic.ad.jp"]["133.1.2.5/e"] = jpnic.at("133.1.2.5").at("response").get<std::string>();
        for (auto& [server, table] : answers) {
            servers_.push_back(std::make_unique<testing::WhoisFixtureServer>(table));
            config_.addresses[server] = servers_.back()->address();
            by_name_[server] = servers_.back().get();
        }
        config_.timeout = std::chrono::seconds(5);
    }

    std::vector<std::unique_ptr<testing::WhoisFixtureServer>> servers_;
    std::map<std::string, testing::WhoisFixtureServer*> by_name_;
    WhoisServers config_;
};

TEST_F(WhoisClientTest, FollowsReferralsFromIanaToEachRir) {
    TcpWhois transport(config_);
    struct Case {
        const char* ip;
        const char* server;
        const char* email;
    } cases[] = {
        {"74.125.225.229", "whois.arin.net", "arin-contact@google.com"},
        {"62.239.237.1", "whois.ripe.net", "protect@bt.com"},
        {"200.57.141.161", "whois.lacnic.net", "operacion.redes@triara.com"},
        {"196.11.240.215", "whois.afrinic.net", "abuse@mtnbusiness.co.za"},
    };
    for (const auto& c : cases) {
        auto answer = WhoisAddress(*ParseIp(c.ip), transport, "whois.iana.org");
        ASSERT_TRUE(answer.ok()) << c.ip << ": " << answer.error().ToString();
        EXPECT_EQ(answer->answered_by, c.server) << c.ip;
        ASSERT_FALSE(answer->record.contacts.empty()) << c.ip;
        EXPECT_EQ(answer->record.contacts.front().email, c.email) << c.ip;
        ASSERT_GE(answer->chain.size(), 2u);
        EXPECT_EQ(answer->chain[0].server, "whois.iana.org");
    }
}

TEST_F(WhoisClientTest, JpnicIsAskedInEnglishAndTheRirContactStays) {
    TcpWhois transport(config_);
    auto answer = WhoisAddress(*ParseIp("133.1.2.5"), transport, "whois.iana.org");
    ASSERT_TRUE(answer.ok()) << answer.error().ToString();
    EXPECT_EQ(answer->answered_by, "whois.nic.ad.jp");
    EXPECT_EQ(answer->record.organization, "Osaka University");
    ASSERT_FALSE(answer->record.contacts.empty());
    EXPECT_EQ(answer->record.contacts.front().email, "hostmaster@nic.ad.jp");
    EXPECT_EQ(by_name_.at("whois.nic.ad.jp")->queries(), std::vector<std::string>{"133.1.2.5/e"});
    ASSERT_TRUE(answer->record.first);
    EXPECT_EQ(answer->record.first->ToString(), "133.1.0.0");
}

TEST_F(WhoisClientTest, UnreachableAndSilentServersAreNamedErrors) {
    WhoisServers config = config_;
    config.addresses["whois.iana.org"] = "127.0.0.1:1";  // nothing listens on port 1
    TcpWhois transport(config);
    auto answer = WhoisAddress(*ParseIp("62.239.237.1"), transport, "whois.iana.org");
    ASSERT_FALSE(answer.ok());
    EXPECT_EQ(answer.error().code(), core::ErrorCode::kUnavailable);
    EXPECT_NE(answer.error().message().find("whois.iana.org"), std::string::npos);
    TcpWhois good(config_);
    EXPECT_EQ(good.Query("whois.ripe.net", "a\r\nb").error().field(), "query");
    auto unknown = WhoisAddress(*ParseIp("192.0.2.1"), good, "whois.iana.org");
    ASSERT_FALSE(unknown.ok());
    EXPECT_EQ(unknown.error().code(), core::ErrorCode::kNotFound);
}

}  // namespace
}  // namespace kizuna::incident
