// The flattened country ranges (issue 14) answer exactly as libmaxminddb does, at every network boundary of
// the databases scripts/setup.sh installs: the combined IPv4+IPv6 database, the IPv4-only and the IPv6-only
// one. The networks are enumerated through libmaxminddb's own lookup (each answer's netmask gives the
// network's end, the next network starts after it), independently of the tree walk under test; the first and
// last address of every network, and one in between, must get libmaxminddb's country.
#include <gtest/gtest.h>
#include <maxminddb.h>
#include <netinet/in.h>

#include <cstring>
#include <filesystem>
#include <string>

#include "observe/storage/geo.hpp"

namespace kizuna::observe {
namespace {

using Uint128 = unsigned __int128;

std::string Database(const std::string& name) {
    return std::string(KIZUNA_SOURCE_DIR) + "/third_party/geo/node_modules/@ip-location-db/geo-whois-asn-country-mmdb/" +
           name;
}

class Mmdb {
  public:
    explicit Mmdb(const std::string& path) { ok_ = MMDB_open(path.c_str(), MMDB_MODE_MMAP, &db_) == MMDB_SUCCESS; }
    ~Mmdb() {
        if (ok_) MMDB_close(&db_);
    }
    bool ok() const { return ok_; }
    int ip_version() const { return db_.metadata.ip_version; }
    // libmaxminddb's answer for `address` (IPv4 when v4), and the prefix length of the network holding it.
    CountryCode Lookup(const IpAddress& address, bool v4, int* prefix) {
        int error = MMDB_SUCCESS;
        MMDB_lookup_result_s result;
        if (v4) {
            sockaddr_in sin{};
            sin.sin_family = AF_INET;
            std::memcpy(&sin.sin_addr, address.data() + 12, 4);
            result = MMDB_lookup_sockaddr(&db_, reinterpret_cast<const sockaddr*>(&sin), &error);
        } else {
            sockaddr_in6 sin6{};
            sin6.sin6_family = AF_INET6;
            std::memcpy(&sin6.sin6_addr, address.data(), 16);
            result = MMDB_lookup_sockaddr(&db_, reinterpret_cast<const sockaddr*>(&sin6), &error);
        }
        *prefix = result.netmask;
        if (v4 && ip_version() == 6) *prefix = std::max(0, *prefix - 96);  // netmask counts the ::/96 above IPv4
        if (error != MMDB_SUCCESS || !result.found_entry) return kUnknownCountry;
        MMDB_entry_data_s data{};
        if (MMDB_get_value(&result.entry, &data, "country_code", nullptr) != MMDB_SUCCESS || !data.has_data ||
            data.type != MMDB_DATA_TYPE_UTF8_STRING || data.data_size != 2) {
            return kUnknownCountry;
        }
        CountryCode c{data.utf8_string[0], data.utf8_string[1]};
        for (char& ch : c) {
            if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
            if (ch < 'A' || ch > 'Z') return kUnknownCountry;
        }
        return c;
    }

  private:
    MMDB_s db_{};
    bool ok_ = false;
};

IpAddress FromV4(std::uint32_t v4) {
    return IpAddress{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, static_cast<std::uint8_t>(v4 >> 24),
                     static_cast<std::uint8_t>(v4 >> 16), static_cast<std::uint8_t>(v4 >> 8), static_cast<std::uint8_t>(v4)};
}
IpAddress FromV6(Uint128 v6) {
    IpAddress a{};
    for (int i = 15; i >= 0; --i, v6 >>= 8) a[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v6);
    return a;
}
bool IsMapped(const IpAddress& a) {
    static constexpr std::uint8_t kPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
    return std::memcmp(a.data(), kPrefix, 12) == 0;
}

struct Counts {
    std::uint64_t networks = 0;
    std::uint64_t known = 0;  // networks with a country
};

Counts CheckEveryIpv4Network(Mmdb& mmdb, GeoLookup& geo) {
    Counts counts;
    for (std::uint64_t start = 0; start <= 0xFFFFFFFFull;) {
        int prefix = 0;
        const CountryCode expected = mmdb.Lookup(FromV4(static_cast<std::uint32_t>(start)), true, &prefix);
        const std::uint64_t end = start | ((std::uint64_t{1} << (32 - prefix)) - 1);
        for (std::uint64_t probe : {start, start + (end - start) / 2, end}) {
            const CountryCode got = geo.Lookup(FromV4(static_cast<std::uint32_t>(probe)));
            if (got != expected) {
                ADD_FAILURE() << "IPv4 " << std::hex << probe << ": got " << got[0] << got[1] << ", libmaxminddb "
                              << expected[0] << expected[1];
                return counts;
            }
        }
        ++counts.networks;
        counts.known += expected != kUnknownCountry;
        start = end + 1;
    }
    return counts;
}

Counts CheckEveryIpv6Network(Mmdb& mmdb, GeoLookup& geo) {
    Counts counts;
    const Uint128 max = ~Uint128{0};
    for (Uint128 start = 0;;) {
        int prefix = 0;
        const CountryCode expected = mmdb.Lookup(FromV6(start), false, &prefix);
        const Uint128 size_minus_one = prefix == 0 ? max : (Uint128{1} << (128 - prefix)) - 1;
        const Uint128 end = start | size_minus_one;
        for (Uint128 probe : {start, start + (end - start) / 2, end}) {
            const IpAddress address = FromV6(probe);
            // GeoLookup answers ::ffff:a.b.c.d as the IPv4 address a.b.c.d (how decoded IPv4 sources are
            // stored); libmaxminddb's IPv6 answer there is the same network through the database's alias.
            if (IsMapped(address) && mmdb.ip_version() == 6) continue;
            const CountryCode got = geo.Lookup(address);
            if (got != expected) {
                ADD_FAILURE() << "IPv6 network " << counts.networks << " /" << prefix << ": got " << got[0] << got[1]
                              << ", libmaxminddb " << expected[0] << expected[1];
                return counts;
            }
        }
        ++counts.networks;
        counts.known += expected != kUnknownCountry;
        if (end == max) break;
        start = end + 1;
    }
    return counts;
}

class GeoRangesTest : public ::testing::TestWithParam<const char*> {};

TEST_P(GeoRangesTest, EveryNetworkBoundaryAnswersAsLibmaxminddb) {
    const std::string path = Database(GetParam());
    ASSERT_TRUE(std::filesystem::exists(path)) << "country database missing: run scripts/setup.sh";
    Mmdb mmdb(path);
    ASSERT_TRUE(mmdb.ok());
    auto geo = GeoLookup::Open(path);
    ASSERT_TRUE(geo.ok()) << geo.error().ToString();
    (void)(*geo)->Lookup(FromV4(0));
    ASSERT_TRUE((*geo)->flattened());
    const std::uint64_t misses = (*geo)->cache_misses();

    Counts v4 = CheckEveryIpv4Network(mmdb, **geo);
    Counts v6 = CheckEveryIpv6Network(mmdb, **geo);
    EXPECT_EQ((*geo)->cache_misses(), misses);  // no tree walk per address
    const std::string name = GetParam();
    if (name.find("ipv6") == std::string::npos) {
        EXPECT_GT(v4.known, 50'000u) << name;
    }
    if (name.find("ipv4") == std::string::npos) {
        EXPECT_GT(v6.known, 10'000u) << name;
    }
    RecordProperty("ipv4_networks", std::to_string(v4.networks));
    RecordProperty("ipv6_networks", std::to_string(v6.networks));
}

INSTANTIATE_TEST_SUITE_P(Databases, GeoRangesTest,
                         ::testing::Values("geo-whois-asn-country.mmdb", "geo-whois-asn-country-ipv4.mmdb",
                                           "geo-whois-asn-country-ipv6.mmdb"));

}  // namespace
}  // namespace kizuna::observe
