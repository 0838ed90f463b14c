// Paged threads (thread_page.h): a replica that holds part of a thread predicts and follows live
// events on what it holds, counts what it does not, and once it has loaded every page holds exactly
// the server's thread.
#include <algorithm>
#include <map>

#include "engine_fixture.h"
#include "kring/replica.h"
#include "kring/thread_page.h"
#include "kring/view.h"
#include "op_generator.h"
#include "snapshot_records.h"

using namespace kring;
using namespace kring::testing;

namespace {

void requirePageLoaded(Engine& replica, ByteView bytes) {
  Status status = loadThreadSnapshot(replica, bytes);
  INFO((status.ok() ? std::string() : status.error().message));
  REQUIRE(status.ok());
}

EncodedPage cutPage(const Engine& server, const LoadPage& request, bool first, PageSize size,
                    const Viewer& viewer = fullViewer()) {
  Result<EncodedPage> encoded = encodeThreadPage(server, request, first, viewer, size);
  INFO((encoded.ok() ? std::string() : encoded.error().message));
  REQUIRE(encoded.ok());
  return std::move(encoded.value());
}

// Loads pages until the replica holds every list whole; how many it took.
std::size_t loadEveryPage(Engine& replica, const Engine& server, const std::string& key, PageSize size) {
  std::size_t pages = 0;
  for (bool more = true; more;) {
    more = false;
    std::optional<ThreadView> view = replica.threadView(key, SortOrder::oldest);
    REQUIRE(view);
    std::vector<std::string> lists{""};
    for (const PostView& post : view->posts) {
      if (post.unloadedReplies > 0) lists.push_back(post.id);
    }
    for (const std::string& parent : lists) {
      if (std::optional<LoadPage> next = nextPage(replica, key, parent)) {
        requirePageLoaded(replica, cutPage(server, *next, false, size).bytes);
        more = true;
        ++pages;
        REQUIRE(pages < 100000);
      }
    }
  }
  return pages;
}

std::string pagedViewJson(const Engine& engine, const std::string& key, SortOrder order,
                          const std::string& viewer = {}) {
  std::optional<ThreadView> view = engine.threadView(key, order, viewer);
  REQUIRE(view);
  view->lastSequence = 0;
  view->unloadedVisible = 0;  // a paged replica's count, which the server's own view has no use for
  return toJson(*view);
}

// Each post of the thread as a full viewer holds it, by id (a paged replica holds them in the order it got them).
std::vector<std::string> postLines(const Engine& engine, const std::string& key) {
  std::vector<std::string> lines;
  for (const PostRecord& post : threadPostRecords(engine, key, fullViewer())) {
    std::string line = post.id + "|" + post.parentId + "|" + post.authorId + "|" + post.body + "|" +
                       std::to_string(post.createdSequence) + "|" + std::to_string(post.editedAt) + "|" +
                       std::to_string(static_cast<int>(post.state)) + "|" + std::to_string(post.score) + "|" +
                       std::to_string(post.accepted) + "|" + std::to_string(post.flagScore) + "|" +
                       std::to_string(post.featured) + "|" + std::to_string(post.erased);
    for (const VoteRecord& vote : post.votes)
      line += "|v" + vote.memberId + std::to_string(static_cast<int>(vote.direction));
    for (const EditRecord& edit : post.edits) line += "|e" + edit.editorId + edit.previousBody;
    lines.push_back(std::move(line));
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

// A thread of `roots` top-level posts, each with `replies` replies.
struct BigThread : Community {
  std::string key = "/big";
  std::vector<std::string> roots;
  BigThread(int rootCount, int replies) {
    thread(alice, key);
    for (int i = 0; i < rootCount; ++i) {
      roots.push_back(post(i % 2 ? bob : carol, key, "Root " + std::to_string(i)));
      for (int j = 0; j < replies; ++j) reply(dave, key, roots.back(), "Reply " + std::to_string(j));
    }
  }
};

}  // namespace

TEST_CASE("the first page of a big thread holds its first posts and says what it lacks", "[paging]") {
  BigThread community(40, 5);  // 240 posts
  const PageSize size{10, 35, 2};
  EncodedPage first = cutPage(community.engine, LoadPage{community.key, SortOrder::oldest, {}, {}}, true, size);
  CHECK(first.posts.size() == 35);
  Engine replica("replica");
  requirePageLoaded(replica, first.bytes);
  std::optional<ThreadView> view = replica.threadView(community.key, SortOrder::oldest);
  REQUIRE(view);
  // Ten roots, two replies each, then more replies while room is left: the first roots get them.
  std::size_t roots = static_cast<std::size_t>(
      std::count_if(view->posts.begin(), view->posts.end(), [](const PostView& p) { return p.depth == 0; }));
  CHECK(roots == 10);
  CHECK(view->posts.front().id == community.roots[0]);
  CHECK(view->unloadedTopLevel == 30);
  CHECK(view->unloadedVisible == 240 - 35);
  // Roots 0-9 hold 2 replies each after the first round; the 5 left go to the first roots in order.
  CHECK(view->posts[0].unloadedReplies == 0);
  const PostView& second = *std::find_if(view->posts.begin(), view->posts.end(),
                                         [&](const PostView& p) { return p.id == community.roots[1]; });
  CHECK(second.unloadedReplies == 1);
  const PostView& tenth = *std::find_if(view->posts.begin(), view->posts.end(),
                                        [&](const PostView& p) { return p.id == community.roots[9]; });
  CHECK(tenth.unloadedReplies == 3);
  // A page of the top-level list continues after the tenth root.
  std::optional<LoadPage> next = nextPage(replica, community.key, "");
  REQUIRE(next);
  CHECK(next->afterId == community.roots[9]);
  CHECK(next->order == SortOrder::oldest);
  // Every page later, the replica is the server's thread.
  CHECK(loadEveryPage(replica, community.engine, community.key, size) > 5);
  CHECK(pagedViewJson(replica, community.key, SortOrder::oldest) ==
        pagedViewJson(community.engine, community.key, SortOrder::oldest));
  CHECK(replica.threadView(community.key, SortOrder::oldest)->unloadedVisible == 0);
  CHECK(!nextPage(replica, community.key, ""));
}

TEST_CASE("a small thread's first page is the whole thread", "[paging]") {
  BigThread community(20, 4);  // 100 posts: the default page's size
  EncodedPage first = cutPage(community.engine, LoadPage{community.key, SortOrder::top, {}, {}}, true, PageSize{});
  CHECK(first.posts.size() == 100);
  Engine replica("replica");
  requirePageLoaded(replica, first.bytes);
  CHECK(!nextPage(replica, community.key, ""));
  CHECK(pagedViewJson(replica, community.key, SortOrder::top) ==
        pagedViewJson(community.engine, community.key, SortOrder::top));
}

TEST_CASE("a paged replica follows live events on what it holds and counts the rest", "[paging]") {
  BigThread community(30, 2);
  const PageSize size{5, 12, 1};
  Engine replica("replica");
  requirePageLoaded(replica,
                    cutPage(community.engine, LoadPage{community.key, SortOrder::oldest, {}, {}}, true, size).bytes);
  const std::uint32_t unloadedBefore = replica.threadView(community.key, SortOrder::oldest)->unloadedVisible;
  auto deliver = [&](const Op& op) {
    Outcome outcome = community.requireAccepted(op);
    Status status = applyEvents(
        replica, EventsMessage{community.key, op.sequence, eventsForReplicas(community.engine, op, outcome)});
    INFO((status.ok() ? std::string() : status.error().message));
    REQUIRE(status.ok());
  };
  // A vote on a post it does not hold, and a reply under one: skipped, the reply counted.
  const std::string unloadedRoot = community.roots[20];
  REQUIRE(!replica.threadView(community.key, SortOrder::oldest)->posts.empty());
  deliver(community.ops.vote(community.alice, unloadedRoot, VoteDirection::up));
  deliver(community.ops.post(community.alice, community.key, "Under a post not loaded", unloadedRoot));
  CHECK(replica.threadView(community.key, SortOrder::oldest)->unloadedVisible == unloadedBefore + 1);
  // A reply to a post it holds and a new top-level post arrive.
  Op reply = community.ops.post(community.bob, community.key, "A live reply", community.roots[0]);
  deliver(reply);
  Op top = community.ops.post(community.bob, community.key, "A live top-level post");
  deliver(top);
  std::optional<ThreadView> view = replica.threadView(community.key, SortOrder::oldest);
  auto holds = [&](const std::string& id) {
    return std::any_of(view->posts.begin(), view->posts.end(), [&](const PostView& p) { return p.id == id; });
  };
  CHECK(holds(reply.id));
  CHECK(holds(top.id));
  CHECK(!holds(unloadedRoot));
  // Predictions work on the posts it holds.
  replica.apply(community.ops.vote(community.carol, community.roots[0], VoteDirection::up));
  // Loading the rest, the replica is the server's thread, the skipped vote and reply included.
  loadEveryPage(replica, community.engine, community.key, size);
  CHECK(pagedViewJson(replica, community.key, SortOrder::oldest) ==
        pagedViewJson(community.engine, community.key, SortOrder::oldest));
}

TEST_CASE("a whole replica still refuses events naming a post it does not hold", "[paging]") {
  BigThread community(3, 0);
  Engine replica("replica");
  requirePageLoaded(replica, encodeThreadSnapshot(community.engine, community.key, fullViewer()).value());
  Op stray = community.ops.post(community.alice, "/elsewhere-thread", "x");
  community.thread(community.alice, "/elsewhere-thread");
  Outcome outcome = community.requireAccepted(stray);
  Event vote{"op-v", 999, 1, VoteChanged{stray.id, "", VoteDirection::up, 1}};
  Status status = applyEvents(replica, EventsMessage{community.key, 999, {vote}});
  REQUIRE(!status.ok());
  CHECK(status.error().code == ReasonCode::unknownPost);
  CHECK(!outcome.events.empty());
}

TEST_CASE("a page that continues a thread the replica holds whole or not at all is refused", "[paging]") {
  BigThread community(12, 0);
  const PageSize size{5, 5, 1};
  EncodedPage first = cutPage(community.engine, LoadPage{community.key, SortOrder::oldest, {}, {}}, true, size);
  EncodedPage second =
      cutPage(community.engine, LoadPage{community.key, SortOrder::oldest, {}, community.roots[4]}, false, size);
  Engine empty("replica");
  Status status = loadThreadSnapshot(empty, second.bytes);
  REQUIRE(!status.ok());
  CHECK(status.error().code == ReasonCode::malformedSnapshot);
  Engine whole("replica");
  requirePageLoaded(whole, encodeThreadSnapshot(community.engine, community.key, fullViewer()).value());
  CHECK(!loadThreadSnapshot(whole, second.bytes).ok());
  // A request after a post of another list names no page.
  Result<EncodedPage> wrong = encodeThreadPage(
      community.engine, LoadPage{community.key, SortOrder::oldest, community.roots[0], community.roots[4]}, false,
      fullViewer(), size);
  REQUIRE(!wrong.ok());
  CHECK(wrong.error().code == ReasonCode::unknownPost);
  CHECK(first.posts.size() == 5);
}

TEST_CASE("a paged replica that loads every page ends identical to the server's thread", "[paging][property]") {
  const std::uint64_t seed = GENERATE(1u, 42u, 2024u);
  const SortOrder order = GENERATE(SortOrder::oldest, SortOrder::newest, SortOrder::top);
  GeneratorOptions options;
  options.seed = seed;
  options.ops = 2500;
  const std::vector<Op> ops = generateOps(options);
  // The thread with the most posts, followed from a third of the way in.
  std::string key;
  {
    Engine dryRun("site");
    for (const Op& op : ops) dryRun.apply(op);
    std::size_t most = 0;
    for (const ThreadRecord& thread : readSiteSnapshot(encodeSiteSnapshot(dryRun)).threads) {
      std::size_t posts = threadPostRecords(dryRun, thread.key, fullViewer()).size();
      if (posts > most) std::tie(most, key) = std::tie(posts, thread.key);
    }
    REQUIRE(most >= 20);
  }
  INFO("seed " << seed << ", thread " << key << ", order " << static_cast<int>(order));
  const PageSize size{3, 6, 1};
  Engine server("site");
  Engine replica("replica");
  bool subscribed = false;
  std::size_t pages = 0;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const std::string opThread = server.threadKeyOf(ops[i]).value_or(std::string());
    Outcome outcome = server.apply(ops[i]);
    if (!subscribed && i >= ops.size() / 3 && server.hasThread(key)) {
      requirePageLoaded(replica, cutPage(server, LoadPage{key, order, {}, {}}, true, size).bytes);
      subscribed = true;
      continue;
    }
    if (!subscribed || !outcome.stored()) continue;
    std::vector<Event> events = eventsForReplicas(server, ops[i], outcome);
    // Another thread's op reaches this replica with its members and policy only; a site-wide op (a
    // sanction, an erasure) reaches every open thread whole, as the server sends it.
    if (!opThread.empty() && opThread != key) {
      std::erase_if(events, [](const Event& e) {
        return !std::holds_alternative<MemberJoined>(e.body) && !std::holds_alternative<MemberChanged>(e.body) &&
               !std::holds_alternative<PolicyChanged>(e.body);
      });
    }
    Status status = applyEvents(replica, EventsMessage{opThread, ops[i].sequence, std::move(events)});
    if (!status) FAIL("op " << i << " (" << ops[i].id << "): " << status.error().message);
    // Now and then a page of the top-level list or of a post's replies, cut at this moment.
    if (i % 5 == 0) {
      std::optional<ThreadView> view = replica.threadView(key, order);
      REQUIRE(view);
      std::string parent;
      for (const PostView& post : view->posts) {
        if (post.unloadedReplies > 0 && (i / 5) % 2 == 1) parent = post.id;
      }
      if (std::optional<LoadPage> next = nextPage(replica, key, parent)) {
        requirePageLoaded(replica, cutPage(server, *next, false, size).bytes);
        ++pages;
      }
    }
    // Every post it holds is the server's, as the server would send it.
    if (i % 50 == 0) {
      std::map<std::string, PostRecord> held;
      for (PostRecord& post : threadPostRecords(replica, key, fullViewer())) held[post.id] = std::move(post);
      for (const PostRecord& post : threadPostRecords(server, key, fullViewer())) {
        auto it = held.find(post.id);
        if (it == held.end()) continue;
        PostRecord mine = it->second;
        CHECK(mine.body == post.body);
        CHECK(mine.score == post.score);
        CHECK(mine.state == post.state);
        CHECK(mine.accepted == post.accepted);
      }
    }
  }
  REQUIRE(subscribed);
  CHECK(pages >= 3);
  loadEveryPage(replica, server, key, size);
  if (order != SortOrder::top) {
    // Cut in an order votes do not change, every post arrives: the thread is the server's exactly.
    CHECK(postLines(replica, key) == postLines(server, key));
    CHECK(pagedViewJson(replica, key, order) == pagedViewJson(server, key, order));
  } else {
    // Votes move posts across a page's edge while the reader pages: each post it holds is still the server's.
    std::size_t held = threadPostRecords(replica, key, fullViewer()).size();
    CHECK(held * 10 >= threadPostRecords(server, key, fullViewer()).size() * 9);
  }
}
