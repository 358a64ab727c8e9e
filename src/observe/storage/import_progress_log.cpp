#include "observe/storage/internal/import_progress_log.hpp"

#include <fcntl.h>

#include <array>
#include <cstring>
#include <vector>

#include "observe/storage/internal/record_io.hpp"
#include "observe/storage/segment_format.hpp"

namespace kizuna::observe::detail {

namespace {

constexpr std::array<char, 8> kMagic{'K', 'Z', 'P', 'R', 'G', 'v', '1', '\0'};
constexpr std::size_t kMaxRecord = 1024;

void PutSensor(std::vector<std::uint8_t>& out, std::string_view sensor) {
    out.push_back(static_cast<std::uint8_t>(sensor.size()));
    out.insert(out.end(), sensor.begin(), sensor.end());
}
bool GetSensor(std::span<const std::uint8_t>& in, std::string& sensor) {
    std::uint8_t len = 0;
    if (!Take(in, len) || len == 0 || in.size() < len) return false;
    sensor.assign(reinterpret_cast<const char*>(in.data()), len);
    in = in.subspan(len);
    return true;
}
bool GetProbe(std::span<const std::uint8_t>& in, ProbeDigest& probe) {
    if (in.size() < probe.size()) return false;
    std::memcpy(probe.data(), in.data(), probe.size());
    in = in.subspan(probe.size());
    return true;
}

}  // namespace

core::Status ImportProgressLog::Recover(const std::filesystem::path& dir, bool read_only,
                                        const std::function<std::uint64_t(std::string_view)>& watermark) {
    path_ = dir / "import_progress.log";
    auto opened = segment::OpenFile(path_, read_only ? O_RDONLY : O_RDWR | O_CREAT);
    if (!opened.ok()) {
        if (read_only && opened.error().code() == core::ErrorCode::kNotFound) return core::Ok();
        return opened.error();
    }
    fd_ = std::move(opened).value();
    KZ_ASSIGN(std::uint64_t size, segment::FileSize(fd_, path_));
    if (size < kMagic.size()) {
        if (read_only) return core::Ok();
        KZ_TRY(InitLogFile(fd_, path_, dir, kMagic));
        length_ = kMagic.size();
        return core::Ok();
    }
    std::vector<std::uint8_t> bytes(size);
    KZ_TRY(segment::ReadAt(fd_, bytes, 0, path_));
    if (std::memcmp(bytes.data(), kMagic.data(), kMagic.size()) != 0) return core::DataLoss(path_.string() + ": bad magic");
    const std::uint64_t pos = WalkLogRecords(bytes, kMagic.size(), 1, kMaxRecord, [&](std::span<const std::uint8_t> record) {
        return Apply(static_cast<Type>(record[0]), record.subspan(1));
    });
    if (pos < size && !read_only) KZ_TRY(segment::Truncate(fd_, pos, path_));
    length_ = pos;
    // A crash (or a failed abort record) left the last intent undecided; nothing was written since (the store's
    // lock), so its batch is stored exactly when the sensor's watermark reached it.
    if (pending_) {
        auto [seq, state] = *pending_;
        if (watermark(state.sensor) >= seq) {
            Commit();
        } else {
            pending_.reset();
            if (!read_only) KZ_TRY(AppendAbort(state.sensor, seq));
        }
    }
    return core::Ok();
}

bool ImportProgressLog::Apply(Type type, std::span<const std::uint8_t> in) {
    if (type == Type::kIntent) {
        std::uint64_t seq = 0;
        ImportProgress p;
        if (!Take(in, seq) || !GetSensor(in, p.sensor) || !GetProbe(in, p.probe) || !Take(in, p.records) ||
            !Take(in, p.events) || !Take(in, p.packets) || !Take(in, p.first_micros) || !Take(in, p.last_micros) ||
            !in.empty()) {
            return false;
        }
        Commit();  // an earlier intent followed by anything but its ABORT was stored
        pending_.emplace(seq, std::move(p));
        return true;
    }
    if (type == Type::kAbort) {
        std::uint64_t seq = 0;
        std::string sensor;
        if (!Take(in, seq) || !GetSensor(in, sensor) || !in.empty()) return false;
        if (pending_ && pending_->first == seq && pending_->second.sensor == sensor) pending_.reset();
        Commit();
        return true;
    }
    if (type == Type::kDone) {
        std::string sensor;
        ProbeDigest probe{};
        if (!GetSensor(in, sensor) || !GetProbe(in, probe) || !in.empty()) return false;
        Commit();
        Forget(sensor, probe);
        return true;
    }
    return false;
}

core::Status ImportProgressLog::AppendRecord(Type type, const std::vector<std::uint8_t>& payload) {
    if (!fd_.valid()) return core::FailedPrecondition("import progress log is not open");
    std::vector<std::uint8_t> record;
    Put<std::uint32_t>(record, 0);  // CRC placeholder
    Put<std::uint32_t>(record, static_cast<std::uint32_t>(payload.size()));
    record.push_back(static_cast<std::uint8_t>(type));
    record.insert(record.end(), payload.begin(), payload.end());
    std::uint32_t crc = segment::Crc32c(std::span(record).subspan(4));
    std::memcpy(record.data(), &crc, 4);
    auto written = segment::WriteAt(fd_, record, length_, path_);
    if (written.ok()) written = segment::SyncData(fd_, path_);
    if (!written.ok()) {
        (void)segment::Truncate(fd_, length_, path_);
        return written.error();
    }
    length_ += record.size();
    return core::Ok();
}

core::Status ImportProgressLog::AppendIntent(std::uint64_t seq, const ImportProgress& p) {
    std::vector<std::uint8_t> payload;
    Put<std::uint64_t>(payload, seq);
    PutSensor(payload, p.sensor);
    payload.insert(payload.end(), p.probe.begin(), p.probe.end());
    Put<std::uint64_t>(payload, p.records);
    Put<std::uint64_t>(payload, p.events);
    Put<std::uint64_t>(payload, p.packets);
    Put<std::int64_t>(payload, p.first_micros);
    Put<std::int64_t>(payload, p.last_micros);
    KZ_TRY(AppendRecord(Type::kIntent, payload));
    pending_.emplace(seq, p);
    return core::Ok();
}

core::Status ImportProgressLog::AppendAbort(std::string_view sensor, std::uint64_t seq) {
    pending_.reset();
    std::vector<std::uint8_t> payload;
    Put<std::uint64_t>(payload, seq);
    PutSensor(payload, sensor);
    return AppendRecord(Type::kAbort, payload);
}

core::Status ImportProgressLog::AppendDone(std::string_view sensor, const ProbeDigest& probe) {
    std::vector<std::uint8_t> payload;
    PutSensor(payload, sensor);
    payload.insert(payload.end(), probe.begin(), probe.end());
    return AppendRecord(Type::kDone, payload);
}

void ImportProgressLog::Commit() {
    if (!pending_) return;
    ImportProgress& p = pending_->second;
    progress_[{p.sensor, p.probe}] = std::move(p);
    pending_.reset();
}

void ImportProgressLog::Forget(std::string_view sensor, const ProbeDigest& probe) {
    progress_.erase({std::string(sensor), probe});
}

std::optional<ImportProgress> ImportProgressLog::Find(std::string_view sensor, const ProbeDigest& probe) const {
    auto it = progress_.find({std::string(sensor), probe});
    if (it == progress_.end()) return std::nullopt;
    return it->second;
}

}  // namespace kizuna::observe::detail
