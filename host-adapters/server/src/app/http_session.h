// One accepted TCP connection: HTTP requests until it upgrades to the sync WebSocket. Over plain
// TCP or TLS (session_stream.h).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <memory>
#include <optional>

#include "app/connection_slot.h"
#include "app/http_routes.h"
#include "app/server.h"
#include "http/session_stream.h"

namespace kring::server {

template <class Stream>
class HttpSession : public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  HttpSession(Server& server, Stream stream, ConnectionSlot slot, Listener listener);
  // Reads the first request (after the TLS handshake on a TLS stream).
  void start();

 private:
  void readNext();
  void onRead(boost::beast::error_code error);
  // Writes the answer (headers only for a HEAD), then reads the next request unless it closes.
  void write(HttpResponse response, bool head);
  // Writes a JSON error and closes the connection once it is written.
  void refuse(boost::beast::http::status status, const char* body);
  // No more to send on this connection (TLS: its close_notify first).
  void closeSend();

  Server& server_;
  Stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  ConnectionSlot slot_;
  Listener listener_;
};

// Accepts connections and hands each to an HttpSession, within the per-address limit; with `tls`
// (the public listener under --tls-cert) each speaks TLS first.
void listen(Server& server, const boost::asio::ip::tcp::endpoint& endpoint, boost::asio::ip::tcp::acceptor& acceptor,
            Listener listener = Listener::publicPort, boost::asio::ssl::context* tls = nullptr);

}  // namespace kring::server
