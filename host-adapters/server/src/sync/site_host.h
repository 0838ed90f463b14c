// One site on the server: its authoritative engine and its ops' path to the store and to clients,
// coordinating the parts that keep its op ids, recent events, subscribers, waiting sends, read view
// and checkpoint schedule. Everything here runs on the io thread; the store is reached through its op log
// (store/op_log.h).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "auth/site_config.h"
#include "kring/engine.h"
#include "kring/sync.h"
#include "kring/visibility.h"
#include "store/op_log.h"
#include "store/store.h"
#include "store/store_health.h"
#include "sync/catch_up_window.h"
#include "sync/checkpoint_schedule.h"
#include "sync/connection.h"
#include "sync/durable_sends.h"
#include "sync/live_threads.h"
#include "sync/op_id_memory.h"
#include "sync/read_view.h"
#include "sync/read_view_cache.h"
#include "sync/rendered_pages.h"
#include "sync/resubmissions.h"
#include "sync/snapshot_cache.h"
#include "sync/subscribers.h"
#include "sync/webhook_events.h"

namespace kring::server {

// Op ids the server gives its own ops (the sites file's policy); a client's op may not use them.
// The server's own actors (kring:site-config, kring:site, kring:console) carry it too.
constexpr std::string_view kServerOpIdPrefix = kServerIdPrefix;

struct SiteOptions {
  std::size_t recentEventsPerThread = 512;    // catch-up window; a larger gap gets a snapshot
  std::size_t recentEventsPerSite = 100'000;  // the same, over all threads: the oldest go first
  // A checkpoint writes what changed since the last (kring/checkpoint.h), so its cost follows the
  // ops since, not the site; the interval bounds what a start after a crash replays.
  std::uint64_t checkpointEvery = 5'000;      // ops; 0: only at a clean shutdown (tests)
  std::uint64_t opLogRetention = 10'000;      // op bodies kept behind the newest checkpoint
  bool keepOpLog = false;                     // never compact op bodies
  std::size_t snapshotCacheBytes = 64 << 20;  // thread snapshots kept encoded for subscribers
  std::size_t renderedPageBytes = 32 << 20;   // threads' server-rendered HTML kept for requests
  std::size_t opIdMemory = 100'000;           // recent op ids kept in memory; older ones are looked up
  // Names this server in the ids of ops it makes itself (the console's, the admin API's threads):
  // several servers over one database must not make the same id. Empty with one server.
  std::string serverName;
};

class SiteHost {
  struct Key {};  // only restore() constructs a SiteHost

 public:
  SiteHost(Key, SiteConfig config, Engine engine, OpIdLookup& storedOpIds, SiteOptions options);
  // Loads the latest checkpoint (or a whole-site snapshot of the format before) and replays the ops after it.
  // `storedOpIds` answers for op ids older than the ones the site remembers. A checkpoint or snapshot
  // that does not decode is refused with the core's reason, stored ops the rules now refuse as
  // unsupported_version: a start never drops an acknowledged op.
  static Result<std::unique_ptr<SiteHost>> restore(SiteConfig config, Store& store, OpIdLookup& storedOpIds,
                                                   SiteOptions options);
  // Where the site's ops go from now on: set once, after every site is restored. While the log's
  // health says the store refuses writes, new ops are refused (store_unavailable).
  // With a log that orders ops (PostgreSQL), the outbox rows of the ops replayed at start-up go to it.
  void setLog(OpLog& log);
  // The site's log in order, from the database that sequences every server's ops: applies each
  // op, answers its submitter when it is this server's, and sends the events to subscribers.
  void applySequenced(std::vector<SequencedOp> ops);

  const SiteConfig& config() const { return config_; }
  const Engine& engine() const { return engine_; }
  Sequence committedSequence() const { return committed_; }
  // Thread keys the site keeps subscribers or recent events for (bounded: see Subscribers::await).
  std::size_t trackedThreads() const;
  const SnapshotCache& snapshotCache() const { return snapshots_; }
  // The thread as every visitor may read it, as HTML (render/thread_page.h); nullptr for an unknown thread.
  SharedPage threadPage(const std::string& threadKey) { return pages_.thread(engine_, threadKey); }
  // The sitemap of the site's threads; nullptr when the sites file gives no threadPages.
  SharedPage sitemap(RenderedPages::Clock::time_point now) {
    return config_.threadPages.empty() ? nullptr : pages_.sitemap(engine_, config_.threadPages, now);
  }
  const RenderedPages& renderedPages() const { return pages_; }
  // A visitor's stream follows the thread's page: after each commit that changes it, the stream
  // gets the change (live_threads.h). The key need not name a thread yet.
  void followLive(const std::string& threadKey, const std::weak_ptr<LiveReader>& reader) {
    live_.follow(threadKey, reader, pages_.thread(engine_, threadKey));
  }
  void unfollowLive(const std::string& threadKey, const LiveReader* reader) { live_.unfollow(threadKey, reader); }
  const LiveThreads& liveThreads() const { return live_; }
  // Where live changes are rendered: after the commits that cause them, once for all of them (the
  // server posts them to its io thread). Without it they are rendered at once.
  void setDefer(std::function<void(std::function<void()>)> defer) { defer_ = std::move(defer); }
  // The site for console reads on the reader thread (console_reader.h). The engine is copied only
  // when the site changed since the last copy and, for a site whose copy took over 5 ms, no sooner
  // than 20 times as long after it: at most about 5% of the io thread however many reads come (an
  // idle site's reads cost no copy at all). A console op this server applied makes the next read
  // copy again: a moderator reads their own action at once.
  std::shared_ptr<const SiteReadView> readView();
  // Lets go of the copy (reads under way keep theirs): the server does when the console is idle.
  void releaseReadView() { readViews_.release(); }
  std::size_t rememberedOpIds() const { return opIds_.size(); }
  // Where the stored checkpoint stands, and how many ops after it the last start replayed.
  Sequence checkpointSequence() const { return checkpoints_.sequence(); }
  std::size_t replayedAtStart() const { return replayedAtStart_; }
  // A checkpoint of everything applied, unless the stored one already holds it; the committer writes
  // it after the ops it covers. At a clean shutdown it spares the next start a replay; after a
  // restore from a whole-site snapshot it moves the site to checkpoints. True when one was queued.
  bool checkpointIfBehind();
  // Restored from a whole-site snapshot of the format before checkpoints (checkpoint it once every
  // site is restored: the restore reads the store the committer writes).
  bool restoredFromWholeSnapshot() const { return checkpoints_.fromWholeSnapshot(); }

  // Applies the op as `actor` at `now`; rejects at once, or acknowledges after commit by sending
  // the op's events to the thread's subscribers (and to the submitter).
  // A CreateThread's ticket (thread_ticket.h) is checked here: a good one sets hostApproved, a bad
  // one is refused as bad_thread_ticket.
  void submit(const std::shared_ptr<Connection>& from, const Actor& actor, Op op, TimeMs now);
  // Called with an op's outcome once it is applied: at once with one server, after the database has
  // sequenced it with several.
  using Answered = std::function<void(const Outcome&)>;
  // The admin API's thread: created as the site itself, host-approved. The outcome is the engine's;
  // a stored op is durable after the next group commit.
  void createThreadAsHost(CreateThread thread, TimeMs now, Answered answered);
  // An op from the console API (moderate, undo, a policy), applied as `actor` exactly like a /sync
  // op: the same audit, undo and spam learning, and its events reach the widgets. An empty id gets
  // one of the server's; a client's id may not take the server's prefix (invalid_id), and an id
  // already stored answers already_applied. A stored op is durable after the next group commit.
  void submitFromConsole(const Actor& actor, Op op, TimeMs now, Answered answered);
  // Imported history through the admin API (POST /api/sites/{site}/import, docs/import.md): ImportPost
  // ops, stored in order as the server's own (kring:import, the server's time). `done` gets each
  // op's outcome once the last stored one is durable.
  void importPosts(std::vector<Op> ops, TimeMs now, std::function<void(std::vector<Outcome>)> done);
  // The scheduled check (the core's CheckAlerts op) when a question, the day's digest or a post that
  // stood long enough to train the spam filter as ham is due, and the site mails, calls webhooks or
  // learns ham by time (spamHamAfterMinutes). Submits nothing otherwise, so an idle site's log does not grow.
  // With several servers (PostgreSQL) only the site's checkpoint writer submits it. True when an op
  // was stored (on PostgreSQL: false, its answer comes once the database ordered it).
  bool checkAlerts(TimeMs now);
  // `pagedOrder`: the connection takes the thread in pages cut in that order (thread_page.h); its
  // snapshots are first pages. nullopt: whole threads.
  void subscribe(const std::shared_ptr<Connection>& connection, const std::string& threadKey, Sequence lastSeen,
                 std::optional<SortOrder> pagedOrder = std::nullopt);
  // The next page of one list of a thread the connection follows paged. It goes out once every op it
  // shows has been delivered to the connection: their events come before it, so the replica's copies
  // of the posts it already held are as new as the page. False when the request names no such list
  // (not subscribed paged, an unknown post): the caller closes the connection.
  bool loadPage(const std::shared_ptr<Connection>& connection, const LoadPage& request);

  // Sends the frame once every op applied so far is durable: what it shows (a member record, a
  // snapshot) never includes an op a crash could still undo.
  void sendAfterCommit(const std::shared_ptr<Connection>& connection, Frame frame);

  // A signed-in member's verified address (empty: none) and locale, kept for notifications when the
  // site mails (docs/notifications.md). Written only when it changed since this server last wrote it.
  void rememberContact(const std::string& memberId, const std::string& email, const std::string& locale, TimeMs now);
  // A signed-in member whose verified address made an imported author's id (auth/imported_author.h)
  // takes that author's history, once, through the server's ClaimImported op (docs/import.md).
  void claimImported(const Actor& member, const std::string& verifiedEmail, TimeMs now);

  // What adoptConfiguredPolicy did with the sites file's policy.
  enum class ConfiguredPolicy { unchanged, seeded, siteKeepsItsOwn };
  // The sites file's policy seeds a new site (no ops yet) through an UpdatePolicy op (audited,
  // replayed). A site with ops keeps the policy its log reached: the console and updatePolicy ops
  // change it, and a restart with an old sites file must not undo their changes.
  ConfiguredPolicy adoptConfiguredPolicy(TimeMs now);

 private:
  // Takes what changed since the last checkpoint; the committer encodes and writes it. False when
  // another server writes the site's checkpoints. With an erasure, the same transaction takes the
  // member's ops out of the log (store.h), and `written` runs once the store is clear of them.
  bool checkpoint(std::shared_ptr<LogErasure> erasure = nullptr, std::function<void()> written = {});
  // True when the op, applied as `outcome`, erased a member's data.
  static bool erases(const Op& op, const Outcome& outcome);
  // Data rights: after an erasure nothing this server holds hands the member's words out again:
  // the remembered events go (a reconnecting client gets a fresh snapshot) and a checkpoint takes
  // the member's ops out of the store. `answered` waits for that checkpoint (when this server writes it).
  void forgetErased(const Op& op, const Outcome& outcome, Answered answered);
  // Sequences, applies and (when stored) commits an op whose actor and time are set; `answered`
  // (may be empty) gets the outcome. With a sequencer the op is sent to be sequenced first.
  void store(const std::shared_ptr<Connection>& from, Op op, Answered answered = {});
  // After an op is applied and stored: remembers its id, drops the snapshots it changes, and
  // gives its events for replicas (and the thread it belongs to, empty for a site-wide op).
  OpEvents prepareEvents(const Op& op, const Outcome& outcome, std::string& threadKey);
  // The op as the log keeps it, with who is told of it: the site's mails and webhooks (just applied).
  StoredOp withOutboxRows(const Op& op, const Outcome& outcome);
  // Each event for each of the site's endpoints that wants it.
  std::vector<OutboxWebhook> webhooksFor(const std::vector<WebhookEvent>& events) const;
  // Counts an applied op toward the next checkpoint, and takes it when due.
  void countTowardCheckpoint();
  // A commit changed the thread (empty: site-wide) for its live followers.
  void changedForReaders(const std::string& threadKey);
  // An id for an op the server makes itself: `purpose`, this server's name and a count.
  std::string serverOpId(std::string_view purpose);
  // After the op is durable: its events to each subscriber's projection, and an answer naming the
  // op to everyone who submitted it (the first submitter and any resubmission that waited).
  void committed(const std::string& threadKey, const OpEvents& op, const std::weak_ptr<Connection>& submitter);
  // The submitter and the connections that resubmitted the op while it waited; console callers
  // that resubmitted it are answered already_applied (it is stored now).
  std::vector<std::shared_ptr<Connection>> takeSubmitters(const std::string& opId,
                                                          const std::weak_ptr<Connection>& submitter);
  void sendSnapshot(const std::shared_ptr<Connection>& connection, const std::string& threadKey, const Viewer& viewer);
  // A connection's replicas hold one class's projection: when its class changes (a new role,
  // reputation past a gate) every thread it follows gets a fresh snapshot. True when it did.
  bool refreshIfClassChanged(const std::shared_ptr<Connection>& connection, const Viewer& viewer);
  void sendWhenCommitted(const std::shared_ptr<Connection>& connection, Sequence sequence, Frame frame,
                         SharedSnapshot snapshot = nullptr);
  // Where an op id stands: stored (already_applied), pending (applied or sequenced but not yet
  // durable: a resubmission waits for it), or unknown.
  using OpIdState = OpIdMemory::State;
  OpIdState opIdState(const std::string& opId);
  // A resubmission of a pending op: answered when that op is (awaitStored), never before.
  void awaitStored(const std::string& opId, const std::shared_ptr<Connection>& from, Answered answered);
  // Answers everyone waiting on an op that was not stored as they submitted it (rejected by the
  // rules, or stored already by another submission): `code` and `message` for each.
  void answerWaiting(const std::string& opId, const std::shared_ptr<Connection>& from, const Answered& answered,
                     const Outcome& outcome);
  // A refusal to the connection and the caller both (either may be empty).
  static void refuse(const std::shared_ptr<Connection>& from, const Answered& answered, const Outcome& outcome);

  SiteConfig config_;
  Engine engine_;
  std::optional<TimeMs> alertsSubmittedAt_;  // the scheduled check waiting for its answer
  OpLog* log_ = nullptr;
  // The outbox rows of the ops replayed from PostgreSQL, until setLog; their webhooks then, once the
  // console's endpoints are read too.
  struct ReplayedRows {
    StoredOp rows;
    std::vector<WebhookEvent> events;
  };
  std::vector<ReplayedRows> replayedRows_;
  SiteOptions options_;
  std::uint64_t serverOps_ = 0;
  // This server's ops on their way to the database's sequence, with who sent them.
  struct InFlight {
    std::weak_ptr<Connection> from;
    Answered answered;
  };
  std::unordered_map<std::string, InFlight> inFlight_;
  Sequence committed_ = 0;
  std::size_t replayedAtStart_ = 0;
  OpIdLookup& storedOpIds_;
  OpIdMemory opIds_;
  Resubmissions resubmitted_;  // waiting for a pending op
  SnapshotCache snapshots_;
  RenderedPages pages_;
  CatchUpWindow window_;
  Subscribers subscribers_;
  DurableSends durableSends_;
  DurableSends afterDelivery_;  // pages: released once an op's events have gone out, not before
  ReadViewCache readViews_;
  CheckpointSchedule checkpoints_;
  LiveThreads live_;
  std::function<void(std::function<void()>)> defer_;
  // The address and language last written per member, so a reconnect writes nothing (bounded: cleared when full).
  std::unordered_map<std::string, std::string> contacts_;
};

}  // namespace kring::server
