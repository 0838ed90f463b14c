#include "ops/handlers.h"
#include "text/text.h"

namespace kring {

Outcome applyCreateThread(OpContext& context, const CreateThread& body) {
  const Limits& limits = context.state.limits;
  if (!isValidThreadKey(body.key, limits)) {
    return context.reject(ReasonCode::invalidThreadKey,
                          "A thread key is 1 to " + std::to_string(limits.maxThreadKeyBytes) +
                              " bytes of printable UTF-8.");
  }
  if (body.title.size() > limits.maxTitleBytes) {
    return context.reject(ReasonCode::titleTooLong,
                          "The title is longer than " + std::to_string(limits.maxTitleBytes) + " bytes.");
  }
  if (!isValidUtf8(body.title)) return context.reject(ReasonCode::invalidText, "The title is not valid UTF-8 text.");
  if (context.state.findThread(body.key) != kNone) {
    return context.reject(ReasonCode::threadExists, "A thread with this key already exists.");
  }

  std::uint32_t author = context.admitActor();
  ThreadEntry thread;
  thread.key = body.key;
  thread.kind = body.kind;
  thread.title = body.title;
  thread.author = author;
  thread.createdAt = context.op.time;
  std::uint32_t index = context.state.addThread(std::move(thread));
  context.emit(ThreadCreated{context.state.threadRecord(index)});
  return context.accept();
}

}  // namespace kring
