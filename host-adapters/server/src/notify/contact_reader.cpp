#include "notify/contact_reader.h"

#include "observe/logging.h"

namespace kring::server {

ContactReader::ContactReader(std::shared_ptr<const OutboxDatabase> database)
    : database_(std::move(database)), thread_([this] { run(); }) {}

ContactReader::~ContactReader() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
  for (Job& job : waiting_) job.done(std::nullopt, false);
}

void ContactReader::read(std::string siteId, std::string memberId, Done done) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_ && waiting_.size() < kMostWaiting) {
      waiting_.push_back(Job{std::move(siteId), std::move(memberId), std::move(done)});
      wake_.notify_one();
      return;
    }
  }
  done(std::nullopt, false);
}

void ContactReader::run() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !waiting_.empty(); });
      if (stopping_) return;
      job = std::move(waiting_.front());
      waiting_.pop_front();
    }
    std::optional<StoredContact> contact;
    bool read = false;
    try {
      contact = readContactAt(*database_, job.siteId, job.memberId);
      read = true;
    } catch (const std::exception& e) {
      logEvent("warn", "mail_contact_not_read", {{"error", e.what()}});
    }
    job.done(std::move(contact), read);
  }
}

}  // namespace kring::server
