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
  hiddenByModerator @5;
}

enum MemberState {
  active @0;
  silenced @1;   # may read, may not post (nor vote or flag, by policy)
  suspended @2;  # until MemberRecord.stateUntil
  banned @3;
}

enum FlagReason {
  spam @0;
  offensive @1;
  offTopic @2;
  other @3;
}

enum WatchAction {
  block @0;
  censor @1;
  requireApproval @2;
  flag @3;
}

enum ModerationAction {
  approve @0;        # a held post becomes visible; the spam filter learns "ham"
  reject @1;         # the post is removed; with asSpam the filter learns "spam" and the author pays
  hide @2;
  restore @3;
  lock @4;
  unlock @5;
  pin @6;
  unpin @7;
  feature @8;        # praise: the author gains reputation
  silence @9;
  suspend @10;       # until Moderate.until
  ban @11;
  unban @12;         # back to active from silenced, suspended or banned
  setRole @13;
  setTrustLevel @14; # TL4 is granted only this way
  upholdFlags @15;
  dismissFlags @16;
  editTitle @17;     # a thread's title (Moderate.title); undo restores the old one
  erase @18;         # the member's text and name, for good (docs/data-rights.md); admins only, no undo
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

# Why a member is told of a post (notifications.h); the most specific reason wins.
enum NotificationKind {
  reply @0;           # a reply to their post
  answer @1;          # an answer to their question
  answerAccepted @2;  # their answer was accepted
  followedThread @3;  # a new post in a thread they follow: one they started or posted in
  unansweredQuestion @4;  # staff and moderators: a question waited past the policy's unansweredAlertMinutes
  postQueued @5;          # moderators: a post waits in the review queue
  dailyDigest @6;         # staff and moderators: the community's day, at the policy's staffDigestHourUtc
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
  insufficientReputation @32;
  insufficientTrustLevel @33;
  memberBanned @34;
  memberSuspended @35;
  memberSilenced @36;
  blockedWord @37;
  duplicateText @38;
  alreadyFlagged @39;
  reasonRequired @40;
  invalidPolicy @41;
  alreadyUndone @42;
  unknownMember @43;
  tooManyLinks @44;        # held: a new member's post over the link limit
  tooManyMentions @45;
  tooManyImages @46;
  watchedWordHeld @47;     # held: a watched word that requires approval
  spamSuspected @48;       # held: the spam score reached the threshold
  preModerated @49;        # held: the site reviews posts from members below a trust level
  notPending @50;
  nothingToUndo @51;
  invalidAction @52;
  screenedByServer @53;    # a replica's prediction: the server screens the text (watched words,
                           # duplicates, spam score) with settings only moderators hold
  duplicateActionId @54;   # a moderator action or policy update whose op id is already in the audit log
  tooManyEdits @55;        # the post was edited as often as the policy allows
  threadCreationRestricted @56;  # new threads: the host's approval, staff, or threadCreateMinTrustLevel
  titleNeedsReview @57;    # a title with a watched word that requires approval (threads are not held)
  badThreadTicket @58;     # the server could not verify a CreateThread's ticket for this key, kind and title
  signInRequired @59;      # a guest's vote or flag: guests are free to mint, so they speak but do not weigh in
  storeUnavailable @60;    # the server's store refuses writes for now (database away, disk full): nothing was
                           # stored; send the op again later with the same id
  superseded @61;          # an undo whose fields a later action (not undone) changed: undo that one first
  importedHeld @62;        # held: it waited for approval in the system it was imported from
}

# Why the server closes a connection. ServerMessage.Error.code carries the value's snake_case name
# as Text ("bad_token"), so the wire and what clients match on are these names; the numbers never
# travel. Append only: a client may match on any name.
enum ProtocolError {
  flood @0;                 # messages faster than the server's per-connection limit
  textFrame @1;             # a text frame: the protocol is binary Cap'n Proto
  frameTooLarge @2;
  malformedFrame @3;        # not a ClientMessage
  helloFirst @4;            # anything but Hello before Hello
  helloTwice @5;
  helloTimeout @6;          # no Hello within the server's timeout
  unsupportedProtocol @7;   # Hello's protocolVersion is not the server's
  unknownSite @8;
  originNotAllowed @9;      # the page's origin is not on the site's allow-list
  guestsNotAllowed @10;     # no token, and the site takes no guests
  tooManyGuests @11;        # new guest identities from this address come too fast
  badGuestCredential @12;   # forged, expired or another site's: connect again as a new guest
  badToken @13;             # the token does not verify, or a refresh cannot be one (a guest's, another member's)
  tokenExpired @14;         # the token ran out and no fresh one came
  badThreadKey @15;
  tooManySubscriptions @16;
  serverError @17;          # the server could not do its part (issue a guest identity); try again
  internalError @18;        # handling the message failed; reconnect and try again
  shuttingDown @19;         # the server is restarting; reconnect shortly
  badPageRequest @20;       # a LoadPage for a thread not subscribed paged, or naming no post of that list
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
    flag @11 :Flag;
    moderate @12 :Moderate;
    undo @13 :Undo;
    updatePolicy @14 :Policy;
    reading @15 :Reading;
    checkAlerts @16 :CheckAlerts;
    importPost @17 :ImportPost;
    claimImported @18 :ClaimImported;
    follow @19 :Follow;
  }

  struct CreateThread {
    key @0 :Text;
    kind @1 :ThreadKind;
    title @2 :Text;
    ticket @3 :Text;        # the host's signed approval of this key, kind and title (docs/protocol.md)
    hostApproved @4 :Bool;  # set by the server once the ticket verified; a client's value is cleared
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
  struct Flag {
    postId @0 :Text;
    reason @1 :FlagReason;
  }
  struct Moderate {
    action @0 :ModerationAction;
    postId @1 :Text;      # approve, reject, hide, restore, feature, upholdFlags, dismissFlags
    threadKey @2 :Text;   # lock, unlock, pin, unpin
    memberId @3 :Text;    # silence, suspend, ban, unban, setRole, setTrustLevel
    reason @4 :Text;      # required; kept in the audit log
    until @5 :Int64;      # suspend
    role @6 :Role;        # setRole
    trustLevel @7 :UInt8; # setTrustLevel
    asSpam @8 :Bool;      # reject
    title @9 :Text;       # editTitle
  }
  struct Undo {
    moderationId @0 :Text;  # the op id of the moderator action to undo
    reason @1 :Text;
  }
  # The server's own, on a schedule (the core has no clock): questions whose wait passed the
  # policy's unansweredAlertMinutes by the op's time are alerted, once each; past the policy's
  # staffDigestHourUtc, once a UTC day, the staff's daily digest is called for.
  struct CheckAlerts {
  }
  # The server's own (kring-server import, docs/import.md): a post from another system's export with
  # its original time and author, creating the thread and the imported member when missing. Never
  # screened, scored or trained on: the source's moderators decided its state. The op's id is the
  # post's, made from the source's id, so importing the same file twice adds nothing.
  struct ImportPost {
    threadKey @0 :Text;
    threadKind @1 :ThreadKind;  # these three apply when the op creates the thread
    threadTitle @2 :Text;
    threadLocked @3 :Bool;      # the source took no more comments on the page
    parentId @4 :Text;          # an imported post of the thread; empty for a top-level post
    authorId @5 :Text;          # an imported member's id (prefix "imported:"), never a host's
    authorName @6 :Text;
    body @7 :Text;              # Markdown; may be empty only for a removed post
    createdAt @8 :Int64;        # the original time (ms), not after the op's
    state @9 :PostState;        # visible, pendingReview, spam or removed
  }
  # The server's own: a member signed in with a verified e-mail from which an imported author's id
  # was made (docs/import.md) takes that author's posts and threads as theirs, once.
  struct ClaimImported {
    importedId @0 :Text;
    memberId @1 :Text;      # the token's member
    displayName @2 :Text;   # the member's name and role, should the claim be their first op
    role @3 :Role;
  }
  # A member follows a thread (a new post in it tells them) or stops following it. Posting follows
  # a thread too, unless the member chose here before (docs/notifications.md).
  struct Follow {
    threadKey @0 :Text;
    following @1 :Bool;
  }
  struct Reading {        # batched by the widget
    threadKeys @0 :List(Text);   # threads entered
    postsSeen @1 :UInt32;
    secondsReading @2 :UInt32;
    readThreadKeys @3 :List(Text);  # threads entered in an earlier batch whose posts were seen since
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
    postChanged @12 :PostRecord;        # state, featured or flag score changed
    threadChanged @13 :ThreadRecord;
    policyChanged @14 :Policy;
    moderationRecorded @15 :AuditRecord;
    postFlagged @16 :PostFlagged;
    questionUnanswered @17 :PostRef;   # checkAlerts: no visible answer in time; never sent to clients
    followChanged @18 :FollowChange;   # sent to the member alone
  }

  struct PostEdited {
    postId @0 :Text;
    body @1 :Text;
    editorId @2 :Text;
    authorId @3 :Text;        # the post's author and state after the edit: who may read the
    postState @4 :PostState;  # new text follows from the event alone (docs/protocol.md)
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
  struct FollowChange {
    threadKey @0 :Text;
    memberId @1 :Text;
    following @2 :Bool;
  }
  struct PostFlagged {
    postId @0 :Text;
    memberId @1 :Text;
    reason @2 :FlagReason;
    flagScore @3 :Int32;
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
  reputation @5 :Int32;
  trustLevel @6 :UInt8;
  state @7 :MemberState;
  stateUntil @8 :Int64;          # suspended until (ms)
  roleAssigned @9 :Bool;         # role set by an admin; the token's role no longer applies
  trustLevelGranted @10 :Bool;   # set by a moderator; automatic promotion and demotion stop
  standing @11 :MemberStanding;  # the counters the rules need; only in site snapshots
}

struct MemberStanding {
  daysVisited @0 :UInt32;
  lastVisitDay @1 :Int32;        # UTC day number of the member's last op; -1 never
  threadsEntered @2 :UInt32;
  postsRead @3 :UInt32;
  secondsReading @4 :UInt64;
  likesGiven @5 :UInt32;
  likesReceived @6 :UInt32;
  flagsRaised @7 :UInt32;
  flagsUpheld @8 :UInt32;
  reputationDay @9 :Int32;       # the UTC day reputationGainedToday counts
  reputationGainedToday @10 :Int32;
  trust3Since @11 :Int32;        # day TL3 was reached; -1 when not TL3
  lastSanctionAt @12 :Int64;     # last silence or suspension (ms); 0 never
  recentPostTimes @13 :List(Int64);
  repliedThreads @14 :List(RepliedThread);
  days @15 :List(DayActivity);   # days with activity, oldest first, within the TL3 window
}

struct RepliedThread {
  threadKey @0 :Text;
  lastDay @1 :Int32;
}

struct DayActivity {
  day @0 :Int32;
  threadsEntered @1 :UInt32;
  postsRead @2 :UInt32;
  likesGiven @3 :UInt32;
  likesReceived @4 :UInt32;
  flagsUpheldAgainst @5 :UInt32;
  reputationGained @6 :Int32;
  posts @7 :UInt32;
  visited @8 :Bool;
  edits @9 :UInt32;
  secondsReading @10 :UInt32;
  threadsRead @11 :List(ThreadRead);  # the day's reading per thread; kept for the latest day only
}

struct ThreadRead {
  threadKey @0 :Text;
  postsCredited @1 :UInt32;
}

struct ThreadRecord {
  key @0 :Text;
  kind @1 :ThreadKind;
  title @2 :Text;
  authorId @3 :Text;
  createdAt @4 :Int64;
  state @5 :ThreadState;
  follows @6 :List(FollowRecord);  # site snapshots and checkpoints; a viewer's copy: their own alone
}

# A member's choice to follow a thread or not: by posting in it, or by the follow op.
struct FollowRecord {
  memberId @0 :Text;
  following @1 :Bool;
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
  featured @13 :Bool;
  flagScore @14 :Int32;
  heldReason @15 :ReasonCode;    # why the pipeline held it (pendingReview)
  authorRole @16 :Role;          # the author's role when posting: staff answers count apart
  ledger @17 :PostLedger;        # only in site snapshots
  erased @18 :Bool;              # its text was erased with its author's data: body and edits are empty
  imported @19 :Bool;            # from another system's export (Op.ImportPost): metrics say so
}

# What the rules did because of a post, so that removal, restore and undo can reverse it exactly.
struct PostLedger {
  acceptorId @0 :Text;
  acceptAuthorDelta @1 :Int32;
  acceptAcceptorDelta @2 :Int32;
  praiseDelta @3 :Int32;
  removalPenalty @4 :Int32;
  reputationRevoked @5 :Bool;    # vote and accept reputation taken back while removed
  spamTrained @6 :Int8;          # 1 learned as spam, -1 as ham, 0 not learned
  everVisible @7 :Bool;
  fingerprint @8 :UInt64;
  flags @9 :List(FlagRecord);
  heldAt @10 :Int64;             # when the pipeline or flags last took it out of view
  spamTrainedText @11 :Text;     # the text spamTrained learnt from, once an edit replaced it; empty: the body
  hamPending @12 :Bool;          # learnt as ham by the first checkAlerts after it stood spamHamAfterMinutes
}

struct FlagRecord {
  memberId @0 :Text;
  reason @1 :FlagReason;
  weight @2 :Int32;
  time @3 :Int64;
  resolution @4 :UInt8;          # 0 open, 1 upheld, 2 dismissed
}

struct EditRecord {
  editorId @0 :Text;
  time @1 :Int64;
  previousBody @2 :Text;
}

struct VoteRecord {
  memberId @0 :Text;
  direction @1 :VoteDirection;
  authorDelta @2 :Int32;   # reputation the post's author received (only in site snapshots)
  voterDelta @3 :Int32;    # reputation the voter paid
  day @4 :Int32;           # UTC day the vote was cast: a retraction takes its like from that day (site snapshots)
}

struct Policy {
  settings @0 :List(Setting);
  watchedWords @1 :List(WatchedWord);
  screeningWithheld @2 :Bool;   # a non-moderator's copy: the screening settings and watched words
                                # are left out, and the server decides those stages
  trustedLinkDomains @3 :List(Text);  # the site's own hosts: a link to one (or a subdomain) counts as
                                      # no link for spam points and new members' link limits

  struct Setting {
    name @0 :Text;
    value @1 :Int32;
  }
  struct WatchedWord {
    locale @0 :Text;
    word @1 :Text;
    action @2 :WatchAction;
  }
}

# One moderator action and what undoing it restores.
struct AuditRecord {
  id @0 :Text;                   # the op id of the action
  actorId @1 :Text;
  action @2 :ModerationAction;
  reason @3 :Text;
  time @4 :Int64;
  sequence @5 :UInt64;
  postId @6 :Text;
  threadKey @7 :Text;
  memberId @8 :Text;
  undone @9 :Bool;
  undoneBy @10 :Text;            # actor of the undo
  undoReason @11 :Text;
  undoTime @12 :Int64;
  before @13 :Before;
  isPolicyChange @14 :Bool;      # an UpdatePolicy op: audited, undone by another update

  struct Before {
    postState @0 :PostState;
    featured @1 :Bool;
    threadState @2 :ThreadState;
    memberState @3 :MemberState;
    stateUntil @4 :Int64;
    role @5 :Role;
    roleAssigned @6 :Bool;
    trustLevel @7 :UInt8;
    trustLevelGranted @8 :Bool;
    flagResolutions @9 :List(UInt8);   # each flag's resolution before upholdFlags/dismissFlags
    heldReason @10 :ReasonCode;
    spamTrained @11 :Int8;
    removalPenalty @12 :Int32;
    lastSanctionAt @13 :Int64;         # the member's standing that silence, suspension and trust
    trust3Since @14 :Int32 = -1;       # grants change, so that undo restores it
    title @15 :Text;                   # editTitle: the thread's title before
  }
}

struct TokenCount {
  token @0 :Text;
  spam @1 :UInt32;
  ham @2 :UInt32;
}

struct SiteDay {
  day @0 :Int32;
  threadsCreated @1 :UInt32;
  postsCreated @2 :UInt32;
}

struct ThreadSnapshot {
  formatVersion @0 :UInt32;
  lastSequence @1 :UInt64;
  thread @2 :ThreadRecord;
  posts @3 :List(PostRecord);     # in creation order (a paged replica's: as it got them, parents first)
  members @4 :List(MemberRecord); # everyone the posts name, by id; postCount and standing left out
  policy @5 :Policy;              # so a replica predicts with the site's rules
  page @6 :ThreadPage;            # set when the posts are some of the thread's (paged snapshots)
}

# A page of a thread: the first (it replaces a replica's copy of the thread) or one that continues a
# list the replica holds part of (it adds to it). thread_page.h chooses the posts.
struct ThreadPage {
  paged @0 :Bool;             # false: the snapshot holds the whole thread (the rest is unset)
  continues @1 :Bool;         # a LoadPage's answer: add the posts; else replace the thread
  order @2 :SortOrder;        # the order its lists were cut in
  unloadedVisible @3 :UInt32; # the first page: readable posts of the thread it does not hold
  lists @4 :List(ListMark);   # each list of which the page holds some posts, but not the last

  # A list is the replies of one post (parentId), or the thread's top-level posts (parentId empty).
  struct ListMark {
    parentId @0 :Text;
    afterId @1 :Text;         # the list's last post in the page: the next page starts after it
    unloaded @2 :UInt32;      # how many of the list's posts sort after it
  }
}

struct SiteSnapshot {
  formatVersion @0 :UInt32;
  siteId @1 :Text;
  lastSequence @2 :UInt64;
  members @3 :List(MemberRecord);
  threads @4 :List(ThreadRecord);
  posts @5 :List(PostRecord);
  policy @6 :Policy;
  audit @7 :List(AuditRecord);
  spamDecisions @8 :UInt32;
  hamDecisions @9 :UInt32;
  spamTokens @10 :List(TokenCount);
  days @11 :List(SiteDay);
  alertsCheckedAt @12 :Int64;  # the last checkAlerts op's time: questions older than it were checked
  digestSentAt @13 :Int64;     # the checkAlerts op that last called for the staff's daily digest
  followsRecorded @14 :Bool;   # the threads carry their follows; before them, authors followed
}

# A checkpoint stores a site in parts, so a store rewrites only what changed (checkpoint.h): this
# site part, the spam model when it changed, and one MemberRecord, ThreadRecord, PostRecord or
# AuditRecord message per changed entry, kept by its index.
struct SiteCheckpoint {
  formatVersion @0 :UInt32;
  siteId @1 :Text;
  lastSequence @2 :UInt64;
  policy @3 :Policy;
  days @4 :List(SiteDay);
  memberCount @5 :UInt32;  # how many parts of each kind the checkpoint holds
  threadCount @6 :UInt32;
  postCount @7 :UInt32;
  auditCount @8 :UInt32;
  alertsCheckedAt @9 :Int64;  # as SiteSnapshot's
  digestSentAt @10 :Int64;
  followsRecorded @11 :Bool;
}

struct SpamModelPart {
  spamDecisions @0 :UInt32;
  hamDecisions @1 :UInt32;
  spamTokens @2 :List(TokenCount);
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
    refreshToken @4 :Text;  # a fresh token for the same member; answered by a new Welcome
    render @5 :RenderRequest;  # protocol 2: Markdown to show as the server renders it (a preview)
    loadPage @6 :LoadPage;     # protocol 3: more posts of a paged thread
  }

  # The next page of one list of a thread the client subscribed to paged: answered by a ThreadSnapshot
  # whose page continues.
  struct LoadPage {
    threadKey @0 :Text;
    order @1 :SortOrder;
    parentId @2 :Text;  # whose replies; empty: the thread's top-level posts
    afterId @3 :Text;   # the ListMark's afterId the replica holds; empty: from the start
  }

  struct RenderRequest {
    requestId @0 :Text;  # comes back as the RenderedBody's postId
    markdown @1 :Text;
  }

  struct Hello {
    siteId @0 :Text;
    token @1 :Text;       # JWT signed by the host site; empty for a guest
    clientId @2 :Text;      # names the connection in logs only; never a member
    protocolVersion @3 :UInt32;
    guestCredential @4 :Text;  # a guest's credential from an earlier Welcome; empty for a new guest
  }
  struct Subscribe {
    threadKey @0 :Text;
    lastSequence @1 :UInt64;
    paged @2 :Bool;        # protocol 3: a snapshot is the thread's first page in `order`, not all of it
    order @3 :SortOrder;
  }
}

struct ServerMessage {
  union {
    welcome @0 :Welcome;
    threadSnapshot @1 :Data;  # retired: snapshots go out in parts (threadSnapshotPart); not reused
    events @2 :Events;
    rejected @3 :Rejected;
    error @4 :Error;
    pong @5 :UInt64;
    threadSnapshotPart @6 :SnapshotPart;
  }

  # A post body as the one Markdown renderer writes it (docs/markdown.md).
  struct RenderedBody {
    postId @0 :Text;     # or the RenderRequest's requestId
    editedAt @1 :Int64;  # the version of the text: the post's editedAt (0 when never edited)
    html @2 :Text;
  }

  # A ThreadSnapshot message's bytes, split so that no frame is large: its parts go out in order,
  # with nothing of the same thread between them; the last one completes it.
  struct SnapshotPart {
    threadKey @0 :Text;
    offset @1 :UInt64;      # where `bytes` starts in the whole
    totalBytes @2 :UInt64;  # the whole snapshot's size
    bytes @3 :Data;
  }

  struct Welcome {
    member @0 :MemberRecord;
    protocolVersion @1 :UInt32;
    policyJson @2 :Text;  # retired: always empty (it repeated `policy`); the number is not reused
    policy @3 :Policy;    # the member's projection of the site's policy
    guestCredential @4 :Text;  # for a guest: the signed credential to present on later Hellos
    tokenExpiresAt @5 :Int64;  # ms; the connection closes then unless refreshed (0: no token)
    readOnly @6 :Bool;         # a guest on a site that takes no guest posts: it reads, its ops are refused
    needsTicketToStart @7 :Bool;  # this member's first post of a new thread needs the host's ticket
    # The member's own mail preferences page (a signed link: it needs no sign-in); empty where the
    # server mails this member nothing (a guest, no address, no mail on the site).
    preferencesUrl @8 :Text;
  }
  struct Events {
    threadKey @0 :Text;
    fromSequence @1 :UInt64;
    events @2 :List(Event);
    acknowledges @3 :Text;  # the submitter's op whose commit shows them no event (a reading op)
    # The HTML of the post text these events carry. To a protocol 2 client, an Events message with no
    # events follows a snapshot with the HTML of its posts' text, and answers a RenderRequest (an
    # empty threadKey; the requestId as postId). Protocol 1 clients read past it.
    rendered @4 :List(RenderedBody);
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
