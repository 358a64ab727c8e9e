#include "observe/transport/internal/transport_io.hpp"

#include <array>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

namespace kizuna::observe::transport {

namespace net = boost::asio;

core::Result<Message> FrameIo::Read() {
    std::array<std::uint8_t, kHeaderSize> header{};
    boost::system::error_code ec;
    net::read(stream_, net::buffer(header), ec);
    if (ec) return core::Error(core::ErrorCode::kUnavailable, "connection closed: " + ec.message());
    KZ_ASSIGN(auto parsed, ParseHeader(header));
    buffer_.resize(parsed.body_length);
    net::read(stream_, net::buffer(buffer_), ec);
    if (ec) return core::Error(core::ErrorCode::kUnavailable, "connection closed mid-frame: " + ec.message());
    return ParseBody(parsed.type, buffer_);
}

core::Status FrameIo::Write(const Message& message) {
    std::vector<std::uint8_t> frame;
    Encode(message, frame);
    return WriteRaw(frame);
}

core::Status FrameIo::WriteRaw(std::span<const std::uint8_t> frame) {
    boost::system::error_code ec;
    net::write(stream_, net::buffer(frame.data(), frame.size()), ec);
    if (ec) return core::Error(core::ErrorCode::kUnavailable, "connection closed: " + ec.message());
    return core::Ok();
}

}  // namespace kizuna::observe::transport
