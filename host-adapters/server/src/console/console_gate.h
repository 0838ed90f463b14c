// What the console API keeps between requests (docs/console.md, "Limits"): failed sign-ins per
// client network, requests and reads under way per credential, and the reader thread. Lives on the
// io thread (the reader hands its answers back there).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "auth/webhook_endpoints.h"
#include "console/console_reader.h"
#include "util/rate_limiter.h"

namespace kring::server {

// Reads that may wait for the reader thread, over all sites; then 503 with Retry-After.
constexpr std::size_t kConsoleReadsWaiting = 16;
constexpr unsigned kConsoleReadsPerCredential = 2;

class ConsoleGate {
 public:
  // `idle` runs once no read has been asked for a minute (the server lets go of its read views).
  // `ipv6PrefixBits` counts an IPv6 client by its network (clientNetwork); `readDelay` is a test aid.
  ConsoleGate(boost::asio::io_context& io, unsigned ipv6PrefixBits, std::chrono::milliseconds readDelay,
              std::function<void()> idle);

  // Failed sign-ins per client: a burst of 10, then one a second. While a client's are used up,
  // its sign-ins are refused before they are checked.
  bool signInThrottled(const std::string& client, std::int64_t nowMs) const;
  void signInFailed(const std::string& client, std::int64_t nowMs);
  // Requests per signed-in credential (site and member): 10 a second, bursts of 30.
  bool allowRequest(const std::string& credential, std::int64_t nowMs);
  // Reads under way per credential: at most kConsoleReadsPerCredential at once.
  bool beginRead(const std::string& credential);
  void endRead(const std::string& credential);
  ConsoleReader& reader() { return reader_; }
  // A member's mail contact as JSON (null without one), for their data export; called on the reader
  // thread. Empty when the store keeps none.
  using ContactReader = std::function<boost::json::value(const std::string& siteId, const std::string& memberId)>;
  void setContacts(ContactReader reader) { contacts_ = std::move(reader); }
  const ContactReader& contacts() const { return contacts_; }
  // The outbox's dead deliveries (notify/dead_letters.h): empty functions when no outbox is
  // started (a command that serves no site).
  struct DeadLetters {
    std::function<boost::json::value(const std::string& siteId)> list;
    std::function<bool(const std::string& siteId, std::string_view kind, std::int64_t id, std::int64_t now)> retry;
  };
  void setDeadLetters(DeadLetters letters) { deadLetters_ = std::move(letters); }
  const DeadLetters& deadLetters() const { return deadLetters_; }
  // Where the console's webhook endpoints are kept (notify/console_webhooks.h): empty functions when
  // no outbox is started. Each throws on a store failure.
  struct ConsoleWebhookStore {
    std::function<WebhookEndpointList(const std::string& siteId)> list;
    std::function<bool(const std::string& siteId, const WebhookEndpoint& endpoint, std::int64_t now)> add;
    std::function<bool(const std::string& siteId, const std::string& url, const std::vector<std::string>& secrets)>
        setSecrets;
    std::function<bool(const std::string& siteId, const std::string& url)> remove;
  };
  void setWebhookStore(ConsoleWebhookStore store) { webhookStore_ = std::move(store); }
  const ConsoleWebhookStore& webhookStore() const { return webhookStore_; }
  std::chrono::milliseconds readDelay() const { return readDelay_; }

 private:
  const unsigned ipv6PrefixBits_;
  const std::chrono::milliseconds readDelay_;
  std::unordered_map<std::string, RateLimiter> signInFailures_;
  std::size_t nextSignInSweep_ = 64;
  std::unordered_map<std::string, RateLimiter> requests_;
  std::size_t nextRequestSweep_ = 64;
  std::unordered_map<std::string, unsigned> reads_;  // only credentials with reads under way
  ContactReader contacts_;
  DeadLetters deadLetters_;
  ConsoleWebhookStore webhookStore_;
  // Last: its thread stops first, before what its reads' answers reach.
  ConsoleReader reader_;
};

}  // namespace kring::server
