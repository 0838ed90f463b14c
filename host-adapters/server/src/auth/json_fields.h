// What the sites file's readers share (site_config.cpp, oidc_config.cpp): a problem names the field's
// path for people editing the file by hand, and an object's fields outside the known ones are refused,
// so that a misspelt setting never silently means its default.
#pragma once

#include <algorithm>
#include <boost/json.hpp>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace kring::server {

// What is wrong, for people, or nothing; the edge turns it into bad_site_config.
using FieldProblem = std::optional<std::string>;

inline std::string_view fieldView(boost::json::string_view text) { return {text.data(), text.size()}; }

inline FieldProblem fieldProblem(const std::string& path, std::string_view problem) {
  return path + ": " + std::string(problem);
}

// `path` is the object's own: "sites[0].email" gives "sites[0].email.smtpUrll: unknown field".
inline FieldProblem onlyKnownFields(const boost::json::object& object, const std::string& path,
                                    std::initializer_list<std::string_view> known) {
  for (const auto& field : object) {
    if (std::find(known.begin(), known.end(), fieldView(field.key())) == known.end()) {
      return fieldProblem(
          path.empty() ? std::string(fieldView(field.key())) : path + "." + std::string(fieldView(field.key())),
          "unknown field");
    }
  }
  return std::nullopt;
}

}  // namespace kring::server
