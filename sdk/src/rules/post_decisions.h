// Internal: changes to a post's standing that several ops share (deletion, moderator actions,
// flags, undo), each keeping reputation, the spam filter and events consistent.
#pragma once

#include <algorithm>
#include <cstdint>

#include "rules/op_context.h"

namespace kring {

enum class Announce { yes, no };

// Moves the post to `next`. Entering removed/spam takes back the reputation it earned; leaving
// them gives it back. Emits PostChanged unless told not to (deletion has its own event).
void setPostState(OpContext& context, std::uint32_t post, PostState next, Announce announce = Announce::yes);

// What the spam filter has learned from this post: 1 spam, -1 ham, 0 nothing. Retrains as needed.
// The widget's build only records it: the filter is the server's (a replica holds none), and
// leaving the training out pays for the widget's budget.
void setSpamTraining(SiteState& state, std::uint32_t post, std::int8_t desired);

// The reputation penalty the author pays for the post (removed as spam or offensive); `amount`
// is the positive amount wanted, 0 refunds.
void setRemovalPenalty(OpContext& context, std::uint32_t post, std::int32_t amount);

// Reverses an accepted answer's reputation (author and acceptor) and forgets the acceptor.
void reverseAcceptReputation(OpContext& context, std::uint32_t answer);

// When the post is its question's accepted answer: no longer, with its reputation reversed and
// AnswerUnaccepted emitted. Every path that ends an acceptance goes through here.
void withdrawAcceptance(OpContext& context, std::uint32_t answer);

// The sum of the post's open flags' weights.
std::int32_t openFlagScore(const PostEntry& post);

// How many of the post's open (not yet upheld or dismissed) flags match.
template <typename Match>
std::size_t countOpenFlags(const PostEntry& post, Match match) {
  return static_cast<std::size_t>(std::count_if(post.flags.begin(), post.flags.end(), [&](const FlagEntry& flag) {
    return flag.resolution == FlagResolution::open && match(flag);
  }));
}
inline bool isSpamOrOffensive(const FlagEntry& flag) {
  return flag.reason == FlagReason::spam || flag.reason == FlagReason::offensive;
}

}  // namespace kring
