// One writer at a time on a SQLite store: a running kring-server and `kring-server import` each hold
// an advisory lock on "PATH.lock" (flock: the kernel lets go when the process dies, kill -9 included).
#pragma once

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <optional>
#include <string>
#include <utility>

namespace kring::server {

class StoreLock {
 public:
  // Nullopt when another process holds it (or the lock file cannot be made: then nothing is safe).
  static std::optional<StoreLock> tryTake(const std::string& databasePath) {
    const std::string path = databasePath + ".lock";
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return std::nullopt;
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd);
      return std::nullopt;
    }
    return StoreLock(fd);
  }

  StoreLock(StoreLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  StoreLock& operator=(StoreLock&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  StoreLock(const StoreLock&) = delete;
  StoreLock& operator=(const StoreLock&) = delete;
  ~StoreLock() {
    if (fd_ >= 0) ::close(fd_);
  }

 private:
  explicit StoreLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace kring::server
