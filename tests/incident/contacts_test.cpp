#include "incident/contacts.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace kizuna::incident {
namespace {

using std::chrono::hours;

const core::WallTime kNow = core::FromUnixMicros(1'790'000'000'000'000);

Party Org(std::string key, std::string email, std::string country = "JP") {
    Party p;
    p.key = std::move(key);
    p.organization = p.key;
    p.emails = {std::move(email)};
    p.country = std::move(country);
    return p;
}

NetworkRecord Record(const char* first, const char* last, const char* country, const char* email, const char* kind = "abuse") {
    NetworkRecord r;
    r.first = ParseIp(first);
    r.last = ParseIp(last);
    r.country = country;
    r.registry = "APNIC";
    r.contacts.push_back(AbuseContact{email, kind, "", ""});
    return r;
}

TEST(ContactsTest, TheMostSpecificConstituencyPrefixAnswers) {
    ContactDirectory d;
    d.AddConstituency(*ParsePrefix("133.0.0.0/8"), Org("org:wide", "abuse@wide.example.jp"));
    d.AddConstituency(*ParsePrefix("133.1.0.0/16"), Org("org:osaka", "cert@osaka.example.jp"));
    d.AddConstituency(*ParsePrefix("2001:db8:100::/48"), Org("org:v6", "soc@v6.example.jp"));
    auto r = d.Resolve(*ParseIp("133.1.2.5"), kNow);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->party.key, "org:osaka");
    EXPECT_EQ(r->source, ContactSource::kConstituency);
    EXPECT_EQ(r->detail, "133.1.0.0/16");
    EXPECT_EQ(d.Resolve(*ParseIp("133.200.0.1"), kNow)->party.key, "org:wide");
    EXPECT_EQ(d.Resolve(*ParseIp("2001:db8:100:ffff::1"), kNow)->party.key, "org:v6");
    EXPECT_FALSE(d.Resolve(*ParseIp("2001:db8:101::1"), kNow));
    EXPECT_FALSE(d.Resolve(*ParseIp("134.0.0.1"), kNow));
}

TEST(ContactsTest, RegistryAnswersCoverTheirWholeRangeUntilTheyExpire) {
    ContactDirectory d;
    d.AddRegistryAnswer(Record("210.107.0.0", "210.107.127.255", "JP", "abuse@isp.example.jp"), ContactSource::kWhois,
                        kNow + hours(24));
    d.AddRegistryAnswer(Record("210.107.5.0", "210.107.5.63", "JP", "noc@customer.example.jp"), ContactSource::kRdap,
                        kNow + hours(24));
    auto wide = d.Resolve(*ParseIp("210.107.100.1"), kNow);
    ASSERT_TRUE(wide);
    EXPECT_EQ(wide->party.emails.front(), "abuse@isp.example.jp");
    EXPECT_EQ(wide->source, ContactSource::kWhois);
    auto narrow = d.Resolve(*ParseIp("210.107.5.10"), kNow);
    ASSERT_TRUE(narrow);
    EXPECT_EQ(narrow->party.emails.front(), "noc@customer.example.jp");
    EXPECT_EQ(narrow->source, ContactSource::kRdap);
    EXPECT_FALSE(d.Resolve(*ParseIp("210.107.128.1"), kNow));
    EXPECT_FALSE(d.Resolve(*ParseIp("210.107.100.1"), kNow + hours(25)));  // expired: ask again
}

TEST(ContactsTest, ForeignAddressesGoToThePartnerCsirtOfTheirCountry) {
    ContactDirectory d("JP");
    d.AddPartnerCsirt("KR", Org("csirt:KR", "cert@krcert.example", "KR"));
    d.AddRegistryAnswer(Record("115.0.0.0", "115.23.255.255", "KR", "ip@kt.example"), ContactSource::kWhois,
                        kNow + hours(24));
    d.AddRegistryAnswer(Record("200.57.128.0", "200.57.159.255", "MX", "abuse@triara.example"), ContactSource::kWhois,
                        kNow + hours(24));
    auto kr = d.Resolve(*ParseIp("115.1.2.3"), kNow);
    ASSERT_TRUE(kr);
    EXPECT_EQ(kr->source, ContactSource::kPartnerCsirt);
    EXPECT_EQ(kr->party.key, "csirt:KR");
    auto mx = d.Resolve(*ParseIp("200.57.141.161"), kNow);  // no partner for MX: the registry's contact
    ASSERT_TRUE(mx);
    EXPECT_EQ(mx->source, ContactSource::kWhois);
    EXPECT_EQ(mx->party.emails.front(), "abuse@triara.example");
}

TEST(ContactsTest, OneGroupPerPartyWithAllItsAddresses) {
    ContactDirectory d;
    d.AddConstituency(*ParsePrefix("133.1.0.0/16"), Org("org:osaka", "cert@osaka.example.jp"));
    d.AddRegistryAnswer(Record("210.107.0.0", "210.107.127.255", "JP", "abuse@isp.example.jp"), ContactSource::kWhois,
                        kNow + hours(1));
    auto e = Extract("133.1.2.5 133.1.9.9 133.1.2.5 210.107.1.1 10.0.0.1 192.0.2.4 8.8.8.8 210.107.2.2");
    auto g = GroupByParty(e, d, kNow);
    ASSERT_EQ(g.groups.size(), 2u);
    EXPECT_EQ(g.groups[0].resolution.party.key, "org:osaka");
    ASSERT_EQ(g.groups[0].addresses.size(), 2u);
    EXPECT_EQ(g.groups[0].addresses[0].address, "133.1.2.5");
    EXPECT_EQ(g.groups[0].addresses[0].count, 2u);
    EXPECT_EQ(g.groups[1].addresses.size(), 2u);
    EXPECT_EQ(g.unresolved, std::vector<std::string>{"8.8.8.8"});
    EXPECT_EQ(g.not_notified, (std::vector<std::string>{"10.0.0.1", "192.0.2.4"}));
}

}  // namespace
}  // namespace kizuna::incident
