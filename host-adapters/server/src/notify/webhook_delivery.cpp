#include "notify/webhook_delivery.h"

#include <algorithm>
#include <optional>
#include <stdexcept>

#include "auth/webhook_signature.h"
#include "notify/console_webhooks.h"
#include "notify/outbox_statement.h"
#include "observe/logging.h"
#include "sync/webhook_events.h"
#include "util/clock.h"
#include "util/lanes.h"

namespace kring::server {

namespace {

constexpr std::int64_t kBatch = 100;
constexpr std::int64_t kReadEndpointsEveryMs = 2'000;

}  // namespace

struct WebhookDelivery::Row {
  std::int64_t id = 0;
  std::string site;
  Sequence sequence = 0;
  std::string url;
  WebhookEvent event;
  std::int64_t createdAt = 0;
  std::int64_t attempts = 0;
  std::optional<std::string> payload;  // as the site holds the subject when it goes; none: gone
};

// One request of a round, signed and ready to go.
struct WebhookDelivery::Outgoing {
  Row* row = nullptr;
  Site* site = nullptr;
  std::string payload;
  std::vector<std::string> headers;
  std::optional<WebhookResult> result;  // none: the round stopped before it went
};

WebhookDelivery::WebhookDelivery(std::shared_ptr<const OutboxDatabase> database, std::vector<SiteConfig> sites,
                                 SiteReads reads, WebhookDeliveryOptions options)
    : reads_(std::move(reads)), options_(options), database_(std::move(database)) {
  // Every site: its admins may add endpoints in the console at any time. A site's senders (a
  // connection each) are made when its first request goes.
  for (SiteConfig& config : sites) {
    lanes_ = std::max<std::size_t>(lanes_, config.webhooks.connections);
    std::string id = config.id;
    sites_.emplace(std::move(id), Site{std::move(config), {}});
  }
  thread_ = std::make_unique<OutboxThread>(*database_, "webhook_deliveries", "webhook_outbox_unavailable",
                                           options_.poll, [this](OutboxConnection& db) {
                                             db_ = &db;
                                             return deliverDue();
                                           });
}

WebhookDelivery::~WebhookDelivery() { thread_.reset(); }

void WebhookDelivery::wake() { thread_->wake(); }

WebhookDeliveryStats WebhookDelivery::stats() {
  std::lock_guard lock(mutex_);
  return stats_;
}

void WebhookDelivery::readConsoleEndpoints() {
  const std::int64_t now = nowMilliseconds();
  if (!database_->sharedByServers() || now - endpointsReadAt_ < kReadEndpointsEveryMs) return;
  endpointsReadAt_ = now;
  for (auto& [id, site] : sites_) {
    if (site.config.webhooks.live) site.config.webhooks.live->setFromConsole(consoleWebhooks(*db_, id));
  }
}

bool WebhookDelivery::deliverDue() {
  readConsoleEndpoints();
  std::vector<Row> rows;
  const std::optional<DeliveredSites> delivered = deliveredSites(*database_, sites_, 3);
  if (!delivered) return false;
  {
    OutboxStatement due(*db_,
                        "SELECT id, site, seq, url, type, subject, thread_key, created_ms, attempts "
                        "FROM webhook_deliveries WHERE state = 0 AND due_ms <= $1" +
                            delivered->condition + " ORDER BY due_ms, id LIMIT $2");
    due.bind(1, nowMilliseconds()).bind(2, kBatch);
    delivered->bind(due, 3);
    while (due.row()) {
      Row row;
      row.id = due.integer(0);
      row.site = due.text(1);
      row.sequence = static_cast<Sequence>(due.integer(2));
      row.url = due.text(3);
      row.event = WebhookEvent{due.text(4), due.text(5), due.text(6)};
      row.createdAt = due.integer(7);
      row.attempts = due.integer(8);
      rows.push_back(std::move(row));
    }
  }
  const std::int64_t now = nowMilliseconds();
  RowMarks marks("webhook_deliveries");
  // Each request goes as soon as it is signed, a site's `connections` at a time, while the next is
  // signed; the rows are marked after, in one transaction.
  for (auto& [id, site] : sites_) {
    if (!site.senders.empty() || std::none_of(rows.begin(), rows.end(), [&](const Row& row) { return row.site == id; }))
      continue;
    for (std::uint32_t i = 0; i < site.config.webhooks.connections; ++i) {
      site.senders.push_back(
          std::make_unique<WebhookSender>(site.config.webhooks.allowPrivateTargets, options_.timeout));
    }
  }
  Lanes<Outgoing> lanes(lanes_, [this](std::size_t lane, Outgoing& request) {
    if (thread_->stopping()) return;
    WebhookSender& sender = *request.site->senders[lane % request.site->senders.size()];
    request.result = sender.post(request.row->url, request.payload, request.headers);
  });
  for (const auto& [siteId, siteRows] : rowsBySite(rows, sites_, "site_has_no_webhooks", marks, now)) {
    // A stopping server answers no read (each ask would wait): the rows wait for the next start.
    if (thread_->stopping()) return true;
    Site& site = sites_.at(siteId);
    if (!readPayloads(site, siteRows, now)) {
      for (Row* row : siteRows) marks.postpone(row->id, now + 500);
      continue;
    }
    for (Row* row : siteRows) {
      if (std::optional<Outgoing> request = prepare(*row, site, marks, now)) lanes.add(std::move(*request));
    }
  }
  for (const Outgoing& request : lanes.finish()) {
    if (request.result) record(request, marks);
  }
  marks.write(*db_);
  return !rows.empty();
}

bool WebhookDelivery::readPayloads(const Site& site, const std::vector<Row*>& rows, std::int64_t now) {
  Sequence newest = 0;
  auto events = std::make_shared<std::vector<WebhookEvent>>();
  for (const Row* row : rows) {
    newest = std::max(newest, row->sequence);
    events->push_back(row->event);
  }
  auto payloads = std::make_shared<std::vector<std::optional<std::string>>>();
  if (!reads_(site.config.id, newest, [events, payloads, now, pages = site.config.threadPages](const Engine& engine) {
        for (const WebhookEvent& event : *events) payloads->push_back(webhookPayload(engine, event, now, pages));
      })) {
    return false;
  }
  for (std::size_t i = 0; i < rows.size(); ++i) rows[i]->payload = std::move((*payloads)[i]);
  return true;
}

std::optional<WebhookDelivery::Outgoing> WebhookDelivery::prepare(Row& row, Site& site, RowMarks& marks,
                                                                  std::int64_t now) {
  auto skip = [&](const char* why) {
    marks.finish(row.id, RowState::skipped, why, row.attempts, now);
    std::lock_guard lock(mutex_);
    stats_.skipped += 1;
  };
  const auto endpoints = currentEndpoints(site.config.webhooks);
  auto endpoint = std::find_if(endpoints->begin(), endpoints->end(),
                               [&](const WebhookEndpoint& candidate) { return candidate.url == row.url; });
  if (endpoint == endpoints->end()) {
    skip("endpoint_removed");
    return std::nullopt;
  }
  std::optional<std::string>& payload = row.payload;
  if (!payload) {
    skip("subject_gone");
    return std::nullopt;
  }
  std::vector<std::string> keys;
  for (const std::string& secret : endpoint->secrets) {
    if (std::optional<std::string> key = webhookSecretKey(secret)) keys.push_back(std::move(*key));
  }
  if (keys.empty()) {
    marks.finish(row.id, RowState::dead, "no usable secret: nothing goes out unsigned", row.attempts, now);
    std::lock_guard lock(mutex_);
    stats_.dead += 1;
    return std::nullopt;
  }
  const std::string messageId = "msg_" + stableHexId(row.site, std::to_string(row.sequence) + '\n' + row.url + '\n' +
                                                                   row.event.type + '\n' + row.event.subject);
  const std::int64_t timestamp = now / 1000;
  std::vector<std::string> headers{
      "webhook-id: " + messageId, "webhook-timestamp: " + std::to_string(timestamp),
      "webhook-signature: " + webhookSignatureHeader(keys, messageId, timestamp, *payload)};
  row.attempts += 1;
  return Outgoing{&row, &site, std::move(*payload), std::move(headers), std::nullopt};
}

void WebhookDelivery::record(const Outgoing& request, RowMarks& marks) {
  const std::int64_t now = nowMilliseconds();
  const Row& row = *request.row;
  const WebhookResult& result = *request.result;
  auto finish = [&](RowState state, const std::string& outcome) {
    marks.finish(row.id, state, outcome, row.attempts, now);
    std::lock_guard lock(mutex_);
    if (state == RowState::sent) stats_.delivered += 1;
    if (state == RowState::dead) stats_.dead += 1;
  };
  if (result.verdict == WebhookVerdict::delivered) return finish(RowState::sent, "");
  if (result.verdict == WebhookVerdict::targetRefused) {
    logEvent("warn", "webhook_target_refused", {{"site", row.site}, {"url", row.url}, {"detail", result.detail}});
    return finish(RowState::dead, "refused: " + result.detail);
  }
  if (now - row.createdAt >= options_.giveUpAfter.count()) {
    logEvent("warn", "webhook_dead", {{"site", row.site}, {"url", row.url}, {"detail", result.detail}});
    return finish(RowState::dead, "gave up: " + result.detail);
  }
  const std::int64_t wait = retryDelay(row.attempts, options_.firstRetry, options_.maxRetry, jitter_);
  marks.retry(row.id, now + wait, row.attempts, "retrying: " + result.detail);
  std::lock_guard lock(mutex_);
  stats_.retried += 1;
}

}  // namespace kring::server
