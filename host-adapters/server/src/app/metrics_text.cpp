#include "app/metrics_text.h"

#include <tuple>

#include "notify/mail_delivery.h"
#include "notify/webhook_delivery.h"

namespace kring::server {

namespace {

// A label value as the format wants it: backslash, double quote and newline escaped.
std::string labelValue(const std::string& value) {
  std::string escaped;
  for (char c : value) {
    if (c == '\n') {
      escaped += "\\n";
      continue;
    }
    if (c == '\\' || c == '"') escaped += '\\';
    escaped += c;
  }
  return escaped;
}

void header(std::string& out, const char* name, const char* type, const char* help) {
  out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

}  // namespace

std::string prometheusText(Server& server) {
  ServerMetrics& metrics = server.metrics();
  std::string out;
  header(out, "process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch in seconds.");
  out += "process_start_time_seconds " + std::to_string(metrics.startedAtSeconds) + "\n";
  header(out, "kring_open_connections", "gauge", "TCP connections held open (HTTP and WebSocket).");
  out += "kring_open_connections " + std::to_string(server.connections()) + "\n";
  header(out, "kring_ops_applied_total", "counter", "Ops the site has applied and stored: its sequence.");
  for (const auto& [id, site] : server.sites()) {
    out += "kring_ops_applied_total{site=\"" + labelValue(id) + "\"} " + std::to_string(site->engine().lastSequence()) +
           "\n";
  }
  header(out, "kring_ops_rejected_total", "counter",
         "Ops from WebSocket clients refused since start (rules, rate limits, duplicates).");
  for (const auto& [id, site] : server.sites()) {
    auto it = metrics.rejectedOps.find(id);
    out += "kring_ops_rejected_total{site=\"" + labelValue(id) + "\"} " +
           std::to_string(it == metrics.rejectedOps.end() ? 0 : it->second) + "\n";
  }
  header(out, "kring_held_posts", "gauge", "Posts held for review in the moderation queue.");
  for (const auto& [id, site] : server.sites()) {
    out += "kring_held_posts{site=\"" + labelValue(id) + "\"} " +
           std::to_string(metrics.heldPosts.count(id, site->engine())) + "\n";
  }
  if (const StoreHealth* health = server.storeHealth()) {
    header(out, "kring_store_writable", "gauge",
           "1 while the store takes writes, 0 while it refuses them (writes are refused with store_unavailable).");
    out += std::string("kring_store_writable ") + (health->writable() ? "1" : "0") + "\n";
    header(out, "kring_store_outages_total", "counter", "Times the store started refusing writes since start.");
    out += "kring_store_outages_total " + std::to_string(health->outages()) + "\n";
  }
  if (MailDelivery* mail = server.mailDelivery()) {
    const MailDeliveryStats stats = mail->stats();
    for (auto [name, value, help] :
         {std::tuple{"kring_mail_sent_total", stats.sent, "Notification mails the SMTP relay took, since start."},
          std::tuple{"kring_mail_notifications_sent_total", stats.notificationsSent,
                     "Notifications in the mails the relay took, since start (a member's burst is one mail)."},
          std::tuple{"kring_mail_skipped_total", stats.skipped,
                     "Notifications not mailed since start: no address, unsubscribed, taken back, over a cap."},
          std::tuple{"kring_mail_retried_total", stats.retried,
                     "Mails put off for a retry since start (4xx, no relay)."},
          std::tuple{"kring_mail_dead_total", stats.dead,
                     "Mails given up since start: refused for good (5xx), or still failing after the retry window."}}) {
      header(out, name, "counter", help);
      out += std::string(name) + " " + std::to_string(value) + "\n";
    }
  }
  if (WebhookDelivery* webhooks = server.webhookDelivery()) {
    const WebhookDeliveryStats stats = webhooks->stats();
    for (auto [name, value, help] :
         {std::tuple{"kring_webhook_delivered_total", stats.delivered, "Webhooks an endpoint took (2xx), since start."},
          std::tuple{"kring_webhook_skipped_total", stats.skipped,
                     "Webhooks not sent since start: the endpoint left the sites file, or the subject is gone."},
          std::tuple{"kring_webhook_retried_total", stats.retried, "Webhooks put off for a retry since start."},
          std::tuple{"kring_webhook_dead_total", stats.dead,
                     "Webhooks given up since start: a refused target, or still failing after the retry window."}}) {
      header(out, name, "counter", help);
      out += std::string(name) + " " + std::to_string(value) + "\n";
    }
  }
  metrics.commitSeconds.write(out, "kring_commit_seconds", "Time of each group commit's transaction (SQLite).");
  metrics.fanOutSeconds.write(out, "kring_fanout_seconds",
                              "From a commit's end until its events are handed to every subscriber's socket.");
  return out;
}

}  // namespace kring::server
