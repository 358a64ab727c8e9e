// GeoLookup: source address -> country (ISO 3166-1 alpha-2) from a MaxMind-format database through
// libmaxminddb (the setup installs the NRO-derived, CC BY 4.0 database from the npm package
// @ip-location-db/geo-whois-asn-country-mmdb). At the first lookup the database's search tree is flattened
// into sorted IPv4 and IPv6 ranges with a /16 index (internal/country_ranges.hpp): every lookup, also of a
// source never seen before (a /8 darknet sees millions), is an index load and a short binary search, with
// the same answers as libmaxminddb. Should the tree not flatten (malformed, or absurdly many networks), each
// address is looked up through libmaxminddb and cached. Unknown addresses, and every address when no
// database is given, map to "ZZ". Not thread-safe (the EventStore calls it under its append lock).
#pragma once

#include <filesystem>
#include <memory>
#include <span>
#include <unordered_map>
#include <vector>

#include "core/result.hpp"
#include "observe/storage/event_store.hpp"
#include "observe/storage/rollup.hpp"
#include "observe/capture/scan_event.hpp"

namespace kizuna::observe {

namespace detail {
struct CountryRanges;
}

class GeoLookup {
  public:
    // Empty path: no database, everything is "ZZ". kInvalidArgument (field "geo_database") when the file
    // cannot be opened as an MMDB database.
    static core::Result<std::unique_ptr<GeoLookup>> Open(const std::filesystem::path& database);
    ~GeoLookup();
    GeoLookup(const GeoLookup&) = delete;
    GeoLookup& operator=(const GeoLookup&) = delete;

    CountryCode Lookup(const IpAddress& address);
    // countries[i] = Lookup(events[i].source) for every event, prefetching the cache slots a few events
    // ahead (a large batch of scattered sources is bound by cache misses, not by work).
    void LookupSources(std::span<const ScanEvent> events, std::vector<CountryCode>& countries);

    bool has_database() const { return db_ != nullptr; }
    // Whether lookups use the flattened ranges (after the first lookup), for tests and benchmarks.
    bool flattened() const { return ranges_ != nullptr; }
    std::uint64_t cache_misses() const { return misses_; }

  private:
    struct Db;
    GeoLookup() = default;
    CountryCode LookupUncached(const IpAddress& address);

    std::unique_ptr<Db> db_;
    std::unique_ptr<detail::CountryRanges> ranges_;
    bool flatten_tried_ = false;
    // IPv4 address -> country: open addressing over one array of (address + 1) << 16 | country[0] << 8 |
    // country[1] (0 = empty), so a lookup touches one cache line.
    std::vector<std::uint64_t> v4_cache_;
    std::size_t v4_size_ = 0;
    struct V6Hash {
        std::size_t operator()(const IpAddress& a) const;
    };
    std::unordered_map<IpAddress, CountryCode, V6Hash> v6_cache_;
    std::uint64_t misses_ = 0;
};

}  // namespace kizuna::observe
