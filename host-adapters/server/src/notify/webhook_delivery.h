// Delivers the site's webhooks (docs/webhooks.md) on a thread of its own (outbox_thread.h), so that a
// slow endpoint holds up neither the ops nor the mails.
//  - Rows are written in the op's own transaction (store/op_log.h), one per endpoint and event.
//  - The payload is read from the site when the row goes (webhook_events.h) and signed as Standard
//    Webhooks says: webhook-id (the same on every try: the receiver's idempotency key),
//    webhook-timestamp, webhook-signature (one v1 signature per secret, for rotation).
//  - A 2xx delivers; anything else is tried again with backoff and jitter for up to a day, then the
//    row is dead. A target the SSRF guard refuses is dead at once.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "auth/site_config.h"
#include "notify/outbox_statement.h"
#include "notify/outbox_thread.h"
#include "notify/webhook_sender.h"
#include "sync/read_view.h"

namespace kring::server {

struct WebhookDeliveryOptions {
  std::chrono::milliseconds firstRetry{30'000};
  std::chrono::milliseconds maxRetry{2 * 3'600'000};
  std::chrono::milliseconds giveUpAfter{24 * 3'600'000};
  std::chrono::milliseconds timeout{10'000};  // one request, connection included
  std::chrono::milliseconds poll{1'000};
};

struct WebhookDeliveryStats {
  std::uint64_t delivered = 0, skipped = 0, retried = 0, dead = 0;
};

class WebhookDelivery {
 public:
  WebhookDelivery(std::shared_ptr<const OutboxDatabase> database, std::vector<SiteConfig> sites, SiteReads reads,
                  WebhookDeliveryOptions options = {});
  ~WebhookDelivery();
  WebhookDelivery(const WebhookDelivery&) = delete;
  WebhookDelivery& operator=(const WebhookDelivery&) = delete;

  void wake();
  WebhookDeliveryStats stats();

 private:
  struct Row;
  struct Outgoing;
  struct Site {
    SiteConfig config;
    std::vector<std::unique_ptr<WebhookSender>> senders;  // one per connection (webhooks.connections)
  };
  bool deliverDue();  // true when rows were due
  // With several servers, the endpoints another server's console set, every few seconds: every
  // server makes rows for them, and this one signs with their newest secrets.
  void readConsoleEndpoints();
  // A row's request, signed and ready to go; nullopt when it goes nowhere (why is in `marks`).
  std::optional<Outgoing> prepare(Row& row, Site& site, RowMarks& marks, std::int64_t now);
  // The site's rows' payloads, read on the io thread: false when the site cannot be read now.
  bool readPayloads(const Site& site, const std::vector<Row*>& rows, std::int64_t now);
  // What the endpoint said, as a mark on the row.
  void record(const Outgoing& request, RowMarks& marks);

  std::map<std::string, Site> sites_;
  std::size_t lanes_ = 1;  // the most connections a site has: requests under way at once
  SiteReads reads_;
  WebhookDeliveryOptions options_;
  std::shared_ptr<const OutboxDatabase> database_;
  OutboxConnection* db_ = nullptr;  // the thread's connection, used on it only
  std::int64_t endpointsReadAt_ = 0;
  std::mutex mutex_;  // the stats
  WebhookDeliveryStats stats_;
  std::uint64_t jitter_ = 0x2545f4914f6cdd1dull;
  std::unique_ptr<OutboxThread> thread_;  // last: it runs on everything above
};

}  // namespace kring::server
