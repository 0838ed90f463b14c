// kring-server's shared state: the sites, the limits, and the bookkeeping every connection
// consults. Lives on the io thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "auth/token.h"
#include "auth/trusted_proxies.h"
#include "console/console_gate.h"
#include "observe/server_metrics.h"
#include "store/store_health.h"
#include "sync/site_host.h"
#include "util/hourly_budget.h"
#include "util/rate_limiter.h"

namespace kring::server {

class MailDelivery;
class WebhookDelivery;

struct ServerOptions {
  std::string staticDirectory;  // demo-site/
  std::string widgetDirectory;  // served under /kring/
  std::size_t maxConnectionsPerIp = 64;
  std::size_t maxConnections = 20'000;  // all addresses together
  // Peers whose Forwarded or X-Forwarded-For names the client (a reverse proxy): their WebSocket
  // connections count against the forwarded address, their own only against the global cap.
  TrustedProxies trustedProxies;
  std::size_t maxSendQueueBytes = 8 << 20;       // a reader slower than this is disconnected
  std::size_t maxSnapshotQueueBytes = 64 << 20;  // the same for thread snapshots waiting to go out
  std::size_t maxSubscriptions = 64;
  std::uint32_t opsPerSecond = 10, opsBurst = 30;  // per connection
  std::uint32_t memberOpsPerSecond = 20, memberOpsBurst = 60;
  std::uint32_t framesPerSecond = 200, framesBurst = 400;  // anything past this is a flood
  std::int64_t tokenLeewaySeconds = 0;                     // clock skew forgiven on a token's nbf, iat and exp
  unsigned helloTimeoutSeconds = 10;                       // a WebSocket that has not said Hello by then is closed
  // Per-address limits count an IPv6 client by its network of this many leading bits (one
  // subscriber commonly holds a whole /64); an IPv4 client by its address.
  unsigned ipv6PrefixBits = 64;
  std::uint64_t faultPingNonce = 0;      // test aid: a Ping with this nonce throws in its handler; 0 off
  unsigned faultConsoleReadDelayMs = 0;  // test aid: each console read sleeps this long first; 0 off
  // With a separate admin listener the console, /api/ and /metrics are answered only there.
  bool adminListener = false;
  // Without an admin listener the console and /api/ answer clients on loopback only, unless this is set.
  bool publicAdmin = false;
  // Without an admin listener, GET /metrics on the public port needs "Authorization: Bearer <key>"
  // with this key; empty: /metrics is not served there.
  std::string metricsKey;
};

class Server {
 public:
  Server(boost::asio::io_context& io, ServerOptions options)
      : io_(io),
        options_(std::move(options)),
        // A minute without console reads: the sites' read views go (each a copy of its site).
        console_(io, options_.ipv6PrefixBits, std::chrono::milliseconds(options_.faultConsoleReadDelayMs), [this] {
          for (const auto& [id, site] : sites_) site->releaseReadView();
        }) {}

  boost::asio::io_context& io() { return io_; }
  const ServerOptions& options() const { return options_; }
  // The clock rules for the site's tokens: the server's leeway, the site's longest lifetime.
  TokenRules tokenRules(const SiteConfig& config) const {
    return TokenRules{options_.tokenLeewaySeconds, config.maxTokenLifetimeMinutes * 60};
  }

  // The site's live changes are rendered on the io thread after the commits that cause them.
  void addSite(std::unique_ptr<SiteHost> site) {
    site->setDefer([this](std::function<void()> publish) { boost::asio::post(io_, std::move(publish)); });
    sites_[site->config().id] = std::move(site);
  }
  SiteHost* site(const std::string& id) {
    auto it = sites_.find(id);
    return it == sites_.end() ? nullptr : it->second.get();
  }
  const std::map<std::string, std::unique_ptr<SiteHost>>& sites() const { return sites_; }

  // Connection slots: one of the global cap's, and one of its address's unless the peer is a
  // trusted proxy (ConnectionSlot holds them). False when either is full.
  bool admitConnection();
  void releaseConnection() { --connections_; }
  bool admitAddress(const std::string& address);
  void releaseAddress(const std::string& address);
  bool isTrustedProxy(const boost::asio::ip::address& address) const {
    return options_.trustedProxies.contains(address);
  }
  std::size_t connections() const { return connections_; }
  ServerMetrics& metrics() { return metrics_; }
  // The outbox's mail delivery, when a site mails (set once at start-up; /unsubscribe uses it).
  void setMailDelivery(MailDelivery* delivery) { mailDelivery_ = delivery; }
  MailDelivery* mailDelivery() const { return mailDelivery_; }
  void setWebhookDelivery(WebhookDelivery* delivery) { webhookDelivery_ = delivery; }
  WebhookDelivery* webhookDelivery() const { return webhookDelivery_; }
  // Whether the store takes writes (set once at start-up; /healthz and /metrics read it).
  void setStoreHealth(const StoreHealth* health) { storeHealth_ = health; }
  const StoreHealth* storeHealth() const { return storeHealth_; }

  // Shared per-member op budget across that member's connections. Budgets that are full again are
  // forgotten whenever the map has doubled since the last sweep, so it holds only recent members.
  bool allowMemberOp(const std::string& siteId, const std::string& memberId, std::int64_t nowMs);
  // The console API's limits and its reader thread.
  ConsoleGate& console() { return console_; }
  // A new guest, and a guest's post, from `client` (its clientNetwork) on the site: within the
  // site's hourly budgets for one address (site_config.h)?
  bool allowNewGuest(const SiteConfig& site, const std::string& client, std::int64_t nowMs) {
    return newGuests_.allow(site.id + '\n' + clientNetwork(client, options_.ipv6PrefixBits),
                            site.newGuestsPerAddressPerHour, nowMs);
  }
  bool allowGuestPost(const SiteConfig& site, const std::string& client, std::int64_t nowMs) {
    return guestPosts_.allow(site.id + '\n' + clientNetwork(client, options_.ipv6PrefixBits),
                             site.guestPostsPerAddressPerHour, nowMs);
  }
  // A request to /unsubscribe from `client`: each is an HMAC check, and a POST a write on the delivery
  // thread, so one address (its clientNetwork) gets kUnsubscribesPerAddressPerHour of them.
  static constexpr std::uint32_t kUnsubscribesPerAddressPerHour = 60;
  bool allowUnsubscribe(const std::string& client, std::int64_t nowMs) {
    return unsubscribes_.allow(clientNetwork(client, options_.ipv6PrefixBits), kUnsubscribesPerAddressPerHour, nowMs);
  }
  std::size_t memberBudgets() const { return memberLimits_.size(); }
  // A page whose origin no site allows asked for the widget's files: logged once per origin (the
  // operator's clue), remembering at most kRefusedOriginsLogged of them before starting over.
  void noteRefusedOrigin(std::string_view origin);
  static constexpr std::size_t kRefusedOriginsLogged = 1000;

  // Sessions register to be closed on shutdown, and forget themselves when they end.
  std::uint64_t onShutdown(std::function<void()> close) {
    closers_.emplace(++nextCloser_, std::move(close));
    return nextCloser_;
  }
  void forget(std::uint64_t closer) { closers_.erase(closer); }
  void shutdown();
  bool stopping() const { return stopping_; }

 private:
  boost::asio::io_context& io_;
  ServerOptions options_;
  std::map<std::string, std::unique_ptr<SiteHost>> sites_;
  MailDelivery* mailDelivery_ = nullptr;
  WebhookDelivery* webhookDelivery_ = nullptr;
  std::unordered_map<std::string, std::size_t> perAddress_;
  std::size_t connections_ = 0;
  std::unordered_map<std::string, RateLimiter> memberLimits_;
  std::size_t nextMemberSweep_ = 64;
  HourlyBudget newGuests_;
  HourlyBudget guestPosts_;
  HourlyBudget unsubscribes_;
  std::unordered_set<std::string> refusedOrigins_;
  std::unordered_map<std::uint64_t, std::function<void()>> closers_;
  std::uint64_t nextCloser_ = 0;
  bool stopping_ = false;
  ServerMetrics metrics_;
  const StoreHealth* storeHealth_ = nullptr;
  // Last: its thread stops first, before what its reads' answers reach.
  ConsoleGate console_;
};

}  // namespace kring::server
