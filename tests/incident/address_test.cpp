#include "incident/address.hpp"

#include <gtest/gtest.h>

namespace kizuna::incident {
namespace {

TEST(AddressTest, ParsesStrictDottedQuadsOnly) {
    EXPECT_TRUE(ParseIpv4("192.0.2.1"));
    EXPECT_TRUE(ParseIpv4("0.0.0.0"));
    EXPECT_TRUE(ParseIpv4("255.255.255.255"));
    for (const char* bad : {"256.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1..2.3", "1.2.3.4 ", "", "a.b.c.d", "1.2.3.1234"})
        EXPECT_FALSE(ParseIpv4(bad)) << bad;
}

TEST(AddressTest, Ipv6IsPrintedInRfc5952Form) {
    auto ip = ParseIpv6("2001:0DB8:0000:0000:0000:0000:0000:0001");
    ASSERT_TRUE(ip);
    EXPECT_EQ(ip->ToString(), "2001:db8::1");
    EXPECT_FALSE(ParseIpv6("12:00:01"));
    EXPECT_FALSE(ParseIpv6("2001:db8::1::2"));
    EXPECT_TRUE(ParseIpv6("::ffff:192.0.2.1"));
}

TEST(AddressTest, ScopesFlagWhatMustNotBeNotified) {
    struct Case {
        const char* address;
        AddressScope scope;
    } cases[] = {
        {"8.8.8.8", AddressScope::kPublic},          {"10.1.2.3", AddressScope::kPrivate},
        {"172.16.0.1", AddressScope::kPrivate},      {"172.31.255.255", AddressScope::kPrivate},
        {"172.32.0.1", AddressScope::kPublic},       {"192.168.1.1", AddressScope::kPrivate},
        {"192.0.2.7", AddressScope::kDocumentation}, {"198.51.100.7", AddressScope::kDocumentation},
        {"203.0.113.200", AddressScope::kDocumentation}, {"203.0.114.1", AddressScope::kPublic},
        {"127.0.0.1", AddressScope::kReserved},      {"169.254.10.10", AddressScope::kReserved},
        {"100.64.0.1", AddressScope::kReserved},     {"100.128.0.1", AddressScope::kPublic},
        {"224.0.0.1", AddressScope::kReserved},      {"255.255.255.255", AddressScope::kReserved},
        {"0.1.2.3", AddressScope::kReserved},        {"198.18.0.1", AddressScope::kReserved},
        {"2001:db8::1", AddressScope::kDocumentation}, {"2400:4050::1", AddressScope::kPublic},
        {"fd00::1", AddressScope::kPrivate},         {"fe80::1", AddressScope::kReserved},
        {"::1", AddressScope::kReserved},            {"::", AddressScope::kReserved},
        {"ff02::1", AddressScope::kReserved},        {"::ffff:10.0.0.1", AddressScope::kPrivate},
        {"::ffff:8.8.4.4", AddressScope::kPublic},
    };
    for (const auto& c : cases) {
        auto ip = ParseIp(c.address);
        ASSERT_TRUE(ip) << c.address;
        EXPECT_EQ(ip->Scope(), c.scope) << c.address << " → " << Name(ip->Scope());
    }
}

TEST(AddressTest, PrefixesContainTheirHosts) {
    auto p = ParsePrefix("203.0.113.77/24");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->ToString(), "203.0.113.0/24");
    EXPECT_TRUE(p->Contains(*ParseIp("203.0.113.1")));
    EXPECT_FALSE(p->Contains(*ParseIp("203.0.114.1")));
    auto v6 = ParsePrefix("2001:db8:1234::/48");
    ASSERT_TRUE(v6);
    EXPECT_TRUE(v6->Contains(*ParseIp("2001:db8:1234:ffff::1")));
    EXPECT_FALSE(v6->Contains(*ParseIp("2001:db8:1235::1")));
    EXPECT_FALSE(ParsePrefix("10.0.0.0/33"));
    EXPECT_FALSE(ParsePrefix("10.0.0.0/"));
    EXPECT_FALSE(ParsePrefix("10.0.0.0/08"));
    EXPECT_TRUE(ParsePrefix("0.0.0.0/0"));
}

}  // namespace
}  // namespace kizuna::incident
