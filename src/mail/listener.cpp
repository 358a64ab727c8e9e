// MailListener: the SMTP/LMTP dialogue. The session reads with Boost.Asio blocking calls; all limits are
// checked before data is kept.
#include "mail/listener.hpp"

#include <boost/asio/buffers_iterator.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <istream>
#include <vector>

namespace kizuna::mail {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

std::string Upper(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

// "<addr>" out of "FROM:<addr> SIZE=123"; "" for the null sender "<>".
std::string PathArgument(std::string_view arg) {
    const auto open = arg.find('<');
    const auto close = arg.find('>', open == std::string_view::npos ? 0 : open);
    if (open == std::string_view::npos || close == std::string_view::npos) {
        const auto colon = arg.find(':');
        std::string_view rest = colon == std::string_view::npos ? arg : arg.substr(colon + 1);
        while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
        return std::string(rest.substr(0, rest.find(' ')));
    }
    return std::string(arg.substr(open + 1, close - open - 1));
}

}  // namespace

struct MailListener::Impl {
    InboundService& inbound;
    core::Logger& log;
    ListenerOptions options;
    asio::io_context io;
    tcp::acceptor acceptor{io};
    std::thread accept_thread;
    std::mutex mu;
    struct Conn {
        std::shared_ptr<tcp::socket> socket;
        std::thread thread;
        std::shared_ptr<std::atomic<bool>> done;
    };
    std::list<Conn> conns;
    std::atomic<bool> stopping{false};

    Impl(InboundService& i, core::Logger& l, ListenerOptions o) : inbound(i), log(l), options(std::move(o)) {}

    void Reap() {
        for (auto it = conns.begin(); it != conns.end();) {
            if (it->done->load()) {
                if (it->thread.joinable()) it->thread.join();
                it = conns.erase(it);
            } else {
                ++it;
            }
        }
    }

    void AcceptLoop() {
        while (!stopping) {
            auto socket = std::make_shared<tcp::socket>(io);
            boost::system::error_code ec;
            acceptor.accept(*socket, ec);
            if (ec) {
                if (stopping) return;
                continue;
            }
            std::lock_guard lock(mu);
            Reap();
            if (static_cast<int>(conns.size()) >= kMaxConnections) {
                const std::string busy = "421 4.3.2 too many connections, try again later\r\n";
                asio::write(*socket, asio::buffer(busy), ec);
                socket->close(ec);
                continue;
            }
            auto done = std::make_shared<std::atomic<bool>>(false);
            conns.push_back({socket, std::thread([this, socket, done] {
                                 Session(*socket);
                                 boost::system::error_code ignored;
                                 socket->close(ignored);
                                 done->store(true);
                             }),
                             done});
        }
    }

    void Session(tcp::socket& socket) {
        const bool lmtp = options.protocol == ListenerProtocol::kLmtp;
        boost::system::error_code ec;
        // Bounded: a line without an end (hostile or broken client) fails the read instead of growing memory.
        asio::streambuf buffer(2 * 1024 * 1024);
        auto send = [&](const std::string& line) { asio::write(socket, asio::buffer(line), ec); return !ec; };
        bool timed_out = false;
        // One line without its CRLF; false at EOF, error, idle timeout or an over-long line.
        auto read_line = [&](std::string& line, std::size_t max) {
            for (;;) {
                const auto data = buffer.data();
                const auto begin = asio::buffers_begin(data), end = asio::buffers_end(data);
                const auto newline = std::find(begin, end, '\n');
                if (newline != end) {
                    const auto n = static_cast<std::size_t>(newline - begin) + 1;
                    if (n > max) return false;
                    line.assign(begin, newline + 1);
                    buffer.consume(n);
                    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
                    return true;
                }
                if (buffer.size() > max || buffer.size() >= buffer.max_size()) return false;
                pollfd ready{socket.native_handle(), POLLIN, 0};
                const int polled = ::poll(&ready, 1, static_cast<int>(options.idle_timeout.count()));
                if (polled == 0) {
                    timed_out = true;
                    return false;
                }
                if (polled < 0 && errno != EINTR) return false;
                if (polled < 0) continue;
                const std::size_t room = std::min<std::size_t>(64 * 1024, buffer.max_size() - buffer.size());
                const std::size_t got = socket.read_some(buffer.prepare(room), ec);
                if (ec) return false;
                buffer.commit(got);
            }
        };
        auto lost = [&] {
            if (timed_out) send("421 4.4.2 " + options.hostname + " idle timeout, closing connection\r\n");
            else if (!ec) send("500 5.5.2 line too long\r\n");
        };
        if (!send("220 " + options.hostname + (lmtp ? " Kizuna LMTP ready\r\n" : " Kizuna ESMTP ready\r\n"))) return;
        std::string mail_from;
        bool have_from = false;
        std::vector<std::string> rcpts;
        bool greeted = false;
        std::string line;
        while (!stopping) {
            if (!read_line(line, kMaxCommandLine)) {
                lost();
                return;
            }
            const std::string verb = Upper(line.substr(0, line.find(' ')));
            const std::string arg = line.find(' ') == std::string::npos ? std::string() : line.substr(line.find(' ') + 1);
            if (verb == "LHLO" || verb == "EHLO" || verb == "HELO") {
                if ((verb == "LHLO") != lmtp) {
                    send(lmtp ? "500 5.5.1 this is LMTP: use LHLO\r\n" : "500 5.5.1 this is SMTP: use EHLO\r\n");
                    continue;
                }
                greeted = true;
                mail_from.clear();
                have_from = false;
                rcpts.clear();
                if (verb == "HELO") {
                    send("250 " + options.hostname + "\r\n");
                } else {
                    send("250-" + options.hostname + "\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-ENHANCEDSTATUSCODES\r\n"
                         "250 SIZE " + std::to_string(options.max_accept_bytes) + "\r\n");
                }
            } else if (verb == "MAIL") {
                if (!greeted) { send("503 5.5.1 say hello first\r\n"); continue; }
                if (Upper(arg).rfind("FROM:", 0) != 0) { send("501 5.5.4 syntax: MAIL FROM:<address>\r\n"); continue; }
                const auto size_at = Upper(arg).find("SIZE=");
                if (size_at != std::string::npos &&
                    std::strtoll(arg.c_str() + size_at + 5, nullptr, 10) > options.max_accept_bytes) {
                    send("552 5.3.4 message size exceeds the limit of " + std::to_string(options.max_accept_bytes) + "\r\n");
                    continue;
                }
                mail_from = PathArgument(arg);
                have_from = true;
                rcpts.clear();
                send("250 2.1.0 OK\r\n");
            } else if (verb == "RCPT") {
                if (!have_from) { send("503 5.5.1 MAIL first\r\n"); continue; }
                if (Upper(arg).rfind("TO:", 0) != 0) { send("501 5.5.4 syntax: RCPT TO:<address>\r\n"); continue; }
                if (static_cast<int>(rcpts.size()) >= kMaxRecipients) { send("452 4.5.3 too many recipients\r\n"); continue; }
                rcpts.push_back(PathArgument(arg));
                send("250 2.1.5 OK\r\n");
            } else if (verb == "DATA") {
                if (rcpts.empty()) { send("503 5.5.1 RCPT first\r\n"); continue; }
                if (!send("354 end data with <CR><LF>.<CR><LF>\r\n")) return;
                std::string data;
                bool too_big = false;
                for (;;) {
                    if (!read_line(line, 1024 * 1024)) {  // connection lost mid-message: nothing acknowledged
                        if (timed_out) lost();
                        return;
                    }
                    if (line == ".") break;
                    if (!line.empty() && line.front() == '.') line.erase(0, 1);  // dot-unstuffing
                    if (too_big) continue;
                    if (static_cast<std::int64_t>(data.size() + line.size() + 2) > options.max_accept_bytes) {
                        too_big = true;
                        data.clear();
                        data.shrink_to_fit();
                        continue;
                    }
                    data += line;
                    data += "\r\n";
                }
                std::string reply;
                if (too_big) {
                    reply = "552 5.3.4 message size exceeds the limit of " + std::to_string(options.max_accept_bytes) + "\r\n";
                } else {
                    std::string to;
                    for (const auto& r : rcpts) to += (to.empty() ? "" : ", ") + r;
                    auto accepted = inbound.Accept(data, lmtp ? "lmtp" : "smtp", mail_from, to);
                    if (!accepted.ok()) {
                        log.Error("inbound mail not stored", {{"error", accepted.error().ToString()}});
                        reply = "451 4.3.0 temporary failure storing the message, try again\r\n";
                    } else {
                        if (!accepted->duplicate) {
                            auto processed = inbound.Process(accepted->id);
                            if (!processed.ok())
                                log.Error("inbound mail stored, processing deferred",
                                          {{"id", accepted->id}, {"error", processed.error().ToString()}});
                        }
                        reply = "250 2.0.0 " + std::string(accepted->duplicate ? "duplicate of " : "stored as ") +
                                std::to_string(accepted->id) + "\r\n";
                    }
                }
                // LMTP: one reply per recipient (RFC 2033 4.2); all share the one stored copy.
                std::string replies;
                for (std::size_t i = 0; i < (lmtp ? rcpts.size() : 1); ++i) replies += reply;
                if (!send(replies)) return;
                have_from = false;
                rcpts.clear();
            } else if (verb == "RSET") {
                have_from = false;
                rcpts.clear();
                send("250 2.0.0 OK\r\n");
            } else if (verb == "NOOP") {
                send("250 2.0.0 OK\r\n");
            } else if (verb == "VRFY") {
                send("252 2.5.2 cannot verify\r\n");
            } else if (verb == "QUIT") {
                send("221 2.0.0 bye\r\n");
                return;
            } else {
                send("500 5.5.2 unknown command\r\n");
            }
            if (ec) return;
        }
    }
};

MailListener::MailListener(InboundService& inbound, core::Logger& log, ListenerOptions options)
    : impl_(std::make_unique<Impl>(inbound, log, std::move(options))) {}

MailListener::~MailListener() { Stop(); }

core::Status MailListener::Start() {
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(impl_->options.listen, ec);
    if (ec) return core::InvalidArgument("not an IP address: " + impl_->options.listen, "mail.listen");
    const tcp::endpoint endpoint(address, static_cast<unsigned short>(impl_->options.port));
    impl_->acceptor.open(endpoint.protocol(), ec);
    if (!ec) impl_->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) impl_->acceptor.bind(endpoint, ec);
    if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
        return core::Error(core::ErrorCode::kUnavailable,
                           "listen on " + impl_->options.listen + ":" + std::to_string(impl_->options.port) + ": " +
                               ec.message());
    port_ = impl_->acceptor.local_endpoint().port();
    impl_->accept_thread = std::thread([this] { impl_->AcceptLoop(); });
    return core::Ok();
}

void MailListener::Stop() {
    if (!impl_ || impl_->stopping.exchange(true)) return;
    boost::system::error_code ec;
    // Closing from another thread does not wake a blocking accept on Linux; shutdown does.
    ::shutdown(impl_->acceptor.native_handle(), SHUT_RDWR);
    if (impl_->accept_thread.joinable()) impl_->accept_thread.join();
    impl_->acceptor.close(ec);
    std::lock_guard lock(impl_->mu);
    for (auto& c : impl_->conns) c.socket->shutdown(tcp::socket::shutdown_both, ec);
    for (auto& c : impl_->conns)
        if (c.thread.joinable()) c.thread.join();
    impl_->conns.clear();
}

}  // namespace kizuna::mail
