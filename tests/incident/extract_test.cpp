#include <gtest/gtest.h>

#include <string>

#include "incident/indicators.hpp"

namespace kizuna::incident {
namespace {

std::uint64_t CountOf(const Extraction& e, IndicatorKind kind, std::string_view value) {
    const Indicator* i = e.Find(kind, value);
    return i ? i->count : 0;
}

const Indicator* Port(const Extraction& e, std::string_view port, std::string_view protocol) {
    for (const auto& i : e.indicators)
        if (i.kind == IndicatorKind::kPort && i.value == port && i.protocol == protocol) return &i;
    return nullptr;
}

TEST(ExtractTest, AddressesAreCountedPerValueAndFlaggedByScope) {
    auto e = Extract("Scans from 8.8.8.8 and 8.8.8.8 again, also 10.0.0.5 and 192.0.2.1.\n"
                     "Contact 2001:DB8::1 or 2400:4050:0:0::7 (see 203.0.113.0/24).");
    EXPECT_EQ(CountOf(e, IndicatorKind::kIpv4, "8.8.8.8"), 2u);
    ASSERT_TRUE(e.Find(IndicatorKind::kIpv4, "10.0.0.5"));
    EXPECT_FALSE(e.Find(IndicatorKind::kIpv4, "10.0.0.5")->Notifiable());
    EXPECT_EQ(e.Find(IndicatorKind::kIpv4, "192.0.2.1")->scope, AddressScope::kDocumentation);
    EXPECT_TRUE(e.Find(IndicatorKind::kIpv4, "8.8.8.8")->Notifiable());
    EXPECT_TRUE(e.Find(IndicatorKind::kIpv6, "2001:db8::1"));
    EXPECT_TRUE(e.Find(IndicatorKind::kIpv6, "2400:4050::7"));
    ASSERT_TRUE(e.Find(IndicatorKind::kCidr, "203.0.113.0/24"));
    EXPECT_EQ(e.Find(IndicatorKind::kCidr, "203.0.113.0/24")->scope, AddressScope::kDocumentation);
    EXPECT_EQ(e.lines, 2u);
    // Not addresses: versions, times, MACs.
    auto noise = Extract("version 1.2.3 at 12:00:01 from aa:bb:cc:dd:ee:ff build 1.2.3.4.5.6 999.1.1.1");
    EXPECT_EQ(noise.CountOf(IndicatorKind::kIpv4), 0u);
    EXPECT_EQ(noise.CountOf(IndicatorKind::kIpv6), 0u);
}

TEST(ExtractTest, DefangedFormsAreRestoredAndMarked) {
    auto e = Extract("Phishing at hxxps://login-example[.]com/secure?id=1 and hxxp://198[.]51[.]100[.]7/a\n"
                     "mail abuse[@]example(dot)jp or see evil [dot] example [dot] net, host 8.8.4[.]4");
    const Indicator* url = e.Find(IndicatorKind::kUrl, "https://login-example.com/secure?id=1");
    ASSERT_TRUE(url);
    EXPECT_TRUE(url->defanged);
    EXPECT_TRUE(e.Find(IndicatorKind::kDomain, "login-example.com"));
    ASSERT_TRUE(e.Find(IndicatorKind::kUrl, "http://198.51.100.7/a"));
    EXPECT_EQ(e.Find(IndicatorKind::kUrl, "http://198.51.100.7/a")->scope, AddressScope::kDocumentation);
    EXPECT_TRUE(e.Find(IndicatorKind::kEmail, "abuse@example.jp"));
    EXPECT_TRUE(e.Find(IndicatorKind::kDomain, "evil.example.net"));
    ASSERT_TRUE(e.Find(IndicatorKind::kIpv4, "8.8.4.4"));
    EXPECT_TRUE(e.Find(IndicatorKind::kIpv4, "8.8.4.4")->defanged);
    EXPECT_EQ(Refang("a[.]b (dot) c hXXp x[:]y"), "a.b.c http x:y");
}

TEST(ExtractTest, UrlsLoseSentencePunctuationButKeepTheirOwnBrackets) {
    auto e = Extract("See https://Example.COM/Path_(x)?q=1, or (http://example.org/a). Also <https://example.net/>.");
    EXPECT_TRUE(e.Find(IndicatorKind::kUrl, "https://example.com/Path_(x)?q=1"));
    EXPECT_TRUE(e.Find(IndicatorKind::kUrl, "http://example.org/a"));
    EXPECT_TRUE(e.Find(IndicatorKind::kUrl, "https://example.net/"));
    EXPECT_TRUE(e.Find(IndicatorKind::kDomain, "example.com"));
    auto v6 = Extract("http://[2400:4050::9]:8080/x");
    EXPECT_TRUE(v6.Find(IndicatorKind::kIpv6, "2400:4050::9"));
}

TEST(ExtractTest, BareNamesNeedARealTldAndAreNotFileNames) {
    auto e = Extract("files report.pdf install.sh main.py index.html; hosts www.example.co.jp, mail.example.com "
                     "and example.xn--zckzah; e.g. i.e. java.lang.String");
    EXPECT_TRUE(e.Find(IndicatorKind::kDomain, "www.example.co.jp"));
    EXPECT_TRUE(e.Find(IndicatorKind::kDomain, "mail.example.com"));
    EXPECT_TRUE(e.Find(IndicatorKind::kDomain, "example.xn--zckzah"));
    for (const char* not_domain : {"report.pdf", "install.sh", "main.py", "index.html", "e.g", "java.lang.string"})
        EXPECT_FALSE(e.Find(IndicatorKind::kDomain, not_domain)) << not_domain;
}

TEST(ExtractTest, EmailAddresses) {
    auto e = Extract("From: Taro <Taro.Yamada+abuse@Example.CO.JP>; cc mailto:soc@example.com, bad@@x.com, @example.com");
    EXPECT_TRUE(e.Find(IndicatorKind::kEmail, "taro.yamada+abuse@example.co.jp"));
    EXPECT_TRUE(e.Find(IndicatorKind::kEmail, "soc@example.com"));
    EXPECT_EQ(e.CountOf(IndicatorKind::kEmail), 2u);
}

TEST(ExtractTest, TargetedPortsFromFirewallFormats) {
    const std::string iptables =
        "Oct  1 12:00:01 gw kernel: [UFW BLOCK] IN=eth0 OUT= SRC=198.51.100.7 DST=203.0.113.9 LEN=40 PROTO=TCP "
        "SPT=51234 DPT=22 WINDOW=1024\n"
        "Oct  1 12:00:02 gw kernel: IN=eth0 SRC=198.51.100.8 DST=203.0.113.9 PROTO=UDP SPT=5353 DPT=1900\n";
    const std::string pf = "12:00:03.000 rule 1/0(match): block in on em0: 198.51.100.9.40000 > 203.0.113.9.445: S\n";
    const std::string windows =
        "#Fields: date time action protocol src-ip dst-ip src-port dst-port size\n"
        "2026-10-01 12:00:04 DROP TCP 198.51.100.10 203.0.113.9 40001 3389 52 S\n";
    const std::string prose = "They hit port 23 and ports 80 443, from source port 40000; also 8080/tcp and udp/53.\n";
    ExtractOptions options;
    options.default_year = 2026;
    Extractor x(options);
    x.Add(iptables);
    x.Add(pf);
    x.Add(windows);
    x.Add(prose);
    auto e = x.Finish();
    EXPECT_TRUE(Port(e, "22", "tcp"));
    EXPECT_TRUE(Port(e, "1900", "udp"));
    EXPECT_TRUE(Port(e, "445", ""));
    EXPECT_TRUE(Port(e, "3389", "tcp"));
    EXPECT_TRUE(Port(e, "23", ""));
    EXPECT_TRUE(Port(e, "80", ""));
    EXPECT_TRUE(Port(e, "443", ""));
    EXPECT_TRUE(Port(e, "8080", "tcp"));
    EXPECT_TRUE(Port(e, "53", "udp"));
    for (const char* source_port : {"51234", "5353", "40000", "40001"}) {
        for (const char* proto : {"", "tcp", "udp"}) EXPECT_FALSE(Port(e, source_port, proto)) << source_port;
    }
    EXPECT_TRUE(e.Find(IndicatorKind::kIpv4, "198.51.100.9"));
    EXPECT_TRUE(e.Find(IndicatorKind::kIpv4, "203.0.113.9"));
    EXPECT_EQ(CountOf(e, IndicatorKind::kIpv4, "203.0.113.9"), 4u);
}

TEST(ExtractTest, CsvNamesItsPortColumn) {
    auto e = Extract("timestamp,src_ip,src_port,dst_ip,dst_port,proto\n"
                     "2026-10-01T00:00:00Z,198.51.100.1,40000,203.0.113.5,23,tcp\n"
                     "2026-10-01T00:00:01Z,198.51.100.2,40001,203.0.113.5,23,tcp\n"
                     "2026-10-01T00:00:02Z,198.51.100.3,40002,203.0.113.5,123,udp\n");
    ASSERT_TRUE(Port(e, "23", "tcp"));
    EXPECT_EQ(Port(e, "23", "tcp")->count, 2u);
    EXPECT_TRUE(Port(e, "123", "udp"));
    EXPECT_FALSE(Port(e, "40000", "tcp"));
    EXPECT_EQ(e.CountOf(IndicatorKind::kIpv4), 4u);
    // The header does not carry into the next text.
    Extractor x;
    x.Add("a,dst_port\n1.1.1.1,22\n");
    x.Add("x,y\n1.1.1.1,25\n");
    auto two = x.Finish();
    EXPECT_TRUE(Port(two, "22", ""));
    EXPECT_FALSE(Port(two, "25", ""));
}

TEST(ExtractTest, TimestampsWithTheirZones) {
    ExtractOptions options;
    options.default_utc_offset_minutes = 9 * 60;
    options.default_year = 2026;
    auto e = Extract(
        "2026-10-01T12:00:01+09:00 a\n"
        "2026-10-01 12:00:02 JST b\n"
        "at 2026-10-01 03:00:03Z c\n"
        "Date: Thu, 1 Oct 2026 12:00:04 +0900\n"
        "198.51.100.1 - - [01/Oct/2026:12:00:05 +0900] \"GET / HTTP/1.1\" 200\n"
        "Oct  1 12:00:06 host sshd[1]: Failed password from 198.51.100.1\n"
        "2026/10/01 12:00:07 EST d\n"
        "2026-02-30 12:00:00 not a date\n",
        options);
    for (const char* t : {"2026-10-01T03:00:01Z", "2026-10-01T03:00:02Z", "2026-10-01T03:00:03Z", "2026-10-01T03:00:04Z",
                          "2026-10-01T03:00:05Z", "2026-10-01T03:00:06Z", "2026-10-01T17:00:07Z"})
        EXPECT_TRUE(e.Find(IndicatorKind::kTimestamp, t)) << t;
    EXPECT_TRUE(e.Find(IndicatorKind::kTimestamp, "2026-10-01T03:00:01Z")->zone_known);
    EXPECT_FALSE(e.Find(IndicatorKind::kTimestamp, "2026-10-01T03:00:06Z")->zone_known);  // syslog
    EXPECT_EQ(e.timestamps, 7u);
    // The address on the log lines carries their times as evidence.
    const Indicator* ip = e.Find(IndicatorKind::kIpv4, "198.51.100.1");
    ASSERT_TRUE(ip);
    ASSERT_TRUE(ip->first_seen && ip->last_seen);
    EXPECT_EQ(core::FormatRfc3339(*ip->first_seen), "2026-10-01T03:00:05Z");
    EXPECT_EQ(core::FormatRfc3339(*ip->last_seen), "2026-10-01T03:00:06Z");
    EXPECT_EQ(core::FormatRfc3339(*e.first_time), "2026-10-01T03:00:01Z");
}

TEST(ExtractTest, ManyDistinctAddressesAreAllKept) {
    std::string text;
    for (int a = 0; a < 50; ++a)
        for (int b = 0; b < 200; ++b)
            text += "DROP 1." + std::to_string(a) + "." + std::to_string(b) + ".9 -> 203.0.113.1:22\n";
    auto e = Extract(text);
    EXPECT_EQ(e.CountOf(IndicatorKind::kIpv4), 50u * 200u + 1u);
    EXPECT_EQ(CountOf(e, IndicatorKind::kIpv4, "203.0.113.1"), 10000u);
    ASSERT_TRUE(Port(e, "22", ""));
    EXPECT_EQ(Port(e, "22", "")->count, 10000u);
}

TEST(ExtractTest, HostileInputDoesNotBreakIt) {
    std::string junk(100000, '[');
    junk += std::string(5000, '.') + "hxxp://" + std::string(3000, '(') + "@@@::::////";
    junk.push_back('\0');
    junk += "1.1.1.1";
    auto e = Extract(junk);
    EXPECT_TRUE(e.Find(IndicatorKind::kIpv4, "1.1.1.1"));
    auto empty = Extract("");
    EXPECT_TRUE(empty.indicators.empty());
    EXPECT_EQ(empty.lines, 0u);
}

}  // namespace
}  // namespace kizuna::incident
