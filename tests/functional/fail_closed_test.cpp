// Tests fail closed (support/fail_closed.hpp): a real test binary whose tool is missing fails with CI=true
// and skips, saying so, without it. test_observe_clickhouse is run with CLICKHOUSE_SERVER pointing at a
// program that does not exist, so scripts/clickhouse.sh cannot start a server.
#include "support/fail_closed.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

#include "support/process.hpp"

namespace kizuna::testing {
namespace {

CommandResult RunClickHouseTestsWithout(const std::string& ci) {
    return RunCommand({KIZUNA_CLICKHOUSE_TEST_BIN, "--gtest_filter=ClickHouseTest.*"}, "",
                      {"CLICKHOUSE_SERVER=/nonexistent/clickhouse-server", "CI=" + ci});
}

TEST(FailClosedTest, MissingClickHouseFailsTheRunInCi) {
    const CommandResult run = RunClickHouseTestsWithout("true");
    EXPECT_NE(run.exit_code, 0) << run.out;
    EXPECT_NE(run.out.find("missing in CI"), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("[  FAILED  ]"), std::string::npos) << run.out;
    EXPECT_EQ(run.out.find("[  SKIPPED ]"), std::string::npos) << run.out;
}

TEST(FailClosedTest, MissingClickHouseSkipsLoudlyOutsideCi) {
    const CommandResult run = RunClickHouseTestsWithout("false");
    EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
    EXPECT_NE(run.out.find("[  SKIPPED ]"), std::string::npos) << run.out;
    EXPECT_NE(run.err.find("KIZUNA SKIP (not in CI"), std::string::npos) << run.err;
}

TEST(FailClosedTest, CiIsRecognisedInItsUsualSpellings) {
    const char* saved = std::getenv("CI");
    const std::string restore = saved ? saved : "";
    const struct {
        const char* value;  // nullptr = unset
        bool in_ci;
    } cases[] = {{"true", true}, {"TRUE", true}, {"1", true}, {"yes", true}, {"on", true},
                 {"false", false}, {"0", false}, {"", false}, {nullptr, false}};
    for (const auto& c : cases) {
        if (c.value)
            setenv("CI", c.value, 1);
        else
            unsetenv("CI");
        EXPECT_EQ(RunningInCi(), c.in_ci) << (c.value ? c.value : "(unset)");
    }
    if (saved)
        setenv("CI", restore.c_str(), 1);
    else
        unsetenv("CI");
}

}  // namespace
}  // namespace kizuna::testing
