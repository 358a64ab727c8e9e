#include "http/internal/session.hpp"

#include <array>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <exception>
#include <optional>
#include <string>
#include <type_traits>

#include "http/error_mapping.hpp"
#include "http/internal/percent.hpp"
#include "http/internal/wire.hpp"

namespace kizuna::http::detail {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

std::uint64_t ServerCore::Register(std::weak_ptr<Session> session) {
    std::lock_guard lock(mu_);
    std::uint64_t id = next_id_++;
    sessions_.emplace(id, std::move(session));
    return id;
}

void ServerCore::Unregister(std::uint64_t id) {
    std::function<void()> on_drained;
    {
        std::lock_guard lock(mu_);
        sessions_.erase(id);
        if (sessions_.empty() && stopping()) on_drained = on_drained_;
    }
    if (on_drained) on_drained();
}

std::vector<std::shared_ptr<Session>> ServerCore::LiveSessions() {
    std::vector<std::shared_ptr<Session>> live;
    std::lock_guard lock(mu_);
    live.reserve(sessions_.size());
    for (auto& [id, weak] : sessions_) {
        if (auto session = weak.lock()) live.push_back(std::move(session));
    }
    return live;
}

void ServerCore::SetOnDrained(std::function<void()> on_drained) {
    std::lock_guard lock(mu_);
    on_drained_ = std::move(on_drained);
}

namespace {

// After an error response, keep reading (and discarding) for a while before closing: closing a socket with
// unread input makes the kernel send RST, which can destroy the response before the client reads it.
constexpr std::size_t kLingerMaxBytes = 1024 * 1024;
constexpr std::chrono::seconds kLingerTimeout{2};
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

// Boost 1.74's beast::string_view is boost::string_view, which does not convert to std::string_view.
std::string_view Sv(beast::string_view text) { return std::string_view(text.data(), text.size()); }

const std::error_category& HttpErrorCategory() {
    static const std::error_category& category = bhttp::make_error_code(bhttp::error::bad_method).category();
    return category;
}

using Clock = std::chrono::steady_clock;
using Timer = net::basic_waitable_timer<Clock, net::wait_traits<Clock>, net::io_context::executor_type>;

// Stream is Socket (plain HTTP) or beast::ssl_stream<Socket>.
template <typename Stream>
class HttpSession final : public Session {
    static constexpr bool kTls = !std::is_same_v<Stream, Socket>;

  public:
    template <typename... Args>
    HttpSession(ServerCore& core, std::string remote_ip, Args&&... stream_args)
        : core_(core),
          stream_(std::forward<Args>(stream_args)...),
          timer_(Lowest(stream_).get_executor()),
          remote_ip_(std::move(remote_ip)) {
        core_.metrics().ConnectionOpened();
    }

    ~HttpSession() override {
        core_.metrics().ConnectionClosed();
        if (id_ != 0) core_.Unregister(id_);
    }

    void Start() override {
        id_ = core_.Register(weak_from_this());
        net::dispatch(Lowest(stream_).get_executor(), [self = Self()] { self->Begin(); });
    }

    void BeginShutdown() override {
        net::post(Lowest(stream_).get_executor(), [self = Self()] {
            self->shutdown_requested_ = true;
            beast::error_code ignored;
            if (self->waiting_idle_) Lowest(self->stream_).cancel(ignored);
        });
    }

    void ForceClose() override {
        net::post(Lowest(stream_).get_executor(), [self = Self()] { self->Close(); });
    }

  private:
    std::shared_ptr<HttpSession> Self() { return std::static_pointer_cast<HttpSession>(shared_from_this()); }
    static Socket& Lowest(Stream& stream) { return beast::get_lowest_layer(stream); }

    // Idle/IO timeout without a timer operation per read or write: one timer per connection wakes at the
    // deadline, and only closes the connection if the deadline has not moved on meanwhile.
    void SetDeadline(Clock::duration timeout) {
        deadline_ = Clock::now() + timeout;
        if (!timer_running_) {
            StartTimer();
        } else if (deadline_ < timer_.expiry()) {
            timer_.cancel();  // OnTimer re-arms for the earlier deadline
        }
    }

    void StartTimer() {
        timer_running_ = true;
        timer_.expires_at(deadline_);
        timer_.async_wait([self = Self()](beast::error_code ec) { self->OnTimer(ec); });
    }

    void OnTimer(beast::error_code ec) {
        timer_running_ = false;
        if (closed_) return;
        if (ec != net::error::operation_aborted && Clock::now() >= deadline_) {
            Close();
            return;
        }
        StartTimer();
    }
    const ServerOptions& options() const { return core_.options(); }

    void Begin() {
        if constexpr (kTls) {
            waiting_idle_ = true;
            SetDeadline(options().idle_timeout);
            stream_.async_handshake(net::ssl::stream_base::server,
                                    beast::bind_front_handler(&HttpSession::OnHandshake, Self()));
        } else {
            ReadHeader();
        }
    }

    void OnHandshake(beast::error_code ec) {
        waiting_idle_ = false;
        if (ec) {
            if (core_.logger().Enabled(core::LogLevel::kDebug)) {
                core_.logger().Debug("tls handshake failed", {{"remote", remote_ip_}, {"error", ec.message()}});
            }
            Close();
            return;
        }
        ReadHeader();
    }

    void ReadHeader() {
        if (shutdown_requested_ || core_.stopping()) {
            Close();
            return;
        }
        parser_.emplace();
        parser_->header_limit(static_cast<std::uint32_t>(
            std::min<std::size_t>(options().max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
        parser_->body_limit(options().max_body_bytes);
        waiting_idle_ = buffer_.size() == 0;
        SetDeadline(options().idle_timeout);
        bhttp::async_read_header(stream_, buffer_, *parser_,
                                 beast::bind_front_handler(&HttpSession::OnReadHeader, Self()));
    }

    void OnReadHeader(beast::error_code ec, std::size_t /*bytes*/) {
        waiting_idle_ = false;
        if (ec) {
            OnReadError(ec);
            return;
        }
        if (parser_->is_done()) {
            HandleRequest();
            return;
        }
        const auto& header = parser_->get();
        auto expect = header.find(bhttp::field::expect);
        if (expect != header.end() && header.version() >= 11 && EqualsIgnoreCase(Sv(expect->value()), "100-continue")) {
            SetDeadline(options().idle_timeout);
            net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                             [self = Self()](beast::error_code write_ec, std::size_t) {
                                 if (write_ec) return self->Close();
                                 self->ReadBody();
                             });
            return;
        }
        ReadBody();
    }

    void ReadBody() {
        SetDeadline(options().idle_timeout);
        bhttp::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&HttpSession::OnReadBody, Self()));
    }

    void OnReadBody(beast::error_code ec, std::size_t /*bytes*/) {
        if (ec) {
            OnReadError(ec);
            return;
        }
        HandleRequest();
    }

    void OnReadError(beast::error_code ec) {
        if (ec == bhttp::error::header_limit) {
            SendErrorAndClose(Response::Text(431, "431 Request Header Fields Too Large\n"));
        } else if (ec == bhttp::error::body_limit) {
            SendErrorAndClose(
                ErrorResponse(413, "too_large",
                              "request body exceeds " + std::to_string(options().max_body_bytes) + " bytes", "body"));
        } else if (ec.category() == HttpErrorCategory() && ec != bhttp::error::end_of_stream &&
                   ec != bhttp::error::partial_message) {
            SendErrorAndClose(Response::Text(400, "400 Bad Request\n"));
        } else {
            // EOF, reset, timeout, cancellation by shutdown: nothing to answer.
            Close();
        }
    }

    void HandleRequest() {
        auto start = std::chrono::steady_clock::now();
        auto& message = parser_->get();
        bool keep_alive = message.keep_alive() && !shutdown_requested_ && !core_.stopping();
        const bool head = message.method() == bhttp::verb::head;
        const bool http10 = message.version() < 11;

        HeaderList headers;
        headers.reserve(8);
        for (const auto& field : message) headers.emplace_back(Sv(field.name_string()), Sv(field.value()));
        auto made = Request::Make(std::string(Sv(message.method_string())), std::string(Sv(message.target())),
                                  std::move(headers), std::move(message.body()));
        std::string_view route;
        std::optional<Request> request;
        if (!made.ok()) {
            response_ = Response::Text(400, "400 Bad Request\n");
            keep_alive = false;
        } else {
            request.emplace(std::move(made).value());
            request->remote_ip = remote_ip_;
            request->tls = kTls;
            response_ = RunHandler(*request);
            route = request->route;
        }

        // Checked again after the handler: a shutdown that began meanwhile makes this the last response.
        keep_alive = keep_alive && !core_.stopping();
        WireOptions wire{.head_request = head, .keep_alive = keep_alive, .http10 = http10};
        bool send_body = false;
        if (!SerializeHead(response_, wire, head_buffer_, send_body)) {
            core_.logger().Error("handler set a header containing CR, LF or NUL",
                                 {{"path", request ? std::string_view(request->path) : std::string_view()}});
            response_ = Response::Text(500, "500 Internal Server Error\n");
            (void)SerializeHead(response_, wire, head_buffer_, send_body);
        }

        auto elapsed = std::chrono::steady_clock::now() - start;
        std::string_view method = Sv(message.method_string());
        core_.metrics().RecordRequest(method, route, response_.status, elapsed);
        if (core_.logger().Enabled(core::LogLevel::kDebug)) {
            core_.logger().Debug("request", {{"method", method},
                                             {"path", request ? std::string_view(request->path) : Sv(message.target())},
                                             {"status", response_.status},
                                             {"ms", std::chrono::duration<double, std::milli>(elapsed).count()},
                                             {"remote", remote_ip_}});
        }
        Write(send_body, keep_alive, /*after_error=*/false);
    }

    Response RunHandler(Request& request) {
        try {
            return core_.handler()(request);
        } catch (const std::exception& e) {
            core_.logger().Error("handler threw",
                                 {{"method", request.method}, {"path", request.path}, {"error", e.what()}});
        } catch (...) {
            core_.logger().Error("handler threw",
                                 {{"method", request.method}, {"path", request.path}, {"error", "unknown exception"}});
        }
        return ErrorResponse(core::Internal("handler failed"));
    }

    void SendErrorAndClose(Response response) {
        response_ = std::move(response);
        WireOptions wire{.head_request = false, .keep_alive = false, .http10 = false};
        bool send_body = false;
        (void)SerializeHead(response_, wire, head_buffer_, send_body);
        std::string_view method = parser_ ? Sv(parser_->get().method_string()) : std::string_view();
        core_.metrics().RecordRequest(method, {}, response_.status, std::chrono::nanoseconds(0));
        if (core_.logger().Enabled(core::LogLevel::kDebug)) {
            core_.logger().Debug("request rejected", {{"status", response_.status}, {"remote", remote_ip_}});
        }
        Write(send_body, /*keep_alive=*/false, /*after_error=*/true);
    }

    void Write(bool send_body, bool keep_alive, bool after_error) {
        SetDeadline(options().idle_timeout);
        auto on_write = [self = Self(), keep_alive, after_error](beast::error_code ec, std::size_t) {
            self->OnWrite(ec, keep_alive, after_error);
        };
        if (send_body) {
            std::array<net::const_buffer, 2> buffers = {net::buffer(head_buffer_), net::buffer(response_.body)};
            net::async_write(stream_, buffers, std::move(on_write));
        } else {
            net::async_write(stream_, net::buffer(head_buffer_), std::move(on_write));
        }
    }

    void OnWrite(beast::error_code ec, bool keep_alive, bool after_error) {
        // Release the body now: an idle keep-alive connection should not pin a large response.
        response_.body = std::string();
        if (ec) {
            Close();
            return;
        }
        if (keep_alive) {
            ReadHeader();
            return;
        }
        if constexpr (kTls) {
            if (!after_error) {
                SetDeadline(kLingerTimeout);
                stream_.async_shutdown([self = Self()](beast::error_code) { self->Close(); });
                return;
            }
        }
        LingerAndClose();
    }

    void LingerAndClose() {
        beast::error_code ignored;
        Lowest(stream_).shutdown(tcp::socket::shutdown_send, ignored);
        linger_budget_ = kLingerMaxBytes;
        SetDeadline(kLingerTimeout);
        Drain();
    }

    void Drain() {
        Lowest(stream_).async_read_some(net::buffer(drain_buffer_),
                                        [self = Self()](beast::error_code ec, std::size_t n) {
                                            if (ec || n >= self->linger_budget_ || self->core_.stopping())
                                                return self->Close();
                                            self->linger_budget_ -= n;
                                            self->Drain();
                                        });
    }

    void Close() {
        if (closed_) return;
        closed_ = true;
        beast::error_code ignored;
        timer_.cancel();
        Lowest(stream_).close(ignored);
    }

    ServerCore& core_;
    Stream stream_;
    Timer timer_;
    Clock::time_point deadline_{};
    bool timer_running_ = false;
    std::string remote_ip_;
    std::uint64_t id_ = 0;
    beast::flat_buffer buffer_;
    std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
    Response response_;
    std::string head_buffer_;
    std::array<char, 4096> drain_buffer_{};
    std::size_t linger_budget_ = 0;
    bool waiting_idle_ = false;  // blocked on the first byte of a new request (or the TLS handshake)
    bool shutdown_requested_ = false;
    bool closed_ = false;
};

}  // namespace

std::shared_ptr<Session> MakeSession(ServerCore& core, Socket socket, net::ssl::context* tls_context) {
    beast::error_code ec;
    socket.set_option(tcp::no_delay(true), ec);
    auto endpoint = socket.remote_endpoint(ec);
    std::string remote_ip = ec ? std::string() : endpoint.address().to_string();
    if (tls_context != nullptr) {
        return std::make_shared<HttpSession<beast::ssl_stream<Socket>>>(core, std::move(remote_ip), std::move(socket),
                                                                        *tls_context);
    }
    return std::make_shared<HttpSession<Socket>>(core, std::move(remote_ip), std::move(socket));
}

}  // namespace kizuna::http::detail
