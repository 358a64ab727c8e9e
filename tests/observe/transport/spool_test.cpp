// Spool: batches survive a reopen until acknowledged; sequence numbers never repeat, even with an empty
// spool; half-written batches are dropped; the collector's floor raises the numbering.
#include "observe/transport/spool.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "observe/transport/protocol.hpp"
#include "support/temp_dir.hpp"

namespace kizuna::observe {
namespace {

std::vector<ScanEvent> Events(std::size_t n, std::uint16_t port) {
    std::vector<ScanEvent> events(n);
    for (std::size_t i = 0; i < n; ++i) {
        events[i].time = PacketTime::FromMicros(static_cast<std::int64_t>(1000 + i));
        events[i].destination_port = port;
    }
    return events;
}

TEST(SpoolTest, BatchesSurviveReopenUntilAcknowledged) {
    testing::TempDir dir;
    const auto path = dir.File("spool");
    {
        auto spool = Spool::Open(path);
        ASSERT_TRUE(spool.ok()) << spool.error().ToString();
        EXPECT_EQ(*(*spool)->Append(Events(3, 22)), 1u);
        EXPECT_EQ(*(*spool)->Append(Events(2, 23)), 2u);
        EXPECT_EQ(*(*spool)->Append(Events(1, 24)), 3u);
        ASSERT_TRUE((*spool)->Acknowledge(1).ok());
    }
    auto spool = Spool::Open(path);
    ASSERT_TRUE(spool.ok());
    EXPECT_EQ((*spool)->Pending(), (std::vector<std::uint64_t>{2, 3}));
    EXPECT_EQ((*spool)->PendingEvents(), 3u);
    auto frame = (*spool)->Read(2);
    ASSERT_TRUE(frame.ok());
    auto decoded = transport::DecodeFrame(*frame);
    ASSERT_TRUE(decoded.ok());
    const auto& batch = std::get<transport::Batch>(decoded->message);
    EXPECT_EQ(batch.sequence, 2u);
    EXPECT_EQ(batch.events, Events(2, 23));
    EXPECT_EQ(*(*spool)->Append(Events(1, 25)), 4u);
}

TEST(SpoolTest, SequenceNumbersAreNotReusedAfterTheSpoolEmpties) {
    testing::TempDir dir;
    const auto path = dir.File("spool");
    {
        auto spool = Spool::Open(path, 500);
        ASSERT_TRUE(spool.ok());
        EXPECT_EQ(*(*spool)->Append(Events(1, 1)), 500u);
        ASSERT_TRUE((*spool)->Acknowledge(500).ok());
        EXPECT_EQ((*spool)->PendingCount(), 0u);
    }
    auto spool = Spool::Open(path, 1);
    ASSERT_TRUE(spool.ok());
    EXPECT_EQ((*spool)->next_sequence(), 501u);
}

TEST(SpoolTest, LastSequenceIsWrittenOnlyWhenNoLaterBatchIsSpooled) {
    testing::TempDir dir;
    const auto path = dir.File("spool");
    {
        auto spool = Spool::Open(path, 10);
        ASSERT_TRUE(spool.ok());
        ASSERT_TRUE((*spool)->Append(Events(1, 1)).ok());  // 10
        ASSERT_TRUE((*spool)->Append(Events(1, 2)).ok());  // 11
        ASSERT_TRUE((*spool)->Acknowledge(10).ok());
        // 11's file carries a higher number: no last_sequence write needed yet.
        EXPECT_FALSE(std::filesystem::exists(path + "/last_sequence"));
        EXPECT_FALSE(std::filesystem::exists(path + "/00000000000000000010.batch"));
    }
    {
        auto spool = Spool::Open(path, 1);
        ASSERT_TRUE(spool.ok());
        EXPECT_EQ((*spool)->Pending(), (std::vector<std::uint64_t>{11}));
        EXPECT_EQ((*spool)->next_sequence(), 12u);
        ASSERT_TRUE((*spool)->Acknowledge(11).ok());  // the last one: now the number is written
    }
    std::ifstream last(path + "/last_sequence");
    std::uint64_t written = 0;
    last >> written;
    EXPECT_EQ(written, 11u);
    auto spool = Spool::Open(path, 1);
    ASSERT_TRUE(spool.ok());
    EXPECT_EQ((*spool)->next_sequence(), 12u);
}

TEST(SpoolTest, PendingAfterListsTheNextBatchesToSend) {
    testing::TempDir dir;
    auto spool = Spool::Open(dir.File("spool"));
    ASSERT_TRUE(spool.ok());
    for (int i = 0; i < 5; ++i) ASSERT_TRUE((*spool)->Append(Events(1, 1)).ok());  // 1..5
    ASSERT_TRUE((*spool)->Acknowledge(1).ok());
    EXPECT_EQ((*spool)->PendingAfter(0, 2), (std::vector<std::uint64_t>{2, 3}));
    EXPECT_EQ((*spool)->PendingAfter(3, 10), (std::vector<std::uint64_t>{4, 5}));
    EXPECT_TRUE((*spool)->PendingAfter(5, 10).empty());
    EXPECT_TRUE((*spool)->PendingAfter(0, 0).empty());
}

TEST(SpoolTest, HalfWrittenBatchIsDroppedAndAcknowledgedLeftoverRemoved) {
    testing::TempDir dir;
    const auto path = dir.File("spool");
    {
        auto spool = Spool::Open(path);
        ASSERT_TRUE(spool.ok());
        ASSERT_TRUE((*spool)->Append(Events(1, 1)).ok());
        ASSERT_TRUE((*spool)->Append(Events(1, 2)).ok());
    }
    std::ofstream(path + "/00000000000000000003.batch.tmp") << "partial";
    std::ofstream(path + "/last_sequence") << "1\n";  // acked 1, crashed before unlinking it
    auto spool = Spool::Open(path);
    ASSERT_TRUE(spool.ok());
    EXPECT_EQ((*spool)->Pending(), (std::vector<std::uint64_t>{2}));
    EXPECT_FALSE(std::filesystem::exists(path + "/00000000000000000003.batch.tmp"));
    EXPECT_FALSE(std::filesystem::exists(path + "/00000000000000000001.batch"));
}

TEST(SpoolTest, CorruptBatchFileReadsAsDataLoss) {
    testing::TempDir dir;
    const auto path = dir.File("spool");
    auto spool = Spool::Open(path);
    ASSERT_TRUE(spool.ok());
    ASSERT_TRUE((*spool)->Append(Events(4, 1)).ok());
    {
        std::fstream file(path + "/00000000000000000001.batch", std::ios::in | std::ios::out | std::ios::binary);
        file.seekp(40);
        file.put('\x7f');
    }
    auto frame = (*spool)->Read(1);
    ASSERT_FALSE(frame.ok());
    EXPECT_EQ(frame.error().code(), core::ErrorCode::kDataLoss);
}

TEST(SpoolTest, CollectorFloorRaisesNumbering) {
    testing::TempDir dir;
    auto spool = Spool::Open(dir.File("spool"));
    ASSERT_TRUE(spool.ok());
    ASSERT_TRUE((*spool)->RaiseFloor(41).ok());
    EXPECT_EQ(*(*spool)->Append(Events(1, 1)), 42u);
    EXPECT_FALSE((*spool)->Open("").ok());
}

}  // namespace
}  // namespace kizuna::observe
