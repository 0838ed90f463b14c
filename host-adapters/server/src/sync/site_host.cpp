#include "sync/site_host.h"

#include <algorithm>
#include <chrono>

#include "auth/imported_author.h"
#include "auth/thread_ticket.h"
#include "kring/checkpoint.h"
#include "kring/codec.h"
#include "kring/notifications.h"
#include "kring/replica.h"
#include "kring/snapshot.h"
#include "observe/logging.h"
#include "sync/page_frames.h"
#include "sync/projected_frames.h"
#include "sync/site_engine.h"
#include "sync/webhook_events.h"
#include "util/clock.h"

namespace kring::server {

SiteHost::SiteHost(Key, SiteConfig config, Engine engine, OpIdLookup& storedOpIds, SiteOptions options)
    : config_(std::move(config)),
      engine_(std::move(engine)),
      options_(options),
      storedOpIds_(storedOpIds),
      opIds_(options.opIdMemory),
      snapshots_(options.snapshotCacheBytes),
      pages_(options.renderedPageBytes, config_.language),
      window_(options.recentEventsPerThread, options.recentEventsPerSite),
      checkpoints_(options.checkpointEvery, options.opLogRetention, options.keepOpLog) {}

Result<std::unique_ptr<SiteHost>> SiteHost::restore(SiteConfig config, Store& storage, OpIdLookup& storedOpIds,
                                                    SiteOptions options) {
  Result<CheckpointedEngine> loaded = loadCheckpointedEngine(storage, config.id);
  if (!loaded) return loaded.error();
  const bool fromWholeSnapshot = loaded.value().fromWholeSnapshot;
  auto host =
      std::make_unique<SiteHost>(Key{}, std::move(config), std::move(loaded.value().engine), storedOpIds, options);
  const std::string& siteId = host->config_.id;
  host->checkpoints_.restored(fromWholeSnapshot ? 0 : host->engine_.lastSequence(), fromWholeSnapshot);
  // Only the ops replayed below are remembered: a client that saw less than the store holds gets a snapshot.
  host->window_.forgetAll(host->engine_.lastSequence());
  Status replayed = replayStoredOps(storage, siteId, host->engine_, [&](const Op& op, const Outcome& outcome) {
    ++host->replayedAtStart_;
    host->checkpoints_.replayed();
    if (auto key = host->engine_.threadKeyOf(op))
      host->window_.remember(*key, opEventsForReplicas(host->engine_, op, outcome));
    // On PostgreSQL a crash may come between an op's commit and its outbox rows' (store/op_log.h):
    // the ops after the checkpoint make theirs again. SQLite wrote them in the op's transaction.
    if (storage.logHoldsRejectedOps()) {
      ReplayedRows replayed{StoredOp{siteId, op.sequence, {}, {}, {}, op.time, {}}, webhookEvents(op, outcome)};
      if (host->config_.email) replayed.rows.notifications = notificationIntents(host->engine_, op, outcome);
      if (!replayed.rows.notifications.empty() || !replayed.events.empty())
        host->replayedRows_.push_back(std::move(replayed));
    }
  });
  if (!replayed) return replayed.error();
  host->committed_ = host->engine_.lastSequence();
  // The newest op ids, as if just applied; the store answers for older ones.
  auto newest = storage.newestOpIds(siteId, options.opIdMemory + 1);
  host->opIds_.restore(std::move(newest), storage.compactedUpTo(siteId));
  return host;
}

namespace {

Outcome alreadyApplied(const std::string& opId) {
  return rejectedOutcome(opId, ReasonCode::alreadyApplied, "This op was already applied.");
}

}  // namespace

void SiteHost::setLog(OpLog& log) {
  log_ = &log;
  if (!log_->ordersOps()) return;
  for (ReplayedRows& replayed : replayedRows_) {
    replayed.rows.webhooks = webhooksFor(replayed.events);
    if (!replayed.rows.notifications.empty() || !replayed.rows.webhooks.empty())
      log_->keepOutboxRows(std::move(replayed.rows));
  }
  replayedRows_.clear();
}

void SiteHost::refuse(const std::shared_ptr<Connection>& from, const Answered& answered, const Outcome& outcome) {
  if (from) from->send(frameOf(RejectedMessage{outcome.opId, outcome.code, outcome.message}));
  if (answered) answered(outcome);
}

void SiteHost::submit(const std::shared_ptr<Connection>& from, const Actor& actor, Op op, TimeMs now) {
  switch (opIdState(op.id)) {
    case OpIdState::stored: return refuse(from, {}, alreadyApplied(op.id));
    case OpIdState::pending: return awaitStored(op.id, from, {});
    case OpIdState::unknown: break;
  }
  op.actor = actor;
  op.time = now;
  if (auto* thread = std::get_if<CreateThread>(&op.body)) {
    // Only a ticket the site signed for exactly this key, kind and title approves a thread; the
    // client's own hostApproved means nothing, and the ticket is not stored.
    thread->hostApproved = false;
    if (!thread->ticket.empty()) {
      if (Status ticket = checkThreadTicket(thread->ticket, config_.tokenSecret, config_.id, *thread, now / 1000);
          !ticket) {
        return refuse(from, {}, rejectedOutcome(op.id, ticket.error().code, ticket.error().message));
      }
      thread->hostApproved = true;
      thread->ticket.clear();
    }
  }
  store(from, std::move(op));
}

std::size_t SiteHost::trackedThreads() const {
  // A thread with both subscribers and remembered events counts once.
  std::size_t tracked = window_.threadCount() + subscribers_.pendingKeys();
  subscribers_.forEachThread([&](const std::string& key) { tracked += window_.hasThread(key) ? 0 : 1; });
  return tracked;
}

std::shared_ptr<const SiteReadView> SiteHost::readView() {
  using Clock = ReadViewCache::Clock;
  const auto now = Clock::now();
  if (readViews_.due(engine_.lastSequence(), now)) {
    auto view = std::make_shared<const SiteReadView>(engine_.copy());
    readViews_.made(std::move(view), now, Clock::now() - now);
  }
  return readViews_.view();
}

void SiteHost::createThreadAsHost(CreateThread thread, TimeMs now, Answered answered) {
  Op op;
  op.id = serverOpId("thread");
  op.actor = Actor{"kring:site", "Site", Role::staff};
  op.time = now;
  thread.ticket.clear();
  thread.hostApproved = true;
  op.body = std::move(thread);
  store(nullptr, std::move(op), std::move(answered));
}

bool SiteHost::checkAlerts(TimeMs now) {
  // A site that tells nobody checks only to train the posts that stood as ham.
  const bool tells = config_.email || !currentEndpoints(config_.webhooks)->empty();
  if (!tells && engine_.policy().spamHamAfterMinutes == 0) return false;
  if (log_->ordersOps()) {
    // With several servers the site's checkpoint writer checks, so one server submits each check;
    // and none while its last is unordered (a minute at most: a lost answer does not stop checks).
    constexpr TimeMs kAlertsAnswerWaitMs = 60'000;
    if (!log_->writesCheckpoints(config_.id)) return false;
    if (alertsSubmittedAt_ && now - *alertsSubmittedAt_ < kAlertsAnswerWaitMs) return false;
  }
  if (!alertsDue(engine_, now, tells) || !log_->health().writable()) return false;
  Op op;
  op.id = serverOpId("alerts");
  op.actor = Actor{"kring:alerts", "Alerts", Role::staff};
  op.time = now;
  op.body = CheckAlerts{};
  alertsSubmittedAt_ = now;
  auto stored = std::make_shared<bool>(false);  // on PostgreSQL the answer comes once the database ordered it
  store(nullptr, std::move(op), [this, stored](const Outcome& outcome) {
    *stored = outcome.stored();
    alertsSubmittedAt_.reset();
  });
  return *stored;
}

void SiteHost::submitFromConsole(const Actor& actor, Op op, TimeMs now, Answered answered) {
  if (op.id.empty()) {
    op.id = serverOpId("console");
  } else if (op.id.starts_with(kServerOpIdPrefix)) {
    return answered(
        rejectedOutcome(op.id, ReasonCode::invalidId,
                        "Op ids starting with " + std::string(kServerOpIdPrefix) + " are the server's own."));
  } else {
    switch (opIdState(op.id)) {
      case OpIdState::stored: return answered(alreadyApplied(op.id));
      case OpIdState::pending: return awaitStored(op.id, nullptr, std::move(answered));
      case OpIdState::unknown: break;
    }
  }
  op.actor = actor;
  op.time = now;
  // The console reads its own action at once (readView).
  store(nullptr, std::move(op), [this, answered = std::move(answered)](const Outcome& outcome) {
    readViews_.force();
    if (answered) answered(outcome);
  });
}

void SiteHost::importPosts(std::vector<Op> ops, TimeMs now, std::function<void(std::vector<Outcome>)> done) {
  struct Batch {
    std::vector<Outcome> outcomes;
    std::size_t waiting = 0;
    std::string lastStored;
    std::function<void(std::vector<Outcome>)> done;
  };
  auto batch = std::make_shared<Batch>();
  batch->outcomes.resize(ops.size());
  batch->waiting = ops.size();
  batch->done = std::move(done);
  auto finish = [this, batch]() {
    // SQLite answers an op before its group commit: the batch waits for its last stored op's.
    if (batch->lastStored.empty() || log_->ordersOps()) return batch->done(std::move(batch->outcomes));
    awaitStored(batch->lastStored, nullptr, [batch](const Outcome&) { batch->done(std::move(batch->outcomes)); });
  };
  if (ops.empty()) return finish();
  for (std::size_t i = 0; i < ops.size(); ++i) {
    Op& op = ops[i];
    op.actor = Actor{"kring:import", "Import", Role::admin};
    op.time = now;
    store(nullptr, std::move(op), [batch, i, finish](const Outcome& outcome) {
      if (outcome.stored()) batch->lastStored = outcome.opId;
      batch->outcomes[i] = outcome;
      if (--batch->waiting == 0) finish();
    });
  }
}

void SiteHost::store(const std::shared_ptr<Connection>& from, Op op, Answered answered) {
  if (!log_->health().writable()) {
    // Refused before the engine sees it: nothing to undo, and the client sends it again later.
    return refuse(from, answered,
                  rejectedOutcome(op.id, ReasonCode::storeUnavailable,
                                  "The community's store is not taking writes right now; nothing was saved. "
                                  "Send it again in a moment."));
  }
  if (log_->ordersOps()) {
    inFlight_[op.id] = InFlight{from, std::move(answered)};
    log_->submit(config_.id, std::move(op));
    return;
  }
  op.sequence = engine_.lastSequence() + 1;
  Outcome outcome = engine_.apply(op);
  if (!outcome.stored()) return refuse(from, answered, outcome);
  std::string threadKey;
  OpEvents events = prepareEvents(op, outcome, threadKey);
  std::weak_ptr<Connection> submitter = from;
  StoredOp stored = withOutboxRows(op, outcome);
  stored.opId = op.id;
  stored.op = encodeOp(op);
  log_->append(std::move(stored),
               [this, threadKey, submitter, events = std::move(events)]() { committed(threadKey, events, submitter); });
  if (erases(op, outcome)) return forgetErased(op, outcome, std::move(answered));
  countTowardCheckpoint();
  if (answered) answered(outcome);
}

void SiteHost::applySequenced(std::vector<SequencedOp> ops) {
  for (SequencedOp& sequenced : ops) {
    const Op& op = sequenced.op;
    std::shared_ptr<Connection> from;
    Answered answered;
    if (sequenced.own) {
      if (auto it = inFlight_.find(op.id); it != inFlight_.end()) {
        from = it->second.from.lock();
        answered = std::move(it->second.answered);
        inFlight_.erase(it);
      }
    }
    // A duplicate's id was stored already (through another server, or by a try whose commit this
    // server did not hear of): already_applied is true of it.
    Outcome outcome = sequenced.duplicate ? alreadyApplied(op.id) : engine_.apply(op);
    if (!sequenced.duplicate) engine_.skipTo(op.sequence);
    if (!outcome.stored()) {
      if (sequenced.own) answerWaiting(op.id, from, answered, outcome);
      if (!sequenced.duplicate) committed_ = op.sequence;
      durableSends_.release(committed_);
      afterDelivery_.release(committed_);
      continue;
    }
    std::string threadKey;
    OpEvents events = prepareEvents(op, outcome, threadKey);
    if (!sequenced.duplicate) {
      StoredOp rows = withOutboxRows(op, outcome);
      if (!rows.notifications.empty() || !rows.webhooks.empty()) log_->keepOutboxRows(std::move(rows));
    }
    committed(threadKey, events, from);
    if (erases(op, outcome)) {
      forgetErased(op, outcome, std::move(answered));
      continue;
    }
    countTowardCheckpoint();
    if (answered) answered(outcome);
  }
}

bool SiteHost::erases(const Op& op, const Outcome& outcome) {
  const auto* moderate = std::get_if<Moderate>(&op.body);
  return moderate != nullptr && moderate->action == ModerationAction::erase && outcome.stored();
}

void SiteHost::forgetErased(const Op& op, const Outcome& outcome, Answered answered) {
  window_.forgetAll(op.sequence);
  snapshots_.clear();
  pages_.clear();
  auto erasure = std::make_shared<LogErasure>();
  erasure->memberId = std::get<Moderate>(op.body).memberId;
  contacts_.erase(erasure->memberId);  // the store's copy goes with the checkpoint's erasure
  // The committer runs `written` on this thread, once the store is clear; several servers' checkpoint
  // writer runs it on its own thread, and the answer does not wait for whichever server writes.
  Answered waiting;
  if (log_->ordersOps()) {
    if (answered) answered(outcome);
  } else {
    waiting = std::move(answered);
  }
  auto written = [site = config_.id, erasure, started = std::chrono::steady_clock::now(), outcome,
                  waiting = std::move(waiting)]() {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    logEvent("info", "member_erased",
             {{"site", site},
              {"member", erasure->memberId},
              {"posts", std::to_string(erasure->postIds.size())},
              {"opsRemoved", std::to_string(erasure->removed)},
              {"ms", std::to_string(ms.count())}});
    if (waiting) waiting(outcome);
  };
  checkpoint(erasure, std::move(written));  // false: another server writes this site's checkpoints
}

StoredOp SiteHost::withOutboxRows(const Op& op, const Outcome& outcome) {
  StoredOp stored{config_.id, op.sequence, {}, {}, {}, op.time, {}};
  if (config_.email) stored.notifications = notificationIntents(engine_, op, outcome);
  if (!currentEndpoints(config_.webhooks)->empty()) stored.webhooks = webhooksFor(webhookEvents(op, outcome));
  return stored;
}

std::vector<OutboxWebhook> SiteHost::webhooksFor(const std::vector<WebhookEvent>& events) const {
  std::vector<OutboxWebhook> webhooks;
  const auto endpoints = currentEndpoints(config_.webhooks);
  for (const WebhookEvent& event : events) {
    for (const WebhookEndpoint& endpoint : *endpoints) {
      if (endpoint.events.empty() ||
          std::find(endpoint.events.begin(), endpoint.events.end(), event.type) != endpoint.events.end()) {
        webhooks.push_back({endpoint.url, event.type, event.subject, event.threadKey});
      }
    }
  }
  return webhooks;
}

OpEvents SiteHost::prepareEvents(const Op& op, const Outcome& outcome, std::string& threadKey) {
  opIds_.remember(op.id, op.sequence);
  threadKey = engine_.threadKeyOf(op).value_or(std::string());
  // Replicas may not know the actor yet: the events carry the actor's record when they would not.
  OpEvents events = opEventsForReplicas(engine_, op, outcome);
  // A site-wide op (policy, a sanction, a role) shows in every thread's snapshot; what a member
  // reads shows in none but their own record.
  if (!threadKey.empty()) {
    snapshots_.invalidate(threadKey);
    if (!events.actorOnly) pages_.invalidate(threadKey);
  } else if (!events.actorOnly) {
    snapshots_.clear();
    pages_.clear();
  }
  return events;
}

void SiteHost::countTowardCheckpoint() {
  if (checkpoints_.applied()) checkpoint();
}

std::string SiteHost::serverOpId(std::string_view purpose) {
  std::string id(kServerOpIdPrefix);
  id += purpose;
  id += '-';
  if (!options_.serverName.empty()) {
    id += options_.serverName;
    id += '-';
    id += std::to_string(++serverOps_);
  } else {
    // Unique: no other op takes this sequence.
    id += std::to_string(engine_.lastSequence() + 1);
  }
  return id;
}

bool SiteHost::checkpoint(std::shared_ptr<LogErasure> erasure, std::function<void()> written) {
  // With several servers one writes the site's checkpoints; the others keep their marks of what
  // changed, so whichever takes over writes everything since its own start.
  if (!log_->writesCheckpoints(config_.id)) return false;
  checkpoints_.taken(engine_.lastSequence());
  auto start = std::chrono::steady_clock::now();
  ChangedRecords changed = takeChangedRecords(engine_);
  auto took = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
  if (erasure) {
    // The erasure touched every post of the member's it emptied: their ids are among the changed.
    for (const auto& [index, post] : changed.posts) {
      if (post.erased && post.authorId == erasure->memberId) erasure->postIds.insert(post.id);
    }
  }
  CheckpointRequest request{checkpoints_.compactUpTo(), took, std::move(erasure), std::move(written)};
  log_->saveCheckpoint(std::move(changed), std::move(request));
  return true;
}

void SiteHost::rememberContact(const std::string& memberId, const std::string& email, const std::string& locale,
                               TimeMs now) {
  if (!config_.email || email.empty()) return;
  const std::string language = locale.starts_with("nl") ? "nl" : locale.empty() ? config_.language : "en";
  std::string known = email + '\n' + language;
  auto found = contacts_.find(memberId);
  if (found != contacts_.end() && found->second == known) return;
  constexpr std::size_t kRememberedContacts = 100'000;
  if (contacts_.size() >= kRememberedContacts) contacts_.clear();
  contacts_[memberId] = std::move(known);
  log_->recordContact(MemberContact{config_.id, memberId, email, language, now});
}

void SiteHost::claimImported(const Actor& member, const std::string& verifiedEmail, TimeMs now) {
  if (verifiedEmail.empty() || config_.tokenSecret.empty() || !log_->health().writable()) return;
  std::string importedId = importedAuthorIdForEmail(config_, verifiedEmail);
  const std::optional<MemberRecord> imported = engine_.member(importedId);
  if (!imported || imported->postCount == 0) return;
  Op op;
  op.id = serverOpId("claim");
  op.actor = Actor{"kring:claims", "Claims", Role::admin};
  op.time = now;
  op.body = ClaimImported{std::move(importedId), member.memberId, member.displayName, member.role};
  store(nullptr, std::move(op));
}

bool SiteHost::checkpointIfBehind() {
  if (!checkpoints_.behind(engine_.lastSequence())) return false;
  return checkpoint();
}

SiteHost::ConfiguredPolicy SiteHost::adoptConfiguredPolicy(TimeMs now) {
  if (engine_.policy() == config_.policy) return ConfiguredPolicy::unchanged;
  if (engine_.lastSequence() != 0) return ConfiguredPolicy::siteKeepsItsOwn;
  Op op;
  op.id = std::string(kServerOpIdPrefix) + "config-policy-" + std::to_string(engine_.lastSequence() + 1);
  op.body = UpdatePolicy{config_.policy};
  submit(nullptr, Actor{"kring:site-config", "Site configuration", Role::admin}, std::move(op), now);
  return ConfiguredPolicy::seeded;
}

void SiteHost::committed(const std::string& threadKey, const OpEvents& op, const std::weak_ptr<Connection>& submitter) {
  committed_ = std::max(committed_, op.sequence);
  durableSends_.release(committed_);
  opIds_.forgetDurable(committed_);
  const std::vector<std::shared_ptr<Connection>> submitters = takeSubmitters(op.opId, submitter);
  auto submitted = [&](const std::shared_ptr<Connection>& connection) {
    return std::find(submitters.begin(), submitters.end(), connection) != submitters.end();
  };
  ProjectedFrames frames(threadKey, op);
  std::unordered_set<const Connection*> told;  // sent a frame that names the op
  const TimeMs now = nowMilliseconds();        // a suspension ends for the next op's readers
  // Each reader gets its viewer's projection; an op that shows them nothing is not sent to them.
  auto deliver = [&](const std::shared_ptr<Connection>& connection) {
    Viewer viewer = viewerOf(engine_, connection->actor(), now);
    // Fresh snapshots of the threads it follows cover this op there.
    if (refreshIfClassChanged(connection, viewer) && connection->subscribed(threadKey)) return;
    ProjectedFrames::Projected projected = frames.frameFor(viewer);
    if (!projected.empty) {
      connection->send(projected.frame);
    } else if (submitted(connection)) {
      // A submitter still learns that its op is stored, by id.
      connection->send(frameOf(EventsMessage{threadKey, op.sequence, {}, op.opId}));
    } else {
      return;
    }
    told.insert(connection.get());
  };
  std::unordered_set<const Connection*> visited;
  if (threadKey.empty()) {
    // A site-wide op (policy, a member's sanction or role, reading) concerns every open widget:
    // each connection that follows any thread, once, and the submitters always.
    subscribers_.forEachList([&](const Subscribers::List& subscribers) {
      for (const auto& weak : subscribers) {
        auto connection = weak.lock();
        if (connection && visited.insert(connection.get()).second) deliver(connection);
      }
    });
  } else {
    const Subscribers::List& subscribers = subscribers_.ofThread(threadKey);
    window_.remember(threadKey, op);
    for (const auto& weak : subscribers) {
      auto connection = weak.lock();
      if (!connection || op.sequence <= connection->seen(threadKey)) continue;  // in the snapshot it was sent
      connection->markSeen(threadKey, op.sequence);
      visited.insert(connection.get());
      deliver(connection);
    }
  }
  // Every submitter learns of its commit: one that does not follow the thread gets its projection,
  // one whose snapshot already holds the op (or that got a fresh one) the bare acknowledgement.
  for (const auto& connection : submitters) {
    if (told.count(connection.get()) != 0) continue;
    if (visited.count(connection.get()) == 0 && !connection->subscribed(threadKey)) deliver(connection);
    if (told.count(connection.get()) == 0)
      connection->send(frameOf(EventsMessage{threadKey, op.sequence, {}, op.opId}));
  }
  afterDelivery_.release(committed_);
  changedForReaders(threadKey);
}

void SiteHost::changedForReaders(const std::string& threadKey) {
  const bool scheduled = live_.pending();
  live_.changed(threadKey);
  if (scheduled || !live_.pending()) return;
  auto publish = [this] { live_.publish([this](const std::string& key) { return pages_.thread(engine_, key); }); };
  if (defer_) {
    defer_(publish);
  } else {
    publish();
  }
}

bool SiteHost::refreshIfClassChanged(const std::shared_ptr<Connection>& connection, const Viewer& viewer) {
  if (viewer.viewerClass == connection->viewerClass()) return false;
  connection->setViewerClass(viewer.viewerClass);
  std::vector<std::string> keys;
  for (const auto& [key, seen] : connection->subscriptions()) keys.push_back(key);
  for (const std::string& key : keys) sendSnapshot(connection, key, viewer);
  return true;
}

void SiteHost::sendSnapshot(const std::shared_ptr<Connection>& connection, const std::string& threadKey,
                            const Viewer& viewer) {
  std::optional<SortOrder> paged = connection->pagedOrder(threadKey);
  SharedSnapshot snapshot =
      paged ? snapshots_.firstPage(engine_, threadKey, *paged, viewer) : snapshots_.get(engine_, threadKey, viewer);
  if (!snapshot) {
    // No such thread yet: follow it, so its creation arrives as events. (Threads are never
    // deleted, so a connection subscribed to this key already waits for it.)
    if (!connection->subscribed(threadKey)) subscribers_.await(threadKey, connection);
    connection->markSeen(threadKey, committed_);
    connection->send(frameOf(EventsMessage{threadKey, committed_, {}}));
    return;
  }
  // It holds every op up to its sequence (no op of this thread came after it: that would have
  // replaced it); it goes out once they are durable, and their events are not sent again.
  Sequence upTo = snapshot->sequence;
  connection->markSeen(threadKey, upTo);
  sendWhenCommitted(connection, upTo, nullptr, std::move(snapshot));
}

void SiteHost::sendAfterCommit(const std::shared_ptr<Connection>& connection, Frame frame) {
  sendWhenCommitted(connection, engine_.lastSequence(), std::move(frame));
}

void SiteHost::sendWhenCommitted(const std::shared_ptr<Connection>& connection, Sequence sequence, Frame frame,
                                 SharedSnapshot snapshot) {
  durableSends_.send(connection, sequence, committed_, std::move(frame), std::move(snapshot));
}

SiteHost::OpIdState SiteHost::opIdState(const std::string& opId) {
  if (OpIdState remembered = opIds_.state(opId, committed_); remembered != OpIdState::unknown) return remembered;
  if (inFlight_.count(opId) != 0) return OpIdState::pending;
  return opIds_.mayHaveForgotten() && storedOpIds_.contains(config_.id, opId) ? OpIdState::stored : OpIdState::unknown;
}

void SiteHost::awaitStored(const std::string& opId, const std::shared_ptr<Connection>& from, Answered answered) {
  switch (resubmitted_.admit(opId, from)) {
    case Resubmissions::Admission::alreadyWaiting: return;
    case Resubmissions::Admission::full:
      return refuse(from, answered,
                    rejectedOutcome(opId, ReasonCode::rateLimited,
                                    "This op is on its way to the store; it is answered once stored."));
    case Resubmissions::Admission::room: break;
  }
  resubmitted_.add(opId, Resubmissions::Waiter{from, std::move(answered)});
}

void SiteHost::answerWaiting(const std::string& opId, const std::shared_ptr<Connection>& from, const Answered& answered,
                             const Outcome& outcome) {
  refuse(from, answered, outcome);
  for (const Resubmissions::Waiter& entry : resubmitted_.take(opId)) {
    auto connection = entry.from.lock();
    if (connection && connection == from) continue;
    refuse(connection, entry.answered, outcome);
  }
}

std::vector<std::shared_ptr<Connection>> SiteHost::takeSubmitters(const std::string& opId,
                                                                  const std::weak_ptr<Connection>& submitter) {
  std::vector<std::shared_ptr<Connection>> submitters;
  if (auto author = submitter.lock()) submitters.push_back(std::move(author));
  for (Resubmissions::Waiter& entry : resubmitted_.take(opId)) {
    if (entry.answered) entry.answered(alreadyApplied(opId));
    auto connection = entry.from.lock();
    if (connection && std::find(submitters.begin(), submitters.end(), connection) == submitters.end()) {
      submitters.push_back(std::move(connection));
    }
  }
  return submitters;
}

bool SiteHost::loadPage(const std::shared_ptr<Connection>& connection, const LoadPage& request) {
  if (!connection->pagedOrder(request.threadKey)) return false;
  Viewer viewer = viewerOf(engine_, connection->actor(), nowMilliseconds());
  SharedSnapshot page = pageFrames(engine_, request, false, viewer);
  if (!page) return false;
  // Events up to the page's sequence reach the connection first (committed() releases after delivery).
  const Sequence sequence = page->sequence;
  afterDelivery_.send(connection, sequence, committed_, nullptr, std::move(page));
  return true;
}

void SiteHost::subscribe(const std::shared_ptr<Connection>& connection, const std::string& threadKey, Sequence lastSeen,
                         std::optional<SortOrder> pagedOrder) {
  connection->setPaged(threadKey, pagedOrder);
  Viewer viewer = viewerOf(engine_, connection->actor(), nowMilliseconds());
  if (refreshIfClassChanged(connection, viewer)) lastSeen = 0;  // this thread gets its snapshot below
  if (!engine_.hasThread(threadKey)) return sendSnapshot(connection, threadKey, viewer);  // follows it
  if (!connection->subscribed(threadKey)) subscribers_.follow(threadKey, connection);
  auto missed = window_.missedSince(threadKey, lastSeen, committed_);
  if (!missed) return sendSnapshot(connection, threadKey, viewer);
  std::vector<Event> missing;
  Sequence upTo = lastSeen;
  for (const OpEvents* op : *missed) {
    std::vector<Event> projected = projectEvents(*op, viewer);
    missing.insert(missing.end(), std::make_move_iterator(projected.begin()), std::make_move_iterator(projected.end()));
    upTo = std::max(upTo, op->sequence);
  }
  connection->markSeen(threadKey, upTo);
  std::vector<RenderedBody> rendered = renderedBodies(missing);
  connection->send(frameOf(EventsMessage{threadKey, lastSeen, std::move(missing), {}, std::move(rendered)}));
}

}  // namespace kring::server
