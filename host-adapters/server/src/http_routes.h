// Plain HTTP: health, static files (demo site, widget bundle) and the per-site admin API.
#pragma once

#include <boost/beast/http.hpp>

#include <functional>
#include <string>
#include <string_view>

#include "http_message.h"
#include "server.h"

namespace kring::server {

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

// Which listener a request came in on: with a separate admin listener (--admin-port) the console,
// /api/ and /metrics are answered only there; the public one has the widget, /sync, /healthz and pages.
enum class Listener { publicPort, admin };

// `client` is the asking address, through trusted proxies (forwarded_for.h).
HttpResponse route(Server& server, const HttpRequest& request, LaterResponse& later, Listener listener,
                   const std::string& client);

// Every answer carries the server's name and nosniff; the body's type is the caller's.
HttpResponse respond(const HttpRequest& request, boost::beast::http::status status, std::string body,
                     std::string_view type);
// {"error": code, "message": message} as JSON.
HttpResponse errorResponse(const HttpRequest& request, boost::beast::http::status status, std::string_view code,
                           std::string_view message);

}  // namespace kring::server
