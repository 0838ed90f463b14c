// Internal: reading one JSON object of an archive line strictly: each field named once by the reader,
// of the right type, present, and no field the reader did not ask for. The first problem is kept (with
// the line number and the field's path) and later calls do nothing, so a reader reads every field
// without checking after each.
#pragma once

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kring/names.h"
#include "kring/reason.h"

namespace kring::archive {

namespace json = boost::json;

inline std::string_view view(json::string_view text) { return std::string_view(text.data(), text.size()); }

// A hostile file's text, cut short enough to quote in a message.
std::string quoted(std::string_view text);

// The first problem found on a line.
class Problem {
 public:
  explicit Problem(std::size_t line) : line_(line) {}
  void fail(std::string_view path, std::string_view reason, ReasonCode code = ReasonCode::malformedSnapshot);
  bool failed() const { return error_.has_value(); }
  std::size_t line() const { return line_; }
  const std::optional<Error>& error() const { return error_; }
  std::optional<Error> take() { return std::exchange(error_, std::nullopt); }

 private:
  std::size_t line_;
  std::optional<Error> error_;
};

class Fields {
 public:
  // Fails at once (and reads nothing) when the value is not an object.
  Fields(const json::value& value, std::string path, Problem& problem);
  Fields(const Fields&) = delete;
  Fields& operator=(const Fields&) = delete;

  Fields& text(std::string_view name, std::string& out, std::size_t maxBytes = std::string::npos);
  Fields& flag(std::string_view name, bool& out);
  template <typename Int>
  Fields& integer(std::string_view name, Int& out) {
    if (const json::value* value = take(name)) readInteger(*value, pathOf(name), out);
    return *this;
  }
  template <typename Enum>
  Fields& enumeration(std::string_view name, Enum& out) {
    if (const json::value* value = take(name)) readEnum(*value, pathOf(name), out);
    return *this;
  }
  // A nested object: read(Fields&) reads its fields.
  template <typename Read>
  Fields& object(std::string_view name, Read read) {
    if (const json::value* value = take(name)) {
      Fields inner(*value, pathOf(name), problem_);
      if (!problem_.failed()) read(inner);
      inner.finish();
    }
    return *this;
  }
  // An array: read(const json::value&, const std::string& path, Item&) reads each item.
  template <typename Item, typename Read>
  Fields& list(std::string_view name, std::vector<Item>& out, Read read) {
    const json::value* value = take(name);
    if (value == nullptr) return *this;
    std::string path = pathOf(name);
    if (!value->is_array()) {
      problem_.fail(path, "must be an array");
      return *this;
    }
    out.clear();
    for (const json::value& item : value->get_array()) {
      if (problem_.failed()) break;
      std::string at = path + "[" + std::to_string(out.size()) + "]";
      read(item, at, out.emplace_back());
    }
    return *this;
  }
  // A list of objects: read(Fields&, Item&) reads each item's fields.
  template <typename Item, typename Read>
  Fields& objects(std::string_view name, std::vector<Item>& out, Read read) {
    return list(name, out, [&](const json::value& value, const std::string& path, Item& item) {
      Fields inner(value, path, problem_);
      if (!problem_.failed()) read(inner, item);
      inner.finish();
    });
  }
  // Fails on the first field nobody asked for.
  void finish();

  Problem& problem() { return problem_; }
  // A problem with one of this object's fields, named by its path.
  void fail(std::string_view name, std::string_view reason) { problem_.fail(pathOf(name), reason); }

  template <typename Int>
  static void readInteger(const json::value& value, const std::string& path, Int& out, Problem& problem) {
    if (value.is_int64() && std::in_range<Int>(value.get_int64())) {
      out = static_cast<Int>(value.get_int64());
    } else if (value.is_uint64() && std::in_range<Int>(value.get_uint64())) {
      out = static_cast<Int>(value.get_uint64());
    } else if (value.is_int64() || value.is_uint64()) {
      problem.fail(path, "out of range");
    } else {
      problem.fail(path, "must be an integer");
    }
  }
  template <typename Enum>
  static void readEnum(const json::value& value, const std::string& path, Enum& out, Problem& problem) {
    if (!value.is_string()) return problem.fail(path, "must be a name (a string)");
    std::optional<Enum> parsed = parseEnum<Enum>(view(value.get_string()));
    if (!parsed) return problem.fail(path, quoted(view(value.get_string())) + " is not one of its names");
    out = *parsed;
  }

 private:
  const json::value* take(std::string_view name);
  std::string pathOf(std::string_view name) const { return path_ + "." + std::string(name); }
  template <typename Int>
  void readInteger(const json::value& value, const std::string& path, Int& out) {
    readInteger(value, path, out, problem_);
  }
  template <typename Enum>
  void readEnum(const json::value& value, const std::string& path, Enum& out) {
    readEnum(value, path, out, problem_);
  }

  const json::object* object_ = nullptr;
  std::string path_;
  Problem& problem_;
  std::vector<std::string_view> taken_;
};

}  // namespace kring::archive
