// An open-addressing hash index from a 64-bit key to a position, for the extractor's hot paths (IPv4
// addresses and timestamp seconds): one probe sequence in one flat array instead of a node per entry,
// which is what keeps a report with hundreds of thousands of distinct addresses fast.
#pragma once

#include <cstdint>
#include <vector>

namespace kizuna::incident::detail {

class FlatIndex {
  public:
    static constexpr std::uint32_t kAbsent = 0xffffffffu;

    // The position stored for `key`, or kAbsent.
    std::uint32_t Find(std::uint64_t key) const {
        if (slots_.empty()) return kAbsent;
        for (std::size_t i = Home(key);; i = (i + 1) & mask_) {
            const Slot& s = slots_[i];
            if (s.value == kAbsent) return kAbsent;
            if (s.key == key) return s.value;
        }
    }

    // REQUIRES: Find(key) == kAbsent and value != kAbsent.
    void Insert(std::uint64_t key, std::uint32_t value) {
        if ((size_ + 1) * 4 > slots_.size() * 3) Grow();
        for (std::size_t i = Home(key);; i = (i + 1) & mask_) {
            Slot& s = slots_[i];
            if (s.value == kAbsent) {
                s = Slot{key, value};
                ++size_;
                return;
            }
        }
    }

    std::size_t size() const { return size_; }
    void clear() {
        slots_.clear();
        size_ = 0;
        mask_ = 0;
        shift_ = 64;
    }

  private:
    struct Slot {
        std::uint64_t key = 0;
        std::uint32_t value = kAbsent;
    };

    std::size_t Home(std::uint64_t key) const {
        // Fibonacci hashing spreads sequential addresses (a /24 sweep) over the table.
        return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> shift_);
    }

    void Grow() {
        std::vector<Slot> old = std::move(slots_);
        const std::size_t capacity = old.empty() ? 1024 : old.size() * 2;
        slots_.assign(capacity, Slot{});
        mask_ = capacity - 1;
        shift_ = 64;
        for (std::size_t c = capacity; c > 1; c >>= 1) --shift_;
        size_ = 0;
        for (const Slot& s : old)
            if (s.value != kAbsent) Insert(s.key, s.value);
    }

    std::vector<Slot> slots_;
    std::size_t mask_ = 0;
    int shift_ = 64;
    std::size_t size_ = 0;
};

}  // namespace kizuna::incident::detail
