#include "server.h"

namespace kring::server {

bool Server::admit(const std::string& address) {
  std::size_t& count = perAddress_[address];
  if (count >= options_.maxConnectionsPerIp) return false;
  ++count;
  ++connections_;
  return true;
}

void Server::release(const std::string& address) {
  auto it = perAddress_.find(address);
  if (it == perAddress_.end()) return;
  --connections_;
  if (--it->second == 0) perAddress_.erase(it);
}

bool Server::allowMemberOp(const std::string& siteId, const std::string& memberId, std::int64_t nowMs) {
  auto [it, inserted] = memberLimits_.try_emplace(siteId + '\n' + memberId, options_.memberOpsPerSecond,
                                                   options_.memberOpsBurst);
  return it->second.allow(nowMs);
}

void Server::shutdown() {
  stopping_ = true;
  auto closers = std::move(closers_);
  for (auto& [id, close] : closers) close();
}

}  // namespace kring::server
