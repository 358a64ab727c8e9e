// Sensor -> TLS -> collector -> event store with the real binaries on loopback: the collector is killed
// with SIGKILL twice mid-stream and restarted; afterwards the store holds exactly the events the sensor
// read (nothing lost, nothing counted twice), port by port. Also: a wrong token is refused, and a sensor
// started while the collector is down spools and delivers once the collector comes up.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <filesystem>
#include <map>

#include <boost/asio/connect.hpp>
#include <boost/asio/ssl.hpp>

#include "observe/storage/event_store.hpp"
#include "observe/transport/internal/transport_io.hpp"
#include "observe/capture/pcap_file.hpp"
#include "observe/transport/sensor_status.hpp"
#include "observe_transport_fixture.hpp"
#include "support/pcap_builder.hpp"

namespace kizuna::functional {
namespace {

using testing::TempDir;
using namespace std::chrono_literals;

constexpr int kPackets = 60000;

// kPackets scan packets over a day: TCP SYNs to a skewed set of ports, some UDP and ICMP, IPv4 and IPv6.
void WriteScanPcap(const std::string& path) {
    const std::uint16_t ports[] = {23, 445, 22, 80, 8080, 3389, 23, 23, 445, 80};
    std::vector<testing::PcapRecord> records;
    records.reserve(kPackets);
    const std::int64_t start = 1'795'305'600'000'000;  // 2026-11-22T00:00:00Z
    for (int i = 0; i < kPackets; ++i) {
        testing::Ipv4Spec v4;
        v4.source = {203, 0, 113, static_cast<std::uint8_t>(i % 250)};
        testing::PacketBytes frame;
        if (i % 20 == 0) {
            v4.protocol = 17;
            frame = testing::Ethernet(testing::kEthertypeIpv4, testing::Ipv4(v4, testing::Udp(5000, 53)));
        } else if (i % 33 == 0) {
            v4.protocol = 1;
            frame = testing::Ethernet(testing::kEthertypeIpv4, testing::Ipv4(v4, testing::Icmp(8, 0)));
        } else if (i % 7 == 0) {
            testing::Ipv6Spec v6;
            frame = testing::Ethernet(testing::kEthertypeIpv6,
                                      testing::Ipv6(v6, testing::Tcp(40000, ports[i % 10], 0x02)));
        } else {
            frame = testing::Ethernet(testing::kEthertypeIpv4,
                                      testing::Ipv4(v4, testing::Tcp(static_cast<std::uint16_t>(1024 + i % 60000),
                                                                     ports[i % 10], 0x02)));
        }
        records.push_back({start + std::int64_t{i} * 1'000'000, frame, std::nullopt});
    }
    testing::WritePcapFile(path, 1, records);
}

std::map<std::uint16_t, std::uint64_t> PortsInPcap(const std::string& path) {
    std::map<std::uint16_t, std::uint64_t> ports;
    auto reader = observe::PcapFileReader::Open(path);
    EXPECT_TRUE(reader.ok());
    auto events = reader->ReadAll();
    EXPECT_TRUE(events.ok());
    for (const auto& event : *events) ports[event.destination_port] += event.packets;
    return ports;
}

struct StoreContents {
    std::uint64_t events = 0;
    std::map<std::uint16_t, std::uint64_t> ports;
};

StoreContents ReadStore(const std::string& dir) {
    StoreContents contents;
    auto store = observe::EventStore::Open(dir, observe::StoreOptions{});
    EXPECT_TRUE(store.ok()) << store.error().ToString();
    if (!store.ok()) return contents;
    contents.events = (*store)->EventCount();
    auto scanned = (*store)->Scan(observe::ScanFilter{}, [&](const observe::EventColumns& columns) {
        for (std::size_t i = 0; i < columns.size; ++i) contents.ports[columns.destination_port[i]] += columns.packets[i];
        return true;
    });
    EXPECT_TRUE(scanned.ok());
    return contents;
}

class ObserveTransportTest : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_TRUE(MakeSelfSignedCertificate(dir_));
        data_dir_ = dir_.File("data");
        ASSERT_TRUE(RegisterSensor(KIZUNA_BIN, data_dir_, "tokyo-1", dir_.File("token")));
        WriteScanPcap(dir_.File("scan.pcap"));
    }

    std::unique_ptr<Child> StartCollector(int port) {
        std::filesystem::remove(dir_.File("port"));
        auto child = std::make_unique<Child>(
            std::vector<std::string>{KIZUNA_BIN, "observe", "collect", "--data-dir", data_dir_, "--port",
                                     std::to_string(port), "--port-file", dir_.File("port"), "--tls-cert",
                                     dir_.File("cert.pem"), "--tls-key", dir_.File("key.pem")},
            dir_.File("collector.log"));
        return child;
    }

    std::unique_ptr<Child> StartSensor(const std::string& token_file, int port, const std::vector<std::string>& extra) {
        std::vector<std::string> argv = {KIZUNA_SENSOR_BIN, "--name", "tokyo-1", "--collector",
                                         "127.0.0.1:" + std::to_string(port), "--ca", dir_.File("cert.pem"),
                                         "--server-name", "localhost", "--token-file", token_file, "--spool",
                                         dir_.File("spool"), "--read", dir_.File("scan.pcap"), "--heartbeat-seconds", "1"};
        argv.insert(argv.end(), extra.begin(), extra.end());
        return std::make_unique<Child>(argv, dir_.File("sensor.log"));
    }

    // The sensor's acknowledged high-water mark: acks come in order and delete their batch files, so it is
    // one below the oldest batch still spooled, or the spool's last_sequence once none is; 0 before any ack.
    std::uint64_t AckedSequence() {
        std::uint64_t oldest = 0;
        std::error_code ec;
        for (const auto& entry : std::filesystem::directory_iterator(dir_.File("spool"), ec)) {
            const auto name = entry.path().filename().string();
            if (!name.ends_with(".batch")) continue;
            const auto sequence = std::stoull(name.substr(0, name.size() - 6));
            if (oldest == 0 || sequence < oldest) oldest = sequence;
        }
        const auto line = ReadFirstLine(dir_.File("spool/last_sequence"));
        const std::uint64_t last = line.empty() ? 0 : std::stoull(line);
        if (oldest == 0) return last;
        if (first_spooled_ == 0) first_spooled_ = oldest;  // the first batch seen: nothing acked before it
        return std::max(last, oldest > first_spooled_ ? oldest - 1 : 0);
    }
    std::uint64_t first_spooled_ = 0;

    bool WaitForAckAbove(std::uint64_t floor, std::chrono::seconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            if (AckedSequence() > floor) return true;
            std::this_thread::sleep_for(2ms);
        }
        return false;
    }

    void KillCollectorTwiceMidStream(const std::string& window);

    TempDir dir_;
    std::string data_dir_;
};

// Kills the collector twice mid-stream; `window` batches may be in flight (sent, not yet acknowledged) at
// each kill: those in the collector's pipeline may or may not be stored, and all are resent after the
// reconnect, where the store's (sensor, seq) watermark drops the ones it has.
void ObserveTransportTest::KillCollectorTwiceMidStream(const std::string& window) {
    auto collector = StartCollector(0);
    const auto port_text = WaitForFile(dir_.File("port"), 20s);
    ASSERT_FALSE(port_text.empty()) << collector->Log();
    const int port = std::stoi(port_text);

    // Small batches: the stream takes hundreds of durable round trips.
    auto sensor = StartSensor(dir_.File("token"), port, {"--batch-events", "100", "--window", window});
    for (int kill = 0; kill < 2; ++kill) {
        const auto before = AckedSequence();
        ASSERT_TRUE(WaitForAckAbove(before, 30s)) << "no progress before kill " << kill << "\n" << sensor->Log();
        ASSERT_TRUE(sensor->running()) << "the stream ended before kill " << kill << "; make it longer";
        collector->Kill();
        std::this_thread::sleep_for(300ms);  // the sensor notices, spools on, backs off
        collector = StartCollector(port);
        ASSERT_FALSE(WaitForFile(dir_.File("port"), 20s).empty()) << collector->Log();
    }
    ASSERT_EQ(sensor->Wait(120s), 0) << sensor->Log();
    collector->Signal(SIGTERM);

    const auto log = sensor->Log();
    EXPECT_NE(log.find("events=" + std::to_string(kPackets)), std::string::npos) << log;
    const auto stored = ReadStore(data_dir_ + "/observe");
    EXPECT_EQ(stored.events, static_cast<std::uint64_t>(kPackets));
    EXPECT_EQ(stored.ports, PortsInPcap(dir_.File("scan.pcap")));
    EXPECT_TRUE(std::filesystem::is_empty(dir_.File("spool")) ||
                !std::filesystem::exists(dir_.File("spool/00000000000000000001.batch")));

    // The status board saw the sensor's batches and heartbeats.
    auto status = observe::LoadSensorStatus(observe::SensorStatusPath(data_dir_));
    ASSERT_TRUE(status.ok());
    ASSERT_EQ(status->size(), 1u);
    EXPECT_EQ(status->front().sensor, "tokyo-1");
    EXPECT_EQ(status->front().packets_received, static_cast<std::uint64_t>(kPackets));
    EXPECT_GT(status->front().last_heartbeat_micros, 0);
}

TEST_F(ObserveTransportTest, CollectorKilledTwiceMidStreamLosesAndDuplicatesNothing) {
    KillCollectorTwiceMidStream("1");  // stop-and-wait: one batch in flight
}

TEST_F(ObserveTransportTest, CollectorKilledTwiceWithAWindowInFlightLosesAndDuplicatesNothing) {
    KillCollectorTwiceMidStream("16");  // more in flight than the collector's pipeline holds
}

TEST_F(ObserveTransportTest, SensorSpoolsWhileTheCollectorIsDownAndDeliversLater) {
    // Find a free port, then start the sensor with nothing listening there.
    auto probe = StartCollector(0);
    const int port = std::stoi(WaitForFile(dir_.File("port"), 20s));
    probe->Kill();
    auto sensor = StartSensor(dir_.File("token"), port, {"--batch-events", "5000"});
    std::this_thread::sleep_for(700ms);
    EXPECT_TRUE(sensor->running());
    // Captured events wait in the spool: private to the sensor's user (issue 12).
    struct stat st {};
    ASSERT_EQ(::stat(dir_.File("spool").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir_.File("spool"), ec)) {
        ASSERT_EQ(::stat(entry.path().c_str(), &st), 0);
        EXPECT_EQ(st.st_mode & 0077, 0u) << entry.path();
    }
    auto collector = StartCollector(port);
    ASSERT_FALSE(WaitForFile(dir_.File("port"), 20s).empty()) << collector->Log();
    ASSERT_EQ(sensor->Wait(60s), 0) << sensor->Log();
    collector->Signal(SIGTERM);
    EXPECT_EQ(ReadStore(data_dir_ + "/observe").events, static_cast<std::uint64_t>(kPackets));
    ASSERT_EQ(::stat((data_dir_ + "/observe").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);  // the event store, as the rest of the data directory
}

// The live path over a long span (issue 14): a sensor's spool holds batches whose packets jump back and forth
// across 60 UTC days (more than the store keeps segment writers open); replayed to the collector, every batch
// is stored whole, port by port as in the file. Before the fix the collector's append failed with
// "fdatasync …: Bad file descriptor" and the sensor retried forever.
TEST_F(ObserveTransportTest, SensorReplaysASpoolSpanningManyDays) {
    constexpr int kDays = 60;
    std::vector<testing::PcapRecord> records;
    const std::int64_t start = 1'795'305'600'000'000;  // 2026-11-22T00:00:00Z
    for (int i = 0; i < 30000; ++i) {
        testing::Ipv4Spec v4;
        v4.source = {203, 0, 113, static_cast<std::uint8_t>(i % 250)};
        const std::int64_t day = (std::int64_t{i} * 23) % kDays;
        records.push_back({start + day * 86'400'000'000 + std::int64_t{i} * 1'000'000,
                           testing::Ethernet(testing::kEthertypeIpv4,
                                             testing::Ipv4(v4, testing::Tcp(40000, static_cast<std::uint16_t>(20 + i % 40),
                                                                            0x02))),
                           std::nullopt});
    }
    testing::WritePcapFile(dir_.File("scan.pcap"), 1, records);
    auto probe = StartCollector(0);
    const int port = std::stoi(WaitForFile(dir_.File("port"), 20s));
    probe->Kill();
    auto sensor = StartSensor(dir_.File("token"), port, {"--batch-events", "4000"});
    std::this_thread::sleep_for(1500ms);  // the whole file is read and spooled while nothing listens
    auto collector = StartCollector(port);
    ASSERT_FALSE(WaitForFile(dir_.File("port"), 20s).empty()) << collector->Log();
    ASSERT_EQ(sensor->Wait(90s), 0) << sensor->Log() << collector->Log();
    collector->Signal(SIGTERM);
    StoreContents stored = ReadStore(data_dir_ + "/observe");
    EXPECT_EQ(stored.events, 30000u);
    EXPECT_EQ(stored.ports, PortsInPcap(dir_.File("scan.pcap")));
    EXPECT_EQ(collector->Log().find("Bad file descriptor"), std::string::npos) << collector->Log();
}

// A port that was free a moment ago (for settings that cannot take 0 and report back).
int FreePort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    ::close(fd);
    return ntohs(address.sin_port);
}

TEST_F(ObserveTransportTest, ServeRunsTheCollectorWhenConfigured) {
    const int port = FreePort();
    testing::ServerProcess serve(KIZUNA_BIN,
                                 {"--data-dir", data_dir_, "--set", "observe.collector_port=" + std::to_string(port),
                                  "--set", "observe.tls_cert=" + dir_.File("cert.pem"), "--set",
                                  "observe.tls_key=" + dir_.File("key.pem"), "--set", "observe.geo_database=none"},
                                 dir_.path());
    ASSERT_TRUE(serve.started());
    auto sensor = StartSensor(dir_.File("token"), port, {"--batch-events", "20000"});
    ASSERT_EQ(sensor->Wait(60s), 0) << sensor->Log();
    EXPECT_EQ(serve.Terminate(), 0);
    EXPECT_EQ(ReadStore(data_dir_ + "/observe").events, static_cast<std::uint64_t>(kPackets));
}

TEST_F(ObserveTransportTest, WrongTokenIsRefusedAndNothingIsStored) {
    auto collector = StartCollector(0);
    const int port = std::stoi(WaitForFile(dir_.File("port"), 20s));
    std::ofstream(dir_.File("bad-token")) << "kz_" << std::string(64, '0') << "\n";
    auto sensor = StartSensor(dir_.File("bad-token"), port, {});
    std::this_thread::sleep_for(1500ms);
    EXPECT_TRUE(sensor->running());  // keeps its spool and retries; an operator fixes the token
    sensor->Signal(SIGTERM);
    collector->Signal(SIGTERM);
    EXPECT_NE(sensor->Log().find("not a valid token of sensor tokyo-1"), std::string::npos) << sensor->Log();
    EXPECT_EQ(ReadStore(data_dir_ + "/observe").events, 0u);
    // Nothing was lost either: the batches wait in the spool.
    EXPECT_FALSE(std::filesystem::is_empty(dir_.File("spool")));
}

// The pipelined session still acknowledges in order and answers a malformed frame with an error frame
// (not a silent close): a client speaking the protocol by hand over TLS.
TEST_F(ObserveTransportTest, PipelinedSessionAcksInOrderAndRefusesACorruptBatch) {
    namespace net = boost::asio;
    auto collector = StartCollector(0);
    const auto port_text = WaitForFile(dir_.File("port"), 20s);
    ASSERT_FALSE(port_text.empty()) << collector->Log();
    net::io_context io;
    net::ssl::context tls(net::ssl::context::tls_client);
    tls.load_verify_file(dir_.File("cert.pem"));
    tls.set_verify_mode(net::ssl::verify_peer);
    observe::transport::TlsStream stream(io, tls);
    net::ip::tcp::resolver resolver(io);
    net::connect(stream.lowest_layer(), resolver.resolve("127.0.0.1", port_text));
    SSL_set_tlsext_host_name(stream.native_handle(), "localhost");
    stream.handshake(net::ssl::stream_base::client);
    observe::transport::FrameIo frames(stream);
    namespace tr = observe::transport;
    ASSERT_TRUE(frames.Write(tr::Hello{tr::kProtocolVersion, "tokyo-1", ReadFirstLine(dir_.File("token"))}).ok());
    auto welcome = frames.Read();
    ASSERT_TRUE(welcome.ok() && std::holds_alternative<tr::Welcome>(*welcome)) << collector->Log();

    // Several batches written back to back, then their acks, in order.
    observe::ScanEvent event;
    event.time = observe::PacketTime::FromMicros(1'795'305'600'000'000);
    event.destination_port = 23;
    for (std::uint64_t seq = 10; seq < 16; ++seq) ASSERT_TRUE(frames.Write(tr::Batch{seq, {event, event}}).ok());
    for (std::uint64_t seq = 10; seq < 16; ++seq) {
        auto ack = frames.Read();
        ASSERT_TRUE(ack.ok()) << ack.error().ToString();
        ASSERT_TRUE(std::holds_alternative<tr::Ack>(*ack));
        EXPECT_EQ(std::get<tr::Ack>(*ack).sequence, seq);
    }
    // A batch whose checksum does not match: an error frame naming the reason, then the close.
    std::vector<std::uint8_t> bad;
    tr::EncodeBatch(16, std::vector<observe::ScanEvent>{event}, bad);
    bad.back() ^= 0x01;
    ASSERT_TRUE(frames.WriteRaw(bad).ok());
    auto reply = frames.Read();
    ASSERT_TRUE(reply.ok()) << reply.error().ToString();
    ASSERT_TRUE(std::holds_alternative<tr::ErrorMessage>(*reply));
    EXPECT_EQ(std::get<tr::ErrorMessage>(*reply).kind, tr::ErrorKind::kProtocol);
    EXPECT_NE(std::get<tr::ErrorMessage>(*reply).message.find("checksum mismatch"), std::string::npos);
    EXPECT_FALSE(frames.Read().ok());
    collector->Signal(SIGTERM);
    EXPECT_EQ(ReadStore(data_dir_ + "/observe").events, 12u);  // six batches of two; not the corrupt one
}

}  // namespace
}  // namespace kizuna::functional
