// Plain HTTP: health, static files (demo site, widget bundle) and the per-site admin API.
#pragma once

#include <boost/beast/http.hpp>

#include <functional>
#include <string>
#include <string_view>

#include "app/server.h"
#include "http/http_message.h"

namespace kring::server {

// Which listener a request came in on: with a separate admin listener (--admin-port) the console,
// /api/ and /metrics are answered only there; the public one has the widget, /sync, /healthz and pages.
enum class Listener { publicPort, admin };

// `client` is the asking address, through trusted proxies (forwarded_for.h).
HttpResponse route(Server& server, const HttpRequest& request, LaterResponse& later, Listener listener,
                   const std::string& client);

}  // namespace kring::server
