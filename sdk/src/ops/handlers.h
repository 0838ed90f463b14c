// Internal: one handler per op kind. Each validates first and changes state only when it accepts.
#pragma once

#include "rules/op_context.h"

namespace kring {

#ifdef KRING_WIDGET_CORE
// The widget's build leaves the ops only the server makes or decides (imports, claims, follows,
// alert checks, erasures) to the server, with this one refusal: one string instead of one per op
// (its size budget). It takes their effect from the server's events like any other.
inline constexpr const char* kWidgetLeavesToServer = "The server decides this.";
#endif

Outcome applyCreateThread(OpContext& context, const CreateThread& body);
Outcome applyCreatePost(OpContext& context, const CreatePost& body);
Outcome applyEditPost(OpContext& context, const EditPost& body);
Outcome applyDeletePost(OpContext& context, const DeletePost& body);
Outcome applyCastVote(OpContext& context, const CastVote& body);
Outcome applyAcceptAnswer(OpContext& context, const AcceptAnswer& body);
Outcome applyUnacceptAnswer(OpContext& context, const UnacceptAnswer& body);
Outcome applyFlagPost(OpContext& context, const FlagPost& body);
Outcome applyModerate(OpContext& context, const Moderate& body);
Outcome applyUndoModeration(OpContext& context, const UndoModeration& body);
Outcome applyUpdatePolicy(OpContext& context, const UpdatePolicy& body);
Outcome applyRecordReading(OpContext& context, const RecordReading& body);
Outcome applyCheckAlerts(OpContext& context, const CheckAlerts& body);
Outcome applyImportPost(OpContext& context, const ImportPost& body);
Outcome applyClaimImported(OpContext& context, const ClaimImported& body);
Outcome applyFollowThread(OpContext& context, const FollowThread& body);

// A member who starts a thread or posts in it follows it, unless they chose there before; they are
// told so (a FollowChanged event, theirs alone).
void followByPosting(OpContext& context, std::uint32_t thread, std::uint32_t member);

}  // namespace kring
