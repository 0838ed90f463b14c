// A client's replica: an Engine that holds the threads it follows (loaded from thread snapshots)
// and keeps them equal to the server's by applying the events the server sends.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kring/engine.h"
#include "kring/outcome.h"
#include "kring/reason.h"
#include "kring/sync.h"

namespace kring {

// Applies the server's events to a replica, all or nothing: an event that contradicts the replica
// (a post it does not know, a member it has never heard of, a vote that is not there, …) refuses
// the whole batch with a reason code and a message, and leaves the replica exactly as it was.
//  - member_joined / member_changed always apply (add or update the member);
//  - thread_created adds the thread; post_created in a thread the replica does not hold is skipped;
//  - every other event names a post, which the replica must hold.
// lastSequence becomes the highest sequence of the batch (skipped events count: they were seen).
Status applyEvents(Engine& replica, const std::vector<Event>& events);

// An Events message: the events of one thread (and the member events of their ops). When the
// replica does not hold that thread and the message does not create it (not subscribed, or its
// snapshot has not arrived yet) only the member events apply; otherwise as above.
Status applyEvents(Engine& replica, const EventsMessage& message);

// The highest sequence the replica holds of one thread: its snapshot's, then the highest of the
// Events messages applied to it; 0 for a thread it does not hold. Resubscribe with it: the site-wide
// lastSequence may be ahead of a thread whose events were still in flight.
Sequence threadLastSequence(const Engine& replica, std::string_view threadKey);

// For servers: an accepted outcome's events as replicas need them. Events name the op's actor by
// id only, and a replica that subscribed after the actor joined (in another thread) has never
// heard of them; so unless the events carry the actor's record (member_joined, member_changed)
// they are preceded by a member_changed with it, as it stood before the op. Call after
// engine.apply(op) returned `outcome`; send and keep (for catch-up) these events.
std::vector<Event> eventsForReplicas(const Engine& engine, const Op& op, const Outcome& outcome);

// What a client does with one ServerMessage, summarised as JSON for the host (kring_receive):
// a thread snapshot is loaded into the replica once its last part arrives (`parts` holds the
// earlier ones), events are applied, everything else is described.
//   {"type":"welcome","member":{"id","displayName","role","reputation","trustLevel","state","stateUntil"},"policy":{…},"guestCredential","tokenExpiresAt","readOnly","needsTicketToStart","preferencesUrl"}
//   {"type":"snapshot","threadKey","lastSequence","continues"}  continues: a page added to the thread
//   {"type":"snapshot_part","threadKey","receivedBytes","totalBytes"}
//   {"type":"events","threadKey","fromSequence","lastSequence","opIds":[distinct, in order]}
//   {"type":"rejected","opId","code","message"}   {"type":"error","code","message"}
//   {"type":"pong","nonce"}
//   {"type":"invalid","message"}  bytes that do not decode, or a snapshot or events the replica
//                                 refuses; the replica is then unchanged.
std::string receiveServerMessage(Engine& replica, SnapshotAssembler& parts, ByteView message);

}  // namespace kring
