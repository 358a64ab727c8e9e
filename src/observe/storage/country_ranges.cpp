#include "observe/storage/internal/country_ranges.hpp"

#include <maxminddb.h>

#include <unordered_map>

namespace kizuna::observe::detail {

namespace {

class TreeWalker {
  public:
    TreeWalker(const MMDB_s& mmdb, std::size_t max_ranges) : mmdb_(mmdb), max_ranges_(max_ranges) {}

    // Emits every leaf below `node` (whose subtree covers `bits - depth` address bits after `prefix`) in
    // address order.
    template <typename Table, typename Key>
    core::Status Walk(std::uint32_t node, Key prefix, int depth, int bits, Table& table) {
        MMDB_search_node_s n{};
        if (MMDB_read_node(&mmdb_, node, &n) != MMDB_SUCCESS) return core::DataLoss("geo database: unreadable node");
        for (int side = 0; side < 2; ++side) {
            const Key child = prefix | (static_cast<Key>(side) << (bits - depth - 1));
            const std::uint8_t type = side == 0 ? n.left_record_type : n.right_record_type;
            const std::uint64_t record = side == 0 ? n.left_record : n.right_record;
            const MMDB_entry_s& entry = side == 0 ? n.left_record_entry : n.right_record_entry;
            switch (type) {
                case MMDB_RECORD_TYPE_SEARCH_NODE:
                    if (depth + 1 >= bits) return core::DataLoss("geo database: search tree deeper than the address");
                    KZ_TRY(Walk(static_cast<std::uint32_t>(record), child, depth + 1, bits, table));
                    break;
                case MMDB_RECORD_TYPE_DATA:
                    KZ_TRY(Leaf(table, child, Country(entry)));
                    break;
                case MMDB_RECORD_TYPE_EMPTY:
                    KZ_TRY(Leaf(table, child, kUnknownCountry));
                    break;
                default:
                    return core::DataLoss("geo database: invalid record");
            }
        }
        return core::Ok();
    }

    // The record a lookup of `bits` zero bits from node 0 ends in: the IPv4 subtree of an IPv6 database
    // (libmaxminddb's ipv4_start_node). Sets *node, or *leaf when a data/empty record covers all of it.
    core::Status Descend(int zero_bits, std::uint32_t* node, std::optional<CountryCode>* leaf) {
        std::uint32_t current = 0;
        for (int i = 0; i < zero_bits; ++i) {
            MMDB_search_node_s n{};
            if (MMDB_read_node(&mmdb_, current, &n) != MMDB_SUCCESS) return core::DataLoss("geo database: unreadable node");
            if (n.left_record_type == MMDB_RECORD_TYPE_SEARCH_NODE) {
                current = static_cast<std::uint32_t>(n.left_record);
                continue;
            }
            if (n.left_record_type == MMDB_RECORD_TYPE_DATA) {
                *leaf = Country(n.left_record_entry);
            } else if (n.left_record_type == MMDB_RECORD_TYPE_EMPTY) {
                *leaf = kUnknownCountry;
            } else {
                return core::DataLoss("geo database: invalid record");
            }
            return core::Ok();
        }
        *node = current;
        return core::Ok();
    }

  private:
    template <typename Table, typename Key>
    core::Status Leaf(Table& table, Key start, CountryCode country) {
        if (++leaves_ > max_ranges_) return core::ResourceExhausted("geo database: too many networks to flatten");
        table.Add(start, country);
        return core::Ok();
    }
    CountryCode Country(const MMDB_entry_s& entry) {
        auto [it, inserted] = by_offset_.try_emplace(entry.offset, kUnknownCountry);
        if (inserted) it->second = CountryOfEntry(&entry);
        return it->second;
    }

    const MMDB_s& mmdb_;
    std::size_t max_ranges_;
    std::size_t leaves_ = 0;
    std::unordered_map<std::uint32_t, CountryCode> by_offset_;  // data entries are shared by many networks
};

}  // namespace

CountryCode CountryOfEntry(const void* mmdb_entry) {
    MMDB_entry_s entry = *static_cast<const MMDB_entry_s*>(mmdb_entry);
    MMDB_entry_data_s data{};
    if (MMDB_get_value(&entry, &data, "country_code", nullptr) != MMDB_SUCCESS || !data.has_data ||
        data.type != MMDB_DATA_TYPE_UTF8_STRING || data.data_size != 2) {
        return kUnknownCountry;
    }
    CountryCode country{data.utf8_string[0], data.utf8_string[1]};
    for (char& c : country) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        if (c < 'A' || c > 'Z') return kUnknownCountry;
    }
    return country;
}

core::Result<CountryRanges> FlattenCountries(const MMDB_s& mmdb, std::size_t max_ranges) {
    CountryRanges ranges;
    TreeWalker walker(mmdb, max_ranges);
    const bool ipv6_database = mmdb.metadata.ip_version == 6;
    // IPv4 lookups start below 96 zero bits in an IPv6 database, at the root in an IPv4 one.
    std::uint32_t v4_root = 0;
    std::optional<CountryCode> v4_leaf;
    if (ipv6_database) KZ_TRY(walker.Descend(96, &v4_root, &v4_leaf));
    if (v4_leaf) {
        ranges.v4.Add(0, *v4_leaf);
    } else {
        KZ_TRY(walker.Walk(v4_root, std::uint32_t{0}, 0, 32, ranges.v4));
    }
    if (ipv6_database) {
        KZ_TRY(walker.Walk(0, Uint128{0}, 0, 128, ranges.v6));
    } else {
        ranges.v6.Add(0, kUnknownCountry);  // libmaxminddb refuses IPv6 lookups in an IPv4 database
    }
    ranges.v4.Finish();
    ranges.v6.Finish();
    return ranges;
}

}  // namespace kizuna::observe::detail
