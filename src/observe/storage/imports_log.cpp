#include "observe/storage/internal/imports_log.hpp"

#include <fcntl.h>

#include <array>
#include <cstring>

#include "observe/storage/internal/record_io.hpp"
#include "observe/storage/segment_format.hpp"

namespace kizuna::observe::detail {

namespace {

constexpr std::array<char, 8> kMagic{'K', 'Z', 'I', 'M', 'P', 'v', '1', '\0'};
constexpr std::size_t kMaxRecord = 4096;
constexpr std::size_t kMaxFileName = 1024;

std::vector<std::uint8_t> Encode(const ImportRecord& r) {
    std::vector<std::uint8_t> payload;
    payload.push_back(static_cast<std::uint8_t>(r.sensor.size()));
    payload.insert(payload.end(), r.sensor.begin(), r.sensor.end());
    payload.insert(payload.end(), r.digest.begin(), r.digest.end());
    payload.insert(payload.end(), r.probe.begin(), r.probe.end());
    Put<std::uint64_t>(payload, r.events);
    Put<std::uint64_t>(payload, r.packets);
    const std::string file = r.file.substr(0, kMaxFileName);
    Put<std::uint16_t>(payload, static_cast<std::uint16_t>(file.size()));
    payload.insert(payload.end(), file.begin(), file.end());
    std::vector<std::uint8_t> record;
    Put<std::uint32_t>(record, 0);
    Put<std::uint32_t>(record, static_cast<std::uint32_t>(payload.size()));
    record.insert(record.end(), payload.begin(), payload.end());
    const std::uint32_t crc = segment::Crc32c(std::span(record).subspan(4));
    std::memcpy(record.data(), &crc, 4);
    return record;
}

std::optional<ImportRecord> Decode(std::span<const std::uint8_t> in) {
    ImportRecord r;
    std::uint8_t sensor_len = 0;
    if (!Take(in, sensor_len) || in.size() < sensor_len) return std::nullopt;
    r.sensor.assign(reinterpret_cast<const char*>(in.data()), sensor_len);
    in = in.subspan(sensor_len);
    if (in.size() < r.digest.size()) return std::nullopt;
    std::memcpy(r.digest.data(), in.data(), r.digest.size());
    in = in.subspan(r.digest.size());
    if (in.size() < r.probe.size()) return std::nullopt;
    std::memcpy(r.probe.data(), in.data(), r.probe.size());
    in = in.subspan(r.probe.size());
    std::uint16_t file_len = 0;
    if (!Take(in, r.events) || !Take(in, r.packets) || !Take(in, file_len) || in.size() != file_len) return std::nullopt;
    r.file.assign(reinterpret_cast<const char*>(in.data()), file_len);
    if (!ValidateSensor(r.sensor).ok()) return std::nullopt;
    return r;
}

}  // namespace

core::Result<std::uint64_t> ImportsLog::Recover(const std::filesystem::path& dir, bool read_only) {
    path_ = dir / "imports.log";
    auto opened = segment::OpenFile(path_, read_only ? O_RDONLY : O_RDWR | O_CREAT);
    if (!opened.ok()) {
        if (read_only && opened.error().code() == core::ErrorCode::kNotFound) return std::uint64_t{0};
        return opened.error();
    }
    fd_ = std::move(opened).value();
    KZ_ASSIGN(std::uint64_t size, segment::FileSize(fd_, path_));
    if (size < kMagic.size()) {
        if (read_only) return std::uint64_t{0};
        KZ_TRY(InitLogFile(fd_, path_, dir, kMagic));
        length_ = kMagic.size();
        return std::uint64_t{0};
    }
    std::vector<std::uint8_t> bytes(size);
    KZ_TRY(segment::ReadAt(fd_, bytes, 0, path_));
    if (std::memcmp(bytes.data(), kMagic.data(), kMagic.size()) != 0) return core::DataLoss(path_.string() + ": bad magic");
    const std::uint64_t pos = WalkLogRecords(bytes, kMagic.size(), 0, kMaxRecord, [&](std::span<const std::uint8_t> payload) {
        auto record = Decode(payload);
        if (!record) return false;
        records_[{record->sensor, record->digest}] = *record;
        return true;
    });
    std::uint64_t dropped = 0;
    if (pos < size) {
        dropped = size - pos;
        if (!read_only) KZ_TRY(segment::Truncate(fd_, pos, path_));
    }
    length_ = pos;
    return dropped;
}

core::Status ImportsLog::Write(const ImportRecord& record, bool* unrecoverable) {
    const std::vector<std::uint8_t> bytes = Encode(record);
    auto written = segment::WriteAt(fd_, bytes, length_, path_);
    if (written.ok()) written = segment::SyncData(fd_, path_);
    if (!written.ok()) {
        if (!segment::Truncate(fd_, length_, path_).ok()) *unrecoverable = true;
        return written.error();
    }
    written_ = bytes.size();
    return core::Ok();
}

void ImportsLog::Commit(const ImportRecord& record) {
    length_ += written_;
    written_ = 0;
    records_[{record.sensor, record.digest}] = record;
}

std::optional<ImportRecord> ImportsLog::Find(std::string_view sensor, const ContentDigest& digest) const {
    auto it = records_.find({std::string(sensor), digest});
    if (it == records_.end()) return std::nullopt;
    return it->second;
}

std::vector<ImportRecord> ImportsLog::FindByProbe(std::string_view sensor, const ProbeDigest& probe) const {
    std::vector<ImportRecord> found;
    for (const auto& [key, record] : records_) {
        if (record.sensor == sensor && record.probe == probe) found.push_back(record);
    }
    return found;
}

}  // namespace kizuna::observe::detail
