// libFuzzer target: Kring's site archive (kring/archive.h), which `kring-server import --format kring`
// reads from a file anyone may hand it. Whatever it reads, it must refuse or build a site whose archive
// reads back to the same text; any crash, leak or UB report is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "kring/archive.h"
#include "kring/site_records.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto engine = kring::engineFromArchive(text);
  if (engine) {
    const std::string written = kring::writeArchive(kring::exportRecords(engine.value()));
    auto again = kring::engineFromArchive(written);
    if (!again || kring::writeArchive(kring::exportRecords(again.value())) != written) __builtin_trap();
  }
  return 0;
}
