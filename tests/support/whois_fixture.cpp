#include "support/whois_fixture.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

namespace kizuna::testing {

WhoisFixtureServer::WhoisFixtureServer(std::map<std::string, std::string> answers, std::string fallback)
    : answers_(std::move(answers)), fallback_(std::move(fallback)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listen_fd_, 16) != 0)
        throw std::runtime_error("whois fixture: cannot listen");
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
}

WhoisFixtureServer::~WhoisFixtureServer() {
    stop_ = true;
    thread_.join();
    ::close(listen_fd_);
}

std::vector<std::string> WhoisFixtureServer::queries() const {
    std::lock_guard lock(mu_);
    return queries_;
}

void WhoisFixtureServer::Serve() {
    while (!stop_) {
        pollfd p{listen_fd_, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) continue;
        const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) continue;
        std::string line;
        char c = 0;
        while (line.size() < 1024 && ::recv(fd, &c, 1, 0) == 1 && c != '\n')
            if (c != '\r') line.push_back(c);
        {
            std::lock_guard lock(mu_);
            queries_.push_back(line);
        }
        auto it = answers_.find(line);
        const std::string& answer = it == answers_.end() ? fallback_ : it->second;
        std::size_t sent = 0;
        while (sent < answer.size()) {
            const ssize_t n = ::send(fd, answer.data() + sent, answer.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) break;
            sent += static_cast<std::size_t>(n);
        }
        ::close(fd);
    }
}

}  // namespace kizuna::testing
