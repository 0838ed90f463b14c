// A share of one core over time, for work that must not crowd out the io and store threads: each
// piece of work spends what it took from a balance that refills at `permille` of wall time, up to
// `burst`; while the balance is below zero the next piece waits. Occasional work runs at once.
#pragma once

#include <algorithm>
#include <chrono>

namespace kring::server {

class CpuShare {
 public:
  using Clock = std::chrono::steady_clock;
  using Duration = std::chrono::microseconds;

  CpuShare(Duration burst, unsigned permille, Clock::time_point now)
      : burst_(burst), permille_(permille), balance_(burst), refilledAt_(now) {}

  // How long the next piece of work should wait at `now` (zero when the balance allows it).
  Duration waitBefore(Clock::time_point now) {
    refill(now);
    return balance_.count() >= 0 ? Duration::zero() : Duration(-balance_.count() * 1000 / permille_);
  }
  // A piece of work that used `cpu` of a core, done at `now`.
  void spent(Duration cpu, Clock::time_point now) {
    refill(now);
    balance_ -= cpu;
  }

 private:
  void refill(Clock::time_point now) {
    if (now <= refilledAt_) return;
    const auto elapsed = std::chrono::duration_cast<Duration>(now - refilledAt_);
    balance_ = std::min(burst_, balance_ + Duration(elapsed.count() * permille_ / 1000));
    refilledAt_ = now;
  }

  Duration burst_;
  unsigned permille_;
  Duration balance_;
  Clock::time_point refilledAt_;
};

}  // namespace kring::server
