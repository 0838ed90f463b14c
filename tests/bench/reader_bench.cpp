// kring-server benchmark of the light path (docs/server-rendering.md, "Live"): readers who have not
// acted follow a thread over GET /sites/{site}/live/{thread}. One writer posts; each post's change
// must reach every reader. Prints the time from the writer's submit to each reader's receipt
// (p50/p99 over all readers and rounds), the writer's own acknowledgement (after commit) for
// comparison, the event's size and the server's memory. Runs the real binary on loopback.
#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>

#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bench_client.h"

using namespace kring;
using namespace kring::bench;
using tcp = boost::asio::ip::tcp;

namespace {

// One reader's stream, read as an EventSource would: the response head, then events.
class LiveReader : public std::enable_shared_from_this<LiveReader> {
 public:
  using OnEvent = std::function<void(const std::string&)>;
  LiveReader(boost::asio::io_context& io, OnEvent onEvent) : socket_(io), onEvent_(std::move(onEvent)) {}

  void open(unsigned short port, const std::string& target, std::function<void(bool)> opened) {
    opened_ = std::move(opened);
    request_ = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n";
    socket_.async_connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port),
                          [self = shared_from_this()](boost::system::error_code error) {
                            if (error) return self->fail();
                            boost::asio::async_write(self->socket_, boost::asio::buffer(self->request_),
                                                     [self](boost::system::error_code error, std::size_t) {
                                                       if (error) return self->fail();
                                                       self->read();
                                                     });
                          });
  }
  std::size_t bytes = 0;

 private:
  void fail() {
    if (opened_) opened_(false);
    opened_ = nullptr;
  }
  void read() {
    socket_.async_read_some(boost::asio::buffer(chunk_),
                            [self = shared_from_this()](boost::system::error_code error, std::size_t n) {
                              if (error) return self->fail();
                              self->bytes += n;
                              self->pending_.append(self->chunk_.data(), n);
                              self->take();
                              self->read();
                            });
  }
  void take() {
    if (opened_) {
      std::size_t end = pending_.find("\r\n\r\n");
      if (end == std::string::npos) return;
      bool ok = pending_.starts_with("HTTP/1.1 200");
      pending_.erase(0, end + 4);
      opened_(ok);
      opened_ = nullptr;
    }
    for (std::size_t end = pending_.find("\n\n"); end != std::string::npos; end = pending_.find("\n\n")) {
      onEvent_(pending_.substr(0, end));
      pending_.erase(0, end + 2);
    }
  }

  tcp::socket socket_;
  OnEvent onEvent_;
  std::function<void(bool)> opened_;
  std::string request_;
  std::array<char, 16384> chunk_{};
  std::string pending_;
};

}  // namespace

int main(int argc, char** argv) {
  const int readers = argc > 1 ? std::atoi(argv[1]) : 10000;
  const int rounds = 5;
  const int seedPosts = 20;
  raiseFileLimit();
  kring::testing::ServerProcess server(kUnlimitedFlags + " --max-connections 30000");
  boost::asio::io_context io;
  const std::string key = "/bench/light-path";

  // The writer: a signed-in member who creates the thread and writes its first posts.
  std::string measured;  // the op id of the post in flight
  Clock::time_point sentAt;
  bool acked = false;
  std::vector<double> ackMs;
  auto writer = std::make_shared<Client>(io, [&](Client&, ServerMessage& message) {
    auto* events = std::get_if<EventsMessage>(&message);
    if (!events || measured.empty() || acked) return;
    bool ours = events->acknowledges == measured;
    for (const Event& event : events->events) ours = ours || event.opId == measured;
    if (!ours) return;
    acked = true;
    ackMs.push_back(std::chrono::duration<double, std::milli>(Clock::now() - sentAt).count());
  });
  bool writerReady = false;
  writer->connect(
      server.port(), "bench-writer", [&](bool ok) { writerReady = ok; },
      kring::testing::testToken("bench-writer", "member"));
  if (!runUntil(
          io, [&] { return writerReady; }, std::chrono::seconds(10))) {
    std::printf("the writer could not connect\n");
    return 1;
  }
  // Each op of the set-up acknowledged before the next.
  auto submitAndWait = [&](Op op) {
    measured = op.id;
    acked = false;
    sentAt = Clock::now();
    writer->send(Submit{std::move(op)});
    return runUntil(
        io, [&] { return acked; }, std::chrono::seconds(10));
  };
  bool seeded = submitAndWait(thread("light-thread", key));
  for (int i = 0; seeded && i < seedPosts; ++i) {
    seeded = submitAndWait(post("light-seed-" + std::to_string(i), key,
                                "Seed post " + std::to_string(i) + " with **a few** words, as readers see them."));
  }
  ackMs.clear();
  if (!seeded) {
    std::printf("the thread could not be written\n");
    return 1;
  }

  // The readers.
  std::string expectedId;  // the post each reader waits for
  int delivered = 0, opened = 0, failed = 0;
  std::size_t eventBytes = 0;
  std::vector<double> latencies;
  auto onEvent = [&](const std::string& event) {
    if (expectedId.empty() || event.find("\"id\":\"" + expectedId + "\"") == std::string::npos) return;
    latencies.push_back(std::chrono::duration<double, std::milli>(Clock::now() - sentAt).count());
    eventBytes = event.size() + 2;
    ++delivered;
  };
  std::vector<std::shared_ptr<LiveReader>> streams;
  const std::string target = "/sites/test/live/%2Fbench%2Flight-path";
  auto started = Clock::now();
  for (int i = 0; i < readers; ++i) {
    auto reader = std::make_shared<LiveReader>(io, onEvent);
    streams.push_back(reader);
    reader->open(server.port(), target, [&](bool ok) { (ok ? opened : failed) += 1; });
    if (i % 500 == 499)
      runUntil(
          io, [&] { return opened + failed > i - 100; }, std::chrono::seconds(30));
  }
  runUntil(
      io, [&] { return opened + failed == readers; }, std::chrono::seconds(60));
  const double openSeconds = std::chrono::duration<double>(Clock::now() - started).count();
  const double rssReaders = procStatusMiB(server.pid(), "VmRSS");

  // Each round: one post, until every reader has it (or 30 s).
  int complete = 0;
  for (int round = 0; round < rounds && failed == 0; ++round) {
    delivered = 0;
    expectedId = "light-post-" + std::to_string(round);
    measured = expectedId;
    acked = false;
    sentAt = Clock::now();
    writer->send(Submit{post(expectedId, key, "A new post, round " + std::to_string(round) + ", for every reader.")});
    if (runUntil(
            io, [&] { return delivered == opened && acked; }, std::chrono::seconds(30)))
      ++complete;
  }

  std::printf("kring-server light-path benchmark (loopback, server and readers on this machine: %u cores)\n",
              std::thread::hardware_concurrency());
  std::printf("%-60s %12s %10s\n", "measure", "result", "target");
  std::printf("%-60s %12d %10s\n", "live readers of one thread (stream open)", opened, ">= 10000");
  std::printf("%-60s %12.1f %10s\n", "  seconds to open them", openSeconds, "");
  std::printf("%-60s %12.1f %10s\n", "new post to every reader, p50 ms (from the submit)", percentile(latencies, 0.50),
              "<= 50");
  std::printf("%-60s %12.1f %10s\n", "new post to every reader, p99 ms (from the submit)", percentile(latencies, 0.99),
              "<= 100");
  std::printf("%-60s %12zu %10s\n", "  deliveries measured", latencies.size(), "");
  std::printf("%-60s %12.1f %10s\n", "the writer's acknowledgement (after commit), p50 ms", percentile(ackMs, 0.50),
              "");
  std::printf("%-60s %12zu %10s\n", "one change's event, bytes (a post of a 20-post thread)", eventBytes, "");
  std::printf("%-60s %12.0f %10s\n", "server resident MiB with the readers open", rssReaders, "");
  if (failed != 0 || complete != rounds) {
    std::printf("incomplete run: %d streams failed to open, %d of %d rounds reached every reader\n", failed, complete,
                rounds);
    return 1;
  }
  return 0;
}
