// The public listener's TLS (--tls-cert, --tls-key): for a server with no proxy in front to end TLS.
#pragma once

#include <boost/asio/ssl/context.hpp>

#include <string>

#include "util/startup_error.h"

namespace kring::server {

// A server context from a PEM certificate chain and its PEM private key, TLS 1.2 and later; or
// bad_tls naming the file and what is wrong with it (missing, not PEM, a key that does not match).
StartupResult<boost::asio::ssl::context> loadTlsContext(const std::string& certificateFile, const std::string& keyFile);

}  // namespace kring::server
