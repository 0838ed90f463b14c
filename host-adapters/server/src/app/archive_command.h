// Kring's own archive of a whole site (docs/archive.md), to move a site between stores or machines:
//   kring-server export --db sqlite:PATH|postgresql://… --site S --to FILE
//   kring-server import --format kring FILE --db sqlite:PATH|postgresql://… [--dry-run]
// An export reads the site as a server's start-up does (its checkpoint, then the ops after it) and
// may run beside a server; an import writes the site as one checkpoint, in one transaction, into a
// store that holds nothing of it (stop the server first).
#pragma once

#include <optional>
#include <string>

namespace kring::server {

// The exit status when argv[1] is "export"; nullopt for any other command.
std::optional<int> runExportCommand(int argc, char** argv);

// `kring-server import --format kring`: the archive's site into the store `database`, or with dryRun
// only its counts. The exit status.
int importArchive(const std::string& file, const std::string& database, bool dryRun);

}  // namespace kring::server
