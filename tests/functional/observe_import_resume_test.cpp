// `kizuna observe import` of a long capture, killed with SIGKILL several times and then run to the end
// (issue 14): every run resumes where the last one durably got, so the stored per-port counts equal tshark's
// independent count of the file — nothing lost, nothing counted twice. The capture covers 45 UTC days with
// packets going back and forth across them (more days than the store keeps segment writers open), which
// failed with "fdatasync …: Bad file descriptor" before the fix.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
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

constexpr std::int64_t kDay0 = 1'795'305'600'000'000;  // 2026-11-22T00:00:00Z
constexpr std::int64_t kDayMicros = 86'400'000'000;
constexpr int kDays = 45;
constexpr int kPackets = 120'000;

// TCP SYNs over kDays days, day (i * 19) mod 45 for record i: consecutive packets jump between days.
void WriteCapture(const std::string& path) {
    std::vector<testing::PcapRecord> records;
    records.reserve(kPackets + 2);
    for (int i = 0; i < kPackets; ++i) {
        testing::Ipv4Spec ip;
        ip.source = {198, 51, static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i)};
        ip.destination = {192, 0, 2, static_cast<std::uint8_t>(i % 250 + 1)};
        const auto port = static_cast<std::uint16_t>(i % 11 == 0 ? 23 : 1000 + (i * 7919) % 97);
        const std::int64_t day = (static_cast<std::int64_t>(i) * 19) % kDays;
        records.push_back({kDay0 + day * kDayMicros + static_cast<std::int64_t>(i % 86'400) * 1'000'000,
                           testing::Ethernet(testing::kEthertypeIpv4, testing::Ipv4(ip, testing::Tcp(40000, port, 0x02))),
                           {}});
    }
    // Records without an event, near the end.
    records.push_back({kDay0 + 5, testing::Ethernet(testing::kEthertypeArp, testing::PacketBytes(28, 0)), {}});
    testing::WritePcapFile(path, 1, records);
}

std::map<int, std::uint64_t> TsharkTcpPortCounts(const std::string& pcap) {
    auto r = RunCommand({"/usr/bin/tshark", "-r", pcap, "-Y", "tcp && !icmp && !_ws.malformed", "-T", "fields", "-e",
                         "tcp.dstport"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::map<int, std::uint64_t> counts;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
        if (!line.empty()) counts[std::stoi(line)] += 1;
    }
    return counts;
}

class ObserveImportResumeTest : public ::testing::Test {
  protected:
    void SetUp() override {
        pcap_ = dir_.File("archive.pcap");
        WriteCapture(pcap_);
        data_ = dir_.File("data");
    }
    std::vector<std::string> Args(std::vector<std::string> args) const {
        args.insert(args.begin(), KIZUNA_BIN);
        args.insert(args.end(), {"--data-dir", data_, "--set", "observe.geo_database=none"});
        return args;
    }
    std::vector<std::string> ImportArgs() const {
        return Args({"observe", "import", pcap_, "--sensor", "archive-1", "--batch", "2000"});
    }
    // The import's progress log (import_progress.log in the event store): one synced record before each batch.
    std::uintmax_t ProgressLogSize() const {
        std::error_code ec;
        for (auto it = std::filesystem::recursive_directory_iterator(data_, ec);
             !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
            if (it->path().filename() == "import_progress.log") return std::filesystem::file_size(it->path(), ec);
        }
        return 0;
    }
    // Starts the import and SIGKILLs it once its progress log has grown `batches` times (a point inside the
    // import decided by its own progress, not by the machine's speed); returns its wait status as RunCommand
    // does (0 when it finished before that point).
    int ImportKilledAfterBatches(int batches) const {
        std::vector<std::string> args = ImportArgs();
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        pid_t pid = fork();
        if (pid == 0) {
            int devnull = ::open("/dev/null", O_WRONLY);
            dup2(devnull, 1);
            dup2(devnull, 2);
            execv(argv[0], argv.data());
            _exit(127);
        }
        std::uintmax_t last_size = ProgressLogSize();
        int grown = 0;
        int status = 0;
        while (grown < batches) {
            if (::waitpid(pid, &status, WNOHANG) == pid) {
                return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
            }
            std::uintmax_t size = ProgressLogSize();
            if (size != last_size) {
                last_size = size;
                ++grown;
            } else {
                std::this_thread::sleep_for(std::chrono::microseconds(200));
            }
        }
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
    }
    // Stored packets per TCP port over the capture's days.
    std::map<int, std::uint64_t> StoredTcpPorts() const {
        auto r = RunCommand(Args({"observe", "top-ports", "--from", "2026-11-22", "--to", "2027-01-06", "--proto", "tcp",
                                  "--limit", "0", "--format", "json"}));
        EXPECT_EQ(r.exit_code, 0) << r.err;
        std::map<int, std::uint64_t> counts;
        if (r.exit_code != 0) return counts;
        for (const auto& row : nlohmann::json::parse(r.out)) {
            counts[row.at("port").get<int>()] = row.at("packets").get<std::uint64_t>();
        }
        return counts;
    }
    static std::uint64_t Total(const std::map<int, std::uint64_t>& counts) {
        std::uint64_t total = 0;
        for (const auto& [port, packets] : counts) total += packets;
        return total;
    }

    testing::TempDir dir_;
    std::string pcap_, data_;
};

TEST_F(ObserveImportResumeTest, KilledImportsResumeAndTheEndEqualsTshark) {
    const std::map<int, std::uint64_t> expected = TsharkTcpPortCounts(pcap_);
    ASSERT_EQ(Total(expected), static_cast<std::uint64_t>(kPackets));

    int killed = 0;
    std::uint64_t stored_before = 0;
    for (int attempt = 0; attempt < 5; ++attempt) {
        int status = ImportKilledAfterBatches(3 + 2 * attempt);
        if (status == 0) break;  // finished before the signal
        ASSERT_EQ(status, 128 + SIGKILL);
        ++killed;
        // What a killed run stored stays stored and is never more than the file holds; no port exceeds tshark.
        std::map<int, std::uint64_t> stored = StoredTcpPorts();
        std::uint64_t total = Total(stored);
        EXPECT_GE(total, stored_before) << "attempt " << attempt;
        EXPECT_LE(total, static_cast<std::uint64_t>(kPackets)) << "attempt " << attempt;
        for (const auto& [port, packets] : stored) EXPECT_LE(packets, expected.at(port)) << "port " << port;
        stored_before = total;
    }
    EXPECT_GE(killed, 2) << "the import should have been interrupted several times";

    auto finished = RunCommand(ImportArgs());
    ASSERT_EQ(finished.exit_code, 0) << finished.out << finished.err;
    EXPECT_EQ(StoredTcpPorts(), expected);
    // The killed runs stored part of the file, so the last run says it resumed this file after some records.
    // (A kill that lands after the last batch and its completion record leaves nothing to resume: a duplicate.)
    if (stored_before > 0 && stored_before < static_cast<std::uint64_t>(kPackets)) {
        EXPECT_NE(finished.out.find("resumed: " + pcap_ + ": an earlier import of it was interrupted; went on after the "),
                  std::string::npos)
            << finished.out;
        EXPECT_EQ(finished.out.find("after the 0 record(s)"), std::string::npos) << finished.out;
    }

    // Completed: one more import is a duplicate and stores nothing.
    auto again = RunCommand(ImportArgs());
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_NE(again.out.find("duplicate: "), std::string::npos) << again.out;
    EXPECT_EQ(StoredTcpPorts(), expected);
}

}  // namespace
}  // namespace kizuna::functional
