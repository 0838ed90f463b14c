// Internal: one handler per op kind. Each validates first and changes state only when it accepts.
#pragma once

#include "op_context.h"

namespace kring {

Outcome applyCreateThread(OpContext& context, const CreateThread& body);
Outcome applyCreatePost(OpContext& context, const CreatePost& body);
Outcome applyEditPost(OpContext& context, const EditPost& body);
Outcome applyDeletePost(OpContext& context, const DeletePost& body);
Outcome applyCastVote(OpContext& context, const CastVote& body);
Outcome applyAcceptAnswer(OpContext& context, const AcceptAnswer& body);
Outcome applyUnacceptAnswer(OpContext& context, const UnacceptAnswer& body);

}  // namespace kring
