#include "store/part_stream.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace kring::server {

namespace {

struct PartBatch {
  std::vector<std::pair<std::uint32_t, Result<DecodedPart>>> parts;
  std::string storeFailure;  // the reading side's store error, if any
  bool last = false;
};

class PartQueue {
 public:
  // False once the building side has given up: the reading side stops.
  bool push(PartBatch batch) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return batches_.size() < kDepth || abandoned_; });
    if (abandoned_) return false;
    batches_.push_back(std::move(batch));
    changed_.notify_all();
    return true;
  }
  PartBatch pop() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return !batches_.empty(); });
    PartBatch batch = std::move(batches_.front());
    batches_.pop_front();
    changed_.notify_all();
    return batch;
  }
  void abandon() {
    std::lock_guard lock(mutex_);
    abandoned_ = true;
    changed_.notify_all();
  }

 private:
  static constexpr std::size_t kDepth = 8;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<PartBatch> batches_;
  bool abandoned_ = false;
};

}  // namespace

Result<Engine> buildFromParts(CheckpointLoader& loader, const ReadParts& read) {
  PartQueue queue;
  std::thread reader([&] {
    constexpr std::size_t kBatch = 512;
    PartBatch batch;
    bool stopped = false;
    std::string failure = read([&](std::int64_t kind, std::int64_t index, ByteView part) {
      if (stopped) return false;
      if (kind < 0 || kind >= kPartKinds || index < 0 || index > UINT32_MAX) {
        batch.parts.emplace_back(0,
                                 Error{ReasonCode::malformedSnapshot, "The checkpoint has a part of no known kind."});
        stopped = true;
        return false;
      }
      batch.parts.emplace_back(static_cast<std::uint32_t>(index),
                               CheckpointLoader::decode(static_cast<PartKind>(kind), part));
      if (batch.parts.size() == kBatch) {
        if (!queue.push(std::move(batch))) stopped = true;
        batch = PartBatch{};
      }
      return !stopped;
    });
    batch.storeFailure = std::move(failure);
    batch.last = true;
    queue.push(std::move(batch));
  });
  std::optional<Error> refused;
  for (bool last = false; !last && !refused;) {
    PartBatch batch = queue.pop();
    last = batch.last;
    for (auto& [index, part] : batch.parts) {
      Status added = part ? loader.add(index, std::move(part.value())) : Status(part.error());
      if (!added) {
        refused = added.error();
        break;
      }
    }
    if (!refused && !batch.storeFailure.empty()) refused = Error{ReasonCode::malformedSnapshot, batch.storeFailure};
  }
  queue.abandon();
  reader.join();
  if (refused) return Result<Engine>(*refused);
  return loader.finish();
}

}  // namespace kring::server
