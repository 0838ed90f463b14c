#include "import/thread_keys.h"

#include <cctype>
#include <fstream>
#include <sstream>

namespace kring::server {
namespace {

constexpr char kUpperHex[] = "0123456789ABCDEF";
constexpr char kLowerHex[] = "0123456789abcdef";

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool isUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

void appendEscape(std::string& out, unsigned char c) {
  out.push_back('%');
  out.push_back(kUpperHex[c >> 4]);
  out.push_back(kUpperHex[c & 0xF]);
}

// Length of the well-formed UTF-8 sequence at `at` (no overlongs, no surrogates), 0 if none.
std::size_t validSequence(std::string_view text, std::size_t at) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char lead = byte(at);
  if (lead < 0x80) return 1;
  std::size_t length = lead >= 0xC2 && lead <= 0xDF   ? 2
                       : lead >= 0xE0 && lead <= 0xEF ? 3
                       : lead >= 0xF0 && lead <= 0xF4 ? 4
                                                      : 0;
  if (length == 0 || at + length > text.size()) return 0;
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(at + i) & 0xC0) != 0x80) return 0;
  }
  unsigned char second = byte(at + 1);
  if (lead == 0xE0 && second < 0xA0) return 0;
  if (lead == 0xED && second > 0x9F) return 0;
  if (lead == 0xF0 && second < 0x90) return 0;
  if (lead == 0xF4 && second > 0x8F) return 0;
  return length;
}

std::string_view trimmedUrl(std::string_view url) {
  auto blank = [](char c) { return static_cast<unsigned char>(c) <= 0x20; };
  while (!url.empty() && blank(url.front())) url.remove_prefix(1);
  while (!url.empty() && blank(url.back())) url.remove_suffix(1);
  return url;
}

// Splits off "scheme://authority" (or "//authority"), returning the host (no user info, no port).
std::string_view splitHost(std::string_view& rest) {
  std::size_t at = 0;
  if (!rest.empty() && ((rest[0] >= 'a' && rest[0] <= 'z') || (rest[0] >= 'A' && rest[0] <= 'Z'))) {
    std::size_t i = 1;
    while (i < rest.size() &&
           (std::isalnum(static_cast<unsigned char>(rest[i])) || rest[i] == '+' || rest[i] == '-' || rest[i] == '.')) {
      ++i;
    }
    if (i < rest.size() && rest[i] == ':') at = i + 1;
  }
  if (rest.substr(at, 2) != "//") {
    rest.remove_prefix(at);  // a scheme without an authority, or a bare path
    return {};
  }
  std::string_view afterSlashes = rest.substr(at + 2);
  std::size_t slash = afterSlashes.find('/');
  std::string_view authority = afterSlashes.substr(0, slash);
  rest = slash == std::string_view::npos ? std::string_view() : afterSlashes.substr(slash);
  if (std::size_t userEnd = authority.rfind('@'); userEnd != std::string_view::npos) {
    authority.remove_prefix(userEnd + 1);
  }
  if (!authority.empty() && authority.front() == '[') {
    std::size_t close = authority.find(']');
    return close == std::string_view::npos ? authority : authority.substr(0, close + 1);
  }
  return authority.substr(0, authority.find(':'));
}

// Step 3: unreserved escapes decoded, others in upper-case hex, a lone '%' escaped.
std::string normalizeEscapes(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] != '%') {
      out.push_back(path[i]);
      continue;
    }
    int high = i + 2 < path.size() ? hexValue(path[i + 1]) : -1;
    int low = i + 2 < path.size() ? hexValue(path[i + 2]) : -1;
    if (high < 0 || low < 0) {
      out += "%25";
      continue;
    }
    auto decoded = static_cast<unsigned char>(high * 16 + low);
    if (isUnreserved(decoded)) {
      out.push_back(static_cast<char>(decoded));
    } else {
      appendEscape(out, decoded);
    }
    i += 2;
  }
  return out;
}

// Step 6: only what the core accepts, spaces escaped too.
std::string keyAlphabet(std::string_view key) {
  std::string out;
  out.reserve(key.size());
  for (std::size_t i = 0; i < key.size();) {
    auto c = static_cast<unsigned char>(key[i]);
    std::size_t length = validSequence(key, i);
    if (length == 0 || c <= 0x20 || c == 0x7F) {
      appendEscape(out, c);
      ++i;
    } else {
      out.append(key.substr(i, length));
      i += length;
    }
  }
  return out;
}

std::string hashed(const std::string& key, std::uint32_t maxKeyBytes) {
  constexpr std::size_t kSuffix = 17;  // "~" and 16 hex digits
  if (key.size() <= maxKeyBytes) return key;
  std::size_t keep = maxKeyBytes > kSuffix ? maxKeyBytes - kSuffix : 0;
  while (keep > 0 && (static_cast<unsigned char>(key[keep]) & 0xC0) == 0x80) --keep;
  std::uint64_t hash = fnv1a64(key);
  std::string out = key.substr(0, keep) + "~";
  for (int shift = 60; shift >= 0; shift -= 4) out.push_back(kLowerHex[(hash >> shift) & 0xF]);
  return out.substr(0, maxKeyBytes);
}

}  // namespace

std::uint64_t fnv1a64(std::string_view bytes) {
  std::uint64_t hash = 0xcbf29ce484222325ull;
  for (char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ull;
  }
  return hash;
}

bool isImportableThreadKey(std::string_view key, std::uint32_t maxKeyBytes) {
  if (key.empty() || key.size() > maxKeyBytes) return false;
  for (std::size_t i = 0; i < key.size();) {
    auto c = static_cast<unsigned char>(key[i]);
    std::size_t length = validSequence(key, i);
    if (length == 0 || c < 0x20 || c == 0x7F) return false;
    i += length;
  }
  return true;
}

std::string threadKeyFromUrl(std::string_view url, const ThreadKeyRules& rules) {
  std::string_view rest = trimmedUrl(url);
  rest = rest.substr(0, rest.find('#'));
  rest = rest.substr(0, rest.find('?'));
  std::string_view host = splitHost(rest);
  std::string path = normalizeEscapes(rest);
  if (path.empty() || path.front() != '/') path.insert(path.begin(), '/');
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  std::string key;
  if (rules.keepHost && !host.empty()) {
    for (char c : host) key.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    while (!key.empty() && key.back() == '.') key.pop_back();
    if (path != "/") key += path;
  } else {
    key = path;
  }
  return hashed(keyAlphabet(key), rules.maxKeyBytes);
}

ImportResult<ThreadKeyMapping> ThreadKeyMapping::parse(std::string_view text, const ThreadKeyRules& rules) {
  ThreadKeyMapping mapping;
  mapping.rules_ = rules;
  std::size_t lineNumber = 0;
  while (!text.empty()) {
    ++lineNumber;
    std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (trimmedUrl(line).empty() || line.front() == '#') continue;
    std::string where = "mapping line " + std::to_string(lineNumber);
    std::size_t tab = line.find('\t');
    if (tab == std::string_view::npos) {
      return ImportFailure{ImportError::badMapping, where + ": no tab between the URL and the key"};
    }
    std::string url(trimmedUrl(line.substr(0, tab)));
    std::string key(line.substr(tab + 1));
    if (url.empty()) return ImportFailure{ImportError::badMapping, where + ": no URL before the tab"};
    if (!isImportableThreadKey(key, rules.maxKeyBytes)) {
      return ImportFailure{ImportError::badMapping,
                           where + ": '" + keyAlphabet(key.substr(0, 64)) + "' is not a thread key (1 to " +
                               std::to_string(rules.maxKeyBytes) + " bytes of UTF-8, no control characters)"};
    }
    auto [at, added] = mapping.keys_.emplace(url, key);
    if (!added && at->second != key) {
      return ImportFailure{ImportError::badMapping, where + ": " + url + " is mapped twice"};
    }
  }
  return mapping;
}

ImportResult<ThreadKeyMapping> ThreadKeyMapping::load(const std::string& path, const ThreadKeyRules& rules) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return ImportFailure{ImportError::unreadable, "cannot open " + path};
  std::ostringstream text;
  text << file.rdbuf();
  return parse(text.str(), rules);
}

std::string ThreadKeyMapping::keyFor(std::string_view url) const {
  if (auto found = keys_.find(std::string(trimmedUrl(url))); found != keys_.end()) return found->second;
  return threadKeyFromUrl(url, rules_);
}

}  // namespace kring::server
