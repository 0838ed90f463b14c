// Token bucket in integer milli-tokens: `perSecond` sustained, bursts up to `burst`.
#pragma once

#include <algorithm>
#include <cstdint>

namespace kring::server {

class RateLimiter {
 public:
  RateLimiter(std::uint32_t perSecond, std::uint32_t burst)
      : perSecond_(perSecond), capacity_(std::int64_t{burst} * 1000), tokens_(capacity_) {}

  // True when one more event fits at time `nowMs`.
  bool allow(std::int64_t nowMs) {
    if (lastMs_ != 0) tokens_ = std::min(capacity_, tokens_ + (nowMs - lastMs_) * perSecond_);
    lastMs_ = nowMs;
    if (tokens_ < 1000) return false;
    tokens_ -= 1000;
    return true;
  }

  // True when no event would fit at `nowMs` (nothing is taken).
  bool exhausted(std::int64_t nowMs) const {
    return lastMs_ != 0 && std::min(capacity_, tokens_ + (nowMs - lastMs_) * perSecond_) < 1000;
  }

  // Full again at `nowMs`: forgetting this bucket changes nothing.
  bool idle(std::int64_t nowMs) const {
    return lastMs_ == 0 || std::min(capacity_, tokens_ + (nowMs - lastMs_) * perSecond_) >= capacity_;
  }

 private:
  std::int64_t perSecond_;
  std::int64_t capacity_;
  std::int64_t tokens_;
  std::int64_t lastMs_ = 0;
};

}  // namespace kring::server
