// Thin POSIX file helpers for the event store: an owning descriptor and whole-buffer pread/pwrite with
// errno translated once into core::Error (with the path for context).
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include "core/result.hpp"

namespace kizuna::observe::segment {

class Fd {
  public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    Fd(Fd&& other) noexcept : fd_(other.release()) {}
    Fd& operator=(Fd&& other) noexcept;
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd();

    int get() const { return fd_; }
    bool valid() const { return fd_ >= 0; }
    int release() {
        int fd = fd_;
        fd_ = -1;
        return fd;
    }

  private:
    int fd_ = -1;
};

core::Error FromErrno(std::string_view action, const std::filesystem::path& path, int err);

// flags as for open(2); mode 0644 when creating.
core::Result<Fd> OpenFile(const std::filesystem::path& path, int flags);
core::Result<void> WriteAt(const Fd& fd, std::span<const std::uint8_t> data, std::uint64_t offset,
                           const std::filesystem::path& path);
// Reads exactly data.size() bytes; kDataLoss when the file ends first.
core::Result<void> ReadAt(const Fd& fd, std::span<std::uint8_t> data, std::uint64_t offset,
                          const std::filesystem::path& path);
core::Result<void> SyncData(const Fd& fd, const std::filesystem::path& path);
core::Result<void> Truncate(const Fd& fd, std::uint64_t length, const std::filesystem::path& path);
core::Result<std::uint64_t> FileSize(const Fd& fd, const std::filesystem::path& path);
// fsync of a directory, so a created or renamed entry in it survives a crash.
core::Result<void> SyncDir(const std::filesystem::path& dir);
// Creates `dir` and missing parents, fsyncing each parent whose entry was added.
core::Result<void> CreateDirsDurably(const std::filesystem::path& dir);

}  // namespace kizuna::observe::segment
