// Segment format version 2 (docs/formats/event-store.md): per-column encodings round trip (one event, a
// maximal block, mixed IPv4/IPv6, all-constant columns, runs, zstd), projection decodes only what is asked,
// corrupt directories / runs / varints / checksums are kDataLoss and never a crash, and version 1 blocks
// still decode. The store-level tests (v1 segment files in an existing data directory, projection and
// ParallelScan) follow.
#include "observe/storage/segment_format.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <vector>

#include "observe/storage/event_store.hpp"
#include "support/temp_dir.hpp"

namespace kizuna::observe {
namespace {

namespace fs = std::filesystem;
using segment::Encoding;

constexpr std::int64_t kDay0 = 1'795'305'600'000'000;  // 2026-11-22T00:00:00Z

IpAddress V4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
    return IpAddress{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, a, b, c, d};
}

// Scan-like events: time ascending, random sources and source ports, skewed destination ports, packets 1.
std::vector<ScanEvent> ScanEvents(std::size_t n, unsigned seed, bool with_ipv6 = false) {
    std::mt19937_64 rng(seed);
    std::vector<ScanEvent> events(n);
    for (std::size_t i = 0; i < n; ++i) {
        ScanEvent& e = events[i];
        std::uint64_t r = rng();
        e.time = PacketTime{kDay0 + static_cast<std::int64_t>(i * 1000 + r % 997)};
        e.source = V4(static_cast<std::uint8_t>(r), static_cast<std::uint8_t>(r >> 8), static_cast<std::uint8_t>(r >> 16),
                      static_cast<std::uint8_t>(r >> 24));
        e.destination = V4(192, 0, 2, static_cast<std::uint8_t>(r >> 32));
        e.source_port = static_cast<std::uint16_t>(r >> 40);
        e.destination_port = static_cast<std::uint16_t>((r >> 56) % 4 == 0 ? r % 60000 : 23);
        e.ip_length = 40;
        e.protocol = Protocol::kTcp;
        e.tcp_flags = tcp_flag::kSyn;
        e.ttl = static_cast<std::uint8_t>(40 + (r >> 60));
        e.packets = 1;
        if (with_ipv6 && i % 3 == 1) {
            e.ip_version = 6;
            IpAddress six{0x20, 0x01, 0x0d, 0xb8};
            six[15] = static_cast<std::uint8_t>(r);
            e.source = six;
            e.destination = six;
            e.destination[14] = 1;
        }
    }
    return events;
}

std::vector<CountryCode> Countries(std::size_t n) {
    std::vector<CountryCode> c(n);
    for (std::size_t i = 0; i < n; ++i) c[i] = i % 7 == 0 ? CountryCode{'J', 'P'} : CountryCode{'U', 'S'};
    return c;
}

struct Encoded {
    std::vector<std::uint8_t> bytes;
    segment::BlockHeader header;
    std::span<const std::uint8_t> HeaderBytes() const { return std::span(bytes).first(segment::kBlockHeaderSize); }
    std::span<const std::uint8_t> Payload() const { return std::span(bytes).subspan(segment::kBlockHeaderSize); }
};

Encoded Encode(segment::BlockCodec& codec, const std::vector<ScanEvent>& events,
               const std::vector<CountryCode>& countries, bool v1 = false) {
    Encoded e;
    auto encoded = v1 ? codec.EncodeV1("s1", 7, 0, 1, events, countries, e.bytes)
                      : codec.Encode("s1", 7, 0, 1, events, countries, e.bytes);
    EXPECT_TRUE(encoded.ok());
    auto header = segment::DecodeBlockHeader(e.bytes);
    EXPECT_TRUE(header.ok()) << (header.ok() ? "" : header.error().ToString());
    if (header.ok()) e.header = *header;
    return e;
}

void ExpectRoundTrip(const std::vector<ScanEvent>& events, const std::vector<CountryCode>& countries, int level = 1) {
    segment::BlockCodec codec(level);
    Encoded e = Encode(codec, events, countries);
    ASSERT_EQ(e.header.version, 2);
    ASSERT_TRUE(segment::BlockChecksumOk(e.HeaderBytes(), e.Payload()));
    segment::DecodedBlock block;
    auto decoded = codec.Decode(e.header, e.Payload(), block);
    ASSERT_TRUE(decoded.ok()) << decoded.error().ToString();
    EventColumns c = block.View();
    ASSERT_EQ(c.size, events.size());
    EXPECT_EQ(c.sensor, "s1");
    for (std::size_t i = 0; i < events.size(); ++i) {
        ASSERT_EQ(c.Row(i), events[i]) << "row " << i;
        ASSERT_EQ(c.country[i], countries[i]) << "row " << i;
    }
}

segment::Directory DirectoryOf(const Encoded& e) {
    auto dir = segment::DecodeDirectory(e.header, e.Payload().first(segment::kDirectorySize));
    EXPECT_TRUE(dir.ok());
    return dir.ok() ? *dir : segment::Directory{};
}

TEST(SegmentFormatTest, OneEventRoundTripsWithEveryColumnConstant) {
    auto events = ScanEvents(1, 1);
    auto countries = Countries(1);
    ExpectRoundTrip(events, countries);
    segment::BlockCodec codec(1);
    Encoded e = Encode(codec, events, countries);
    for (const auto& entry : DirectoryOf(e)) EXPECT_EQ(entry.encoding, Encoding::kConst);
}

TEST(SegmentFormatTest, ChoosesCheapEncodingsPerColumn) {
    auto events = ScanEvents(10000, 2);
    auto countries = Countries(events.size());
    ExpectRoundTrip(events, countries);
    segment::BlockCodec codec(1);
    Encoded e = Encode(codec, events, countries);
    segment::Directory dir = DirectoryOf(e);
    EXPECT_EQ(dir[0].encoding, Encoding::kDelta);   // time
    EXPECT_EQ(dir[1].encoding, Encoding::kRaw);     // random IPv4 sources, 4 bytes each
    EXPECT_EQ(dir[1].length, events.size() * 4);
    EXPECT_EQ(dir[5].encoding, Encoding::kConst);   // ip length
    EXPECT_EQ(dir[6].encoding, Encoding::kConst);   // protocol
    EXPECT_EQ(dir[12].encoding, Encoding::kConst);  // packets
    EXPECT_EQ(dir[12].length, 4u);
    EXPECT_LT(dir[0].length, events.size() * 3);    // ~1000 µs apart: 2 bytes per varint

    // Long runs become run-length encoded.
    for (std::size_t i = 0; i < events.size(); ++i) events[i].ttl = static_cast<std::uint8_t>(i / 1000);
    ExpectRoundTrip(events, countries);
    Encoded runs = Encode(codec, events, countries);
    EXPECT_EQ(DirectoryOf(runs)[11].encoding, Encoding::kRle);
}

TEST(SegmentFormatTest, MixedIpv6AndIpv4RoundTripsWithSixteenByteAddresses) {
    auto events = ScanEvents(3000, 3, true);
    auto countries = Countries(events.size());
    ExpectRoundTrip(events, countries);
    segment::BlockCodec codec(1);
    Encoded e = Encode(codec, events, countries);
    EXPECT_EQ(e.header.flags & segment::kFlagIpv4Only, 0);
    EXPECT_EQ(segment::ColumnWidth(1, e.header.flags), 16u);
}

TEST(SegmentFormatTest, ZstdColumnsAtHigherLevelsRoundTrip) {
    auto events = ScanEvents(5000, 4);
    for (std::size_t i = 0; i < events.size(); ++i) events[i].source_port = static_cast<std::uint16_t>(1024 + i % 50);
    auto countries = Countries(events.size());
    ExpectRoundTrip(events, countries, 3);
    segment::BlockCodec codec(3);
    Encoded e = Encode(codec, events, countries);
    EXPECT_EQ(DirectoryOf(e)[3].encoding, Encoding::kZstd);
}

TEST(SegmentFormatTest, MaximalBlockRoundTrips) {
    auto events = ScanEvents(segment::kMaxBlockEvents, 5);
    ExpectRoundTrip(events, Countries(events.size()));
}

TEST(SegmentFormatTest, ProjectionDecodesOnlyTheRequestedColumns) {
    auto events = ScanEvents(2000, 6);
    auto countries = Countries(events.size());
    segment::BlockCodec codec(1);
    Encoded e = Encode(codec, events, countries);
    segment::DecodedBlock block;
    ASSERT_TRUE(codec.Decode(e.header, e.Payload(), block, column::kDestinationPort | column::kPackets).ok());
    EventColumns c = block.View();
    EXPECT_EQ(c.size, events.size());
    ASSERT_EQ(c.destination_port.size(), events.size());
    ASSERT_EQ(c.packets.size(), events.size());
    EXPECT_TRUE(c.time_micros.empty());
    EXPECT_TRUE(c.source.empty());
    EXPECT_TRUE(c.country.empty());
    for (std::size_t i = 0; i < events.size(); ++i) {
        ASSERT_EQ(c.destination_port[i], events[i].destination_port);
        ASSERT_EQ(c.packets[i], 1u);
    }
}

TEST(SegmentFormatTest, VersionOneBlocksStillDecode) {
    auto events = ScanEvents(4000, 7, true);
    auto countries = Countries(events.size());
    segment::BlockCodec codec(1);
    Encoded e = Encode(codec, events, countries, true);
    ASSERT_EQ(e.header.version, 1);
    ASSERT_TRUE(segment::BlockChecksumOk(e.HeaderBytes(), e.Payload()));
    segment::DecodedBlock block;
    ASSERT_TRUE(codec.Decode(e.header, e.Payload(), block, column::kPackets).ok());
    EventColumns c = block.View();
    for (std::size_t i = 0; i < events.size(); ++i) ASSERT_EQ(c.Row(i), events[i]);
}

// Rewrites the directory entry of `column` and fixes the header CRC, so only the column rules can object.
void SetEntry(Encoded& e, std::size_t column, std::uint8_t encoding, std::uint32_t length) {
    std::uint8_t* entry = e.bytes.data() + segment::kBlockHeaderSize + column * segment::kDirectoryEntrySize;
    entry[0] = encoding;
    std::memcpy(entry + 4, &length, 4);
    std::uint32_t crc = segment::Crc32c(std::span(e.bytes).subspan(8, segment::kBlockHeaderSize - 8));
    crc = segment::Crc32c(std::span(e.bytes).subspan(segment::kBlockHeaderSize, segment::kDirectorySize), crc);
    std::memcpy(e.bytes.data() + 4, &crc, 4);
}

TEST(SegmentFormatTest, CorruptColumnLengthsAndEncodingsAreDataLoss) {
    auto events = ScanEvents(500, 8);
    auto countries = Countries(events.size());
    segment::BlockCodec codec(1);
    const Encoded good = Encode(codec, events, countries);
    segment::Directory dir = DirectoryOf(good);
    segment::DecodedBlock block;
    {
        Encoded e = good;  // raw column one byte short; lengths no longer add up either
        SetEntry(e, 1, 0, dir[1].length - 1);
        auto parsed = segment::DecodeDirectory(e.header, e.Payload().first(segment::kDirectorySize));
        ASSERT_FALSE(parsed.ok());
        EXPECT_EQ(parsed.error().code(), core::ErrorCode::kDataLoss);
        EXPECT_FALSE(segment::BlockChecksumOk(e.HeaderBytes(), e.Payload()));
        EXPECT_EQ(codec.Decode(e.header, e.Payload(), block).error().code(), core::ErrorCode::kDataLoss);
    }
    {
        Encoded e = good;  // unknown encoding
        SetEntry(e, 3, 9, dir[3].length);
        EXPECT_EQ(codec.Decode(e.header, e.Payload(), block).error().code(), core::ErrorCode::kDataLoss);
    }
    {
        Encoded e = good;  // constant with a length other than the width
        SetEntry(e, 12, 1, 3);
        EXPECT_EQ(codec.Decode(e.header, e.Payload(), block).error().code(), core::ErrorCode::kDataLoss);
    }
    {
        Encoded e = good;  // delta on a column other than time
        SetEntry(e, 4, 3, dir[4].length);
        EXPECT_EQ(codec.Decode(e.header, e.Payload(), block).error().code(), core::ErrorCode::kDataLoss);
    }
    {
        // A run-length column whose runs overshoot the event count, and one that falls short.
        segment::ColumnEntry entry{Encoding::kRle, 0, 10, 0};
        std::vector<std::uint8_t> runs(10, 0);
        std::uint32_t too_many = 501;
        std::memcpy(runs.data(), &too_many, 4);
        entry.crc = segment::Crc32c(runs);
        EXPECT_EQ(codec.DecodeColumn(good.header, 4, entry, runs, block).error().code(), core::ErrorCode::kDataLoss);
        std::uint32_t too_few = 499;
        std::memcpy(runs.data(), &too_few, 4);
        entry.crc = segment::Crc32c(runs);
        EXPECT_EQ(codec.DecodeColumn(good.header, 4, entry, runs, block).error().code(), core::ErrorCode::kDataLoss);
        std::uint32_t zero = 0;
        std::memcpy(runs.data(), &zero, 4);
        entry.crc = segment::Crc32c(runs);
        EXPECT_EQ(codec.DecodeColumn(good.header, 4, entry, runs, block).error().code(), core::ErrorCode::kDataLoss);
    }
    {
        // Varints that run past the column, and a column checksum mismatch.
        std::vector<std::uint8_t> varints(500, 0x80);
        segment::ColumnEntry entry{Encoding::kDelta, 0, 500, segment::Crc32c(varints)};
        EXPECT_EQ(codec.DecodeColumn(good.header, 0, entry, varints, block).error().code(), core::ErrorCode::kDataLoss);
        entry.crc ^= 1;
        EXPECT_EQ(codec.DecodeColumn(good.header, 0, entry, varints, block).error().code(), core::ErrorCode::kDataLoss);
    }
    {
        Encoded e = good;  // a flipped byte inside a column: the whole-block check fails
        e.bytes[e.bytes.size() - 3] ^= 0x40;
        EXPECT_FALSE(segment::BlockChecksumOk(e.HeaderBytes(), e.Payload()));
    }
    // Every single-byte corruption of the block: a clean error or a checksum failure, never a crash.
    for (std::size_t i = 0; i < good.bytes.size(); i += 7) {
        Encoded e = good;
        e.bytes[i] ^= 0xA5;
        auto header = segment::DecodeBlockHeader(e.bytes);
        if (!header.ok() || header->payload_len != e.Payload().size()) continue;
        (void)segment::BlockChecksumOk(e.HeaderBytes(), e.Payload());
        (void)codec.Decode(*header, e.Payload(), block);
    }
}

// ---- store level ----------------------------------------------------------------------------------------

std::unique_ptr<EventStore> OpenStore(const std::string& dir) {
    auto store = EventStore::Open(dir, {});
    EXPECT_TRUE(store.ok()) << (store.ok() ? "" : store.error().ToString());
    return store.ok() ? std::move(store).value() : nullptr;
}

std::vector<ScanEvent> ReadAll(const EventStore& store) {
    std::vector<ScanEvent> rows;
    auto stats = store.Scan({}, [&](const EventColumns& c) {
        for (std::size_t i = 0; i < c.size; ++i) rows.push_back(c.Row(i));
        return true;
    });
    EXPECT_TRUE(stats.ok());
    return rows;
}

// A data directory written before version 2 (v1 file header, v1 blocks) opens, scans and takes new batches:
// new blocks are version 2, appended to the same file, and both kinds read back after a reopen.
TEST(SegmentFormatTest, StoreReadsVersionOneSegmentsAndAppendsVersionTwo) {
    testing::TempDir tmp;
    std::string dir = tmp.File("observe");
    auto old_events = ScanEvents(1500, 9, true);
    {
        // Sensor and control log as the old store wrote them: open once (creates control.log), close.
        auto store = OpenStore(dir);
        ASSERT_TRUE(store);
    }
    fs::path file = fs::path(dir) / "events" / "2026" / "11" / "22" / "000001.kzs";
    fs::create_directories(file.parent_path());
    {
        segment::BlockCodec codec(1);
        std::ofstream out(file, std::ios::binary);
        auto header = segment::EncodeFileHeader({kDay0, 1});
        out.write(reinterpret_cast<const char*>(header.data()), header.size());
        std::vector<std::uint8_t> block;
        std::vector<CountryCode> zz(1000, kUnknownCountry);
        ASSERT_TRUE(codec.EncodeV1("old", 1, 0, 1, std::span(old_events).first(1000), zz, block).ok());
        out.write(reinterpret_cast<const char*>(block.data()), static_cast<std::streamsize>(block.size()));
        zz.resize(500);
        ASSERT_TRUE(codec.EncodeV1("old", 2, 0, 1, std::span(old_events).subspan(1000), zz, block).ok());
        out.write(reinterpret_cast<const char*>(block.data()), static_cast<std::streamsize>(block.size()));
    }
    auto more = ScanEvents(700, 10);
    for (ScanEvent& e : more) e.time.micros_since_epoch += 3'600'000'000LL;  // later the same day
    {
        auto store = OpenStore(dir);
        ASSERT_TRUE(store);
        EXPECT_EQ(store->EventCount(), old_events.size());
        EXPECT_EQ(store->LastSequence("old"), 2u);
        EXPECT_EQ(ReadAll(*store), old_events);
        EXPECT_EQ(*store->AppendBatch("old", 2, more), AppendOutcome::kDuplicate);
        EXPECT_EQ(*store->AppendBatch("old", 3, more), AppendOutcome::kStored);
    }
    fs::remove(fs::path(dir) / "checkpoint.bin");  // replay every block, v1 and v2
    auto store = OpenStore(dir);
    ASSERT_TRUE(store);
    std::vector<ScanEvent> expected = old_events;
    expected.insert(expected.end(), more.begin(), more.end());
    EXPECT_EQ(store->EventCount(), expected.size());
    EXPECT_EQ(ReadAll(*store), expected);
    std::uint64_t tcp23 = 0;
    for (const ScanEvent& e : expected) tcp23 += e.destination_port == 23 ? e.packets : 0;
    std::vector<std::uint64_t> totals;
    store->SumPorts({PacketTime{kDay0}, PacketTime{kDay0 + kDayMicros}}, totals);
    EXPECT_EQ(totals[23], tcp23);
}

TEST(SegmentFormatTest, ScanProjectsColumnsAndParallelScanAgreesWithScan) {
    testing::TempDir tmp;
    auto store = OpenStore(tmp.File("observe"));
    ASSERT_TRUE(store);
    std::vector<std::uint64_t> expected(65536);
    for (std::uint64_t seq = 1; seq <= 12; ++seq) {
        auto events = ScanEvents(5000, static_cast<unsigned>(seq), seq % 4 == 0);
        for (ScanEvent& e : events) {
            e.time.micros_since_epoch += static_cast<std::int64_t>(seq) * kBinMicros;
            e.packets = static_cast<std::uint32_t>(seq);
            expected[e.destination_port] += e.packets;
        }
        ASSERT_TRUE(store->AppendBatch("s" + std::to_string(seq % 3), seq, events).ok());
    }
    ScanFilter ports;
    ports.columns = column::kDestinationPort | column::kPackets;
    std::vector<std::uint64_t> serial(65536);
    auto one = store->Scan(ports, [&](const EventColumns& c) {
        EXPECT_TRUE(c.time_micros.empty());
        EXPECT_TRUE(c.source.empty());
        EXPECT_EQ(c.destination_port.size(), c.size);
        for (std::size_t i = 0; i < c.size; ++i) serial[c.destination_port[i]] += c.packets[i];
        return true;
    });
    ASSERT_TRUE(one.ok());
    EXPECT_EQ(serial, expected);
    EXPECT_EQ(one->rows_scanned, 60000u);

    std::vector<std::vector<std::uint64_t>> partial(3, std::vector<std::uint64_t>(65536));
    auto par = store->ParallelScan(ports, 3, [&](unsigned w, const EventColumns& c) {
        for (std::size_t i = 0; i < c.size; ++i) partial[w][c.destination_port[i]] += c.packets[i];
        return true;
    });
    ASSERT_TRUE(par.ok());
    EXPECT_EQ(par->rows_scanned, 60000u);
    std::vector<std::uint64_t> merged(65536);
    for (const auto& p : partial) {
        for (std::size_t i = 0; i < merged.size(); ++i) merged[i] += p[i];
    }
    EXPECT_EQ(merged, expected);

    // A filter's own conditions pull in their columns, so Matches() works on a narrow projection.
    ScanFilter narrow;
    narrow.columns = column::kPackets;
    narrow.range = {PacketTime{kDay0 + 3 * kBinMicros}, PacketTime{kDay0 + 5 * kBinMicros}};
    narrow.destination_port = 23;
    std::uint64_t matched = 0, brute = 0;
    ASSERT_TRUE(store->Scan(narrow, [&](const EventColumns& c) {
                         EXPECT_FALSE(c.time_micros.empty());
                         for (std::size_t i = 0; i < c.size; ++i) matched += narrow.Matches(c, i) ? c.packets[i] : 0;
                         return true;
                     }).ok());
    ASSERT_TRUE(store->Scan({}, [&](const EventColumns& c) {
                         for (std::size_t i = 0; i < c.size; ++i) brute += narrow.Matches(c, i) ? c.packets[i] : 0;
                         return true;
                     }).ok());
    EXPECT_EQ(matched, brute);
    EXPECT_GT(matched, 0u);

    // Stopping early: no more callbacks after the one that returned false, on any worker.
    std::atomic<int> calls{0};
    auto stopped = store->ParallelScan(ports, 2, [&](unsigned, const EventColumns&) {
        ++calls;
        return false;
    });
    ASSERT_TRUE(stopped.ok());
    EXPECT_LE(calls.load(), 2);
}

}  // namespace
}  // namespace kizuna::observe
