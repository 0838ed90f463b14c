// RAII hold on a connection's slots: one of the server's global cap and, once known, one of its client
// address's. Moves from the HTTP session to the WebSocket session on upgrade.
#pragma once

#include <string>
#include <utility>

#include "app/server.h"

namespace kring::server {

class ConnectionSlot {
 public:
  ConnectionSlot() = default;
  // Takes a global slot already admitted, and `counted`'s per-address slot (empty for a trusted
  // proxy's connection until countAs names its client).
  ConnectionSlot(Server& server, std::string peer, std::string counted)
      : server_(&server), peer_(std::move(peer)), counted_(std::move(counted)) {}
  ConnectionSlot(ConnectionSlot&& other) noexcept
      : server_(std::exchange(other.server_, nullptr)),
        peer_(std::move(other.peer_)),
        counted_(std::move(other.counted_)) {}
  ConnectionSlot& operator=(ConnectionSlot&& other) noexcept {
    std::swap(server_, other.server_);
    std::swap(peer_, other.peer_);
    std::swap(counted_, other.counted_);
    return *this;
  }
  ~ConnectionSlot() {
    if (!server_) return;
    if (!counted_.empty()) server_->releaseAddress(counted_);
    server_->releaseConnection();
  }

  // The client's address: the one counted, else the peer's.
  const std::string& address() const { return counted_.empty() ? peer_ : counted_; }
  bool counted() const { return !counted_.empty(); }
  // A trusted proxy's connection learns its client from X-Forwarded-For; false when that address
  // holds as many connections as it may.
  bool countAs(const std::string& client) {
    if (!server_ || !counted_.empty() || !server_->admitAddress(client)) return false;
    counted_ = client;
    return true;
  }

 private:
  Server* server_ = nullptr;
  std::string peer_;
  std::string counted_;
};

}  // namespace kring::server
