#include "site_host.h"

#include <algorithm>

#include "kring/codec.h"
#include "kring/replica.h"
#include "kring/snapshot.h"

namespace kring::server {

SiteHost::SiteHost(Key, SiteConfig config, Engine engine, Committer& committer, SiteOptions options)
    : config_(std::move(config)), engine_(std::move(engine)), committer_(committer), options_(options) {}

std::unique_ptr<SiteHost> SiteHost::restore(SiteConfig config, Storage& storage, Committer& committer,
                                            SiteOptions options, std::string& error) {
  Engine engine(config.id);
  if (auto stored = storage.latestSnapshot(config.id)) {
    Result<Engine> restored = restoreSiteSnapshot(stored->snapshot);
    if (!restored) {
      error = "site " + config.id + ": stored snapshot refused: " + restored.error().message;
      return nullptr;
    }
    engine = std::move(restored.value());
  }
  auto host = std::make_unique<SiteHost>(Key{}, std::move(config), std::move(engine), committer, options);
  const std::string& siteId = host->config_.id;
  std::size_t refused = 0;
  storage.forEachOpAfter(siteId, host->engine_.lastSequence(), [&](Sequence sequence, ByteView bytes) {
    Result<Op> op = decodeOp(bytes);
    if (!op || op.value().sequence != sequence) {
      ++refused;
      return;
    }
    Outcome outcome = host->engine_.apply(op.value());
    if (!outcome.stored()) {
      ++refused;
      return;
    }
    if (auto key = host->engine_.threadKeyOf(op.value())) {
      host->remember(*key, eventsForReplicas(host->engine_, op.value(), outcome));
    }
  });
  if (refused != 0) {
    error = "site " + siteId + ": " + std::to_string(refused) + " stored ops no longer apply";
    return nullptr;
  }
  for (std::string& id : storage.opIds(siteId)) host->opIds_.insert(std::move(id));
  host->committed_ = host->engine_.lastSequence();
  return host;
}

void SiteHost::submit(const std::shared_ptr<Connection>& from, const Actor& actor, Op op, TimeMs now) {
  if (opIds_.count(op.id)) {
    if (from) from->send(frameOf(RejectedMessage{op.id, ReasonCode::alreadyApplied, "This op was already applied."}));
    return;
  }
  op.actor = actor;
  op.time = now;
  op.sequence = engine_.lastSequence() + 1;
  Outcome outcome = engine_.apply(op);
  if (!outcome.stored()) {
    if (from) from->send(frameOf(RejectedMessage{op.id, outcome.code, outcome.message}));
    return;
  }
  opIds_.insert(op.id);
  std::string threadKey = engine_.threadKeyOf(op).value_or(std::string());
  Sequence sequence = op.sequence;
  std::weak_ptr<Connection> submitter = from;
  // Replicas may not know the actor yet: the events carry the actor's record when they would not.
  committer_.append(StoredOp{config_.id, sequence, op.id, encodeOp(op)},
                    [this, threadKey, sequence, events = eventsForReplicas(engine_, op, outcome), submitter]() mutable {
                      committed(threadKey, sequence, std::move(events), submitter);
                    });
  if (options_.snapshotEvery != 0 && sequence % options_.snapshotEvery == 0) {
    committer_.saveSnapshot(config_.id, sequence, encodeSiteSnapshot(engine_));
  }
}

bool SiteHost::adoptConfiguredPolicy(TimeMs now) {
  if (engine_.policy() == config_.policy) return false;
  Op op;
  op.id = "config-policy-" + std::to_string(engine_.lastSequence() + 1);
  op.body = UpdatePolicy{config_.policy};
  submit(nullptr, Actor{"kring:site-config", "Site configuration", Role::admin}, std::move(op), now);
  return true;
}

void SiteHost::committed(const std::string& threadKey, Sequence sequence, std::vector<Event> events,
                         const std::weak_ptr<Connection>& submitter) {
  committed_ = std::max(committed_, sequence);
  Frame frame = frameOf(EventsMessage{threadKey, sequence, events});
  if (threadKey.empty()) {
    // Most reading ops change nothing others see: only their submitter hears of them.
    if (events.empty()) {
      if (auto connection = submitter.lock()) connection->send(frame);
    } else {
      broadcast(frame, submitter);
    }
    return;
  }
  remember(threadKey, events);
  ThreadEvents& thread = threads_[threadKey];
  auto& subscribers = thread.subscribers;
  subscribers.erase(std::remove_if(subscribers.begin(), subscribers.end(),
                                   [](const std::weak_ptr<Connection>& weak) { return weak.expired(); }),
                    subscribers.end());
  for (const auto& weak : subscribers) {
    if (auto connection = weak.lock()) sendTo(*connection, threadKey, sequence, frame);
  }
  // The submitter learns of its commit even when it does not follow the thread.
  if (auto connection = submitter.lock(); connection && !connection->subscribed(threadKey)) connection->send(frame);
}

// A site-wide op (policy, a member's sanction or role, reading) concerns every open widget: each
// connection that follows any thread gets it once, and the submitter always.
void SiteHost::broadcast(const Frame& frame, const std::weak_ptr<Connection>& submitter) {
  std::unordered_set<Connection*> sent;
  auto deliver = [&](const std::shared_ptr<Connection>& connection) {
    if (connection && sent.insert(connection.get()).second) connection->send(frame);
  };
  for (auto& [key, thread] : threads_) {
    for (const auto& weak : thread.subscribers) deliver(weak.lock());
  }
  deliver(submitter.lock());
}

void SiteHost::sendTo(Connection& connection, const std::string& threadKey, Sequence sequence, const Frame& frame) {
  if (sequence <= connection.seen(threadKey)) return;  // already in the snapshot it was sent
  connection.markSeen(threadKey, sequence);
  connection.send(frame);
}

void SiteHost::remember(const std::string& threadKey, const std::vector<Event>& events) {
  ThreadEvents& thread = threads_[threadKey];
  for (const Event& event : events) thread.recent.push_back(event);
  while (thread.recent.size() > options_.recentEventsPerThread) {
    thread.evictedUpTo = thread.recent.front().sequence;
    thread.recent.pop_front();
  }
}

void SiteHost::subscribe(const std::shared_ptr<Connection>& connection, const std::string& threadKey,
                         Sequence lastSeen) {
  ThreadEvents& thread = threads_[threadKey];
  bool alreadySubscribed = connection->subscribed(threadKey);
  if (!alreadySubscribed) thread.subscribers.push_back(connection);

  Result<Bytes> snapshot = encodeThreadSnapshot(engine_, threadKey);
  if (!snapshot) {
    // No such thread yet: follow it, so its creation arrives as events.
    connection->markSeen(threadKey, committed_);
    connection->send(frameOf(EventsMessage{threadKey, committed_, {}}));
    return;
  }
  bool canCatchUp = lastSeen != 0 && lastSeen >= thread.evictedUpTo && lastSeen <= committed_;
  if (!canCatchUp) {
    // Covers every applied op, committed or about to be: later broadcasts up to here are skipped.
    connection->markSeen(threadKey, engine_.lastSequence());
    connection->send(frameOf(ThreadSnapshotMessage{std::move(snapshot.value())}));
    return;
  }
  std::vector<Event> missing;
  Sequence upTo = lastSeen;
  for (const Event& event : thread.recent) {
    if (event.sequence > lastSeen && event.sequence <= committed_) {
      missing.push_back(event);
      upTo = std::max(upTo, event.sequence);
    }
  }
  connection->markSeen(threadKey, std::max(upTo, lastSeen));
  connection->send(frameOf(EventsMessage{threadKey, lastSeen, std::move(missing)}));
}

}  // namespace kring::server
