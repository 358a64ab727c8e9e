// IPFIX input with Debian's softflowd as the exporter: softflowd reads a pcap and exports IPFIX (v10) over
// TCP and over UDP to `kizuna observe collect`; the store's packets per destination port must equal the
// pcap's (packetDeltaCount summed over flows), with no sequence gaps counted on loopback.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "observe/storage/event_store.hpp"
#include "observe/capture/pcap_file.hpp"
#include "observe/transport/sensor_status.hpp"
#include "observe_transport_fixture.hpp"
#include "support/fail_closed.hpp"
#include "support/pcap_builder.hpp"

namespace kizuna::functional {
namespace {

using testing::TempDir;
using namespace std::chrono_literals;

constexpr const char* kSoftflowd = "/usr/sbin/softflowd";
constexpr const char* kSoftflowctl = "/usr/sbin/softflowctl";

// Repeated scans: several packets per flow (same 5-tuple), skewed ports, TCP, UDP, ICMP, IPv4 and IPv6.
void WriteFlowPcap(const std::string& path) {
    const std::uint16_t ports[] = {23, 445, 22, 80, 8080, 3389, 23, 23, 445, 5060};
    std::vector<testing::PcapRecord> records;
    const std::int64_t start = 1'795'305'600'000'000;
    for (int i = 0; i < 4000; ++i) {
        testing::Ipv4Spec v4;
        v4.source = {198, 51, 100, static_cast<std::uint8_t>(i % 40)};
        const auto port = ports[i % 10];
        testing::PacketBytes frame;
        if (i % 25 == 0) {
            v4.protocol = 1;
            frame = testing::Ethernet(testing::kEthertypeIpv4, testing::Ipv4(v4, testing::Icmp(8, 0)));
        } else if (port == 5060) {
            v4.protocol = 17;
            frame = testing::Ethernet(testing::kEthertypeIpv4, testing::Ipv4(v4, testing::Udp(5060, port)));
        } else if (i % 9 == 0) {
            testing::Ipv6Spec v6;
            frame = testing::Ethernet(testing::kEthertypeIpv6, testing::Ipv6(v6, testing::Tcp(41000, port, 0x02)));
        } else {
            frame = testing::Ethernet(testing::kEthertypeIpv4,
                                      testing::Ipv4(v4, testing::Tcp(static_cast<std::uint16_t>(50000 + i % 7), port, 0x02)));
        }
        records.push_back({start + std::int64_t{i} * 10'000, frame, std::nullopt});
    }
    testing::WritePcapFile(path, 1, records);
}

std::map<std::uint16_t, std::uint64_t> PacketsPerPort(const std::string& pcap) {
    std::map<std::uint16_t, std::uint64_t> ports;
    auto reader = observe::PcapFileReader::Open(pcap);
    EXPECT_TRUE(reader.ok());
    auto events = reader->ReadAll();
    EXPECT_TRUE(events.ok());
    for (const auto& event : *events) ports[event.destination_port] += 1;
    return ports;
}

std::map<std::uint16_t, std::uint64_t> StoredPacketsPerPort(const std::string& dir) {
    std::map<std::uint16_t, std::uint64_t> ports;
    auto store = observe::EventStore::Open(dir, observe::StoreOptions{});
    EXPECT_TRUE(store.ok());
    if (!store.ok()) return ports;
    auto scanned = (*store)->Scan(observe::ScanFilter{}, [&](const observe::EventColumns& columns) {
        for (std::size_t i = 0; i < columns.size; ++i) ports[columns.destination_port[i]] += columns.packets[i];
        return true;
    });
    EXPECT_TRUE(scanned.ok());
    return ports;
}

class ObserveIpfixTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ObserveIpfixTest, SoftflowdFlowsGiveThePcapsPacketsPerPort) {
    if (!std::filesystem::exists(kSoftflowd)) KIZUNA_MISSING_TOOL("softflowd missing") << ": run scripts/setup.sh";
    const bool tcp = GetParam() == "tcp";
    TempDir dir;
    ASSERT_TRUE(MakeSelfSignedCertificate(dir));
    const auto data_dir = dir.File("data");
    ASSERT_EQ(testing::RunCommand({KIZUNA_BIN, "migrate", "--data-dir", data_dir}).exit_code, 0);
    WriteFlowPcap(dir.File("flows.pcap"));

    Child collector({KIZUNA_BIN, "observe", "collect", "--data-dir", data_dir, "--port", "0", "--tls-cert",
                     dir.File("cert.pem"), "--tls-key", dir.File("key.pem"), "--ipfix-udp-port", "0",
                     "--ipfix-tcp-port", "0", "--ipfix-port-file", dir.File("ipfix-ports")},
                    dir.File("collector.log"));
    const auto ports = WaitForFile(dir.File("ipfix-ports"), 20s);
    ASSERT_FALSE(ports.empty()) << collector.Log();
    const auto space = ports.find(' ');
    const auto port = tcp ? ports.substr(space + 1) : ports.substr(0, space);

    std::vector<std::string> exporter = {kSoftflowd, "-d", "-a", "-r", dir.File("flows.pcap"), "-n",
                                         "127.0.0.1:" + port, "-v", "10", "-p", dir.File("sf.pid"),
                                         "-c", dir.File("sf.ctl")};
    if (tcp) exporter.insert(exporter.end(), {"-P", "tcp"});
    Child softflowd(exporter, dir.File("softflowd.log"));
    // softflowd 1.1.0 starts reading a pcap only once its control socket is poked; it exports every flow
    // and exits at the end of the file.
    for (int i = 0; i < 300 && softflowd.running(); ++i) {
        testing::RunCommand({kSoftflowctl, "-c", dir.File("sf.ctl"), "statistics"});
        std::this_thread::sleep_for(100ms);
    }
    ASSERT_EQ(softflowd.Wait(10s), 0) << softflowd.Log();
    std::this_thread::sleep_for(tcp ? 300ms : 1500ms);  // last datagrams in; SIGTERM flushes the rest
    collector.Signal(SIGTERM);

    EXPECT_EQ(StoredPacketsPerPort(data_dir + "/observe"), PacketsPerPort(dir.File("flows.pcap")))
        << softflowd.Log() << collector.Log();
    auto status = observe::LoadSensorStatus(observe::SensorStatusPath(data_dir));
    ASSERT_TRUE(status.ok());
    ASSERT_EQ(status->size(), 1u);
    EXPECT_EQ(status->front().sensor, "ipfix-127-0-0-1-0");
    EXPECT_EQ(status->front().source, "ipfix");
    EXPECT_EQ(status->front().lost, 0u);
}

INSTANTIATE_TEST_SUITE_P(Transports, ObserveIpfixTest, ::testing::Values("tcp", "udp"));

}  // namespace
}  // namespace kizuna::functional
