#include "server_test_ops.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace kring::testing {

HttpResult httpRequest(unsigned short port, const std::string& target, const std::string& authorization,
                       boost::beast::http::verb verb, const std::string& body,
                       const std::vector<std::pair<std::string, std::string>>& headers) {
  namespace http = boost::beast::http;
  boost::asio::io_context io;
  boost::beast::tcp_stream stream(io);
  stream.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
  http::request<http::string_body> request(verb, target, 11);
  request.set(http::field::host, "127.0.0.1");
  if (!authorization.empty()) request.set(http::field::authorization, authorization);
  if (!body.empty()) request.set(http::field::content_type, "application/json");
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = body;
  request.prepare_payload();
  http::write(stream, request);
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(stream, buffer, response);
  return {response.result_int(),
          response.body(),
          std::string(response[http::field::content_type]),
          std::string(response[http::field::content_disposition]),
          std::string(response[http::field::retry_after]),
          std::string(response[http::field::link]),
          std::string(response[http::field::etag]),
          std::string(response[http::field::cache_control]),
          std::string(response[http::field::access_control_allow_origin]),
          std::string(response[http::field::content_encoding])};
}

}  // namespace kring::testing
