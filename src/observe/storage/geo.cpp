#include "observe/storage/geo.hpp"

#include <maxminddb.h>
#include <netinet/in.h>

#include <cstring>
#include <string>

#include "observe/storage/internal/country_ranges.hpp"

namespace kizuna::observe {

namespace {

// Caches are bounded so a scan from random spoofed sources cannot grow them without limit.
constexpr std::size_t kMaxCacheEntries = 4u << 20;

bool IsIpv4Mapped(const IpAddress& a) {
    static constexpr std::uint8_t kPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
    return std::memcmp(a.data(), kPrefix, 12) == 0;
}

}  // namespace

struct GeoLookup::Db {
    MMDB_s mmdb{};
    ~Db() { MMDB_close(&mmdb); }
};

std::size_t GeoLookup::V6Hash::operator()(const IpAddress& a) const {
    std::uint64_t hi = 0, lo = 0;
    std::memcpy(&hi, a.data(), 8);
    std::memcpy(&lo, a.data() + 8, 8);
    return std::hash<std::uint64_t>()(hi * 0x9E3779B97F4A7C15ULL ^ lo);
}

core::Result<std::unique_ptr<GeoLookup>> GeoLookup::Open(const std::filesystem::path& database) {
    std::unique_ptr<GeoLookup> geo(new GeoLookup());
    if (database.empty()) return geo;
    auto db = std::make_unique<Db>();
    int status = MMDB_open(database.c_str(), MMDB_MODE_MMAP, &db->mmdb);
    if (status != MMDB_SUCCESS) {
        return core::InvalidArgument("cannot open geo database " + database.string() + ": " + MMDB_strerror(status),
                                     "geo_database");
    }
    geo->db_ = std::move(db);
    return geo;
}

GeoLookup::~GeoLookup() = default;

CountryCode GeoLookup::Lookup(const IpAddress& address) {
    if (!db_) return kUnknownCountry;
    if (!flatten_tried_) {
        flatten_tried_ = true;
        auto flat = detail::FlattenCountries(db_->mmdb);
        if (flat.ok()) ranges_ = std::make_unique<detail::CountryRanges>(std::move(flat).value());
    }
    if (ranges_) {
        if (IsIpv4Mapped(address)) {
            return ranges_->v4.Find(static_cast<std::uint32_t>(address[12]) << 24 | address[13] << 16 |
                                    address[14] << 8 | address[15]);
        }
        detail::Uint128 key = 0;
        for (std::uint8_t byte : address) key = key << 8 | byte;
        return ranges_->v6.Find(key);
    }
    if (IsIpv4Mapped(address)) {
        const std::uint64_t v4 = static_cast<std::uint64_t>(address[12]) << 24 | address[13] << 16 | address[14] << 8 |
                                 address[15];
        const std::uint64_t tag = (v4 + 1) << 16;
        if (!v4_cache_.empty()) {
            const std::size_t mask = v4_cache_.size() - 1;
            std::uint64_t h = v4 * 0x9E3779B97F4A7C15ULL;
            for (std::size_t i = (h >> 32) & mask;; i = (i + 1) & mask) {
                const std::uint64_t slot = v4_cache_[i];
                if (slot == 0) break;
                if ((slot & ~0xFFFFull) == tag) {
                    return CountryCode{static_cast<char>(slot >> 8 & 0xFF), static_cast<char>(slot & 0xFF)};
                }
            }
        }
        CountryCode country = LookupUncached(address);
        if (v4_size_ >= kMaxCacheEntries) {
            v4_cache_.clear();
            v4_size_ = 0;
        }
        if ((v4_size_ + 1) * 2 > v4_cache_.size()) {
            // Grow (or start): rehash into twice the room, load factor at most 1/2.
            std::vector<std::uint64_t> old = std::move(v4_cache_);
            v4_cache_.assign(old.empty() ? 1024 : old.size() * 2, 0);
            const std::size_t mask = v4_cache_.size() - 1;
            for (std::uint64_t slot : old) {
                if (slot == 0) continue;
                std::uint64_t h = ((slot >> 16) - 1) * 0x9E3779B97F4A7C15ULL;
                std::size_t i = (h >> 32) & mask;
                while (v4_cache_[i] != 0) i = (i + 1) & mask;
                v4_cache_[i] = slot;
            }
        }
        const std::size_t mask = v4_cache_.size() - 1;
        std::uint64_t h = v4 * 0x9E3779B97F4A7C15ULL;
        std::size_t i = (h >> 32) & mask;
        while (v4_cache_[i] != 0) i = (i + 1) & mask;
        v4_cache_[i] = tag | static_cast<std::uint64_t>(static_cast<std::uint8_t>(country[0])) << 8 |
                       static_cast<std::uint8_t>(country[1]);
        ++v4_size_;
        return country;
    }
    if (auto it = v6_cache_.find(address); it != v6_cache_.end()) return it->second;
    CountryCode country = LookupUncached(address);
    if (v6_cache_.size() >= kMaxCacheEntries) v6_cache_.clear();
    v6_cache_.emplace(address, country);
    return country;
}

void GeoLookup::LookupSources(std::span<const ScanEvent> events, std::vector<CountryCode>& countries) {
    countries.resize(events.size());
    constexpr std::size_t kAhead = 16;
    for (std::size_t i = 0; i < events.size(); ++i) {
        if (i + kAhead < events.size() && !ranges_ && !v4_cache_.empty()) {
            const IpAddress& a = events[i + kAhead].source;
            const std::uint64_t v4 = static_cast<std::uint64_t>(a[12]) << 24 | a[13] << 16 | a[14] << 8 | a[15];
            __builtin_prefetch(&v4_cache_[((v4 * 0x9E3779B97F4A7C15ULL) >> 32) & (v4_cache_.size() - 1)]);
        }
        countries[i] = Lookup(events[i].source);
    }
}

CountryCode GeoLookup::LookupUncached(const IpAddress& address) {
    ++misses_;
    int mmdb_error = MMDB_SUCCESS;
    MMDB_lookup_result_s result;
    if (IsIpv4Mapped(address)) {
        sockaddr_in sin{};
        sin.sin_family = AF_INET;
        std::memcpy(&sin.sin_addr, address.data() + 12, 4);
        result = MMDB_lookup_sockaddr(&db_->mmdb, reinterpret_cast<const sockaddr*>(&sin), &mmdb_error);
    } else {
        sockaddr_in6 sin6{};
        sin6.sin6_family = AF_INET6;
        std::memcpy(&sin6.sin6_addr, address.data(), 16);
        result = MMDB_lookup_sockaddr(&db_->mmdb, reinterpret_cast<const sockaddr*>(&sin6), &mmdb_error);
    }
    if (mmdb_error != MMDB_SUCCESS || !result.found_entry) return kUnknownCountry;
    return detail::CountryOfEntry(&result.entry);
}

}  // namespace kizuna::observe
