// `kizuna incident resolve` through the real binary against whois servers on loopback (I4): the chain
// IANA → RIR → NIR is followed and every contact says which source named it.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <memory>
#include <sstream>

#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/whois_fixture.hpp"

namespace kizuna::testing {
namespace {

std::string Recorded(const std::string& file, const std::string& ip) {
    std::ifstream in(SharedDataDir() + "/whois/" + file);
    std::stringstream s;
    s << in.rdbuf();
    return nlohmann::json::parse(s.str()).at(ip).at("response").get<std::string>();
}

using Answers = std::map<std::string, std::string>;

TEST(IncidentCliTest, ResolvePrintsContactsWithTheirSource) {
    WhoisFixtureServer iana(Answers{{"62.239.237.1", "refer: whois.ripe.net\n"},
                             {"133.1.2.5", "refer: whois.apnic.net\n"},
                             {"example.jp", "refer: whois.jprs.jp\n"}});
    WhoisFixtureServer ripe(Answers{{"62.239.237.1", Recorded("ipwhois-whois.json", "62.239.237.1")}});
    WhoisFixtureServer apnic(Answers{{"133.1.2.5", "inetnum: 133.0.0.0 - 133.255.255.255\nmnt-by: MAINT-JPNIC\nsource: APNIC\n"
                                            "\nirt: IRT-JPNIC-JP\nabuse-mailbox: hostmaster@nic.ad.jp\n"}});
    WhoisFixtureServer jpnic(Answers{{"133.1.2.5/e", Recorded("ipwhois-jpnic.json", "133.1.2.5")}});
    WhoisFixtureServer jprs(Answers{{"example.jp", "[Domain Name] EXAMPLE.JP\n[Registrant] Example Co.\n"
                                            "[Abuse Contact] abuse@example.jp\nnotify: old@example.jp\n"}});
    const std::vector<std::string> servers = {
        "--whois-server", "whois.iana.org=" + iana.address(), "--whois-server", "whois.ripe.net=" + ripe.address(),
        "--whois-server", "whois.apnic.net=" + apnic.address(), "--whois-server", "whois.nic.ad.jp=" + jpnic.address(),
        "--whois-server", "whois.jprs.jp=" + jprs.address()};
    auto run = [&](std::vector<std::string> args) {
        args.insert(args.begin(), KIZUNA_BIN);
        args.insert(args.end(), servers.begin(), servers.end());
        return RunCommand(args);
    };

    auto ripe_answer = run({"incident", "resolve", "62.239.237.1", "--format", "json"});
    ASSERT_EQ(ripe_answer.exit_code, 0) << ripe_answer.err;
    auto json = nlohmann::json::parse(ripe_answer.out);
    EXPECT_EQ(json["network"]["registry"], "RIPE");
    EXPECT_EQ(json["contacts"][0]["email"], "protect@bt.com");
    EXPECT_EQ(json["contacts"][0]["source"], "whois");
    EXPECT_EQ(json["contacts"][0]["server"], "whois.ripe.net");
    EXPECT_EQ(json["asked"].size(), 2u);

    auto jp = run({"incident", "resolve", "133.1.2.5"});
    ASSERT_EQ(jp.exit_code, 0) << jp.err;
    EXPECT_NE(jp.out.find("Osaka University"), std::string::npos) << jp.out;
    EXPECT_NE(jp.out.find("hostmaster@nic.ad.jp"), std::string::npos) << jp.out;
    EXPECT_NE(jp.out.find("whois.iana.org -> whois.apnic.net -> whois.nic.ad.jp"), std::string::npos) << jp.out;
    EXPECT_EQ(jpnic.queries(), std::vector<std::string>{"133.1.2.5/e"});

    auto domain = run({"incident", "resolve", "example.jp", "--format", "json"});
    ASSERT_EQ(domain.exit_code, 0) << domain.err;
    auto d = nlohmann::json::parse(domain.out);
    ASSERT_EQ(d["contacts"].size(), 1u);  // notify: is never read
    EXPECT_EQ(d["contacts"][0]["email"], "abuse@example.jp");
    EXPECT_EQ(d["contacts"][0]["role"], "abuse");

    auto private_address = run({"incident", "resolve", "192.168.1.1"});
    EXPECT_EQ(private_address.exit_code, 0);
    EXPECT_NE(private_address.out.find("not notified"), std::string::npos);
    EXPECT_TRUE(iana.queries().size() == 3u) << "a private address must not be sent to a registry";

    auto bad = run({"incident", "resolve", "62.239.237.1", "--whois-server", "nonsense"});
    EXPECT_EQ(bad.exit_code, 2);
    EXPECT_NE(bad.err.find("--whois-server"), std::string::npos);
}

}  // namespace
}  // namespace kizuna::testing
