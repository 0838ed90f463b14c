// Conversions of the community rules' records: member standing, post ledgers, policies and the
// audit log.
#include <algorithm>

#include "wire/wire.h"

namespace kring::wire_convert {

void writeStanding(wire::MemberRecord::Builder record, const MemberStanding& in) {
  if (in == MemberStanding{}) return;
  auto out = record.initStanding();
  out.setDaysVisited(in.daysVisited);
  out.setLastVisitDay(in.lastVisitDay);
  out.setThreadsEntered(in.threadsEntered);
  out.setPostsRead(in.postsRead);
  out.setSecondsReading(in.secondsReading);
  out.setLikesGiven(in.likesGiven);
  out.setLikesReceived(in.likesReceived);
  out.setFlagsRaised(in.flagsRaised);
  out.setFlagsUpheld(in.flagsUpheld);
  out.setReputationDay(in.reputationDay);
  out.setReputationGainedToday(in.reputationGainedToday);
  out.setTrust3Since(in.trust3Since);
  out.setLastSanctionAt(in.lastSanctionAt);
  auto times = out.initRecentPostTimes(static_cast<unsigned>(in.recentPostTimes.size()));
  for (unsigned i = 0; i < times.size(); ++i) times.set(i, in.recentPostTimes[i]);
  auto replied = out.initRepliedThreads(static_cast<unsigned>(in.repliedThreads.size()));
  for (unsigned i = 0; i < replied.size(); ++i) {
    replied[i].setThreadKey(text(in.repliedThreads[i].threadKey));
    replied[i].setLastDay(in.repliedThreads[i].lastDay);
  }
  auto days = out.initDays(static_cast<unsigned>(in.days.size()));
  for (unsigned i = 0; i < days.size(); ++i) {
    const DayActivity& day = in.days[i];
    days[i].setDay(day.day);
    days[i].setThreadsEntered(day.threadsEntered);
    days[i].setPostsRead(day.postsRead);
    days[i].setLikesGiven(day.likesGiven);
    days[i].setLikesReceived(day.likesReceived);
    days[i].setFlagsUpheldAgainst(day.flagsUpheldAgainst);
    days[i].setReputationGained(day.reputationGained);
    days[i].setPosts(day.posts);
    days[i].setVisited(day.visited);
    days[i].setEdits(day.edits);
    days[i].setSecondsReading(day.secondsReading);
    auto read = days[i].initThreadsRead(static_cast<unsigned>(day.threadsRead.size()));
    for (unsigned j = 0; j < read.size(); ++j) {
      read[j].setThreadKey(text(day.threadsRead[j].threadKey));
      read[j].setPostsCredited(day.threadsRead[j].postsCredited);
    }
  }
}

void readStanding(wire::MemberRecord::Reader record, MemberStanding& out) {
  out = MemberStanding{};
  if (!record.hasStanding()) return;
  auto in = record.getStanding();
  out.daysVisited = in.getDaysVisited();
  out.lastVisitDay = in.getLastVisitDay();
  out.threadsEntered = in.getThreadsEntered();
  out.postsRead = in.getPostsRead();
  out.secondsReading = in.getSecondsReading();
  out.likesGiven = in.getLikesGiven();
  out.likesReceived = in.getLikesReceived();
  out.flagsRaised = in.getFlagsRaised();
  out.flagsUpheld = in.getFlagsUpheld();
  out.reputationDay = in.getReputationDay();
  out.reputationGainedToday = in.getReputationGainedToday();
  out.trust3Since = in.getTrust3Since();
  out.lastSanctionAt = in.getLastSanctionAt();
  for (auto time : in.getRecentPostTimes()) out.recentPostTimes.push_back(time);
  for (auto replied : in.getRepliedThreads()) {
    out.repliedThreads.push_back(RepliedThread{string(replied.getThreadKey()), replied.getLastDay()});
  }
  for (auto day : in.getDays()) {
    out.days.push_back(DayActivity{day.getDay(),
                                   day.getThreadsEntered(),
                                   day.getPostsRead(),
                                   day.getLikesGiven(),
                                   day.getLikesReceived(),
                                   day.getFlagsUpheldAgainst(),
                                   day.getReputationGained(),
                                   day.getPosts(),
                                   day.getVisited(),
                                   day.getEdits(),
                                   day.getSecondsReading(),
                                   {}});
    for (auto read : day.getThreadsRead()) {
      out.days.back().threadsRead.push_back(ThreadRead{string(read.getThreadKey()), read.getPostsCredited()});
    }
  }
}

void writeLedger(wire::PostRecord::Builder record, const PostLedger& in) {
  if (in == PostLedger{}) return;
  auto out = record.initLedger();
  out.setAcceptorId(text(in.acceptorId));
  out.setAcceptAuthorDelta(in.acceptAuthorDelta);
  out.setAcceptAcceptorDelta(in.acceptAcceptorDelta);
  out.setPraiseDelta(in.praiseDelta);
  out.setRemovalPenalty(in.removalPenalty);
  out.setReputationRevoked(in.reputationRevoked);
  out.setSpamTrained(in.spamTrained);
  out.setEverVisible(in.everVisible);
  out.setFingerprint(in.fingerprint);
  out.setHeldAt(in.heldAt);
  out.setSpamTrainedText(text(in.spamTrainedText));
  out.setHamPending(in.hamPending);
  auto flags = out.initFlags(static_cast<unsigned>(in.flags.size()));
  for (unsigned i = 0; i < flags.size(); ++i) {
    const FlagRecord& flag = in.flags[i];
    flags[i].setMemberId(text(flag.memberId));
    flags[i].setReason(writeEnum<wire::FlagReason>(flag.reason));
    flags[i].setWeight(flag.weight);
    flags[i].setTime(flag.time);
    flags[i].setResolution(static_cast<std::uint8_t>(flag.resolution));
  }
}

bool readLedger(wire::PostRecord::Reader record, PostLedger& out) {
  out = PostLedger{};
  if (!record.hasLedger()) return true;
  auto in = record.getLedger();
  out.acceptorId = string(in.getAcceptorId());
  out.acceptAuthorDelta = in.getAcceptAuthorDelta();
  out.acceptAcceptorDelta = in.getAcceptAcceptorDelta();
  out.praiseDelta = in.getPraiseDelta();
  out.removalPenalty = in.getRemovalPenalty();
  out.reputationRevoked = in.getReputationRevoked();
  out.spamTrained = in.getSpamTrained();
  out.everVisible = in.getEverVisible();
  out.fingerprint = in.getFingerprint();
  out.heldAt = in.getHeldAt();
  out.spamTrainedText = string(in.getSpamTrainedText());
  out.hamPending = in.getHamPending();
  for (auto flag : in.getFlags()) {
    FlagRecord entry{string(flag.getMemberId()), FlagReason::spam, flag.getWeight(), flag.getTime(),
                     FlagResolution::open};
    if (!readEnum(flag.getReason(), entry.reason)) return false;
    if (flag.getResolution() > static_cast<std::uint8_t>(FlagResolution::dismissed)) return false;
    entry.resolution = static_cast<FlagResolution>(flag.getResolution());
    out.flags.push_back(std::move(entry));
  }
  return out.spamTrained >= -1 && out.spamTrained <= 1;
}

void write(wire::Policy::Builder out, const Policy& in) {
  // A withheld copy carries neither the screening settings nor the watched words.
  std::vector<const PolicySetting*> sent;
  for (const PolicySetting& setting : policySettings()) {
    if (!(in.screeningWithheld && setting.screening)) sent.push_back(&setting);
  }
  auto settings = out.initSettings(static_cast<unsigned>(sent.size()));
  for (unsigned i = 0; i < settings.size(); ++i) {
    settings[i].setName(capnp::Text::Reader(sent[i]->name.data(), sent[i]->name.size()));
    settings[i].setValue(in.*(sent[i]->field));
  }
  out.setScreeningWithheld(in.screeningWithheld);
  // In field order: a copy of the message lays its lists out the same way (byte-identical re-encoding).
  if (!in.screeningWithheld) {
    auto words = out.initWatchedWords(static_cast<unsigned>(in.watchedWords.size()));
    for (unsigned i = 0; i < words.size(); ++i) {
      words[i].setLocale(text(in.watchedWords[i].locale));
      words[i].setWord(text(in.watchedWords[i].word));
      words[i].setAction(writeEnum<wire::WatchAction>(in.watchedWords[i].action));
    }
  }
  if (!in.trustedLinkDomains.empty()) {
    auto trusted = out.initTrustedLinkDomains(static_cast<unsigned>(in.trustedLinkDomains.size()));
    for (unsigned i = 0; i < trusted.size(); ++i) trusted.set(i, text(in.trustedLinkDomains[i]));
  }
}

bool read(wire::Policy::Reader in, Policy& out) {
  out = Policy{};
  auto settingsTable = policySettings();
  // A policy stored before a setting existed meant what the setting's former value does. A withheld
  // copy never carries the screening settings: they keep the defaults projectPolicy gave them.
  const bool withheld = in.getScreeningWithheld();
  for (const PolicySetting& setting : settingsTable) {
    if (setting.formerly && !(withheld && setting.screening)) out.*(setting.field) = *setting.formerly;
  }
  for (auto setting : in.getSettings()) {
    std::string_view name(setting.getName().begin(), setting.getName().size());
    auto match = std::find_if(settingsTable.begin(), settingsTable.end(),
                              [&](const PolicySetting& known) { return known.name == name; });
    if (match == settingsTable.end()) return false;
    out.*(match->field) = setting.getValue();
  }
  for (auto word : in.getWatchedWords()) {
    WatchedWord entry{string(word.getLocale()), string(word.getWord()), WatchAction::block};
    if (!readEnum(word.getAction(), entry.action)) return false;
    out.watchedWords.push_back(std::move(entry));
  }
  out.screeningWithheld = in.getScreeningWithheld();
  for (auto domain : in.getTrustedLinkDomains()) out.trustedLinkDomains.push_back(string(domain));
  return true;
}

void write(wire::AuditRecord::Builder out, const AuditRecord& in) {
  out.setId(text(in.id));
  out.setActorId(text(in.actorId));
  out.setAction(writeEnum<wire::ModerationAction>(in.action));
  out.setReason(text(in.reason));
  out.setTime(in.time);
  out.setSequence(in.sequence);
  out.setPostId(text(in.postId));
  out.setThreadKey(text(in.threadKey));
  out.setMemberId(text(in.memberId));
  out.setUndone(in.undone);
  out.setUndoneBy(text(in.undoneBy));
  out.setUndoReason(text(in.undoReason));
  out.setUndoTime(in.undoTime);
  out.setIsPolicyChange(in.isPolicyChange);
  auto before = out.initBefore();
  before.setPostState(writeEnum<wire::PostState>(in.before.postState));
  before.setFeatured(in.before.featured);
  before.setThreadState(writeEnum<wire::ThreadState>(in.before.threadState));
  before.setMemberState(writeEnum<wire::MemberState>(in.before.memberState));
  before.setStateUntil(in.before.stateUntil);
  before.setRole(writeEnum<wire::Role>(in.before.role));
  before.setRoleAssigned(in.before.roleAssigned);
  before.setTrustLevel(in.before.trustLevel);
  before.setTrustLevelGranted(in.before.trustLevelGranted);
  before.setHeldReason(writeEnum<wire::ReasonCode>(in.before.heldReason));
  before.setSpamTrained(in.before.spamTrained);
  before.setRemovalPenalty(in.before.removalPenalty);
  before.setLastSanctionAt(in.before.lastSanctionAt);
  before.setTrust3Since(in.before.trust3Since);
  before.setTitle(text(in.before.title));
  auto resolutions = before.initFlagResolutions(static_cast<unsigned>(in.before.flagResolutions.size()));
  for (unsigned i = 0; i < resolutions.size(); ++i) resolutions.set(i, in.before.flagResolutions[i]);
}

bool read(wire::AuditRecord::Reader in, AuditRecord& out) {
  out.id = string(in.getId());
  out.actorId = string(in.getActorId());
  out.reason = string(in.getReason());
  out.time = in.getTime();
  out.sequence = in.getSequence();
  out.postId = string(in.getPostId());
  out.threadKey = string(in.getThreadKey());
  out.memberId = string(in.getMemberId());
  out.undone = in.getUndone();
  out.undoneBy = string(in.getUndoneBy());
  out.undoReason = string(in.getUndoReason());
  out.undoTime = in.getUndoTime();
  out.isPolicyChange = in.getIsPolicyChange();
  auto before = in.getBefore();
  out.before.featured = before.getFeatured();
  out.before.stateUntil = before.getStateUntil();
  out.before.roleAssigned = before.getRoleAssigned();
  out.before.trustLevel = before.getTrustLevel();
  out.before.lastSanctionAt = before.getLastSanctionAt();
  out.before.trust3Since = before.getTrust3Since();
  out.before.title = string(before.getTitle());
  out.before.trustLevelGranted = before.getTrustLevelGranted();
  out.before.spamTrained = before.getSpamTrained();
  out.before.removalPenalty = before.getRemovalPenalty();
  out.before.flagResolutions.clear();
  for (auto resolution : before.getFlagResolutions()) out.before.flagResolutions.push_back(resolution);
  return readEnum(in.getAction(), out.action) && readEnum(before.getPostState(), out.before.postState) &&
         readEnum(before.getThreadState(), out.before.threadState) &&
         readEnum(before.getMemberState(), out.before.memberState) && readEnum(before.getRole(), out.before.role) &&
         readEnum(before.getHeldReason(), out.before.heldReason) && out.before.trustLevel <= kMaxTrustLevel;
}

}  // namespace kring::wire_convert
