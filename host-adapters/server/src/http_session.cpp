#include "http_session.h"

#include <boost/beast/websocket.hpp>

#include <chrono>

#include "forwarded_for.h"
#include "log.h"
#include "websocket_session.h"

namespace kring::server {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

namespace {

constexpr std::uint64_t kMaxRequestBodyBytes = 1 << 20;

void acceptNext(Server& server, tcp::acceptor& acceptor, Listener listener) {
  acceptor.async_accept([&server, &acceptor, listener](beast::error_code error, tcp::socket socket) {
    if (error) {
      if (error != boost::asio::error::operation_aborted) acceptNext(server, acceptor, listener);
      return;
    }
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);  // small frames go out now, not after a delayed ACK
    auto remote = socket.remote_endpoint(ignored);
    std::string address = unmapped(remote.address()).to_string();
    // A trusted proxy's connections count against the client it forwards for, once it says which.
    bool proxied = server.isTrustedProxy(remote.address());
    if (server.stopping() || !server.admitConnection()) {
      socket.close(ignored);
    } else if (!proxied && !server.admitAddress(address)) {
      server.releaseConnection();
      socket.close(ignored);
    } else {
      std::make_shared<HttpSession>(server, std::move(socket), ConnectionSlot(server, address, proxied ? "" : address), listener)
          ->start();
    }
    acceptNext(server, acceptor, listener);
  });
}

}  // namespace

void HttpSession::tooManyConnections() {
  auto response = std::make_shared<HttpResponse>(http::status::service_unavailable, 11);
  response->set(http::field::content_type, "application/json");
  response->body() = R"({"error":"too_many_connections","message":"This address holds as many connections as it may."})";
  response->prepare_payload();
  http::async_write(stream_, *response, [self = shared_from_this(), response](beast::error_code, std::size_t) {
    beast::error_code ignored;
    self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  });
}

HttpSession::HttpSession(Server& server, tcp::socket socket, ConnectionSlot slot, Listener listener)
    : server_(server), stream_(std::move(socket)), slot_(std::move(slot)), listener_(listener) {}

void HttpSession::readNext() {
  parser_.emplace();
  parser_->body_limit(kMaxRequestBodyBytes);
  parser_->header_limit(16 * 1024);
  stream_.expires_after(std::chrono::seconds(30));
  http::async_read(stream_, buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code error, std::size_t) { self->onRead(error); });
}

void HttpSession::onRead(beast::error_code error) {
  if (error == http::error::end_of_stream) {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    return;
  }
  if (error) {
    if (error == http::error::body_limit || error == http::error::header_limit) {
      auto response = std::make_shared<HttpResponse>(http::status::payload_too_large, 11);
      response->set(http::field::content_type, "application/json");
      response->body() = R"({"error":"too_large","message":"The request is too large."})";
      response->prepare_payload();
      http::async_write(stream_, *response, [self = shared_from_this(), response](beast::error_code, std::size_t) {
        beast::error_code ignored;
        self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
      });
    }
    return;
  }
  HttpRequest request = parser_->release();
  if (beast::websocket::is_upgrade(request)) {
    // The admin listener has no /sync. Dropping the session closes the socket.
    if (request.target() != "/sync" || listener_ == Listener::admin) return;
    if (!slot_.counted() && !slot_.countAs(forwardedClient(request, server_.options().trustedProxies, slot_.address()))) {
      return tooManyConnections();
    }
    std::make_shared<WebSocketSession>(server_, std::move(stream_), std::move(slot_))->start(std::move(request));
    return;
  }
  const bool head = request.method() == http::verb::head;
  // The session reads its next request only after this answer is written, so one waits at most.
  LaterResponse later([self = shared_from_this(), head](HttpResponse response) { self->write(std::move(response), head); });
  HttpResponse response = route(server_, request, later, listener_);
  if (!later.taken()) write(std::move(response), head);
}

void HttpSession::write(HttpResponse answer, bool head) {
  auto response = std::make_shared<HttpResponse>(std::move(answer));
  if (head) {
    // The GET's headers, Content-Length included, and no body: a body here would be read as the next response.
    const std::size_t length = response->body().size();
    response->body().clear();
    if (response->result() != http::status::not_modified) response->content_length(length);
  }
  bool keepAlive = response->keep_alive();
  stream_.expires_after(std::chrono::seconds(30));
  http::async_write(stream_, *response,
                    [self = shared_from_this(), response, keepAlive](beast::error_code writeError, std::size_t) {
                      if (writeError) return;
                      if (!keepAlive) {
                        beast::error_code ignored;
                        self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
                        return;
                      }
                      self->readNext();
                    });
}

void listen(Server& server, const tcp::endpoint& endpoint, tcp::acceptor& acceptor, Listener listener) {
  acceptor.open(endpoint.protocol());
  acceptor.set_option(boost::asio::socket_base::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(boost::asio::socket_base::max_listen_connections);
  acceptNext(server, acceptor, listener);
}

}  // namespace kring::server
