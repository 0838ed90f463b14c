// GET /metrics: the server's metrics in the Prometheus text exposition format, version 0.0.4.
#pragma once

#include <string>

#include "app/server.h"

namespace kring::server {

inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

std::string prometheusText(Server& server);

}  // namespace kring::server
