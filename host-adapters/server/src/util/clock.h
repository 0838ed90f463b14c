// The server's clock: the only place time enters; the core gets it inside each op.
#pragma once

#include <chrono>
#include <cstdint>

namespace kring::server {

inline std::int64_t nowMilliseconds() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace kring::server
