// kizuna observe import / top-ports / countries / port / icmp / iodef, end to end through the real binary:
// top-ports equals an independent count by tshark on the same pcap; the IODEF document validates against
// the shared RFC 7970 schema with xmllint; bad flags give one line and exit 2.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <ctime>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/pcap_builder.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace kizuna::functional {
namespace {

using testing::RunCommand;
using testing::TempDir;

constexpr std::int64_t kDay0 = 1'795'305'600'000'000;  // 2026-11-22T00:00:00Z
constexpr std::uint8_t kTcp = 6, kUdp = 17, kIcmp = 1;

std::string GeoDatabase() {
    return std::string(KIZUNA_SOURCE_DIR) +
           "/third_party/geo/node_modules/@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb";
}

int CountLines(const std::string& s) {
    int n = 0;
    for (char c : s) n += c == '\n';
    return n;
}

std::size_t Count(const std::string& haystack, const std::string& needle) {
    std::size_t n = 0;
    for (std::size_t pos = haystack.find(needle); pos != std::string::npos; pos = haystack.find(needle, pos + 1)) ++n;
    return n;
}

// A day of scans from a Japanese source (133.0.0.0/8, JPNIC) and a US one (8.8.8.8), skewed towards a few
// ports, with UDP, ICMP and some packets that do not decode.
struct Capture {
    std::vector<testing::PcapRecord> records;
    std::size_t jp_events = 0;
};

Capture MakeCapture() {
    Capture capture;
    std::mt19937 rng(7);
    const std::uint16_t popular[] = {23, 23, 23, 445, 445, 22, 80, 8080, 3389};
    for (int i = 0; i < 600; ++i) {
        testing::Ipv4Spec ip;
        bool jp = i % 3 == 0;
        ip.source = jp ? std::array<std::uint8_t, 4>{133, 1, 2, static_cast<std::uint8_t>(i % 7 + 1)}
                       : std::array<std::uint8_t, 4>{8, 8, 8, 8};
        ip.destination = {192, 0, 2, static_cast<std::uint8_t>(rng() % 250 + 1)};
        std::int64_t t = kDay0 + static_cast<std::int64_t>(i) * 100'000'000;  // every 100 s
        int kind = static_cast<int>(rng() % 10);
        testing::PacketBytes l4;
        if (kind < 7) {
            ip.protocol = kTcp;
            std::uint16_t port = rng() % 4 == 0 ? static_cast<std::uint16_t>(rng() % 60000 + 1024) : popular[rng() % 9];
            l4 = testing::Tcp(static_cast<std::uint16_t>(40000 + i), port, 0x02);
        } else if (kind < 9) {
            ip.protocol = kUdp;
            l4 = testing::Udp(static_cast<std::uint16_t>(50000 + i), rng() % 2 ? 53 : 123);
        } else {
            ip.protocol = kIcmp;
            l4 = testing::Icmp(8, 0);
        }
        capture.records.push_back({t, testing::Ethernet(testing::kEthertypeIpv4, testing::Ipv4(ip, l4)), {}});
        capture.jp_events += jp;
    }
    // Frames that yield no event: truncated TCP, ARP.
    testing::Ipv4Spec cut;
    cut.source = {133, 1, 2, 3};
    testing::PacketBytes short_tcp = testing::Ipv4(cut, testing::Tcp(1, 23, 0x02));
    short_tcp.resize(short_tcp.size() - 10);
    capture.records.push_back({kDay0 + 60'000'000'000, testing::Ethernet(testing::kEthertypeIpv4, short_tcp), {}});
    capture.records.push_back({kDay0 + 61'000'000'000, testing::Ethernet(testing::kEthertypeArp, testing::PacketBytes(28, 0)), {}});
    return capture;
}

class ObserveCliTest : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_TRUE(std::filesystem::exists(GeoDatabase())) << "country database missing: run scripts/setup.sh";
        capture_ = MakeCapture();
        pcap_ = dir_.File("scan.pcap");
        testing::WritePcapFile(pcap_, 1, capture_.records);
        data_ = dir_.File("data");
    }
    testing::CommandResult Kizuna(std::vector<std::string> args) {
        args.insert(args.begin(), KIZUNA_BIN);
        args.insert(args.end(), {"--data-dir", data_, "--set", "observe.geo_database=" + GeoDatabase()});
        return RunCommand(args);
    }
    void Import() {
        auto r = Kizuna({"observe", "import", pcap_, "--sensor", "tokyo-1"});
        ASSERT_EQ(r.exit_code, 0) << r.err;
        EXPECT_NE(r.out.find("imported 600 event(s)"), std::string::npos) << r.out;
        EXPECT_NE(r.out.find("2 record(s) without an event"), std::string::npos) << r.out;
    }

    TempDir dir_;
    Capture capture_;
    std::string pcap_, data_;
};

// The independent count: tshark's dissection of the same file, one destination port per line.
std::map<int, std::uint64_t> TsharkPortCounts(const std::string& pcap, const std::string& filter,
                                              const std::string& field) {
    auto r = RunCommand({"/usr/bin/tshark", "-r", pcap, "-Y", filter, "-T", "fields", "-e", field});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::map<int, std::uint64_t> counts;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
        if (!line.empty()) counts[std::stoi(line)] += 1;
    }
    return counts;
}

TEST_F(ObserveCliTest, TopPortsEqualsTsharkCount) {
    Import();
    for (const auto& [proto, filter, field] :
         std::vector<std::tuple<std::string, std::string, std::string>>{{"tcp", "tcp && !icmp && !_ws.malformed", "tcp.dstport"},
                                                                         {"udp", "udp && !icmp && !_ws.malformed", "udp.dstport"}}) {
        SCOPED_TRACE(proto);
        std::map<int, std::uint64_t> expected = TsharkPortCounts(pcap_, filter, field);
        ASSERT_FALSE(expected.empty());
        auto r = Kizuna({"observe", "top-ports", "--from", "2026-11-22", "--to", "2026-11-22", "--proto", proto,
                         "--limit", "0", "--format", "json"});
        ASSERT_EQ(r.exit_code, 0) << r.err;
        auto rows = nlohmann::json::parse(r.out);
        std::map<int, std::uint64_t> actual;
        for (const auto& row : rows) {
            EXPECT_EQ(row.size(), 4u) << row.dump();  // exactly proto, port, packets, per_sensor
            EXPECT_EQ(row.at("proto"), proto);
            actual[row.at("port").get<int>()] = row.at("packets").get<std::uint64_t>();
            // One sensor, up the whole time: the per-sensor average is the total.
            EXPECT_DOUBLE_EQ(row.at("per_sensor").get<double>(), row.at("packets").get<double>());
        }
        EXPECT_EQ(actual, expected);
        // Ranked by per-sensor packets.
        for (std::size_t i = 1; i < rows.size(); ++i) {
            EXPECT_GE(rows[i - 1].at("per_sensor").get<double>(), rows[i].at("per_sensor").get<double>());
        }
    }
    auto top3 = Kizuna({"observe", "top-ports", "--from", "2026-11-22", "--to", "2026-11-23", "--limit", "3",
                        "--format", "csv"});
    ASSERT_EQ(top3.exit_code, 0) << top3.err;
    EXPECT_EQ(CountLines(top3.out), 4) << top3.out;
    EXPECT_EQ(top3.out.rfind("proto,port,packets,per_sensor\ntcp,23,", 0), 0u) << top3.out;
    // Outside the capture's day: nothing.
    auto empty = Kizuna({"observe", "top-ports", "--from", "2026-11-20", "--to", "2026-11-21", "--format", "json"});
    ASSERT_EQ(empty.exit_code, 0) << empty.err;
    EXPECT_EQ(nlohmann::json::parse(empty.out).size(), 0u);
}

TEST_F(ObserveCliTest, CountriesPortAndIcmp) {
    Import();
    auto countries = Kizuna({"observe", "countries", "--from", "2026-11-22", "--to", "2026-11-22", "--format", "json"});
    ASSERT_EQ(countries.exit_code, 0) << countries.err;
    std::map<std::string, std::uint64_t> by_country;
    for (const auto& row : nlohmann::json::parse(countries.out)) by_country[row.at("country")] = row.at("packets");
    EXPECT_EQ(by_country["JP"], capture_.jp_events);
    EXPECT_EQ(by_country["US"], 600 - capture_.jp_events);

    auto daily = Kizuna({"observe", "port", "23", "--from", "2026-11-21", "--to", "2026-11-23", "--format", "json"});
    ASSERT_EQ(daily.exit_code, 0) << daily.err;
    auto points = nlohmann::json::parse(daily.out);
    ASSERT_EQ(points.size(), 3u);
    EXPECT_EQ(points[0].at("date"), "2026-11-21");
    EXPECT_EQ(points[0].at("packets"), 0);
    EXPECT_EQ(points[1].at("packets"), TsharkPortCounts(pcap_, "tcp && !icmp && !_ws.malformed", "tcp.dstport")[23]);

    auto icmp = Kizuna({"observe", "icmp", "--from", "2026-11-22", "--to", "2026-11-22", "--format", "json"});
    ASSERT_EQ(icmp.exit_code, 0) << icmp.err;
    auto icmp_rows = nlohmann::json::parse(icmp.out);
    ASSERT_EQ(icmp_rows.size(), 1u);
    EXPECT_EQ(icmp_rows[0].at("type"), 8);
    EXPECT_EQ(icmp_rows[0].at("packets"), TsharkPortCounts(pcap_, "icmp", "icmp.type")[8]);
}

TEST_F(ObserveCliTest, IodefValidatesAgainstTheSharedSchema) {
    Import();
    std::string xml = dir_.File("jp.xml");
    auto r = Kizuna({"observe", "iodef", "--country", "jp", "--date", "2026-11-22", "--issuer", "csirt.example",
                     "--contact-email", "pgp&co@csirt.example", "--output", xml});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::string schema = testing::SharedDataDir() + "/iodef/iodef-2.0.local.xsd";
    auto lint = RunCommand({"/usr/bin/xmllint", "--noout", "--nonet", "--schema", schema, xml});
    EXPECT_EQ(lint.exit_code, 0) << lint.err;
    std::ifstream in(xml);
    std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(Count(doc, "<EventData>"), capture_.jp_events);
    EXPECT_EQ(Count(doc, ">8.8.8.8<"), 0u);           // only the requested country
    EXPECT_EQ(Count(doc, "192.0.2."), 0u);            // sensor addresses are never disclosed
    EXPECT_NE(doc.find("pgp&amp;co@csirt.example"), std::string::npos);  // escaped
    EXPECT_NE(doc.find("<Address category=\"ipv4-addr\">133.1.2."), std::string::npos);

    // A day without events is still a valid document.
    auto none = Kizuna({"observe", "iodef", "--country", "FR", "--date", "2026-11-22"});
    ASSERT_EQ(none.exit_code, 0) << none.err;
    std::ofstream(dir_.File("fr.xml")) << none.out;
    EXPECT_EQ(RunCommand({"/usr/bin/xmllint", "--noout", "--nonet", "--schema", schema, dir_.File("fr.xml")}).exit_code, 0);
}

// The daily partner export by hand (MISSION O5): one schema-valid file per configured partner country under
// <dir>/<DATE>/, and a rerun writes the very same bytes.
TEST_F(ObserveCliTest, IodefExportWritesOneFilePerPartnerIdempotently) {
    Import();
    const std::string out = dir_.File("export");
    auto slurp = [](const std::string& path) {
        std::ifstream in(path, std::ios::binary);
        return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    };
    auto r = Kizuna({"observe", "iodef-export", "--date", "2026-11-22", "--dir", out, "--set",
                     "observe.iodef_partners=jp, US,FR"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string schema = testing::SharedDataDir() + "/iodef/iodef-2.0.local.xsd";
    std::map<std::string, std::string> first;
    for (const std::string cc : {"JP", "US", "FR"}) {
        const std::string path = out + "/2026-11-22/" + cc + ".xml";
        ASSERT_TRUE(std::filesystem::exists(path)) << path << "\n" << r.out;
        auto lint = RunCommand({"/usr/bin/xmllint", "--noout", "--nonet", "--schema", schema, path});
        EXPECT_EQ(lint.exit_code, 0) << cc << ": " << lint.err;
        first[cc] = slurp(path);
    }
    EXPECT_EQ(Count(first["JP"], "<EventData>"), capture_.jp_events);
    EXPECT_EQ(Count(first["US"], "<EventData>"), 600 - capture_.jp_events);
    EXPECT_EQ(Count(first["US"], ">8.8.8.8<"), 600 - capture_.jp_events);
    EXPECT_EQ(Count(first["JP"], ">8.8.8.8<"), 0u);
    EXPECT_EQ(Count(first["FR"], "<EventData>"), 0u);
    EXPECT_EQ(Count(first["JP"] + first["US"], "192.0.2."), 0u);  // sensor addresses are never disclosed
    // Exactly the three files, no temporaries left behind.
    std::size_t entries = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(out + "/2026-11-22")) ++entries;
    EXPECT_EQ(entries, 3u);
    // The same rendering as `observe iodef` for that country (only the generation time differs).
    auto single = Kizuna({"observe", "iodef", "--country", "JP", "--date", "2026-11-22"});
    ASSERT_EQ(single.exit_code, 0) << single.err;
    EXPECT_EQ(Count(single.out, "<EventData>"), capture_.jp_events);

    // Rerun: identical bytes.
    auto again = Kizuna({"observe", "iodef-export", "--date", "2026-11-22", "--dir", out, "--set",
                         "observe.iodef_partners=JP,US,FR"});
    ASSERT_EQ(again.exit_code, 0) << again.err;
    for (const auto& [cc, bytes] : first) EXPECT_EQ(slurp(out + "/2026-11-22/" + cc + ".xml"), bytes) << cc;

    // --country overrides the configured partners; the directory can come from the config.
    auto one = Kizuna({"observe", "iodef-export", "--date", "2026-11-23", "--country", "jp", "--set",
                       "observe.iodef_export_dir=" + out});
    ASSERT_EQ(one.exit_code, 0) << one.err;
    EXPECT_TRUE(std::filesystem::exists(out + "/2026-11-23/JP.xml"));
    EXPECT_FALSE(std::filesystem::exists(out + "/2026-11-23/US.xml"));

    // Bad input: one line naming the field, exit 2.
    for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
             {"observe", "iodef-export", "--date", "2026-11-22", "--dir", out},  // no countries
             {"observe", "iodef-export", "--date", "2026-11-22", "--country", "JP"},  // no directory
             {"observe", "iodef-export", "--date", "2026-11-22", "--dir", out, "--country", "JPN"},
             {"observe", "iodef-export", "--date", "2026-11-22", "--dir", out, "--set", "observe.iodef_partners=JP,X1"},
             {"observe", "iodef-export", "--date", "22/11/2026", "--dir", out, "--country", "JP"},
         }) {
        auto bad = Kizuna(args);
        EXPECT_EQ(bad.exit_code, 2) << args.back() << bad.err;
        EXPECT_EQ(CountLines(bad.err), 1) << bad.err;
    }
}

// The scheduled job inside `kizuna serve`: the first start schedules the next 00:15 UTC run; a run that is
// due (here: moved into the past, as after downtime) exports its day at the next start and schedules the
// following day's run.
TEST_F(ObserveCliTest, ServeRunsTheDailyIodefJob) {
    Import();
    const std::string out = dir_.File("daily");
    const std::string db = data_ + "/kizuna.db";
    const std::vector<std::string> args = {"--data-dir", data_, "--set", "observe.geo_database=" + GeoDatabase(),
                                           "--set", "observe.iodef_export_dir=" + out, "--set",
                                           "observe.iodef_partners=JP,US"};
    auto sql = [&](const std::string& statement) {
        auto r = RunCommand({"/usr/bin/sqlite3", db, statement});
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return r.out;
    };
    auto utc_date = [](std::chrono::system_clock::time_point t) {
        std::time_t secs = std::chrono::system_clock::to_time_t(t);
        std::tm tm{};
        gmtime_r(&secs, &tm);
        char buf[16];
        std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
        return std::string(buf);
    };
    const auto now = std::chrono::system_clock::now();
    {
        testing::ServerProcess server(KIZUNA_BIN, args, dir_.path());
        ASSERT_TRUE(server.started());
        EXPECT_EQ(server.Terminate(), 0);
    }
    // One pending run, at the next 00:15 UTC, for the day before it.
    std::string pending = sql("SELECT payload, run_at_us FROM jobs WHERE kind = 'observe.iodef_daily' AND state = 'pending'");
    ASSERT_EQ(CountLines(pending), 1) << pending;
    const std::int64_t run_at_us = std::stoll(pending.substr(pending.find('|') + 1));
    EXPECT_EQ(run_at_us % 86'400'000'000, 15LL * 60 * 1'000'000);
    const auto run_at = std::chrono::system_clock::time_point(std::chrono::microseconds(run_at_us));
    EXPECT_GT(run_at, now);
    EXPECT_LE(run_at, now + std::chrono::days(1));
    EXPECT_EQ(pending.substr(0, 10), utc_date(run_at - std::chrono::days(1)));

    // Make it due now, for the capture's day.
    const std::int64_t due_us =
        std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() - 60'000'000;
    sql("UPDATE jobs SET payload = '2026-11-22', run_at_us = " + std::to_string(due_us) +
        " WHERE kind = 'observe.iodef_daily' AND state = 'pending'");
    {
        testing::ServerProcess server(KIZUNA_BIN, args, dir_.path());
        ASSERT_TRUE(server.started());
        for (int i = 0; i < 600 && sql("SELECT count(*) FROM jobs WHERE kind = 'observe.iodef_daily' AND state = 'done'") != "1\n"; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        EXPECT_EQ(server.Terminate(), 0);
    }
    EXPECT_EQ(sql("SELECT count(*) FROM jobs WHERE kind = 'observe.iodef_daily' AND state = 'done'"), "1\n");
    const std::string schema = testing::SharedDataDir() + "/iodef/iodef-2.0.local.xsd";
    for (const std::string cc : {"JP", "US"}) {
        const std::string path = out + "/2026-11-22/" + cc + ".xml";
        ASSERT_TRUE(std::filesystem::exists(path)) << path;
        EXPECT_EQ(RunCommand({"/usr/bin/xmllint", "--noout", "--nonet", "--schema", schema, path}).exit_code, 0) << cc;
    }
    std::ifstream in(out + "/2026-11-22/JP.xml");
    std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(Count(doc, "<EventData>"), capture_.jp_events);
    // The next run: one day after the one that ran, for the day before it.
    pending = sql("SELECT payload, run_at_us FROM jobs WHERE kind = 'observe.iodef_daily' AND state = 'pending'");
    ASSERT_EQ(CountLines(pending), 1) << pending;
    EXPECT_EQ(std::stoll(pending.substr(pending.find('|') + 1)), due_us + 86'400'000'000);
    EXPECT_EQ(pending.substr(0, 10),
              utc_date(std::chrono::system_clock::time_point(std::chrono::microseconds(due_us))));
}

TEST_F(ObserveCliTest, BadInputGivesOneLineAndExit2) {
    Import();
    for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
             {"observe", "top-ports", "--from", "2026-02-30", "--to", "2026-03-01"},
             {"observe", "top-ports", "--from", "2026-03-02", "--to", "2026-03-01"},
             {"observe", "top-ports", "--from", "2026-03-01", "--to", "2026-03-02", "--proto", "sctp"},
             {"observe", "top-ports", "--from", "2026-03-01", "--to", "2026-03-02", "--format", "xml"},
             {"observe", "top-ports", "--from", "2026-03-01"},
             {"observe", "port", "70000", "--from", "2026-03-01", "--to", "2026-03-02"},
             {"observe", "iodef", "--country", "JPN", "--date", "2026-11-22"},
             {"observe", "iodef", "--country", "JP", "--date", "22/11/2026"},
             {"observe", "import", pcap_, "--sensor", "bad name"},
             {"observe", "import", dir_.File("missing.pcap"), "--sensor", "s"},
         }) {
        auto r = Kizuna(args);
        std::string joined;
        for (const auto& a : args) joined += a + " ";
        EXPECT_EQ(r.exit_code, 2) << joined << r.err;
        EXPECT_EQ(CountLines(r.err), 1) << joined << r.err;
    }
    // Not a capture: a clear error naming the file, exit 1.
    std::ofstream(dir_.File("junk.pcap")) << "not a pcap";
    auto junk = Kizuna({"observe", "import", dir_.File("junk.pcap"), "--sensor", "s"});
    EXPECT_EQ(junk.exit_code, 1);
    EXPECT_NE(junk.err.find("junk.pcap"), std::string::npos) << junk.err;
}

TEST_F(ObserveCliTest, QueriesBeforeAnyImportSayWhy) {
    auto r = Kizuna({"observe", "top-ports", "--from", "2026-11-22", "--to", "2026-11-22"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("no observations"), std::string::npos) << r.err;
}

// Importing the same capture twice for one sensor stores it once and says so; top-ports does not double.
TEST_F(ObserveCliTest, ReimportIsADuplicateAndCountsOnce) {
    Import();
    auto before = Kizuna({"observe", "top-ports", "--from", "2026-11-22", "--to", "2026-11-23", "--format", "csv"});
    ASSERT_EQ(before.exit_code, 0) << before.err;
    std::string copy = dir_.File("same-scan.pcap");
    std::filesystem::copy_file(pcap_, copy);
    auto again = Kizuna({"observe", "import", copy, "--sensor", "tokyo-1"});
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_NE(again.out.find("imported 0 event(s)"), std::string::npos) << again.out;
    EXPECT_NE(again.out.find("duplicate: " + copy + " skipped, nothing stored: sensor tokyo-1 already imported the "
                             "same content (scan.pcap"),
              std::string::npos)
        << again.out;
    auto after = Kizuna({"observe", "top-ports", "--from", "2026-11-22", "--to", "2026-11-23", "--format", "csv"});
    ASSERT_EQ(after.exit_code, 0) << after.err;
    EXPECT_EQ(after.out, before.out);
}

}  // namespace
}  // namespace kizuna::functional
