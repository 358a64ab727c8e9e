// EventStore: round trip, idempotent batches, crash recovery (torn and corrupt tails, uncommitted
// multi-block batches), zone-map pruning, rollups equal to a raw scan, uptime bins.
#include "observe/storage/event_store.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <vector>

#include "support/temp_dir.hpp"

namespace kizuna::observe {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kDay0 = 1'795'305'600'000'000;  // 2026-11-22T00:00:00Z

IpAddress V4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
    return IpAddress{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, a, b, c, d};
}

ScanEvent Tcp(std::int64_t micros, std::uint16_t dport, std::uint8_t src_last = 9) {
    ScanEvent e;
    e.time = PacketTime{micros};
    e.source = V4(203, 0, 113, src_last);
    e.destination = V4(192, 0, 2, 80);
    e.source_port = 40000;
    e.destination_port = dport;
    e.ip_length = 40;
    e.protocol = Protocol::kTcp;
    e.tcp_flags = tcp_flag::kSyn;
    e.ttl = 50;
    return e;
}

// Deterministic mixed events over `days` days starting at kDay0, in time order.
std::vector<ScanEvent> MixedEvents(std::size_t n, int days, unsigned seed) {
    std::mt19937_64 rng(seed);
    std::vector<ScanEvent> events;
    std::int64_t span = days * kDayMicros;
    for (std::size_t i = 0; i < n; ++i) {
        ScanEvent e = Tcp(kDay0 + static_cast<std::int64_t>(i) * span / static_cast<std::int64_t>(n),
                          static_cast<std::uint16_t>(rng() % 64 + 20), static_cast<std::uint8_t>(rng() % 200));
        switch (rng() % 5) {
            case 0:
                e.protocol = Protocol::kUdp;
                e.tcp_flags = 0;
                break;
            case 1:
                e.protocol = Protocol::kIcmp;
                e.tcp_flags = 0;
                e.source_port = e.destination_port = 0;
                e.icmp_type = 8;
                e.icmp_code = static_cast<std::uint8_t>(rng() % 2);
                break;
            case 2: {
                e.ip_version = 6;
                IpAddress six{0x20, 0x01, 0x0d, 0xb8};
                six[15] = static_cast<std::uint8_t>(rng());
                e.source = six;
                e.destination = six;
                e.destination[15] ^= 0xFF;
                break;
            }
            default: break;
        }
        e.packets = static_cast<std::uint32_t>(rng() % 3 + 1);
        events.push_back(e);
    }
    return events;
}

std::unique_ptr<EventStore> OpenStore(const std::string& dir, StoreOptions options = {}) {
    auto store = EventStore::Open(dir, options);
    EXPECT_TRUE(store.ok()) << (store.ok() ? "" : store.error().ToString());
    return store.ok() ? std::move(store).value() : nullptr;
}

std::vector<ScanEvent> ReadAll(const EventStore& store, const ScanFilter& filter = {}) {
    std::vector<ScanEvent> rows;
    auto stats = store.Scan(filter, [&](const EventColumns& c) {
        for (std::size_t i = 0; i < c.size; ++i) {
            if (filter.Matches(c, i)) rows.push_back(c.Row(i));
        }
        return true;
    });
    EXPECT_TRUE(stats.ok()) << (stats.ok() ? "" : stats.error().ToString());
    std::stable_sort(rows.begin(), rows.end(),
                     [](const ScanEvent& a, const ScanEvent& b) { return a.time < b.time; });
    return rows;
}

std::vector<fs::path> SegmentFiles(const std::string& dir) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(fs::path(dir) / "events")) {
        if (entry.is_regular_file() && entry.path().extension() == ".kzs") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

TEST(EventStoreTest, RoundTripAcrossDaysAndReopen) {
    testing::TempDir tmp;
    std::string dir = tmp.File("observe");
    std::vector<ScanEvent> events = MixedEvents(5000, 3, 1);
    {
        auto store = OpenStore(dir, StoreOptions{.max_block_events = 700});
        ASSERT_TRUE(store);
        auto outcome = store->AppendBatch("tokyo-1", 1, events);
        ASSERT_TRUE(outcome.ok()) << outcome.error().ToString();
        EXPECT_EQ(*outcome, AppendOutcome::kStored);
        EXPECT_EQ(store->EventCount(), 5000u);
        EXPECT_EQ(ReadAll(*store), events);
    }
    EXPECT_EQ(SegmentFiles(dir).size(), 3u);  // one partition per UTC day
    EXPECT_TRUE(fs::exists(fs::path(dir) / "events/2026/11/22/000001.kzs"));
    auto store = OpenStore(dir);
    ASSERT_TRUE(store);
    EXPECT_EQ(store->EventCount(), 5000u);
    EXPECT_EQ(store->LastSequence("tokyo-1"), 1u);
    EXPECT_EQ(ReadAll(*store), events);
}

TEST(EventStoreTest, DuplicateAndOldSequencesStoreNothing) {
    testing::TempDir tmp;
    auto store = OpenStore(tmp.File("observe"));
    ASSERT_TRUE(store);
    std::vector<ScanEvent> batch{Tcp(kDay0 + 1, 23), Tcp(kDay0 + 2, 445)};
    EXPECT_EQ(*store->AppendBatch("s1", 5, batch), AppendOutcome::kStored);
    EXPECT_EQ(*store->AppendBatch("s1", 5, batch), AppendOutcome::kDuplicate);
    EXPECT_EQ(*store->AppendBatch("s1", 4, batch), AppendOutcome::kDuplicate);
    EXPECT_EQ(*store->AppendBatch("s2", 5, batch), AppendOutcome::kStored);  // watermarks are per sensor
    EXPECT_EQ(*store->AppendBatch("s1", 6, {}), AppendOutcome::kStored);    // empty batch moves the mark
    EXPECT_EQ(*store->AppendBatch("s1", 6, batch), AppendOutcome::kDuplicate);
    EXPECT_EQ(store->EventCount(), 4u);
    EXPECT_EQ(store->LastSequence("s1"), 6u);
    EXPECT_EQ(store->LastSequence("nobody"), 0u);
}

TEST(EventStoreTest, RejectsBadSensorAndSequence) {
    testing::TempDir tmp;
    auto store = OpenStore(tmp.File("observe"));
    ASSERT_TRUE(store);
    std::vector<ScanEvent> batch{Tcp(kDay0, 23)};
    auto bad_name = store->AppendBatch("tokyo 1", 1, batch);
    ASSERT_FALSE(bad_name.ok());
    EXPECT_EQ(bad_name.error().field(), "sensor");
    auto zero = store->AppendBatch("tokyo", 0, batch);
    ASSERT_FALSE(zero.ok());
    EXPECT_EQ(zero.error().field(), "seq");
    EXPECT_FALSE(store->RecordUptime("tokyo", PacketTime{kDay0 + 10}, PacketTime{kDay0}).ok());
}

TEST(EventStoreTest, WatermarksSurviveReopenWithAndWithoutCheckpoint) {
    testing::TempDir tmp;
    std::string dir = tmp.File("observe");
    {
        auto store = OpenStore(dir);
        ASSERT_TRUE(store);
        ASSERT_TRUE(store->AppendBatch("s1", 7, std::vector<ScanEvent>{Tcp(kDay0, 23)}).ok());
        ASSERT_TRUE(store->AppendBatch("s2", 3, std::vector<ScanEvent>{}).ok());
    }
    fs::remove(fs::path(dir) / "checkpoint.bin");  // as after a crash before any checkpoint
    auto store = OpenStore(dir);
    ASSERT_TRUE(store);
    EXPECT_EQ(store->LastSequence("s1"), 7u);
    EXPECT_EQ(store->LastSequence("s2"), 3u);
    EXPECT_EQ(*store->AppendBatch("s1", 7, std::vector<ScanEvent>{Tcp(kDay0, 23)}), AppendOutcome::kDuplicate);
    EXPECT_EQ(store->EventCount(), 1u);
}

// Simulates kill -9 in the middle of writing a block: every prefix of the last block's bytes is cut off in
// turn (and a byte of it flipped); the store must come back with exactly the earlier batches.
TEST(EventStoreTest, TornOrCorruptTailIsDroppedAndEarlierBatchesKept) {
    testing::TempDir tmp;
    std::string dir = tmp.File("observe");
    std::vector<ScanEvent> first = MixedEvents(300, 1, 2);
    std::vector<ScanEvent> second = MixedEvents(300, 1, 3);
    std::uintmax_t after_first = 0, after_second = 0;
    {
        auto store = OpenStore(dir);
        ASSERT_TRUE(store);
        ASSERT_TRUE(store->AppendBatch("s1", 1, first).ok());
        ASSERT_TRUE(store->Checkpoint().ok());
        after_first = fs::file_size(SegmentFiles(dir).at(0));
        ASSERT_TRUE(store->AppendBatch("s1", 2, second).ok());
        after_second = fs::file_size(SegmentFiles(dir).at(0));
    }
    fs::path segment = SegmentFiles(dir).at(0);
    std::vector<char> full(after_second);
    {
        std::ifstream in(segment, std::ios::binary);
        in.read(full.data(), static_cast<std::streamsize>(full.size()));
    }
    // The checkpoint written at close covers the second batch; remove it so recovery replays from the
    // first checkpoint... which we simulate by recovering with no checkpoint at all.
    std::vector<std::uintmax_t> cuts{after_first + 1, after_first + 100, after_second - 1};
    for (std::uintmax_t cut : cuts) {
        SCOPED_TRACE("cut at " + std::to_string(cut));
        fs::remove(fs::path(dir) / "checkpoint.bin");
        {
            std::ofstream out(segment, std::ios::binary | std::ios::trunc);
            out.write(full.data(), static_cast<std::streamsize>(cut));
        }
        auto store = OpenStore(dir);
        ASSERT_TRUE(store);
        EXPECT_EQ(store->EventCount(), first.size());
        EXPECT_EQ(store->LastSequence("s1"), 1u);
        EXPECT_EQ(store->Stats().recovered_bytes_dropped, cut - after_first);
        EXPECT_EQ(fs::file_size(segment), after_first);  // torn tail truncated
        EXPECT_EQ(ReadAll(*store), first);
    }
    // A flipped byte in the last block's payload: its checksum fails, it is dropped, batch 2 can be resent.
    fs::remove(fs::path(dir) / "checkpoint.bin");
    std::vector<char> corrupt = full;
    corrupt[after_second - 10] ^= 0x5A;
    {
        std::ofstream out(segment, std::ios::binary | std::ios::trunc);
        out.write(corrupt.data(), static_cast<std::streamsize>(corrupt.size()));
    }
    auto store = OpenStore(dir);
    ASSERT_TRUE(store);
    EXPECT_EQ(store->EventCount(), first.size());
    EXPECT_EQ(*store->AppendBatch("s1", 2, second), AppendOutcome::kStored);
    EXPECT_EQ(store->EventCount(), first.size() + second.size());
}

// A batch spanning two days is written as two blocks in two partitions and counts only once its COMMIT
// record is in control.log. Cutting that record (crash between the blocks and the commit) drops both blocks.
TEST(EventStoreTest, MultiBlockBatchWithoutCommitIsDroppedEntirely) {
    testing::TempDir tmp;
    std::string dir = tmp.File("observe");
    std::uintmax_t control_before = 0;
    {
        auto store = OpenStore(dir);
        ASSERT_TRUE(store);
        ASSERT_TRUE(store->AppendBatch("s1", 1, std::vector<ScanEvent>{Tcp(kDay0 + 5, 22)}).ok());
        control_before = fs::file_size(fs::path(dir) / "control.log");
        std::vector<ScanEvent> spanning{Tcp(kDay0 + kDayMicros - 1, 23), Tcp(kDay0 + kDayMicros, 23)};
        ASSERT_TRUE(store->AppendBatch("s1", 2, spanning).ok());
        EXPECT_EQ(store->EventCount(), 3u);
    }
    fs::remove(fs::path(dir) / "checkpoint.bin");
    fs::resize_file(fs::path(dir) / "control.log", control_before);
    auto store = OpenStore(dir);
    ASSERT_TRUE(store);
    EXPECT_EQ(store->EventCount(), 1u);
    EXPECT_EQ(store->LastSequence("s1"), 1u);
    EXPECT_EQ(ReadAll(*store).size(), 1u);
}

// A batch larger than one block, all in one partition, needs no COMMIT record: recovery keeps it only when
// every part is there, so a crash while writing its last block drops the whole batch.
TEST(EventStoreTest, MultiBlockBatchInOneSegmentIsAllOrNothing) {
    testing::TempDir tmp;
    std::string dir = tmp.File("observe");
    std::vector<ScanEvent> first = MixedEvents(50, 1, 5);
    std::vector<ScanEvent> second = MixedEvents(350, 1, 6);
    std::uintmax_t after_first = 0, after_second = 0;
    {
        auto store = OpenStore(dir, StoreOptions{.max_block_events = 100});
        ASSERT_TRUE(store);
        ASSERT_TRUE(store->AppendBatch("s1", 1, first).ok());
        after_first = fs::file_size(SegmentFiles(dir).at(0));
        auto control_before = fs::file_size(fs::path(dir) / "control.log");
        ASSERT_TRUE(store->AppendBatch("s1", 2, second).ok());
        EXPECT_EQ(store->Stats().blocks, 5u);
        EXPECT_EQ(fs::file_size(fs::path(dir) / "control.log"), control_before);  // no COMMIT record
        after_second = fs::file_size(SegmentFiles(dir).at(0));
    }
    for (std::uintmax_t cut : {after_second - 1, after_first + (after_second - after_first) / 3}) {
        SCOPED_TRACE("cut at " + std::to_string(cut));
        fs::path segment = SegmentFiles(dir).at(0);
        fs::remove(fs::path(dir) / "checkpoint.bin");
        fs::resize_file(segment, cut);
        auto store = OpenStore(dir);
        ASSERT_TRUE(store);
        EXPECT_EQ(store->EventCount(), first.size());
        EXPECT_EQ(store->LastSequence("s1"), 1u);
        EXPECT_EQ(fs::file_size(segment), after_first);
        // The batch can be sent again and is stored whole.
        ASSERT_EQ(*store->AppendBatch("s1", 2, second), AppendOutcome::kStored);
        EXPECT_EQ(store->EventCount(), first.size() + second.size());
        after_second = fs::file_size(segment);
    }
    fs::remove(fs::path(dir) / "checkpoint.bin");
    auto store = OpenStore(dir);
    ASSERT_TRUE(store);
    EXPECT_EQ(store->EventCount(), first.size() + second.size());
}

TEST(EventStoreTest, ZoneMapsPruneBlocksAndPartitions) {
    testing::TempDir tmp;
    auto store = OpenStore(tmp.File("observe"), StoreOptions{.max_block_events = 100});
    ASSERT_TRUE(store);
    // Day 0: ten batches of 100 events, batch b only hits port 1000 + b.
    for (int b = 0; b < 10; ++b) {
        std::vector<ScanEvent> batch;
        for (int i = 0; i < 100; ++i) batch.push_back(Tcp(kDay0 + b * 1000 + i, static_cast<std::uint16_t>(1000 + b)));
        ASSERT_TRUE(store->AppendBatch("s1", static_cast<std::uint64_t>(b + 1), batch).ok());
    }
    ASSERT_TRUE(store->AppendBatch("s1", 11, std::vector<ScanEvent>{Tcp(kDay0 + 3 * kDayMicros, 1003)}).ok());

    ScanFilter by_port;
    by_port.destination_port = 1003;
    std::size_t rows = 0;
    auto stats = store->Scan(by_port, [&](const EventColumns& c) {
        for (std::size_t i = 0; i < c.size; ++i) rows += by_port.Matches(c, i);
        return true;
    });
    ASSERT_TRUE(stats.ok());
    EXPECT_EQ(rows, 101u);
    EXPECT_EQ(stats->blocks_total, 11u);
    EXPECT_EQ(stats->blocks_pruned, 9u);
    EXPECT_EQ(stats->rows_scanned, 101u);

    ScanFilter by_day;
    by_day.range = {PacketTime{kDay0 + 3 * kDayMicros}, PacketTime{kDay0 + 4 * kDayMicros}};
    auto day_stats = store->Scan(by_day, [](const EventColumns&) { return true; });
    ASSERT_TRUE(day_stats.ok());
    EXPECT_EQ(day_stats->partitions_total, 2u);
    EXPECT_EQ(day_stats->partitions_pruned, 1u);
    EXPECT_EQ(day_stats->rows_scanned, 1u);

    ScanFilter by_proto;
    by_proto.protocol = Protocol::kUdp;
    auto proto_stats = store->Scan(by_proto, [](const EventColumns&) { return true; });
    ASSERT_TRUE(proto_stats.ok());
    EXPECT_EQ(proto_stats->blocks_pruned, proto_stats->blocks_total);
}

// The rollups kept at ingest equal a count over the raw events, also after a reopen that rebuilt them
// from the segments alone.
TEST(EventStoreTest, RollupsEqualRawScan) {
    testing::TempDir tmp;
    std::string dir = tmp.File("observe");
    std::vector<ScanEvent> events = MixedEvents(20000, 2, 4);
    auto check = [&](const EventStore& store) {
        std::map<std::tuple<std::int64_t, int, int>, std::uint64_t> expected_ports, actual_ports;
        std::map<int, std::uint64_t> expected_icmp, actual_icmp;
        for (const ScanEvent& e : events) {
            bool icmp = e.protocol == Protocol::kIcmp;
            int port = icmp ? e.icmp_type * 256 + e.icmp_code : e.destination_port;
            expected_ports[{e.time.micros_since_epoch / kBinMicros, static_cast<int>(e.protocol), port}] += e.packets;
            if (icmp) expected_icmp[port] += e.packets;
        }
        TimeRange all{PacketTime{0}, PacketTime{INT64_MAX}};
        for (const PortRollupRow& r : store.PortRollup(all)) {
            actual_ports[{r.hour / kBinMicros, static_cast<int>(r.protocol), r.port}] += r.packets;
        }
        for (const IcmpRollupRow& r : store.IcmpRollup(all)) actual_icmp[r.type * 256 + r.code] += r.packets;
        EXPECT_EQ(actual_ports, expected_ports);
        EXPECT_EQ(actual_icmp, expected_icmp);
        std::uint64_t country_packets = 0;
        for (const CountryRollupRow& r : store.CountryRollup(all)) {
            EXPECT_EQ(r.country, kUnknownCountry);  // no geo database configured
            country_packets += r.packets;
        }
        std::uint64_t total = 0;
        for (const ScanEvent& e : events) total += e.packets;
        EXPECT_EQ(country_packets, total);
        EXPECT_EQ(store.Stats().packets, total);
    };
    {
        auto store = OpenStore(dir, StoreOptions{.max_block_events = 4096});
        ASSERT_TRUE(store);
        for (std::size_t i = 0; i < events.size(); i += 1000) {
            std::span<const ScanEvent> batch(events.data() + i, std::min<std::size_t>(1000, events.size() - i));
            ASSERT_TRUE(store->AppendBatch("s1", i / 1000 + 1, batch).ok());
        }
        check(*store);
    }
    {
        auto store = OpenStore(dir);
        ASSERT_TRUE(store);
        check(*store);  // from the checkpoint
    }
    fs::remove(fs::path(dir) / "checkpoint.bin");
    auto store = OpenStore(dir);
    ASSERT_TRUE(store);
    check(*store);  // rebuilt from the segment files
}

TEST(EventStoreTest, UptimeMarksHoursActiveDurably) {
    testing::TempDir tmp;
    std::string dir = tmp.File("observe");
    {
        auto store = OpenStore(dir);
        ASSERT_TRUE(store);
        // 00:30 to 03:00 touches hours 0, 1 and 2.
        ASSERT_TRUE(store->RecordUptime("s1", PacketTime{kDay0 + kBinMicros / 2}, PacketTime{kDay0 + 3 * kBinMicros}).ok());
        ASSERT_TRUE(store->AppendBatch("s2", 1, std::vector<ScanEvent>{Tcp(kDay0 + 5 * kBinMicros + 1, 80)}).ok());
    }
    fs::remove(fs::path(dir) / "checkpoint.bin");
    auto store = OpenStore(dir);
    ASSERT_TRUE(store);
    std::vector<ActiveBin> bins = store->ActiveBins({PacketTime{kDay0}, PacketTime{kDay0 + kDayMicros}});
    std::vector<std::pair<std::int64_t, std::string>> got;
    for (const ActiveBin& b : bins) got.emplace_back((b.hour - kDay0) / kBinMicros, store->SensorName(b.sensor));
    std::sort(got.begin(), got.end());
    std::vector<std::pair<std::int64_t, std::string>> want{{0, "s1"}, {1, "s1"}, {2, "s1"}, {5, "s2"}};
    EXPECT_EQ(got, want);
}

TEST(EventStoreTest, SecondWriterIsRefusedButReadOnlyOpenWorks) {
    testing::TempDir tmp;
    std::string dir = tmp.File("observe");
    auto store = OpenStore(dir);
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->AppendBatch("s1", 1, std::vector<ScanEvent>{Tcp(kDay0, 80)}).ok());
    auto second = EventStore::Open(dir, {});
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.error().code(), core::ErrorCode::kUnavailable);
    auto reader = EventStore::Open(dir, StoreOptions{.read_only = true});
    ASSERT_TRUE(reader.ok()) << reader.error().ToString();
    EXPECT_EQ((*reader)->EventCount(), 1u);
    EXPECT_FALSE((*reader)->AppendBatch("s1", 2, std::vector<ScanEvent>{Tcp(kDay0, 80)}).ok());
}

TEST(EventStoreTest, ParsesAndFormatsDates) {
    auto day = ParseDateOrTime("2026-11-22", "from");
    ASSERT_TRUE(day.ok());
    EXPECT_EQ(day->micros_since_epoch, kDay0);
    auto time = ParseDateOrTime("2026-11-22T01:02:03.5Z", "from");
    ASSERT_TRUE(time.ok());
    EXPECT_EQ(time->micros_since_epoch, kDay0 + 3'723'500'000);
    EXPECT_EQ(FormatDate(PacketTime{kDay0 + 5}), "2026-11-22");
    EXPECT_EQ(FormatTimestamp(PacketTime{kDay0 + 3'723'500'000}), "2026-11-22T01:02:03.500000Z");
    for (const char* bad : {"2026-13-01", "2026-02-30", "22-11-2026", "2026-11-22T25:00:00Z", "2026-11-22T01:02:03",
                            ""}) {
        auto parsed = ParseDateOrTime(bad, "to");
        ASSERT_FALSE(parsed.ok()) << bad;
        EXPECT_EQ(parsed.error().field(), "to");
    }
}

}  // namespace
}  // namespace kizuna::observe
