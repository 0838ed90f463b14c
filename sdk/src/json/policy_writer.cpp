#include "json/json_writer.h"
#include "kring/names.h"
#include "kring/policy.h"

namespace kring {

// In the core, not with the parser: the browser reads a Welcome's policy as this JSON too.
std::string policyToJson(const Policy& policy) {
  JsonWriter json;
  json.open('{').key("settings").open('{');
  for (const PolicySetting& setting : policySettings()) {
    if (policy.screeningWithheld && setting.screening) continue;
    json.key(setting.name).value(std::int64_t{policy.*(setting.field)});
  }
  json.close('}');
  if (policy.screeningWithheld) {
    json.key("screeningWithheld").flag(true);
  } else {
    json.key("watchedWords").open('[');
    for (const WatchedWord& word : policy.watchedWords) {
      json.open('{').key("locale").value(word.locale).key("word").value(word.word);
      json.key("action").value(watchActionName(word.action)).close('}');
    }
    json.close(']');
  }
  // Only when set: a policy without it reads and writes as it did before the list existed.
  if (!policy.trustedLinkDomains.empty()) {
    json.key("trustedLinkDomains").open('[');
    for (const std::string& domain : policy.trustedLinkDomains) json.value(domain);
    json.close(']');
  }
  json.close('}');
  return json.take();
}

}  // namespace kring
