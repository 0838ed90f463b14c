// The engine: one site's community state and the rules that change it.
//
// Deterministic: the same ops in the same order give the same outcomes and the same state,
// natively and in WebAssembly. It does no I/O and reads no clock; time comes with each op.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "kring/limits.h"
#include "kring/op.h"
#include "kring/outcome.h"
#include "kring/policy.h"
#include "kring/view.h"

namespace kring {

struct SiteState;     // internal (sdk/src/state/site_state.h)
struct EngineAccess;  // internal: the core's own modules reach the state through it

class Engine {
 public:
  explicit Engine(std::string siteId, Limits limits = {});
  // A site starting with a policy other than the defaults (validate it first: validatePolicy).
  Engine(std::string siteId, Policy policy, Limits limits = {});
  ~Engine();
  Engine(Engine&&) noexcept;
  Engine& operator=(Engine&&) noexcept;
  // An independent copy: a host reads it on another thread while this one goes on applying ops.
  Engine copy() const;

  // Validates the op and, when accepted, changes the state and reports the events.
  // A rejected op changes nothing.
  Outcome apply(const Op& op);

  const std::string& siteId() const;
  Sequence lastSequence() const;
  // A log that orders ops before the rules see them (several servers over PostgreSQL) keeps the
  // ops the rules rejected: each still takes its sequence, so the engine stands where the log does.
  void skipTo(Sequence sequence);
  const Limits& limits() const;
  const Policy& policy() const;
  // A member as others see them (reputation, trust level, state); nullopt for a stranger.
  std::optional<MemberRecord> member(std::string_view memberId) const;
  // A post as the site holds it (every state; project it before showing it); nullopt when unknown.
  std::optional<PostRecord> post(std::string_view postId) const;

  // The thread as a reader sees it, in display order; nullopt for an unknown thread.
  // viewerId (may be empty) fills in each post's `myVote`.
  std::optional<ThreadView> threadView(std::string_view threadKey, SortOrder order,
                                       std::string_view viewerId = {}) const;

  // Whether a new post in the thread tells the member (they follow it); false for an unknown thread.
  // A replica knows this of its own member only.
  bool follows(std::string_view threadKey, std::string_view memberId) const;

  bool hasThread(std::string_view threadKey) const;
  // A thread's kind; nullopt for an unknown thread.
  std::optional<ThreadKind> threadKind(std::string_view threadKey) const;
  // Every thread, in creation order, as everyone may read it (view.h).
  std::vector<ThreadSummary> threadSummaries() const;

  // The thread an op concerns (its key, or the thread of the post it names); nullopt when unknown.
  // The server uses it to send an accepted op's events to that thread's subscribers.
  std::optional<std::string> threadKeyOf(const Op& op) const;

 private:
  friend struct EngineAccess;
  explicit Engine(std::unique_ptr<SiteState> state);
  std::unique_ptr<SiteState> state_;
};

}  // namespace kring
