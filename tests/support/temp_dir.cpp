#include "support/temp_dir.hpp"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace kizuna::testing {

TempDir::TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/kizuna-test-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

std::string SharedDataDir() {
    const char* dir = std::getenv("KIZUNA_SHARED_DIR");
    return std::string(dir && *dir ? dir : KIZUNA_DEFAULT_SHARED_DIR) + "/data";
}

}  // namespace kizuna::testing
