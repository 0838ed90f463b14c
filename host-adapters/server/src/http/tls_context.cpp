#include "http/tls_context.h"

namespace kring::server {

namespace ssl = boost::asio::ssl;

std::optional<ssl::context> loadTlsContext(const std::string& certificateFile, const std::string& keyFile,
                                           std::string& error) {
  if (certificateFile.empty() || keyFile.empty()) {
    error = "--tls-cert and --tls-key go together";
    return std::nullopt;
  }
  ssl::context context(ssl::context::tls_server);
  context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                      ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
  boost::system::error_code failure;
  context.use_certificate_chain_file(certificateFile, failure);
  if (failure) {
    error = "--tls-cert " + certificateFile + ": " + failure.message() + " (a PEM certificate chain is needed)";
    return std::nullopt;
  }
  context.use_private_key_file(keyFile, ssl::context::pem, failure);
  if (failure) {
    error = "--tls-key " + keyFile + ": " + failure.message() + " (the PEM private key of --tls-cert is needed)";
    return std::nullopt;
  }
  return context;
}

}  // namespace kring::server
