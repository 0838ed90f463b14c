#include "console/console_gate.h"

#include <algorithm>

#include "auth/trusted_proxies.h"

namespace kring::server {

ConsoleGate::ConsoleGate(boost::asio::io_context& io, unsigned ipv6PrefixBits, std::chrono::milliseconds readDelay,
                         std::function<void()> idle)
    : ipv6PrefixBits_(ipv6PrefixBits),
      readDelay_(readDelay),
      reader_(io, kConsoleReadsWaiting, std::chrono::seconds(60), std::move(idle)) {}

bool ConsoleGate::signInThrottled(const std::string& client, std::int64_t nowMs) const {
  auto it = signInFailures_.find(clientNetwork(client, ipv6PrefixBits_));
  return it != signInFailures_.end() && it->second.exhausted(nowMs);
}

void ConsoleGate::signInFailed(const std::string& client, std::int64_t nowMs) {
  if (signInFailures_.size() >= nextSignInSweep_) {
    std::erase_if(signInFailures_, [&](const auto& entry) { return entry.second.idle(nowMs); });
    nextSignInSweep_ = std::max<std::size_t>(64, 2 * signInFailures_.size());
  }
  constexpr std::uint32_t kPerSecond = 1, kBurst = 10;
  signInFailures_.try_emplace(clientNetwork(client, ipv6PrefixBits_), kPerSecond, kBurst).first->second.allow(nowMs);
}

bool ConsoleGate::allowRequest(const std::string& credential, std::int64_t nowMs) {
  if (requests_.size() >= nextRequestSweep_) {
    std::erase_if(requests_, [&](const auto& entry) { return entry.second.idle(nowMs); });
    nextRequestSweep_ = std::max<std::size_t>(64, 2 * requests_.size());
  }
  constexpr std::uint32_t kPerSecond = 10, kBurst = 30;
  return requests_.try_emplace(credential, kPerSecond, kBurst).first->second.allow(nowMs);
}

bool ConsoleGate::beginRead(const std::string& credential) {
  unsigned& reads = reads_[credential];
  if (reads >= kConsoleReadsPerCredential) return false;
  ++reads;
  return true;
}

void ConsoleGate::endRead(const std::string& credential) {
  auto it = reads_.find(credential);
  if (it != reads_.end() && --it->second == 0) reads_.erase(it);
}

}  // namespace kring::server
