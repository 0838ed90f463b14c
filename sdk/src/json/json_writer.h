// Internal: a small JSON writer for the view models (Boost.JSON stays out of the wasm build).
#pragma once

#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>

namespace kring {

class JsonWriter {
 public:
  std::string take() { return std::move(out_); }

  JsonWriter& key(std::string_view name) {
    separate();
    string(name);
    out_ += ':';
    pendingComma_ = false;
    return *this;
  }
  JsonWriter& value(std::string_view text) {
    separate();
    string(text);
    return *this;
  }
  JsonWriter& value(std::int64_t number) {
    separate();
    out_ += std::to_string(number);
    return *this;
  }
  JsonWriter& number(std::uint64_t number) {  // sequences and nonces: all 64 bits, unsigned
    separate();
    out_ += std::to_string(number);
    return *this;
  }
  // A bool would become 0 or 1 through value(int64_t): write it with flag().
  template <class T>
  requires std::same_as<T, bool> JsonWriter& value(T) = delete;
  JsonWriter& flag(bool flag) {
    separate();
    out_ += flag ? "true" : "false";
    return *this;
  }
  // JSON another writer made, embedded as a value.
  JsonWriter& raw(std::string_view json) {
    separate();
    out_ += json;
    return *this;
  }
  JsonWriter& open(char bracket) {
    separate();
    out_ += bracket;
    pendingComma_ = false;
    return *this;
  }
  JsonWriter& close(char bracket) {
    out_ += bracket;
    pendingComma_ = true;
    return *this;
  }

 private:
  void separate() {
    if (pendingComma_) out_ += ',';
    pendingComma_ = true;
  }

  // Escapes quotes, backslashes, control characters, and the characters that matter if the
  // JSON ever lands inside HTML (<, >, &) or old JavaScript parsers (U+2028, U+2029).
  void string(std::string_view text) {
    out_ += '"';
    for (std::size_t i = 0; i < text.size(); ++i) {
      auto c = static_cast<unsigned char>(text[i]);
      switch (c) {
        case '"': out_ += "\\\""; continue;
        case '\\': out_ += "\\\\"; continue;
        case '\n': out_ += "\\n"; continue;
        case '\r': out_ += "\\r"; continue;
        case '\t': out_ += "\\t"; continue;
        default: break;
      }
      bool lineSeparator = c == 0xE2 && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x80 &&
                           (static_cast<unsigned char>(text[i + 2]) & 0xFE) == 0xA8;
      if (lineSeparator) {
        out_ += static_cast<unsigned char>(text[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
        i += 2;
      } else if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x7F) {
        static constexpr char kHex[] = "0123456789abcdef";
        out_ += "\\u00";
        out_ += kHex[c >> 4];
        out_ += kHex[c & 0xF];
      } else {
        out_ += static_cast<char>(c);
      }
    }
    out_ += '"';
  }

  std::string out_;
  bool pendingComma_ = false;
};

}  // namespace kring
