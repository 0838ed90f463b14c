// What the kring-server benchmarks share: a pipelining WebSocket client on one io_context, the ops
// they submit, and measuring helpers (percentiles, the server's memory from /proc).
#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "auth/thread_ticket.h"
#include "kring/sync.h"
#include "server_process.h"

namespace kring::bench {

using Clock = std::chrono::steady_clock;

// kring-server flags that lift its per-connection and per-member limits: a benchmark's clients
// all come from one address and submit far faster than a person.
inline const std::string kUnlimitedFlags =
    "--max-connections-per-ip 30000 --ops-per-second 1000000 --ops-burst 1000000 "
    "--member-ops-per-second 1000000 --member-ops-burst 1000000";

class Client : public std::enable_shared_from_this<Client> {
 public:
  using Handler = std::function<void(Client&, ServerMessage&)>;
  Client(boost::asio::io_context& io, Handler handler) : socket_(io), handler_(std::move(handler)) {}

  // `token` empty: a guest.
  void connect(unsigned short port, std::string clientId, std::function<void(bool)> welcomed, std::string token = {}) {
    welcomed_ = std::move(welcomed);
    clientId_ = std::move(clientId);
    token_ = std::move(token);
    boost::beast::get_lowest_layer(socket_).async_connect(
        boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port),
        [self = shared_from_this(), port](boost::beast::error_code error) {
          if (error) return self->welcomed_(false);
          self->socket_.async_handshake(
              "127.0.0.1:" + std::to_string(port), "/sync", [self](boost::beast::error_code error) {
                if (error) return self->welcomed_(false);
                self->socket_.binary(true);
                self->send(Hello{"test", self->token_, self->clientId_, kProtocolVersion, {}});
                self->read();
              });
        });
  }

  int index = -1;                 // its place in the benchmark's list of clients
  bool screeningWithheld = true;  // as its Welcome's policy said

  void send(const ClientMessage& message) {
    queue_.push_back(std::make_shared<Bytes>(encodeClientMessage(message)));
    if (queue_.size() == 1) write();
  }

 private:
  void write() {
    auto frame = queue_.front();
    socket_.async_write(boost::asio::buffer(*frame),
                        [self = shared_from_this(), frame](boost::beast::error_code error, std::size_t) {
                          if (error) return;
                          self->queue_.erase(self->queue_.begin());
                          if (!self->queue_.empty()) self->write();
                        });
  }

  void read() {
    socket_.async_read(buffer_, [self = shared_from_this()](boost::beast::error_code error, std::size_t) {
      if (error) {
        if (self->welcomed_) self->welcomed_(false);
        self->welcomed_ = nullptr;
        return;
      }
      auto data = self->buffer_.data();
      auto message = decodeServerMessage(ByteView(static_cast<const std::uint8_t*>(data.data()), data.size()));
      self->buffer_.consume(self->buffer_.size());
      if (message) {
        if (std::holds_alternative<Welcome>(message.value()) && self->welcomed_) {
          self->screeningWithheld = std::get<Welcome>(message.value()).policy.screeningWithheld;
          self->welcomed_(true);
          self->welcomed_ = nullptr;
        } else {
          self->handler_(*self, message.value());
        }
      }
      self->read();
    });
  }

  boost::beast::websocket::stream<boost::beast::tcp_stream> socket_;
  boost::beast::flat_buffer buffer_;
  Handler handler_;
  std::function<void(bool)> welcomed_;
  std::string clientId_;
  std::string token_;
  std::vector<std::shared_ptr<Bytes>> queue_;
};

inline Op post(std::string id, std::string key, std::string body = "A benchmark post with a few words in it.") {
  Op op;
  op.id = std::move(id);
  op.actor = Actor{"x", "x", Role::member};
  op.body = CreatePost{std::move(key), "", std::move(body)};
  return op;
}

// With the site's ticket: guests create threads only with the host's approval.
inline Op thread(std::string id, std::string key) {
  Op op;
  op.id = std::move(id);
  CreateThread body{std::move(key), ThreadKind::discussion, "Benchmark"};
  body.ticket = kring::server::signThreadTicket(kring::testing::TestSite::id, body, kring::testing::TestSite::secret);
  op.body = std::move(body);
  return op;
}

// Many connections from one process: take every descriptor the system allows.
inline void raiseFileLimit() {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
}

// Runs the io context until `done` or the deadline.
inline bool runUntil(boost::asio::io_context& io, const std::function<bool()>& done, std::chrono::seconds limit) {
  auto deadline = Clock::now() + limit;
  while (!done() && Clock::now() < deadline) {
    io.restart();
    io.run_for(std::chrono::milliseconds(20));
  }
  return done();
}

// A memory line of the process's /proc status ("VmRSS", "VmHWM") in MiB (Linux); 0 when absent.
inline double procStatusMiB(pid_t pid, const std::string& field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stod(line.substr(field.size() + 1)) / 1024.0;
  }
  return 0;
}

inline double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1));
  return values[index];
}

}  // namespace kring::bench
