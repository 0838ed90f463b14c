// Bytes as a gzip member (RFC 1952), for answers the server renders itself (the static files come
// compressed already): one compression per rendering, shared by every request that takes gzip.
#pragma once

#include <zlib.h>

#include <string>
#include <string_view>

namespace kring::server {

inline std::string gzipped(std::string_view bytes) {
  z_stream stream{};
  constexpr int kGzipWindowBits = 15 + 16;  // 16: a gzip header and trailer, not zlib's
  if (deflateInit2(&stream, 6, Z_DEFLATED, kGzipWindowBits, 8, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  std::string out(deflateBound(&stream, static_cast<uLong>(bytes.size())), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  stream.avail_in = static_cast<uInt>(bytes.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const bool done = deflate(&stream, Z_FINISH) == Z_STREAM_END;
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return done ? out : std::string();
}

}  // namespace kring::server
