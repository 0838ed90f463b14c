// Whether the store takes writes now. The thread that writes (the committer with SQLite, the
// sequencer with PostgreSQL) reports each attempt; the io thread refuses new writes while the store
// fails (store_unavailable), and /healthz and /metrics show the state. A change is logged once:
// store_unavailable when writes start failing, store_available (with the outage's length) when
// they succeed again.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <random>
#include <string>

namespace kring::server {

class StoreHealth {
 public:
  // The writing thread's reports.
  void failed(const std::string& doing, const std::string& error);
  void succeeded();

  // Any thread.
  bool writable() const { return writable_.load(std::memory_order_acquire); }
  std::uint64_t outages() const { return outages_.load(std::memory_order_relaxed); }
  struct State {
    bool writable = true;
    std::string error;         // the last failure while unwritable
    std::int64_t sinceMs = 0;  // Unix ms of the change to unwritable (0 while writable)
  };
  State state() const;

 private:
  std::atomic<bool> writable_{true};
  std::atomic<std::uint64_t> outages_{0};
  mutable std::mutex mutex_;
  std::string error_;
  std::int64_t sinceMs_ = 0;
  std::chrono::steady_clock::time_point since_;
};

// The pause before the next attempt at a failing store: doubling from 100 ms up to `ceiling`, each
// drawn at random between half and the whole, so that servers cut off together do not retry together.
class RetryPause {
 public:
  explicit RetryPause(std::chrono::milliseconds ceiling = std::chrono::milliseconds(1000)) : ceiling_(ceiling) {}
  std::chrono::milliseconds next();

 private:
  std::chrono::milliseconds ceiling_;
  std::chrono::milliseconds step_{100};
  std::minstd_rand random_{std::random_device{}()};
};

}  // namespace kring::server
