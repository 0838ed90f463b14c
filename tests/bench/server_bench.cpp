// kring-server benchmark: connections held, fan-out latency to one thread's subscribers, and
// durable ops/s (every ack after its commit). Runs the real binary on loopback; prints a table.
#include <sys/resource.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "kring/sync.h"
#include "server_process.h"

using namespace kring;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = boost::asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

class Client : public std::enable_shared_from_this<Client> {
 public:
  using Handler = std::function<void(Client&, ServerMessage&)>;
  Client(boost::asio::io_context& io, Handler handler) : socket_(io), handler_(std::move(handler)) {}

  void connect(unsigned short port, std::string clientId, std::function<void(bool)> welcomed) {
    welcomed_ = std::move(welcomed);
    clientId_ = std::move(clientId);
    beast::get_lowest_layer(socket_).async_connect(
        tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port), [self = shared_from_this(), port](beast::error_code error) {
          if (error) return self->welcomed_(false);
          self->socket_.async_handshake("127.0.0.1:" + std::to_string(port), "/sync", [self](beast::error_code error) {
            if (error) return self->welcomed_(false);
            self->socket_.binary(true);
            self->send(Hello{"test", "", self->clientId_, kProtocolVersion});
            self->read();
          });
        });
  }

  void send(const ClientMessage& message) {
    queue_.push_back(std::make_shared<Bytes>(encodeClientMessage(message)));
    if (queue_.size() == 1) write();
  }

 private:
  void write() {
    auto frame = queue_.front();
    socket_.async_write(boost::asio::buffer(*frame), [self = shared_from_this(), frame](beast::error_code error, std::size_t) {
      if (error) return;
      self->queue_.erase(self->queue_.begin());
      if (!self->queue_.empty()) self->write();
    });
  }

  void read() {
    socket_.async_read(buffer_, [self = shared_from_this()](beast::error_code error, std::size_t) {
      if (error) {
        if (self->welcomed_) self->welcomed_(false);
        self->welcomed_ = nullptr;
        return;
      }
      auto data = self->buffer_.data();
      auto message = decodeServerMessage(
          ByteView(static_cast<const std::uint8_t*>(data.data()), data.size()));
      self->buffer_.consume(self->buffer_.size());
      if (message) {
        if (std::holds_alternative<Welcome>(message.value()) && self->welcomed_) {
          self->welcomed_(true);
          self->welcomed_ = nullptr;
        } else {
          self->handler_(*self, message.value());
        }
      }
      self->read();
    });
  }

  websocket::stream<beast::tcp_stream> socket_;
  beast::flat_buffer buffer_;
  Handler handler_;
  std::function<void(bool)> welcomed_;
  std::string clientId_;
  std::vector<std::shared_ptr<Bytes>> queue_;
};

Op post(std::string id, std::string key) {
  Op op;
  op.id = std::move(id);
  op.actor = Actor{"x", "x", Role::member};
  op.body = CreatePost{std::move(key), "", "A benchmark post with a few words in it."};
  return op;
}

void raiseFileLimit() {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
}

// Runs the io context until `done` or the deadline.
bool runUntil(boost::asio::io_context& io, const std::function<bool()>& done, std::chrono::seconds limit) {
  auto deadline = Clock::now() + limit;
  while (!done() && Clock::now() < deadline) {
    io.restart();
    io.run_for(std::chrono::milliseconds(20));
  }
  return done();
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1));
  return values[index];
}

}  // namespace

int main(int argc, char** argv) {
  int connections = argc > 1 ? std::atoi(argv[1]) : 10000;
  int subscribers = std::min(connections, 1000);
  raiseFileLimit();
  kring::testing::ServerProcess server(
      "--max-connections-per-ip 30000 --ops-per-second 1000000 --ops-burst 1000000 "
      "--member-ops-per-second 1000000 --member-ops-burst 1000000");
  boost::asio::io_context io;

  // 1. Connections held.
  std::vector<std::shared_ptr<Client>> clients;
  std::vector<Clock::time_point> sentAt(1000);
  std::vector<double> latencies;
  std::string currentPost;
  int welcomed = 0, failed = 0, delivered = 0;
  auto onMessage = [&](Client&, ServerMessage& message) {
    if (auto* events = std::get_if<EventsMessage>(&message)) {
      for (const Event& event : events->events) {
        if (event.opId == currentPost && std::holds_alternative<PostCreated>(event.body)) {
          latencies.push_back(std::chrono::duration<double, std::milli>(Clock::now() - sentAt[0]).count());
          ++delivered;
        }
      }
    }
  };
  auto started = Clock::now();
  for (int i = 0; i < connections; ++i) {
    auto client = std::make_shared<Client>(io, onMessage);
    clients.push_back(client);
    client->connect(server.port(), "bench-" + std::to_string(i), [&](bool ok) { (ok ? welcomed : failed) += 1; });
    if (i % 500 == 499) runUntil(io, [&] { return welcomed + failed > i - 100; }, std::chrono::seconds(30));
  }
  runUntil(io, [&] { return welcomed + failed == connections; }, std::chrono::seconds(60));
  double connectSeconds = std::chrono::duration<double>(Clock::now() - started).count();

  // 2. Fan-out: one post to `subscribers` followers of one thread.
  auto& poster = clients[0];
  {
    Op thread;
    thread.id = "fanout-thread";
    thread.body = CreateThread{"/bench/fanout", ThreadKind::discussion, "Fan-out"};
    poster->send(Submit{thread});
  }
  for (int i = 0; i < subscribers; ++i) clients[i]->send(Subscribe{"/bench/fanout", 0});
  runUntil(io, [] { return false; }, std::chrono::seconds(2));
  constexpr int kPosts = 50;
  for (int p = 0; p < kPosts; ++p) {
    currentPost = "fanout-" + std::to_string(p);
    delivered = 0;
    sentAt[0] = Clock::now();
    poster->send(Submit{post(currentPost, "/bench/fanout")});
    runUntil(io, [&] { return delivered >= subscribers; }, std::chrono::seconds(10));
  }

  // 3. Durable ops/s: 50 connections, pipelined posts to 50 threads, acks after commit.
  constexpr int kWriters = 50, kPerWriter = 400;
  int acked = 0;
  std::vector<std::shared_ptr<Client>> writers;
  int writersWelcomed = 0;
  for (int w = 0; w < kWriters; ++w) {
    auto writer = std::make_shared<Client>(io, [&](Client&, ServerMessage& message) {
      if (auto* events = std::get_if<EventsMessage>(&message)) {
        for (const Event& event : events->events) {
          if (std::holds_alternative<PostCreated>(event.body)) ++acked;
        }
      }
    });
    writers.push_back(writer);
    writer->connect(server.port(), "writer-" + std::to_string(w), [&](bool ok) { writersWelcomed += ok; });
  }
  runUntil(io, [&] { return writersWelcomed == kWriters; }, std::chrono::seconds(10));
  for (int w = 0; w < kWriters; ++w) {
    Op thread;
    thread.id = "durable-thread-" + std::to_string(w);
    thread.body = CreateThread{"/bench/durable/" + std::to_string(w), ThreadKind::discussion, "Durable"};
    writers[w]->send(Submit{thread});
  }
  runUntil(io, [] { return false; }, std::chrono::seconds(1));
  auto writeStart = Clock::now();
  for (int i = 0; i < kPerWriter; ++i) {
    for (int w = 0; w < kWriters; ++w) {
      writers[w]->send(Submit{post("d-" + std::to_string(w) + "-" + std::to_string(i), "/bench/durable/" + std::to_string(w))});
    }
  }
  runUntil(io, [&] { return acked >= kWriters * kPerWriter; }, std::chrono::seconds(120));
  double writeSeconds = std::chrono::duration<double>(Clock::now() - writeStart).count();

  std::printf("kring-server benchmark (loopback, server and clients on this machine: %u cores)\n",
              std::thread::hardware_concurrency());
  std::printf("%-44s %14s %12s\n", "measure", "result", "target");
  std::printf("%-44s %14d %12s\n", "WebSocket connections held (welcomed)", welcomed, ">= 10000");
  std::printf("%-44s %14.1f %12s\n", "  seconds to open them", connectSeconds, "");
  std::printf("%-44s %14.1f %12s\n", "fan-out to 1000 subscribers, p50 ms", percentile(latencies, 0.50), "");
  std::printf("%-44s %14.1f %12s\n", "fan-out to 1000 subscribers, p99 ms", percentile(latencies, 0.99), "<= 100");
  std::printf("%-44s %14zu %12s\n", "  deliveries measured", latencies.size(), "");
  std::printf("%-44s %14.0f %12s\n", "durable ops/s (SQLite, ack after commit)", acked / writeSeconds, ">= 5000");
  std::printf("%-44s %14d %12s\n", "  ops acknowledged", acked, "");
  bool complete = welcomed == connections && latencies.size() == static_cast<std::size_t>(kPosts * subscribers) &&
                  acked == kWriters * kPerWriter;
  if (!complete) std::printf("incomplete run: %d connections failed\n", failed);
  return complete ? 0 : 1;
}
