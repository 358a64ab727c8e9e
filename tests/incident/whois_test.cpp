// Registry answers recorded from the real services (../shared/data/whois, from the ipwhois project):
// ARIN, RIPE, APNIC, LACNIC, AFRINIC, JPNIC and KRNIC whois, and RDAP.
#include "incident/whois.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "support/temp_dir.hpp"

namespace kizuna::incident {
namespace {

nlohmann::json Load(const std::string& name) {
    std::ifstream in(testing::SharedDataDir() + "/whois/" + name);
    EXPECT_TRUE(in.good()) << name;
    std::stringstream s;
    s << in.rdbuf();
    return nlohmann::json::parse(s.str());
}

NetworkRecord Whois(const nlohmann::json& data, const std::string& ip) {
    auto record = ParseWhois(data.at(ip).at("response").get<std::string>(), *ParseIp(ip));
    EXPECT_TRUE(record.ok()) << ip << ": " << (record.ok() ? "" : record.error().ToString());
    return record.ok() ? *record : NetworkRecord{};
}

std::string FirstEmail(const NetworkRecord& r) { return r.contacts.empty() ? "" : r.contacts.front().email; }

bool HasEmail(const NetworkRecord& r, std::string_view email) {
    for (const auto& c : r.contacts)
        if (c.email == email) return true;
    return false;
}

TEST(WhoisTest, EachRegistrysAbuseContactComesFirst) {
    auto data = Load("ipwhois-whois.json");
    struct Case {
        const char* ip;
        const char* registry;
        const char* first;  // the expected best contact
        const char* kind;
        const char* range_first;
        const char* range_last;
    } cases[] = {
        {"74.125.225.229", "ARIN", "arin-contact@google.com", "abuse", "74.125.0.0", "74.125.255.255"},
        {"62.239.237.1", "RIPE", "protect@bt.com", "abuse", "62.239.237.0", "62.239.237.255"},
        {"210.107.73.73", "APNIC", "hostmaster@nic.or.kr", "irt", "210.107.0.0", "210.107.127.255"},
        {"200.57.141.161", "LACNIC", "operacion.redes@triara.com", "abuse", "200.57.128.0", "200.57.159.255"},
        {"196.11.240.215", "AFRINIC", "abuse@mtnbusiness.co.za", "remarks", "196.11.239.0", "196.11.246.255"},
    };
    for (const auto& c : cases) {
        NetworkRecord r = Whois(data, c.ip);
        EXPECT_EQ(r.registry, c.registry) << c.ip;
        EXPECT_EQ(FirstEmail(r), c.first) << c.ip;
        if (!r.contacts.empty()) {
            EXPECT_EQ(r.contacts.front().kind, c.kind) << c.ip;
        }
        ASSERT_TRUE(r.first && r.last) << c.ip;
        EXPECT_EQ(r.first->ToString(), c.range_first) << c.ip;
        EXPECT_EQ(r.last->ToString(), c.range_last) << c.ip;
        EXPECT_TRUE(r.Covers(*ParseIp(c.ip))) << c.ip;
        EXPECT_FALSE(r.country.empty()) << c.ip;
    }
}

TEST(WhoisTest, ObsoleteNotifyAndChangedFieldsAreNeverContacts) {
    auto data = Load("ipwhois-whois.json");
    for (const auto& [ip, entry] : data.items()) {
        const std::string answer = entry.at("response").get<std::string>();
        auto record = ParseWhois(answer, *ParseIp(ip));
        if (!record.ok()) continue;
        for (const auto& contact : record->contacts) {
            // An address that appears only on notify:/changed: lines must not be offered.
            std::istringstream lines(answer);
            std::string line;
            bool elsewhere = false;
            while (std::getline(lines, line)) {
                std::string lower = line;
                for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
                if (lower.find(contact.email) == std::string::npos) continue;
                if (lower.rfind("notify:", 0) != 0 && lower.rfind("changed:", 0) != 0) elsewhere = true;
            }
            EXPECT_TRUE(elsewhere) << ip << " offers " << contact.email;
        }
        EXPECT_FALSE(HasEmail(*record, "hm-changed@apnic.net")) << ip;
    }
}

TEST(WhoisTest, ApnicPointsToTheNationalRegistries) {
    auto data = Load("ipwhois-whois.json");
    EXPECT_EQ(Whois(data, "2001:240:10c:1::ca20:9d1d").referral, "whois.nic.ad.jp");
    EXPECT_EQ(Whois(data, "210.107.73.73").referral, "whois.kisa.or.kr");
    EXPECT_EQ(Whois(data, "74.125.225.229").referral, "");
}

TEST(WhoisTest, JpnicGatewayGivesTheNetworkAndItsContactHandles) {
    auto data = Load("ipwhois-jpnic.json");
    NetworkRecord r = Whois(data, "133.1.2.5");
    EXPECT_EQ(r.registry, "JPNIC");
    EXPECT_EQ(r.organization, "Osaka University");
    EXPECT_EQ(r.network_name, "OSAKAU-NET");
    ASSERT_TRUE(r.first && r.last);
    EXPECT_EQ(r.first->ToString(), "133.1.0.0");
    EXPECT_EQ(r.last->ToString(), "133.1.255.255");
    EXPECT_NE(std::find(r.unresolved_handles.begin(), r.unresolved_handles.end(), "MY22537JP"),
              r.unresolved_handles.end());
}

TEST(WhoisTest, KrnicGatewayGivesTheMostSpecificAssignment) {
    auto data = Load("ipwhois-krnic.json");
    NetworkRecord r = Whois(data, "115.1.2.3");
    EXPECT_EQ(r.registry, "KRNIC");
    ASSERT_TRUE(r.first && r.last);
    EXPECT_EQ(r.first->ToString(), "115.1.2.0");
    EXPECT_EQ(r.last->ToString(), "115.1.2.63");
    EXPECT_EQ(FirstEmail(r), "kornet_ip@kt.com");
}

TEST(WhoisTest, RdapAbuseEntitiesIncludingNestedOnes) {
    auto data = Load("ipwhois-rdap.json");
    std::size_t with_contacts = 0;
    for (const auto& [ip, entry] : data.items()) {
        auto record = ParseRdap(entry.at("response").dump(), *ParseIp(ip));
        ASSERT_TRUE(record.ok()) << ip << ": " << record.error().ToString();
        EXPECT_TRUE(record->Covers(*ParseIp(ip))) << ip;
        if (!record->contacts.empty()) ++with_contacts;
    }
    EXPECT_GE(with_contacts, data.size() / 2);
    auto bt = ParseRdap(data.at("62.239.237.1").at("response").dump(), *ParseIp("62.239.237.1"));
    ASSERT_TRUE(bt.ok());
    EXPECT_EQ(bt->registry, "RIPE");
    EXPECT_EQ(bt->country, "GB");
    ASSERT_FALSE(bt->contacts.empty());
    EXPECT_EQ(bt->contacts.front().kind, "abuse");

    // A nested abuse entity (registrant → abuse) is found too.
    const std::string nested = R"({"startAddress":"192.0.2.0","endAddress":"192.0.2.255","port43":"whois.arin.net",
      "entities":[{"handle":"ORG-1","roles":["registrant"],"vcardArray":["vcard",[["fn",{},"text","Example Org"]]],
        "entities":[{"handle":"ABUSE-1","roles":["abuse"],
          "vcardArray":["vcard",[["fn",{},"text","Abuse Desk"],["email",{},"text","Abuse@Example.net"]]]}]}]})";
    auto r = ParseRdap(nested, *ParseIp("192.0.2.9"));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->organization, "Example Org");
    EXPECT_EQ(FirstEmail(*r), "abuse@example.net");
    EXPECT_EQ(r->registry, "ARIN");
}

TEST(WhoisTest, BadAnswersAreNamedErrors) {
    EXPECT_EQ(ParseWhois("% No match for this query\n", *ParseIp("192.0.2.1")).error().code(), core::ErrorCode::kNotFound);
    EXPECT_EQ(ParseWhois("hello world", *ParseIp("192.0.2.1")).error().code(), core::ErrorCode::kInvalidArgument);
    EXPECT_EQ(ParseRdap("{not json", *ParseIp("192.0.2.1")).error().field(), "rdap");
    EXPECT_EQ(ParseRdap(R"({"errorCode":404})", *ParseIp("192.0.2.1")).error().code(), core::ErrorCode::kNotFound);
    EXPECT_EQ(ParseRdap(R"({"name":"x"})", *ParseIp("192.0.2.1")).error().field(), "rdap.startAddress");
    EXPECT_EQ(ParseWhois(std::string(2 << 20, 'a'), *ParseIp("192.0.2.1")).error().code(), core::ErrorCode::kTooLarge);
}

}  // namespace
}  // namespace kizuna::incident
