// The same CLI queries give the same answers on both backends: a pcap imported with `kizuna observe import`,
// copied with `kizuna observe clickhouse-sync` into a private ClickHouse (scripts/clickhouse.sh), then
// top-ports, countries, port and icmp run with [observe] backend = embedded and = clickhouse must print the
// same JSON. Without a clickhouse-server: fails in
// CI (CI=true), skips loudly elsewhere.
#include <gtest/gtest.h>

#include "support/pcap_builder.hpp"
#include "support/fail_closed.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace kizuna::observe {
namespace {

namespace t = kizuna::testing;

constexpr std::int64_t kDay0 = 1'767'225'600'000'000LL;  // 2026-01-01T00:00:00Z
constexpr std::int64_t kSecond = 1'000'000;

class ClickHouseCliTest : public ::testing::Test {
  protected:
    void SetUp() override {
        auto started = t::RunCommand({"/bin/bash", std::string(KIZUNA_SOURCE_DIR) + "/scripts/clickhouse.sh", "start",
                                      dir_.File("clickhouse")});
        if (started.exit_code != 0)
            KIZUNA_MISSING_TOOL("clickhouse-server could not start")
                << " (exit " << started.exit_code << "): " << started.err;
        url_ = started.out.substr(0, started.out.find('\n'));
        started_ = true;
    }
    void TearDown() override {
        if (started_)
            t::RunCommand({"/bin/bash", std::string(KIZUNA_SOURCE_DIR) + "/scripts/clickhouse.sh", "stop",
                           dir_.File("clickhouse")});
    }

    t::CommandResult Kizuna(std::vector<std::string> args) {
        args.insert(args.begin(), KIZUNA_BIN);
        for (const std::string& extra :
             {std::string("--data-dir"), dir_.File("data"), std::string("--set"), "observe.clickhouse_url=" + url_,
              std::string("--set"), std::string("observe.geo_database=none")})
            args.push_back(extra);
        return t::RunCommand(args);
    }

    t::TempDir dir_;
    std::string url_;
    bool started_ = false;
};

TEST_F(ClickHouseCliTest, SameQueriesSameAnswersOnBothBackends) {
    // Three days of scans: TCP ports with a skew, UDP, ICMP echo and unreachable, several sources.
    std::vector<t::PcapRecord> records;
    int n = 0;
    for (int day = 0; day < 3; ++day) {
        for (int i = 0; i < 400; ++i, ++n) {
            t::Ipv4Spec ip;
            ip.source = {static_cast<std::uint8_t>(1 + n % 50), 2, static_cast<std::uint8_t>(n % 7), 9};
            t::PacketBytes l4;
            if (i % 10 == 0) {
                ip.protocol = 1;
                l4 = t::Icmp(i % 20 == 0 ? 8 : 3, i % 20 == 0 ? 0 : 3);
            } else if (i % 10 == 1) {
                ip.protocol = 17;
                l4 = t::Udp(40000, 5060);
            } else {
                const std::uint16_t ports[] = {23, 445, 23, 22, 23, 445, 3389, 80};
                l4 = t::Tcp(static_cast<std::uint16_t>(40000 + i), ports[i % 8], 0x02);
            }
            records.push_back({kDay0 + day * 86'400 * kSecond + i * 60 * kSecond,
                               t::Ethernet(t::kEthertypeIpv4, t::Ipv4(ip, l4)), {}});
        }
    }
    const std::string pcap = dir_.File("scans.pcap");
    t::WritePcapFile(pcap, 1, records);
    auto imported = Kizuna({"observe", "import", pcap, "--sensor", "cli-sensor"});
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
    auto synced = Kizuna({"observe", "clickhouse-sync"});
    ASSERT_EQ(synced.exit_code, 0) << synced.err;
    EXPECT_NE(synced.out.find("copied 1200 event(s)"), std::string::npos) << synced.out;

    const std::vector<std::vector<std::string>> queries = {
        {"observe", "top-ports", "--from", "2026-01-01", "--to", "2026-01-03", "--limit", "0"},
        {"observe", "top-ports", "--from", "2026-01-02", "--to", "2026-01-02", "--proto", "tcp"},
        {"observe", "countries", "--from", "2026-01-01", "--to", "2026-01-03"},
        {"observe", "port", "23", "--from", "2025-12-31", "--to", "2026-01-04"},
        {"observe", "icmp", "--from", "2026-01-01", "--to", "2026-01-03"},
    };
    for (auto query : queries) {
        query.push_back("--format");
        query.push_back("json");
        auto embedded = Kizuna(query);
        auto with_backend = query;
        with_backend.push_back("--set");
        with_backend.push_back("observe.backend=clickhouse");
        auto clickhouse = Kizuna(with_backend);
        ASSERT_EQ(embedded.exit_code, 0) << query[1] << ": " << embedded.err;
        ASSERT_EQ(clickhouse.exit_code, 0) << query[1] << ": " << clickhouse.err;
        EXPECT_GT(embedded.out.size(), 20u) << query[1];
        EXPECT_EQ(embedded.out, clickhouse.out) << query[1];
    }
    // The sync is incremental: a second one finds nothing missing and doubles nothing.
    auto resynced = Kizuna({"observe", "clickhouse-sync"});
    ASSERT_EQ(resynced.exit_code, 0) << resynced.err;
    EXPECT_NE(resynced.out.find("copied 0 event(s)"), std::string::npos) << resynced.out;
    auto again = Kizuna({"observe", "top-ports", "--from", "2026-01-01", "--to", "2026-01-03", "--format", "json",
                         "--set", "observe.backend=clickhouse"});
    auto embedded = Kizuna({"observe", "top-ports", "--from", "2026-01-01", "--to", "2026-01-03", "--format", "json"});
    EXPECT_EQ(again.out, embedded.out);

    // With the ClickHouse backend selected, an import forwards what it stored (no separate sync), and
    // importing the same file again forwards nothing more.
    std::vector<t::PcapRecord> later;
    for (int i = 0; i < 300; ++i) {
        t::Ipv4Spec ip;
        ip.source = {static_cast<std::uint8_t>(60 + i % 30), 2, 3, 4};
        later.push_back({kDay0 + 3 * 86'400 * kSecond + i * 60 * kSecond,
                         t::Ethernet(t::kEthertypeIpv4, t::Ipv4(ip, t::Tcp(50000, 8291, 0x02))), {}});
    }
    const std::string pcap2 = dir_.File("later.pcap");
    t::WritePcapFile(pcap2, 1, later);
    const std::vector<std::string> backend = {"--set", "observe.backend=clickhouse"};
    std::vector<std::string> import2 = {"observe", "import", pcap2, "--sensor", "cli-sensor"};
    import2.insert(import2.end(), backend.begin(), backend.end());
    auto forwarded = Kizuna(import2);
    ASSERT_EQ(forwarded.exit_code, 0) << forwarded.err;
    EXPECT_NE(forwarded.out.find("forwarded 300 event(s) of sensor cli-sensor"), std::string::npos) << forwarded.out;
    auto repeated = Kizuna(import2);
    ASSERT_EQ(repeated.exit_code, 0) << repeated.err;
    EXPECT_NE(repeated.out.find("duplicate: "), std::string::npos) << repeated.out;
    EXPECT_NE(repeated.out.find("forwarded 0 event(s)"), std::string::npos) << repeated.out;
    std::vector<std::string> top = {"observe", "top-ports", "--from", "2026-01-01", "--to", "2026-01-05", "--format", "json"};
    auto top_embedded = Kizuna(top);
    top.insert(top.end(), backend.begin(), backend.end());
    auto top_clickhouse = Kizuna(top);
    EXPECT_NE(top_embedded.out.find("8291"), std::string::npos) << top_embedded.out;
    EXPECT_EQ(top_clickhouse.out, top_embedded.out);

    // ClickHouse unreachable during an import: the events are stored, the command says ClickHouse was not
    // updated (exit 1); importing the same file again once it is reachable forwards exactly what was missing.
    for (auto& r : later) r.micros_since_epoch += 86'400 * kSecond;
    const std::string pcap3 = dir_.File("unreachable.pcap");
    t::WritePcapFile(pcap3, 1, later);
    auto failed = t::RunCommand({KIZUNA_BIN, "observe", "import", pcap3, "--sensor", "cli-sensor", "--data-dir",
                                 dir_.File("data"), "--set", "observe.geo_database=none", "--set",
                                 "observe.backend=clickhouse", "--set", "observe.clickhouse_url=http://127.0.0.1:1"});
    EXPECT_EQ(failed.exit_code, 1) << failed.out << failed.err;
    EXPECT_NE(failed.out.find("imported 300 event(s)"), std::string::npos) << failed.out;
    EXPECT_NE(failed.err.find("stored in the event store, but ClickHouse"), std::string::npos) << failed.err;
    std::vector<std::string> import3 = {"observe", "import", pcap3, "--sensor", "cli-sensor"};
    import3.insert(import3.end(), backend.begin(), backend.end());
    auto completed = Kizuna(import3);
    ASSERT_EQ(completed.exit_code, 0) << completed.err;
    EXPECT_NE(completed.out.find("forwarded 300 event(s)"), std::string::npos) << completed.out;
    top = {"observe", "top-ports", "--from", "2026-01-01", "--to", "2026-01-06", "--format", "json"};
    top_embedded = Kizuna(top);
    top.insert(top.end(), backend.begin(), backend.end());
    EXPECT_EQ(Kizuna(top).out, top_embedded.out);
}

}  // namespace
}  // namespace kizuna::observe
