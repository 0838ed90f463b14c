// Who sees what: the part of a site's state a client's viewer may hold (docs/protocol.md,
// "Who sees what"). The server sends each client only its viewer's projection of snapshots and
// events; hiding something in the page is not moderation.
//
// Pure functions of records and a viewer: the server projects, a replica holds the projection,
// and projecting a replica's state again gives the same bytes as the server's projection.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kring/engine.h"
#include "kring/outcome.h"
#include "kring/policy.h"
#include "kring/records.h"
#include "kring/replica.h"

namespace kring {

// Guests carry ids the server mints with this prefix; a host's token may not use it.
constexpr std::string_view kGuestIdPrefix = "guest:";
constexpr bool isGuestId(std::string_view memberId) {
  return memberId.substr(0, kGuestIdPrefix.size()) == kGuestIdPrefix;
}
// Whether a member starts a thread without the host's ticket: staff, moderators and admins always,
// a guest never, a plain member from the policy's threadCreateMinTrustLevel on.
constexpr bool startsThreadsUnapproved(const Policy& policy, Role role, std::uint8_t trustLevel,
                                       std::string_view memberId) {
  if (role != Role::member) return true;
  return !isGuestId(memberId) && trustLevel >= policy.threadCreateMinTrustLevel;
}
// The server's own actors and op ids (the site's configuration, the console's admin key) carry this one.
constexpr std::string_view kServerIdPrefix = "kring:";
// Authors of imported posts (ImportPost): no token names one, so a member signs in as one only by
// claiming the history with a verified e-mail (docs/import.md).
constexpr std::string_view kImportedIdPrefix = "imported:";
// The one list of member id prefixes only the server gives out: a host's token may use none of them.
constexpr std::string_view kReservedIdPrefixes[] = {kGuestIdPrefix, kServerIdPrefix, kImportedIdPrefix};
constexpr bool isReservedMemberId(std::string_view memberId) {
  for (std::string_view prefix : kReservedIdPrefixes) {
    if (memberId.substr(0, prefix.size()) == prefix) return true;
  }
  return false;
}

// What a viewer may read beyond the public part. Ordered: each class sees what the one before sees.
enum class ViewerClass : std::uint8_t {
  everyone,   // guests, members, staff: visible posts, counts, their own votes, flags and held posts
  reviewer,   // members past the review-queue reputation: also held posts' text and why they are held
  moderator,  // moderators and admins: everything (removed text, edit history, voters, flaggers, audit, screening)
};

struct Viewer {
  std::string memberId;  // empty: nobody in particular (owns no votes or posts)
  ViewerClass viewerClass = ViewerClass::everyone;

  friend bool operator==(const Viewer&, const Viewer&) = default;
};

// The role a member acts with: one an admin assigned wins over the token's.
Role effectiveRole(const Engine& engine, const Actor& actor);
// The viewer a client signed in as `actor` is at `now` (role and reputation as the engine holds
// them). A ban, or a suspension until after `now`, takes the moderator's (and the reviewer's) view.
Viewer viewerOf(const Engine& engine, const Actor& actor, TimeMs now);
// A viewer that sees everything: the server's own view, tests and exports.
inline Viewer fullViewer() { return Viewer{std::string(), ViewerClass::moderator}; }

// True when the viewer may read this post's text in its current state.
bool mayReadPost(const PostRecord& post, const Viewer& viewer);

// The policy as the viewer may hold it: the screening settings (duplicates, spam score) and the
// watched words only for moderators; others get `screeningWithheld` and predict without them.
Policy projectPolicy(const Policy& policy, const Viewer& viewer);
// A member as the viewer sees them: sanctions (state, until) only of themselves, or for moderators.
MemberRecord projectMember(MemberRecord member, const Viewer& viewer);
// A post as the viewer sees it: a tombstone (no text, no edit history, no held reason) when they
// may not read it; votes only their own; flag score and edit history only for moderators.
PostRecord projectPost(PostRecord post, const Viewer& viewer);

// One op's events as replicas need them (eventsForReplicas), with who acted.
struct OpEvents {
  std::string opId;
  Sequence sequence = 0;
  std::string actorId;
  bool actorIntroduced = false;  // events[0] is the actor's record as it stood, added for replicas
  bool actorOnly = false;        // reading: what a member reads concerns no one else
  std::vector<Event> events;
};
// Call after engine.apply(op) returned `outcome` (stored).
OpEvents opEventsForReplicas(const Engine& engine, const Op& op, const Outcome& outcome);

// The op's events as the viewer may receive them, in order; empty when nothing of the op concerns
// them. Voters, flaggers and moderators stay unnamed to others (neither the actor's introduction
// nor the op id, which the actor's client made, goes out with their op), and a sanction reaches
// only the sanctioned member and the moderators.
std::vector<Event> projectEvents(const OpEvents& op, const Viewer& viewer);

// Members whose projection of the op may differ from their class's: the actor, the authors,
// voters, flaggers and members the events name. Everyone else in a class receives the same bytes.
std::vector<std::string> eventSubjects(const OpEvents& op);

}  // namespace kring
