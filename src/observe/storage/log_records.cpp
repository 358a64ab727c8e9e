#include <cstring>

#include "observe/storage/internal/record_io.hpp"
#include "observe/storage/segment_format.hpp"

namespace kizuna::observe::detail {

core::Status InitLogFile(const segment::Fd& fd, const std::filesystem::path& path, const std::filesystem::path& dir,
                         std::span<const char> magic) {
    std::vector<std::uint8_t> header(magic.begin(), magic.end());
    KZ_TRY(segment::Truncate(fd, 0, path));
    KZ_TRY(segment::WriteAt(fd, header, 0, path));
    KZ_TRY(segment::SyncData(fd, path));
    KZ_TRY(segment::SyncDir(dir));
    return core::Ok();
}

std::uint64_t WalkLogRecords(std::span<const std::uint8_t> bytes, std::uint64_t pos, std::size_t type_bytes,
                             std::size_t max_payload, const std::function<bool(std::span<const std::uint8_t>)>& apply) {
    const std::uint64_t size = bytes.size();
    while (pos + 8 + type_bytes <= size) {
        std::uint32_t crc = 0, len = 0;
        std::memcpy(&crc, bytes.data() + pos, 4);
        std::memcpy(&len, bytes.data() + pos + 4, 4);
        if (len > max_payload || pos + 8 + type_bytes + len > size) break;
        if (crc != segment::Crc32c(bytes.subspan(pos + 4, 4 + type_bytes + len))) break;
        if (!apply(bytes.subspan(pos + 8, type_bytes + len))) break;
        pos += 8 + type_bytes + len;
    }
    return pos;
}

}  // namespace kizuna::observe::detail
