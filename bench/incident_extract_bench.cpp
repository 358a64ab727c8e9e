// Indicator extraction (I3) throughput: `gen FILE MB` writes a mixed report log (iptables, pf, Windows
// firewall, web server lines, CSV, prose with URLs, e-mail addresses and defanged forms; most addresses
// distinct), `run FILE ROUNDS` extracts every indicator kind from it and prints the best round.
// bench/incident_extract.sh runs it against `grep -oE` with an IPv4 pattern on the same file.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <string>

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
    double best = 1e18;
    kizuna::incident::Extraction last;
    for (int r = 0; r < rounds; ++r) {
        const auto start = std::chrono::steady_clock::now();
        kizuna::incident::ExtractOptions options;
        options.default_year = 2026;
        last = kizuna::incident::Extract(text, options);
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (s < best) best = s;
    }
    std::cout << "kizuna_seconds " << best << "\n"
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

}  // namespace

int main(int argc, char** argv) {
    if (argc == 4 && std::string(argv[1]) == "gen") return Generate(argv[2], std::atol(argv[3]));
    if (argc == 4 && std::string(argv[1]) == "run") return Run(argv[2], std::atoi(argv[3]));
    std::cerr << "usage: incident_extract_bench gen FILE MB | run FILE ROUNDS\n";
    return 2;
}
