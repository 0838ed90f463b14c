// Hands one composed message (composeMail) to an SMTP relay with libcurl and says what the caller should do
// next: forget it, try again later, or give up. No logging and no retry here: the caller owns both.
#pragma once

#include <memory>
#include <mutex>
#include <string>

namespace kring::server {

struct SmtpSettings {
  // smtp://host:port (STARTTLS, required when requireTls) or smtps://host:port (TLS from the first byte).
  // Only these two schemes are accepted: the constructor refuses others and curl is told to reach no other.
  std::string url;
  // Refuse to send unless the smtp:// session upgrades with STARTTLS. False only for loopback test sinks.
  bool requireTls = true;
  std::string username;  // empty: no AUTH
  std::string password;
  std::string caFile;        // optional CA bundle for a relay with a private CA; empty: the system store
  long timeoutSeconds = 30;  // both the connect timeout and the whole transaction's
};

enum class SmtpVerdict {
  sent,  // the relay accepted the message (250 after DATA)
  // Any 4xx; connection, TLS or timeout failure; and a 5xx to anything but RCPT or DATA (greeting, EHLO,
  // STARTTLS, AUTH, MAIL FROM), since those refuse this server's setup, not the recipient or the message.
  retryLater,
  // A 5xx to RCPT or DATA (the recipient or the message refused for good), or a recipient that fails
  // mailAddressProblem: sending this mail to this address again cannot help.
  permanentFailure,
};

struct SmtpResult {
  SmtpVerdict verdict = SmtpVerdict::retryLater;
  long responseCode = 0;  // the last SMTP reply code, 0 when none was received
  std::string detail;     // curl's error text and code, for the caller's log; empty when sent
};

// curl_global_init exactly once per process (thread-safe); SmtpSender calls it, so calling it is only needed
// when the process wants it done early, before worker threads start.
void initCurlOnce();

// One curl handle, kept between sends so an open connection to the relay is reused. A handle is not
// thread-safe: send() holds a mutex, so concurrent calls queue; for parallel sending use a sender per worker.
class SmtpSender {
 public:
  // Throws std::invalid_argument for a URL that is not smtp:// or smtps://, std::runtime_error when curl
  // cannot make a handle.
  explicit SmtpSender(SmtpSettings settings);
  ~SmtpSender();
  SmtpSender(const SmtpSender&) = delete;
  SmtpSender& operator=(const SmtpSender&) = delete;

  // `message` is the full RFC 5322 text with CRLF line endings. Both addresses are plain addr-specs (no <>),
  // checked with mailAddressProblem before any network use: a bad recipient is permanentFailure, a bad
  // envelope sender (configuration) retryLater.
  SmtpResult send(const std::string& envelopeFrom, const std::string& recipient, const std::string& message);

 private:
  struct HandleCloser {
    void operator()(void* handle) const;
  };

  SmtpSettings settings_;
  std::mutex sending_;
  std::unique_ptr<void, HandleCloser> handle_;  // CURL*; void so this header does not pull in curl.h
};

}  // namespace kring::server
