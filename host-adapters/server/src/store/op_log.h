// Where a site's ops go to be stored, one interface over both stores, chosen once at start-up:
// SQLite's group commit (sqlite/committer.h: this server orders and applies an op, then writes it)
// or PostgreSQL's sequencer (postgres/pg_sequencer.h: the database orders every server's ops, and
// each server applies them as they come back). Acks wait for the log: nothing unstored is acknowledged.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "kring/notifications.h"
#include "kring/op.h"
#include "store/checkpoint_writer.h"
#include "store/store_health.h"

namespace kring::server {

// A webhook to deliver (notify/webhook_delivery.h): one event of the op for one endpoint.
struct OutboxWebhook {
  std::string url;
  std::string type;
  std::string subject;
  std::string threadKey;
};

// An op this server ordered and applied, as it is written to the log.
struct StoredOp {
  std::string siteId;
  Sequence sequence = 0;
  std::string opId;
  Bytes op;  // the op as applied: actor, time and sequence filled in by the server
  // Who is told of it (kring/notifications.h), written to the outbox in the op's own transaction:
  // an acknowledged op's notifications survive any crash.
  std::vector<NotificationIntent> notifications;
  TimeMs time = 0;
  std::vector<OutboxWebhook> webhooks;  // the same, for the host's endpoints
};

// Where a member is mailed: the verified address of their latest token (docs/notifications.md).
struct MemberContact {
  std::string siteId;
  std::string memberId;
  std::string email;
  std::string language;  // "en" or "nl"
  TimeMs updatedAt = 0;
};

// An op of a site's log in the database's order (ordersOps()), for the site's engine to apply.
struct SequencedOp {
  Op op;                   // sequence and time as the log holds them
  bool own = false;        // submitted through this server
  bool duplicate = false;  // own, but its id was stored already: not applied again (no sequence)
};

class OpLog {
 public:
  virtual ~OpLog() = default;

  // True when the database orders the ops: submit() them, and they come back, in the site's order,
  // to SiteHost::applySequenced. False when the site orders and applies them, then append()s them.
  virtual bool ordersOps() const = 0;
  // An op the site ordered and applied; `written` runs on the engine's thread once it is durable.
  // Only when !ordersOps().
  virtual void append(StoredOp op, std::function<void()> written) = 0;
  // An op (actor and time set) for the database to order. Only when ordersOps().
  virtual void submit(const std::string& siteId, Op op) = 0;
  // Keeps a member's address for notifications, written with the next ops (or alone).
  virtual void recordContact(MemberContact contact) = 0;
  // The outbox rows of an op the site applied from the database's log (`op` and `opId` empty):
  // written once, whichever server gets there first, and always before a checkpoint past the op, so
  // that a restart, which replays the ops after the checkpoint, makes any it lost. Only when ordersOps().
  virtual void keepOutboxRows(StoredOp rows) = 0;

  // Encodes the changed records off the engine's thread and writes them as the site's checkpoint
  // after the ops logged before it.
  virtual void saveCheckpoint(ChangedRecords changed, CheckpointRequest request) = 0;
  // True when this server writes the site's checkpoints (with several servers, one of them does).
  virtual bool writesCheckpoints(const std::string& siteId) = 0;
  // Whether the store takes writes now; while it does not, new ops are refused (store_unavailable).
  virtual const StoreHealth& health() const = 0;

  // Writes what is queued, then stops the log's threads.
  virtual void drainAndStop() = 0;
  virtual WriterStats stats() = 0;
};

}  // namespace kring::server
