// Test client: a blocking WebSocket client that speaks the sync protocol with the core's codec.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "kring/sync.h"

namespace kring::testing {

class SyncClient {
 public:
  // Connects to ws://127.0.0.1:port/sync; `origin`, `forwardedFor` and `forwarded` (each may be
  // empty) are sent as the Origin, X-Forwarded-For and Forwarded headers.
  SyncClient(unsigned short port, const std::string& origin = {}, const std::string& forwardedFor = {},
             const std::string& forwarded = {});
  ~SyncClient();

  void send(const ClientMessage& message);
  void sendRaw(const Bytes& bytes, bool binary = true);
  // The next server message, or nullopt when the connection closed or nothing came in time.
  std::optional<ServerMessage> receive(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // Receives until a message of type T arrives (others are dropped); nullopt on close or timeout.
  template <typename T>
  std::optional<T> receiveUntil(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      auto message = receive(left);
      if (!message) return std::nullopt;
      if (auto* wanted = std::get_if<T>(&*message)) return std::move(*wanted);
    }
    return std::nullopt;
  }
  // A thread snapshot joined from its parts.
  struct Snapshot {
    std::string threadKey;
    Bytes snapshot;
    std::size_t parts = 0;
  };
  // Receives until a thread snapshot is whole (other messages are dropped); nullopt on close, timeout
  // or parts that do not join.
  std::optional<Snapshot> receiveSnapshot(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // True when the server closed the connection (reads end) within the timeout.
  bool closedByServer(std::chrono::milliseconds timeout = std::chrono::seconds(5));

  // Hello and wait for Welcome (nullopt: refused; the Error is in lastError()). A guest (no token)
  // may present the guest credential of an earlier Welcome.
  // Protocol 1 unless asked: the tests of the server's mechanics count the frames of that protocol
  // (protocol 2 adds a Rendered frame after bodies: site_pages_test.cpp).
  std::optional<Welcome> hello(const std::string& site, const std::string& token, const std::string& clientId,
                               const std::string& guestCredential = {},
                               std::uint32_t protocolVersion = kOldestProtocolVersion);
  const std::optional<ErrorMessage>& lastError() const { return lastError_; }
  // Every frame received so far, byte for byte, one after the other: what a client could keep.
  const Bytes& received() const { return received_; }
  // The server's close frame, once closedByServer() saw it: code and reason.
  unsigned closeCode() const;
  std::string closeReason() const;

 private:
  // The socket and its reads, apart: Beast's WebSocket headers cost every test file that includes
  // this one seconds to compile.
  struct Socket;
  std::unique_ptr<Socket> socket_;
  std::optional<ErrorMessage> lastError_;
  Bytes received_;
  SnapshotAssembler parts_;
  std::size_t partsReceived_ = 0;
  bool closed_ = false;
};

}  // namespace kring::testing
