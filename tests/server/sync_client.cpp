#include "sync_client.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace kring::testing {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = boost::asio::ip::tcp;

struct SyncClient::Socket {
  boost::asio::io_context io;
  websocket::stream<beast::tcp_stream> stream{io};
  beast::flat_buffer buffer;
  bool reading = false;
  std::optional<beast::error_code> readResult;
};

unsigned SyncClient::closeCode() const { return socket_->stream.reason().code; }
std::string SyncClient::closeReason() const { return std::string(socket_->stream.reason().reason.c_str()); }

SyncClient::SyncClient(unsigned short port, const std::string& origin, const std::string& forwardedFor,
                       const std::string& forwarded)
    : socket_(std::make_unique<Socket>()) {
  beast::get_lowest_layer(socket_->stream).connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
  beast::get_lowest_layer(socket_->stream).socket().set_option(tcp::no_delay(true));
  socket_->stream.set_option(
      websocket::stream_base::decorator([origin, forwardedFor, forwarded](websocket::request_type& request) {
        if (!origin.empty()) request.set(beast::http::field::origin, origin);
        if (!forwardedFor.empty()) request.set("X-Forwarded-For", forwardedFor);
        if (!forwarded.empty()) request.set(beast::http::field::forwarded, forwarded);
      }));
  socket_->stream.handshake("127.0.0.1:" + std::to_string(port), "/sync");
  socket_->stream.binary(true);
  socket_->stream.read_message_max(64 << 20);
}

SyncClient::~SyncClient() {
  beast::error_code ignored;
  beast::get_lowest_layer(socket_->stream).socket().close(ignored);
}

void SyncClient::send(const ClientMessage& message) { sendRaw(encodeClientMessage(message)); }

void SyncClient::sendRaw(const Bytes& bytes, bool binary) {
  socket_->stream.binary(binary);
  beast::error_code ignored;
  socket_->stream.write(boost::asio::buffer(bytes), ignored);
  socket_->stream.binary(true);
}

std::optional<ServerMessage> SyncClient::receive(std::chrono::milliseconds timeout) {
  if (closed_) return std::nullopt;
  // One read stays pending across calls, so a timeout never disturbs the stream.
  if (!socket_->reading) {
    socket_->reading = true;
    socket_->readResult.reset();
    socket_->stream.async_read(socket_->buffer,
                               [this](beast::error_code error, std::size_t) { socket_->readResult = error; });
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!socket_->readResult && std::chrono::steady_clock::now() < deadline) {
    socket_->io.restart();
    socket_->io.run_one_until(deadline);
  }
  if (!socket_->readResult) return std::nullopt;
  socket_->reading = false;
  if (*socket_->readResult) {
    closed_ = true;
    return std::nullopt;
  }
  auto data = socket_->buffer.data();
  Bytes bytes(static_cast<const std::uint8_t*>(data.data()),
              static_cast<const std::uint8_t*>(data.data()) + data.size());
  socket_->buffer.consume(socket_->buffer.size());
  received_.insert(received_.end(), bytes.begin(), bytes.end());
  Result<ServerMessage> message = decodeServerMessage(bytes);
  if (!message) return std::nullopt;
  if (auto* error = std::get_if<ErrorMessage>(&message.value())) lastError_ = *error;
  return std::move(message.value());
}

bool SyncClient::closedByServer(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!closed_ && std::chrono::steady_clock::now() < deadline) {
    receive(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
  }
  return closed_;
}

std::optional<SyncClient::Snapshot> SyncClient::receiveSnapshot(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto part = receiveUntil<ThreadSnapshotPart>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
    if (!part) return std::nullopt;
    if (part->offset == 0) partsReceived_ = 0;
    ++partsReceived_;
    std::string threadKey = part->threadKey;
    Result<std::optional<Bytes>> whole = parts_.add(std::move(*part));
    if (!whole) return std::nullopt;
    if (whole.value()) return Snapshot{threadKey, std::move(*whole.value()), partsReceived_};
  }
  return std::nullopt;
}

std::optional<Welcome> SyncClient::hello(const std::string& site, const std::string& token, const std::string& clientId,
                                         const std::string& guestCredential, std::uint32_t protocolVersion) {
  send(Hello{site, token, clientId, protocolVersion, guestCredential});
  auto message = receive();
  if (!message) return std::nullopt;
  if (auto* welcome = std::get_if<Welcome>(&*message)) return *welcome;
  return std::nullopt;
}

}  // namespace kring::testing
