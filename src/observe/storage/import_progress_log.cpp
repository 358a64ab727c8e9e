#include "observe/storage/internal/import_progress_log.hpp"

#include <fcntl.h>

#include <array>
#include <cstring>
#include <vector>

#include "observe/storage/segment_format.hpp"

namespace kizuna::observe::detail {

namespace {

constexpr std::array<char, 8> kMagic{'K', 'Z', 'P', 'R', 'G', 'v', '1', '\0'};
constexpr std::size_t kMaxRecord = 1024;

template <typename T>
void Put(std::vector<std::uint8_t>& out, T value) {
    std::uint8_t b[sizeof(T)];
    std::memcpy(b, &value, sizeof(T));
    out.insert(out.end(), b, b + sizeof(T));
}
template <typename T>
bool Get(std::span<const std::uint8_t>& in, T& value) {
    if (in.size() < sizeof(T)) return false;
    std::memcpy(&value, in.data(), sizeof(T));
    in = in.subspan(sizeof(T));
    return true;
}
void PutSensor(std::vector<std::uint8_t>& out, std::string_view sensor) {
    out.push_back(static_cast<std::uint8_t>(sensor.size()));
    out.insert(out.end(), sensor.begin(), sensor.end());
}
bool GetSensor(std::span<const std::uint8_t>& in, std::string& sensor) {
    std::uint8_t len = 0;
    if (!Get(in, len) || len == 0 || in.size() < len) return false;
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
        std::vector<std::uint8_t> header(kMagic.begin(), kMagic.end());
        KZ_TRY(segment::Truncate(fd_, 0, path_));
        KZ_TRY(segment::WriteAt(fd_, header, 0, path_));
        KZ_TRY(segment::SyncData(fd_, path_));
        KZ_TRY(segment::SyncDir(dir));
        length_ = header.size();
        return core::Ok();
    }
    std::vector<std::uint8_t> bytes(size);
    KZ_TRY(segment::ReadAt(fd_, bytes, 0, path_));
    if (std::memcmp(bytes.data(), kMagic.data(), kMagic.size()) != 0) return core::DataLoss(path_.string() + ": bad magic");
    std::uint64_t pos = kMagic.size();
    while (pos + 9 <= size) {
        std::uint32_t crc = 0, len = 0;
        std::memcpy(&crc, bytes.data() + pos, 4);
        std::memcpy(&len, bytes.data() + pos + 4, 4);
        if (len > kMaxRecord || pos + 9 + len > size) break;
        if (crc != segment::Crc32c(std::span(bytes).subspan(pos + 4, 5 + len))) break;
        if (!Apply(static_cast<Type>(bytes[pos + 8]), std::span(bytes).subspan(pos + 9, len))) break;
        pos += 9 + len;
    }
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
        if (!Get(in, seq) || !GetSensor(in, p.sensor) || !GetProbe(in, p.probe) || !Get(in, p.records) ||
            !Get(in, p.events) || !Get(in, p.packets) || !Get(in, p.first_micros) || !Get(in, p.last_micros) ||
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
        if (!Get(in, seq) || !GetSensor(in, sensor) || !in.empty()) return false;
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
