// LMTP (RFC 2033) and SMTP (RFC 5321 subset) listeners on loopback so that Postfix or Exim can hand mail to
// Kizuna. A message is acknowledged (250, for LMTP once per accepted recipient) only after
// InboundService::Accept committed it; a store failure answers 451 so the MTA keeps it and retries.
// Messages over max_accept_bytes are refused with 552 (the MTA bounces them to the sender: nothing silently
// lost); smaller ones over the parse limit are stored and quarantined.
//
// Blocking Boost.Asio sockets, one thread per connection (at most kMaxConnections): the peers are local
// MTAs with a handful of connections, and blocking code is easy to follow. Every read waits at most
// idle_timeout for the peer.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/log.hpp"
#include "core/result.hpp"
#include "mail/inbound.hpp"

namespace kizuna::mail {

enum class ListenerProtocol { kLmtp, kSmtp };

struct ListenerOptions {
    std::string listen = "127.0.0.1";
    int port = 0;  // 0: any free port (see port())
    ListenerProtocol protocol = ListenerProtocol::kLmtp;
    std::int64_t max_accept_bytes = 100 * 1024 * 1024;
    std::string hostname = "kizuna";  // in the greeting
    // A client that sends nothing for this long gets "421 4.4.2" and is disconnected, so idle or stuck
    // peers cannot hold the connection slots (RFC 5321 4.5.3.2 asks servers to wait at least 5 minutes).
    std::chrono::milliseconds idle_timeout{std::chrono::minutes(5)};
};

class MailListener {
  public:
    static constexpr int kMaxConnections = 32;
    static constexpr int kMaxRecipients = 100;
    static constexpr std::size_t kMaxCommandLine = 4096;

    MailListener(InboundService& inbound, core::Logger& log, ListenerOptions options);
    ~MailListener();  // Stop()
    MailListener(const MailListener&) = delete;
    MailListener& operator=(const MailListener&) = delete;

    // Binds and starts accepting in a background thread. invalid_argument for a bad address, unavailable
    // when the port is taken.
    core::Status Start();
    // Stops accepting, closes every connection and joins the threads.
    void Stop();
    int port() const { return port_; }

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    int port_ = 0;
};

}  // namespace kizuna::mail
