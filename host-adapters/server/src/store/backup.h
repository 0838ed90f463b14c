// `kring-server backup` and `kring-server restore`: a consistent copy of a SQLite store, taken with
// SQLite's online backup API while a server may be writing to it, and its way back into place.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace kring::server {

struct BackupOptions {
  std::string source;       // the store's path (sqlite:PATH or PATH)
  std::string destination;  // written as destination.tmp, checked, then renamed into place
  int pagesPerStep = 1024;
  std::chrono::milliseconds pause{2};  // between steps, so the copy leaves the disk to the server now and then
};

struct RestoreOptions {
  std::string source;       // a backup file
  std::string destination;  // the store's path (sqlite:PATH or PATH)
  bool force = false;       // replace an existing store
};

// What a backup or restore did; `error` is set when it failed (and nothing was put in place).
struct CopyReport {
  std::int64_t pages = 0;
  std::int64_t bytes = 0;
  std::int64_t milliseconds = 0;
  std::map<std::string, std::int64_t> siteSequences;  // each site's last op in the copy
  std::string error;
};

CopyReport backupStore(const BackupOptions& options);
CopyReport restoreStore(const RestoreOptions& options);

// Runs `kring-server backup …` or `kring-server restore …` when argv[1] names one; nullopt otherwise.
// Prints one JSON line on stdout on success, a message on stderr on failure; returns the exit code.
std::optional<int> runStoreCommand(int argc, char** argv);

}  // namespace kring::server
