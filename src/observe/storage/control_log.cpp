#include "observe/storage/internal/control_log.hpp"

#include <fcntl.h>

#include <array>
#include <cstring>
#include <optional>

#include "observe/storage/internal/record_io.hpp"
#include "observe/storage/segment_format.hpp"

namespace kizuna::observe::detail {

namespace {

constexpr std::array<char, 8> kMagic{'K', 'Z', 'C', 'T', 'L', 'v', '1', '\0'};
constexpr std::size_t kHeaderSize = 8;
constexpr std::size_t kMaxRecord = 4096;

}  // namespace

core::Result<std::uint64_t> ControlLog::Recover(const std::filesystem::path& dir, bool read_only, std::uint64_t start,
                                                const Visitor& apply) {
    path_ = dir / "control.log";
    length_ = start;
    auto opened = segment::OpenFile(path_, read_only ? O_RDONLY : O_RDWR | O_CREAT);
    if (!opened.ok()) {
        if (read_only && opened.error().code() == core::ErrorCode::kNotFound) return std::uint64_t{0};
        return opened.error();
    }
    fd_ = std::move(opened).value();
    KZ_ASSIGN(std::uint64_t size, segment::FileSize(fd_, path_));
    if (size < kHeaderSize) {
        if (length_ > 0) return core::DataLoss(path_.string() + " is shorter than the checkpoint says");
        if (read_only) return std::uint64_t{0};
        KZ_TRY(InitLogFile(fd_, path_, dir, kMagic));
        length_ = kHeaderSize;
        return std::uint64_t{0};
    }
    std::vector<std::uint8_t> bytes(size);
    KZ_TRY(segment::ReadAt(fd_, bytes, 0, path_));
    if (std::memcmp(bytes.data(), kMagic.data(), kMagic.size()) != 0) return core::DataLoss(path_.string() + ": bad magic");
    if (length_ == 0) length_ = kHeaderSize;
    if (length_ > size) return core::DataLoss(path_.string() + " is shorter than the checkpoint says");
    std::optional<core::Error> failed;
    const std::uint64_t pos = WalkLogRecords(bytes, length_, 1, kMaxRecord, [&](std::span<const std::uint8_t> record) {
        const auto type = static_cast<Type>(record[0]);
        std::span<const std::uint8_t> in = record.subspan(1);
        std::uint32_t sensor = 0;
        if (!Take(in, sensor)) return false;
        auto used = apply(type, sensor, in);
        if (!used.ok()) failed = used.error();
        return used.ok() && *used;
    });
    if (failed) return *failed;
    std::uint64_t dropped = 0;
    if (pos < size) {
        dropped = size - pos;
        if (!read_only) KZ_TRY(segment::Truncate(fd_, pos, path_));
    }
    length_ = pos;
    return dropped;
}

core::Status ControlLog::Append(Type type, std::span<const std::uint8_t> payload, bool* unrecoverable) {
    std::vector<std::uint8_t> record;
    Put<std::uint32_t>(record, 0);  // CRC placeholder
    Put<std::uint32_t>(record, static_cast<std::uint32_t>(payload.size()));
    record.push_back(static_cast<std::uint8_t>(type));
    record.insert(record.end(), payload.begin(), payload.end());
    const std::uint32_t crc = segment::Crc32c(std::span(record).subspan(4));
    std::memcpy(record.data(), &crc, 4);
    auto write = segment::WriteAt(fd_, record, length_, path_);
    if (write.ok()) write = segment::SyncData(fd_, path_);
    if (!write.ok()) {
        if (!segment::Truncate(fd_, length_, path_).ok()) *unrecoverable = true;
        return write.error();
    }
    length_ += record.size();
    return core::Ok();
}

}  // namespace kizuna::observe::detail
