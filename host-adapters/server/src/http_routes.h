// Plain HTTP: health, static files (demo site, widget bundle) and the per-site admin API.
#pragma once

#include <boost/beast/http.hpp>

#include "server.h"

namespace kring::server {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

HttpResponse route(Server& server, const HttpRequest& request);

}  // namespace kring::server
