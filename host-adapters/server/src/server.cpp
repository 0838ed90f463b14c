#include "server.h"

#include <algorithm>

#include "trusted_proxies.h"

namespace kring::server {

bool Server::admitConnection() {
  if (connections_ >= options_.maxConnections) return false;
  ++connections_;
  return true;
}

bool Server::admitAddress(const std::string& address) {
  auto [it, inserted] = perAddress_.try_emplace(clientNetwork(address, options_.ipv6PrefixBits), 0);
  if (it->second >= options_.maxConnectionsPerIp) return false;
  ++it->second;
  return true;
}

void Server::releaseAddress(const std::string& address) {
  auto it = perAddress_.find(clientNetwork(address, options_.ipv6PrefixBits));
  if (it == perAddress_.end()) return;
  if (--it->second == 0) perAddress_.erase(it);
}

bool Server::allowMemberOp(const std::string& siteId, const std::string& memberId, std::int64_t nowMs) {
  if (memberLimits_.size() >= nextMemberSweep_) {
    std::erase_if(memberLimits_, [&](const auto& entry) { return entry.second.idle(nowMs); });
    nextMemberSweep_ = std::max<std::size_t>(64, 2 * memberLimits_.size());
  }
  auto [it, inserted] = memberLimits_.try_emplace(siteId + '\n' + memberId, options_.memberOpsPerSecond,
                                                   options_.memberOpsBurst);
  return it->second.allow(nowMs);
}

bool Server::consoleSignInThrottled(const std::string& client, std::int64_t nowMs) const {
  auto it = signInFailures_.find(clientNetwork(client, options_.ipv6PrefixBits));
  return it != signInFailures_.end() && it->second.exhausted(nowMs);
}

void Server::consoleSignInFailed(const std::string& client, std::int64_t nowMs) {
  if (signInFailures_.size() >= nextSignInSweep_) {
    std::erase_if(signInFailures_, [&](const auto& entry) { return entry.second.idle(nowMs); });
    nextSignInSweep_ = std::max<std::size_t>(64, 2 * signInFailures_.size());
  }
  constexpr std::uint32_t kPerSecond = 1, kBurst = 10;
  signInFailures_.try_emplace(clientNetwork(client, options_.ipv6PrefixBits), kPerSecond, kBurst).first->second.allow(nowMs);
}

bool Server::allowConsoleRequest(const std::string& credential, std::int64_t nowMs) {
  if (consoleRequests_.size() >= nextConsoleSweep_) {
    std::erase_if(consoleRequests_, [&](const auto& entry) { return entry.second.idle(nowMs); });
    nextConsoleSweep_ = std::max<std::size_t>(64, 2 * consoleRequests_.size());
  }
  constexpr std::uint32_t kPerSecond = 10, kBurst = 30;
  return consoleRequests_.try_emplace(credential, kPerSecond, kBurst).first->second.allow(nowMs);
}

bool Server::beginConsoleRead(const std::string& credential) {
  unsigned& reads = consoleReads_[credential];
  if (reads >= kConsoleReadsPerCredential) return false;
  ++reads;
  return true;
}

void Server::endConsoleRead(const std::string& credential) {
  auto it = consoleReads_.find(credential);
  if (it != consoleReads_.end() && --it->second == 0) consoleReads_.erase(it);
}

void Server::shutdown() {
  stopping_ = true;
  auto closers = std::move(closers_);
  for (auto& [id, close] : closers) close();
}

}  // namespace kring::server
