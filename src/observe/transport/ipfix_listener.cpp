#include "observe/transport/ipfix_listener.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <list>
#include <map>
#include <mutex>
#include <thread>

#include "observe/capture/ipfix.hpp"
#include "observe/capture/ipfix_source.hpp"

namespace kizuna::observe {
namespace {

using Clock = std::chrono::steady_clock;

std::string SensorName(const std::string& exporter, std::uint32_t domain) {
    std::string name = "ipfix-";
    for (char c : exporter) name += (c == '.' || c == ':') ? '-' : static_cast<char>(std::tolower(c));
    return name + "-" + std::to_string(domain);
}

std::string AddressText(const sockaddr_storage& address) {
    char text[INET6_ADDRSTRLEN] = {};
    if (address.ss_family == AF_INET) {
        inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(address).sin_addr, text, sizeof text);
    } else {
        const auto& v6 = reinterpret_cast<const sockaddr_in6&>(address);
        // IPv4-mapped peers read as plain IPv4.
        if (IN6_IS_ADDR_V4MAPPED(&v6.sin6_addr))
            inet_ntop(AF_INET, v6.sin6_addr.s6_addr + 12, text, sizeof text);
        else
            inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof text);
    }
    return text;
}

core::Result<int> Bind(const std::string& listen, int port, int type, const char* setting) {
    sockaddr_storage address{};
    socklen_t length = 0;
    auto* v4 = reinterpret_cast<sockaddr_in*>(&address);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&address);
    if (inet_pton(AF_INET, listen.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(static_cast<std::uint16_t>(port));
        length = sizeof *v4;
    } else if (inet_pton(AF_INET6, listen.c_str(), &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(static_cast<std::uint16_t>(port));
        length = sizeof *v6;
    } else {
        return core::InvalidArgument("not an IP address: " + listen, "observe.collector_listen");
    }
    const int fd = ::socket(address.ss_family, type | SOCK_CLOEXEC, 0);
    if (fd < 0) return core::Internal(std::string("socket: ") + std::strerror(errno));
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (type == SOCK_DGRAM) {
        const int buffer = 8 << 20;  // routers send bursts; the kernel caps this at rmem_max
        ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
    }
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        (type == SOCK_STREAM && ::listen(fd, 64) != 0)) {
        const std::string error = std::strerror(errno);
        ::close(fd);
        return core::Error(core::ErrorCode::kUnavailable,
                           "cannot listen on " + listen + ":" + std::to_string(port) + ": " + error, setting);
    }
    return fd;
}

int BoundPort(int fd) {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    return address.ss_family == AF_INET ? ntohs(reinterpret_cast<sockaddr_in&>(address).sin_port)
                                        : ntohs(reinterpret_cast<sockaddr_in6&>(address).sin6_port);
}

// Waits until fd is readable or `timeout` passes; false on timeout.
bool WaitReadable(int fd, std::chrono::milliseconds timeout) {
    pollfd entry{fd, POLLIN, 0};
    return ::poll(&entry, 1, static_cast<int>(timeout.count())) > 0;
}

}  // namespace

struct IpfixListener::Impl {
    IpfixOptions options;
    IngestSink& sink;
    SensorStatusBoard* status;
    core::Logger& log;

    int udp_fd = -1, tcp_fd = -1;
    int udp_port = -1, tcp_port = -1;
    std::atomic<bool> stopping{false};
    bool started = false;
    std::thread udp_thread, accept_thread;
    std::mutex connections_mutex;
    std::list<std::thread> connection_threads;

    std::mutex sink_mutex;
    std::atomic<std::uint64_t> messages{0}, malformed{0}, events{0}, lost{0};

    struct Buffer {
        std::vector<ScanEvent> events;
        Clock::time_point first{};
    };

    Impl(IpfixOptions o, IngestSink& s, SensorStatusBoard* st, core::Logger& l)
        : options(std::move(o)), sink(s), status(st), log(l) {}

    void Flush(const std::string& sensor, Buffer& buffer);
    void FlushDue(std::map<std::string, Buffer>& buffers, bool all);
    void Accept(IpfixSource& source, const std::string& exporter, std::span<const std::uint8_t> message,
                std::map<std::string, Buffer>& buffers);
    void UdpLoop();
    void AcceptLoop();
    void TcpConnection(int fd, std::string exporter);
};

void IpfixListener::Impl::Flush(const std::string& sensor, Buffer& buffer) {
    if (buffer.events.empty()) return;
    std::int64_t from = INT64_MAX, to = INT64_MIN;
    for (const auto& event : buffer.events) {
        from = std::min(from, event.time.micros_since_epoch);
        to = std::max(to, event.time.micros_since_epoch + 1);
    }
    std::lock_guard lock(sink_mutex);
    // One sink write per 65536 events at most (the transport's batch bound, kept here too).
    std::span<const ScanEvent> rest(buffer.events);
    while (!rest.empty()) {
        const auto chunk = rest.first(std::min<std::size_t>(rest.size(), transport::kMaxBatchEvents));
        rest = rest.subspan(chunk.size());
        const auto sequence = sink.LastSequence(sensor) + 1;
        auto stored = sink.Append(sensor, sequence, chunk);
        if (!stored.ok()) {
            log.Error("cannot store IPFIX flows; they are dropped",
                      {{"sensor", sensor}, {"events", static_cast<std::uint64_t>(chunk.size())},
                       {"error", stored.error().ToString()}});
            break;
        }
        events += chunk.size();
    }
    transport::Heartbeat beat;
    beat.up_from_micros = from;
    beat.up_to_micros = to;
    if (auto recorded = sink.Heartbeat(sensor, beat); !recorded.ok())
        log.Warn("cannot record IPFIX exporter uptime", {{"sensor", sensor}, {"error", recorded.error().ToString()}});
    buffer.events.clear();
}

void IpfixListener::Impl::FlushDue(std::map<std::string, Buffer>& buffers, bool all) {
    const auto now = Clock::now();
    for (auto& [sensor, buffer] : buffers)
        if (!buffer.events.empty() && (all || now - buffer.first >= options.flush_interval)) Flush(sensor, buffer);
}

void IpfixListener::Impl::Accept(IpfixSource& source, const std::string& exporter,
                                 std::span<const std::uint8_t> message, std::map<std::string, Buffer>& buffers) {
    messages++;
    auto info = source.Feed(message);
    if (!info.ok()) {
        malformed++;
        log.Debug("malformed IPFIX message dropped", {{"exporter", exporter}, {"error", info.error().ToString()}});
        return;
    }
    const auto sensor = SensorName(exporter, info->observation_domain);
    if (info->lost_records != 0) {
        lost += info->lost_records;
        if (status != nullptr) status->RecordLoss(sensor, info->lost_records);
    }
    if (info->events == 0) return;
    auto& buffer = buffers[sensor];
    if (buffer.events.empty()) buffer.first = Clock::now();
    for (auto next = source.Next(); next.ok() && next->has_value(); next = source.Next()) buffer.events.push_back(**next);
    if (buffer.events.size() >= options.flush_events) Flush(sensor, buffer);
}

void IpfixListener::Impl::UdpLoop() {
    std::map<std::string, IpfixSource> sessions;  // per exporter address and port
    std::map<std::string, Buffer> buffers;
    std::vector<std::uint8_t> datagram(65535);
    while (!stopping) {
        if (WaitReadable(udp_fd, std::chrono::milliseconds(100))) {
            sockaddr_storage from{};
            socklen_t from_length = sizeof from;
            const auto n = ::recvfrom(udp_fd, datagram.data(), datagram.size(), 0,
                                      reinterpret_cast<sockaddr*>(&from), &from_length);
            if (n > 0) {
                const auto exporter = AddressText(from);
                const auto port = from.ss_family == AF_INET ? ntohs(reinterpret_cast<sockaddr_in&>(from).sin_port)
                                                            : ntohs(reinterpret_cast<sockaddr_in6&>(from).sin6_port);
                auto& session = sessions[exporter + "/" + std::to_string(port)];
                Accept(session, exporter, std::span(datagram.data(), static_cast<std::size_t>(n)), buffers);
            }
        }
        FlushDue(buffers, false);
    }
    FlushDue(buffers, true);
}

void IpfixListener::Impl::TcpConnection(int fd, std::string exporter) {
    IpfixSource session;
    std::map<std::string, Buffer> buffers;
    std::vector<std::uint8_t> message;
    std::vector<std::uint8_t> pending;  // bytes received, not yet a whole message
    std::vector<std::uint8_t> chunk(65536);
    bool open = true;
    while (open && !stopping) {
        if (WaitReadable(fd, std::chrono::milliseconds(100))) {
            const auto n = ::recv(fd, chunk.data(), chunk.size(), 0);
            if (n <= 0) {
                open = false;
            } else {
                pending.insert(pending.end(), chunk.begin(), chunk.begin() + n);
                std::size_t at = 0;
                while (pending.size() - at >= 4) {
                    auto length = IpfixMessageLength(std::span(pending).subspan(at, 4));
                    if (!length.ok()) {  // lost framing on a stream: nothing after this can be trusted
                        malformed++;
                        log.Warn("IPFIX stream out of sync; closing", {{"exporter", exporter},
                                                                        {"error", length.error().ToString()}});
                        open = false;
                        break;
                    }
                    if (pending.size() - at < *length) break;
                    Accept(session, exporter, std::span(pending).subspan(at, *length), buffers);
                    at += *length;
                }
                pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(at));
            }
        }
        FlushDue(buffers, false);
    }
    FlushDue(buffers, true);
    ::close(fd);
}

void IpfixListener::Impl::AcceptLoop() {
    while (!stopping) {
        if (!WaitReadable(tcp_fd, std::chrono::milliseconds(100))) continue;
        sockaddr_storage from{};
        socklen_t from_length = sizeof from;
        const int fd = ::accept4(tcp_fd, reinterpret_cast<sockaddr*>(&from), &from_length, SOCK_CLOEXEC);
        if (fd < 0) continue;
        std::lock_guard lock(connections_mutex);
        connection_threads.emplace_back([this, fd, exporter = AddressText(from)] { TcpConnection(fd, exporter); });
    }
}

IpfixListener::IpfixListener(IpfixOptions options, IngestSink& sink, SensorStatusBoard* status, core::Logger& log)
    : impl_(std::make_unique<Impl>(std::move(options), sink, status, log)) {}

IpfixListener::~IpfixListener() { Stop(); }

core::Status IpfixListener::Start() {
    auto& d = *impl_;
    if (d.options.udp_port >= 0) {
        KZ_ASSIGN(d.udp_fd, Bind(d.options.listen, d.options.udp_port, SOCK_DGRAM, "observe.ipfix_udp_port"));
        d.udp_port = BoundPort(d.udp_fd);
    }
    if (d.options.tcp_port >= 0) {
        auto fd = Bind(d.options.listen, d.options.tcp_port, SOCK_STREAM, "observe.ipfix_tcp_port");
        if (!fd.ok()) {
            if (d.udp_fd >= 0) ::close(d.udp_fd);
            d.udp_fd = -1;
            return fd.error();
        }
        d.tcp_fd = *fd;
        d.tcp_port = BoundPort(d.tcp_fd);
    }
    d.started = true;
    if (d.udp_fd >= 0) d.udp_thread = std::thread([&d] { d.UdpLoop(); });
    if (d.tcp_fd >= 0) d.accept_thread = std::thread([&d] { d.AcceptLoop(); });
    d.log.Info("IPFIX listening", {{"udp_port", d.udp_port}, {"tcp_port", d.tcp_port}});
    return core::Ok();
}

int IpfixListener::udp_port() const { return impl_->udp_port; }
int IpfixListener::tcp_port() const { return impl_->tcp_port; }

void IpfixListener::Stop() {
    auto& d = *impl_;
    if (!d.started || d.stopping.exchange(true)) return;
    if (d.udp_thread.joinable()) d.udp_thread.join();
    if (d.accept_thread.joinable()) d.accept_thread.join();
    std::list<std::thread> threads;
    {
        std::lock_guard lock(d.connections_mutex);
        threads.swap(d.connection_threads);
    }
    for (auto& thread : threads) thread.join();
    if (d.udp_fd >= 0) ::close(d.udp_fd);
    if (d.tcp_fd >= 0) ::close(d.tcp_fd);
}

IpfixListener::Counters IpfixListener::counters() const {
    return Counters{impl_->messages.load(), impl_->malformed.load(), impl_->events.load(), impl_->lost.load()};
}

}  // namespace kizuna::observe
