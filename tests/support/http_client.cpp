#include "support/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <optional>

namespace kizuna::testing {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

std::string Lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

}  // namespace

std::string HttpReply::Header(std::string_view name) const {
    auto it = headers.find(Lower(name));
    return it == headers.end() ? std::string() : it->second;
}

struct HttpClient::Impl {
    net::io_context io;
    std::optional<tcp::socket> socket;
    beast::flat_buffer buffer;

    // Runs the queued async operation until `done` or the timeout; on timeout closes the socket so the
    // operation completes with an error. Async + run_for because blocking socket calls cannot time out.
    template <typename Start>
    boost::system::error_code RunWithTimeout(std::chrono::milliseconds timeout, Start&& start) {
        boost::system::error_code result = net::error::would_block;
        bool done = false;
        io.restart();
        start([&](boost::system::error_code ec) {
            result = ec;
            done = true;
        });
        io.run_for(timeout);
        if (!done) {
            if (socket) {
                boost::system::error_code ignored;
                socket->close(ignored);
            }
            io.restart();
            io.run();
            result = net::error::timed_out;
        }
        return result;
    }

    boost::system::error_code Connect(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout) {
        buffer.clear();
        socket.emplace(io);
        boost::system::error_code ec;
        tcp::endpoint endpoint(net::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec), port);
        if (ec) return ec;
        ec = RunWithTimeout(timeout, [&](auto done) {
            socket->async_connect(endpoint, [done](boost::system::error_code connect_ec) mutable { done(connect_ec); });
        });
        if (!ec) socket->set_option(tcp::no_delay(true), ec);
        return ec;
    }
};

HttpClient::HttpClient(std::string host, std::uint16_t port)
    : impl_(std::make_unique<Impl>()), host_(std::move(host)), port_(port) {}

HttpClient::~HttpClient() { Close(); }

bool HttpClient::connected() const { return impl_->socket && impl_->socket->is_open(); }

void HttpClient::Close() {
    if (impl_->socket) {
        boost::system::error_code ignored;
        impl_->socket->shutdown(tcp::socket::shutdown_both, ignored);
        impl_->socket->close(ignored);
        impl_->socket.reset();
    }
}

HttpReply HttpClient::Request(std::string method, std::string target, std::string body,
                              std::vector<std::pair<std::string, std::string>> headers) {
    bhttp::request<bhttp::string_body> request;
    request.method_string(method);
    request.target(target);
    request.version(11);
    request.set(bhttp::field::host, host_ + ":" + std::to_string(port_));
    for (auto& [name, value] : headers) request.insert(name, value);
    request.body() = std::move(body);
    if (!request.body().empty() || method == "POST" || method == "PUT" || method == "PATCH") request.prepare_payload();

    HttpReply reply;
    for (int attempt = 0; attempt < 2; ++attempt) {
        bool reused = connected();
        if (!reused) {
            if (auto ec = impl_->Connect(host_, port_, timeout_)) {
                reply.error = "connect: " + ec.message();
                return reply;
            }
            ++connections_opened_;
        }
        auto ec = impl_->RunWithTimeout(timeout_, [&](auto done) {
            bhttp::async_write(*impl_->socket, request,
                               [done](boost::system::error_code write_ec, std::size_t) mutable { done(write_ec); });
        });
        bhttp::response_parser<bhttp::string_body> parser;
        parser.body_limit(64 * 1024 * 1024);
        parser.skip(method == "HEAD");
        if (!ec) {
            ec = impl_->RunWithTimeout(timeout_, [&](auto done) {
                bhttp::async_read(*impl_->socket, impl_->buffer, parser,
                                  [done](boost::system::error_code read_ec, std::size_t) mutable { done(read_ec); });
            });
        }
        if (ec) {
            Close();
            // A kept-alive connection the server closed meanwhile: try once more on a new one.
            if (reused && attempt == 0 && ec != net::error::timed_out) continue;
            reply.error = ec.message();
            return reply;
        }
        auto& response = parser.get();
        reply.status = static_cast<int>(response.result_int());
        for (const auto& field : response) {
            std::string name = Lower(std::string_view(field.name_string().data(), field.name_string().size()));
            std::string value(field.value().data(), field.value().size());
            auto [it, inserted] = reply.headers.emplace(name, value);
            if (!inserted) it->second += (name == "set-cookie" ? "\n" : ", ") + value;
        }
        reply.body = std::move(response.body());
        if (!response.keep_alive()) Close();
        return reply;
    }
    return reply;
}

std::string HttpClient::SendRaw(std::string_view bytes) {
    Close();
    std::string received;
    if (impl_->Connect(host_, port_, timeout_)) return received;
    ++connections_opened_;
    (void)impl_->RunWithTimeout(timeout_, [&](auto done) {
        net::async_write(*impl_->socket, net::buffer(bytes.data(), bytes.size()),
                         [done](boost::system::error_code ec, std::size_t) mutable { done(ec); });
    });
    if (impl_->socket && impl_->socket->is_open()) {
        (void)impl_->RunWithTimeout(timeout_, [&](auto done) {
            net::async_read(*impl_->socket, net::dynamic_buffer(received),
                            [done](boost::system::error_code ec, std::size_t) mutable { done(ec); });
        });
    }
    Close();
    return received;
}

bool HttpClient::WaitForServerClose(std::chrono::milliseconds timeout) {
    if (!connected()) return false;
    char byte = 0;
    auto ec = impl_->RunWithTimeout(timeout, [&](auto done) {
        impl_->socket->async_read_some(
            net::buffer(&byte, 1), [done](boost::system::error_code read_ec, std::size_t) mutable { done(read_ec); });
    });
    bool closed = ec && ec != net::error::timed_out;
    if (ec) Close();
    return closed;
}

}  // namespace kizuna::testing
