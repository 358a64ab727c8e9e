#include "observe/import.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "observe/pcap_file.hpp"

namespace kizuna::observe {

namespace {

// What the reader thread hands to the storing thread: a batch of events, or the end of one file.
struct Chunk {
    std::vector<ScanEvent> events;
    bool end_of_file = false;
    std::optional<PacketTime> first, last;  // end of file: the file's packet time span
    std::uint64_t records_read = 0;
    AnomalyCounts anomalies;
    std::optional<core::Error> error;  // the file could not be opened or read to its end
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
    void Recycle(std::vector<ScanEvent> buffer) {
        std::lock_guard lock(mutex_);
        buffer.clear();
        free_.push_back(std::move(buffer));
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
    std::size_t capacity_;
    bool done_ = false;
    bool cancelled_ = false;
};

void ReadFiles(const std::vector<std::string>& files, std::size_t batch_events, ChunkQueue& queue) {
    for (const std::string& file : files) {
        Chunk end;
        end.end_of_file = true;
        auto opened = PcapFileReader::Open(file);
        if (!opened.ok()) {
            end.error = opened.error();
            queue.Push(std::move(end));
            break;
        }
        PcapFileReader reader = std::move(opened).value();
        std::vector<ScanEvent> batch = queue.Buffer(batch_events);
        std::int64_t first = INT64_MAX, last = INT64_MIN;
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
                Chunk chunk;
                chunk.events = std::move(batch);
                if (!queue.Push(std::move(chunk))) {
                    cancelled = true;
                    break;
                }
                batch = queue.Buffer(batch_events);
            }
        }
        if (cancelled) return;
        if (!batch.empty()) {
            Chunk chunk;
            chunk.events = std::move(batch);
            if (!queue.Push(std::move(chunk))) return;
        }
        if (first <= last) {
            end.first = PacketTime{first};
            end.last = PacketTime{last};
        }
        end.records_read = reader.packets_read();
        end.anomalies = reader.counters().counts();
        bool failed = end.error.has_value();
        if (!queue.Push(std::move(end)) || failed) break;
    }
    queue.Done();
}

}  // namespace

core::Result<void> ImportCaptures(EventStore& store, const std::vector<std::string>& files, std::string_view sensor,
                                  const ImportOptions& options, ImportReport& report) {
    if (options.batch_events == 0) return core::InvalidArgument("batch size must be positive", "batch_events");
    ChunkQueue queue(2);
    std::thread reader([&] { ReadFiles(files, options.batch_events, queue); });
    core::Status status = core::Ok();
    while (auto chunk = queue.Pop()) {
        if (!chunk->end_of_file) {
            auto stored = store.AppendBatch(sensor, store.LastSequence(sensor) + 1, chunk->events);
            if (!stored.ok()) {
                status = stored.error();
                break;
            }
            report.batches += 1;
            report.events += chunk->events.size();
            for (const ScanEvent& e : chunk->events) report.packets += e.packets;
            queue.Recycle(std::move(chunk->events));
            continue;
        }
        report.files += 1;
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
    }
    queue.Cancel();
    reader.join();
    return status;
}

}  // namespace kizuna::observe
