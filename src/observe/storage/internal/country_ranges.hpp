// CountryRanges: a MaxMind country database flattened into sorted address ranges (issue 14). The search tree
// is walked once; every leaf becomes a range [start, next start) with its country ("ZZ" for empty leaves),
// neighbours with the same country are merged, and a 65536-entry index on the top 16 bits narrows each lookup
// to the few ranges of one /16 (IPv4) or one /16 of IPv6 space: a lookup is an index load and a short binary
// search instead of a tree walk of up to 128 node reads plus a data-section decode. Answers equal
// libmaxminddb's (tests/observe/geo_test.cpp checks every network boundary).
//
// Not thread-safe to build; Find() is const and may be called from several threads once built.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/result.hpp"
#include "observe/storage/event_store.hpp"

struct MMDB_s;  // libmaxminddb's database handle; <maxminddb.h> stays out of our headers

namespace kizuna::observe::detail {

using Uint128 = unsigned __int128;

// Ranges over a `kBits`-bit address space (32 or 128). Add() ranges in ascending order of start, the first
// at 0; Finish() before Find().
template <typename Key, int kBits>
class RangeTable {
  public:
    void Add(Key start, CountryCode country) {
        if (!countries_.empty() && countries_.back() == country) return;  // extends the previous range
        starts_.push_back(start);
        countries_.push_back(country);
    }
    void Finish() {
        index_.assign(kBuckets + 1, 0);
        std::size_t range = 0;
        for (std::size_t bucket = 0; bucket < kBuckets; ++bucket) {
            const Key bucket_start = static_cast<Key>(bucket) << (kBits - 16);
            while (range + 1 < starts_.size() && starts_[range + 1] <= bucket_start) ++range;
            index_[bucket] = static_cast<std::uint32_t>(range);
        }
        index_[kBuckets] = static_cast<std::uint32_t>(starts_.empty() ? 0 : starts_.size() - 1);
    }
    CountryCode Find(Key address) const {
        const auto bucket = static_cast<std::size_t>(address >> (kBits - 16));
        // The range holding `address` is the last one starting at or before it; it lies between the ranges
        // holding this bucket's start and the next bucket's start.
        const Key* first = starts_.data() + index_[bucket];
        const Key* last = starts_.data() + index_[bucket + 1] + 1;
        const Key* after = std::upper_bound(first + 1, last, address);
        return countries_[static_cast<std::size_t>(after - 1 - starts_.data())];
    }
    std::size_t size() const { return starts_.size(); }
    Key start(std::size_t i) const { return starts_[i]; }
    CountryCode country(std::size_t i) const { return countries_[i]; }
    bool empty() const { return starts_.empty(); }

  private:
    static constexpr std::size_t kBuckets = 65536;
    std::vector<Key> starts_;
    std::vector<CountryCode> countries_;
    std::vector<std::uint32_t> index_;
};

struct CountryRanges {
    RangeTable<std::uint32_t, 32> v4;  // what libmaxminddb answers for an AF_INET lookup
    RangeTable<Uint128, 128> v6;       // ... for an AF_INET6 lookup (IPv4-mapped included)
};

// Walks the database's search tree. kDataLoss for a malformed tree, kResourceExhausted beyond `max_ranges`
// leaves (a database whose aliases make the walk explode); the caller then keeps using libmaxminddb.
core::Result<CountryRanges> FlattenCountries(const MMDB_s& mmdb, std::size_t max_ranges = 8u << 20);

// The country of a data entry as GeoLookup stores it: "country_code", upper case, or "ZZ".
CountryCode CountryOfEntry(const void* mmdb_entry);

}  // namespace kizuna::observe::detail
