// engineFromArchive (kring/archive.h): the archive's records through the checks a site snapshot passes.
// In wire/ beside snapshot.cpp, as that loads through the same builder; compiled natively only, with the
// archive's reader (sdk/CMakeLists.txt: kring_policy_json).
#include "kring/archive.h"
#include "state/engine_access.h"
#include "wire/site_records.h"

namespace kring {

Result<Engine> engineFromArchive(std::string_view text, Limits limits) {
  Result<SiteRecords> records = readArchive(text, limits);
  if (!records) return records.error();
  auto state = buildState(records.value(), limits);
  if (!state) return state.error();
  return EngineAccess::make(std::move(state.value()));
}

}  // namespace kring
