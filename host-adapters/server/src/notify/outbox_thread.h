// The thread each outbox delivery (mail, webhooks) runs on: a connection of its own to the outbox's
// database (outbox_database.h), woken by each commit that wrote rows,
// polling for retries that fell due, and dropping done rows of its table after a month (the caps
// count them, and an operator can read what went out).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "store/outbox_database.h"

namespace kring::server {

class OutboxThread {
 public:
  // `round` delivers what is due, on the thread, and says whether it found any; a store failure it
  // throws is logged as `failure` and the rows wait for the next round. Throws when the store
  // cannot be opened.
  OutboxThread(const OutboxDatabase& database, std::string table, std::string failure, std::chrono::milliseconds poll,
               std::function<bool(OutboxConnection&)> round);
  ~OutboxThread();  // finishes the round under way, starts no other
  OutboxThread(const OutboxThread&) = delete;
  OutboxThread& operator=(const OutboxThread&) = delete;

  void wake();
  // True once the owner is going away: a long round stops early.
  bool stopping() const { return stopping_; }

 private:
  void run();

  std::unique_ptr<OutboxConnection> db_;
  std::string table_;
  std::string failure_;
  std::chrono::milliseconds poll_;
  std::function<bool(OutboxConnection&)> round_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool woken_ = false;
  std::atomic<bool> stopping_ = false;
  std::thread thread_;
};

}  // namespace kring::server
