// ImportCaptures: a capture imported twice for the same sensor is stored once (its SHA-256 is remembered in
// imports.log, durably, across reopen); the same file for another sensor, and a different file, are stored;
// several files in one run including a repeat; a file cut short is not remembered.
#include "observe/storage/import.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "observe/storage/event_store.hpp"
#include "support/pcap_builder.hpp"
#include "support/temp_dir.hpp"

namespace kizuna::observe {
namespace {

using namespace kizuna::testing;  // NOLINT

constexpr std::int64_t kDay0 = 1'795'305'600'000'000;  // 2026-11-22T00:00:00Z

std::vector<PcapRecord> Capture(int n, std::uint16_t port) {
    std::vector<PcapRecord> records;
    for (int i = 0; i < n; ++i) {
        Ipv4Spec ip;
        ip.source = {198, 51, 100, static_cast<std::uint8_t>(i % 200)};
        records.push_back({kDay0 + i * 1'000'000LL, Ethernet(kEthertypeIpv4, Ipv4(ip, Tcp(40000, port, 0x02))), {}});
    }
    return records;
}

std::unique_ptr<EventStore> Open(const std::string& dir) {
    auto store = EventStore::Open(dir, {});
    EXPECT_TRUE(store.ok()) << (store.ok() ? "" : store.error().ToString());
    return store.ok() ? std::move(store).value() : nullptr;
}

TEST(ImportTest, SameFileTwiceForOneSensorIsStoredOnce) {
    TempDir tmp;
    std::string a = tmp.File("a.pcap"), b = tmp.File("b.pcap"), copy = tmp.File("copy-of-a.pcap");
    WritePcapFile(a, 1, Capture(300, 23));
    WritePcapFile(b, 1, Capture(200, 445));
    std::filesystem::copy_file(a, copy);
    std::string dir = tmp.File("observe");
    {
        auto store = Open(dir);
        ASSERT_TRUE(store);
        ImportReport first;
        ASSERT_TRUE(ImportCaptures(*store, {a}, "s1", {}, first).ok());
        EXPECT_EQ(first.events, 300u);
        EXPECT_TRUE(first.duplicates.empty());

        ImportReport again;  // same bytes under another name: still a duplicate
        ASSERT_TRUE(ImportCaptures(*store, {copy}, "s1", {}, again).ok());
        EXPECT_EQ(again.events, 0u);
        EXPECT_EQ(again.files, 1u);
        ASSERT_EQ(again.duplicates.size(), 1u);
        EXPECT_EQ(again.duplicates[0].file, copy);
        EXPECT_EQ(again.duplicates[0].previous.file, "a.pcap");
        EXPECT_EQ(again.duplicates[0].previous.events, 300u);
        EXPECT_EQ(store->EventCount(), 300u);

        ImportReport other_sensor;  // another sensor may hold the same capture
        ASSERT_TRUE(ImportCaptures(*store, {a}, "s2", {}, other_sensor).ok());
        EXPECT_EQ(other_sensor.events, 300u);
        EXPECT_EQ(store->EventCount(), 600u);
    }
    // Remembered across a reopen; a run mixing new, old and repeated files stores each content once.
    auto store = Open(dir);
    ASSERT_TRUE(store);
    ImportReport mixed;
    ASSERT_TRUE(ImportCaptures(*store, {b, a, b}, "s1", {.batch_events = 64}, mixed).ok());
    EXPECT_EQ(mixed.events, 200u);
    EXPECT_EQ(mixed.files, 3u);
    ASSERT_EQ(mixed.duplicates.size(), 2u);
    EXPECT_EQ(mixed.duplicates[0].file, a);
    EXPECT_EQ(mixed.duplicates[1].file, b);
    EXPECT_EQ(store->EventCount(), 800u);
    std::vector<std::uint64_t> totals;
    store->SumPorts({PacketTime{kDay0}, PacketTime{kDay0 + kDayMicros}}, totals);
    EXPECT_EQ(totals[23], 600u);  // s1 and s2 once each
    EXPECT_EQ(totals[445], 200u);
    auto digest = DigestFile(a);
    ASSERT_TRUE(digest.ok());
    EXPECT_TRUE(store->FindImport("s1", *digest).has_value());
    EXPECT_FALSE(store->FindImport("s3", *digest).has_value());
}

TEST(ImportTest, AFileCutShortIsNotRememberedAndDigestErrorsNameTheFile) {
    TempDir tmp;
    std::string cut = tmp.File("cut.pcap");
    WritePcapFile(cut, 1, Capture(50, 80));
    std::filesystem::resize_file(cut, std::filesystem::file_size(cut) - 7);
    auto store = Open(tmp.File("observe"));
    ASSERT_TRUE(store);
    ImportReport report;
    auto status = ImportCaptures(*store, {cut}, "s1", {}, report);
    ASSERT_FALSE(status.ok());
    auto digest = DigestFile(cut);
    ASSERT_TRUE(digest.ok());
    EXPECT_FALSE(store->FindImport("s1", *digest).has_value());
    auto missing = DigestFile(tmp.File("missing.pcap"));
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code(), core::ErrorCode::kNotFound);
    EXPECT_NE(missing.error().message().find("missing.pcap"), std::string::npos);
}

TEST(ImportTest, TornImportsLogTailIsDropped) {
    TempDir tmp;
    std::string a = tmp.File("a.pcap");
    WritePcapFile(a, 1, Capture(20, 22));
    std::string dir = tmp.File("observe");
    {
        auto store = Open(dir);
        ASSERT_TRUE(store);
        ImportReport report;
        ASSERT_TRUE(ImportCaptures(*store, {a}, "s1", {}, report).ok());
    }
    {
        std::ofstream out(std::filesystem::path(dir) / "imports.log", std::ios::binary | std::ios::app);
        out << "\x10\x20garbage";
    }
    auto store = Open(dir);
    ASSERT_TRUE(store);
    auto digest = DigestFile(a);
    ASSERT_TRUE(digest.ok());
    EXPECT_TRUE(store->FindImport("s1", *digest).has_value());
    EXPECT_GT(store->Stats().recovered_bytes_dropped, 0u);
}

}  // namespace
}  // namespace kizuna::observe
