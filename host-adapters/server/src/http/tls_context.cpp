#include "http/tls_context.h"

namespace kring::server {

namespace ssl = boost::asio::ssl;

StartupResult<ssl::context> loadTlsContext(const std::string& certificateFile, const std::string& keyFile) {
  const auto refuse = [](std::string message) { return StartupFailure{StartupError::badTls, std::move(message)}; };
  if (certificateFile.empty() || keyFile.empty()) {
    return refuse("--tls-cert and --tls-key go together");
  }
  ssl::context context(ssl::context::tls_server);
  context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                      ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
  boost::system::error_code failure;
  context.use_certificate_chain_file(certificateFile, failure);
  if (failure) {
    return refuse("--tls-cert " + certificateFile + ": " + failure.message() + " (a PEM certificate chain is needed)");
  }
  context.use_private_key_file(keyFile, ssl::context::pem, failure);
  if (failure) {
    return refuse("--tls-key " + keyFile + ": " + failure.message() + " (the PEM private key of --tls-cert is needed)");
  }
  return context;
}

}  // namespace kring::server
