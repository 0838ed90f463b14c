// Plain HTTP: health, static files (demo site, widget bundle) and the per-site admin API.
#pragma once

#include <boost/beast/http.hpp>

#include <string>
#include <string_view>

#include "server.h"

namespace kring::server {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

HttpResponse route(Server& server, const HttpRequest& request);

// Every answer carries the server's name and nosniff; the body's type is the caller's.
HttpResponse respond(const HttpRequest& request, boost::beast::http::status status, std::string body,
                     std::string_view type);
// {"error": code, "message": message} as JSON.
HttpResponse errorResponse(const HttpRequest& request, boost::beast::http::status status, std::string_view code,
                           std::string_view message);

}  // namespace kring::server
