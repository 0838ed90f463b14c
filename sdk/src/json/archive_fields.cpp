#include "json/archive_fields.h"

#include <algorithm>

namespace kring::archive {

std::string quoted(std::string_view text) {
  constexpr std::size_t kShown = 40;
  if (text.size() <= kShown) return "\"" + std::string(text) + "\"";
  return "\"" + std::string(text.substr(0, kShown)) + "…\"";
}

void Problem::fail(std::string_view path, std::string_view reason, ReasonCode code) {
  if (error_) return;
  std::string message = "Archive line " + std::to_string(line_) + ": ";
  if (!path.empty()) message += std::string(path) + ": ";
  error_ = Error{code, message + std::string(reason)};
}

Fields::Fields(const json::value& value, std::string path, Problem& problem)
    : path_(std::move(path)), problem_(problem) {
  if (problem_.failed()) return;
  if (value.is_object()) {
    object_ = &value.get_object();
  } else {
    problem_.fail(path_, "must be an object");
  }
}

const json::value* Fields::take(std::string_view name) {
  if (problem_.failed() || object_ == nullptr) return nullptr;
  const json::value* value = object_->if_contains(json::string_view(name.data(), name.size()));
  if (value == nullptr) {
    problem_.fail(pathOf(name), "missing");
    return nullptr;
  }
  taken_.push_back(name);
  return value;
}

Fields& Fields::text(std::string_view name, std::string& out, std::size_t maxBytes) {
  const json::value* value = take(name);
  if (value == nullptr) return *this;
  if (!value->is_string()) {
    problem_.fail(pathOf(name), "must be a string");
  } else if (value->get_string().size() > maxBytes) {
    problem_.fail(pathOf(name), "longer than the engine's limit of " + std::to_string(maxBytes) + " bytes");
  } else {
    out = std::string(view(value->get_string()));
  }
  return *this;
}

Fields& Fields::flag(std::string_view name, bool& out) {
  const json::value* value = take(name);
  if (value == nullptr) return *this;
  if (!value->is_bool()) return problem_.fail(pathOf(name), "must be true or false"), *this;
  out = value->get_bool();
  return *this;
}

void Fields::finish() {
  if (problem_.failed() || object_ == nullptr || taken_.size() == object_->size()) return;
  for (const auto& field : *object_) {
    if (std::find(taken_.begin(), taken_.end(), view(field.key())) == taken_.end()) {
      return problem_.fail(path_, "unknown field " + quoted(view(field.key())));
    }
  }
}

}  // namespace kring::archive
