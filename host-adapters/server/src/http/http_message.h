// The HTTP messages every handler speaks, and the answers every one gives: apart from the routes,
// so the console and the sessions need not include them.
#pragma once

#include <boost/beast/http.hpp>
#include <boost/json/fwd.hpp>

#include <functional>
#include <string>
#include <string_view>

namespace kring::server {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

// What an answer given later needs of its request (not its body).
HttpRequest headOf(const HttpRequest& request);

// A handler that answers later (an op the database sequences before this server applies it) takes
// the responder and returns a placeholder; the session writes what the responder is given, once,
// on the io thread (at once when the answer is ready at once).
class LaterResponse {
 public:
  using Respond = std::function<void(HttpResponse)>;
  explicit LaterResponse(Respond respond) : respond_(std::move(respond)) {}
  Respond take() {
    taken_ = true;
    return std::move(respond_);
  }
  bool taken() const { return taken_; }

 private:
  Respond respond_;
  bool taken_ = false;
};

// Every answer carries the server's name and nosniff; the body's type is the caller's.
HttpResponse respond(const HttpRequest& request, boost::beast::http::status status, std::string body,
                     std::string_view type);
// The value as application/json.
HttpResponse jsonResponse(const HttpRequest& request, boost::beast::http::status status,
                          const boost::json::value& value);
// {"error": code, "message": message} as JSON, with "field": the input it names, when there is one.
HttpResponse errorResponse(const HttpRequest& request, boost::beast::http::status status, std::string_view code,
                           std::string_view message, std::string_view field = {});

}  // namespace kring::server
