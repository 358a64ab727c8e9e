#include "core/log.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "support/manual_clock.hpp"
#include "support/temp_dir.hpp"

namespace kizuna::core {
namespace {

TEST(LogTest, WritesOneJsonObjectPerLine) {
    testing::TempDir dir;
    testing::ManualClock clock;
    {
        Logger log(clock, LogLevel::kInfo, dir.File("k.log"));
        log.Info("listening", {{"port", 8080}, {"addr", "127.0.0.1"}});
        log.Debug("hidden");
        log.Warn("quote \" and\nnewline", {{"ok", true}});
    }
    std::ifstream in(dir.File("k.log"));
    std::string l1, l2, l3;
    std::getline(in, l1);
    std::getline(in, l2);
    EXPECT_FALSE(std::getline(in, l3));
    EXPECT_EQ(l1, R"({"ts":"2026-04-01T00:00:00Z","level":"info","msg":"listening","port":8080,"addr":"127.0.0.1"})");
    EXPECT_EQ(l2, R"({"ts":"2026-04-01T00:00:00Z","level":"warn","msg":"quote \" and\nnewline","ok":true})");
}

TEST(LogTest, ParsesLevels) {
    EXPECT_EQ(*ParseLogLevel("warn"), LogLevel::kWarn);
    EXPECT_FALSE(ParseLogLevel("loud").ok());
}

}  // namespace
}  // namespace kizuna::core
