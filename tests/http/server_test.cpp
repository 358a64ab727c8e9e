#include "http/server.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "server_fixture.hpp"
#include "support/http_client.hpp"

namespace kizuna::http {
namespace {

using http::testing::LoopbackOptions;
using http::testing::RunningServer;
using kizuna::testing::HttpClient;
using kizuna::testing::HttpReply;

Router& TestRouter() {
    static Router* router = [] {
        auto* r = new Router();
        r->Add("GET", "/healthz", [](Request&) { return Response::Text(200, "ok\n"); });
        r->Add("POST", "/api/v1/echo", [](Request& request) {
            return Response::Json(200, {{"body", request.body},
                                        {"remote_ip", request.remote_ip},
                                        {"route", request.route},
                                        {"tls", request.tls}});
        });
        r->Add("GET", "/throw", [](Request&) -> Response { throw std::runtime_error("boom: secret detail"); });
        r->Add("GET", "/cookies", [](Request&) {
            Response response = Response::Text(200, "set");
            response.SetCookie("a", "1");
            response.SetCookie("b", "2");
            response.SetHeader("Content-Security-Policy", "default-src 'none'");
            return response;
        });
        r->Add("GET", "/bad-header", [](Request&) {
            Response response = Response::Text(200, "x");
            response.SetHeader("X-Evil", "a\r\nInjected: yes");
            return response;
        });
        return r;
    }();
    return *router;
}

class ServerTest : public ::testing::Test {
  protected:
    void StartServer(ServerOptions options = LoopbackOptions()) {
        server_ = std::make_unique<RunningServer>(std::move(options), TestRouter().AsHandler());
        ASSERT_TRUE(server_->Start());
        client_ = std::make_unique<HttpClient>("127.0.0.1", server_->port());
    }
    std::unique_ptr<RunningServer> server_;
    std::unique_ptr<HttpClient> client_;
};

TEST_F(ServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
    StartServer();
    HttpReply first = client_->Request("GET", "/healthz");
    HttpReply second = client_->Request("POST", "/api/v1/echo", "hello", {{"Content-Type", "text/plain"}});
    ASSERT_EQ(first.status, 200) << first.error;
    EXPECT_EQ(first.body, "ok\n");
    ASSERT_EQ(second.status, 200) << second.error;
    auto echo = nlohmann::json::parse(second.body);
    EXPECT_EQ(echo["body"], "hello");
    EXPECT_EQ(echo["remote_ip"], "127.0.0.1");
    EXPECT_EQ(echo["route"], "/api/v1/echo");
    EXPECT_EQ(echo["tls"], false);
    EXPECT_EQ(client_->connections_opened(), 1);
    EXPECT_TRUE(client_->connected());
}

TEST_F(ServerTest, SecurityAndServerHeaders) {
    StartServer();
    HttpReply reply = client_->Request("GET", "/healthz");
    EXPECT_EQ(reply.Header("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(reply.Header("Referrer-Policy"), "same-origin");
    EXPECT_EQ(reply.Header("X-Frame-Options"), "DENY");
    EXPECT_EQ(reply.Header("Content-Security-Policy"), "default-src 'self'; frame-ancestors 'none'");
    EXPECT_EQ(reply.Header("Server"), "kizuna");
    EXPECT_FALSE(reply.Header("Date").empty());

    HttpReply cookies = client_->Request("GET", "/cookies");
    EXPECT_EQ(cookies.Header("Set-Cookie"),
              "a=1; Path=/; HttpOnly; SameSite=Strict\nb=2; Path=/; HttpOnly; SameSite=Strict");
    EXPECT_EQ(cookies.Header("Content-Security-Policy"), "default-src 'none'");
}

TEST_F(ServerTest, NotFoundAndMethodNotAllowed) {
    StartServer();
    HttpReply missing = client_->Request("GET", "/api/v1/nothing");
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(nlohmann::json::parse(missing.body)["error"]["code"], "not_found");
    HttpReply wrong_method = client_->Request("DELETE", "/healthz");
    EXPECT_EQ(wrong_method.status, 405);
    EXPECT_EQ(wrong_method.Header("Allow"), "GET, HEAD");
    HttpReply head = client_->Request("HEAD", "/healthz");
    EXPECT_EQ(head.status, 200);
    EXPECT_EQ(head.Header("Content-Length"), "3");
    EXPECT_TRUE(head.body.empty());
    // Still the same connection: errors of the application kind keep it alive.
    EXPECT_EQ(client_->Request("GET", "/healthz").status, 200);
    EXPECT_EQ(client_->connections_opened(), 1);
}

TEST_F(ServerTest, HandlerExceptionBecomes500WithoutDetails) {
    StartServer();
    HttpReply reply = client_->Request("GET", "/throw");
    EXPECT_EQ(reply.status, 500);
    EXPECT_EQ(reply.body.find("secret"), std::string::npos);
    EXPECT_EQ(client_->Request("GET", "/healthz").status, 200);
}

TEST_F(ServerTest, HeaderInjectionBecomes500) {
    StartServer();
    HttpReply reply = client_->Request("GET", "/bad-header");
    EXPECT_EQ(reply.status, 500);
    EXPECT_EQ(reply.Header("Injected"), "");
}

TEST_F(ServerTest, BodyOverLimitIs413AndCloses) {
    ServerOptions options = LoopbackOptions();
    options.max_body_bytes = 1024;
    StartServer(options);
    EXPECT_EQ(client_->Request("POST", "/api/v1/echo", std::string(1024, 'x')).status, 200);
    HttpReply reply = client_->Request("POST", "/api/v1/echo", std::string(512 * 1024, 'x'));
    ASSERT_EQ(reply.status, 413) << reply.error;
    EXPECT_EQ(nlohmann::json::parse(reply.body)["error"]["code"], "too_large");
    EXPECT_EQ(reply.Header("Connection"), "close");
    EXPECT_FALSE(client_->connected());
}

TEST_F(ServerTest, HugeContentLengthIsRejectedWithoutReadingTheBody) {
    ServerOptions options = LoopbackOptions();
    options.max_body_bytes = 1024;
    StartServer(options);
    // Announces 10 GB but sends nothing: the answer must come from the headers alone.
    std::string raw = client_->SendRaw(
        "POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000000\r\nContent-Type: text/plain\r\n\r\n");
    EXPECT_TRUE(raw.starts_with("HTTP/1.1 413 ")) << raw;
}

TEST_F(ServerTest, HeadersOverLimitAre431) {
    ServerOptions options = LoopbackOptions();
    options.max_header_bytes = 1024;
    StartServer(options);
    std::string raw =
        client_->SendRaw("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(64 * 1024, 'a') + "\r\n\r\n");
    EXPECT_TRUE(raw.starts_with("HTTP/1.1 431 ")) << raw.substr(0, 200);
    EXPECT_NE(raw.find("Connection: close"), std::string::npos);
}

TEST_F(ServerTest, MalformedRequestIs400) {
    StartServer();
    EXPECT_TRUE(client_->SendRaw("GARBAGE\r\n\r\n").starts_with("HTTP/1.1 400 "));
    EXPECT_TRUE(client_->SendRaw("GET /a%zz HTTP/1.1\r\nHost: x\r\n\r\n").starts_with("HTTP/1.1 400 "));
    EXPECT_TRUE(client_->SendRaw("GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n").starts_with("HTTP/1.1 400 "));
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
    StartServer();
    std::string raw = client_->SendRaw(
        "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    std::size_t first = raw.find("HTTP/1.1 200 ");
    std::size_t second = raw.find("HTTP/1.1 404 ");
    ASSERT_NE(first, std::string::npos) << raw;
    ASSERT_NE(second, std::string::npos) << raw;
    EXPECT_LT(first, second);
}

TEST_F(ServerTest, Http10ClosesByDefault) {
    StartServer();
    std::string raw = client_->SendRaw("GET /healthz HTTP/1.0\r\n\r\n");
    EXPECT_TRUE(raw.starts_with("HTTP/1.1 200 ")) << raw;
    EXPECT_NE(raw.find("Connection: close"), std::string::npos);
}

TEST_F(ServerTest, ExpectContinueIsAnswered) {
    StartServer();
    std::string raw = client_->SendRaw(
        "POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\nConnection: "
        "close\r\n\r\nhi");
    EXPECT_TRUE(raw.starts_with("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 ")) << raw;
}

TEST_F(ServerTest, IdleTimeoutClosesTheConnection) {
    ServerOptions options = LoopbackOptions();
    options.idle_timeout = std::chrono::seconds(1);
    StartServer(options);
    ASSERT_EQ(client_->Request("GET", "/healthz").status, 200);
    EXPECT_TRUE(client_->WaitForServerClose(std::chrono::seconds(20)));
}

TEST_F(ServerTest, StopReturnsWhileAClientIsConnected) {
    ServerOptions options = LoopbackOptions();
    options.shutdown_grace = std::chrono::seconds(60);  // idle connections must not wait for the grace period
    StartServer(options);
    ASSERT_EQ(client_->Request("GET", "/healthz").status, 200);
    ASSERT_TRUE(client_->connected());
    EXPECT_TRUE(server_->StopAndWait(std::chrono::seconds(20)));
    EXPECT_TRUE(client_->WaitForServerClose(std::chrono::seconds(5)));
}

TEST_F(ServerTest, StopBeforeRunReturns) {
    auto server = std::make_unique<RunningServer>(LoopbackOptions(), TestRouter().AsHandler());
    ASSERT_TRUE(server->server().Start().ok());
    const std::uint16_t port = server->port();
    server->server().Stop();
    // Run() after Stop() must return promptly instead of serving: run it on a thread and bound the wait.
    auto ran = std::async(std::launch::async, [&] { server->server().Run(); });
    ASSERT_EQ(ran.wait_for(std::chrono::seconds(10)), std::future_status::ready) << "Run() did not return after Stop()";
    ran.get();
    // And nothing listens any more: a new connection is refused or gets no answer.
    HttpClient after("127.0.0.1", port);
    after.set_timeout(std::chrono::milliseconds(2000));
    EXPECT_EQ(after.Request("GET", "/healthz").status, 0);
}

TEST_F(ServerTest, InFlightRequestFinishesDuringShutdown) {
    std::atomic<bool> entered{false};
    std::atomic<bool> release{false};
    Router router;
    router.Add("GET", "/slow", [&](Request&) {
        entered = true;
        while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        return Response::Text(200, "done");
    });
    RunningServer server(LoopbackOptions(), router.AsHandler());
    ASSERT_TRUE(server.Start());
    HttpClient client("127.0.0.1", server.port());
    auto reply = std::async(std::launch::async, [&] { return client.Request("GET", "/slow"); });
    while (!entered) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    server.server().Stop();
    EXPECT_FALSE(server.Finished(std::chrono::seconds(0)));
    release = true;
    HttpReply result = reply.get();
    EXPECT_EQ(result.status, 200);
    EXPECT_EQ(result.body, "done");
    EXPECT_EQ(result.Header("Connection"), "close");
    EXPECT_TRUE(server.StopAndWait(std::chrono::seconds(20)));
}

TEST_F(ServerTest, MetricsRecordRequestsAndConnections) {
    StartServer();
    ASSERT_EQ(client_->Request("GET", "/healthz").status, 200);
    ASSERT_EQ(client_->Request("GET", "/nothing").status, 404);
    std::string text = server_->metrics().RenderPrometheus();
    EXPECT_NE(text.find("kizuna_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("kizuna_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 1"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("kizuna_http_connections_active 1"), std::string::npos) << text;
}

TEST(ServerStartTest, ReportsBindAndTlsErrorsAsValues) {
    core::SystemClock clock;
    core::Logger logger(clock, core::LogLevel::kError);
    Metrics metrics;
    ServerOptions options = LoopbackOptions();
    options.tls_cert_file = "/nonexistent/cert.pem";
    options.tls_key_file = "/nonexistent/key.pem";
    Server tls_server(
        options, [](Request&) { return Response(204); }, metrics, logger);
    auto status = tls_server.Start();
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().field(), "server.tls_cert");
    EXPECT_NE(status.error().message().find("cannot read /nonexistent/cert.pem"), std::string::npos);

    ServerOptions first_options = LoopbackOptions();
    Server first(
        first_options, [](Request&) { return Response(204); }, metrics, logger);
    ASSERT_TRUE(first.Start().ok());
    ServerOptions second_options = LoopbackOptions();
    second_options.port = first.port();
    Server second(
        second_options, [](Request&) { return Response(204); }, metrics, logger);
    auto bind_status = second.Start();
    ASSERT_FALSE(bind_status.ok());
    EXPECT_EQ(bind_status.error().field(), "server.listen");
}

TEST(ServerOptionsTest, FromConfig) {
    core::ServerConfig config;
    config.listen = "0.0.0.0";
    config.port = 8443;
    config.threads = 4;
    config.tls_cert = "c.pem";
    config.tls_key = "k.pem";
    config.max_header_bytes = 8192;
    config.max_body_bytes = 2048;
    config.idle_timeout_seconds = 5;
    config.shutdown_grace_seconds = 3;
    ServerOptions options = ServerOptions::FromConfig(config);
    EXPECT_EQ(options.listen, "0.0.0.0");
    EXPECT_EQ(options.port, 8443);
    EXPECT_EQ(options.threads, 4);
    EXPECT_EQ(options.tls_cert_file, "c.pem");
    EXPECT_EQ(options.tls_key_file, "k.pem");
    EXPECT_EQ(options.max_header_bytes, 8192u);
    EXPECT_EQ(options.max_body_bytes, 2048u);
    EXPECT_EQ(options.idle_timeout, std::chrono::seconds(5));
    EXPECT_EQ(options.shutdown_grace, std::chrono::seconds(3));
}

}  // namespace
}  // namespace kizuna::http
