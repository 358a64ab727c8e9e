// Tests fail closed in CI: when a tool a test needs (clickhouse-server, softflowd, node, the country database)
// is missing, the test FAILS when the environment says it runs in CI (CI=true, as every CI service sets it)
// and is SKIPPED, loudly, on a developer's machine. CI must never pass by running fewer tests.
// The CMake side of the same rule is tests/support/fail_closed.cmake.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace kizuna::testing {

// True when CI is set to a true value ("true", "1", "yes", "on"; any case). REQUIRES: nothing.
bool RunningInCi();

// kFatalFailure in CI, kSkip elsewhere.
::testing::TestPartResult::Type MissingToolResult();

// The message of KIZUNA_MISSING_TOOL; outside CI also writes a loud notice ("*** KIZUNA SKIP (not in CI
// ...") to standard error.
std::string MissingToolMessage(std::string_view what);

}  // namespace kizuna::testing

// Use where a test would GTEST_SKIP for a missing tool: in CI a fatal failure, elsewhere a loud skip. Like
// GTEST_SKIP it returns from the current function (SetUp or the test body); more text may be streamed:
//   if (!exists(kSoftflowd)) KIZUNA_MISSING_TOOL("softflowd missing") << ": run scripts/setup.sh";
// Built like GTEST_SKIP/GTEST_FAIL themselves (GTEST_MESSAGE_AT_), with the result type chosen at run time:
// one statement without an `else`, so a caller's `if` without braces stays unambiguous.
#define KIZUNA_MISSING_TOOL(what)                                                                          \
    return ::testing::internal::AssertHelper(::kizuna::testing::MissingToolResult(), __FILE__, __LINE__,   \
                                             ::kizuna::testing::MissingToolMessage(what).c_str()) =        \
               ::testing::Message()
