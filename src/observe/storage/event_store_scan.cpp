#include "observe/storage/internal/segment_scan.hpp"

#include <fcntl.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>
#include <thread>

#include "observe/storage/segment_format.hpp"
#include "observe/storage/segment_io.hpp"

namespace kizuna::observe {

namespace fs = std::filesystem;
using segment::Fd;

namespace detail {
namespace {

// One block a scan will read: where it is and its parsed header (and, for v2, its directory).
struct ScanBlock {
    std::size_t file = 0;  // index into the scan's open files
    std::uint64_t pos = 0;
    segment::BlockHeader header;
    segment::Directory directory{};
};

struct ScanFile {
    fs::path path;
};

// Per worker: the segment file it has open (one at a time, so a scan over years of partitions holds at
// most one descriptor per worker), a codec, the decoded columns and read buffers.
struct ScanWorker {
    std::size_t file = ~std::size_t{0};
    Fd fd;
    segment::BlockCodec codec{1};
    segment::DecodedBlock block;
    std::vector<std::uint8_t> payload;
    std::vector<std::uint8_t> column;
};

// Reads the projected columns of `b` and decodes them into w.block (v1: the whole block).
core::Status ReadBlock(const ScanFile& file, const ScanBlock& b, ColumnSet columns, ScanWorker& w) {
    const segment::BlockHeader& h = b.header;
    const std::uint64_t payload_pos = b.pos + segment::kBlockHeaderSize;
    if (h.version == 1) {
        w.payload.resize(h.payload_len);
        KZ_TRY(segment::ReadAt(w.fd, w.payload, payload_pos, file.path));
        std::vector<std::uint8_t> header_bytes(segment::kBlockHeaderSize);
        KZ_TRY(segment::ReadAt(w.fd, header_bytes, b.pos, file.path));
        if (!segment::BlockChecksumOk(header_bytes, w.payload)) {
            return core::DataLoss(file.path.string() + ": block checksum mismatch at offset " + std::to_string(b.pos));
        }
        return w.codec.Decode(h, w.payload, w.block);
    }
    w.block.sensor = h.sensor;
    w.block.size = h.event_count;
    // Columns not projected are left empty (their spans in EventColumns are empty).
    auto clear_unprojected = [&](ColumnSet bit, auto& vec) {
        if ((columns & bit) == 0) vec.clear();
    };
    clear_unprojected(column::kTime, w.block.time_micros);
    clear_unprojected(column::kSource, w.block.source);
    clear_unprojected(column::kDestination, w.block.destination);
    clear_unprojected(column::kSourcePort, w.block.source_port);
    clear_unprojected(column::kDestinationPort, w.block.destination_port);
    clear_unprojected(column::kIpLength, w.block.ip_length);
    clear_unprojected(column::kProtocol, w.block.protocol);
    clear_unprojected(column::kIpVersion, w.block.ip_version);
    clear_unprojected(column::kTcpFlags, w.block.tcp_flags);
    clear_unprojected(column::kIcmpType, w.block.icmp_type);
    clear_unprojected(column::kIcmpCode, w.block.icmp_code);
    clear_unprojected(column::kTtl, w.block.ttl);
    clear_unprojected(column::kPackets, w.block.packets);
    clear_unprojected(column::kCountry, w.block.country);
    // Projected columns in order; neighbours less than kGap bytes apart are fetched with one read (a block's
    // small constant columns sit between the big ones), a lone column straight into its decoded vector
    // when it is raw.
    constexpr std::uint64_t kGap = 16 << 10;
    std::size_t c = 0;
    while (c < segment::kColumnCount) {
        if ((columns & (1u << c)) == 0) {
            ++c;
            continue;
        }
        std::size_t last = c;
        for (std::size_t next = c + 1; next < segment::kColumnCount; ++next) {
            if ((columns & (1u << next)) == 0) continue;
            const segment::ColumnEntry& prev = b.directory[last];
            if (std::uint64_t{b.directory[next].offset} - (std::uint64_t{prev.offset} + prev.length) > kGap) break;
            last = next;
        }
        auto context = [&](const core::Error& e) {
            return e.WithContext(file.path.string() + " offset " + std::to_string(b.pos));
        };
        if (last == c) {
            const segment::ColumnEntry& entry = b.directory[c];
            std::span<std::uint8_t> target = segment::BlockCodec::RawTarget(h, c, entry, w.block);
            const bool in_place = !target.empty();
            if (!in_place) {
                w.column.resize(entry.length);
                target = w.column;
            }
            KZ_TRY(segment::ReadAt(w.fd, target, payload_pos + entry.offset, file.path));
            auto decoded = w.codec.DecodeColumn(h, c, entry, target, w.block, true, in_place);
            if (!decoded.ok()) return context(decoded.error());
        } else {
            const std::uint64_t begin = b.directory[c].offset;
            const std::uint64_t end = std::uint64_t{b.directory[last].offset} + b.directory[last].length;
            w.column.resize(end - begin);
            KZ_TRY(segment::ReadAt(w.fd, w.column, payload_pos + begin, file.path));
            for (std::size_t k = c; k <= last; ++k) {
                if ((columns & (1u << k)) == 0) continue;
                const segment::ColumnEntry& entry = b.directory[k];
                auto bytes = std::span<const std::uint8_t>(w.column).subspan(entry.offset - begin, entry.length);
                auto decoded = w.codec.DecodeColumn(h, k, entry, bytes, w.block);
                if (!decoded.ok()) return context(decoded.error());
            }
        }
        c = last + 1;
    }
    return core::Ok();
}

}  // namespace


core::Status ScanSegments(const std::vector<ScanTarget>& targets, const ScanFilter& filter, unsigned threads,
                          const std::function<bool(unsigned worker, const EventColumns&)>& callback,
                          ScanStats& scan_stats) {
    const ColumnSet columns = filter.EffectiveColumns();
    // 1. Walk the block headers (and v2 directories) of every partition in order; zone maps prune here.
    std::vector<ScanFile> files;
    std::vector<ScanBlock> blocks;
    std::vector<std::uint8_t> head(segment::kBlockHeaderSize + segment::kDirectorySize);
    for (const ScanTarget& t : targets) {
        KZ_ASSIGN(Fd fd, segment::OpenFile(t.path, O_RDONLY));
        files.push_back({t.path});
        std::uint64_t pos = segment::kFileHeaderSize;
        while (pos + segment::kBlockHeaderSize <= t.length) {
            // Header and directory in one read when both lie inside the committed length.
            std::size_t want = pos + head.size() <= t.length ? head.size() : segment::kBlockHeaderSize;
            std::span<std::uint8_t> got(head.data(), want);
            KZ_TRY(segment::ReadAt(fd, got, pos, t.path));
            KZ_ASSIGN(segment::BlockHeader h, segment::DecodeBlockHeader(got));
            ++scan_stats.blocks_total;
            std::uint64_t next = pos + segment::kBlockHeaderSize + h.payload_len;
            if (next > t.length) return core::DataLoss(t.path.string() + ": block runs past the committed length");
            if (!h.MayMatch(filter)) {
                ++scan_stats.blocks_pruned;
                pos = next;
                continue;
            }
            ScanBlock b{files.size() - 1, pos, std::move(h), {}};
            if (b.header.version == 2) {
                auto header_bytes = got.first(segment::kBlockHeaderSize);
                auto directory = got.subspan(segment::kBlockHeaderSize);
                if (!segment::HeaderChecksumOk(header_bytes, directory)) {
                    return core::DataLoss(t.path.string() + ": block checksum mismatch at offset " + std::to_string(pos));
                }
                auto dir = segment::DecodeDirectory(b.header, directory);
                if (!dir.ok()) return dir.error().WithContext(t.path.string() + " offset " + std::to_string(pos));
                b.directory = *dir;
            }
            blocks.push_back(std::move(b));
            pos = next;
        }
    }
    // 2. Workers take blocks in order from a shared counter; worker 0 is the calling thread.
    if (threads == 0) threads = EventStore::DefaultScanThreads();
    threads = static_cast<unsigned>(std::max<std::size_t>(1, std::min<std::size_t>(threads, blocks.size())));
    std::atomic<std::size_t> next_block{0};
    std::atomic<bool> stop{false};
    std::mutex error_mutex;
    std::optional<core::Error> first_error;
    std::vector<std::uint64_t> rows(threads, 0);
    auto work = [&](unsigned worker) {
        ScanWorker w;
        while (!stop.load(std::memory_order_relaxed)) {
            std::size_t i = next_block.fetch_add(1, std::memory_order_relaxed);
            if (i >= blocks.size()) break;
            const ScanBlock& b = blocks[i];
            core::Status read = core::Ok();
            if (w.file != b.file) {
                auto opened = segment::OpenFile(files[b.file].path, O_RDONLY);
                if (opened.ok()) {
                    w.fd = std::move(opened).value();
                    w.file = b.file;
                } else {
                    read = opened.error();
                }
            }
            if (read.ok()) read = ReadBlock(files[b.file], b, columns, w);
            if (!read.ok()) {
                std::lock_guard lock(error_mutex);
                if (!first_error) first_error = read.error();
                stop = true;
                break;
            }
            rows[worker] += b.header.event_count;
            if (!callback(worker, w.block.View())) {
                stop = true;
                break;
            }
        }
    };
    std::vector<std::thread> helpers;
    for (unsigned t = 1; t < threads; ++t) helpers.emplace_back(work, t);
    work(0);
    for (std::thread& t : helpers) t.join();
    if (first_error) return *first_error;
    for (std::uint64_t r : rows) scan_stats.rows_scanned += r;
    return core::Ok();
}

}  // namespace detail

unsigned EventStore::DefaultScanThreads() {
    unsigned n = std::thread::hardware_concurrency();
    return std::clamp(n, 1u, 16u);
}

core::Result<ScanStats> EventStore::Scan(const ScanFilter& filter,
                                         const std::function<bool(const EventColumns&)>& callback) const {
    return ParallelScan(filter, 1, [&](unsigned, const EventColumns& c) { return callback(c); });
}

}  // namespace kizuna::observe
