#include "observe/storage/segment_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace kizuna::observe::segment {

Fd& Fd::operator=(Fd&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = other.release();
    }
    return *this;
}

Fd::~Fd() {
    if (fd_ >= 0) ::close(fd_);
}

core::Error FromErrno(std::string_view action, const std::filesystem::path& path, int err) {
    return core::Internal(std::string(action) + " " + path.string() + ": " + std::strerror(err));
}

core::Result<Fd> OpenFile(const std::filesystem::path& path, int flags) {
    int fd = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
    if (fd < 0) {
        int err = errno;
        if (err == ENOENT) return core::NotFound("open " + path.string() + ": no such file");
        return FromErrno("open", path, err);
    }
    return Fd(fd);
}

core::Result<void> WriteAt(const Fd& fd, std::span<const std::uint8_t> data, std::uint64_t offset,
                           const std::filesystem::path& path) {
    while (!data.empty()) {
        ssize_t n = ::pwrite(fd.get(), data.data(), data.size(), static_cast<off_t>(offset));
        if (n < 0) {
            if (errno == EINTR) continue;
            return FromErrno("write", path, errno);
        }
        data = data.subspan(static_cast<std::size_t>(n));
        offset += static_cast<std::uint64_t>(n);
    }
    return {};
}

core::Result<void> ReadAt(const Fd& fd, std::span<std::uint8_t> data, std::uint64_t offset,
                          const std::filesystem::path& path) {
    while (!data.empty()) {
        ssize_t n = ::pread(fd.get(), data.data(), data.size(), static_cast<off_t>(offset));
        if (n < 0) {
            if (errno == EINTR) continue;
            return FromErrno("read", path, errno);
        }
        if (n == 0) return core::DataLoss("read " + path.string() + ": unexpected end of file");
        data = data.subspan(static_cast<std::size_t>(n));
        offset += static_cast<std::uint64_t>(n);
    }
    return {};
}

core::Result<void> SyncData(const Fd& fd, const std::filesystem::path& path) {
    if (::fdatasync(fd.get()) != 0) return FromErrno("fdatasync", path, errno);
    return {};
}

core::Result<void> Truncate(const Fd& fd, std::uint64_t length, const std::filesystem::path& path) {
    if (::ftruncate(fd.get(), static_cast<off_t>(length)) != 0) return FromErrno("truncate", path, errno);
    return SyncData(fd, path);
}

core::Result<std::uint64_t> FileSize(const Fd& fd, const std::filesystem::path& path) {
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return FromErrno("stat", path, errno);
    return static_cast<std::uint64_t>(st.st_size);
}

core::Result<void> SyncDir(const std::filesystem::path& dir) {
    KZ_ASSIGN(Fd fd, OpenFile(dir, O_RDONLY | O_DIRECTORY));
    if (::fsync(fd.get()) != 0) return FromErrno("fsync", dir, errno);
    return {};
}

core::Result<void> CreateDirsDurably(const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> created;
    for (std::filesystem::path p = dir; !p.empty() && !std::filesystem::exists(p); p = p.parent_path()) {
        created.push_back(p);
        if (p == p.parent_path()) break;
    }
    for (auto it = created.rbegin(); it != created.rend(); ++it) {
        if (::mkdir(it->c_str(), 0755) != 0 && errno != EEXIST) return FromErrno("mkdir", *it, errno);
        KZ_TRY(SyncDir(it->parent_path().empty() ? std::filesystem::path(".") : it->parent_path()));
    }
    return {};
}

}  // namespace kizuna::observe::segment
