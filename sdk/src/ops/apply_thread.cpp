#include "kring/visibility.h"
#include "ops/handlers.h"
#include "rules/moderation_pipeline.h"
#include "text/text.h"

namespace kring {

namespace {

// A key belongs to whoever creates it first: the host, staff, or a member who has read enough to
// be trusted with it (threadCreateMinTrustLevel). Guests need the host's approval at any level.
// A replica cannot verify a ticket (the server checks it and clears it before its engine sees the
// op), so it predicts with the host's approval and leaves the verdict to the server.
bool predictsTicket(const OpContext& context, const CreateThread& body) {
  return !body.ticket.empty() && context.policy().screeningWithheld;
}

std::optional<Outcome> checkMayCreate(const OpContext& context, const CreateThread& body) {
  if (body.hostApproved || predictsTicket(context, body) ||
      startsThreadsUnapproved(context.policy(), context.role(), context.trustLevel(), context.op.actor.memberId)) {
    return std::nullopt;
  }
  const std::int32_t needed = context.policy().threadCreateMinTrustLevel;
  const bool guest = isGuestId(context.op.actor.memberId);
  std::string who = guest ? std::string("Guests") : "Members below trust level " + std::to_string(needed);
  return context.reject(ReasonCode::threadCreationRestricted,
                        who + " cannot start a thread here; the site creates its pages' threads.");
}

}  // namespace

Outcome applyCreateThread(OpContext& context, const CreateThread& body) {
  const Limits& limits = context.state.limits;
  if (!isValidThreadKey(body.key, limits)) {
    return context.reject(
        ReasonCode::invalidThreadKey,
        "A thread key is 1 to " + std::to_string(limits.maxThreadKeyBytes) + " bytes of printable UTF-8.");
  }
  if (auto rejection = checkMayCreate(context, body)) return std::move(*rejection);
  Screening title = screenTitle(context, body.title, body.hostApproved || predictsTicket(context, body));
  if (title.rejection) return std::move(*title.rejection);
  if (context.state.findThread(body.key) != kNone) {
    return context.reject(ReasonCode::threadExists, "A thread with this key already exists.");
  }

  std::uint32_t author = context.admitActor();
  ThreadEntry thread;
  thread.key = body.key;
  thread.kind = body.kind;
  thread.title = title.body;  // censored where a watched word says so
  thread.author = author;
  thread.createdAt = context.op.time;
  std::uint32_t index = context.state.addThread(std::move(thread));
  context.emit(ThreadCreated{context.state.threadRecord(index)});
  followByPosting(context, index, author);
  title.screenedByServer = title.screenedByServer || predictsTicket(context, body);
  return acceptScreened(context, title);
}

}  // namespace kring
