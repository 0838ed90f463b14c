// A policy as JSON (the sites file, the admin API). Native hosts only: built on Boost.JSON,
// which the browser's core leaves out; replicas receive policies as Cap'n Proto.
//   {"settings": {"privilegeVoteUp": 15, ...}, "watchedWords": [{"locale": "en", "word": "…", "action": "flag"}]}
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kring/policy.h"
#include "kring/reason.h"

namespace kring {

// Missing settings keep their defaults. Unknown names, wrong types and out-of-range values are
// refused with the field's path ("settings.privilegeVoteUp: must be an integer"); nothing is half
// applied. The result has passed validatePolicy.
Result<Policy> parsePolicyJson(std::string_view json);
// policyToJson (kring/policy.h) writes what this reads back equal.

// A list of watched words alone: [{"locale","word","action"}, …] or {"watchedWords": [...]}.
Result<std::vector<WatchedWord>> parseWatchedWordsJson(std::string_view json);

}  // namespace kring
