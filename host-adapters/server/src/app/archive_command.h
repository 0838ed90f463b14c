// Kring's own archive of a whole site (docs/archive.md), to move a site between stores or machines:
//   kring-server export --db sqlite:PATH|postgresql://… --site S --to FILE
//   kring-server import --format kring FILE --db sqlite:PATH|postgresql://… [--dry-run]
// An export reads the site as a server's start-up does (its checkpoint, then the ops after it) and
// may run beside a server; an import writes the site as one checkpoint, in one transaction, into a
// store that holds nothing of it (stop the server first).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "app/opened_store.h"
#include "util/store_lock.h"

namespace kring::server {

// The store a command works on (--db), or nullptr once the failure is printed.
std::unique_ptr<OpenedStore> openCommandStore(const std::string& database, const char* command);
// A command that writes a SQLite store holds its lock (util/store_lock.h) while it runs: false, once
// the failure is printed, when a server or another import holds it. PostgreSQL needs none.
bool lockCommandStore(const std::string& database, std::optional<StoreLock>& lock, const char* command);

// The exit status when argv[1] is "export"; nullopt for any other command.
std::optional<int> runExportCommand(int argc, char** argv);

// `kring-server import --format kring`: the archive's site into the store `database`, or with dryRun
// only its counts. The exit status.
int importArchive(const std::string& file, const std::string& database, bool dryRun);

}  // namespace kring::server
