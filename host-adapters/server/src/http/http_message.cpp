#include "http/http_message.h"

#include <boost/json.hpp>

namespace kring::server {

namespace http = boost::beast::http;

HttpRequest headOf(const HttpRequest& request) {
  HttpRequest head;
  head.version(request.version());
  head.keep_alive(request.keep_alive());
  return head;
}

HttpResponse respond(const HttpRequest& request, http::status status, std::string body, std::string_view type) {
  HttpResponse response(status, request.version());
  response.set(http::field::server, "kring-server");
  response.set(http::field::content_type, type);
  response.set("X-Content-Type-Options", "nosniff");
  response.keep_alive(request.keep_alive());
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

HttpResponse errorResponse(const HttpRequest& request, http::status status, std::string_view code,
                           std::string_view message, std::string_view field) {
  boost::json::object body{{"error", code}, {"message", message}};
  if (!field.empty()) body["field"] = field;
  return respond(request, status, boost::json::serialize(body), "application/json");
}

HttpResponse jsonResponse(const HttpRequest& request, boost::beast::http::status status,
                          const boost::json::value& value) {
  return respond(request, status, boost::json::serialize(value), "application/json");
}

}  // namespace kring::server
