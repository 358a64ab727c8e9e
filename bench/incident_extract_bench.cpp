// Indicator extraction (I3) throughput: `gen FILE MB` writes a mixed report log (iptables, pf, Windows
// firewall, web server lines, CSV, prose with URLs, e-mail addresses and defanged forms; most addresses
// distinct), `run FILE ROUNDS` extracts every indicator kind from it and prints the best round.
// bench/incident_extract.sh runs it against `grep -oE` with an IPv4 pattern on the same file.
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <string>

#include "incident/contacts.hpp"
#include "incident/indicators.hpp"

namespace {

std::string Ip(std::mt19937_64& rng) {
    const auto v = rng();
    return std::to_string(1 + v % 223) + "." + std::to_string((v >> 8) & 255) + "." + std::to_string((v >> 16) & 255) +
           "." + std::to_string((v >> 24) & 255);
}

int Generate(const char* path, long megabytes) {
    std::ofstream out(path, std::ios::binary);
    std::mt19937_64 rng(42);
    const long target = megabytes * 1024 * 1024;
    long written = 0;
    static const int kPorts[] = {22, 23, 80, 443, 445, 1433, 3389, 5900, 8080, 37215};
    std::string line;
    while (written < target) {
        const auto pick = rng() % 8;
        const int port = kPorts[rng() % 10];
        const int sec = static_cast<int>(rng() % 60), min = static_cast<int>(rng() % 60);
        char ts[64];
        switch (pick) {
            case 0:
            case 1:
                std::snprintf(ts, sizeof ts, "Oct  %d 12:%02d:%02d", 1 + static_cast<int>(rng() % 9), min, sec);
                line = std::string(ts) + " gw kernel: [UFW BLOCK] IN=eth0 OUT= MAC=00:16:3e:aa:bb:cc SRC=" + Ip(rng) +
                       " DST=203.0.113." + std::to_string(rng() % 255) + " LEN=40 TOS=0x00 TTL=241 PROTO=TCP SPT=" +
                       std::to_string(1024 + rng() % 60000) + " DPT=" + std::to_string(port) + " WINDOW=1024 SYN\n";
                break;
            case 2:
                std::snprintf(ts, sizeof ts, "[01/Oct/2026:13:%02d:%02d +0900]", min, sec);
                line = Ip(rng) + " - - " + ts +
                       " \"GET /wp-login.php HTTP/1.1\" 404 512 \"-\" \"Mozilla/5.0 (compatible; scanner/1.0)\"\n";
                break;
            case 3:
                std::snprintf(ts, sizeof ts, "2026-10-01 14:%02d:%02d", min, sec);
                line = std::string(ts) + " DROP TCP " + Ip(rng) + " 198.51.100.20 " + std::to_string(1024 + rng() % 60000) +
                       " " + std::to_string(port) + " 52 S 0 0 0 - - - RECEIVE\n";
                break;
            case 4:
                line = "12:00:03.123456 rule 12/0(match): block in on em0: " + Ip(rng) + "." +
                       std::to_string(1024 + rng() % 60000) + " > 203.0.113.9." + std::to_string(port) +
                       ": Flags [S], seq 1, win 1024, length 0\n";
                break;
            case 5:
                line = "2026-10-01T05:" + std::to_string(10 + min % 50) + ":00Z," + Ip(rng) + "," +
                       std::to_string(port) + ",tcp,blocked\n";
                break;
            case 6:
                line = "Please stop the phishing site hxxps://login-bank" + std::to_string(rng() % 1000) +
                       "[.]example[.]com/secure/index.php?id=" + std::to_string(rng() % 100000) +
                       " hosted at " + Ip(rng) + "; contact abuse@hosting" + std::to_string(rng() % 500) + ".example.net\n";
                break;
            default:
                line = "The host " + Ip(rng) + " (see https://www.example.org/report/" + std::to_string(rng() % 99999) +
                       ") probed our network from 2026-10-01T03:00:00+09:00 on ports 22 and 23, per RFC 2119.\n";
                break;
        }
        out << line;
        written += static_cast<long>(line.size());
    }
    return 0;
}

int Run(const char* path, int rounds) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    std::string text(static_cast<std::size_t>(in.tellg()), '\0');
    in.seekg(0);
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    double best = 1e18, best_cpu = 1e18;
    kizuna::incident::Extraction last;
    for (int r = 0; r < rounds; ++r) {
        const auto start = std::chrono::steady_clock::now();
        const std::clock_t cpu_start = std::clock();
        kizuna::incident::ExtractOptions options;
        options.default_year = 2026;
        last = kizuna::incident::Extract(text, options);
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (s < best) best = s;
        const double cpu = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
        if (cpu < best_cpu) best_cpu = cpu;
    }
    std::cout << "kizuna_seconds " << best << "\n"
              << "kizuna_cpu_seconds " << best_cpu << "\n"
              << "bytes " << text.size() << "\n"
              << "lines " << last.lines << "\n"
              << "ipv4 " << last.CountOf(kizuna::incident::IndicatorKind::kIpv4) << "\n"
              << "urls " << last.CountOf(kizuna::incident::IndicatorKind::kUrl) << "\n"
              << "domains " << last.CountOf(kizuna::incident::IndicatorKind::kDomain) << "\n"
              << "emails " << last.CountOf(kizuna::incident::IndicatorKind::kEmail) << "\n"
              << "ports " << last.CountOf(kizuna::incident::IndicatorKind::kPort) << "\n"
              << "timestamps " << last.timestamps << "\n";
    return 0;
}

// A report listing `addresses` source addresses against a constituency table of `prefixes` prefixes plus
// 20,000 cached registry ranges: extraction and grouping into per-party drafts (goal: under 1 s).
int Group(long prefixes, long addresses) {
    using namespace kizuna::incident;
    std::mt19937_64 rng(7);
    ContactDirectory directory;
    const auto now = kizuna::core::FromUnixMicros(1'790'000'000'000'000);
    const auto build_start = std::chrono::steady_clock::now();
    for (long i = 0; i < prefixes; ++i) {
        const auto v = rng();
        const int length = 16 + static_cast<int>(v % 9);
        const std::string text = std::to_string(1 + (v >> 8) % 223) + "." + std::to_string((v >> 16) & 255) + "." +
                                 std::to_string((v >> 24) & 255) + ".0/" + std::to_string(length);
        Party party;
        party.key = "org:" + std::to_string(i % 50000);
        party.emails = {"abuse@org" + std::to_string(i % 50000) + ".example.jp"};
        if (auto prefix = ParsePrefix(text)) directory.AddConstituency(*prefix, std::move(party));
    }
    for (int i = 0; i < 20000; ++i) {
        NetworkRecord r;
        const auto v = rng();
        const std::string base = std::to_string(1 + (v >> 8) % 223) + "." + std::to_string((v >> 16) & 255) + ".";
        r.first = ParseIp(base + "0.0");
        r.last = ParseIp(base + "255.255");
        r.country = "JP";
        r.contacts.push_back(AbuseContact{"abuse@isp" + std::to_string(i) + ".example.net", "abuse", "", ""});
        directory.AddRegistryAnswer(r, ContactSource::kWhois, now + std::chrono::hours(24));
    }
    const double build = std::chrono::duration<double>(std::chrono::steady_clock::now() - build_start).count();
    std::string report;
    for (long i = 0; i < addresses; ++i)
        report += "Oct  1 12:00:01 gw kernel: SRC=" + Ip(rng) + " DST=203.0.113.9 PROTO=TCP SPT=40000 DPT=23\n";
    const auto start = std::chrono::steady_clock::now();
    const std::clock_t cpu_start = std::clock();
    ExtractOptions options;
    options.default_year = 2026;
    auto extraction = Extract(report, options);
    auto grouping = GroupByParty(extraction, directory, now);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double cpu = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
    std::size_t grouped = 0;
    for (const auto& g : grouping.groups) grouped += g.addresses.size();
    std::cout << "directory_build_seconds " << build << "\n"
              << "prefixes " << prefixes << "\n"
              << "report_addresses " << addresses << "\n"
              << "parties " << grouping.groups.size() << "\n"
              << "grouped_addresses " << grouped << "\n"
              << "unresolved " << grouping.unresolved.size() << "\n"
              << "extract_and_group_seconds " << seconds << " (goal < 1)\n"
              << "extract_and_group_cpu_seconds " << cpu << "\n";
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 4 && std::string(argv[1]) == "group") return Group(std::atol(argv[2]), std::atol(argv[3]));
    if (argc == 4 && std::string(argv[1]) == "gen") return Generate(argv[2], std::atol(argv[3]));
    if (argc == 4 && std::string(argv[1]) == "run") return Run(argv[2], std::atoi(argv[3]));
    std::cerr << "usage: incident_extract_bench gen FILE MB | run FILE ROUNDS | group PREFIXES ADDRESSES\n";
    return 2;
}
