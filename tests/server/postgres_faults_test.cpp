// Several servers over one PostgreSQL under faults (docs/operations.md, "Faults"): the database
// stopped while three servers take writes, a resubmission while its op waits for the database, and
// one server paused inside its sequencing transaction.
#include <pqxx/pqxx>

#include <signal.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "kring/view.h"
#include "postgres_support.h"
#include "server_test_ops.h"
#include "store_fault_support.h"

using namespace kring;
using namespace kring::testing;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

// These tests write as fast as the servers answer: the per-connection and per-member budgets are lifted.
const std::string kUnlimited = kUnlimitedRates;

// Posts one op at a time through one server, each answered before the next: a store_unavailable
// refusal is sent again with the same id, as the widget does.
class Writer {
 public:
  Writer(ServerProcess& server, std::string member, std::string threadKey)
      : member_(std::move(member)), threadKey_(std::move(threadKey)), thread_([this, &server] { run(server); }) {}
  ~Writer() { stop(); }

  void stop() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
  }
  // When the first op acknowledged after `since` was acknowledged; nullopt when none was.
  std::optional<Clock::time_point> firstAckAfter(Clock::time_point since) {
    std::lock_guard lock(mutex_);
    for (const auto& [id, at] : acknowledged_) {
      if (at > since) return at;
    }
    return std::nullopt;
  }
  std::vector<std::string> acknowledged() {
    std::lock_guard lock(mutex_);
    std::vector<std::string> ids;
    for (const auto& [id, at] : acknowledged_) ids.push_back(id);
    return ids;
  }
  std::size_t refusedAsUnavailable() const { return unavailable_; }
  std::vector<std::string> failures() {
    std::lock_guard lock(mutex_);
    return failures_;
  }

 private:
  void run(ServerProcess& server) {
    SyncClient client(server.port());
    if (!client.hello(TestSite::id, testToken(member_), "client-" + member_)) return fail("refused at hello");
    for (int n = 1; !stopping_; ++n) {
      std::string id = member_ + "-" + std::to_string(n);
      for (;;) {
        client.send(post(id, threadKey_, "post " + std::to_string(n) + " by " + member_));
        // Long enough for an op held through the longest outage.
        Answer answer = answerOf(client, id, 60s);
        if (answer.kind == Answer::rejected && answer.code == ReasonCode::storeUnavailable) {
          ++unavailable_;
          std::this_thread::sleep_for(200ms);
          continue;
        }
        std::lock_guard lock(mutex_);
        if (answer.kind == Answer::acknowledged || answer.code == ReasonCode::alreadyApplied) {
          acknowledged_.emplace_back(id, Clock::now());
        } else {
          failures_.push_back(
              id + (answer.kind == Answer::none ? ": no answer" : ": " + std::string(reasonName(answer.code))));
          return;
        }
        break;
      }
      std::this_thread::sleep_for(10ms);
    }
  }
  void fail(const std::string& why) {
    std::lock_guard lock(mutex_);
    failures_.push_back(why);
  }

  std::string member_, threadKey_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::size_t> unavailable_{0};
  std::mutex mutex_;
  std::vector<std::pair<std::string, Clock::time_point>> acknowledged_;
  std::vector<std::string> failures_;
  std::thread thread_;
};

bool storeWritable(const ServerProcess& server) {
  auto health = parsedObject(httpRequest(server.port(), "/healthz"));
  return health["store"].as_object()["writable"].as_bool();
}

// How long after `resumed` every writer had an op acknowledged again (the write stall's tail).
std::chrono::milliseconds writesResumeAfter(std::vector<std::unique_ptr<Writer>>& writers, Clock::time_point resumed) {
  Clock::time_point last = resumed;
  for (auto& writer : writers) {
    std::optional<Clock::time_point> at;
    for (int i = 0; i < 200 && !(at = writer->firstAckAfter(resumed)); ++i) std::this_thread::sleep_for(50ms);
    if (!at) return std::chrono::milliseconds::max();
    last = std::max(last, *at);
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(last - resumed);
}

std::size_t storedCount(const std::string& database, const std::string& opId) {
  pqxx::connection connection(database);
  pqxx::nontransaction session(connection);
  return session.exec_params1("SELECT count(*) FROM kring_ops WHERE op_id = convert_to($1, 'UTF8')", opId)[0]
      .as<std::size_t>();
}

}  // namespace

TEST_CASE(
    "PostgreSQL stopped for 6 s and for 30 s under three servers' writes: no server exits, nothing acknowledged "
    "is lost, writes resume",
    "[postgres][faults]") {
  PrivatePostgres postgres;
  const std::string serverFlags = flags(postgres.url()) + kUnlimited;
  ServerProcess a(serverFlags), b(serverFlags), c(serverFlags);
  std::vector<ServerProcess*> servers{&a, &b, &c};
  {
    auto ann = signedIn(a, "ann");
    ann->send(createThread("ann-0", "/p/1"));
    REQUIRE(ackOf(*ann, "ann-0"));
  }
  std::vector<std::unique_ptr<Writer>> writers;
  for (int i = 0; i < 3; ++i)
    writers.push_back(std::make_unique<Writer>(*servers[i], "writer" + std::to_string(i), "/p/1"));
  std::this_thread::sleep_for(1500ms);
  for (auto& writer : writers) REQUIRE(!writer->acknowledged().empty());

  for (auto outage : {6s, 30s}) {
    INFO("outage of " << outage.count() << " s");
    REQUIRE(postgres.halt());
    std::this_thread::sleep_for(3s);
    for (ServerProcess* server : servers) {
      REQUIRE(server->running());
      CHECK_FALSE(storeWritable(*server));
    }
    // Reads go on: a reader gets the thread from what the server holds.
    auto reader = signedIn(b, "reader");
    ThreadView view = viewFromSnapshot(*reader, "/p/1");
    CHECK(view.posts.size() > 0);
    // A new write is refused at once, with the reason a client retries on (the writers' ops that were
    // on their way when the database went are held instead).
    const std::string probe = "probe-" + std::to_string(outage.count());
    reader->send(post(probe, "/p/1", "written while the database is away"));
    Answer refusal = answerOf(*reader, probe, 2s);
    CHECK(refusal.kind == Answer::rejected);
    CHECK(refusal.code == ReasonCode::storeUnavailable);
    std::this_thread::sleep_for(outage - 3s);
    REQUIRE(postgres.resume());
    auto resumed = Clock::now();
    auto stall = writesResumeAfter(writers, resumed);
    std::printf("writes resumed %lld ms after PostgreSQL came back from a %lld s outage\n",
                static_cast<long long>(stall.count()), static_cast<long long>(outage.count()));
    CHECK(stall < 4s);
    for (ServerProcess* server : servers) CHECK(storeWritable(*server));
    std::this_thread::sleep_for(1s);
  }
  std::size_t refused = 0;
  for (auto& writer : writers) {
    writer->stop();
    CHECK(writer->failures().empty());
    refused += writer->refusedAsUnavailable();
  }
  std::printf("the writers' ops refused store_unavailable and sent again: %zu\n", refused);
  for (ServerProcess* server : servers) {
    CHECK(server->running());
    const std::string log = serverLog(*server);
    CHECK(log.find(R"("event":"store_unavailable")") != std::string::npos);
    CHECK(log.find(R"("event":"store_available")") != std::string::npos);
  }

  std::vector<std::string> snapshots = settledSnapshots(servers);
  CHECK(snapshots[0] == snapshots[1]);
  CHECK(snapshots[0] == snapshots[2]);
  ThreadView view = viewFromSnapshot(*signedIn(c, "reader"), "/p/1");
  std::set<std::string> shown;
  for (const PostView& entry : view.posts) shown.insert(entry.id);
  CHECK(shown.size() == view.posts.size());
  std::size_t acknowledged = 0;
  for (auto& writer : writers) {
    for (const std::string& id : writer->acknowledged()) {
      ++acknowledged;
      if (shown.count(id) == 0) FAIL_CHECK("acknowledged but not stored: " << id);
    }
  }
  CHECK(view.posts.size() == acknowledged);
}

TEST_CASE(
    "a resubmission while its op waits for the database is answered by that op, never already_applied before "
    "it is stored",
    "[postgres][faults]") {
  std::string database = freshDatabase();
  ServerProcess a(flags(database));
  auto ann = signedIn(a, "ann");
  ann->send(createThread("ann-0", "/p/1"));
  REQUIRE(ackOf(*ann, "ann-0"));

  SECTION("the server is killed before the database takes the op") {
    pqxx::connection lockHolder(database);
    pqxx::work holding(lockHolder);
    holding.exec("SELECT 1 FROM kring_sites WHERE site = 'test' FOR UPDATE");  // sequencing waits on this row
    auto again = signedIn(a, "ann");
    ann->send(post("ann-1", "/p/1", "waits for the database"));
    std::this_thread::sleep_for(300ms);
    again->send(post("ann-1", "/p/1", "waits for the database"));
    CHECK(answerOf(*again, "ann-1", 1500ms).kind == Answer::none);
    a.kill(SIGKILL);
    holding.abort();
    CHECK(answerOf(*ann, "ann-1", 200ms).kind == Answer::none);
    CHECK(storedCount(database, "ann-1") == 0);
    CHECK(storedCount(database, "ann-0") == 1);  // the query finds what is stored
  }

  SECTION("the database takes the op: both are answered with its commit") {
    pqxx::connection lockHolder(database);
    pqxx::work holding(lockHolder);
    holding.exec("SELECT 1 FROM kring_sites WHERE site = 'test' FOR UPDATE");
    auto again = signedIn(a, "ann");
    ann->send(post("ann-2", "/p/1", "waits, then is stored"));
    std::this_thread::sleep_for(300ms);
    again->send(post("ann-2", "/p/1", "waits, then is stored"));
    CHECK(answerOf(*again, "ann-2", 1500ms).kind == Answer::none);
    holding.abort();
    CHECK(answerOf(*again, "ann-2", 10s).kind == Answer::acknowledged);
    CHECK(answerOf(*ann, "ann-2", 10s).kind == Answer::acknowledged);
    CHECK(storedCount(database, "ann-2") == 1);
  }
}

TEST_CASE(
    "a server paused inside its sequencing transaction holds the others' writes no longer than the idle "
    "timeout, and recovers when it wakes",
    "[postgres][faults]") {
  std::string database = freshDatabase();
  const std::string serverFlags = flags(database) + kUnlimited + " --pg-idle-in-transaction-timeout-ms 1000";
  ServerProcess a(serverFlags), b(serverFlags), c(serverFlags);
  std::vector<ServerProcess*> servers{&a, &b, &c};
  auto ann = signedIn(a, "ann");
  ann->send(createThread("ann-0", "/p/1"));
  REQUIRE(ackOf(*ann, "ann-0"));

  // A's sequencer stays busy: posts go out without waiting for their answers.
  std::atomic<bool> pausedInside{false};
  std::atomic<int> sent{0};
  std::thread pipeline([&] {
    for (int n = 1; n <= 3000 && !pausedInside; ++n) {
      ann->send(post("ann-" + std::to_string(n), "/p/1", "pipelined " + std::to_string(n)));
      sent = n;
      std::this_thread::sleep_for(1ms);
    }
  });
  // Stop A until it is caught inside its transaction: its session idle in a transaction that wrote.
  pqxx::connection observer(database);
  const std::string sequencer = "kring-server " + std::to_string(a.pid()) + " sequencer";
  for (int attempt = 0; attempt < 500 && !pausedInside; ++attempt) {
    ::kill(a.pid(), SIGSTOP);
    std::this_thread::sleep_for(20ms);
    pqxx::nontransaction look(observer);
    auto rows = look.exec_params(
        "SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND state = 'idle in transaction' "
        "AND backend_xid IS NOT NULL",
        sequencer);
    if (!rows.empty()) {
      pausedInside = true;
    } else {
      ::kill(a.pid(), SIGCONT);
      std::this_thread::sleep_for(5ms);
    }
  }
  auto pausedAt = Clock::now();
  pipeline.join();
  REQUIRE(pausedInside);

  // The others go on once the database ends A's transaction.
  for (ServerProcess* other : {&b, &c}) {
    auto bob = signedIn(*other, "bob");
    std::string id = "bob-" + std::to_string(other->port());
    auto sentAt = Clock::now();
    bob->send(post(id, "/p/1", "while A sleeps"));
    Answer answer = answerOf(*bob, id, 10s);
    auto stall = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - sentAt);
    std::printf("a write through another server was acknowledged %lld ms after it was sent, A paused\n",
                static_cast<long long>(stall.count()));
    CHECK(answer.kind == Answer::acknowledged);
    CHECK(stall < 5s);
  }
  std::this_thread::sleep_for(15s - (Clock::now() - pausedAt));
  ::kill(a.pid(), SIGCONT);

  // A wakes to a transaction the database ended: it sequences its ops again, each once. (An op that
  // reached A while it found its session gone may be refused as store_unavailable: not stored.)
  std::set<std::string> acknowledged;
  std::size_t refused = 0;
  for (int n = 1; n <= sent; ++n) {
    std::string id = "ann-" + std::to_string(n);
    Answer answer = answerOf(*ann, id, 30s);
    if (answer.kind == Answer::acknowledged) acknowledged.insert(id);
    if (answer.kind == Answer::rejected && answer.code == ReasonCode::storeUnavailable) ++refused;
  }
  INFO("server A's log:\n" << serverLog(a));
  CHECK(acknowledged.size() + refused == static_cast<std::size_t>(sent));
  CHECK(acknowledged.size() > 0);
  ann->send(post("ann-after", "/p/1", "after the pause"));
  CHECK(answerOf(*ann, "ann-after", 10s).kind == Answer::acknowledged);
  std::vector<std::string> snapshots = settledSnapshots(servers);
  CHECK(snapshots[0] == snapshots[1]);
  CHECK(snapshots[0] == snapshots[2]);
  ThreadView view = viewFromSnapshot(*signedIn(c, "reader"), "/p/1");
  CHECK(view.posts.size() == acknowledged.size() + 3);
  for (ServerProcess* server : servers) CHECK(server->running());
}
