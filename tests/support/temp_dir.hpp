// A fresh directory under $TMPDIR, removed with everything in it when the object dies.
#pragma once

#include <string>

namespace kizuna::testing {

class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return path_; }
    std::string File(const std::string& name) const { return path_ + "/" + name; }

  private:
    std::string path_;
};

// Directory with the shared test data (../shared/data beside the project), from KIZUNA_SHARED_DIR.
std::string SharedDataDir();

}  // namespace kizuna::testing
