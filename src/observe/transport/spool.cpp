#include "observe/transport/spool.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "observe/transport/protocol.hpp"

namespace kizuna::observe {
namespace {

constexpr std::string_view kBatchSuffix = ".batch";
constexpr std::string_view kTmpSuffix = ".tmp";

core::Error FromErrno(std::string_view what, const std::string& path) {
    return core::Internal(std::string(what) + " " + path + ": " + std::strerror(errno));
}

// RAII file descriptor.
class Fd {
  public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }
    int Release() {
        const int fd = fd_;
        fd_ = -1;
        return fd;
    }

  private:
    int fd_;
};

core::Status WriteAll(int fd, std::span<const std::uint8_t> bytes, const std::string& path) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        const auto n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            return FromErrno("write", path);
        }
        done += static_cast<std::size_t>(n);
    }
    return core::Ok();
}

core::Status SyncDirectory(const std::string& directory) {
    Fd dir(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir.get() < 0) return FromErrno("open", directory);
    if (::fsync(dir.get()) != 0) return FromErrno("fsync", directory);
    return core::Ok();
}

// Writes `bytes` to `path` durably: temp file, fsync, rename, fsync of the directory.
core::Status WriteDurably(const std::string& directory, const std::string& path, std::span<const std::uint8_t> bytes) {
    const std::string tmp = path + std::string(kTmpSuffix);
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (fd.get() < 0) return FromErrno("create", tmp);
    KZ_TRY(WriteAll(fd.get(), bytes, tmp));
    if (::fdatasync(fd.get()) != 0) return FromErrno("fsync", tmp);
    if (::close(fd.Release()) != 0) return FromErrno("close", tmp);
    if (::rename(tmp.c_str(), path.c_str()) != 0) return FromErrno("rename", tmp);
    return SyncDirectory(directory);
}

bool EndsWith(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

}  // namespace

core::Result<std::unique_ptr<Spool>> Spool::Open(const std::string& directory, std::uint64_t fresh_sequence) {
    if (directory.empty()) return core::InvalidArgument("must not be empty", "spool_dir");
    std::error_code ec;
    std::filesystem::create_directories(directory, ec);
    if (ec) return core::InvalidArgument("cannot create " + directory + ": " + ec.message(), "spool_dir");
    std::unique_ptr<Spool> spool(new Spool(directory));

    std::ifstream last(directory + "/last_sequence");
    const bool has_history = static_cast<bool>(last);
    std::uint64_t last_sequence = 0;
    if (last && !(last >> last_sequence)) return core::DataLoss(directory + "/last_sequence: not a number");
    spool->last_acknowledged_ = last_sequence;

    std::uint64_t highest = last_sequence;
    for (const auto& entry : std::filesystem::directory_iterator(directory, ec)) {
        const std::string name = entry.path().filename().string();
        if (EndsWith(name, kTmpSuffix)) {
            std::filesystem::remove(entry.path(), ec);  // never completed, never sent
            continue;
        }
        if (!EndsWith(name, kBatchSuffix)) continue;
        const auto digits = name.substr(0, name.size() - kBatchSuffix.size());
        char* end = nullptr;
        const std::uint64_t sequence = std::strtoull(digits.c_str(), &end, 10);
        if (digits.empty() || *end != '\0' || sequence == 0) continue;
        const auto size = entry.file_size(ec);
        if (ec || size < transport::kHeaderSize + 16) return core::DataLoss(entry.path().string() + ": truncated batch");
        const auto events = (size - transport::kHeaderSize - 16) / transport::kEventWireSize;
        if (sequence <= last_sequence) {
            // Acknowledged but not yet deleted when the sensor stopped.
            std::filesystem::remove(entry.path(), ec);
            continue;
        }
        spool->pending_[sequence] = static_cast<std::uint32_t>(events);
        spool->pending_events_ += events;
        highest = std::max(highest, sequence);
    }
    if (ec) return core::Internal("cannot list " + directory + ": " + ec.message());
    spool->next_sequence_ = highest + 1;
    if (!has_history && spool->pending_.empty()) spool->next_sequence_ = std::max<std::uint64_t>(1, fresh_sequence);
    return spool;
}

std::string Spool::BatchPath(std::uint64_t sequence) const {
    char name[32];
    std::snprintf(name, sizeof name, "/%020" PRIu64, sequence);
    return directory_ + name + std::string(kBatchSuffix);
}

core::Result<std::uint64_t> Spool::Append(std::span<const ScanEvent> events) {
    if (events.size() > transport::kMaxBatchEvents)
        return core::InvalidArgument("a batch holds at most 65536 events", "batch_events");
    std::uint64_t sequence = 0;
    {
        std::lock_guard lock(mutex_);
        sequence = next_sequence_++;
    }
    auto frame = std::make_shared<std::vector<std::uint8_t>>();
    frame->reserve(transport::kHeaderSize + 16 + events.size() * transport::kEventWireSize);
    transport::EncodeBatch(sequence, events, *frame);
    KZ_TRY(WriteDurably(directory_, BatchPath(sequence), *frame));
    std::lock_guard lock(mutex_);
    pending_[sequence] = static_cast<std::uint32_t>(events.size());
    pending_events_ += events.size();
    if (recent_bytes_ + frame->size() <= kMemoryFrameBytes) {
        recent_bytes_ += frame->size();
        recent_.emplace(sequence, std::move(frame));
    }
    return sequence;
}

std::vector<std::uint64_t> Spool::Pending() const {
    std::lock_guard lock(mutex_);
    std::vector<std::uint64_t> sequences;
    sequences.reserve(pending_.size());
    for (const auto& [sequence, count] : pending_) sequences.push_back(sequence);
    return sequences;
}

std::vector<std::uint64_t> Spool::PendingAfter(std::uint64_t after, std::size_t limit) const {
    std::lock_guard lock(mutex_);
    std::vector<std::uint64_t> sequences;
    for (auto it = pending_.upper_bound(after); it != pending_.end() && sequences.size() < limit; ++it)
        sequences.push_back(it->first);
    return sequences;
}

std::size_t Spool::PendingCount() const {
    std::lock_guard lock(mutex_);
    return pending_.size();
}

std::uint64_t Spool::PendingEvents() const {
    std::lock_guard lock(mutex_);
    return pending_events_;
}

std::uint64_t Spool::next_sequence() const {
    std::lock_guard lock(mutex_);
    return next_sequence_;
}

core::Result<std::vector<std::uint8_t>> Spool::Read(std::uint64_t sequence) const {
    {
        std::lock_guard lock(mutex_);
        if (!pending_.contains(sequence)) return core::NotFound("batch " + std::to_string(sequence) + " not spooled");
    }
    const auto path = BatchPath(sequence);
    std::ifstream in(path, std::ios::binary);
    if (!in) return core::NotFound("cannot open " + path);
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // Header, length and checksum only: the sender forwards the bytes as they are, and decoding every
    // event again would cost a copy of the batch per send.
    const auto corrupt = core::DataLoss(path + ": not one complete batch frame");
    if (bytes.size() < transport::kHeaderSize + 16) return corrupt;
    auto header = transport::ParseHeader(std::span(bytes).first(transport::kHeaderSize));
    if (!header.ok() || header->type != transport::FrameType::kBatch ||
        header->body_length != bytes.size() - transport::kHeaderSize)
        return corrupt;
    std::uint32_t count = 0, crc = 0;
    std::memcpy(&count, bytes.data() + transport::kHeaderSize + 8, 4);
    std::memcpy(&crc, bytes.data() + transport::kHeaderSize + 12, 4);
    const auto records = std::span(bytes).subspan(transport::kHeaderSize + 16);
    if (records.size() != std::size_t{count} * transport::kEventWireSize || transport::Crc32(records) != crc)
        return corrupt;
    return bytes;
}

core::Result<std::shared_ptr<const std::vector<std::uint8_t>>> Spool::Frame(std::uint64_t sequence) const {
    {
        std::lock_guard lock(mutex_);
        if (auto found = recent_.find(sequence); found != recent_.end()) return found->second;
    }
    KZ_ASSIGN(auto bytes, Read(sequence));
    return std::make_shared<const std::vector<std::uint8_t>>(std::move(bytes));
}

core::Status Spool::WriteLastSequence(std::uint64_t sequence) {
    const std::string text = std::to_string(sequence) + "\n";
    return WriteDurably(directory_, directory_ + "/last_sequence",
                        std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

core::Status Spool::Acknowledge(std::uint64_t sequence) {
    bool later_pending = false;
    {
        std::lock_guard lock(mutex_);
        auto found = pending_.find(sequence);
        if (found == pending_.end()) return core::Ok();  // a duplicate ack
        pending_events_ -= found->second;
        pending_.erase(found);
        if (auto frame = recent_.find(sequence); frame != recent_.end()) {
            recent_bytes_ -= frame->second->size();
            recent_.erase(frame);
        }
        later_pending = pending_.upper_bound(sequence) != pending_.end();
    }
    // The number must outlive the file, so a restarted sensor does not reuse it: Open numbers above the
    // highest batch file and last_sequence. While a later batch is spooled (durably: Append fsyncs the file
    // and the directory before it lists the batch) that file already carries a higher number, so the
    // last_sequence write — two fsyncs — is needed only for the highest batch. Written before the unlink: a
    // crash between the two leaves a stale file that Open drops (or that is resent and dropped as a
    // duplicate by the collector).
    if (!later_pending && sequence > last_acknowledged_) {
        KZ_TRY(WriteLastSequence(sequence));
        last_acknowledged_ = sequence;
    }
    const auto path = BatchPath(sequence);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return FromErrno("unlink", path);
    return core::Ok();
}

core::Status Spool::RaiseFloor(std::uint64_t last_sequence) {
    std::lock_guard lock(mutex_);
    if (next_sequence_ <= last_sequence) next_sequence_ = last_sequence + 1;
    return core::Ok();
}

}  // namespace kizuna::observe
