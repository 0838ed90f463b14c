# Kring wire schema: the contract between the core, the widget and kring-server.
# Versioned by `protocolVersion`; field numbers are never reused, only appended.
@0xed416c81046b808f;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("kring::wire");

const protocolVersion :UInt32 = 1;
const snapshotFormatVersion :UInt32 = 1;

enum Role {
  member @0;
  moderator @1;
  staff @2;      # brand staff: answers and accepts on behalf of the site owner
  admin @3;
}

enum ThreadKind {
  discussion @0;
  question @1;   # top-level posts are questions, their replies answers, replies to answers comments
}

enum ThreadState {
  open @0;
  locked @1;
  pinned @2;
  archived @3;
}

enum PostState {
  visible @0;
  pendingReview @1;
  hiddenByFlags @2;
  removed @3;
  spam @4;
}

enum VoteDirection {
  none @0;       # retract
  up @1;
  down @2;
}

enum SortOrder {
  top @0;
  newest @1;
  oldest @2;
}

enum OutcomeStatus {
  accepted @0;
  held @1;
  rejected @2;
}

# Why an op was rejected (or held). Append only.
enum ReasonCode {
  none @0;
  malformedOp @1;
  invalidId @2;
  invalidMember @3;
  invalidThreadKey @4;
  threadExists @5;
  unknownThread @6;
  threadLocked @7;
  titleTooLong @8;
  emptyBody @9;
  bodyTooLong @10;
  unknownPost @11;
  duplicatePostId @12;
  postRemoved @13;
  parentNotInThread @14;
  tooDeep @15;
  notAuthor @16;
  notPermitted @17;
  unchanged @18;
  ownPost @19;
  alreadyVoted @20;
  noVoteToRetract @21;
  notAQuestion @22;
  notAnAnswer @23;
  alreadyAccepted @24;
  notAccepted @25;
  invalidText @26;       # not valid UTF-8
  malformedSnapshot @27;
  unsupportedVersion @28;
  alreadyApplied @29;    # a resubmitted op the server already stored: treat as acknowledged
  rateLimited @30;
  notSubscribed @31;
}

struct Actor {
  memberId @0 :Text;      # the host's user id, from the signed token
  displayName @1 :Text;
  role @2 :Role;
}

struct Op {
  id @0 :Text;            # client-generated idempotency key; also the id of a post the op creates
  actor @1 :Actor;
  time @2 :Int64;         # milliseconds since the Unix epoch; the server's time once sequenced
  sequence @3 :UInt64;    # site-wide order; 0 until the server sequences the op
  union {
    createThread @4 :CreateThread;
    post @5 :Post;
    edit @6 :Edit;
    delete @7 :Delete;
    vote @8 :Vote;
    accept @9 :Accept;
    unaccept @10 :Unaccept;
  }

  struct CreateThread {
    key @0 :Text;
    kind @1 :ThreadKind;
    title @2 :Text;
  }
  struct Post {
    threadKey @0 :Text;
    parentId @1 :Text;    # empty for a top-level post
    body @2 :Text;        # Markdown source
  }
  struct Edit {
    postId @0 :Text;
    body @1 :Text;
  }
  struct Delete {
    postId @0 :Text;
  }
  struct Vote {
    postId @0 :Text;
    direction @1 :VoteDirection;
  }
  struct Accept {
    answerId @0 :Text;
  }
  struct Unaccept {
    answerId @0 :Text;
  }
}

struct Event {
  opId @0 :Text;          # the op that caused it, so a client can drop its pending copy
  sequence @1 :UInt64;
  time @2 :Int64;
  union {
    memberJoined @3 :MemberRecord;
    memberChanged @4 :MemberRecord;
    threadCreated @5 :ThreadRecord;
    postCreated @6 :PostRecord;
    postEdited @7 :PostEdited;
    postDeleted @8 :PostRef;
    voteChanged @9 :VoteChanged;
    answerAccepted @10 :AnswerChange;
    answerUnaccepted @11 :AnswerChange;
  }

  struct PostEdited {
    postId @0 :Text;
    body @1 :Text;
    editorId @2 :Text;
  }
  struct PostRef {
    postId @0 :Text;
  }
  struct VoteChanged {
    postId @0 :Text;
    memberId @1 :Text;
    direction @2 :VoteDirection;
    score @3 :Int32;
  }
  struct AnswerChange {
    questionId @0 :Text;
    answerId @1 :Text;
  }
}

struct Outcome {
  opId @0 :Text;
  status @1 :OutcomeStatus;
  code @2 :ReasonCode;
  message @3 :Text;       # human-readable, English
  events @4 :List(Event);
}

# --- State records, shared by events and snapshots ---

struct MemberRecord {
  id @0 :Text;
  displayName @1 :Text;
  role @2 :Role;
  joinedAt @3 :Int64;
  postCount @4 :UInt32;
}

struct ThreadRecord {
  key @0 :Text;
  kind @1 :ThreadKind;
  title @2 :Text;
  authorId @3 :Text;
  createdAt @4 :Int64;
  state @5 :ThreadState;
}

struct PostRecord {
  id @0 :Text;
  threadKey @1 :Text;
  parentId @2 :Text;
  authorId @3 :Text;
  body @4 :Text;
  createdAt @5 :Int64;
  editedAt @6 :Int64;     # 0 when never edited
  state @7 :PostState;
  score @8 :Int32;
  accepted @9 :Bool;
  edits @10 :List(EditRecord);
  votes @11 :List(VoteRecord);
  createdSequence @12 :UInt64;
}

struct EditRecord {
  editorId @0 :Text;
  time @1 :Int64;
  previousBody @2 :Text;
}

struct VoteRecord {
  memberId @0 :Text;
  direction @1 :VoteDirection;
}

struct ThreadSnapshot {
  formatVersion @0 :UInt32;
  lastSequence @1 :UInt64;
  thread @2 :ThreadRecord;
  posts @3 :List(PostRecord);     # in creation order
  members @4 :List(MemberRecord); # everyone the posts name, by id; postCount left 0
}

struct SiteSnapshot {
  formatVersion @0 :UInt32;
  siteId @1 :Text;
  lastSequence @2 :UInt64;
  members @3 :List(MemberRecord);
  threads @4 :List(ThreadRecord);
  posts @5 :List(PostRecord);
}

struct OpLog {
  ops @0 :List(Op);
}

# --- Sync protocol (WebSocket binary frames) ---

struct ClientMessage {
  union {
    hello @0 :Hello;
    subscribe @1 :Subscribe;
    submit @2 :Op;
    ping @3 :UInt64;
  }

  struct Hello {
    siteId @0 :Text;
    token @1 :Text;       # JWT signed by the host site; empty for a guest
    clientId @2 :Text;
    protocolVersion @3 :UInt32;
  }
  struct Subscribe {
    threadKey @0 :Text;
    lastSequence @1 :UInt64;
  }
}

struct ServerMessage {
  union {
    welcome @0 :Welcome;
    threadSnapshot @1 :Data;  # a ThreadSnapshot message, as kept and sent by the server
    events @2 :Events;
    rejected @3 :Rejected;
    error @4 :Error;
    pong @5 :UInt64;
  }

  struct Welcome {
    member @0 :MemberRecord;
    protocolVersion @1 :UInt32;
    policyJson @2 :Text;
  }
  struct Events {
    threadKey @0 :Text;
    fromSequence @1 :UInt64;
    events @2 :List(Event);
  }
  struct Rejected {
    opId @0 :Text;
    code @1 :ReasonCode;
    message @2 :Text;
  }
  struct Error {
    code @0 :Text;
    message @1 :Text;
  }
}
