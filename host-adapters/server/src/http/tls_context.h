// The public listener's TLS (--tls-cert, --tls-key): for a server with no proxy in front to end TLS.
#pragma once

#include <boost/asio/ssl/context.hpp>

#include <optional>
#include <string>

namespace kring::server {

// A server context from a PEM certificate chain and its PEM private key, TLS 1.2 and later. Nullopt
// with `error` naming the file and what is wrong with it (missing, not PEM, a key that does not match).
std::optional<boost::asio::ssl::context> loadTlsContext(const std::string& certificateFile, const std::string& keyFile,
                                                        std::string& error);

}  // namespace kring::server
