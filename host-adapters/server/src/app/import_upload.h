// `kring-server import --server URL` (docs/import.md): the ops an import makes, sent to a running
// server's admin API (POST /api/sites/{site}/import with the site's admin key) in batches under its
// request limit, each answered once stored. The server applies them as the stopped-store import does.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "import/import_records.h"
#include "kring/op.h"
#include "kring/reason.h"

namespace kring::server {

struct UploadTarget {
  std::string serverUrl;  // http(s)://host:port of the server's admin listener
  std::string siteId;
  std::string adminKey;
};

struct UploadTotals {
  std::uint64_t imported = 0;
  std::uint64_t alreadyThere = 0;
  std::uint64_t refused = 0;
  std::vector<ImportProblem> problems;  // the refused posts the server named
};

// The totals, or why it stopped (a refused key, an unreachable server); batches sent before a
// failure stay imported, and a second run adds only the rest.
Result<UploadTotals> uploadImport(const UploadTarget& target, const std::vector<Op>& ops);

}  // namespace kring::server
