// FrameIo: reads and writes transport frames (observe/transport/protocol.hpp) on a blocking TLS stream. Shared by
// the collector and the sensor. Reading checks the header's length bound before allocating the body.
// Not thread-safe: one FrameIo per connection, used by one thread.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <cstdint>
#include <span>
#include <vector>

#include "core/result.hpp"
#include "observe/transport/protocol.hpp"

namespace kizuna::observe::transport {

using TlsStream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket>;

class FrameIo {
  public:
    explicit FrameIo(TlsStream& stream) : stream_(stream) {}

    // The next message. kUnavailable when the peer closed or the connection broke; kInvalidArgument or
    // kTooLarge for a malformed frame (the caller answers with an error frame and closes).
    core::Result<Message> Read();
    core::Status Write(const Message& message);
    // Writes an already encoded frame (a spooled batch).
    core::Status WriteRaw(std::span<const std::uint8_t> frame);

  private:
    TlsStream& stream_;
    std::vector<std::uint8_t> buffer_;
};

}  // namespace kizuna::observe::transport
