#include "store/store_health.h"

#include <algorithm>

#include "observe/logging.h"
#include "util/clock.h"

namespace kring::server {

void StoreHealth::failed(const std::string& doing, const std::string& error) {
  std::lock_guard lock(mutex_);
  error_ = error;
  if (!writable_.load(std::memory_order_relaxed)) return;
  sinceMs_ = nowMilliseconds();
  since_ = std::chrono::steady_clock::now();
  outages_.fetch_add(1, std::memory_order_relaxed);
  writable_.store(false, std::memory_order_release);
  logEvent("error", "store_unavailable", {{"doing", doing}, {"error", error}});
}

void StoreHealth::succeeded() {
  if (writable_.load(std::memory_order_acquire)) return;
  std::lock_guard lock(mutex_);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - since_);
  error_.clear();
  sinceMs_ = 0;
  writable_.store(true, std::memory_order_release);
  logEvent("info", "store_available", {{"unavailableMs", std::to_string(ms.count())}});
}

StoreHealth::State StoreHealth::state() const {
  std::lock_guard lock(mutex_);
  return State{writable_.load(std::memory_order_relaxed), error_, sinceMs_};
}

std::chrono::milliseconds RetryPause::next() {
  std::uniform_int_distribution<std::int64_t> draw(step_.count() / 2, step_.count());
  auto pause = std::chrono::milliseconds(draw(random_));
  step_ = std::min(step_ * 2, ceiling_);
  return pause;
}

}  // namespace kring::server
