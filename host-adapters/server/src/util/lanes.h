// Runs a round of independent sends (mails, webhooks) a few at a time while the caller prepares the
// next: each lane is a thread that takes the next item handed in, so one slow item holds up only its
// own lane, and the round's sends overlap its reading and composing.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace kring::server {

template <typename Item>
class Lanes {
 public:
  // work(lane, item) runs on one of `count` lanes (at least one), never two at once for one item.
  Lanes(std::size_t count, std::function<void(std::size_t lane, Item& item)> work)
      : count_(count == 0 ? 1 : count), work_(std::move(work)) {}
  ~Lanes() { close(); }
  Lanes(const Lanes&) = delete;
  Lanes& operator=(const Lanes&) = delete;

  // Hands an item to the lanes; a lane starts only when there is an item for it.
  void add(Item item) {
    {
      std::lock_guard lock(mutex_);
      items_.push_back(std::move(item));
      if (threads_.size() < count_ && threads_.size() < items_.size() - next_ + busy_) {
        threads_.emplace_back([this, lane = threads_.size()] { run(lane); });
      }
    }
    ready_.notify_one();
  }

  // Waits until every item has been worked on and gives them back, in the order they came; rethrows
  // the first exception a work call threw.
  std::deque<Item> finish() {
    close();
    if (failure_) std::rethrow_exception(failure_);
    return std::move(items_);
  }

 private:
  void close() {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
    }
    ready_.notify_all();
    for (std::thread& thread : threads_) {
      if (thread.joinable()) thread.join();
    }
  }

  void run(std::size_t lane) {
    for (;;) {
      Item* item = nullptr;
      {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [this] { return closed_ || next_ < items_.size(); });
        if (next_ == items_.size()) return;
        item = &items_[next_++];  // a deque's elements stay where they are while it grows
        ++busy_;
      }
      try {
        work_(lane, *item);
      } catch (...) {
        std::lock_guard lock(mutex_);
        if (!failure_) failure_ = std::current_exception();
      }
      std::lock_guard lock(mutex_);
      --busy_;
    }
  }

  std::size_t count_;
  std::function<void(std::size_t, Item&)> work_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Item> items_;
  std::size_t next_ = 0;  // the first item no lane has taken
  std::size_t busy_ = 0;  // lanes working on an item
  bool closed_ = false;
  std::exception_ptr failure_;
  std::vector<std::thread> threads_;
};

}  // namespace kring::server
