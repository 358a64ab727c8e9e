// EventStore over captures of any span (issue 14): batches that touch more UTC days than the store keeps
// segment writers open (kMaxOpenSegments = 32), 400 days in one batch, and batches whose events go back and
// forth across days and years out of order. Before the fix a 33rd day closed the writers of the batch being
// written and the batch failed with "fdatasync …: Bad file descriptor".
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <vector>

#include "observe/storage/event_store.hpp"
#include "support/temp_dir.hpp"

namespace kizuna::observe {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kDay0 = 1'795'305'600'000'000;  // 2026-11-22T00:00:00Z

ScanEvent Event(std::int64_t micros, std::uint16_t dport, std::uint8_t src_last) {
    ScanEvent e;
    e.time = PacketTime{micros};
    e.source = IpAddress{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 198, 51, 100, src_last};
    e.destination = IpAddress{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 192, 0, 2, 1};
    e.source_port = 40000;
    e.destination_port = dport;
    e.ip_length = 40;
    e.protocol = Protocol::kTcp;
    e.tcp_flags = tcp_flag::kSyn;
    e.ttl = 64;
    e.packets = 1;
    return e;
}

std::unique_ptr<EventStore> OpenStore(const fs::path& dir) {
    auto store = EventStore::Open(dir, StoreOptions{});
    EXPECT_TRUE(store.ok()) << (store.ok() ? "" : store.error().ToString());
    return store.ok() ? std::move(store).value() : nullptr;
}

// Stored events sorted by (time, port, source) — the comparison is independent of storage order.
std::vector<ScanEvent> Sorted(std::vector<ScanEvent> events) {
    std::sort(events.begin(), events.end(), [](const ScanEvent& a, const ScanEvent& b) {
        return std::tie(a.time.micros_since_epoch, a.destination_port, a.source) <
               std::tie(b.time.micros_since_epoch, b.destination_port, b.source);
    });
    return events;
}

std::vector<ScanEvent> ReadAll(const EventStore& store) {
    std::vector<ScanEvent> rows;
    auto scanned = store.Scan({}, [&](const EventColumns& c) {
        for (std::size_t i = 0; i < c.size; ++i) rows.push_back(c.Row(i));
        return true;
    });
    EXPECT_TRUE(scanned.ok()) << (scanned.ok() ? "" : scanned.error().ToString());
    return Sorted(std::move(rows));
}

std::map<std::uint16_t, std::uint64_t> PortTotals(const EventStore& store) {
    std::map<std::uint16_t, std::uint64_t> totals;
    for (const auto& row : store.PortRollup({PacketTime{INT64_MIN}, PacketTime{INT64_MAX}})) totals[row.port] += row.packets;
    return totals;
}

std::size_t SegmentCount(const fs::path& dir) {
    std::size_t n = 0;
    for (const auto& entry : fs::recursive_directory_iterator(dir / "events")) n += entry.path().extension() == ".kzs";
    return n;
}

TEST(EventStoreSpanTest, OneBatchCovering400DaysIsStoredWhole) {
    testing::TempDir tmp;
    fs::path dir = tmp.File("observe");
    std::vector<ScanEvent> events;
    std::map<std::uint16_t, std::uint64_t> expected;
    for (int day = 0; day < 400; ++day) {
        for (int k = 0; k < 3; ++k) {
            auto port = static_cast<std::uint16_t>(1000 + (day * 3 + k) % 17);
            events.push_back(Event(kDay0 + day * kDayMicros + k * 3'600'000'000LL, port, static_cast<std::uint8_t>(k)));
            expected[port] += 1;
        }
    }
    {
        auto store = OpenStore(dir);
        ASSERT_TRUE(store);
        auto stored = store->AppendBatch("archive", 1, events);
        ASSERT_TRUE(stored.ok()) << stored.error().ToString();
        EXPECT_EQ(store->EventCount(), events.size());
        EXPECT_EQ(PortTotals(*store), expected);
        // A second batch over the same 400 days appends to segments whose writers were closed meanwhile.
        ASSERT_TRUE(store->AppendBatch("archive", 2, events).ok());
    }
    for (auto& [port, packets] : expected) packets *= 2;
    EXPECT_EQ(SegmentCount(dir), 400u);
    fs::remove(dir / "checkpoint.bin");  // recovery from the segments alone sees the same
    auto store = OpenStore(dir);
    ASSERT_TRUE(store);
    EXPECT_EQ(store->EventCount(), 2 * events.size());
    EXPECT_EQ(store->LastSequence("archive"), 2u);
    EXPECT_EQ(PortTotals(*store), expected);
    std::vector<ScanEvent> twice = events;
    twice.insert(twice.end(), events.begin(), events.end());
    EXPECT_EQ(ReadAll(*store), Sorted(twice));
}

TEST(EventStoreSpanTest, BatchesGoingBackAndForthAcrossDaysAndYearsOutOfOrder) {
    testing::TempDir tmp;
    fs::path dir = tmp.File("observe");
    std::mt19937_64 rng(14);
    // Three fortnights — around New Year 2025, around New Year 2026, and mid-2026 — 42 days in all: times jump
    // between days and years within each batch and between batches.
    constexpr std::int64_t kWindows[] = {1'735'084'800'000'000,   // 2024-12-25T00:00:00Z
                                         1'766'620'800'000'000,   // 2025-12-25T00:00:00Z
                                         1'781'308'800'000'000};  // 2026-06-13T00:00:00Z
    constexpr std::int64_t kWindow = 14 * kDayMicros;
    std::vector<ScanEvent> all;
    std::set<std::int64_t> days;
    {
        auto store = OpenStore(dir);
        ASSERT_TRUE(store);
        for (std::uint64_t seq = 1; seq <= 6; ++seq) {
            std::vector<ScanEvent> batch;
            for (int i = 0; i < 400; ++i) {
                std::int64_t t = kWindows[rng() % 3] + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(kWindow));
                batch.push_back(Event(t, static_cast<std::uint16_t>(rng() % 50 + 1), static_cast<std::uint8_t>(rng())));
                days.insert(t / kDayMicros);
            }
            auto stored = store->AppendBatch("tape", seq, batch);
            ASSERT_TRUE(stored.ok()) << "batch " << seq << ": " << stored.error().ToString();
            all.insert(all.end(), batch.begin(), batch.end());
        }
        EXPECT_EQ(ReadAll(*store), Sorted(all));
    }
    EXPECT_EQ(days.size(), 42u);
    EXPECT_EQ(SegmentCount(dir), days.size());
    fs::remove(dir / "checkpoint.bin");
    auto store = OpenStore(dir);
    ASSERT_TRUE(store);
    EXPECT_EQ(store->LastSequence("tape"), 6u);
    EXPECT_EQ(ReadAll(*store), Sorted(all));
    EXPECT_EQ(store->Stats().recovered_bytes_dropped, 0u);
}

}  // namespace
}  // namespace kizuna::observe
