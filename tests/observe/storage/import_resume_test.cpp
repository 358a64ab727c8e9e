// Imports of long captures and interrupted imports (issue 14): a capture covering 400 days imports in one
// batch (it failed on the 33rd day before); an import stopped by a failing write (the file size limit, as a
// full disk) resumes where it durably got; an intent left undecided by a crash is decided from the watermark;
// a completed import forgets its progress. Per-port totals are compared with the capture's own.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "observe/storage/event_store.hpp"
#include "observe/storage/import.hpp"
#include "support/pcap_builder.hpp"
#include "support/temp_dir.hpp"

namespace kizuna::observe {
namespace {

namespace fs = std::filesystem;
using namespace kizuna::testing;  // NOLINT

constexpr std::int64_t kDay0 = 1'795'305'600'000'000;  // 2026-11-22T00:00:00Z

// `n` TCP SYNs, record i at day (i * day_step) % days + a few seconds, port 1000 + i % 7, varied sources.
struct Capture {
    std::vector<PcapRecord> records;
    std::map<std::uint16_t, std::uint64_t> per_port;
};
Capture MakeCapture(int n, int days, int day_step) {
    Capture c;
    for (int i = 0; i < n; ++i) {
        Ipv4Spec ip;
        ip.source = {198, 51, static_cast<std::uint8_t>(i / 250), static_cast<std::uint8_t>(i % 250)};
        auto port = static_cast<std::uint16_t>(1000 + i % 7);
        std::int64_t day = (static_cast<std::int64_t>(i) * day_step) % days;
        c.records.push_back({kDay0 + day * kDayMicros + (i % 3600) * 1'000'000LL,
                             Ethernet(kEthertypeIpv4, Ipv4(ip, Tcp(40000, port, 0x02))),
                             {}});
        c.per_port[port] += 1;
    }
    return c;
}

std::map<std::uint16_t, std::uint64_t> StoredPerPort(const EventStore& store) {
    std::map<std::uint16_t, std::uint64_t> totals;
    for (const auto& row : store.PortRollup({PacketTime{INT64_MIN}, PacketTime{INT64_MAX}})) totals[row.port] += row.packets;
    return totals;
}

std::unique_ptr<EventStore> Open(const fs::path& dir) {
    auto store = EventStore::Open(dir, {});
    EXPECT_TRUE(store.ok()) << (store.ok() ? "" : store.error().ToString());
    return store.ok() ? std::move(store).value() : nullptr;
}

TEST(ImportResumeTest, ACaptureCovering400DaysImportsInOneBatch) {
    TempDir tmp;
    std::string pcap = tmp.File("year.pcap");
    Capture capture = MakeCapture(2000, 400, 1);  // every day of 400, in order, five times over
    WritePcapFile(pcap, 1, capture.records);
    auto store = Open(tmp.File("observe"));
    ASSERT_TRUE(store);
    ImportReport report;
    auto status = ImportCaptures(*store, {pcap}, "archive", {}, report);
    ASSERT_TRUE(status.ok()) << status.error().ToString();
    EXPECT_EQ(report.events, 2000u);
    EXPECT_EQ(report.batches, 1u);
    EXPECT_EQ(StoredPerPort(*store), capture.per_port);
    // Uptime covers the whole span: every one of the 400 days has active hours.
    auto active = store->ActiveBins({PacketTime{kDay0}, PacketTime{kDay0 + 400 * kDayMicros}});
    EXPECT_GE(active.size(), 399u * 24u);
}

// Restores the file size limit and the SIGXFSZ disposition when it goes out of scope.
class FileSizeLimit {
  public:
    explicit FileSizeLimit(rlim_t bytes) {
        ::getrlimit(RLIMIT_FSIZE, &saved_);
        old_handler_ = ::signal(SIGXFSZ, SIG_IGN);  // write(2) then fails with EFBIG instead of killing us
        rlimit limit = saved_;
        limit.rlim_cur = bytes;
        ::setrlimit(RLIMIT_FSIZE, &limit);
    }
    ~FileSizeLimit() {
        ::setrlimit(RLIMIT_FSIZE, &saved_);
        ::signal(SIGXFSZ, old_handler_);
    }

  private:
    rlimit saved_{};
    sighandler_t old_handler_{};
};

TEST(ImportResumeTest, AnImportStoppedByAFailingWriteResumesWithoutLossOrDoubleCount) {
    TempDir tmp;
    std::string pcap = tmp.File("jumping.pcap");
    // Back and forth over 60 days (step 17 mod 60), so every batch touches many partitions.
    Capture capture = MakeCapture(6000, 60, 17);
    WritePcapFile(pcap, 1, capture.records);
    fs::path dir = tmp.File("observe");
    auto store = Open(dir);
    ASSERT_TRUE(store);
    ImportReport first;
    core::Status status = core::Ok();
    {
        FileSizeLimit limit(2500);  // a segment file cannot grow past 2.5 kB: a later batch fails mid-way
        status = ImportCaptures(*store, {pcap}, "s1", {.batch_events = 500}, first);
    }
    ASSERT_FALSE(status.ok());
    ASSERT_GT(first.batches, 0u) << "the limit should stop the import part-way, not at once";
    ASSERT_LT(first.events, 6000u);
    auto probe = ProbeFile(pcap);
    ASSERT_TRUE(probe.ok());
    auto progress = store->FindImportProgress("s1", *probe);
    ASSERT_TRUE(progress.has_value());
    EXPECT_EQ(progress->events, first.events);
    EXPECT_EQ(progress->records, first.events);  // every record here yields an event
    EXPECT_EQ(store->EventCount(), first.events);

    // The store is reopened (as the next `kizuna observe import` would) and the same file imported again.
    store.reset();
    store = Open(dir);
    ASSERT_TRUE(store);
    ImportReport second;
    status = ImportCaptures(*store, {pcap}, "s1", {.batch_events = 500}, second);
    ASSERT_TRUE(status.ok()) << status.error().ToString();
    ASSERT_EQ(second.resumed.size(), 1u);
    EXPECT_EQ(second.resumed[0].records, first.events);
    EXPECT_EQ(first.events + second.events, 6000u);
    EXPECT_EQ(store->EventCount(), 6000u);
    EXPECT_EQ(StoredPerPort(*store), capture.per_port);
    EXPECT_FALSE(store->FindImportProgress("s1", *probe).has_value());  // completed: forgotten

    ImportReport third;  // and now it is a duplicate
    ASSERT_TRUE(ImportCaptures(*store, {pcap}, "s1", {}, third).ok());
    EXPECT_EQ(third.events, 0u);
    ASSERT_EQ(third.duplicates.size(), 1u);
    EXPECT_EQ(third.duplicates[0].previous.events, 6000u);
}

// A crash after the intent of batch 2 was synced but before its blocks were: the next Open() finds the
// watermark at 1 and keeps batch 1's progress; with batch 2 durable it keeps batch 2's.
TEST(ImportResumeTest, AnUndecidedIntentIsDecidedByTheWatermark) {
    TempDir tmp;
    fs::path dir = tmp.File("observe");
    ProbeDigest probe{};
    probe[0] = 7;
    auto event = [](std::int64_t micros) {
        ScanEvent e;
        e.time = PacketTime{micros};
        e.protocol = Protocol::kTcp;
        e.destination_port = 22;
        return e;
    };
    std::vector<ScanEvent> batch1{event(kDay0 + 1), event(kDay0 + 2)};
    std::vector<ScanEvent> batch2{event(kDay0 + 3)};
    std::vector<CountryCode> countries1(2, kUnknownCountry), countries2(1, kUnknownCountry);
    fs::path segment = dir / "events/2026/11/22/000001.kzs";
    std::uintmax_t after_batch1 = 0;
    {
        auto store = Open(dir);
        ASSERT_TRUE(store);
        ImportProgress p{.sensor = "s1", .probe = probe, .records = 2, .events = 2, .packets = 2};
        ASSERT_TRUE(store->AppendImportBatch(batch1, countries1, p).ok());
        after_batch1 = fs::file_size(segment);
        p.records = 5;
        p.events = 3;
        p.packets = 3;
        ASSERT_TRUE(store->AppendImportBatch(batch2, countries2, p).ok());
        EXPECT_EQ(store->FindImportProgress("s1", probe)->records, 5u);
    }
    {
        auto store = Open(dir);  // batch 2 durable: its progress holds
        ASSERT_TRUE(store);
        EXPECT_EQ(store->FindImportProgress("s1", probe)->records, 5u);
    }
    fs::remove(dir / "checkpoint.bin");
    fs::resize_file(segment, after_batch1);  // batch 2's block never reached the disk
    auto store = Open(dir);
    ASSERT_TRUE(store);
    EXPECT_EQ(store->LastSequence("s1"), 1u);
    EXPECT_EQ(store->EventCount(), 2u);
    auto progress = store->FindImportProgress("s1", probe);
    ASSERT_TRUE(progress.has_value());
    EXPECT_EQ(progress->records, 2u);
    EXPECT_EQ(progress->events, 2u);
    // The decision is durable: a later batch (seq 2 again) does not revive the lost intent's state.
    ImportProgress p{.sensor = "s1", .probe = probe, .records = 4, .events = 3, .packets = 3};
    ASSERT_TRUE(store->AppendImportBatch(batch2, countries2, p).ok());
    store.reset();
    store = Open(dir);
    ASSERT_TRUE(store);
    EXPECT_EQ(store->FindImportProgress("s1", probe)->records, 4u);
    EXPECT_EQ(store->EventCount(), 3u);
}

}  // namespace
}  // namespace kizuna::observe
