// Rollups kept at ingest: per hour, packets by (sensor, protocol, destination port) and by (sensor, source
// country), and which sensors were up. ICMP type/code live in the port table (port = type * 256 + code).
// In memory only; the store persists them in its checkpoint and rebuilds the rest from segment blocks.
// Not thread-safe: the EventStore guards it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <span>
#include <vector>

#include "observe/storage/event_store.hpp"

namespace kizuna::observe {

// Open-addressing hash map from a 64-bit key (never ~0) to a 64-bit count. No per-insert allocation.
class FlatCounter {
  public:
    static constexpr std::uint64_t kEmpty = ~0ull;

    void Add(std::uint64_t key, std::uint64_t amount) {
        if ((size_ + 1) * 4 > keys_.size() * 3) Grow();
        std::size_t mask = keys_.size() - 1;
        std::size_t i = Hash(key) & mask;
        for (;;) {
            if (keys_[i] == key) {
                values_[i] += amount;
                return;
            }
            if (keys_[i] == kEmpty) {
                keys_[i] = key;
                values_[i] = amount;
                ++size_;
                return;
            }
            i = (i + 1) & mask;
        }
    }
    // 0 when absent.
    std::uint64_t Get(std::uint64_t key) const;
    std::size_t size() const { return size_; }
    template <typename F>
    void ForEach(F&& f) const {
        for (std::size_t i = 0; i < keys_.size(); ++i) {
            if (keys_[i] != kEmpty) f(keys_[i], values_[i]);
        }
    }

  private:
    static std::uint64_t Hash(std::uint64_t k) {
        k ^= k >> 33;
        k *= 0xff51afd7ed558ccdULL;
        k ^= k >> 33;
        return k;
    }
    void Grow();

    std::vector<std::uint64_t> keys_;
    std::vector<std::uint64_t> values_;
    std::size_t size_ = 0;
};

// Protocol <-> 2-bit index used inside rollup keys.
// tcp 0, udp 1, icmp 2, icmpv6 3 (anything else counts as tcp)
inline unsigned ProtocolIndex(std::uint8_t protocol) {
    switch (protocol) {
        case static_cast<std::uint8_t>(Protocol::kUdp): return 1;
        case static_cast<std::uint8_t>(Protocol::kIcmp): return 2;
        case static_cast<std::uint8_t>(Protocol::kIcmpv6): return 3;
        default: return 0;
    }
}
Protocol ProtocolFromIndex(unsigned index);

struct HourRollup {
    FlatCounter ports;      // key: sensor << 18 | protocol index << 16 | port
    FlatCounter countries;  // key: sensor << 16 | country[0] << 8 | country[1]
    std::vector<std::uint64_t> active;  // bit per sensor id
    void MarkActive(std::uint32_t sensor) {
        if (active.size() <= sensor / 64) active.resize(sensor / 64 + 1, 0);
        active[sensor / 64] |= 1ull << (sensor % 64);
    }
    bool IsActive(std::uint32_t sensor) const {
        return sensor / 64 < active.size() && (active[sensor / 64] >> (sensor % 64) & 1) != 0;
    }
};

class Rollups {
  public:
    // Adds one event's packets. `hour` = floor(time / kBinMicros).
    void AddEvent(std::int64_t time_micros, std::uint32_t sensor, std::uint8_t protocol, std::uint16_t destination_port,
                  std::uint8_t icmp_type, std::uint8_t icmp_code, CountryCode country, std::uint32_t packets) {
        HourRollup& h = Hour(FloorDiv(time_micros, kBinMicros));
        unsigned proto = ProtocolIndex(protocol);
        std::uint16_t port = proto >= 2 ? static_cast<std::uint16_t>(icmp_type << 8 | icmp_code) : destination_port;
        h.ports.Add(static_cast<std::uint64_t>(sensor) << 18 | proto << 16 | port, packets);
        DayPorts(FloorDiv(time_micros, kDayMicros)).Add(proto << 16 | port, packets);
        h.countries.Add(static_cast<std::uint64_t>(sensor) << 16 | static_cast<std::uint8_t>(country[0]) << 8 |
                            static_cast<std::uint8_t>(country[1]),
                        packets);
        if (!h.IsActive(sensor)) Activate(last_hour_, h, sensor);
    }
    // AddEvent for every events[i] with countries[i] of one sensor (what AppendBatch stores), with the
    // same result. Faster: hour and day are found by comparing against the current bin instead of dividing,
    // and each hour's packets are first summed in dense per-port and per-country arrays, then added to the
    // hash tables once per distinct key. Returns the sum of the events' packets.
    std::uint64_t AddEvents(std::uint32_t sensor, std::span<const ScanEvent> events,
                            std::span<const CountryCode> countries);
    void MarkActive(std::int64_t hour, std::uint32_t sensor) {
        HourRollup& h = Hour(hour);
        if (!h.IsActive(sensor)) Activate(hour, h, sensor);
    }

    const std::map<std::int64_t, HourRollup>& hours() const { return hours_; }
    // Per UTC day, packets by (protocol index << 16 | port) over all sensors: what top-port rankings over
    // long periods read (a year is 365 small tables, not every hour x sensor x port). Derived from the hour
    // tables, so not part of the checkpoint.
    const std::map<std::int64_t, FlatCounter>& day_ports() const { return day_ports_; }
    // Per UTC day: sensor-hours up and hours with any sensor up (what per-sensor averages divide by), kept
    // as hours become active. Derived from the hour tables, so not part of the checkpoint.
    struct DayActivity {
        std::uint64_t sensor_hours = 0;
        std::uint64_t covered_hours = 0;
    };
    const std::map<std::int64_t, DayActivity>& day_activity() const { return day_activity_; }
    HourRollup& Hour(std::int64_t hour) {
        if (last_ != nullptr && last_hour_ == hour) return *last_;
        last_ = &hours_[hour];
        last_hour_ = hour;
        return *last_;
    }

    static std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
        std::int64_t q = a / b;
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
    }

    // Serialisation for the checkpoint (appends to / reads from a byte buffer).
    void Serialize(std::vector<std::uint8_t>& out) const;
    // Returns false when the bytes are malformed; `pos` advances past what was read.
    bool Deserialize(const std::vector<std::uint8_t>& in, std::size_t& pos);

  private:
    void Activate(std::int64_t hour, HourRollup& h, std::uint32_t sensor) {
        bool was_empty = std::all_of(h.active.begin(), h.active.end(), [](std::uint64_t w) { return w == 0; });
        h.MarkActive(sensor);
        DayActivity& d = day_activity_[FloorDiv(hour * kBinMicros, kDayMicros)];
        d.sensor_hours += 1;
        if (was_empty) d.covered_hours += 1;
    }
    FlatCounter& DayPorts(std::int64_t day) {
        if (last_day_ports_ != nullptr && last_day_ == day) return *last_day_ports_;
        last_day_ports_ = &day_ports_[day];
        last_day_ = day;
        return *last_day_ports_;
    }

    std::map<std::int64_t, HourRollup> hours_;
    std::map<std::int64_t, FlatCounter> day_ports_;
    std::map<std::int64_t, DayActivity> day_activity_;
    // AddEvents' scratch: packets per (protocol index << 16 | port) and per country (26 × 26 letters) of the
    // current hour, and which entries are non-zero.
    std::vector<std::uint64_t> port_sums_, country_sums_;
    std::vector<std::uint32_t> port_touched_, country_touched_;
    FlatCounter* last_day_ports_ = nullptr;
    std::int64_t last_day_ = 0;
    HourRollup* last_ = nullptr;
    std::int64_t last_hour_ = 0;
};

}  // namespace kizuna::observe
