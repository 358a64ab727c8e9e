#include "core/config.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "support/temp_dir.hpp"

namespace kizuna::core {
namespace {

TEST(ConfigTest, DefaultsAreDocumented) {
    Config c;
    EXPECT_EQ(c.server.listen, "127.0.0.1");
    EXPECT_EQ(c.server.port, 8080);
    EXPECT_EQ(c.web.default_lang, "ja");
    EXPECT_TRUE(ValidateConfig(c).ok());
}

TEST(ConfigTest, ParsesTomlOnTopOfDefaults) {
    auto c = ParseConfig(R"(
data_dir = "/srv/kizuna"
[server]
port = 9090
max_body_bytes = 2048
[log]
level = "debug"
)", "test.toml");
    ASSERT_TRUE(c.ok()) << c.error().ToString();
    EXPECT_EQ(c->data_dir, "/srv/kizuna");
    EXPECT_EQ(c->server.port, 9090);
    EXPECT_EQ(c->server.max_body_bytes, 2048);
    EXPECT_EQ(c->server.listen, "127.0.0.1");  // untouched default
    EXPECT_EQ(c->log.level, "debug");
}

TEST(ConfigTest, ErrorsNameTheKeyAndLine) {
    struct Case {
        const char* toml;
        const char* field;
        const char* in_message;
    } cases[] = {
        {"[server]\nprot = 1\n", "server.prot", "test.toml:2: unknown key"},
        {"[server]\nport = \"x\"\n", "server.port", "expected an integer"},
        {"[server]\nport = 70000\n", "server.port", "0..65535"},
        {"[server]\ntls_cert = \"a.pem\"\n", "server.tls_key", "together"},
        {"[web]\ndefault_lang = \"fr\"\n", "web.default_lang", "ja or en"},
        {"[server\n", "", "test.toml:1"},
    };
    for (const Case& c : cases) {
        auto r = ParseConfig(c.toml, "test.toml");
        ASSERT_FALSE(r.ok()) << c.toml;
        EXPECT_EQ(r.error().field(), c.field) << c.toml;
        EXPECT_NE(r.error().message().find(c.in_message), std::string::npos) << r.error().ToString();
    }
}

TEST(ConfigTest, OverridesApplyByType) {
    Config c;
    ASSERT_TRUE(ApplyConfigOverride(c, "server.port=9191").ok());
    EXPECT_EQ(c.server.port, 9191);
    ASSERT_TRUE(ApplyConfigOverride(c, "log.file=/tmp/k.log").ok());
    EXPECT_EQ(c.log.file, "/tmp/k.log");
    EXPECT_EQ(ApplyConfigOverride(c, "server.port=abc").error().field(), "server.port");
    EXPECT_EQ(ApplyConfigOverride(c, "nope=1").error().field(), "nope");
    EXPECT_FALSE(ApplyConfigOverride(c, "server.port").ok());
    // Cross-field rules wait for ValidateConfig: the TLS pair arrives one key at a time.
    ASSERT_TRUE(ApplyConfigOverride(c, "server.tls_cert=/etc/k/cert.pem").ok());
    EXPECT_FALSE(ValidateConfig(c).ok());
    ASSERT_TRUE(ApplyConfigOverride(c, "server.tls_key=/etc/k/key.pem").ok());
    EXPECT_TRUE(ValidateConfig(c).ok());
}

TEST(ConfigTest, DataDirRuleFlagThenEnvThenFileThenDefault) {
    Config c;
    EXPECT_EQ(ResolveDataDir("", nullptr, c), "./var");
    c.data_dir = "/from/file";
    EXPECT_EQ(ResolveDataDir("", nullptr, c), "/from/file");
    EXPECT_EQ(ResolveDataDir("", "/from/env", c), "/from/env");
    EXPECT_EQ(ResolveDataDir("/from/flag", "/from/env", c), "/from/flag");
    EXPECT_EQ(ResolveDataDir("", "", c), "/from/file");
}

TEST(ConfigTest, TheExampleFileIsValid) {
    // kizuna.toml.example documents every key with its default; it must load and equal the defaults.
    auto c = LoadConfigFile(std::string(KIZUNA_SOURCE_DIR) + "/kizuna.toml.example");
    ASSERT_TRUE(c.ok()) << c.error().ToString();
    Config defaults;
    EXPECT_EQ(c->server.port, defaults.server.port);
    EXPECT_EQ(c->server.max_body_bytes, defaults.server.max_body_bytes);
    EXPECT_EQ(c->auth.login_max_failures, defaults.auth.login_max_failures);
}

TEST(ConfigTest, MissingFileIsAClearError) {
    auto c = LoadConfigFile("/nonexistent/kizuna.toml");
    ASSERT_FALSE(c.ok());
    EXPECT_NE(c.error().message().find("/nonexistent/kizuna.toml"), std::string::npos);
}

}  // namespace
}  // namespace kizuna::core
