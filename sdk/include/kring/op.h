// Ops: every change to a community is one op, applied in order by the engine.
#pragma once

#include <string>
#include <variant>

#include "kring/types.h"

namespace kring {

// Who sends the op. The server fills it from the verified token.
struct Actor {
  std::string memberId;
  std::string displayName;
  Role role = Role::member;
};

struct CreateThread {
  std::string key;      // chosen by the host: product SKU, URL path
  ThreadKind kind = ThreadKind::discussion;
  std::string title;
};

// A top-level post (parentId empty) or a reply. The new post's id is the op's id.
struct CreatePost {
  std::string threadKey;
  std::string parentId;
  std::string body;     // Markdown source
};

struct EditPost {
  std::string postId;
  std::string body;
};

struct DeletePost {
  std::string postId;
};

struct CastVote {
  std::string postId;
  VoteDirection direction = VoteDirection::up;  // none retracts
};

struct AcceptAnswer {
  std::string answerId;
};

struct UnacceptAnswer {
  std::string answerId;
};

using OpBody = std::variant<CreateThread, CreatePost, EditPost, DeletePost, CastVote, AcceptAnswer,
                            UnacceptAnswer>;

struct Op {
  std::string id;       // client-generated idempotency key
  Actor actor;
  TimeMs time = 0;
  Sequence sequence = 0;
  OpBody body;
};

}  // namespace kring
