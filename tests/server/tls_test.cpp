// kring-server with --tls-cert: HTTPS and WSS on the public port, with a throwaway self-signed certificate.
#include <catch2/catch.hpp>

#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "kring/sync.h"
#include "server_process.h"
#include "server_test_ops.h"

using namespace kring;
using namespace kring::testing;

namespace beast = boost::beast;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;

namespace {

// A self-signed certificate for localhost, made by the openssl command, in a directory of its own.
struct Certificate {
  std::string directory;
  std::string cert;
  std::string key;
  Certificate() {
    char pattern[] = "/tmp/kring-tls-test-XXXXXX";
    REQUIRE(mkdtemp(pattern));
    directory = pattern;
    cert = directory + "/cert.pem";
    key = directory + "/key.pem";
    const std::string command = "openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 1 -keyout " + key +
                                " -out " + cert + " 2>/dev/null";
    REQUIRE(std::system(command.c_str()) == 0);
  }
  ~Certificate() {
    std::error_code ignored;
    std::filesystem::remove_all(directory, ignored);
  }
};

// A client context that trusts exactly this certificate.
ssl::context trusting(const Certificate& certificate) {
  ssl::context context(ssl::context::tls_client);
  context.load_verify_file(certificate.cert);
  context.set_verify_mode(ssl::verify_peer);
  return context;
}

}  // namespace

TEST_CASE("with --tls-cert the public port speaks HTTPS and WSS and no plain HTTP", "[server][tls][deployment]") {
  Certificate certificate;
  ServerProcess server("--tls-cert " + certificate.cert + " --tls-key " + certificate.key);
  ssl::context context = trusting(certificate);
  boost::asio::io_context io;
  const tcp::endpoint endpoint(boost::asio::ip::make_address("127.0.0.1"), server.port());

  SECTION("HTTPS") {
    beast::ssl_stream<beast::tcp_stream> stream(io, context);
    beast::get_lowest_layer(stream).connect(endpoint);
    stream.handshake(ssl::stream_base::client);
    beast::http::request<beast::http::string_body> request(beast::http::verb::get, "/healthz", 11);
    request.set(beast::http::field::host, "localhost");
    beast::http::write(stream, request);
    beast::flat_buffer buffer;
    beast::http::response<beast::http::string_body> response;
    beast::http::read(stream, buffer, response);
    CHECK(response.result_int() == 200);
    CHECK(response.body().find("\"status\":\"ok\"") != std::string::npos);
  }
  SECTION("WSS: Hello and Welcome over /sync") {
    beast::websocket::stream<beast::ssl_stream<beast::tcp_stream>> socket(io, context);
    beast::get_lowest_layer(socket).connect(endpoint);
    socket.next_layer().handshake(ssl::stream_base::client);
    socket.handshake("localhost", "/sync");
    socket.binary(true);
    socket.write(
        boost::asio::buffer(encodeClientMessage(Hello{TestSite::id, testToken("ann"), "c-ann", kProtocolVersion, ""})));
    beast::flat_buffer buffer;
    socket.read(buffer);
    auto data = buffer.data();
    Bytes bytes(static_cast<const std::uint8_t*>(data.data()),
                static_cast<const std::uint8_t*>(data.data()) + data.size());
    Result<ServerMessage> message = decodeServerMessage(bytes);
    REQUIRE(message);
    auto* welcome = std::get_if<Welcome>(&message.value());
    REQUIRE(welcome);
    CHECK(welcome->member.id == "ann");
  }
  SECTION("plain HTTP gets no answer") { CHECK_THROWS(httpRequest(server.port(), "/healthz")); }
}

TEST_CASE("a missing or mismatched TLS certificate stops the server with a message naming the file",
          "[server][tls][deployment]") {
  Certificate certificate;
  Certificate another;
  std::string log =
      logOfFailedStart("--tls-cert " + certificate.directory + "/missing.pem --tls-key " + certificate.key);
  CHECK(log.find("bad_tls") != std::string::npos);
  CHECK(log.find("missing.pem") != std::string::npos);
  log = logOfFailedStart("--tls-cert " + certificate.cert + " --tls-key " + another.key);
  CHECK(log.find("bad_tls") != std::string::npos);
  CHECK(log.find(another.key) != std::string::npos);
  CHECK(logOfFailedStart("--tls-cert " + certificate.cert).find("go together") != std::string::npos);
}
