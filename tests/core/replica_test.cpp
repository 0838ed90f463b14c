// Client replicas: a thread snapshot plus the server's later events gives exactly the server's
// thread, and events that contradict the replica are refused whole.
#include <algorithm>
#include <iterator>
#include <set>

#include "engine_fixture.h"
#include "kring/replica.h"
#include "kring/site_records.h"
#include "op_generator.h"
#include "snapshot_records.h"

using namespace kring;
using namespace kring::testing;

namespace {

constexpr SortOrder kOrders[] = {SortOrder::top, SortOrder::newest, SortOrder::oldest};

Bytes threadSnapshot(const Engine& engine, const std::string& key) {
  Result<Bytes> bytes = encodeThreadSnapshot(engine, key, fullViewer());
  INFO("thread " << key);
  REQUIRE(bytes.ok());
  return bytes.value();
}

void requireLoaded(Engine& replica, ByteView bytes) {
  Status status = loadThreadSnapshot(replica, bytes);
  INFO((status.ok() ? std::string() : status.error().message));
  REQUIRE(status.ok());
}

void requireApplied(Engine& replica, const std::vector<Event>& events) {
  Status status = applyEvents(replica, events);
  INFO((status.ok() ? std::string() : status.error().message));
  REQUIRE(status.ok());
}

// Nobody, and the members of {m5, m0, alice, bob} the replica knows: a viewer it does not know reads
// as nobody there, while the server may know them as a moderator or reviewer.
std::vector<std::string> viewersKnownTo(const Engine& replica) {
  std::vector<std::string> viewers{""};
  for (const char* id : {"m5", "m0", "alice", "bob"}) {
    if (replica.member(id)) viewers.push_back(id);
  }
  return viewers;
}

// The thread's views as JSON in every order, for each viewer; lastSequence as given (a replica
// hears of the sequences of its own threads only, see the key property below).
std::vector<std::string> viewsOf(const Engine& engine, const std::string& key, Sequence lastSequence,
                                 const std::vector<std::string>& viewers) {
  std::vector<std::string> views;
  for (SortOrder order : kOrders) {
    for (const std::string& viewer : viewers) {
      std::optional<ThreadView> view = engine.threadView(key, order, viewer);
      REQUIRE(view.has_value());
      view->lastSequence = lastSequence;
      views.push_back(toJson(*view));
    }
  }
  return views;
}

std::vector<std::string> threadKeys(const Engine& engine) {
  std::vector<std::string> keys;
  for (const ThreadRecord& thread : readSiteSnapshot(encodeSiteSnapshot(engine)).threads) keys.push_back(thread.key);
  return keys;
}

// Member records and policy changes reach every replica, whichever thread they follow.
bool isMemberEvent(const Event& event) {
  if (std::holds_alternative<PolicyChanged>(event.body)) return true;
  return std::holds_alternative<MemberJoined>(event.body) || std::holds_alternative<MemberChanged>(event.body);
}

// What a server sends a replica that follows one thread, for each accepted op: the events of an
// op on that thread as eventsForReplicas packs them (after the actor's record: a replica that
// subscribed midway may never have heard of the actor), and the member events of every other op.
std::vector<Event> deliveryFor(const std::string& followed, const std::string& opThread, const Engine& server,
                               const Op& op, const Outcome& outcome) {
  if (opThread == followed) return eventsForReplicas(server, op, outcome);
  std::vector<Event> delivery;
  std::copy_if(outcome.events.begin(), outcome.events.end(), std::back_inserter(delivery), isMemberEvent);
  return delivery;
}

// A replica following one thread from op `subscribeAt` on (0: before anything happened).
struct Follower {
  std::string key;
  std::size_t subscribeAt = 0;
  Engine replica{"replica"};
  std::size_t comparisons = 0;
};

std::vector<Op> generated(std::uint64_t seed, std::uint32_t count) {
  GeneratorOptions options;
  options.seed = seed;
  options.ops = count;
  return generateOps(options);
}

// A server and a client-side engine fed every accepted outcome's events: a replica of everything.
struct Mirror : Community {
  Engine replica{"test-site", structuralPolicy()};

  Outcome both(const Op& op, Where where = Where::current()) {
    Outcome outcome = requireAccepted(op, where);
    requireApplied(replica, outcome.events);
    return outcome;
  }
  // The same members as readers see them, the same threads byte for byte, and the same views.
  // (Standing and ledgers, which only the server's rules read, are not replicated.)
  void requireSame(Where where = Where::current()) {
    INFO("checked at " << describeWhere(where));
    auto publicMembers = [](const Engine& of) {
      std::vector<std::string> out;
      for (MemberRecord member : exportRecords(of).members) {
        member.standing = {};
        out.push_back(member.id + "|" + member.displayName + "|" + std::to_string(static_cast<int>(member.role)) + "|" +
                      std::to_string(member.joinedAt) + "|" + std::to_string(member.postCount) + "|" +
                      std::to_string(member.reputation) + "|" + std::to_string(member.trustLevel) + "|" +
                      std::to_string(static_cast<int>(member.state)));
      }
      return out;
    };
    CHECK(publicMembers(replica) == publicMembers(engine));
    CHECK(replica.lastSequence() == engine.lastSequence());
    for (const std::string& key : threadKeys(engine)) {
      CHECK(threadSnapshot(replica, key) == threadSnapshot(engine, key));
      CHECK(viewsOf(replica, key, 0, viewersKnownTo(replica)) == viewsOf(engine, key, 0, viewersKnownTo(replica)));
    }
  }
};

Event eventOf(EventBody body, Sequence sequence = 900, std::string opId = "op-x") {
  return Event{std::move(opId), sequence, 1'800'000'000'000, std::move(body)};
}

}  // namespace

TEST_CASE("a replica following one thread ends identical to the server's thread", "[replica][property]") {
  const std::uint64_t seed = GENERATE(1u, 7u, 42u, 2024u, 31337u);
  const std::vector<Op> ops = generated(seed, 1500);
  INFO("seed " << seed << ", " << ops.size() << " ops");

  // The threads the log creates: follow the first two and one from the middle.
  std::vector<std::string> keys;
  {
    Engine dryRun("site");
    for (const Op& op : ops) dryRun.apply(op);
    keys = threadKeys(dryRun);
  }
  REQUIRE(keys.size() >= 3);
  std::vector<Follower> followers;
  for (const std::string& key : {keys[0], keys[1], keys[keys.size() / 2]}) {
    for (std::size_t at : {std::size_t{0}, ops.size() / 3, 2 * ops.size() / 3}) followers.push_back(Follower{key, at});
  }

  Engine server("site");
  for (std::size_t i = 0; i <= ops.size(); ++i) {
    for (Follower& follower : followers) {
      // Subscribing: a snapshot when the thread exists, otherwise its creation arrives as events.
      if (follower.subscribeAt == i && server.threadView(follower.key, SortOrder::top)) {
        requireLoaded(follower.replica, threadSnapshot(server, follower.key));
      } else if (follower.subscribeAt == i) {
        // No thread yet: the replica knows the site's rules from the server's Welcome.
        REQUIRE(applyEvents(follower.replica, {Event{"welcome", 0, 0, PolicyChanged{server.policy()}}}).ok());
      }
    }
    if (i == ops.size()) break;
    const Op& op = ops[i];
    const std::string opThread = server.threadKeyOf(op).value_or(std::string());
    const Outcome outcome = server.apply(op);
    if (!outcome.stored()) continue;
    for (Follower& follower : followers) {
      if (i < follower.subscribeAt) continue;
      const std::vector<Event> delivery = deliveryFor(follower.key, opThread, server, op, outcome);
      if (delivery.empty()) continue;
      Status status = applyEvents(follower.replica, delivery);
      if (!status) FAIL("op " << i << " (" << op.id << "): " << status.error().message);
      // Having heard of every sequence so far, the replica is the server's thread, byte for byte.
      REQUIRE(follower.replica.lastSequence() == server.lastSequence());
      Result<Bytes> expected = encodeThreadSnapshot(server, follower.key, fullViewer());
      Result<Bytes> actual = encodeThreadSnapshot(follower.replica, follower.key, fullViewer());
      REQUIRE(expected.ok() == actual.ok());
      if (expected.ok() && expected.value() != actual.value()) {
        FAIL("thread " << follower.key << " (subscribed at op " << follower.subscribeAt << ") differs after op " << i);
      }
      follower.comparisons += expected.ok() ? 1 : 0;
    }
  }

  for (Follower& follower : followers) {
    INFO("thread " << follower.key << ", subscribed at op " << follower.subscribeAt);
    // Ops of other threads came later, so the replica's sequence may lag; the thread may not.
    CHECK(follower.replica.lastSequence() <= server.lastSequence());
    CHECK(viewsOf(follower.replica, follower.key, 0, viewersKnownTo(follower.replica)) ==
          viewsOf(server, follower.key, 0, viewersKnownTo(follower.replica)));
    CHECK(threadKeys(follower.replica) == std::vector<std::string>{follower.key});
    CHECK(follower.comparisons > 0);
  }
}

TEST_CASE("a replica fed every event from the start is the server, byte for byte", "[replica][property]") {
  const std::uint64_t seed = GENERATE(3u, 99u);
  std::vector<Op> ops = generated(seed, 2000);
  // Ops without events (reading) tell a replica no sequence; a last op with events does.
  ops.push_back(OpFactory(ops.back().time).thread(OpFactory::member("closer", Role::staff), "/closing"));
  ops.back().sequence = ops[ops.size() - 2].sequence + 1;
  Engine server("site");
  Engine replica("site");
  std::size_t accepted = 0;
  for (const Op& op : ops) {
    Outcome outcome = server.apply(op);
    if (!outcome.stored()) continue;
    ++accepted;
    Status status = applyEvents(replica, outcome.events);
    if (!status) FAIL(op.id << ": " << status.error().message);
  }
  CHECK(accepted > 500);
  // The server keeps what only its rules need (standing, ledgers, audit, the spam filter);
  // everything a reader sees is the same, byte for byte.
  CHECK(threadKeys(replica) == threadKeys(server));
  for (const std::string& key : threadKeys(server)) {
    INFO("thread " << key);
    CHECK(threadSnapshot(replica, key) == threadSnapshot(server, key));
    CHECK(viewsOf(replica, key, 0, viewersKnownTo(replica)) == viewsOf(server, key, 0, viewersKnownTo(replica)));
  }
  CHECK(replica.policy() == server.policy());
}

TEST_CASE("Events messages of threads a replica does not hold only bring their members", "[replica][property]") {
  // Every later outcome reaches the replica as its thread's Events message, followed or not
  // (packed by eventsForReplicas, as a server sends them).
  const std::vector<Op> ops = generated(5, 2000);
  const std::size_t half = ops.size() / 2;
  Engine server("site");
  for (std::size_t i = 0; i < half; ++i) server.apply(ops[i]);
  const std::vector<std::string> before = threadKeys(server);
  REQUIRE(before.size() >= 3);
  const std::string followed = before[1];

  Engine replica("replica");
  requireLoaded(replica, threadSnapshot(server, followed));
  for (std::size_t i = half; i < ops.size(); ++i) {
    const std::string key = server.threadKeyOf(ops[i]).value_or(std::string());
    Outcome outcome = server.apply(ops[i]);
    if (!outcome.stored()) continue;
    Status status =
        applyEvents(replica, EventsMessage{key, ops[i].sequence, eventsForReplicas(server, ops[i], outcome)});
    if (!status) FAIL(ops[i].id << ": " << status.error().message);
  }
  CHECK(replica.lastSequence() == server.lastSequence());

  // It holds the followed thread and the threads created after it subscribed (it saw them
  // born), each equal to the server's; none of the threads that existed without it.
  std::set<std::string> held;
  for (const std::string& key : threadKeys(replica)) held.insert(key);
  CHECK(held.count(followed) == 1);
  for (const std::string& key : before) {
    if (key != followed) CHECK(held.count(key) == 0);
  }
  CHECK(held.size() == 1 + threadKeys(server).size() - before.size());
  for (const std::string& key : held) {
    INFO("thread " << key);
    CHECK(threadSnapshot(replica, key) == threadSnapshot(server, key));
    CHECK(viewsOf(replica, key, 0, viewersKnownTo(replica)) == viewsOf(server, key, 0, viewersKnownTo(replica)));
  }
}

TEST_CASE("thread snapshots do not depend on the order a replica learned of members", "[replica][snapshot]") {
  // The server knows alice, bob, carol in join order; the replica learns of them in another.
  Community site;
  std::string key = site.thread(site.carol, "/t");
  std::string post = site.post(site.alice, key);
  site.vote(site.bob, post, VoteDirection::up);
  site.vote(site.carol, post, VoteDirection::down);
  site.vote(site.dave, post, VoteDirection::up);

  Engine replica("replica");
  requireApplied(replica, {eventOf(MemberJoined{memberRecord("dave", "Name of dave", Role::member, 1, 0)}, 1),
                           eventOf(MemberJoined{memberRecord("bob", "Name of bob", Role::member, 1, 0)}, 1)});
  requireLoaded(replica, threadSnapshot(site.engine, key));
  const Bytes bytes = threadSnapshot(site.engine, key);
  CHECK(threadSnapshot(replica, key) == bytes);

  // Members by id, votes by member id; no site-wide counters.
  const MemberRecord joined = readSiteSnapshot(encodeSiteSnapshot(replica)).member("bob");
  CHECK(joined.joinedAt == readSiteSnapshot(site.snapshot()).member("bob").joinedAt);
  CHECK(readSiteSnapshot(site.snapshot()).member("alice").postCount == 1);
  ThreadSnapshotEditor editor(bytes);
  std::vector<std::string> members;
  for (auto member : editor.root().getMembers()) {
    members.push_back(toString(member.getId()));
    CHECK(member.getPostCount() == 0);
  }
  CHECK(members == std::vector<std::string>{"alice", "bob", "carol", "dave"});
  std::vector<std::string> voters;
  for (auto vote : editor.root().getPosts()[0].getVotes()) voters.push_back(toString(vote.getMemberId()));
  CHECK(voters == std::vector<std::string>{"bob", "carol", "dave"});
}

TEST_CASE("loading a thread snapshot keeps the post counts a replica knows", "[replica][snapshot]") {
  Mirror site;
  const std::string key = "/t";
  site.both(site.ops.thread(site.alice, key));
  site.both(site.ops.post(site.alice, key));
  REQUIRE(readSiteSnapshot(encodeSiteSnapshot(site.replica)).member("alice").postCount == 1);
  requireLoaded(site.replica, threadSnapshot(site.engine, key));
  CHECK(readSiteSnapshot(encodeSiteSnapshot(site.replica)).member("alice").postCount == 1);
}

TEST_CASE("each event applies to a replica as the engine applied its op", "[replica]") {
  Mirror site;
  Outcome created = site.both(site.ops.thread(site.alice, "/q", ThreadKind::question, "Sizes?"));
  CHECK(eventNames(created) == std::vector<std::string>{"MemberJoined", "ThreadCreated", "FollowChanged"});
  site.requireSame();

  SECTION("member_joined and member_changed add and update the member") {
    Outcome question = site.both(site.ops.post(site.bob, "/q", "Which size?"));
    CHECK(eventNames(question) == std::vector<std::string>{"MemberJoined", "PostCreated", "FollowChanged"});
    Actor renamed{"bob", "Robert", Role::staff};
    Outcome changed = site.both(site.ops.post(renamed, "/q", "Also: colours?"));
    CHECK(eventNames(changed) == std::vector<std::string>{"MemberChanged", "PostCreated"});
    site.requireSame();
    ThreadView view = site.replica.threadView("/q", SortOrder::oldest).value();
    CHECK(view.posts[0].authorName == "Robert");
    CHECK(view.posts[0].authorRole == Role::staff);
  }
  SECTION("thread_created adds the thread") {
    site.both(site.ops.thread(site.bob, "/d", ThreadKind::discussion, "Chat"));
    site.requireSame();
    ThreadView view = site.replica.threadView("/d", SortOrder::top).value();
    CHECK(view.kind == ThreadKind::discussion);
    CHECK(view.title == "Chat");
  }
  SECTION("post_created adds posts and replies under their parents") {
    Outcome question = site.both(site.ops.post(site.bob, "/q", "Which size?"));
    Outcome answer = site.both(site.ops.post(site.carol, "/q", "Medium.", question.opId));
    site.both(site.ops.post(site.dave, "/q", "Agreed.", answer.opId));
    site.requireSame();
    ThreadView view = site.replica.threadView("/q", SortOrder::oldest).value();
    REQUIRE(view.posts.size() == 3);
    CHECK(view.posts[2].depth == 2);
    CHECK(view.posts[0].replyCount == 1);
  }
  SECTION("post_edited keeps the previous body with the editor and the event's time") {
    Outcome question = site.both(site.ops.post(site.bob, "/q", "Which size?"));
    Op edit = site.ops.edit(site.moderator, question.opId, "Which size fits?");
    site.both(edit);
    site.requireSame();
    PostRecord post = readSiteSnapshot(encodeSiteSnapshot(site.replica)).post(question.opId);
    CHECK(post.body == "Which size fits?");
    CHECK(post.editedAt == edit.time);
    REQUIRE(post.edits.size() == 1);
    CHECK(post.edits[0].previousBody == "Which size?");
    CHECK(post.edits[0].editorId == "mod");
    CHECK(post.edits[0].time == edit.time);
  }
  SECTION("post_deleted removes the post") {
    Outcome question = site.both(site.ops.post(site.bob, "/q", "Which size?"));
    site.both(site.ops.post(site.carol, "/q", "Medium.", question.opId));
    site.both(site.ops.remove(site.bob, question.opId));
    site.requireSame();
    PostView view = postIn(site.replica.threadView("/q", SortOrder::oldest).value(), question.opId);
    CHECK(view.state == PostState::removed);
    CHECK(view.body.empty());
  }
  SECTION("vote_changed sets, moves and retracts votes") {
    Outcome question = site.both(site.ops.post(site.bob, "/q", "Which size?"));
    for (const Actor& voter : {site.dave, site.alice, site.carol})
      site.both(site.ops.vote(voter, question.opId, VoteDirection::up));
    site.requireSame();
    site.both(site.ops.vote(site.alice, question.opId, VoteDirection::down));
    site.requireSame();
    site.both(site.ops.vote(site.dave, question.opId, VoteDirection::none));
    site.requireSame();
    PostView view = postIn(site.replica.threadView("/q", SortOrder::top, "alice").value(), question.opId);
    CHECK(view.score == 0);
    CHECK(view.myVote == VoteDirection::down);
  }
  SECTION("answer_accepted and answer_unaccepted move the accepted answer") {
    Outcome question = site.both(site.ops.post(site.bob, "/q", "Which size?"));
    Outcome first = site.both(site.ops.post(site.carol, "/q", "Medium.", question.opId));
    Outcome second = site.both(site.ops.post(site.dave, "/q", "Large.", question.opId));
    site.both(site.ops.accept(site.bob, first.opId));
    site.requireSame();
    Outcome moved = site.both(site.ops.accept(site.bob, second.opId));
    CHECK(eventNames(moved) == std::vector<std::string>{"AnswerUnaccepted", "AnswerAccepted"});
    site.requireSame();
    CHECK(postIn(site.replica.threadView("/q", SortOrder::top).value(), second.opId).accepted);
    site.both(site.ops.unaccept(site.bob, second.opId));
    site.requireSame();
    // The replica enforces what it applied: the question has no accepted answer any more.
    site.both(site.ops.accept(site.staff, first.opId));
    site.requireSame();
  }
  SECTION("deleting the accepted answer unaccepts it first, as the engine does") {
    Outcome question = site.both(site.ops.post(site.bob, "/q", "Which size?"));
    Outcome answer = site.both(site.ops.post(site.carol, "/q", "Medium.", question.opId));
    site.both(site.ops.accept(site.bob, answer.opId));
    Outcome removed = site.both(site.ops.remove(site.carol, answer.opId));
    CHECK(eventNames(removed) == std::vector<std::string>{"AnswerUnaccepted", "PostDeleted"});
    site.requireSame();
    Outcome other = site.both(site.ops.post(site.dave, "/q", "Large.", question.opId));
    site.both(site.ops.accept(site.bob, other.opId));
    site.requireSame();
  }
}

TEST_CASE("post_deleted alone also clears an accepted answer", "[replica]") {
  Mirror site;
  site.both(site.ops.thread(site.alice, "/q", ThreadKind::question));
  Outcome question = site.both(site.ops.post(site.bob, "/q", "Which size?"));
  Outcome answer = site.both(site.ops.post(site.carol, "/q", "Medium.", question.opId));
  site.both(site.ops.accept(site.bob, answer.opId));
  requireApplied(site.replica, {eventOf(PostDeleted{answer.opId})});
  PostView view = postIn(site.replica.threadView("/q", SortOrder::top).value(), answer.opId);
  CHECK_FALSE(view.accepted);
  CHECK(view.state == PostState::removed);
  // The question has no accepted answer left: another can be accepted.
  Outcome other = site.requireAccepted(site.ops.post(site.dave, "/q", "Large.", question.opId));
  requireApplied(site.replica, other.events);
  requireApplied(site.replica, {eventOf(AnswerAccepted{question.opId, other.opId}, 901)});
}

TEST_CASE("a batch that contradicts the replica is refused and changes nothing", "[replica]") {
  Mirror site;
  site.both(site.ops.thread(site.alice, "/q", ThreadKind::question));
  site.both(site.ops.thread(site.alice, "/d"));
  const std::string question = site.both(site.ops.post(site.bob, "/q", "Which size?")).opId;
  const std::string answer = site.both(site.ops.post(site.carol, "/q", "Medium.", question)).opId;
  const std::string other = site.both(site.ops.post(site.dave, "/q", "Large.", question)).opId;
  const std::string chat = site.both(site.ops.post(site.bob, "/d", "Hello")).opId;
  const std::string removed = site.both(site.ops.post(site.bob, "/d", "Gone soon")).opId;
  site.both(site.ops.vote(site.carol, question, VoteDirection::up));
  site.both(site.ops.accept(site.bob, answer));
  site.both(site.ops.remove(site.bob, removed));
  const MemberRecord newcomer = memberRecord("erin", "Erin", Role::member, 5, 0);
  const auto post = [](std::string id, std::string thread, std::string parent, std::string author) {
    PostRecord record;
    record.id = std::move(id);
    record.threadKey = std::move(thread);
    record.parentId = std::move(parent);
    record.authorId = std::move(author);
    record.body = "Text";
    return PostCreated{record};
  };

  struct Case {
    const char* name;
    std::vector<Event> events;
    ReasonCode code;
  };
  const std::vector<Case> cases = {
      {"an edit of an unknown post", {eventOf(PostEdited{"ghost", "New", "bob"})}, ReasonCode::unknownPost},
      {"a delete of an unknown post", {eventOf(PostDeleted{"ghost"})}, ReasonCode::unknownPost},
      {"a vote on an unknown post",
       {eventOf(VoteChanged{"ghost", "bob", VoteDirection::up, 1})},
       ReasonCode::unknownPost},
      {"an accept of an unknown answer", {eventOf(AnswerAccepted{question, "ghost"})}, ReasonCode::unknownPost},
      {"a reply to an unknown post", {eventOf(post("p1", "/d", "ghost", "bob"))}, ReasonCode::unknownPost},
      {"a reply to a post of another thread",
       {eventOf(post("p1", "/d", question, "bob"))},
       ReasonCode::parentNotInThread},
      {"a reply to a removed post", {eventOf(post("p1", "/d", removed, "bob"))}, ReasonCode::postRemoved},
      {"a post by an unknown member", {eventOf(post("p1", "/d", "", "ghost"))}, ReasonCode::invalidMember},
      {"a post id the replica holds", {eventOf(post(chat, "/d", "", "bob"))}, ReasonCode::duplicatePostId},
      {"a reply too deep",
       {eventOf(post("p1", "/q", answer, "bob")), eventOf(post("p2", "/q", "p1", "bob"))},
       ReasonCode::tooDeep},
      {"a thread the replica holds",
       {eventOf(ThreadCreated{ThreadRecord{"/d", ThreadKind::discussion, "", "alice", 1}})},
       ReasonCode::threadExists},
      {"a thread by an unknown member",
       {eventOf(ThreadCreated{ThreadRecord{"/new", ThreadKind::discussion, "", "ghost", 1}})},
       ReasonCode::invalidMember},
      {"an edit by an unknown member", {eventOf(PostEdited{chat, "New", "ghost"})}, ReasonCode::invalidMember},
      {"an edit that changes nothing", {eventOf(PostEdited{chat, "Hello", "bob"})}, ReasonCode::unchanged},
      {"an edit of a removed post", {eventOf(PostEdited{removed, "Back", "bob"})}, ReasonCode::postRemoved},
      {"a delete of a removed post", {eventOf(PostDeleted{removed})}, ReasonCode::postRemoved},
      {"a vote whose score does not add up",
       {eventOf(VoteChanged{question, "dave", VoteDirection::up, 5})},
       ReasonCode::malformedSnapshot},
      {"a vote the member already cast",
       {eventOf(VoteChanged{question, "carol", VoteDirection::up, 1})},
       ReasonCode::alreadyVoted},
      {"a retraction without a vote",
       {eventOf(VoteChanged{question, "dave", VoteDirection::none, 1})},
       ReasonCode::noVoteToRetract},
      {"a vote on one's own post", {eventOf(VoteChanged{question, "bob", VoteDirection::up, 2})}, ReasonCode::ownPost},
      {"a second accepted answer", {eventOf(AnswerAccepted{question, other})}, ReasonCode::alreadyAccepted},
      {"an unaccept of an answer not accepted", {eventOf(AnswerUnaccepted{question, other})}, ReasonCode::notAccepted},
      {"an accept in a discussion", {eventOf(AnswerAccepted{chat, chat})}, ReasonCode::notAQuestion},
      {"an accept of a question", {eventOf(AnswerAccepted{question, question})}, ReasonCode::notAnAnswer},
      {"a member without an id", {eventOf(MemberJoined{MemberRecord{}})}, ReasonCode::invalidMember},
      // Good events first: none of them stays.
      {"a good start and a bad end",
       {eventOf(MemberJoined{newcomer}, 950), eventOf(post("p1", "/d", "", "erin"), 950),
        eventOf(VoteChanged{chat, "erin", VoteDirection::up, 1}, 951), eventOf(PostEdited{"ghost", "x", "erin"}, 952)},
       ReasonCode::unknownPost},
  };

  const Bytes before = encodeSiteSnapshot(site.replica);
  const Sequence sequence = site.replica.lastSequence();
  for (const Case& refused : cases) {
    INFO(refused.name);
    Status status = applyEvents(site.replica, refused.events);
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().code == refused.code);
    CHECK(status.error().message.find("op-x") != std::string::npos);
    const bool unchanged = encodeSiteSnapshot(site.replica) == before;
    CHECK(unchanged);
    CHECK(site.replica.lastSequence() == sequence);
  }
  // And the replica still follows the server.
  site.both(site.ops.vote(site.dave, question, VoteDirection::up));
  site.requireSame();
}

TEST_CASE("events of threads the replica does not hold are skipped, member events apply", "[replica]") {
  Community site;
  std::string followed = site.thread(site.alice, "/followed");
  std::string other = site.thread(site.alice, "/other");
  site.post(site.alice, other);
  Engine replica("replica");
  requireLoaded(replica, threadSnapshot(site.engine, followed));
  const Sequence loaded = replica.lastSequence();

  SECTION("post_created in another thread is skipped, but its sequence was seen") {
    Outcome post = site.requireAccepted(site.ops.post(site.bob, other, "Elsewhere"));
    CHECK(eventNames(post) == std::vector<std::string>{"MemberJoined", "PostCreated", "FollowChanged"});
    requireApplied(replica, post.events);
    CHECK(threadKeys(replica) == std::vector<std::string>{followed});
    CHECK(readSiteSnapshot(encodeSiteSnapshot(replica)).findMember("bob") != nullptr);
    CHECK(replica.lastSequence() == post.events[0].sequence);
    CHECK(replica.lastSequence() > loaded);
  }
  SECTION("an Events message of another thread brings only its member events") {
    std::string answered = site.post(site.alice, other, "Post to vote on");
    Outcome vote = site.requireAccepted(site.ops.vote(site.carol, answered, VoteDirection::up));
    CHECK(eventNames(vote) == std::vector<std::string>{"MemberJoined", "VoteChanged"});
    Status status = applyEvents(replica, EventsMessage{other, vote.events[0].sequence, vote.events});
    REQUIRE(status.ok());
    CHECK(readSiteSnapshot(encodeSiteSnapshot(replica)).findMember("carol") != nullptr);
    CHECK(threadKeys(replica) == std::vector<std::string>{followed});
    // The same events without the message's thread name a post the replica cannot place.
    Engine fresh("replica");
    requireLoaded(fresh, threadSnapshot(site.engine, followed));
    Status refused = applyEvents(fresh, vote.events);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == ReasonCode::unknownPost);
  }
  SECTION("an Events message that creates the thread is applied") {
    Outcome created = site.requireAccepted(site.ops.thread(site.dave, "/new"));
    Status status = applyEvents(replica, EventsMessage{"/new", created.events[0].sequence, created.events});
    REQUIRE(status.ok());
    CHECK(threadSnapshot(replica, "/new") == threadSnapshot(site.engine, "/new"));
  }
  SECTION("a site-wide op's Events message changes the held thread's posts: an erasure blanks them") {
    const std::string words = site.post(site.bob, followed, "Words Bob takes back");
    site.post(site.bob, other, "Bob elsewhere");
    requireLoaded(replica, threadSnapshot(site.engine, followed));
    REQUIRE(site.engine.threadKeyOf(site.ops.moderateMember(site.admin, ModerationAction::erase, "bob")) ==
            std::nullopt);
    Outcome erased = site.requireAccepted(site.ops.moderateMember(site.admin, ModerationAction::erase, "bob"));
    const std::vector<std::string> names = eventNames(erased);
    REQUIRE(std::count(names.begin(), names.end(), "PostChanged") == 2);  // one in each thread
    // The server sends a site-wide op to every open widget with no thread named (site_host.cpp).
    Status status = applyEvents(replica, EventsMessage{"", erased.events[0].sequence, erased.events});
    REQUIRE(status.ok());
    CHECK(threadSnapshot(replica, followed) == threadSnapshot(site.engine, followed));
    CHECK(threadKeys(replica) == std::vector<std::string>{followed});
    std::optional<ThreadView> view = replica.threadView(followed, SortOrder::oldest);
    REQUIRE(view);
    const auto post =
        std::find_if(view->posts.begin(), view->posts.end(), [&](const PostView& p) { return p.id == words; });
    REQUIRE(post != view->posts.end());
    CHECK(post->erased);
    CHECK(post->body.empty());
  }
  SECTION("an empty batch changes nothing") {
    const Bytes before = encodeSiteSnapshot(replica);
    requireApplied(replica, {});
    CHECK(encodeSiteSnapshot(replica) == before);
  }
}

TEST_CASE("a replica that never heard of a post's author refuses the post", "[replica]") {
  // bob joined in another thread before the replica subscribed; his post names him only by id.
  // (The server must send the actor's member record along: eventsForReplicas.)
  Community site;
  std::string followed = site.thread(site.alice, "/followed");
  std::string other = site.thread(site.alice, "/other");
  site.post(site.bob, other);
  Engine replica("replica");
  requireLoaded(replica, threadSnapshot(site.engine, followed));
  const Bytes before = encodeSiteSnapshot(replica);

  Op op = site.ops.post(site.bob, followed);
  Outcome post = site.requireAccepted(op);
  CHECK(eventNames(post) == std::vector<std::string>{"PostCreated", "FollowChanged"});
  Status status = applyEvents(replica, post.events);
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().code == ReasonCode::invalidMember);
  CHECK(encodeSiteSnapshot(replica) == before);

  // Sent as a server sends them, the events bring bob along.
  requireApplied(replica, eventsForReplicas(site.engine, op, post));
  CHECK(threadSnapshot(replica, followed) == threadSnapshot(site.engine, followed));
  CHECK(replica.threadView(followed, SortOrder::oldest)->posts.back().authorName == "Name of bob");
}

TEST_CASE("eventsForReplicas puts the actor's record before events that lack it", "[replica]") {
  Community site;
  std::string key = site.thread(site.alice, "/t");
  auto pack = [&](const Op& op) {
    Outcome outcome = site.engine.apply(op);
    return std::make_pair(outcome, eventsForReplicas(site.engine, op, outcome));
  };

  SECTION("a member's first op carries member_joined already") {
    auto [outcome, events] = pack(site.ops.post(site.bob, key));
    CHECK(eventNames(outcome) == std::vector<std::string>{"MemberJoined", "PostCreated", "FollowChanged"});
    CHECK(encodeOutcome(Outcome{outcome.opId, outcome.status, outcome.code, outcome.message, events}) ==
          encodeOutcome(outcome));
  }
  SECTION("a known member's post: the record as it stood before the post") {
    site.post(site.alice, key);
    Op op = site.ops.post(site.alice, key, "Second");
    auto [outcome, events] = pack(op);
    REQUIRE(events.size() == 2);
    const auto* record = std::get_if<MemberChanged>(&events[0].body);
    REQUIRE(record != nullptr);
    CHECK(record->member.id == "alice");
    CHECK(record->member.displayName == "Name of alice");
    CHECK(record->member.postCount == 1);
    CHECK(record->member.joinedAt == readSiteSnapshot(site.snapshot()).member("alice").joinedAt);
    CHECK(events[0].opId == op.id);
    CHECK(events[0].sequence == op.sequence);
    CHECK(events[0].time == op.time);
    CHECK(std::holds_alternative<PostCreated>(events[1].body));
  }
  SECTION("a rename carries member_changed already") {
    auto [outcome, events] = pack(site.ops.post(Actor{"alice", "Alicia", Role::member}, key));
    CHECK(eventNames(outcome) == std::vector<std::string>{"MemberChanged", "PostCreated"});
    CHECK(events.size() == 2);
  }
  SECTION("a rejected op has no events to send") {
    auto [outcome, events] = pack(site.ops.post(site.alice, "/missing"));
    CHECK_FALSE(outcome.accepted());
    CHECK(events.empty());
  }
}

TEST_CASE("a replica keeps each thread's last sequence, which the site's may be ahead of", "[replica]") {
  Community site;
  const std::string a = site.thread(site.alice, "/a");
  const std::string b = site.thread(site.alice, "/b");
  Engine replica("replica");
  requireLoaded(replica, threadSnapshot(site.engine, a));
  requireLoaded(replica, threadSnapshot(site.engine, b));
  const Sequence loaded = site.engine.lastSequence();
  CHECK(threadLastSequence(replica, a) == loaded);
  CHECK(threadLastSequence(replica, b) == loaded);
  CHECK(threadLastSequence(replica, "/never") == 0);

  // A post in b, then one in a; a's events arrive first, b's are still in flight.
  const Op inB = site.ops.post(site.bob, b);
  const Outcome outcomeB = site.requireAccepted(inB);
  const Op inA = site.ops.post(site.bob, a);
  const Outcome outcomeA = site.requireAccepted(inA);
  REQUIRE(inB.sequence < inA.sequence);
  REQUIRE(applyEvents(replica, EventsMessage{a, inA.sequence, eventsForReplicas(site.engine, inA, outcomeA)}).ok());
  CHECK(replica.lastSequence() == inA.sequence);
  CHECK(threadLastSequence(replica, a) == inA.sequence);
  CHECK(threadLastSequence(replica, b) == loaded);  // resubscribing to b from here misses nothing

  REQUIRE(applyEvents(replica, EventsMessage{b, inB.sequence, eventsForReplicas(site.engine, inB, outcomeB)}).ok());
  CHECK(threadLastSequence(replica, b) == inB.sequence);

  // Loading another thread's snapshot keeps what the replica holds of the others.
  const std::string c = site.thread(site.carol, "/c");
  requireLoaded(replica, threadSnapshot(site.engine, c));
  CHECK(threadLastSequence(replica, c) == site.engine.lastSequence());
  CHECK(threadLastSequence(replica, a) == inA.sequence);
  CHECK(threadLastSequence(replica, b) == inB.sequence);
}
