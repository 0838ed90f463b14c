// A strong HTTP entity tag for bytes: the first 128 bits of their SHA-256, quoted hex. The same bytes
// get the same tag on every server, so a cache behind several servers revalidates with any of them.
#pragma once

#include <openssl/evp.h>

#include <array>
#include <string>
#include <string_view>

namespace kring::server {

inline std::string entityTag(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string tag = "\"";
  for (unsigned int i = 0; i < 16 && i < length; ++i) {
    tag += kHex[digest[i] >> 4];
    tag += kHex[digest[i] & 15];
  }
  return tag + "\"";
}

}  // namespace kring::server
