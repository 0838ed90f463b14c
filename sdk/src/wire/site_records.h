// Internal: a site's state as plain records, the form snapshots are written from and rebuilt from.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kring/reason.h"
#include "kring/records.h"
#include "kring/site_records.h"
#include "state/site_state.h"

namespace kring {

SiteRecords collectRecords(const SiteState& state);
// Whether posts carry every vote (a site snapshot) or only what a viewer may hold (a replica's
// projection: the score is the server's count, the votes only the viewer's own).
enum class Votes { all, projected };
// Checks every cross-reference and invariant; a snapshot that breaks one is refused whole.
Result<std::unique_ptr<SiteState>> buildState(const SiteRecords& records, const Limits& limits,
                                              Votes votes = Votes::all);

// Builds a state record by record, checking as buildState does: the policy, then members, threads,
// posts and audit entries, each in index order. Site snapshots and checkpoints both load through it,
// a checkpoint without ever holding the whole site as records.
class StateBuilder {
 public:
  StateBuilder(std::string siteId, Sequence lastSequence, const Limits& limits, Votes votes = Votes::all);
  // Each returns the first broken reference or invariant, if any.
  std::optional<Error> setPolicy(const Policy& policy);
  // Room for what is coming, when it is known: spares the tables' regrowth at a million posts.
  void reserve(std::uint32_t members, std::uint32_t threads, std::uint32_t posts, std::uint32_t audit);
  std::optional<Error> addMember(const MemberRecord& record);
  std::optional<Error> addThread(const ThreadRecord& record);
  std::optional<Error> addPost(const PostRecord& record);
  std::optional<Error> addAudit(const AuditRecord& entry);
  // Once, on a builder whose model is still empty.
  void setSpamModel(std::uint32_t spamDecisions, std::uint32_t hamDecisions,
                    const std::vector<TokenCountRecord>& tokens);
  void setDays(std::vector<SiteDay> days);
  void setAlerts(TimeMs checkedAt, TimeMs digestSentAt);
  // False for a store or archive written before threads carried their follows: authors follow.
  void setFollowsRecorded(bool recorded);
  Result<std::unique_ptr<SiteState>> finish();
  const SiteState& state() const { return *state_; }

 private:
  std::optional<Error> linkRepliedThreads();  // once every thread is in

  std::unique_ptr<SiteState> state_;
  Votes votes_;
  std::vector<std::pair<std::uint32_t, std::vector<RepliedThread>>> replied_;  // by member index
  bool linked_ = false;
  bool followsRecorded_ = true;
};

}  // namespace kring
