// Asking registries (MISSION.md I4): RFC 3912 whois over TCP, following referrals IANA → RIR → NIR
// (JPNIC, KRNIC), and reading each answer with ParseWhois. Server addresses are configuration: a name
// ("whois.apnic.net") maps to the host:port actually contacted, so tests answer from loopback servers and
// nothing reaches outside.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "incident/address.hpp"
#include "incident/whois.hpp"

namespace kizuna::incident {

// One question to one server; the answer's bytes. Implementations: TcpWhois (the network), fakes in tests.
class WhoisTransport {
  public:
    virtual ~WhoisTransport() = default;
    virtual core::Result<std::string> Query(std::string_view server, std::string_view query) = 0;
};

struct WhoisServers {
    std::string root = "whois.iana.org";
    // Server name → "host:port" to contact instead (port 43 when absent). Names not listed are contacted
    // as they are.
    std::map<std::string, std::string, std::less<>> addresses;
    std::chrono::milliseconds timeout{10000};
    std::size_t max_answer = 1 << 20;
};

// RFC 3912 over TCP: connect, send "query\r\n", read until the server closes (bounded in time and size).
class TcpWhois final : public WhoisTransport {
  public:
    explicit TcpWhois(WhoisServers servers) : servers_(std::move(servers)) {}
    core::Result<std::string> Query(std::string_view server, std::string_view query) override;

  private:
    WhoisServers servers_;
};

struct WhoisChainStep {
    std::string server;
    std::string query;
};

struct AddressAnswer {
    NetworkRecord record;                 // from the last server that knew the network
    std::vector<WhoisChainStep> chain;    // every server asked, in order
    std::string answered_by;              // the server whose answer `record` is
};

// Follows referrals from the root for an address (at most 4 servers). JPNIC is asked for English
// ("ADDRESS/e"); a NIR answer that names no contact falls back to the RIR's contacts.
core::Result<AddressAnswer> WhoisAddress(const IpAddress& ip, WhoisTransport& transport, std::string_view root);

struct DomainAnswer {
    std::vector<AbuseContact> contacts;  // registrar abuse contact first, then other addresses named
    std::string registrar;
    std::vector<WhoisChainStep> chain;
    std::string answered_by;
};

// A domain: the root names the TLD's server, which may name the registrar's.
core::Result<DomainAnswer> WhoisDomain(std::string_view domain, WhoisTransport& transport, std::string_view root);

}  // namespace kizuna::incident
