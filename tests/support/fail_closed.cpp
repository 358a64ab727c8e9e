#include "support/fail_closed.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <iostream>

namespace kizuna::testing {

bool RunningInCi() {
    const char* value = std::getenv("CI");
    if (value == nullptr) return false;
    std::string lowered(value);
    std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return lowered == "true" || lowered == "1" || lowered == "yes" || lowered == "on";
}

::testing::TestPartResult::Type MissingToolResult() {
    return RunningInCi() ? ::testing::TestPartResult::kFatalFailure : ::testing::TestPartResult::kSkip;
}

std::string MissingToolMessage(std::string_view what) {
    if (RunningInCi()) return "missing in CI (CI=true; a missing tool fails the run): " + std::string(what);
    std::cerr << "\n*** KIZUNA SKIP (not in CI; with CI=true this test fails): " << what << " ***\n" << std::endl;
    return "not in CI, skipped: " + std::string(what);
}

}  // namespace kizuna::testing
