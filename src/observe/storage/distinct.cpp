// Unique sources and targets per (port, UTC day) from the embedded store's raw events, with a per-day cache
// validated against the rollups' packet totals (see distinct.hpp for the contract and the invalidation rule).
#include "observe/storage/distinct.hpp"

#include <cstring>
#include <mutex>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "observe/storage/rollup.hpp"

namespace kizuna::observe {
namespace {

struct AddressHash {
    std::size_t operator()(const IpAddress& a) const noexcept {
        std::uint64_t hi = 0, lo = 0;
        std::memcpy(&hi, a.data(), 8);
        std::memcpy(&lo, a.data() + 8, 8);
        // Mix both halves (IPv4-mapped addresses differ only in the low half).
        std::uint64_t h = lo * 0x9E3779B97F4A7C15ULL ^ (hi + 0x632BE59BD9B4E019ULL + (lo << 6) + (lo >> 2));
        return static_cast<std::size_t>(h ^ (h >> 29));
    }
};
using AddressSet = std::unordered_set<IpAddress, AddressHash>;

// The rollups' port key of an event: ICMP/ICMPv6 type * 256 + code, else the destination port.
std::uint32_t RollupKey(std::uint8_t protocol, std::uint16_t dst_port, std::uint8_t icmp_type, std::uint8_t icmp_code) {
    const bool icmp = protocol == static_cast<std::uint8_t>(Protocol::kIcmp) ||
                      protocol == static_cast<std::uint8_t>(Protocol::kIcmpv6);
    const std::uint16_t port = icmp ? static_cast<std::uint16_t>(icmp_type << 8 | icmp_code) : dst_port;
    return static_cast<std::uint32_t>(protocol) << 16 | port;
}
std::uint32_t RollupKey(const PortKey& k) { return static_cast<std::uint32_t>(k.protocol) << 16 | k.port; }

struct CacheKey {
    PortKey port;
    std::int64_t day;
    friend auto operator<=>(const CacheKey&, const CacheKey&) = default;
};
struct CacheEntry {
    std::uint64_t packets;  // the port's rollup total of the day when counted: the validator
    std::uint64_t sources;
    std::uint64_t targets;
};

class StoreDistinctCounts final : public DistinctCounts {
  public:
    explicit StoreDistinctCounts(const EventStore& store) : store_(store) {}

    core::Result<std::map<PortKey, std::vector<UniqueDay>>> Daily(const std::vector<PortKey>& ports,
                                                                  TimeRange range) const override {
        if (range.to <= range.from) return core::InvalidArgument("the end of the period must be after its start", "to");
        const std::int64_t first_day = Rollups::FloorDiv(range.from.micros_since_epoch, kDayMicros);
        const std::int64_t last_day = Rollups::FloorDiv(range.to.micros_since_epoch - 1, kDayMicros);
        if (last_day - first_day >= kMaxDistinctDays) return core::InvalidArgument("period too long", "from");
        const std::set<PortKey> unique_ports(ports.begin(), ports.end());

        // Validators first (read before any scan: events arriving meanwhile make the entry stale, never wrong).
        // One day table per day (SumPorts), whatever the number of ports: a warm page view costs days, not
        // ports x hours x sensors.
        std::map<CacheKey, std::uint64_t> totals;
        std::vector<std::uint64_t> day_totals;
        for (std::int64_t day = first_day; day <= last_day; ++day) {
            day_totals.assign(std::size_t{4} << 16, 0);
            store_.SumPorts({PacketTime{day * kDayMicros}, PacketTime{(day + 1) * kDayMicros}}, day_totals);
            for (const PortKey& p : unique_ports) {
                const std::size_t index =
                    std::size_t{ProtocolIndex(static_cast<std::uint8_t>(p.protocol))} << 16 | p.port;
                if (day_totals[index] > 0) totals[{p, day}] = day_totals[index];
            }
        }
        std::map<CacheKey, CacheEntry> known;
        std::map<std::int64_t, std::vector<PortKey>> to_scan;  // day -> ports whose entry is missing or stale
        {
            std::lock_guard lock(mu_);
            for (const auto& [key, packets] : totals) {
                if (packets == 0) continue;
                auto it = cache_.find(key);
                if (it != cache_.end() && it->second.packets == packets) known[key] = it->second;
                else to_scan[key.day].push_back(key.port);
            }
        }
        for (const auto& [day, day_ports] : to_scan) {
            KZ_TRY(ScanDay(day, day_ports, totals, known));
        }

        std::map<PortKey, std::vector<UniqueDay>> out;
        for (const PortKey& p : unique_ports) {
            std::vector<UniqueDay>& series = out[p];
            series.reserve(static_cast<std::size_t>(last_day - first_day + 1));
            for (std::int64_t day = first_day; day <= last_day; ++day) {
                UniqueDay u{day * kDayMicros, 0, 0};
                if (auto it = known.find({p, day}); it != known.end()) {
                    u.sources = it->second.sources;
                    u.targets = it->second.targets;
                }
                series.push_back(u);
            }
        }
        return out;
    }

  private:
    // One raw scan of UTC day `day` counting every port of `ports` at once; results go to `known` and the cache.
    core::Status ScanDay(std::int64_t day, const std::vector<PortKey>& ports,
                         const std::map<CacheKey, std::uint64_t>& totals, std::map<CacheKey, CacheEntry>& known) const {
        std::unordered_map<std::uint32_t, std::size_t> index;
        std::vector<AddressSet> sources(ports.size()), targets(ports.size());
        std::set<Protocol> protocols;
        for (std::size_t i = 0; i < ports.size(); ++i) {
            index[RollupKey(ports[i])] = i;
            protocols.insert(ports[i].protocol);
        }
        ScanFilter filter;
        filter.range = {PacketTime{day * kDayMicros}, PacketTime{(day + 1) * kDayMicros}};
        // Let the zone maps prune what they can: one protocol, and one port when it is a real port.
        if (protocols.size() == 1) filter.protocol = *protocols.begin();
        if (ports.size() == 1 && ports[0].protocol != Protocol::kIcmp && ports[0].protocol != Protocol::kIcmpv6)
            filter.destination_port = ports[0].port;
        // Read only what the count needs (ports, ICMP type/code, addresses, packets; time for the range).
        filter.columns = column::kTime | column::kProtocol | column::kDestinationPort | column::kIcmpType |
                         column::kIcmpCode | column::kSource | column::kDestination | column::kPackets;
        KZ_TRY(store_.Scan(filter, [&](const EventColumns& c) {
            for (std::size_t row = 0; row < c.size; ++row) {
                if (c.packets[row] == 0 || !filter.range.Contains(PacketTime{c.time_micros[row]})) continue;
                auto it = index.find(RollupKey(c.protocol[row], c.destination_port[row], c.icmp_type[row], c.icmp_code[row]));
                if (it == index.end()) continue;
                sources[it->second].insert(c.source[row]);
                targets[it->second].insert(c.destination[row]);
            }
            return true;
        }));
        std::lock_guard lock(mu_);
        if (cache_.size() + ports.size() > kMaxCachedDays) cache_.clear();  // bounded: start over rather than grow
        for (std::size_t i = 0; i < ports.size(); ++i) {
            const CacheKey key{ports[i], day};
            const CacheEntry entry{totals.at(key), sources[i].size(), targets[i].size()};
            cache_[key] = entry;
            known[key] = entry;
        }
        return core::Ok();
    }

    const EventStore& store_;
    mutable std::mutex mu_;
    mutable std::map<CacheKey, CacheEntry> cache_;
};

}  // namespace

std::unique_ptr<DistinctCounts> MakeStoreDistinctCounts(const EventStore& store) {
    return std::make_unique<StoreDistinctCounts>(store);
}

}  // namespace kizuna::observe
