// kring-server benchmark: connections held, fan-out latency to one thread's subscribers (all of
// one viewer class, and a mix of classes: members, reviewers, moderators and the poster), and
// durable ops/s (every ack after its commit). Runs the real binary on loopback; prints a table.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "bench_client.h"
#include "kring/visibility.h"

using namespace kring;
using namespace kring::bench;

namespace {

Op voteUp(std::string id, std::string postId) {
  Op op;
  op.id = std::move(id);
  op.body = CastVote{std::move(postId), VoteDirection::up};
  return op;
}

Op pin(std::string id, std::string threadKey) {
  Op op;
  op.id = std::move(id);
  Moderate moderate;
  moderate.action = ModerationAction::pin;
  moderate.threadKey = std::move(threadKey);
  moderate.reason = "Benchmark check: only moderators receive this audit entry.";
  op.body = moderate;
  return op;
}

// The test site's mechanics policy (server_process.h), with a review-queue threshold that one up
// vote reaches (1 + 10) and a watched word that holds a post for review: the held post's text goes
// only to reviewers and moderators, which is how the benchmark checks its subscribers' classes.
constexpr const char* kBenchPolicy =
    R"({"settings":{"privilegeVoteUp":0,"privilegeVoteDown":0,"privilegeComment":0,"privilegeFlag":0,)"
    R"("ratePostsTrust0":1000000,"ratePostsTrust1":1000000,"duplicateWindowHours":0,)"
    R"("newMemberUntilTrustLevel":0,"spamHoldScore":1000000,"privilegeReviewQueue":11},)"
    R"("watchedWords":[{"locale":"en","word":"benchheld","action":"require_approval"}]})";

const char* className(ViewerClass viewerClass) {
  switch (viewerClass) {
    case ViewerClass::everyone: return "everyone";
    case ViewerClass::reviewer: return "reviewer";
    case ViewerClass::moderator: return "moderator";
  }
  return "?";
}

// One fan-out subscriber: the class it should be, and what it received that tells its class.
struct Subscriber {
  ViewerClass expected = ViewerClass::everyone;
  bool snapshot = false;        // its Subscribe was answered
  bool heldSeen = false;        // the held check post arrived...
  bool heldText = false;        // ...with its text (reviewers and moderators)
  bool moderationSeen = false;  // the pin's audit entry arrived (moderators only)

  bool asExpected(bool screeningWithheld) const {
    bool privileged = expected != ViewerClass::everyone;
    bool moderator = expected == ViewerClass::moderator;
    return heldSeen && heldText == privileged && moderationSeen == moderator && screeningWithheld == !moderator;
  }
};

// One thread's fan-out run: its subscribers are clients [first, first + subscribers).
struct FanOut {
  std::string threadKey;
  int first = 0;
  std::string heldPost;     // the check post, held for review
  std::string currentPost;  // the measured post in flight
  Clock::time_point sentAt;
  int delivered = 0;
  std::vector<double> latencies;
};

}  // namespace

int main(int argc, char** argv) {
  int connections = argc > 1 ? std::atoi(argv[1]) : 10000;
  std::string extraFlags = argc > 2 ? std::string(" ") + argv[2] : std::string();  // e.g. "--op-id-memory 1"
  // Two fan-out runs of `subscribers` each: one viewer class, then a mix of classes.
  int subscribers = std::min(connections / 2, 1000);
  raiseFileLimit();
  kring::testing::ServerProcess server(kUnlimitedFlags + extraFlags, kBenchPolicy);
  boost::asio::io_context io;

  // Clients [0, subscribers) follow the one-class thread: signed-in plain members (everyone),
  // client 0 the poster. Clients [subscribers, 2 * subscribers) follow the mixed thread: the poster
  // (a plain member, who gets the author's projection), then members, reviewers and moderators in
  // turn. The other connections are guests that follow nothing.
  std::vector<FanOut> runs(2);
  runs[0].threadKey = "/bench/fanout/one-class";
  runs[0].first = 0;
  runs[1].threadKey = "/bench/fanout/mixed";
  runs[1].first = subscribers;
  std::vector<Subscriber> subs(static_cast<std::size_t>(2 * subscribers));
  auto memberOf = [&](int i) { return (i < subscribers ? "one-" : "mixed-") + std::to_string(i); };
  for (int i = subscribers + 1; i < 2 * subscribers; ++i) {
    int turn = (i - subscribers) % 3;
    subs[i].expected = turn == 1 ? ViewerClass::everyone : turn == 2 ? ViewerClass::reviewer : ViewerClass::moderator;
  }

  std::vector<std::shared_ptr<Client>> clients;
  std::unordered_set<std::string> acked;  // op ids seen in events during setup
  bool setup = true;
  int welcomed = 0, failed = 0, rejected = 0;
  bool storm = false;  // step 6: snapshots counted for the subscribe storm
  int stormSnapshots = 0;
  auto onMessage = [&](Client& client, ServerMessage& message) {
    if (auto* refused = std::get_if<RejectedMessage>(&message)) {
      if (++rejected <= 5) std::printf("rejected %s: %s\n", refused->opId.c_str(), refused->message.c_str());
      return;
    }
    bool subscriber = client.index >= 0 && client.index < 2 * subscribers;
    if (auto* part = std::get_if<ThreadSnapshotPart>(&message); part && part->last()) {
      if (storm)
        ++stormSnapshots;
      else if (subscriber)
        subs[client.index].snapshot = true;
    }
    auto* events = std::get_if<EventsMessage>(&message);
    if (!events) return;
    for (const Event& event : events->events) {
      if (setup && !event.opId.empty()) acked.insert(event.opId);
      if (!subscriber) continue;
      Subscriber& sub = subs[client.index];
      FanOut& run = runs[client.index < subscribers ? 0 : 1];
      if (const auto* created = std::get_if<PostCreated>(&event.body)) {
        if (event.opId == run.currentPost) {
          run.latencies.push_back(std::chrono::duration<double, std::milli>(Clock::now() - run.sentAt).count());
          ++run.delivered;
        } else if (event.opId == run.heldPost) {
          sub.heldSeen = true;
          sub.heldText = !created->post.body.empty();
        }
      } else if (std::holds_alternative<ModerationRecorded>(event.body)) {
        sub.moderationSeen = true;
      }
    }
  };
  auto allAcked = [&](const std::vector<std::string>& ids) {
    return std::all_of(ids.begin(), ids.end(), [&](const std::string& id) { return acked.count(id) != 0; });
  };

  // 1. Connections held.
  auto started = Clock::now();
  for (int i = 0; i < connections; ++i) {
    auto client = std::make_shared<Client>(io, onMessage);
    clients.push_back(client);
    std::string token;
    if (i < 2 * subscribers) {
      client->index = i;
      bool moderates = subs[i].expected == ViewerClass::moderator;
      token = kring::testing::testToken(memberOf(i), moderates ? "moderator" : "member");
    }
    client->connect(
        server.port(), "bench-" + std::to_string(i), [&](bool ok) { (ok ? welcomed : failed) += 1; }, token);
    if (i % 500 == 499)
      runUntil(
          io, [&] { return welcomed + failed > i - 100; }, std::chrono::seconds(30));
  }
  runUntil(
      io, [&] { return welcomed + failed == connections; }, std::chrono::seconds(60));
  double connectSeconds = std::chrono::duration<double>(Clock::now() - started).count();

  // 2. Set-up of the mixed run: a moderator (moderators pass the vote gates) votes up one post of
  // each reviewer, which takes them from 1 to 11 reputation, the site's review-queue threshold.
  auto moderator = std::make_shared<Client>(io, onMessage);
  auto heldAuthor = std::make_shared<Client>(io, onMessage);
  int helpersWelcomed = 0;
  moderator->connect(
      server.port(), "bench-moderator", [&](bool ok) { helpersWelcomed += ok; },
      kring::testing::testToken("bench-moderator", "moderator"));
  heldAuthor->connect(
      server.port(), "bench-held-author", [&](bool ok) { helpersWelcomed += ok; },
      kring::testing::testToken("bench-held-author", "member"));
  runUntil(
      io, [&] { return helpersWelcomed == 2; }, std::chrono::seconds(10));
  moderator->send(Submit{thread("thread-setup", "/bench/setup")});
  moderator->send(Submit{thread("thread-one-class", runs[0].threadKey)});
  moderator->send(Submit{thread("thread-mixed", runs[1].threadKey)});
  runUntil(
      io,
      [&] {
        return allAcked({"thread-setup", "thread-one-class", "thread-mixed"});
      },
      std::chrono::seconds(10));
  std::vector<std::string> reviewerPosts, reviewerVotes;
  for (int i = subscribers; i < 2 * subscribers; ++i) {
    if (subs[i].expected != ViewerClass::reviewer) continue;
    reviewerPosts.push_back("setup-post-" + std::to_string(i));
    std::string text = "Reviewer " + std::to_string(i) + " says hello.";
    clients[i]->send(Submit{post(reviewerPosts.back(), "/bench/setup", text)});
  }
  runUntil(
      io, [&] { return allAcked(reviewerPosts); }, std::chrono::seconds(30));
  for (const std::string& postId : reviewerPosts) {
    reviewerVotes.push_back("setup-vote-" + postId);
    moderator->send(Submit{voteUp(reviewerVotes.back(), postId)});
  }
  runUntil(
      io, [&] { return allAcked(reviewerVotes); }, std::chrono::seconds(30));

  // 3. Both threads' subscribers follow them; then the class check: a post held for review (its text
  // reaches reviewers and moderators) and a moderator's pin (its audit entry reaches moderators).
  for (int i = 0; i < 2 * subscribers; ++i) clients[i]->send(Subscribe{runs[i < subscribers ? 0 : 1].threadKey, 0});
  runUntil(
      io, [&] { return std::all_of(subs.begin(), subs.end(), [](const Subscriber& s) { return s.snapshot; }); },
      std::chrono::seconds(30));
  std::vector<std::string> checks;
  for (std::size_t r = 0; r < runs.size(); ++r) {
    runs[r].heldPost = "check-held-" + std::to_string(r);
    heldAuthor->send(Submit{post(runs[r].heldPost, runs[r].threadKey, "This post waits for review: benchheld.")});
    moderator->send(Submit{pin("check-pin-" + std::to_string(r), runs[r].threadKey)});
    checks.push_back(runs[r].heldPost);
    checks.push_back("check-pin-" + std::to_string(r));
  }
  runUntil(
      io, [&] { return allAcked(checks); }, std::chrono::seconds(10));
  setup = false;
  runUntil(
      io, [] { return false; }, std::chrono::seconds(1));

  // 4. Fan-out: posts to each thread in turn (so both runs see the same server state), each
  // waited for until every subscriber has it.
  constexpr int kPosts = 50;
  for (int p = 0; p < kPosts; ++p) {
    for (FanOut& run : runs) {
      run.currentPost = "fanout-" + std::to_string(run.first) + "-" + std::to_string(p);
      run.delivered = 0;
      run.sentAt = Clock::now();
      clients[run.first]->send(Submit{post(run.currentPost, run.threadKey)});
      runUntil(
          io, [&] { return run.delivered >= subscribers; }, std::chrono::seconds(10));
    }
  }
  // Every subscriber was of the class it should be, by what it received.
  int classCounts[3] = {0, 0, 0}, misclassified = 0;
  for (int i = 0; i < 2 * subscribers; ++i) {
    if (!subs[i].asExpected(clients[i]->screeningWithheld)) {
      if (++misclassified <= 5) {
        std::printf("subscriber %d is not %s: held post %s, its text %s, audit entry %s, screening withheld %s\n", i,
                    className(subs[i].expected), subs[i].heldSeen ? "seen" : "not seen",
                    subs[i].heldText ? "seen" : "not seen", subs[i].moderationSeen ? "seen" : "not seen",
                    clients[i]->screeningWithheld ? "yes" : "no");
      }
    } else if (i >= subscribers) {
      ++classCounts[static_cast<int>(subs[i].expected)];
    }
  }

  // 5. Durable ops/s: 50 connections, pipelined posts to 50 threads, acks after commit.
  constexpr int kWriters = 50, kPerWriter = 400;
  int acks = 0;
  std::vector<std::shared_ptr<Client>> writers;
  int writersWelcomed = 0;
  for (int w = 0; w < kWriters; ++w) {
    auto writer = std::make_shared<Client>(io, [&](Client&, ServerMessage& message) {
      if (auto* events = std::get_if<EventsMessage>(&message)) {
        for (const Event& event : events->events) {
          if (std::holds_alternative<PostCreated>(event.body)) ++acks;
        }
      }
    });
    writers.push_back(writer);
    writer->connect(server.port(), "writer-" + std::to_string(w), [&](bool ok) { writersWelcomed += ok; });
  }
  runUntil(
      io, [&] { return writersWelcomed == kWriters; }, std::chrono::seconds(10));
  for (int w = 0; w < kWriters; ++w) {
    writers[w]->send(Submit{thread("durable-thread-" + std::to_string(w), "/bench/durable/" + std::to_string(w))});
  }
  runUntil(
      io, [] { return false; }, std::chrono::seconds(1));
  auto writeStart = Clock::now();
  for (int i = 0; i < kPerWriter; ++i) {
    for (int w = 0; w < kWriters; ++w) {
      std::string id = "d-" + std::to_string(w) + "-" + std::to_string(i);
      writers[w]->send(Submit{post(id, "/bench/durable/" + std::to_string(w))});
    }
  }
  runUntil(
      io, [&] { return acks >= kWriters * kPerWriter; }, std::chrono::seconds(120));
  double writeSeconds = std::chrono::duration<double>(Clock::now() - writeStart).count();

  // 6. Subscribe storm: every fan-out subscriber (three viewer classes) asks at once for the snapshot
  // of a 2,000-post thread; the server's resident memory before and after.
  constexpr int kStormPosts = 2000;
  const std::string stormKey = "/bench/storm";
  moderator->send(Submit{thread("storm-thread", stormKey)});
  std::vector<std::string> stormIds;
  for (int i = 0; i < kStormPosts; ++i) {
    stormIds.push_back("storm-" + std::to_string(i));
    moderator->send(Submit{post(stormIds.back(), stormKey, "Storm post " + std::to_string(i) + ", a few words long.")});
  }
  setup = true;
  runUntil(
      io, [&] { return allAcked(stormIds); }, std::chrono::seconds(60));
  setup = false;
  double rssBefore = procStatusMiB(server.pid(), "VmRSS");
  storm = true;
  int stormers = 2 * subscribers;
  auto stormStart = Clock::now();
  for (int i = 0; i < stormers; ++i) clients[i]->send(Subscribe{stormKey, 0});
  runUntil(
      io, [&] { return stormSnapshots >= stormers; }, std::chrono::seconds(120));
  double stormSeconds = std::chrono::duration<double>(Clock::now() - stormStart).count();
  storm = false;
  double rssAfter = procStatusMiB(server.pid(), "VmRSS");

  const std::vector<double>& single = runs[0].latencies;
  const std::vector<double>& mixed = runs[1].latencies;
  double singleP99 = percentile(single, 0.99), mixedP99 = percentile(mixed, 0.99);
  std::string fanOut = "fan-out to " + std::to_string(subscribers) + " subscribers";
  std::string classes =
      std::to_string(classCounts[0]) + "/" + std::to_string(classCounts[1]) + "/" + std::to_string(classCounts[2]);
  std::printf("kring-server benchmark (loopback, server and clients on this machine: %u cores)\n",
              std::thread::hardware_concurrency());
  std::printf("%-52s %14s %12s\n", "measure", "result", "target");
  std::printf("%-52s %14d %12s\n", "WebSocket connections held (welcomed)", welcomed, ">= 10000");
  std::printf("%-52s %14.1f %12s\n", "  seconds to open them", connectSeconds, "");
  std::printf("%-52s %14.1f %12s\n", (fanOut + ", one class, p50 ms").c_str(), percentile(single, 0.50), "");
  std::printf("%-52s %14.1f %12s\n", (fanOut + ", one class, p99 ms").c_str(), singleP99, "<= 100");
  std::printf("%-52s %14zu %12s\n", "  deliveries measured", single.size(), "");
  std::printf("%-52s %14.1f %12s\n", (fanOut + ", mixed classes, p50 ms").c_str(), percentile(mixed, 0.50), "");
  std::printf("%-52s %14.1f %12s\n", (fanOut + ", mixed classes, p99 ms").c_str(), mixedP99, "<= 100");
  std::printf("%-52s %14zu %12s\n", "  deliveries measured", mixed.size(), "");
  std::printf("%-52s %14s %12s\n", "  everyone (with poster)/reviewer/moderator", classes.c_str(), "");
  double ratio = singleP99 > 0 ? mixedP99 / singleP99 : 0.0;
  std::printf("%-52s %14.2f %12s\n", "fan-out p99, mixed / one class", ratio, "<= 1.5");
  std::printf("%-52s %14.0f %12s\n", "durable ops/s (SQLite, ack after commit)", acks / writeSeconds, ">= 5000");
  std::printf("%-52s %14d %12s\n", "  ops acknowledged", acks, "");
  std::string stormLabel = "subscribes/s, " + std::to_string(stormers) + " at once, 2,000-post thread";
  std::printf("%-52s %14.0f %12s\n", stormLabel.c_str(), stormSnapshots / stormSeconds, "");
  std::printf("%-52s %14d %12s\n", "  snapshots received", stormSnapshots, "");
  std::printf("%-52s %14.0f %12s\n", "server resident MiB before the storm", rssBefore, "");
  std::printf("%-52s %14.0f %12s\n", "server resident MiB after the storm", rssAfter, "");
  auto expected = static_cast<std::size_t>(kPosts * subscribers);
  bool complete = welcomed == connections && single.size() == expected && mixed.size() == expected &&
                  misclassified == 0 && rejected == 0 && acks == kWriters * kPerWriter && stormSnapshots == stormers;
  if (!complete) {
    std::printf("incomplete run: %d connections failed, %d subscribers not of their viewer class, %d ops rejected\n",
                failed, misclassified, rejected);
  }
  return complete ? 0 : 1;
}
