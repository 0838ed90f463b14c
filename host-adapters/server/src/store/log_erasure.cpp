#include "kring/codec.h"
#include "store/store.h"

namespace kring::server {

bool LogErasure::covers(ByteView bytes) const {
  Result<Op> decoded = decodeOp(bytes);
  if (!decoded) return true;
  const Op& op = decoded.value();
  if (op.actor.memberId == memberId) return true;
  const auto* edit = std::get_if<EditPost>(&op.body);
  return edit != nullptr && postIds.count(edit->postId) != 0;
}

}  // namespace kring::server
