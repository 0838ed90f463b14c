// Reads members' contacts for their preferences pages (app/http_routes.cpp) on a thread of its own,
// each through a connection of its own (what the store holds now, even if its file moved): with
// PostgreSQL that is a connection and a round trip over the network, and a database that is slow or
// gone must not hold the io thread, and every site's ops behind it.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "notify/member_contact.h"
#include "store/outbox_database.h"

namespace kring::server {

class ContactReader {
 public:
  // `read` is false when the store could not be read (or the reader is full or stopping).
  using Done = std::function<void(std::optional<StoredContact> contact, bool read)>;
  static constexpr std::size_t kMostWaiting = 16;

  explicit ContactReader(std::shared_ptr<const OutboxDatabase> database);
  ~ContactReader();  // answers what still waits as not read
  ContactReader(const ContactReader&) = delete;
  ContactReader& operator=(const ContactReader&) = delete;

  // `done` runs on the reader's thread, or at once on the caller's when kMostWaiting already wait.
  void read(std::string siteId, std::string memberId, Done done);

 private:
  struct Job {
    std::string siteId;
    std::string memberId;
    Done done;
  };
  void run();

  std::shared_ptr<const OutboxDatabase> database_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> waiting_;
  bool stopping_ = false;
  std::thread thread_;  // last: it runs on everything above
};

}  // namespace kring::server
