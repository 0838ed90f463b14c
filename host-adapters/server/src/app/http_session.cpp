#include "app/http_session.h"

#include <boost/beast/websocket.hpp>

#include <chrono>

#include "app/live_session.h"
#include "app/site_pages.h"
#include "app/websocket_session.h"
#include "http/forwarded_for.h"
#include "observe/logging.h"

namespace kring::server {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

namespace {

constexpr std::uint64_t kMaxRequestBodyBytes = 1 << 20;
constexpr auto kIdle = std::chrono::seconds(30);  // a request, a write or a TLS handshake

void acceptNext(Server& server, tcp::acceptor& acceptor, Listener listener, boost::asio::ssl::context* tls) {
  acceptor.async_accept([&server, &acceptor, listener, tls](beast::error_code error, tcp::socket socket) {
    if (error) {
      if (error != boost::asio::error::operation_aborted) acceptNext(server, acceptor, listener, tls);
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
      ConnectionSlot slot(server, address, proxied ? "" : address);
      if (tls) {
        std::make_shared<HttpSession<TlsStream>>(server, TlsStream(std::move(socket), *tls), std::move(slot), listener)
            ->start();
      } else {
        std::make_shared<HttpSession<PlainStream>>(server, PlainStream(std::move(socket)), std::move(slot), listener)
            ->start();
      }
    }
    acceptNext(server, acceptor, listener, tls);
  });
}

}  // namespace

template <class Stream>
HttpSession<Stream>::HttpSession(Server& server, Stream stream, ConnectionSlot slot, Listener listener)
    : server_(server), stream_(std::move(stream)), slot_(std::move(slot)), listener_(listener) {}

template <class Stream>
void HttpSession<Stream>::start() {
  if constexpr (kIsTls<Stream>) {
    beast::get_lowest_layer(stream_).expires_after(kIdle);
    stream_.async_handshake(boost::asio::ssl::stream_base::server,
                            [self = this->shared_from_this()](beast::error_code error) {
                              if (!error) self->readNext();
                            });
  } else {
    readNext();
  }
}

template <class Stream>
void HttpSession<Stream>::closeSend() {
  if constexpr (kIsTls<Stream>) {
    beast::get_lowest_layer(stream_).expires_after(kIdle);
    stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {});
  } else {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }
}

template <class Stream>
void HttpSession<Stream>::refuse(http::status status, const char* body) {
  auto response = std::make_shared<HttpResponse>(status, 11);
  response->set(http::field::content_type, "application/json");
  response->body() = body;
  response->prepare_payload();
  response->keep_alive(false);
  http::async_write(stream_, *response,
                    [self = this->shared_from_this(), response](beast::error_code, std::size_t) { self->closeSend(); });
}

template <class Stream>
void HttpSession<Stream>::readNext() {
  parser_.emplace();
  parser_->body_limit(kMaxRequestBodyBytes);
  parser_->header_limit(16 * 1024);
  beast::get_lowest_layer(stream_).expires_after(kIdle);
  http::async_read(stream_, buffer_, *parser_,
                   [self = this->shared_from_this()](beast::error_code error, std::size_t) { self->onRead(error); });
}

template <class Stream>
void HttpSession<Stream>::onRead(beast::error_code error) {
  if (error == http::error::end_of_stream) return closeSend();
  if (error) {
    if (error == http::error::body_limit || error == http::error::header_limit) {
      refuse(http::status::payload_too_large, R"({"error":"too_large","message":"The request is too large."})");
    }
    return;
  }
  HttpRequest request = parser_->release();
  if (beast::websocket::is_upgrade(request)) {
    // The admin listener has no /sync. Dropping the session closes the socket.
    if (request.target() != "/sync" || listener_ == Listener::admin) return;
    if (!slot_.counted() &&
        !slot_.countAs(forwardedClient(request, server_.options().trustedProxies, slot_.address()))) {
      return refuse(
          http::status::service_unavailable,
          R"({"error":"too_many_connections","message":"This address holds as many connections as it may."})");
    }
    std::make_shared<WebSocketSession<Stream>>(server_, std::move(stream_), std::move(slot_))
        ->start(std::move(request));
    return;
  }
  if (listener_ == Listener::publicPort) {
    if (auto live = liveStream(server_, request)) {
      if (auto* refusal = std::get_if<HttpResponse>(&*live)) return write(std::move(*refusal), false);
      if (!slot_.counted() &&
          !slot_.countAs(forwardedClient(request, server_.options().trustedProxies, slot_.address()))) {
        return refuse(
            http::status::service_unavailable,
            R"({"error":"too_many_connections","message":"This address holds as many connections as it may."})");
      }
      auto& start = std::get<LiveStreamStart>(*live);
      std::make_shared<LiveSession<Stream>>(server_, std::move(stream_), std::move(slot_))
          ->start(start.head, *start.site, start.threadKey);
      return;
    }
  }
  const bool head = request.method() == http::verb::head;
  // The session reads its next request only after this answer is written, so one waits at most.
  LaterResponse later(
      [self = this->shared_from_this(), head](HttpResponse response) { self->write(std::move(response), head); });
  HttpResponse response = route(server_, request, later, listener_,
                                forwardedClient(request, server_.options().trustedProxies, slot_.address()));
  if (!later.taken()) write(std::move(response), head);
}

template <class Stream>
void HttpSession<Stream>::write(HttpResponse answer, bool head) {
  auto response = std::make_shared<HttpResponse>(std::move(answer));
  if (head) {
    // The GET's headers, Content-Length included, and no body: a body here would be read as the next response.
    const std::size_t length = response->body().size();
    response->body().clear();
    if (response->result() != http::status::not_modified) response->content_length(length);
  }
  bool keepAlive = response->keep_alive();
  beast::get_lowest_layer(stream_).expires_after(kIdle);
  http::async_write(stream_, *response,
                    [self = this->shared_from_this(), response, keepAlive](beast::error_code writeError, std::size_t) {
                      if (writeError) return;
                      if (!keepAlive) return self->closeSend();
                      self->readNext();
                    });
}

template class HttpSession<PlainStream>;
template class HttpSession<TlsStream>;

void listen(Server& server, const tcp::endpoint& endpoint, tcp::acceptor& acceptor, Listener listener,
            boost::asio::ssl::context* tls) {
  acceptor.open(endpoint.protocol());
  acceptor.set_option(boost::asio::socket_base::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(boost::asio::socket_base::max_listen_connections);
  acceptNext(server, acceptor, listener, tls);
}

}  // namespace kring::server
