// kizuna incident resolve ADDRESS|DOMAIN (MISSION I4): who is responsible for an address or a domain, and
// which source said so. Registry servers are asked over whois (RFC 3912), following referrals from the root
// (IANA) to the RIR and the NIR; --whois-server NAME=HOST:PORT points a server name elsewhere (tests use
// loopback servers). A thin edge over incident::WhoisAddress / WhoisDomain.
#include "commands_incident.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

#include "incident/incident.hpp"

namespace kizuna::app {
namespace {

struct IncidentFlags {
    std::string target;
    std::string root = "whois.iana.org";
    std::vector<std::string> servers;
    std::string format = "table";
    int timeout_seconds = 10;
    CLI::App* resolve = nullptr;
};

IncidentFlags& Flags() {
    static IncidentFlags flags;
    return flags;
}

std::string Chain(const std::vector<incident::WhoisChainStep>& chain) {
    std::string out;
    for (const auto& step : chain) out += (out.empty() ? "" : " -> ") + step.server;
    return out;
}

int RunResolve(const IncidentFlags& f) {
    incident::WhoisServers servers;
    servers.root = f.root;
    servers.timeout = std::chrono::seconds(f.timeout_seconds);
    for (const auto& mapping : f.servers) {
        const auto eq = mapping.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == mapping.size()) {
            PrintError("--whois-server: expected NAME=HOST:PORT, got \"" + mapping + "\"");
            return kExitUsage;
        }
        servers.addresses[mapping.substr(0, eq)] = mapping.substr(eq + 1);
    }
    incident::TcpWhois transport(servers);
    nlohmann::json out;
    out["target"] = f.target;
    if (auto ip = incident::ParseIp(f.target)) {
        out["kind"] = ip->v6 ? "ipv6" : "ipv4";
        out["scope"] = std::string(incident::Name(ip->Scope()));
        if (ip->Scope() != incident::AddressScope::kPublic) {
            if (f.format == "json") {
                out["contacts"] = nlohmann::json::array();
                std::cout << out.dump(2) << "\n";
            } else {
                std::cout << f.target << ": " << incident::Name(ip->Scope())
                          << " address — not notified, nobody to resolve\n";
            }
            return 0;
        }
        auto answer = incident::WhoisAddress(*ip, transport, servers.root);
        if (!answer.ok()) {
            PrintError(answer.error().message());
            return kExitFailure;
        }
        const auto& r = answer->record;
        out["network"] = {{"first", r.first ? r.first->ToString() : ""}, {"last", r.last ? r.last->ToString() : ""},
                          {"registry", r.registry}, {"name", r.network_name}, {"organization", r.organization},
                          {"country", r.country}};
        out["contacts"] = nlohmann::json::array();
        for (const auto& c : r.contacts)
            out["contacts"].push_back({{"email", c.email}, {"role", c.kind}, {"handle", c.handle}, {"source", "whois"},
                                       {"server", answer->answered_by}});
        out["asked"] = nlohmann::json::array();
        for (const auto& step : answer->chain) out["asked"].push_back({{"server", step.server}, {"query", step.query}});
        if (f.format == "json") {
            std::cout << out.dump(2) << "\n";
            return 0;
        }
        std::cout << f.target << "\n";
        std::cout << "  network   " << out["network"]["first"].get<std::string>() << " - "
                  << out["network"]["last"].get<std::string>() << "  " << r.network_name << "  " << r.organization
                  << (r.country.empty() ? "" : "  (" + r.country + ")") << "\n";
        for (const auto& c : r.contacts)
            std::cout << "  contact   " << c.email << "  [" << c.kind << "]  source: whois " << answer->answered_by << "\n";
        if (r.contacts.empty()) std::cout << "  contact   (none named by the registry)\n";
        std::cout << "  asked     " << Chain(answer->chain) << "\n";
        return 0;
    }
    auto answer = incident::WhoisDomain(f.target, transport, servers.root);
    if (!answer.ok()) {
        PrintError(answer.error().message());
        return answer.error().code() == core::ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
    }
    out["kind"] = "domain";
    out["registrar"] = answer->registrar;
    out["contacts"] = nlohmann::json::array();
    for (const auto& c : answer->contacts)
        out["contacts"].push_back({{"email", c.email}, {"role", c.kind}, {"source", "whois"}, {"server", answer->answered_by}});
    if (f.format == "json") {
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    std::cout << f.target << (answer->registrar.empty() ? "" : "  registrar: " + answer->registrar) << "\n";
    for (const auto& c : answer->contacts)
        std::cout << "  contact   " << c.email << "  [" << c.kind << "]  source: whois " << answer->answered_by << "\n";
    std::cout << "  asked     " << Chain(answer->chain) << "\n";
    return 0;
}

}  // namespace

void RegisterIncidentCommands(CLI::App& app, GlobalOptions& global) {
    (void)global;  // resolve needs no data directory yet (the constituency table comes with the incident store)
    IncidentFlags& f = Flags();
    CLI::App* incident = app.add_subcommand("incident", "incident handling");
    incident->require_subcommand(1);
    f.resolve = incident->add_subcommand("resolve", "who is responsible for an address or a domain, and which source says so");
    f.resolve->add_option("target", f.target, "IPv4/IPv6 address or domain name")->required();
    f.resolve->add_option("--root", f.root, "first whois server to ask (default whois.iana.org)");
    f.resolve->add_option("--whois-server", f.servers, "NAME=HOST:PORT: contact HOST:PORT for server NAME (repeatable)");
    f.resolve->add_option("--format", f.format, "table or json (default table)")->check(CLI::IsMember({"table", "json"}));
    f.resolve->add_option("--timeout", f.timeout_seconds, "seconds per server (default 10)")->check(CLI::Range(1, 120));
}

std::optional<int> RunIncidentCommand() {
    IncidentFlags& f = Flags();
    if (f.resolve != nullptr && f.resolve->parsed()) return RunResolve(f);
    return std::nullopt;
}

}  // namespace kizuna::app
