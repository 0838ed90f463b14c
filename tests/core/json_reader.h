// Test helper: a small strict JSON parser (RFC 8259), to check that toJson's output is valid JSON
// and that strings come back exactly as they went in.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace kring::testing {

struct Json {
  enum class Type { null, boolean, number, string, array, object };
  Type type = Type::null;
  bool boolean = false;
  double number = 0;
  std::string string;
  std::vector<Json> items;        // array elements, or object values
  std::vector<std::string> keys;  // object keys, parallel to items

  bool has(std::string_view key) const {
    for (const std::string& k : keys) {
      if (k == key) return true;
    }
    return false;
  }
  const Json& operator[](std::string_view key) const {
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (keys[i] == key) return items[i];
    }
    throw std::out_of_range("no key " + std::string(key));
  }
  const Json& operator[](std::size_t index) const { return items.at(index); }
};

class JsonParser {
 public:
  explicit JsonParser(std::string_view text) : text_(text) {}

  // The document, or nullopt when the text is not exactly one valid JSON value.
  std::optional<Json> parse() {
    Json value;
    skipSpace();
    if (!parseValue(value, 0)) return std::nullopt;
    skipSpace();
    if (at_ != text_.size()) return std::nullopt;
    return value;
  }

 private:
  bool parseValue(Json& out, int depth) {
    if (depth > 64 || at_ >= text_.size()) return false;
    char c = text_[at_];
    if (c == '{') return parseObject(out, depth);
    if (c == '[') return parseArray(out, depth);
    if (c == '"') {
      out.type = Json::Type::string;
      return parseString(out.string);
    }
    if (literal("true")) {
      out.type = Json::Type::boolean;
      out.boolean = true;
      return true;
    }
    if (literal("false")) {
      out.type = Json::Type::boolean;
      return true;
    }
    if (literal("null")) return true;
    return parseNumber(out);
  }

  bool parseObject(Json& out, int depth) {
    out.type = Json::Type::object;
    ++at_;
    skipSpace();
    if (consume('}')) return true;
    do {
      skipSpace();
      std::string key;
      if (at_ >= text_.size() || text_[at_] != '"' || !parseString(key)) return false;
      skipSpace();
      if (!consume(':')) return false;
      skipSpace();
      Json value;
      if (!parseValue(value, depth + 1)) return false;
      out.keys.push_back(std::move(key));
      out.items.push_back(std::move(value));
      skipSpace();
    } while (consume(','));
    return consume('}');
  }

  bool parseArray(Json& out, int depth) {
    out.type = Json::Type::array;
    ++at_;
    skipSpace();
    if (consume(']')) return true;
    do {
      skipSpace();
      Json value;
      if (!parseValue(value, depth + 1)) return false;
      out.items.push_back(std::move(value));
      skipSpace();
    } while (consume(','));
    return consume(']');
  }

  bool parseString(std::string& out) {
    ++at_;  // opening quote
    while (at_ < text_.size()) {
      auto c = static_cast<unsigned char>(text_[at_++]);
      if (c == '"') return true;
      if (c < 0x20) return false;  // raw control characters are not allowed
      if (c != '\\') {
        out += static_cast<char>(c);
        continue;
      }
      if (at_ >= text_.size()) return false;
      char escape = text_[at_++];
      switch (escape) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          std::uint32_t code = 0;
          if (!hex4(code)) return false;
          if (code >= 0xD800 && code <= 0xDBFF) {
            std::uint32_t low = 0;
            if (!consume('\\') || !consume('u') || !hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
          } else if (code >= 0xDC00 && code <= 0xDFFF) {
            return false;
          }
          appendUtf8(out, code);
          break;
        }
        default: return false;
      }
    }
    return false;
  }

  bool parseNumber(Json& out) {
    std::size_t start = at_;
    consume('-');
    if (consume('0')) {
    } else if (!digits()) {
      return false;
    }
    if (consume('.') && !digits()) return false;
    if (consume('e') || consume('E')) {
      if (!consume('+')) consume('-');
      if (!digits()) return false;
    }
    out.type = Json::Type::number;
    out.number = std::stod(std::string(text_.substr(start, at_ - start)));
    return true;
  }

  bool digits() {
    std::size_t start = at_;
    while (at_ < text_.size() && text_[at_] >= '0' && text_[at_] <= '9') ++at_;
    return at_ > start;
  }

  bool hex4(std::uint32_t& out) {
    for (int i = 0; i < 4; ++i) {
      if (at_ >= text_.size()) return false;
      char c = text_[at_++];
      out <<= 4;
      if (c >= '0' && c <= '9') {
        out |= static_cast<std::uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        out |= static_cast<std::uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        out |= static_cast<std::uint32_t>(c - 'A' + 10);
      } else {
        return false;
      }
    }
    return true;
  }

  static void appendUtf8(std::string& out, std::uint32_t code) {
    if (code < 0x80) {
      out += static_cast<char>(code);
    } else if (code < 0x800) {
      out += static_cast<char>(0xC0 | (code >> 6));
      out += static_cast<char>(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
      out += static_cast<char>(0xE0 | (code >> 12));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (code >> 18));
      out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    }
  }

  bool literal(std::string_view word) {
    if (text_.substr(at_, word.size()) != word) return false;
    at_ += word.size();
    return true;
  }
  bool consume(char c) {
    if (at_ < text_.size() && text_[at_] == c) {
      ++at_;
      return true;
    }
    return false;
  }
  void skipSpace() {
    while (at_ < text_.size() &&
           (text_[at_] == ' ' || text_[at_] == '\t' || text_[at_] == '\n' || text_[at_] == '\r')) {
      ++at_;
    }
  }

  std::string_view text_;
  std::size_t at_ = 0;
};

inline std::optional<Json> parseJson(std::string_view text) { return JsonParser(text).parse(); }

}  // namespace kring::testing
