#include "store/checkpoint_writer.h"

#include <string>

#include "observe/logging.h"

namespace kring::server {

CheckpointCost writeCheckpoint(Store& store, std::unique_ptr<ChangedRecords> changed, const CheckpointRequest& request,
                               const std::function<void(const std::function<void()>&)>& attempt) {
  using std::chrono::steady_clock;
  auto microseconds = [](steady_clock::duration duration) {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(duration).count());
  };
  auto start = steady_clock::now();
  const std::string siteId = changed->siteId;
  EncodedCheckpoint encoded = encodeCheckpoint(*changed);
  changed.reset();
  auto encodedAt = steady_clock::now();
  auto write = [&] { store.saveCheckpoint(siteId, encoded, request.compactUpTo, request.erasure.get()); };
  if (attempt) {
    attempt(write);
  } else {
    write();
  }
  auto end = steady_clock::now();
  logEvent("info", "checkpoint_written",
           {{"site", siteId},
            {"sequence", std::to_string(encoded.lastSequence)},
            {"parts", std::to_string(encoded.parts.size())},
            {"kib", std::to_string(encoded.bytes() >> 10)},
            {"takeMs", std::to_string(request.taken.count() / 1000)},
            {"encodeMs", std::to_string(microseconds(encodedAt - start) / 1000)},
            {"writeMs", std::to_string(microseconds(end - encodedAt) / 1000)}});
  return CheckpointCost{encoded.parts.size(), encoded.bytes(), microseconds(end - start)};
}

}  // namespace kring::server
