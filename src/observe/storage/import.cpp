#include "observe/storage/import.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <openssl/evp.h>
#include <xxhash.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <span>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "observe/storage/geo.hpp"
#include "observe/capture/pcap_file.hpp"

namespace kizuna::observe {

namespace {

// What the reader thread hands to the storing thread: a batch of events, or the end of one file.
struct Chunk {
    std::size_t file = 0;  // index into the file list
    std::vector<ScanEvent> events;
    std::vector<CountryCode> countries;  // countries[i] of events[i].source, looked up by the reader
    bool end_of_file = false;
    std::optional<PacketTime> first, last;  // end of file: the file's packet time span
    std::uint64_t records_read = 0;
    AnomalyCounts anomalies;
    std::optional<core::Error> error;  // the file could not be opened or read to its end
    ProbeDigest probe{};               // the file's ImportRecord::probe
    std::uint64_t resumed_records = 0;  // records skipped because an earlier import stored them
    // The file's import state once this chunk is stored (events: including this batch; end of file: the
    // whole file), counting what an earlier, interrupted import stored.
    ImportProgress after;
};

// A small bounded queue between the two threads, with recycled event buffers so the steady state allocates
// nothing: reading and decoding overlap compression, writing and fsync.
class ChunkQueue {
  public:
    explicit ChunkQueue(std::size_t capacity) : capacity_(capacity) {}

    // False when the consumer has given up.
    bool Push(Chunk chunk) {
        std::unique_lock lock(mutex_);
        not_full_.wait(lock, [&] { return queue_.size() < capacity_ || cancelled_; });
        if (cancelled_) return false;
        queue_.push_back(std::move(chunk));
        not_empty_.notify_one();
        return true;
    }
    // nullopt once the producer is done and the queue is drained.
    std::optional<Chunk> Pop() {
        std::unique_lock lock(mutex_);
        not_empty_.wait(lock, [&] { return !queue_.empty() || done_; });
        if (queue_.empty()) return std::nullopt;
        Chunk chunk = std::move(queue_.front());
        queue_.pop_front();
        not_full_.notify_one();
        return chunk;
    }
    void Done() {
        std::lock_guard lock(mutex_);
        done_ = true;
        not_empty_.notify_all();
    }
    void Cancel() {
        std::lock_guard lock(mutex_);
        cancelled_ = true;
        not_full_.notify_all();
    }
    void Recycle(std::vector<ScanEvent> buffer, std::vector<CountryCode> countries) {
        std::lock_guard lock(mutex_);
        buffer.clear();
        countries.clear();
        free_.push_back(std::move(buffer));
        free_countries_.push_back(std::move(countries));
    }
    std::vector<CountryCode> CountryBuffer(std::size_t reserve) {
        std::lock_guard lock(mutex_);
        if (free_countries_.empty()) {
            std::vector<CountryCode> fresh;
            fresh.reserve(reserve);
            return fresh;
        }
        std::vector<CountryCode> buffer = std::move(free_countries_.back());
        free_countries_.pop_back();
        return buffer;
    }
    std::vector<ScanEvent> Buffer(std::size_t reserve) {
        std::lock_guard lock(mutex_);
        if (free_.empty()) {
            std::vector<ScanEvent> fresh;
            fresh.reserve(reserve);
            return fresh;
        }
        std::vector<ScanEvent> buffer = std::move(free_.back());
        free_.pop_back();
        return buffer;
    }

  private:
    std::mutex mutex_;
    std::condition_variable not_full_, not_empty_;
    std::deque<Chunk> queue_;
    std::vector<std::vector<ScanEvent>> free_;
    std::vector<std::vector<CountryCode>> free_countries_;
    std::size_t capacity_;
    bool done_ = false;
    bool cancelled_ = false;
};

constexpr std::size_t kNoFile = ~std::size_t{0};

// `skip` names a file the storing side found to be a duplicate: the reader stops decoding it.
// Reads, decodes and looks up the sources' countries (so the storing thread does not have to). A file with
// durable progress from an interrupted import of this sensor (same probe) is read from where that stopped.
void ReadFiles(const EventStore& store, std::string_view sensor, const std::vector<std::string>& files,
               std::size_t batch_events, ChunkQueue& queue, const std::atomic<std::size_t>& skip, GeoLookup& geo) {
    for (std::size_t index = 0; index < files.size(); ++index) {
        const std::string& file = files[index];
        Chunk end;
        end.file = index;
        end.end_of_file = true;
        auto opened = PcapFileReader::Open(file);
        auto probed = opened.ok() ? ProbeFile(file) : core::Result<ProbeDigest>(opened.error());
        if (!probed.ok()) {
            end.error = probed.error();
            queue.Push(std::move(end));
            break;
        }
        PcapFileReader reader = std::move(opened).value();
        ImportProgress state;
        state.sensor = std::string(sensor);
        state.probe = *probed;
        if (auto earlier = store.FindImportProgress(sensor, *probed)) state = *earlier;
        std::uint64_t resumed_records = 0;
        if (state.records > 0) {
            auto skipped = reader.Skip(state.records);
            if (!skipped.ok()) {
                end.error = skipped.error();
                queue.Push(std::move(end));
                break;
            }
            resumed_records = *skipped;
        }
        end.probe = state.probe;
        end.resumed_records = resumed_records;
        auto make_chunk = [&](std::vector<ScanEvent> events, std::vector<CountryCode> countries) {
            Chunk chunk;
            chunk.file = index;
            chunk.probe = state.probe;
            chunk.resumed_records = resumed_records;
            for (const ScanEvent& e : events) state.packets += e.packets;
            state.events += events.size();
            state.records = reader.packets_read();
            chunk.after = state;
            chunk.events = std::move(events);
            chunk.countries = std::move(countries);
            return chunk;
        };
        std::vector<ScanEvent> batch = queue.Buffer(batch_events);
        std::vector<CountryCode> countries = queue.CountryBuffer(batch_events);
        std::int64_t& first = state.first_micros;
        std::int64_t& last = state.last_micros;
        bool cancelled = false;
        for (;;) {
            auto next = reader.Next();
            if (!next.ok()) {
                end.error = next.error();
                break;
            }
            if (!*next) break;
            const ScanEvent& e = **next;
            first = std::min(first, e.time.micros_since_epoch);
            last = std::max(last, e.time.micros_since_epoch);
            batch.push_back(e);
            if (batch.size() >= batch_events) {
                geo.LookupSources(batch, countries);
                Chunk chunk = make_chunk(std::move(batch), std::move(countries));
                if (!queue.Push(std::move(chunk))) {
                    cancelled = true;
                    break;
                }
                batch = queue.Buffer(batch_events);
                countries = queue.CountryBuffer(batch_events);
                if (skip.load(std::memory_order_relaxed) == index) break;
            }
        }
        if (cancelled) return;
        if (!batch.empty()) {
            geo.LookupSources(batch, countries);
            Chunk chunk = make_chunk(std::move(batch), std::move(countries));
            if (!queue.Push(std::move(chunk))) return;
        }
        if (first <= last) {
            end.first = PacketTime{first};
            end.last = PacketTime{last};
        }
        end.after = state;
        end.records_read = reader.packets_read() - resumed_records;
        end.anomalies = reader.counters().counts();
        bool failed = end.error.has_value();
        if (!queue.Push(std::move(end)) || failed) break;
    }
    queue.Done();
}

}  // namespace

namespace {

// Feeds the file's bytes in the [from, to) ranges to `consume`, 1 MiB at a time.
core::Status ReadRanges(const std::string& path, const std::vector<std::pair<std::uint64_t, std::uint64_t>>& ranges,
                        const std::function<void(std::span<const std::uint8_t>)>& consume) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int err = errno;
        if (err == ENOENT) return core::NotFound("cannot open " + path + ": no such file");
        return core::Internal("cannot open " + path + ": " + std::strerror(err));
    }
    (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    std::vector<std::uint8_t> buffer(1 << 20);
    for (const auto& [from, to] : ranges) {
        for (std::uint64_t pos = from; pos < to;) {
            std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), to - pos));
            ssize_t got = ::pread(fd, buffer.data(), want, static_cast<off_t>(pos));
            if (got < 0 && errno == EINTR) continue;
            if (got < 0) {
                int err = errno;
                ::close(fd);
                return core::Internal("cannot read " + path + ": " + std::strerror(err));
            }
            if (got == 0) break;  // shorter than it was: what is there
            consume(std::span<const std::uint8_t>(buffer.data(), static_cast<std::size_t>(got)));
            pos += static_cast<std::uint64_t>(got);
        }
    }
    ::close(fd);
    return core::Ok();
}

core::Result<std::uint64_t> SizeOf(const std::string& path) {
    std::error_code ec;
    std::uint64_t size = std::filesystem::file_size(path, ec);
    if (ec) {
        if (ec == std::errc::no_such_file_or_directory) return core::NotFound("cannot open " + path + ": no such file");
        return core::Internal("cannot read " + path + ": " + ec.message());
    }
    return size;
}

}  // namespace

core::Result<ContentDigest> DigestFile(const std::string& path) {
    KZ_ASSIGN(std::uint64_t size, SizeOf(path));
    std::unique_ptr<XXH3_state_t, decltype(&XXH3_freeState)> state(XXH3_createState(), XXH3_freeState);
    if (!state || XXH3_128bits_reset(state.get()) != XXH_OK) return core::Internal("cannot digest " + path);
    KZ_TRY(ReadRanges(path, {{0, size}}, [&](std::span<const std::uint8_t> bytes) {
        (void)XXH3_128bits_update(state.get(), bytes.data(), bytes.size());
    }));
    XXH128_canonical_t canonical;
    XXH128_canonicalFromHash(&canonical, XXH3_128bits_digest(state.get()));
    ContentDigest digest{};
    static_assert(sizeof(canonical.digest) == sizeof(ContentDigest));
    std::memcpy(digest.data(), canonical.digest, digest.size());
    return digest;
}

core::Result<ProbeDigest> ProbeFile(const std::string& path) {
    KZ_ASSIGN(std::uint64_t size, SizeOf(path));
    constexpr std::uint64_t kMiB = 1 << 20;
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    std::array<std::uint8_t, 8> prefix{};
    std::memcpy(prefix.data(), &size, 8);
    bool ok = ctx && EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) == 1 &&
              EVP_DigestUpdate(ctx.get(), prefix.data(), prefix.size()) == 1;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
    if (size <= 2 * kMiB) {
        ranges = {{0, size}};
    } else {
        ranges = {{0, kMiB}, {size - kMiB, size}};
    }
    KZ_TRY(ReadRanges(path, ranges, [&](std::span<const std::uint8_t> bytes) {
        ok = ok && EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()) == 1;
    }));
    ProbeDigest probe{};
    unsigned int length = 0;
    if (!ok || EVP_DigestFinal_ex(ctx.get(), probe.data(), &length) != 1 || length != probe.size()) {
        return core::Internal("cannot digest " + path + ": SHA-256 failed");
    }
    return probe;
}

std::string DigestHex(std::span<const std::uint8_t> digest) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (std::uint8_t b : digest) {
        out += kHex[b >> 4];
        out += kHex[b & 15];
    }
    return out;
}

core::Result<void> ImportCaptures(EventStore& store, const std::vector<std::string>& files, std::string_view sensor,
                                  const ImportOptions& options, ImportReport& report) {
    if (options.batch_events == 0) return core::InvalidArgument("batch size must be positive", "batch_events");
    KZ_ASSIGN(std::unique_ptr<GeoLookup> geo, GeoLookup::Open(store.options().geo_database));
    // Room for a few batches, so the reader keeps decoding while the storing thread digests a file or fsyncs.
    ChunkQueue queue(4);
    std::atomic<std::size_t> skip{kNoFile};
    std::thread reader([&] { ReadFiles(store, sensor, files, options.batch_events, queue, skip, *geo); });
    core::Status status = core::Ok();
    // The file being stored: whether it is a duplicate, its digest (taken on a helper thread while it is
    // stored, unless its probe matched an earlier import and it had to be digested first), its probe, and
    // what it added.
    std::size_t current = kNoFile;
    bool duplicate = false;
    ProbeDigest probe{};
    std::optional<ContentDigest> digest;
    std::future<core::Result<ContentDigest>> digesting;
    while (auto chunk = queue.Pop()) {
        if (chunk->file != current) {
            if (chunk->end_of_file && chunk->error && chunk->records_read == 0) {
                status = *chunk->error;  // cannot be opened: its own error, not the digest's
                break;
            }
            current = chunk->file;
            duplicate = false;
            digest.reset();
            probe = chunk->probe;
            std::vector<ImportRecord> candidates = store.FindImportsByProbe(sensor, probe);
            if (!candidates.empty()) {
                auto digested = DigestFile(files[current]);
                if (!digested.ok()) {
                    status = digested.error();
                    break;
                }
                digest = *digested;
                for (const ImportRecord& previous : candidates) {
                    if (previous.digest != *digest) continue;
                    duplicate = true;
                    skip.store(current, std::memory_order_relaxed);
                    report.duplicates.push_back({files[current], previous});
                    break;
                }
            } else {
                digesting = std::async(std::launch::async, DigestFile, files[current]);
            }
            if (!duplicate && chunk->resumed_records > 0) {
                report.resumed.push_back({files[current], chunk->resumed_records});
            }
        }
        if (!chunk->end_of_file) {
            if (duplicate) {
                queue.Recycle(std::move(chunk->events), std::move(chunk->countries));
                continue;
            }
            // The batch and how far the file got are stored together: an import stopped at any point resumes
            // after the last stored batch next time.
            auto stored = store.AppendImportBatch(chunk->events, chunk->countries, chunk->after);
            if (!stored.ok()) {
                status = stored.error();
                break;
            }
            std::uint64_t packets = 0;
            for (const ScanEvent& e : chunk->events) packets += e.packets;
            report.batches += 1;
            report.events += chunk->events.size();
            report.packets += packets;
            queue.Recycle(std::move(chunk->events), std::move(chunk->countries));
            continue;
        }
        report.files += 1;
        if (duplicate) continue;
        report.records_read += chunk->records_read;
        for (const auto& [name, count] : chunk->anomalies) report.anomalies[name] += count;
        if (chunk->first) {
            // The sensor was up from the file's first to its last packet. RecordUptime takes at most 400 days
            // at a time; a capture may span years.
            constexpr std::int64_t kPiece = 366 * kDayMicros;
            std::int64_t end = chunk->last->micros_since_epoch + 1;
            for (std::int64_t from = chunk->first->micros_since_epoch; from < end && status.ok(); from += kPiece) {
                status = store.RecordUptime(sensor, PacketTime{from}, PacketTime{std::min(end, from + kPiece)});
            }
            if (!report.first || *chunk->first < *report.first) report.first = chunk->first;
            if (!report.last || *report.last < *chunk->last) report.last = chunk->last;
        }
        if (chunk->error) status = *chunk->error;
        if (!status.ok()) break;
        // The whole file is stored: remember its content for this sensor.
        if (!digest) {
            auto digested = digesting.get();
            if (!digested.ok()) {
                status = digested.error();
                break;
            }
            digest = *digested;
        }
        std::string name = files[current].substr(files[current].find_last_of('/') + 1);
        status = store.RecordImport(
            {std::string(sensor), *digest, probe, name, chunk->after.events, chunk->after.packets});
        if (!status.ok()) break;
    }
    if (digesting.valid()) digesting.wait();  // an import that stopped early: let the helper finish
    queue.Cancel();
    reader.join();
    return status;
}

}  // namespace kizuna::observe
