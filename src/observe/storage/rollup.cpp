#include "observe/storage/rollup.hpp"

#include <bit>

#include <cstring>

namespace kizuna::observe {

namespace {

void PutU64(std::vector<std::uint8_t>& out, std::uint64_t v) {
    std::uint8_t b[8];
    std::memcpy(b, &v, 8);
    out.insert(out.end(), b, b + 8);
}

bool GetU64(const std::vector<std::uint8_t>& in, std::size_t& pos, std::uint64_t& v) {
    if (in.size() < 8 || pos > in.size() - 8) return false;
    std::memcpy(&v, in.data() + pos, 8);
    pos += 8;
    return true;
}

void PutCounter(std::vector<std::uint8_t>& out, const FlatCounter& counter) {
    PutU64(out, counter.size());
    counter.ForEach([&](std::uint64_t key, std::uint64_t value) {
        PutU64(out, key);
        PutU64(out, value);
    });
}

bool GetCounter(const std::vector<std::uint8_t>& in, std::size_t& pos, FlatCounter& counter) {
    std::uint64_t n = 0;
    if (!GetU64(in, pos, n) || n > (in.size() - pos) / 16) return false;
    for (std::uint64_t i = 0; i < n; ++i) {
        std::uint64_t key = 0, value = 0;
        if (!GetU64(in, pos, key) || !GetU64(in, pos, value) || key == FlatCounter::kEmpty) return false;
        counter.Add(key, value);
    }
    return true;
}

}  // namespace

std::uint64_t FlatCounter::Get(std::uint64_t key) const {
    if (keys_.empty()) return 0;
    std::size_t mask = keys_.size() - 1;
    for (std::size_t i = Hash(key) & mask;; i = (i + 1) & mask) {
        if (keys_[i] == key) return values_[i];
        if (keys_[i] == kEmpty) return 0;
    }
}

void FlatCounter::Grow() {
    std::vector<std::uint64_t> old_keys = std::move(keys_);
    std::vector<std::uint64_t> old_values = std::move(values_);
    std::size_t capacity = old_keys.empty() ? 16 : old_keys.size() * 2;
    keys_.assign(capacity, kEmpty);
    values_.assign(capacity, 0);
    size_ = 0;
    for (std::size_t i = 0; i < old_keys.size(); ++i) {
        if (old_keys[i] != kEmpty) Add(old_keys[i], old_values[i]);
    }
}

Protocol ProtocolFromIndex(unsigned index) {
    switch (index & 3) {
        case 1: return Protocol::kUdp;
        case 2: return Protocol::kIcmp;
        case 3: return Protocol::kIcmpv6;
        default: return Protocol::kTcp;
    }
}

std::uint64_t Rollups::AddEvents(std::uint32_t sensor, std::span<const ScanEvent> events,
                                 std::span<const CountryCode> countries) {
    constexpr std::size_t kCountrySlots = 26 * 26;
    if (port_sums_.empty()) {
        port_sums_.assign(4u << 16, 0);
        country_sums_.assign(kCountrySlots, 0);
    }
    const std::uint64_t sensor_bits = static_cast<std::uint64_t>(sensor) << 18;
    const std::uint64_t sensor_country = static_cast<std::uint64_t>(sensor) << 16;
    std::uint64_t total = 0;
    HourRollup* h = nullptr;
    std::int64_t hour_begin = 0;
    std::int64_t hour = 0;
    // Moves the current hour's sums into its hour table and its day's port table.
    auto flush = [&] {
        if (h == nullptr) return;
        FlatCounter& day = DayPorts(FloorDiv(hour_begin, kDayMicros));
        for (std::uint32_t key : port_touched_) {
            h->ports.Add(sensor_bits | key, port_sums_[key]);
            day.Add(key, port_sums_[key]);
            port_sums_[key] = 0;
        }
        for (std::uint32_t slot : country_touched_) {
            auto c0 = static_cast<std::uint64_t>('A' + slot / 26), c1 = static_cast<std::uint64_t>('A' + slot % 26);
            h->countries.Add(sensor_country | c0 << 8 | c1, country_sums_[slot]);
            country_sums_[slot] = 0;
        }
        port_touched_.clear();
        country_touched_.clear();
    };
    for (std::size_t i = 0; i < events.size(); ++i) {
        const ScanEvent& e = events[i];
        const std::int64_t t = e.time.micros_since_epoch;
        if (h == nullptr ||
            static_cast<std::uint64_t>(t) - static_cast<std::uint64_t>(hour_begin) >= static_cast<std::uint64_t>(kBinMicros)) {
            flush();
            hour = FloorDiv(t, kBinMicros);
            hour_begin = hour * kBinMicros;
            h = &Hour(hour);
            if (!h->IsActive(sensor)) Activate(hour, *h, sensor);
        }
        const unsigned proto = ProtocolIndex(static_cast<std::uint8_t>(e.protocol));
        const std::uint32_t port =
            proto >= 2 ? static_cast<std::uint32_t>(e.icmp_type << 8 | e.icmp_code) : e.destination_port;
        const std::uint32_t key = proto << 16 | port;
        if (port_sums_[key] == 0) port_touched_.push_back(key);
        port_sums_[key] += e.packets;
        const CountryCode& c = countries[i];
        if (c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z') {
            const std::uint32_t slot = static_cast<std::uint32_t>(c[0] - 'A') * 26 + static_cast<std::uint32_t>(c[1] - 'A');
            if (country_sums_[slot] == 0) country_touched_.push_back(slot);
            country_sums_[slot] += e.packets;
        } else {
            h->countries.Add(sensor_country | static_cast<std::uint64_t>(static_cast<std::uint8_t>(c[0])) << 8 |
                                 static_cast<std::uint8_t>(c[1]),
                             e.packets);
        }
        total += e.packets;
    }
    flush();
    return total;
}

void Rollups::Serialize(std::vector<std::uint8_t>& out) const {
    PutU64(out, hours_.size());
    for (const auto& [hour, h] : hours_) {
        PutU64(out, static_cast<std::uint64_t>(hour));
        PutCounter(out, h.ports);
        PutCounter(out, h.countries);
        PutU64(out, h.active.size());
        for (std::uint64_t word : h.active) PutU64(out, word);
    }
}

bool Rollups::Deserialize(const std::vector<std::uint8_t>& in, std::size_t& pos) {
    hours_.clear();
    day_ports_.clear();
    day_activity_.clear();
    last_ = nullptr;
    last_day_ports_ = nullptr;
    std::uint64_t n = 0;
    if (!GetU64(in, pos, n)) return false;
    for (std::uint64_t i = 0; i < n; ++i) {
        std::uint64_t hour = 0, words = 0;
        if (!GetU64(in, pos, hour)) return false;
        HourRollup& h = hours_[static_cast<std::int64_t>(hour)];
        if (!GetCounter(in, pos, h.ports) || !GetCounter(in, pos, h.countries)) return false;
        FlatCounter& day = DayPorts(FloorDiv(static_cast<std::int64_t>(hour) * kBinMicros, kDayMicros));
        h.ports.ForEach([&](std::uint64_t key, std::uint64_t packets) { day.Add(key & 0x3FFFF, packets); });
        if (!GetU64(in, pos, words) || words > (in.size() - pos) / 8) return false;
        h.active.resize(words);
        for (std::uint64_t w = 0; w < words; ++w) {
            if (!GetU64(in, pos, h.active[w])) return false;
        }
        std::uint64_t up = 0;
        for (std::uint64_t word : h.active) up += static_cast<std::uint64_t>(std::popcount(word));
        if (up > 0) {
            DayActivity& d = day_activity_[FloorDiv(static_cast<std::int64_t>(hour) * kBinMicros, kDayMicros)];
            d.sensor_hours += up;
            d.covered_hours += 1;
        }
    }
    return true;
}

}  // namespace kizuna::observe
