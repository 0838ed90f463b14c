// One accepted TCP connection: HTTP requests until it upgrades to the sync WebSocket.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <memory>
#include <optional>

#include "connection_slot.h"
#include "http_routes.h"
#include "server.h"

namespace kring::server {

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(Server& server, boost::asio::ip::tcp::socket socket, ConnectionSlot slot, Listener listener);
  void start() { readNext(); }

 private:
  void readNext();
  void onRead(boost::beast::error_code error);
  // Writes the answer (headers only for a HEAD), then reads the next request unless it closes.
  void write(HttpResponse response, bool head);
  void tooManyConnections();

  Server& server_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  ConnectionSlot slot_;
  Listener listener_;
};

// Accepts connections and hands each to an HttpSession, within the per-address limit.
void listen(Server& server, const boost::asio::ip::tcp::endpoint& endpoint, boost::asio::ip::tcp::acceptor& acceptor,
            Listener listener = Listener::publicPort);

}  // namespace kring::server
