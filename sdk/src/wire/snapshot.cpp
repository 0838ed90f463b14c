#include "kring/snapshot.h"

#include <algorithm>
#include <iterator>

#include "state/engine_access.h"
#include "wire/site_records.h"
#include "wire/thread_snapshot.h"
#include "wire/wire.h"

namespace kring {

using namespace wire_convert;

namespace {

constexpr std::size_t kMaxSnapshotBytes = std::size_t{1} << 31;

template <typename Builder, typename Record>
void writeList(Builder list, const std::vector<Record>& records) {
  for (unsigned i = 0; i < records.size(); ++i) write(list[i], records[i]);
}

template <typename Reader, typename Record>
bool readList(Reader list, std::vector<Record>& records) {
  records.resize(list.size());
  for (unsigned i = 0; i < list.size(); ++i) {
    if (!read(list[i], records[i])) return false;
  }
  return true;
}

Error badVersion(std::uint32_t version) {
  return Error{ReasonCode::unsupportedVersion, "The snapshot is format " + std::to_string(version) +
                                                   "; this build reads format " +
                                                   std::to_string(wire::SNAPSHOT_FORMAT_VERSION) + "."};
}

Error badEnum() { return Error{ReasonCode::malformedSnapshot, "The snapshot has a value its schema does not define."}; }

// A post as a thread snapshot carries it to the viewer: votes by member id (not by the member's
// index, which differs between a server and its replicas).
PostRecord threadPostRecord(const SiteState& state, std::uint32_t post, const Viewer& viewer) {
  PostRecord record = projectPost(state.postRecord(post, SiteState::Detail::thread), viewer);
  std::sort(record.votes.begin(), record.votes.end(),
            [](const VoteRecord& a, const VoteRecord& b) { return a.memberId < b.memberId; });
  return record;
}

// Members the projected records name, ordered by id: a replica learns of members in another order
// than the server, and its projection must still be byte-identical to the server's.
std::vector<std::string> membersNamedBy(const ThreadRecord& thread, const std::vector<PostRecord>& posts) {
  std::vector<std::string> named{thread.authorId};
  for (const FollowRecord& follow : thread.follows) named.push_back(follow.memberId);
  for (const PostRecord& post : posts) {
    named.push_back(post.authorId);
    for (const EditRecord& edit : post.edits) named.push_back(edit.editorId);
    for (const VoteRecord& vote : post.votes) named.push_back(vote.memberId);
  }
  std::sort(named.begin(), named.end());
  named.erase(std::unique(named.begin(), named.end()), named.end());
  return named;
}

// A member as a thread snapshot carries it: without site-wide counters, which a replica cannot
// follow from one thread's events (posts in other threads never reach it).
MemberRecord threadMemberRecord(const SiteState& state, std::uint32_t member, const Viewer& viewer) {
  MemberRecord record = projectMember(state.memberRecord(member), viewer);
  record.postCount = 0;
  return record;
}

}  // namespace

Bytes encodeSiteSnapshot(const Engine& engine) {
  SiteRecords records = collectRecords(EngineAccess::state(engine));
  capnp::MallocMessageBuilder message;
  auto out = message.initRoot<wire::SiteSnapshot>();
  out.setFormatVersion(wire::SNAPSHOT_FORMAT_VERSION);
  out.setSiteId(text(records.siteId));
  out.setLastSequence(records.lastSequence);
  writeList(out.initMembers(static_cast<unsigned>(records.members.size())), records.members);
  writeList(out.initThreads(static_cast<unsigned>(records.threads.size())), records.threads);
  writeList(out.initPosts(static_cast<unsigned>(records.posts.size())), records.posts);
  write(out.initPolicy(), records.policy);
  writeList(out.initAudit(static_cast<unsigned>(records.audit.size())), records.audit);
  out.setSpamDecisions(records.spamDecisions);
  out.setHamDecisions(records.hamDecisions);
  auto tokens = out.initSpamTokens(static_cast<unsigned>(records.spamTokens.size()));
  for (unsigned i = 0; i < tokens.size(); ++i) {
    tokens[i].setToken(text(records.spamTokens[i].token));
    tokens[i].setSpam(records.spamTokens[i].spam);
    tokens[i].setHam(records.spamTokens[i].ham);
  }
  auto days = out.initDays(static_cast<unsigned>(records.days.size()));
  for (unsigned i = 0; i < days.size(); ++i) {
    days[i].setDay(records.days[i].day);
    days[i].setThreadsCreated(records.days[i].threadsCreated);
    days[i].setPostsCreated(records.days[i].postsCreated);
  }
  out.setAlertsCheckedAt(records.alertsCheckedAt);
  out.setDigestSentAt(records.digestSentAt);
  out.setFollowsRecorded(records.followsRecorded);
  return toBytes(message);
}

Result<Engine> restoreSiteSnapshot(ByteView bytes, Limits limits) {
  Result<SiteRecords> records = readMessage(
      bytes, ReasonCode::malformedSnapshot, kMaxSnapshotBytes, [](capnp::MessageReader& reader) -> Result<SiteRecords> {
        auto in = reader.getRoot<wire::SiteSnapshot>();
        if (in.getFormatVersion() != wire::SNAPSHOT_FORMAT_VERSION) return badVersion(in.getFormatVersion());
        SiteRecords out;
        out.siteId = string(in.getSiteId());
        out.lastSequence = in.getLastSequence();
        if (!readList(in.getMembers(), out.members) || !readList(in.getThreads(), out.threads) ||
            !readList(in.getPosts(), out.posts) || !read(in.getPolicy(), out.policy) ||
            !readList(in.getAudit(), out.audit)) {
          return badEnum();
        }
        out.spamDecisions = in.getSpamDecisions();
        out.hamDecisions = in.getHamDecisions();
        for (auto token : in.getSpamTokens()) {
          out.spamTokens.push_back(TokenCountRecord{string(token.getToken()), token.getSpam(), token.getHam()});
        }
        for (auto day : in.getDays()) {
          out.days.push_back(SiteDay{day.getDay(), day.getThreadsCreated(), day.getPostsCreated()});
        }
        out.alertsCheckedAt = in.getAlertsCheckedAt();
        out.digestSentAt = in.getDigestSentAt();
        out.followsRecorded = in.getFollowsRecorded();
        return out;
      });
  if (!records) return records.error();
  auto state = buildState(records.value(), limits);
  if (!state) return state.error();
  return EngineAccess::make(std::move(state.value()));
}

EncodedPage encodeThreadPosts(const SiteState& state, std::uint32_t thread, const std::vector<std::uint32_t>& posts,
                              const Viewer& viewer, const PageFacts* page) {
  ThreadRecord threadRecord = state.threadRecord(thread);
  // The viewer's own choice: who else follows is nobody else's business.
  if (std::uint32_t member = viewer.memberId.empty() ? kNone : state.findMember(viewer.memberId); member != kNone) {
    if (const FollowEntry* follow = state.findFollow(thread, member))
      threadRecord.follows.push_back(FollowRecord{viewer.memberId, follow->following});
  }
  EncodedPage encoded;
  encoded.posts.reserve(posts.size());
  for (std::uint32_t post : posts) encoded.posts.push_back(threadPostRecord(state, post, viewer));
  std::vector<std::string> named = membersNamedBy(threadRecord, encoded.posts);
  capnp::MallocMessageBuilder message;
  auto out = message.initRoot<wire::ThreadSnapshot>();
  out.setFormatVersion(wire::SNAPSHOT_FORMAT_VERSION);
  out.setLastSequence(state.lastSequence);
  write(out.initThread(), threadRecord);
  auto postList = out.initPosts(static_cast<unsigned>(encoded.posts.size()));
  for (unsigned i = 0; i < postList.size(); ++i) write(postList[i], encoded.posts[i]);
  auto members = out.initMembers(static_cast<unsigned>(named.size()));
  for (unsigned i = 0; i < members.size(); ++i) {
    write(members[i], threadMemberRecord(state, state.findMember(named[i]), viewer));
  }
  write(out.initPolicy(), projectPolicy(state.policy, viewer));
  if (page != nullptr) {
    auto facts = out.initPage();
    facts.setPaged(true);
    facts.setContinues(page->continues);
    facts.setOrder(writeEnum<wire::SortOrder>(page->order));
    facts.setUnloadedVisible(page->unloadedVisible);
    auto lists = facts.initLists(static_cast<unsigned>(page->lists.size()));
    for (unsigned i = 0; i < lists.size(); ++i) {
      lists[i].setParentId(text(page->lists[i].parentId));
      lists[i].setAfterId(text(page->lists[i].afterId));
      lists[i].setUnloaded(page->lists[i].unloaded);
    }
  }
  encoded.bytes = toBytes(message);
  return encoded;
}

Result<Bytes> encodeThreadSnapshot(const Engine& engine, std::string_view threadKey, const Viewer& viewer) {
  Result<EncodedPage> encoded = encodeThreadSnapshotWithPosts(engine, threadKey, viewer);
  if (!encoded) return encoded.error();
  return std::move(encoded.value().bytes);
}

Result<EncodedPage> encodeThreadSnapshotWithPosts(const Engine& engine, std::string_view threadKey,
                                                  const Viewer& viewer) {
  const SiteState& state = EngineAccess::state(engine);
  std::uint32_t index = state.findThread(std::string(threadKey));
  if (index == kNone) return Error{ReasonCode::unknownThread, "There is no thread with this key."};
  // A replica that holds part of the thread says so, and what it lacks: a copy loaded from it (the
  // widget predicts on one) pages on from where the replica stands.
  const ThreadPaging& paging = state.threads[index].paging;
  PageFacts facts{false, paging.order, paging.unloadedVisible, {}};
  auto idOf = [&](std::uint32_t post) { return post == kNone ? std::string() : state.posts[post].id; };
  if (paging.unloadedRoots > 0) facts.lists.push_back(ListMark{{}, idOf(paging.rootsAfter), paging.unloadedRoots});
  for (std::uint32_t post : state.threads[index].posts) {
    const PostEntry& entry = state.posts[post];
    if (entry.unloadedReplies > 0)
      facts.lists.push_back(ListMark{entry.id, idOf(entry.repliesAfter), entry.unloadedReplies});
  }
  return encodeThreadPosts(state, index, state.threads[index].posts, viewer, paging.paged ? &facts : nullptr);
}

std::vector<PostRecord> threadPostRecords(const Engine& engine, std::string_view threadKey, const Viewer& viewer) {
  const SiteState& state = EngineAccess::state(engine);
  std::uint32_t index = state.findThread(std::string(threadKey));
  std::vector<PostRecord> posts;
  if (index == kNone) return posts;
  posts.reserve(state.threads[index].posts.size());
  for (std::uint32_t post : state.threads[index].posts) posts.push_back(threadPostRecord(state, post, viewer));
  return posts;
}

std::vector<std::string> threadSubjects(const Engine& engine, std::string_view threadKey) {
  const SiteState& state = EngineAccess::state(engine);
  std::uint32_t index = state.findThread(std::string(threadKey));
  if (index == kNone) return {};
  const ThreadEntry& thread = state.threads[index];
  // Editors are left out: only moderators see edits, and their projection does not depend on who they are.
  std::vector<std::string> subjects{state.memberId(thread.author)};
  for (std::uint32_t post : thread.posts) {
    const PostEntry& entry = state.posts[post];
    subjects.push_back(state.memberId(entry.author));
    for (const VoteEntry& vote : entry.votes) subjects.push_back(state.memberId(vote.member));
  }
  for (const FollowEntry& follow : thread.follows) subjects.push_back(state.memberId(follow.member));
  std::sort(subjects.begin(), subjects.end());
  subjects.erase(std::unique(subjects.begin(), subjects.end()), subjects.end());
  return subjects;
}

namespace {

struct ThreadRecords {
  Sequence lastSequence = 0;
  ThreadRecord thread;
  std::vector<PostRecord> posts;
  std::vector<MemberRecord> members;
  Policy policy;
  bool paged = false;
  PageFacts page;
};

Result<ThreadRecords> readThreadSnapshot(ByteView bytes) {
  return readMessage(
      bytes, ReasonCode::malformedSnapshot, kMaxSnapshotBytes,
      [](capnp::MessageReader& reader) -> Result<ThreadRecords> {
        auto in = reader.getRoot<wire::ThreadSnapshot>();
        if (in.getFormatVersion() != wire::SNAPSHOT_FORMAT_VERSION) return badVersion(in.getFormatVersion());
        ThreadRecords out;
        out.lastSequence = in.getLastSequence();
        if (!read(in.getThread(), out.thread) || !readList(in.getPosts(), out.posts) ||
            !readList(in.getMembers(), out.members) || !read(in.getPolicy(), out.policy)) {
          return badEnum();
        }
        auto page = in.getPage();
        out.paged = page.getPaged();
        if (!out.paged) return out;
        out.page.continues = page.getContinues();
        if (!readEnum(page.getOrder(), out.page.order)) return badEnum();
        out.page.unloadedVisible = page.getUnloadedVisible();
        for (auto list : page.getLists()) {
          out.page.lists.push_back(ListMark{string(list.getParentId()), string(list.getAfterId()), list.getUnloaded()});
        }
        return out;
      });
}

bool countsAsVisible(const PostRecord& post) { return post.state == PostState::visible && !post.erased; }

}  // namespace

Status loadThreadSnapshot(Engine& engine, ByteView bytes) {
  Result<ThreadRecords> loaded = readThreadSnapshot(bytes);
  if (!loaded) return loaded.error();
  ThreadRecords& incoming = loaded.value();
  const std::string key = incoming.thread.key;  // a copy: the record moves into `records` below
  for (const PostRecord& post : incoming.posts) {
    if (post.threadKey != key)
      return Error{ReasonCode::malformedSnapshot, "The snapshot has a post of another thread."};
  }
  const SiteState& current = EngineAccess::state(engine);
  const bool continues = incoming.paged && incoming.page.continues;
  const std::uint32_t held = current.findThread(key);
  if (continues && (held == kNone || !current.threads[held].paging.paged)) {
    return Error{ReasonCode::malformedSnapshot,
                 "A page continues thread " + key + ", which the replica holds whole or not at all."};
  }
  // Rebuild the replica from records with this thread replaced (or added to): simple, and replicas
  // are small. Records carry no per-thread sequence or paging: the threads kept take theirs below.
  SiteRecords records = collectRecords(current);
  records.lastSequence = std::max(records.lastSequence, incoming.lastSequence);
  records.policy = std::move(incoming.policy);
  for (MemberRecord& member : incoming.members) {
    auto same = [&](const MemberRecord& known) { return known.id == member.id; };
    auto existing = std::find_if(records.members.begin(), records.members.end(), same);
    if (existing == records.members.end()) {
      records.members.push_back(std::move(member));
    } else {
      // Thread snapshots carry no counters: keep what the replica knows.
      member.postCount = existing->postCount;
      member.standing = std::move(existing->standing);
      *existing = std::move(member);
    }
  }
  ThreadPaging paging;
  Sequence loadedSequence = incoming.lastSequence;
  if (continues) {
    // The replica's copies of posts it holds are as new as the page's: every event up to the page
    // reached it first. The new posts go after the ones it holds (each after its parent), so a paged
    // replica lists its posts in the order it got them, not quite in creation order.
    paging = current.threads[held].paging;
    loadedSequence = std::max(loadedSequence, current.threads[held].lastSequence);
    for (PostRecord& post : incoming.posts) {
      if (current.findPost(post.id) != kNone) continue;
      if (countsAsVisible(post)) paging.unloadedVisible -= std::min(paging.unloadedVisible, std::uint32_t{1});
      records.posts.push_back(std::move(post));
    }
  } else {
    if (incoming.paged) {
      paging.paged = true;
      paging.order = incoming.page.order;
      paging.unloadedVisible = incoming.page.unloadedVisible;
    }
#ifndef KRING_WIDGET_CORE  // a widget's replica serves one member (its size budget)
    // A snapshot names its viewer's follow alone: one the replica holds of another member (it served
    // another viewer before) stays, in the members' order as every thread's follows are.
    if (auto old = std::find_if(records.threads.begin(), records.threads.end(),
                                [&](const ThreadRecord& thread) { return thread.key == key; });
        old != records.threads.end()) {
      std::vector<FollowRecord>& follows = incoming.thread.follows;
      for (FollowRecord& follow : old->follows) {
        if (std::none_of(follows.begin(), follows.end(),
                         [&](const FollowRecord& named) { return named.memberId == follow.memberId; }))
          follows.push_back(std::move(follow));
      }
      auto position = [&](const FollowRecord& follow) {
        return std::find_if(records.members.begin(), records.members.end(),
                            [&](const MemberRecord& member) { return member.id == follow.memberId; }) -
               records.members.begin();
      };
      std::sort(follows.begin(), follows.end(),
                [&](const FollowRecord& a, const FollowRecord& b) { return position(a) < position(b); });
    }
#endif
    std::erase_if(records.threads, [&](const ThreadRecord& thread) { return thread.key == key; });
    std::erase_if(records.posts, [&](const PostRecord& post) { return post.threadKey == key; });
    records.threads.push_back(std::move(incoming.thread));
    records.posts.insert(records.posts.end(), std::make_move_iterator(incoming.posts.begin()),
                         std::make_move_iterator(incoming.posts.end()));
  }
  auto state = buildState(records, engine.limits(), Votes::projected);
  if (!state) return state.error();
  SiteState& built = *state.value();
  // What the replica lacked of the threads (and posts) it keeps, moved over by id.
  const SiteState& old = EngineAccess::state(engine);
  auto moved = [&](std::uint32_t post) { return post == kNone ? kNone : built.findPost(old.posts[post].id); };
  for (const ThreadEntry& thread : old.threads) {
    if (std::uint32_t same = built.findThread(thread.key); same != kNone) {
      built.threads[same].lastSequence = thread.lastSequence;
      built.threads[same].paging = thread.paging;
      built.threads[same].paging.rootsAfter = moved(thread.paging.rootsAfter);
    }
  }
  for (const PostEntry& post : old.posts) {
    if (post.unloadedReplies == 0 || (!continues && old.threads[post.thread].key == key)) continue;
    if (std::uint32_t same = built.findPost(post.id); same != kNone) {
      built.posts[same].unloadedReplies = post.unloadedReplies;
      built.posts[same].repliesAfter = moved(post.repliesAfter);
    }
  }
  const std::uint32_t loadedThread = built.findThread(key);
  ThreadEntry& thread = built.threads[loadedThread];
  thread.lastSequence = loadedSequence;
  if (continues) paging.rootsAfter = thread.paging.rootsAfter;
  thread.paging = paging;
  if (incoming.paged) {
    for (const ListMark& mark : incoming.page.lists) built.markList(loadedThread, mark);
  }
  engine = EngineAccess::make(std::move(state.value()));
  return okStatus();
}

}  // namespace kring
