#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "server_fixture.hpp"
#include "support/temp_dir.hpp"

namespace kizuna::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

// A self-signed certificate made with the openssl CLI, valid for one day.
struct SelfSigned {
    kizuna::testing::TempDir dir;
    std::string cert = dir.File("cert.pem");
    std::string key = dir.File("key.pem");
    bool ok = false;
    SelfSigned() {
        std::string command = "openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 1 -keyout '" + key +
                              "' -out '" + cert + "' >/dev/null 2>&1";
        ok = std::system(command.c_str()) == 0;
    }
};

TEST(ServerTlsTest, ServesOverTls) {
    SelfSigned pki;
    ASSERT_TRUE(pki.ok) << "openssl req failed";
    ServerOptions options = testing::LoopbackOptions();
    options.tls_cert_file = pki.cert;
    options.tls_key_file = pki.key;
    Router router;
    router.Add("GET", "/whoami", [](Request& request) {
        return Response::Json(200, {{"tls", request.tls}, {"route", request.route}});
    });
    testing::RunningServer server(options, router.AsHandler());
    ASSERT_TRUE(server.Start());
    EXPECT_TRUE(server.server().tls());

    net::io_context io;
    net::ssl::context ctx(net::ssl::context::tls_client);
    ctx.load_verify_file(pki.cert);
    ctx.set_verify_mode(net::ssl::verify_peer);
    beast::ssl_stream<beast::tcp_stream> stream(io, ctx);
    beast::get_lowest_layer(stream).connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server.port()));
    ASSERT_TRUE(SSL_set_tlsext_host_name(stream.native_handle(), "localhost"));
    stream.handshake(net::ssl::stream_base::client);

    for (int round = 0; round < 2; ++round) {  // keep-alive over TLS
        bhttp::request<bhttp::empty_body> request(bhttp::verb::get, "/whoami", 11);
        request.set(bhttp::field::host, "localhost");
        bhttp::write(stream, request);
        beast::flat_buffer buffer;
        bhttp::response<bhttp::string_body> response;
        bhttp::read(stream, buffer, response);
        EXPECT_EQ(response.result_int(), 200u);
        auto body = nlohmann::json::parse(response.body());
        EXPECT_EQ(body["tls"], true);
        EXPECT_EQ(body["route"], "/whoami");
    }
    beast::error_code ignored;
    stream.shutdown(ignored);
    EXPECT_TRUE(server.StopAndWait());
}

TEST(ServerTlsTest, MismatchedOrBrokenKeyIsAnError) {
    SelfSigned first;
    SelfSigned second;
    ASSERT_TRUE(first.ok && second.ok);
    core::SystemClock clock;
    core::Logger logger(clock, core::LogLevel::kError);
    Metrics metrics;

    ServerOptions mismatched = testing::LoopbackOptions();
    mismatched.tls_cert_file = first.cert;
    mismatched.tls_key_file = second.key;
    Server server(
        mismatched, [](Request&) { return Response(204); }, metrics, logger);
    auto status = server.Start();
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().field(), "server.tls_key");

    std::ofstream(first.dir.File("junk.pem")) << "not a certificate\n";
    ServerOptions junk = testing::LoopbackOptions();
    junk.tls_cert_file = first.dir.File("junk.pem");
    junk.tls_key_file = first.key;
    Server junk_server(
        junk, [](Request&) { return Response(204); }, metrics, logger);
    auto junk_status = junk_server.Start();
    ASSERT_FALSE(junk_status.ok());
    EXPECT_EQ(junk_status.error().field(), "server.tls_cert");
}

TEST(ServerTlsTest, PlainHttpToTlsPortIsDropped) {
    SelfSigned pki;
    ASSERT_TRUE(pki.ok);
    ServerOptions options = testing::LoopbackOptions();
    options.tls_cert_file = pki.cert;
    options.tls_key_file = pki.key;
    testing::RunningServer server(options, [](Request&) { return Response(204); });
    ASSERT_TRUE(server.Start());
    net::io_context io;
    tcp::socket socket(io);
    socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server.port()));
    std::string plain = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    net::write(socket, net::buffer(plain));
    std::string received;
    beast::error_code ec;
    net::read(socket, net::dynamic_buffer(received), ec);  // server closes after the failed handshake
    EXPECT_TRUE(ec);
    EXPECT_EQ(received.find("HTTP/1.1 200"), std::string::npos);
    EXPECT_TRUE(server.StopAndWait());
}

}  // namespace
}  // namespace kizuna::http
