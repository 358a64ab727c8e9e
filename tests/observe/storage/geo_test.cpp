// GeoLookup against the country database scripts/setup.sh installs (ip-location-db, CC BY 4.0).
#include "observe/storage/geo.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/temp_dir.hpp"

namespace kizuna::observe {
namespace {

std::string Database() {
    return std::string(KIZUNA_SOURCE_DIR) +
           "/third_party/geo/node_modules/@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb";
}

IpAddress V4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
    return IpAddress{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, a, b, c, d};
}

TEST(GeoLookupTest, CountriesFromTheDatabaseAndZzOtherwise) {
    ASSERT_TRUE(std::filesystem::exists(Database())) << "country database missing: run scripts/setup.sh";
    auto geo = GeoLookup::Open(Database());
    ASSERT_TRUE(geo.ok()) << geo.error().ToString();
    EXPECT_EQ((*geo)->Lookup(V4(8, 8, 8, 8)), (CountryCode{'U', 'S'}));
    EXPECT_EQ((*geo)->Lookup(V4(133, 1, 2, 3)), (CountryCode{'J', 'P'}));  // JPNIC
    EXPECT_EQ((*geo)->Lookup(V4(10, 0, 0, 1)), kUnknownCountry);           // private: not in the data
    EXPECT_EQ((*geo)->Lookup(V4(192, 0, 2, 1)), kUnknownCountry);          // documentation range
    IpAddress v6{0x24, 0x04, 0x68, 0x00};                                  // 2404:6800::/32 (Google, AU registry)
    CountryCode six = (*geo)->Lookup(v6);
    EXPECT_NE(six, kUnknownCountry);
    // Repeated (and new) sources are answered from the flattened ranges, without a libmaxminddb lookup.
    std::uint64_t misses = (*geo)->cache_misses();
    for (int i = 0; i < 100; ++i) EXPECT_EQ((*geo)->Lookup(V4(8, 8, 8, 8)), (CountryCode{'U', 'S'}));
    EXPECT_EQ((*geo)->Lookup(v6), six);
    EXPECT_EQ((*geo)->cache_misses(), misses);
    EXPECT_TRUE((*geo)->flattened());
}

TEST(GeoLookupTest, NoDatabaseMeansUnknownAndABadFileIsAnError) {
    auto none = GeoLookup::Open({});
    ASSERT_TRUE(none.ok());
    EXPECT_FALSE((*none)->has_database());
    EXPECT_EQ((*none)->Lookup(V4(8, 8, 8, 8)), kUnknownCountry);
    testing::TempDir tmp;
    std::ofstream(tmp.File("bad.mmdb")) << "not a database";
    auto bad = GeoLookup::Open(tmp.File("bad.mmdb"));
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().field(), "geo_database");
}

}  // namespace
}  // namespace kizuna::observe
