#include "incident/whois_client.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "incident/indicators.hpp"

namespace kizuna::incident {
namespace {

class Fd {
  public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }

  private:
    int fd_;
};

core::Error Unavailable(std::string_view server, std::string what) {
    return core::Error(core::ErrorCode::kUnavailable, "whois " + std::string(server) + ": " + what);
}

std::string Lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    return out;
}

// Waits for `events` on fd until the deadline; false on timeout or error.
bool WaitFor(int fd, short events, std::chrono::steady_clock::time_point deadline) {
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        pollfd p{fd, events, 0};
        const int rc = ::poll(&p, 1, static_cast<int>(left.count()));
        if (rc > 0) return true;
        if (rc == 0) return false;
        if (errno != EINTR) return false;
    }
}

// "refer:" of an IANA answer (or "whois:" for TLDs).
std::string ReferralOf(std::string_view answer) {
    std::size_t pos = 0;
    while (pos < answer.size()) {
        auto nl = answer.find('\n', pos);
        if (nl == std::string_view::npos) nl = answer.size();
        std::string_view line = answer.substr(pos, nl - pos);
        pos = nl + 1;
        for (std::string_view key : {"refer:", "whois:", "Registrar WHOIS Server:", "ReferralServer:"}) {
            if (line.size() > key.size() && Lower(line.substr(0, key.size())) == Lower(key)) {
                std::string_view v = line.substr(key.size());
                while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
                while (!v.empty() && (v.back() == '\r' || v.back() == ' ')) v.remove_suffix(1);
                if (auto scheme = v.find("://"); scheme != std::string_view::npos) v = v.substr(scheme + 3);
                if (!v.empty()) return Lower(v);
            }
        }
    }
    return {};
}

}  // namespace

core::Result<std::string> TcpWhois::Query(std::string_view server, std::string_view query) {
    if (query.find_first_of("\r\n") != std::string_view::npos || query.size() > 255)
        return core::InvalidArgument("not a single-line whois query", "query");
    std::string address(server);
    if (auto it = servers_.addresses.find(server); it != servers_.addresses.end()) address = it->second;
    std::string host = address, port = "43";
    if (auto colon = address.rfind(':'); colon != std::string::npos && address.find(':') == colon) {
        host = address.substr(0, colon);
        port = address.substr(colon + 1);
    }
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0)
        return Unavailable(server, std::string("cannot resolve: ") + ::gai_strerror(rc));
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses(found, ::freeaddrinfo);
    const auto deadline = std::chrono::steady_clock::now() + servers_.timeout;
    std::string last_error = "no address";
    for (addrinfo* ai = addresses.get(); ai != nullptr; ai = ai->ai_next) {
        Fd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol));
        if (fd.get() < 0) continue;
        if (::connect(fd.get(), ai->ai_addr, ai->ai_addrlen) != 0 && errno != EINPROGRESS) {
            last_error = std::strerror(errno);
            continue;
        }
        if (!WaitFor(fd.get(), POLLOUT, deadline)) return Unavailable(server, "connect timed out");
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) {
            last_error = std::strerror(err);
            continue;
        }
        const std::string line = std::string(query) + "\r\n";
        std::size_t sent = 0;
        while (sent < line.size()) {
            if (!WaitFor(fd.get(), POLLOUT, deadline)) return Unavailable(server, "send timed out");
            const ssize_t n = ::send(fd.get(), line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
            if (n < 0 && errno != EAGAIN && errno != EINTR) return Unavailable(server, std::strerror(errno));
            if (n > 0) sent += static_cast<std::size_t>(n);
        }
        std::string answer;
        char buffer[8192];
        for (;;) {
            if (!WaitFor(fd.get(), POLLIN, deadline)) return Unavailable(server, "answer timed out");
            const ssize_t n = ::recv(fd.get(), buffer, sizeof buffer, 0);
            if (n == 0) break;
            if (n < 0) {
                if (errno == EAGAIN || errno == EINTR) continue;
                return Unavailable(server, std::strerror(errno));
            }
            answer.append(buffer, static_cast<std::size_t>(n));
            if (answer.size() > servers_.max_answer) return core::Error(core::ErrorCode::kTooLarge, "whois answer too large");
        }
        return answer;
    }
    return Unavailable(server, "cannot connect: " + last_error);
}

core::Result<AddressAnswer> WhoisAddress(const IpAddress& ip, WhoisTransport& transport, std::string_view root) {
    AddressAnswer out;
    const std::string address = ip.ToString();
    std::string server(root);
    std::optional<NetworkRecord> best;
    for (int hop = 0; hop < 4 && !server.empty(); ++hop) {
        if (std::any_of(out.chain.begin(), out.chain.end(), [&](const WhoisChainStep& s) { return s.server == server; }))
            break;  // a referral loop
        const std::string query = server == "whois.nic.ad.jp" ? address + "/e" : address;
        out.chain.push_back(WhoisChainStep{server, query});
        KZ_ASSIGN(std::string answer, transport.Query(server, query));
        auto record = ParseWhois(answer, ip);
        if (!record.ok()) {
            // The root answers with a referral only; anything else without a network is a dead end.
            std::string next = ReferralOf(answer);
            if (next.empty() || next == server) {
                if (best) break;
                return record.error();
            }
            server = next;
            continue;
        }
        std::string next = record->referral;
        if (!best || !record->contacts.empty() || record->Covers(ip)) {
            // A NIR's answer without a contact keeps the RIR's contacts.
            if (best && record->contacts.empty()) record->contacts = best->contacts;
            best = std::move(*record);
            out.answered_by = server;
        }
        server = next == server ? "" : next;
    }
    if (!best) return core::NotFound("no registry knows " + address);
    out.record = std::move(*best);
    return out;
}

core::Result<DomainAnswer> WhoisDomain(std::string_view domain, WhoisTransport& transport, std::string_view root) {
    if (domain.empty() || domain.size() > 253 || domain.find_first_of(" \r\n/@") != std::string_view::npos)
        return core::InvalidArgument("not a domain name", "domain");
    DomainAnswer out;
    std::string server(root);
    const std::string name = Lower(domain);
    for (int hop = 0; hop < 3 && !server.empty(); ++hop) {
        if (std::any_of(out.chain.begin(), out.chain.end(), [&](const WhoisChainStep& s) { return s.server == server; }))
            break;
        out.chain.push_back(WhoisChainStep{server, name});
        KZ_ASSIGN(std::string answer, transport.Query(server, name));
        std::vector<AbuseContact> contacts;
        std::string registrar;
        std::size_t pos = 0;
        while (pos < answer.size()) {
            auto nl = answer.find('\n', pos);
            if (nl == std::string::npos) nl = answer.size();
            std::string_view line = std::string_view(answer).substr(pos, nl - pos);
            pos = nl + 1;
            const std::string lower = Lower(line);
            // "Key: value" (ICANN registries) or "[Key]  value" (JPRS).
            std::size_t split = std::string_view::npos;
            if (!line.empty() && line.front() == '[') split = line.find(']');
            if (split == std::string_view::npos) split = line.find(':');
            if (split == std::string_view::npos) continue;
            std::string_view value = line.substr(split + 1);
            if (lower.starts_with("registrar:") || lower.starts_with("[registrar]")) {
                while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
                registrar = std::string(value.substr(0, value.find('\r')));
            }
            const bool abuse = lower.find("abuse") != std::string::npos;
            const bool obsolete = lower.starts_with("notify:") || lower.starts_with("changed:");
            if (obsolete) continue;
            for (const auto& i : Extract(value).indicators)
                if (i.kind == IndicatorKind::kEmail &&
                    std::none_of(contacts.begin(), contacts.end(), [&](const AbuseContact& c) { return c.email == i.value; }))
                    contacts.push_back(AbuseContact{i.value, abuse ? "abuse" : "contact", "", ""});
        }
        std::stable_sort(contacts.begin(), contacts.end(), [](const AbuseContact& a, const AbuseContact& b) {
            return a.kind == "abuse" && b.kind != "abuse";
        });
        if (!contacts.empty()) {
            out.contacts = std::move(contacts);
            out.registrar = registrar;
            out.answered_by = server;
        }
        const std::string next = ReferralOf(answer);
        server = next == server ? "" : next;
    }
    if (out.contacts.empty()) return core::NotFound("no registry names a contact for " + name);
    return out;
}

}  // namespace kizuna::incident
