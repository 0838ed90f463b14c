#include "op_generator.h"

#include <string>
#include <unordered_map>
#include <variant>

#include "kring/codec.h"
#include "kring/engine.h"

namespace kring::testing {

namespace {

class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  std::uint32_t below(std::uint32_t bound) { return static_cast<std::uint32_t>(next() % bound); }
  bool percent(std::uint32_t chance) { return below(100) < chance; }

 private:
  std::uint64_t state_;
};

struct KnownPost {
  std::string id;
  std::uint32_t thread;
  std::uint32_t author;
  std::uint32_t depth;
  std::uint32_t parent;
};

struct KnownThread {
  std::string key;
  ThreadKind kind;
  std::vector<std::uint32_t> posts;
};

constexpr const char* kWords[] = {"kring",   "answer", "product",  "works",  "thanks",
                                  "battery", "size",   "fits",     "return", "shipping",
                                  "colour",  "great",  "broken",   "help",   "question",
                                  "why",     "how",    "does",     "the",    "it",
                                  "a",       "with",   "**bold**", "`code`", "https://example.com/x",
                                  "café",    "naïve",  "😀",        "<b>",    "&amp;"};
// Rarer words that the generated policy watches, or that look like spam; three disguised (a circled
// letter and a Cyrillic one, combining strokes, a zero-width joiner), which the server's folding
// reads as the plain word natively and in wasm alike (issue 33).
constexpr const char* kSpice[] = {"v.i.a.g.r.a",
                                  "darn",
                                  "Refund",
                                  "@alice",
                                  "![x](https://img.example/p.png)",
                                  "http://cheap.example/buy",
                                  "kut",
                                  "\u24D2he\u0430p",
                                  "p\u0337i\u0336lls",
                                  "fr\u200Dee"};

// The site's rules for generated logs: gates low enough that members earn their way past them
// within a few hundred ops, and a watched word for every action.
Policy generatedPolicy() {
  Policy policy;
  policy.privilegeVoteUp = 11;
  policy.privilegeFlag = 11;
  policy.privilegeComment = 11;
  policy.privilegeVoteDown = 21;
  policy.privilegeReviewQueue = 60;
  policy.privilegeLockThreads = 120;
  policy.trust1ThreadsEntered = 2;
  policy.trust1PostsRead = 5;
  policy.trust1MinutesReading = 1;
  policy.trust2DaysVisited = 1;
  policy.trust2ThreadsEntered = 6;
  policy.trust2PostsRead = 20;
  policy.trust2MinutesReading = 5;
  policy.flagHideScore = 3;
  policy.spamBayesMinDecisions = 3;
  policy.unansweredAlertMinutes = 1;  // about 40 ops: questions wait past it between the server's checks
  policy.staffDigestHourUtc = 0;      // the logs cross midnight: the day's digest comes once
  policy.watchedWords = {{"*", "viagra", WatchAction::block},
                         {"en", "darn", WatchAction::censor},
                         {"en", "refund", WatchAction::requireApproval},
                         {"nl", "kut", WatchAction::flag}};
  return policy;
}

class Generator {
 public:
  explicit Generator(const GeneratorOptions& options) : options_(options), random_(options.seed) {}

  // One entry per frame: an op, or raw bytes for a malformed frame.
  std::vector<std::variant<Op, Bytes>> run() {
    std::vector<std::variant<Op, Bytes>> frames;
    frames.reserve(options_.ops);
    for (std::uint32_t i = 0; i < options_.ops; ++i) {
      index_ = i;
      if (options_.mix == OpMix::mixed && random_.below(1000) < 5) {
        frames.emplace_back(garbage());
      } else {
        frames.emplace_back(next());
      }
    }
    return frames;
  }

 private:
  Op next() {
    Op op;
    op.id = "g-" + std::to_string(index_);
    if (options_.scheduledChecks && options_.mix == OpMix::mixed && index_ % 97 == 96) {
      return scheduledCheck(std::move(op));
    }
    if (options_.scheduledChecks && options_.mix == OpMix::mixed && index_ % 89 == 50) {
      return importedPost(std::move(op));
    }
    if (options_.scheduledChecks && options_.mix == OpMix::mixed && index_ % 1201 == 700) {
      return claim(std::move(op));
    }
    if (options_.scheduledChecks && options_.mix == OpMix::mixed && index_ % 4001 == 3000) {
      return erasure(std::move(op));
    }
    if (options_.scheduledChecks && options_.mix == OpMix::mixed && index_ % 53 == 20) {
      return follow(std::move(op));
    }
    op.time = 1'700'000'000'000 + static_cast<TimeMs>(index_) * 1500 + random_.below(1000);
    op.sequence = index_ + 1;
    actor_ = random_.below(options_.members);
    if (index_ == 0) {
      actor_ = 0;  // the admin sets the site's rules first
      op.body = UpdatePolicy{options_.mix == OpMix::votes ? openPolicy() : generatedPolicy()};
    } else if (options_.mix == OpMix::votes) {
      op.body = votesBody();
    } else {
      op.body = mixedBody();
      if (random_.below(1000) < 3) op.id = "";                                // invalid id
      if (random_.below(1000) < 3 && !posts_.empty()) op.id = pickPost().id;  // reused id
    }
    op.actor = actor(actor_);  // the body may have chosen the actor (an author editing their post)
    // Later ops name the posts and threads that exist, as real clients do.
    bool stored = shadow_.apply(op).stored();
    if (auto* post = std::get_if<CreatePost>(&op.body); post && stored) remember(op.id, *post);
    if (auto* thread = std::get_if<CreateThread>(&op.body); thread && stored) remember(*thread);
    return op;
  }

  // The server's CheckAlerts now and then (one in five sent by a member instead, and refused), drawing
  // nothing from the random stream.
  Op scheduledCheck(Op op) {
    op.time = 1'700'000'000'000 + static_cast<TimeMs>(index_) * 1500;
    op.sequence = index_ + 1;
    op.actor =
        index_ % 485 == 96 ? Actor{"m5", "Member 5", Role::member} : Actor{"kring:alerts", "Alerts", Role::staff};
    op.body = CheckAlerts{};
    shadow_.apply(op);
    return op;
  }

  // The server's ImportPost: history from another system in three threads (one a locked question
  // thread), seven authors, every state, replies to earlier imports, now and then the same post
  // again or one sent by a member (both refused). Nothing drawn from the random stream.
  Op importedPost(Op op) {
    const std::uint32_t n = imported_++;
    op.id = n % 5 == 4 ? "imp-" + std::to_string(n - 1) : "imp-" + std::to_string(n);
    op.time = 1'700'000'000'000 + static_cast<TimeMs>(index_) * 1500;
    op.sequence = index_ + 1;
    op.actor = n % 10 == 7 ? Actor{"m6", "Member 6", Role::member} : Actor{"kring:import", "Import", Role::admin};
    const std::uint32_t thread = n % 3;
    ImportPost body;
    body.threadKey = "/imported/" + std::to_string(thread);
    body.threadKind = thread == 0 ? ThreadKind::question : ThreadKind::discussion;
    body.threadTitle = "An imported page";
    body.threadLocked = thread == 2;
    if (n % 2 == 1 && !importedByThread_[thread].empty()) body.parentId = importedByThread_[thread].back();
    body.authorId = "imported:a" + std::to_string(n % 7);
    body.authorName = "Imported author " + std::to_string(n % 7);
    body.state = n % 11 == 3   ? PostState::pendingReview
                 : n % 13 == 5 ? PostState::spam
                 : n % 17 == 7 ? PostState::removed
                               : PostState::visible;
    body.body = body.state == PostState::removed ? std::string() : "Imported words number " + std::to_string(n);
    body.createdAt = op.time - static_cast<TimeMs>(400 - n % 50) * 3'600'000;
    op.body = std::move(body);
    if (shadow_.apply(op).stored()) importedByThread_[thread].push_back(op.id);
    return op;
  }

  // A member follows a thread or stops following it; some of these are refused (a guest, a thread
  // that is not there, a choice already made). Nothing drawn from the random stream.
  Op follow(Op op) {
    const std::uint32_t n = follows_++;
    op.time = 1'700'000'000'000 + static_cast<TimeMs>(index_) * 1500;
    op.sequence = index_ + 1;
    op.actor =
        n % 9 == 4 ? Actor{"guest:f" + std::to_string(n), "Guest", Role::member} : actor(n * 7 % options_.members);
    const std::string key = threads_.empty() || n % 13 == 6 ? "/not-a-thread" : threads_[n % threads_.size()].key;
    op.body = FollowThread{key, n % 3 != 1};
    shadow_.apply(op);
    return op;
  }

  // A member signs in with the e-mail of an imported author: the server hands the history over.
  Op claim(Op op) {
    const std::uint32_t n = claims_++;
    op.time = 1'700'000'000'000 + static_cast<TimeMs>(index_) * 1500;
    op.sequence = index_ + 1;
    op.actor = Actor{"kring:claims", "Claims", Role::admin};
    // Every fourth to a guest id, which no imported history may go to (refused).
    const std::string member = n % 4 == 3 ? "guest:g" + std::to_string(n) : "m" + std::to_string(4 + n % 30);
    op.body = ClaimImported{"imported:a" + std::to_string(n % 7), member, "Member " + member, Role::member};
    shadow_.apply(op);
    return op;
  }

  // An admin erases a member's data now and then (the random mix makes erasures rare), drawing
  // nothing from the random stream.
  Op erasure(Op op) {
    op.time = 1'700'000'000'000 + static_cast<TimeMs>(index_) * 1500;
    op.sequence = index_ + 1;
    op.actor = Actor{"m0", "Member 0", Role::admin};
    Moderate action;
    action.action = ModerationAction::erase;
    action.memberId = "m" + std::to_string(10 + index_ % 20);
    action.reason = "data rights request";
    op.body = std::move(action);
    shadow_.apply(op);
    return op;
  }

  Actor actor(std::uint32_t member) {
    Role role = member == 0 ? Role::admin : member == 1 ? Role::moderator : member <= 3 ? Role::staff : Role::member;
    std::string name = "Member " + std::to_string(member);
    if (random_.below(100) == 0) name += " (renamed)";
    return Actor{"m" + std::to_string(member), std::move(name), role};
  }

  OpBody votesBody() {
    if (threads_.size() < 4)
      return CreateThread{"t" + std::to_string(threads_.size()), ThreadKind::question, "Q", {}, true};
    if (posts_.size() < 200) return CreatePost{threads_[random_.below(4)].key, "", text(12)};
    static constexpr VoteDirection kDirections[] = {VoteDirection::up, VoteDirection::down, VoteDirection::none};
    return CastVote{pickPost().id, kDirections[random_.below(3)]};
  }

  // Votes with every gate open: the simplest op, for throughput.
  static Policy openPolicy() {
    Policy policy;
    policy.privilegeVoteUp = 0;
    policy.privilegeVoteDown = 0;
    return policy;
  }

  OpBody mixedBody() {
    std::uint32_t roll = random_.below(100);
    if (threads_.empty() || roll < 4) return createThread();
    if (posts_.empty() || roll < 32) return createPost();
    if (roll < 38) return EditPost{postForActor(70).id, random_.percent(3) ? std::string() : text(20)};
    if (roll < 42) return DeletePost{postForActor(60).id};
    if (roll < 66) {
      static constexpr VoteDirection kDirections[] = {VoteDirection::up,   VoteDirection::up,   VoteDirection::up,
                                                      VoteDirection::down, VoteDirection::down, VoteDirection::none};
      return CastVote{pickPost().id, kDirections[random_.below(6)]};
    }
    if (roll < 72) {
      const KnownPost& answer = pickAnswer();
      if (random_.percent(60) && answer.parent != kUnknown) actor_ = posts_[answer.parent].author;
      if (roll < 70) return AcceptAnswer{answer.id};
      return UnacceptAnswer{answer.id};
    }
    if (roll < 80) return reading();
    if (roll < 86) {
      static constexpr FlagReason kReasons[] = {FlagReason::spam, FlagReason::spam, FlagReason::offensive,
                                                FlagReason::offTopic, FlagReason::other};
      return FlagPost{pickPost().id, kReasons[random_.below(5)]};
    }
    if (roll < 95) return moderate();
    if (roll < 98 && !moderations_.empty()) {
      if (random_.percent(80)) actor_ = 1;
      return UndoModeration{moderations_[random_.below(static_cast<std::uint32_t>(moderations_.size()))],
                            random_.percent(5) ? "" : "second look"};
    }
    if (roll < 99) {
      Policy policy = generatedPolicy();
      policy.flagHideScore = 2 + random_.below(4);
      if (random_.percent(10)) policy.reputationFloor = -5;  // invalid: refused whole
      if (random_.percent(50)) actor_ = 0;
      return UpdatePolicy{std::move(policy)};
    }
    return reading();
  }

  RecordReading reading() {
    RecordReading reading;
    std::uint32_t count = 1 + random_.below(3);
    for (std::uint32_t i = 0; i < count; ++i) {
      reading.threadKeys.push_back(threads_[random_.below(static_cast<std::uint32_t>(threads_.size()))].key);
    }
    if (random_.percent(2)) reading.threadKeys.push_back("missing-thread");
    reading.postsSeen = random_.below(40);
    reading.secondsReading = random_.below(400);
    return reading;
  }

  Moderate moderate() {
    Moderate action;
    // Mostly the review queue and flags; sanctions on members now and then.
    static constexpr ModerationAction kActions[] = {
        ModerationAction::approve, ModerationAction::approve,      ModerationAction::reject,
        ModerationAction::reject,  ModerationAction::upholdFlags,  ModerationAction::dismissFlags,
        ModerationAction::hide,    ModerationAction::restore,      ModerationAction::feature,
        ModerationAction::lock,    ModerationAction::unlock,       ModerationAction::pin,
        ModerationAction::unpin,   ModerationAction::silence,      ModerationAction::suspend,
        ModerationAction::ban,     ModerationAction::unban,        ModerationAction::unban,
        ModerationAction::setRole, ModerationAction::setTrustLevel};
    action.action = kActions[random_.below(sizeof kActions / sizeof kActions[0])];
    // Now and then an erasure instead of a role change (both the admins'), without a draw of its
    // own: the logs of every seed stay what they were up to it.
    if (action.action == ModerationAction::setRole && index_ % 7 == 3) action.action = ModerationAction::erase;
    action.reason = random_.percent(4) ? "" : "rule " + std::to_string(random_.below(9));
    std::uint32_t who = random_.below(100);
    actor_ = who < 60 ? 1 : who < 70 ? 0 : who < 78 ? 2 : actor_;
    const KnownPost& post = pickPost();
    action.postId = post.id;
    action.threadKey = threads_[post.thread].key;
    action.memberId = "m" + std::to_string(random_.percent(80) ? post.author : random_.below(options_.members));
    action.until = 1'700'000'000'000 + static_cast<TimeMs>(index_) * 1500 + random_.below(3) * 3'600'000;
    action.role = static_cast<Role>(random_.below(4));
    action.trustLevel = static_cast<std::uint8_t>(random_.below(6));
    action.asSpam = random_.percent(50);
    moderations_.push_back("g-" + std::to_string(index_));
    if (moderations_.size() > 64) moderations_.erase(moderations_.begin());
    return action;
  }

  CreateThread createThread() {
    CreateThread thread;
    thread.kind = random_.percent(50) ? ThreadKind::question : ThreadKind::discussion;
    thread.title = text(6);
    if (!threads_.empty() && random_.percent(10)) {
      thread.key = threads_[random_.below(static_cast<std::uint32_t>(threads_.size()))].key;
    } else if (random_.percent(1)) {
      thread.key = "";
    } else {
      thread.key = "/products/sku-" + std::to_string(threads_.size() + 100);
    }
    if (random_.percent(1)) thread.title = std::string(301, 'x');
    // Most threads come from the host (members below TL1 may not create them), some are refused;
    // without drawing on the random stream, so the logs stay what they were otherwise.
    thread.hostApproved = threads_.size() % 10 != 9;
    return thread;
  }

  CreatePost createPost() {
    CreatePost post;
    std::uint32_t thread = random_.below(static_cast<std::uint32_t>(threads_.size()));
    post.threadKey = random_.percent(3) ? "missing-thread" : threads_[thread].key;
    const auto& candidates = threads_[thread].posts;
    if (!candidates.empty() && random_.percent(60)) {
      post.parentId = posts_[candidates[random_.below(static_cast<std::uint32_t>(candidates.size()))]].id;
    } else if (random_.percent(3) && !posts_.empty()) {
      post.parentId = pickPost().id;  // likely another thread
    }
    std::uint32_t roll = random_.below(200);
    if (roll == 0) {
      post.body = std::string(20001, 'a');
    } else if (roll == 1) {
      post.body = "bad \xC3\x28 utf-8";
    } else if (roll < 6) {
      post.body = "  \n ";
    } else {
      post.body = text(5 + random_.below(50));
    }
    return post;
  }

  const KnownPost& pickPost() { return posts_[random_.below(static_cast<std::uint32_t>(posts_.size()))]; }

  // A post, written by the actor `chance` percent of the time (so edits and deletes often pass).
  const KnownPost& postForActor(std::uint32_t chance) {
    const KnownPost& post = pickPost();
    if (random_.percent(chance)) actor_ = post.author;
    return post;
  }

  const KnownPost& pickAnswer() {
    for (int attempt = 0; attempt < 8; ++attempt) {
      const KnownPost& post = pickPost();
      if (post.depth == 1 && threads_[post.thread].kind == ThreadKind::question) return post;
    }
    return pickPost();
  }

  std::string text(std::uint32_t words) {
    std::string out;
    for (std::uint32_t i = 0; i < words; ++i) {
      if (i) out += random_.percent(10) ? "\n" : " ";
      if (random_.percent(2)) {
        out += kSpice[random_.below(sizeof kSpice / sizeof kSpice[0])];
      } else {
        out += kWords[random_.below(sizeof kWords / sizeof kWords[0])];
      }
    }
    return out;
  }

  Bytes garbage() {
    Bytes bytes(random_.below(9) * 8 + random_.below(2) * 3);
    for (auto& byte : bytes) byte = static_cast<std::uint8_t>(random_.next());
    return bytes;
  }

  void remember(const std::string& id, const CreatePost& post) {
    std::uint32_t thread = threadIndex(post.threadKey);
    if (thread == kUnknown || id.empty()) return;
    std::uint32_t depth = 0;
    std::uint32_t parent = kUnknown;
    if (auto known = postIndex_.find(post.parentId); known != postIndex_.end()) {
      parent = known->second;
      depth = posts_[parent].depth + 1;
    }
    if (postIndex_.count(id)) return;
    postIndex_.emplace(id, static_cast<std::uint32_t>(posts_.size()));
    threads_[thread].posts.push_back(static_cast<std::uint32_t>(posts_.size()));
    posts_.push_back(KnownPost{id, thread, actor_, depth, parent});
  }

  void remember(const CreateThread& thread) {
    if (thread.key.empty() || threadIndex(thread.key) != kUnknown) return;
    threadIndex_.emplace(thread.key, static_cast<std::uint32_t>(threads_.size()));
    threads_.push_back(KnownThread{thread.key, thread.kind, {}});
  }

  std::uint32_t threadIndex(const std::string& key) const {
    auto it = threadIndex_.find(key);
    return it == threadIndex_.end() ? kUnknown : it->second;
  }

  static constexpr std::uint32_t kUnknown = ~0U;
  GeneratorOptions options_;
  SplitMix64 random_;
  std::uint32_t index_ = 0;
  std::uint32_t actor_ = 0;
  std::uint32_t imported_ = 0;
  std::uint32_t claims_ = 0;
  std::uint32_t follows_ = 0;
  std::vector<std::string> importedByThread_[3];
  std::vector<KnownThread> threads_;
  std::vector<KnownPost> posts_;
  std::vector<std::string> moderations_;  // recent moderator op ids, for undo
  Engine shadow_{"generator"};            // applies the log as it is made
  std::unordered_map<std::string, std::uint32_t> threadIndex_;
  std::unordered_map<std::string, std::uint32_t> postIndex_;
};

}  // namespace

Bytes generateOpLog(const GeneratorOptions& options) {
  Bytes log;
  for (auto& frame : Generator(options).run()) {
    if (auto* op = std::get_if<Op>(&frame)) {
      appendFrame(log, encodeOp(*op));
    } else {
      appendFrame(log, std::get<Bytes>(frame));
    }
  }
  return log;
}

std::vector<Op> generateOps(const GeneratorOptions& options) {
  std::vector<Op> ops;
  for (auto& frame : Generator(options).run()) {
    if (auto* op = std::get_if<Op>(&frame)) ops.push_back(std::move(*op));
  }
  return ops;
}

}  // namespace kring::testing
