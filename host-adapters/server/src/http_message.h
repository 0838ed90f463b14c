// The HTTP messages every handler speaks, apart from the routes (so the server's parts can name them).
#pragma once

#include <boost/beast/http.hpp>

namespace kring::server {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

// What an answer given later needs of its request (not its body).
HttpRequest headOf(const HttpRequest& request);

}  // namespace kring::server
