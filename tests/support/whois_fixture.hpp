// Whois (RFC 3912) servers on loopback for tests: each answers queries from a table and records what it
// was asked. Used so that no test reaches a real registry (issue 15, I4).
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace kizuna::testing {

class WhoisFixtureServer {
  public:
    // `answers`: query line (without CRLF) → answer bytes; unknown queries get `fallback`.
    explicit WhoisFixtureServer(std::map<std::string, std::string> answers,
                                std::string fallback = "% No match for this query\n");
    ~WhoisFixtureServer();
    WhoisFixtureServer(const WhoisFixtureServer&) = delete;
    WhoisFixtureServer& operator=(const WhoisFixtureServer&) = delete;

    int port() const { return port_; }
    std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
    std::vector<std::string> queries() const;

  private:
    void Serve();
    std::map<std::string, std::string> answers_;
    std::string fallback_;
    int listen_fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    mutable std::mutex mu_;
    std::vector<std::string> queries_;
    std::thread thread_;
};

}  // namespace kizuna::testing
