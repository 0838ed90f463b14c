// Several kring-servers over one PostgreSQL (issue 15): durable ops/s and cross-server fan-out
// latency with 1, 2 and 3 servers, beside one server on SQLite. Every server, the database and the
// clients share this machine's cores; the database is the benchmark's own (scripts/test-postgres.sh).
// Usage: kring_bench_cluster [writers] [posts per writer] [connections held]
#include <pqxx/pqxx>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bench_client.h"

using namespace kring;
using namespace kring::bench;

namespace {

// The test site's mechanics policy: no gates or rate limits of the community rules.
constexpr const char* kPolicy =
    R"({"settings":{"privilegeVoteUp":0,"privilegeVoteDown":0,"privilegeComment":0,"privilegeFlag":0,)"
    R"("ratePostsTrust0":1000000,"ratePostsTrust1":1000000,"duplicateWindowHours":0,)"
    R"("newMemberUntilTrustLevel":0,"spamHoldScore":1000000}})";

struct Row {
  std::string store;
  int servers = 0;
  double opsPerSecond = 0;
  int acknowledged = 0;
  double fanOutP50 = 0, fanOutP99 = 0;
  std::size_t deliveries = 0, expectedDeliveries = 0;
};

std::string freshDatabase(const std::string& serverUrl, int servers) {
  std::string name = "kring_bench_" + std::to_string(servers);
  pqxx::connection admin(serverUrl);
  pqxx::nontransaction session(admin);
  session.exec0("DROP DATABASE IF EXISTS " + name);
  session.exec0("CREATE DATABASE " + name);
  return serverUrl.substr(0, serverUrl.rfind('/') + 1) + name;
}

// `store` is "" for SQLite, or a database URL shared by every server.
Row measure(const std::string& store, int serverCount, int writerCount, int perWriter) {
  std::vector<std::unique_ptr<kring::testing::ServerProcess>> servers;
  std::string flags = kUnlimitedFlags + (store.empty() ? "" : " --db " + store);
  for (int s = 0; s < serverCount; ++s)
    servers.push_back(std::make_unique<kring::testing::ServerProcess>(flags, kPolicy));
  boost::asio::io_context io;
  Row row;
  row.store = store.empty() ? "SQLite" : "PostgreSQL";
  row.servers = serverCount;

  // Durable ops/s: writers spread over the servers, each pipelining posts to a thread of its own;
  // a post counts when its author's server acknowledges it (after the commit).
  std::vector<std::shared_ptr<Client>> writers;
  int welcomed = 0;
  for (int w = 0; w < writerCount; ++w) {
    auto writer = std::make_shared<Client>(io, [&](Client&, ServerMessage& message) {
      if (auto* events = std::get_if<EventsMessage>(&message)) {
        for (const Event& event : events->events) {
          if (std::holds_alternative<PostCreated>(event.body) && event.opId.rfind("d-", 0) == 0) ++row.acknowledged;
        }
      }
    });
    writers.push_back(writer);
    writer->connect(servers[w % serverCount]->port(), "writer-" + std::to_string(w), [&](bool ok) { welcomed += ok; });
  }
  runUntil(
      io, [&] { return welcomed == writerCount; }, std::chrono::seconds(20));
  for (int w = 0; w < writerCount; ++w)
    writers[w]->send(Submit{thread("t-" + std::to_string(w), "/bench/w/" + std::to_string(w))});
  runUntil(
      io, [] { return false; }, std::chrono::seconds(2));
  auto start = Clock::now();
  for (int i = 0; i < perWriter; ++i) {
    for (int w = 0; w < writerCount; ++w) {
      writers[w]->send(
          Submit{post("d-" + std::to_string(w) + "-" + std::to_string(i), "/bench/w/" + std::to_string(w))});
    }
  }
  const int expectedAcks = writerCount * perWriter;
  runUntil(
      io, [&] { return row.acknowledged >= expectedAcks; }, std::chrono::seconds(180));
  row.opsPerSecond = row.acknowledged / std::chrono::duration<double>(Clock::now() - start).count();

  // Fan-out: subscribers spread over the servers follow one thread; a poster on the first server
  // posts one at a time; latency from its send to each subscriber's receipt, across servers too.
  constexpr int kSubscribers = 90, kPosts = 100;
  const std::string key = "/bench/fanout";
  std::map<std::string, Clock::time_point> sentAt;
  std::vector<double> latencies;
  std::vector<std::shared_ptr<Client>> subscribers;
  for (int i = 0; i < kSubscribers; ++i) {
    auto subscriber = std::make_shared<Client>(io, [&](Client&, ServerMessage& message) {
      if (auto* events = std::get_if<EventsMessage>(&message)) {
        for (const Event& event : events->events) {
          auto sent = sentAt.find(event.opId);
          if (std::holds_alternative<PostCreated>(event.body) && sent != sentAt.end()) {
            latencies.push_back(std::chrono::duration<double, std::milli>(Clock::now() - sent->second).count());
          }
        }
      }
    });
    subscribers.push_back(subscriber);
    subscriber->connect(servers[i % serverCount]->port(), "sub-" + std::to_string(i), [&, subscriber, key](bool ok) {
      if (ok) subscriber->send(Subscribe{key, 0});
    });
  }
  auto poster = std::make_shared<Client>(io, [](Client&, ServerMessage&) {});
  bool posterReady = false;
  poster->connect(servers[0]->port(), "poster", [&](bool ok) { posterReady = ok; });
  runUntil(
      io, [&] { return posterReady; }, std::chrono::seconds(10));
  poster->send(Submit{thread("fanout-thread", key)});
  runUntil(
      io, [] { return false; }, std::chrono::seconds(2));  // every subscriber follows it by now
  for (int i = 0; i < kPosts; ++i) {
    std::string id = "f-" + std::to_string(i);
    sentAt[id] = Clock::now();
    poster->send(Submit{post(id, key)});
    auto pause = Clock::now() + std::chrono::milliseconds(20);
    runUntil(
        io, [&] { return Clock::now() >= pause; }, std::chrono::seconds(1));
  }
  row.expectedDeliveries = static_cast<std::size_t>(kSubscribers) * kPosts;
  runUntil(
      io, [&] { return latencies.size() >= row.expectedDeliveries; }, std::chrono::seconds(30));
  row.deliveries = latencies.size();
  row.fanOutP50 = percentile(latencies, 0.50);
  row.fanOutP99 = percentile(latencies, 0.99);
  return row;
}

// Connections one server on PostgreSQL holds, each welcomed as a guest and following nothing, and
// the server's resident memory each adds.
struct Held {
  int welcomed = 0;
  double kibEach = 0;
};

Held holdConnections(const std::string& store, int count) {
  kring::testing::ServerProcess server(
      kUnlimitedFlags + " --max-connections " + std::to_string(count + 100) + " --db " + store, kPolicy);
  boost::asio::io_context io;
  runUntil(
      io, [] { return false; }, std::chrono::seconds(1));
  double before = procStatusMiB(server.pid(), "VmRSS");
  Held held;
  std::vector<std::shared_ptr<Client>> clients;
  for (int i = 0; i < count; ++i) {
    auto client = std::make_shared<Client>(io, [](Client&, ServerMessage&) {});
    clients.push_back(client);
    client->connect(server.port(), "held-" + std::to_string(i), [&](bool ok) { held.welcomed += ok; });
    if (i % 500 == 499)
      runUntil(
          io, [&] { return held.welcomed > i - 100; }, std::chrono::seconds(10));
  }
  runUntil(
      io, [&] { return held.welcomed == count; }, std::chrono::seconds(60));
  runUntil(
      io, [] { return false; }, std::chrono::seconds(1));
  double after = procStatusMiB(server.pid(), "VmRSS");
  held.kibEach = held.welcomed > 0 ? (after - before) * 1024.0 / held.welcomed : 0;
  return held;
}

}  // namespace

int main(int argc, char** argv) {
  int writers = argc > 1 ? std::atoi(argv[1]) : 30;
  int perWriter = argc > 2 ? std::atoi(argv[2]) : 200;
  int connections = argc > 3 ? std::atoi(argv[3]) : 10000;
  raiseFileLimit();
  const std::string postgresDir = "build/bench-postgres";
  if (std::system(("bash scripts/test-postgres.sh start " + postgresDir + " >/dev/null").c_str()) != 0) {
    std::fprintf(stderr, "could not start PostgreSQL (scripts/test-postgres.sh)\n");
    return 2;
  }
  std::string serverUrl;
  std::getline(std::ifstream(postgresDir + "/url"), serverUrl);
  std::vector<Row> rows;
  rows.push_back(measure("", 1, writers, perWriter));
  for (int servers = 1; servers <= 3; ++servers)
    rows.push_back(measure(freshDatabase(serverUrl, servers), servers, writers, perWriter));
  Held held = holdConnections(freshDatabase(serverUrl, 0), connections);
  std::system(("bash scripts/test-postgres.sh stop " + postgresDir).c_str());

  std::printf("kring-server on PostgreSQL, several servers (loopback; servers, database and clients share %u cores)\n",
              std::thread::hardware_concurrency());
  std::printf("%d writers pipelining %d posts each over the servers; fan-out to 90 subscribers spread over them\n",
              writers, perWriter);
  std::printf("%-11s %8s %16s %14s %14s %14s %12s\n", "store", "servers", "durable ops/s", "vs 1 server",
              "fan-out p50 ms", "fan-out p99 ms", "deliveries");
  const double onePostgres = rows[1].opsPerSecond;
  bool complete = true;
  for (const Row& row : rows) {
    double ratio = row.store == "PostgreSQL" && onePostgres > 0 ? row.opsPerSecond / onePostgres : 0;
    std::printf("%-11s %8d %16.0f %14s %14.1f %14.1f %6zu/%zu\n", row.store.c_str(), row.servers, row.opsPerSecond,
                ratio > 0 ? (std::to_string(ratio).substr(0, 4) + "x").c_str() : "", row.fanOutP50, row.fanOutP99,
                row.deliveries, row.expectedDeliveries);
    complete = complete && row.acknowledged == writers * perWriter && row.deliveries == row.expectedDeliveries;
  }
  std::printf(
      "connections one server on PostgreSQL holds (guests, welcomed): %d of %d, %.1f KiB of server memory each\n",
      held.welcomed, connections, held.kibEach);
  complete = complete && held.welcomed == connections;
  if (!complete) std::printf("incomplete run: some ops were not acknowledged or some deliveries did not arrive\n");
  return complete ? 0 : 1;
}
