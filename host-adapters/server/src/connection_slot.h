// RAII hold on one of an address's connection slots; moves from the HTTP session to the
// WebSocket session on upgrade.
#pragma once

#include <string>
#include <utility>

#include "server.h"

namespace kring::server {

class ConnectionSlot {
 public:
  ConnectionSlot() = default;
  ConnectionSlot(Server& server, std::string address) : server_(&server), address_(std::move(address)) {}
  ConnectionSlot(ConnectionSlot&& other) noexcept
      : server_(std::exchange(other.server_, nullptr)), address_(std::move(other.address_)) {}
  ConnectionSlot& operator=(ConnectionSlot&& other) noexcept {
    std::swap(server_, other.server_);
    std::swap(address_, other.address_);
    return *this;
  }
  ~ConnectionSlot() {
    if (server_) server_->release(address_);
  }
  const std::string& address() const { return address_; }

 private:
  Server* server_ = nullptr;
  std::string address_;
};

}  // namespace kring::server
