#include "kring/policy_json.h"
#include "kring/names.h"

#include <boost/json.hpp>

#include <algorithm>
#include <limits>

namespace kring {

namespace json = boost::json;

namespace {

Error problem(const std::string& path, const std::string& reason) {
  return Error{ReasonCode::invalidPolicy, path + ": " + reason};
}

std::string_view view(json::string_view text) { return std::string_view(text.data(), text.size()); }

constexpr WatchAction kActions[] = {WatchAction::block, WatchAction::censor, WatchAction::requireApproval,
                                    WatchAction::flag};

std::optional<Error> readSettings(const json::value& value, Policy& policy) {
  if (!value.is_object()) return problem("settings", "must be an object");
  auto table = policySettings();
  for (const auto& field : value.get_object()) {
    std::string path = "settings." + std::string(view(field.key()));
    auto setting = std::find_if(table.begin(), table.end(),
                                [&](const PolicySetting& known) { return known.name == view(field.key()); });
    if (setting == table.end()) return problem(path, "unknown setting");
    const json::value& number = field.value();
    std::int64_t integer = 0;
    if (number.is_int64()) {
      integer = number.get_int64();
    } else if (number.is_uint64() &&
               number.get_uint64() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      integer = static_cast<std::int64_t>(number.get_uint64());
    } else {
      return problem(path, "must be an integer");
    }
    if (integer < setting->minimum || integer > setting->maximum) {
      return problem(path, "must be between " + std::to_string(setting->minimum) + " and " +
                               std::to_string(setting->maximum) + " (got " + std::to_string(integer) + ")");
    }
    policy.*(setting->field) = static_cast<std::int32_t>(integer);
  }
  return std::nullopt;
}

std::optional<Error> readTrustedDomains(const json::value& value, std::vector<std::string>& out) {
  if (!value.is_array()) return problem("trustedLinkDomains", "must be an array of host names");
  for (std::size_t i = 0; i < value.get_array().size(); ++i) {
    const json::value& item = value.get_array()[i];
    if (!item.is_string()) return problem("trustedLinkDomains[" + std::to_string(i) + "]", "must be a host name");
    out.emplace_back(view(item.get_string()));
  }
  return std::nullopt;
}

std::optional<Error> readWatchedWords(const json::value& value, const std::string& path,
                                      std::vector<WatchedWord>& out) {
  if (!value.is_array()) return problem(path, "must be an array");
  for (std::size_t i = 0; i < value.get_array().size(); ++i) {
    const json::value& item = value.get_array()[i];
    std::string at = path + "[" + std::to_string(i) + "]";
    if (!item.is_object()) return problem(at, "must be an object");
    WatchedWord word;
    word.locale = "*";
    bool hasWord = false;
    for (const auto& field : item.get_object()) {
      std::string_view name = view(field.key());
      const json::value& text = field.value();
      if (name != "locale" && name != "word" && name != "action")
        return problem(at + "." + std::string(name), "unknown field");
      if (!text.is_string()) return problem(at + "." + std::string(name), "must be a string");
      std::string_view content = view(text.get_string());
      if (name == "locale") word.locale = std::string(content);
      if (name == "word") {
        word.word = std::string(content);
        hasWord = true;
      }
      if (name == "action") {
        auto action = std::find_if(std::begin(kActions), std::end(kActions),
                                   [&](WatchAction known) { return watchActionName(known) == content; });
        if (action == std::end(kActions)) {
          return problem(at + ".action", "must be block, censor, require_approval or flag");
        }
        word.action = *action;
      }
    }
    if (!hasWord) return problem(at + ".word", "missing");
    out.push_back(std::move(word));
  }
  return std::nullopt;
}

Result<json::value> parse(std::string_view text) {
  boost::system::error_code error;
  json::value value = json::parse(json::string_view(text.data(), text.size()), error);
  if (error) return problem("policy", "not valid JSON (" + error.message() + ")");
  return value;
}

// A validatePolicy error names its field as the engine knows it ("reputationFloor: …"); in JSON a
// setting lives under "settings.", so the path names it where the sender wrote it.
Error fromValidation(const Error& error) {
  const bool isSetting = !error.message.starts_with("watchedWords") && !error.message.starts_with("trustedLinkDomains");
  return Error{ReasonCode::invalidPolicy, (isSetting ? "settings." : "") + error.message};
}

}  // namespace

Result<Policy> parsePolicyJson(std::string_view text) {
  Result<json::value> value = parse(text);
  if (!value) return value.error();
  if (!value.value().is_object()) return problem("policy", "must be an object");
  Policy policy;
  for (const auto& field : value.value().get_object()) {
    std::string_view name = view(field.key());
    if (name == "settings") {
      if (auto error = readSettings(field.value(), policy)) return *error;
    } else if (name == "watchedWords") {
      if (auto error = readWatchedWords(field.value(), "watchedWords", policy.watchedWords)) return *error;
    } else if (name == "trustedLinkDomains") {
      if (auto error = readTrustedDomains(field.value(), policy.trustedLinkDomains)) return *error;
    } else {
      return problem(std::string(name), "unknown field (a policy has settings, watchedWords and trustedLinkDomains)");
    }
  }
  if (Status valid = validatePolicy(policy); !valid) return fromValidation(valid.error());
  return policy;
}

Result<std::vector<WatchedWord>> parseWatchedWordsJson(std::string_view text) {
  Result<json::value> value = parse(text);
  if (!value) return value.error();
  const json::value* list = &value.value();
  if (list->is_object()) {
    list = list->get_object().if_contains("watchedWords");
    if (list == nullptr) return problem("watchedWords", "missing");
  }
  std::vector<WatchedWord> words;
  if (auto error = readWatchedWords(*list, "watchedWords", words)) return *error;
  Policy check;
  check.watchedWords = words;
  if (Status valid = validatePolicy(check); !valid) return fromValidation(valid.error());
  return words;
}

}  // namespace kring
