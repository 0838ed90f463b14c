#include "app/server.h"

#include <algorithm>

#include "auth/trusted_proxies.h"
#include "observe/logging.h"

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
  auto [it, inserted] =
      memberLimits_.try_emplace(siteId + '\n' + memberId, options_.memberOpsPerSecond, options_.memberOpsBurst);
  return it->second.allow(nowMs);
}

void Server::noteRefusedOrigin(std::string_view origin) {
  std::string key(origin.substr(0, 256));
  if (refusedOrigins_.contains(key)) return;
  if (refusedOrigins_.size() >= kRefusedOriginsLogged) refusedOrigins_.clear();
  logEvent("warn", "origin_not_allowed",
           {{"origin", std::string_view(key)}, {"asked", std::string_view("widget files")}});
  refusedOrigins_.insert(std::move(key));
}

void Server::shutdown() {
  stopping_ = true;
  auto closers = std::move(closers_);
  for (auto& [id, close] : closers) close();
}

}  // namespace kring::server
