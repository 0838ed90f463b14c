// A page's URL as the key of its Kring thread (docs/import.md, "Thread keys"):
//  1. the scheme, user info, host and port are dropped: the key is the path (keepHost keeps the host,
//     lower-cased and without its port, in front: "example.com/p/3", for a site served on several hosts);
//  2. the query and the fragment are dropped;
//  3. percent-escapes of unreserved characters (A-Z a-z 0-9 - . _ ~) are decoded, other escapes are
//     written with upper-case hex; a '%' that starts no escape becomes "%25";
//  4. trailing slashes are dropped, but a path of only "/" (a home page) stays "/"; an empty path is "/";
//  5. the path's case is kept: paths are case-sensitive on most servers;
//  6. what the core would refuse in a key (control characters, bytes that are not UTF-8) and spaces
//     are percent-escaped; a key longer than the limit is cut at a character boundary and ends with
//     "~" and the 16 hex digits of the FNV-1a 64 hash of the whole key, so that it stays unique.
// A mapping file overrides the rules for single URLs (ThreadKeyMapping).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "import/import_records.h"
#include "kring/limits.h"

namespace kring::server {

struct ThreadKeyRules {
  bool keepHost = false;
  std::uint32_t maxKeyBytes = Limits{}.maxThreadKeyBytes;
};

// The core's rule for a thread key (kring::isValidThreadKey): 1 to maxKeyBytes bytes of UTF-8
// without control characters. Written here too so that the import folder stands alone.
bool isImportableThreadKey(std::string_view key, std::uint32_t maxKeyBytes);

// Always a valid key, for any input (an empty URL gives "/").
std::string threadKeyFromUrl(std::string_view url, const ThreadKeyRules& rules = {});

// FNV-1a, 64 bits: stable across builds and platforms, unlike std::hash.
std::uint64_t fnv1a64(std::string_view bytes);

// Exceptions to the rules, one a line: the URL exactly as the export writes it, a tab, the key.
// Blank lines and lines starting with '#' are comments. An error names the line: no tab, a key the
// core would refuse, a URL given twice.
class ThreadKeyMapping {
 public:
  ThreadKeyMapping() = default;
  static ImportResult<ThreadKeyMapping> parse(std::string_view text, const ThreadKeyRules& rules = {});
  static ImportResult<ThreadKeyMapping> load(const std::string& path, const ThreadKeyRules& rules = {});

  // The mapped key for this URL, else the rules' key.
  std::string keyFor(std::string_view url) const;
  std::size_t size() const { return keys_.size(); }

 private:
  ThreadKeyRules rules_;
  std::unordered_map<std::string, std::string> keys_;
};

}  // namespace kring::server
