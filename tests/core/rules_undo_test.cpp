// Undo reverts only what its action changed, and only while that still stands: a later action on the
// same fields supersedes it, and a role changes only by the role action's own rules.
#include <map>
#include <random>

#include "kring/names.h"
#include "rules_fixture.h"

using namespace kring;
using namespace kring::testing;

namespace {

struct Staffed : RulesSite {
  Actor otherModerator = OpFactory::member("mod2", Role::moderator);
  Actor x = OpFactory::member("x");

  Staffed() {
    std::string key = thread(staff, "/lobby");
    post(x, key, "Hello, I am new here");
  }

  Op setRole(const Actor& by, const std::string& memberId, Role role) {
    Op op = ops.moderateMember(by, ModerationAction::setRole, memberId, "role change");
    std::get<Moderate>(op.body).role = role;
    return op;
  }
  Op setTrust(const Actor& by, const std::string& memberId, std::uint8_t level) {
    Op op = ops.moderateMember(by, ModerationAction::setTrustLevel, memberId, "trust change");
    std::get<Moderate>(op.body).trustLevel = level;
    return op;
  }
  Op suspend(const Actor& by, const std::string& memberId) {
    Op op = ops.moderateMember(by, ModerationAction::suspend, memberId, "cooling off");
    std::get<Moderate>(op.body).until = ops.now() + kDay;
    return op;
  }
};

}  // namespace

TEST_CASE("a moderator's undo of a trust level leaves alone the admin role an admin took away later",
          "[rules][moderation][undo]") {
  Staffed site;
  site.requireAccepted(site.setRole(site.admin, "x", Role::admin));
  Op trust = site.setTrust(site.moderator, "x", 3);
  site.requireAccepted(trust);
  site.requireAccepted(site.setRole(site.admin, "x", Role::member));

  site.requireAccepted(site.ops.undo(site.moderator, trust.id));
  CHECK(site.member("x").role == Role::member);
  CHECK(site.member("x").trustLevel == 0);
  CHECK_FALSE(site.member("x").trustLevelGranted);
}

TEST_CASE("a suspended, then demoted moderator stays demoted when another moderator undoes the suspension",
          "[rules][moderation][undo]") {
  Staffed site;
  site.requireAccepted(site.setRole(site.admin, "x", Role::moderator));
  Op suspension = site.suspend(site.admin, "x");
  site.requireAccepted(suspension);
  site.requireAccepted(site.setRole(site.admin, "x", Role::member));

  site.requireAccepted(site.ops.undo(site.otherModerator, suspension.id));
  CHECK(site.member("x").state == MemberState::active);
  CHECK(site.member("x").role == Role::member);
}

TEST_CASE("a moderator cannot demote a moderator an admin appointed by undoing an older action",
          "[rules][moderation][undo]") {
  Staffed site;
  Op trust = site.setTrust(site.moderator, "x", 4);
  site.requireAccepted(trust);
  site.requireAccepted(site.setRole(site.admin, "x", Role::moderator));

  site.requireAccepted(site.ops.undo(site.moderator, trust.id));
  CHECK(site.member("x").role == Role::moderator);
  CHECK(site.member("x").roleAssigned);
  // Undoing the appointment is the role action's own rule: admins only.
  Op appointment = site.setRole(site.admin, "x", Role::admin);
  site.requireAccepted(appointment);
  site.requireRejected(site.ops.undo(site.moderator, appointment.id), ReasonCode::notPermitted);
}

TEST_CASE("undoing an older silence does not lift a later ban - it is superseded", "[rules][moderation][undo]") {
  Staffed site;
  Op silence = site.ops.moderateMember(site.moderator, ModerationAction::silence, "x", "heated");
  site.requireAccepted(silence);
  Op ban = site.ops.moderateMember(site.moderator, ModerationAction::ban, "x", "abuse");
  site.requireAccepted(ban);

  Outcome refused = site.requireRejected(site.ops.undo(site.moderator, silence.id), ReasonCode::superseded);
  CHECK(refused.message.find("later") != std::string::npos);
  CHECK(site.member("x").state == MemberState::banned);

  // Undone in the reverse order, each undo restores its own before-state.
  site.requireAccepted(site.ops.undo(site.moderator, ban.id));
  CHECK(site.member("x").state == MemberState::silenced);
  site.requireAccepted(site.ops.undo(site.moderator, silence.id));
  CHECK(site.member("x").state == MemberState::active);
}

TEST_CASE("an undo whose fields a later action changed is superseded - trust levels and roles too",
          "[rules][moderation][undo]") {
  Staffed site;
  Op first = site.setTrust(site.moderator, "x", 2);
  site.requireAccepted(first);
  site.requireAccepted(site.setTrust(site.otherModerator, "x", 4));
  site.requireRejected(site.ops.undo(site.moderator, first.id), ReasonCode::superseded);
  CHECK(site.member("x").trustLevel == 4);

  Op promote = site.setRole(site.admin, "x", Role::moderator);
  site.requireAccepted(promote);
  site.requireAccepted(site.setRole(site.admin, "x", Role::admin));
  site.requireRejected(site.ops.undo(site.admin, promote.id), ReasonCode::superseded);
  CHECK(site.member("x").role == Role::admin);

  // A sanction changed by a later sanction: an unban lifted the suspension.
  site.requireAccepted(site.setRole(site.admin, "x", Role::member));
  Op suspension = site.suspend(site.moderator, "x");
  site.requireAccepted(suspension);
  site.requireAccepted(site.ops.moderateMember(site.moderator, ModerationAction::unban, "x", "served"));
  site.requireRejected(site.ops.undo(site.moderator, suspension.id), ReasonCode::superseded);
  CHECK(site.member("x").state == MemberState::active);
}

// Random sequences of member actions, role changes and undos by admins and moderators. A model of the
// audit log checks each accepted undo: its action was the last live one on those fields, and the
// member still held its result.
TEST_CASE("property: moderators never change a role, and undo never resurrects a lifted or replaced sanction",
          "[rules][moderation][undo][property]") {
  const std::vector<ModerationAction> actions = {ModerationAction::silence, ModerationAction::suspend,
                                                 ModerationAction::ban,     ModerationAction::unban,
                                                 ModerationAction::setRole, ModerationAction::setTrustLevel};
  auto groupOf = [](ModerationAction action) {
    return action == ModerationAction::setRole ? 1 : action == ModerationAction::setTrustLevel ? 2 : 0;
  };
  struct Done {
    std::string id;
    std::string memberId;
    ModerationAction action;
    MemberRecord result;
  };

  int undosAccepted = 0, undosSuperseded = 0, rolesChanged = 0;
  for (std::uint32_t seed = 1; seed <= 40; ++seed) {
    INFO("seed " << seed);
    Staffed site;
    std::mt19937 random(seed);
    auto pick = [&](std::size_t n) { return static_cast<std::size_t>(random() % n); };
    std::vector<Actor> people = {site.admin,
                                 OpFactory::member("admin2", Role::admin),
                                 site.moderator,
                                 site.otherModerator,
                                 site.x,
                                 OpFactory::member("y"),
                                 OpFactory::member("z")};
    std::vector<Done> done;
    for (int step = 0; step < 80; ++step) {
      INFO("step " << step);
      site.ops.advance(RulesSite::kMinute);
      const Actor& actor = people[pick(people.size())];
      std::map<std::string, Role> rolesBefore;
      for (const MemberRecord& m : exportRecords(site.engine).members) rolesBefore[m.id] = m.role;
      auto actorRole = rolesBefore.contains(actor.memberId) ? rolesBefore[actor.memberId] : actor.role;

      Op op;
      const Done* undone = nullptr;
      if (!done.empty() && pick(3) == 0) {
        undone = &done[pick(done.size())];
        op = site.ops.undo(actor, undone->id);
      } else {
        ModerationAction action = actions[pick(actions.size())];
        const Actor& target = people[2 + pick(people.size() - 2)];
        op = site.ops.moderateMember(actor, action, target.memberId, "step " + std::to_string(step));
        auto& body = std::get<Moderate>(op.body);
        body.until = site.ops.now() + RulesSite::kDay;
        body.role = static_cast<Role>(pick(4));
        body.trustLevel = static_cast<std::uint8_t>(pick(5));
      }
      MemberRecord targetBefore;
      if (undone != nullptr) targetBefore = site.member(undone->memberId);
      Outcome outcome = site.engine.apply(op);
      if (outcome.code == ReasonCode::superseded) ++undosSuperseded;
      if (outcome.status != OutcomeStatus::accepted) continue;
      if (undone != nullptr) ++undosAccepted;

      SiteRecords after = exportRecords(site.engine);
      for (const MemberRecord& m : after.members) {
        if (!rolesBefore.contains(m.id)) continue;
        if (m.role != rolesBefore[m.id]) ++rolesChanged;
        if (actorRole != Role::admin) CHECK(m.role == rolesBefore[m.id]);
        if (undone != nullptr && undone->action != ModerationAction::setRole) CHECK(m.role == rolesBefore[m.id]);
      }
      if (undone == nullptr) {
        const Moderate& body = std::get<Moderate>(op.body);
        done.push_back(Done{op.id, body.memberId, body.action, site.member(body.memberId)});
        continue;
      }
      // The undone action must have been the last live one on its fields, its result still standing.
      const AuditRecord* undoneEntry = nullptr;
      bool laterLive = false;
      for (const AuditRecord& entry : after.audit) {
        if (entry.id == undone->id) {
          undoneEntry = &entry;
        } else if (undoneEntry != nullptr && !entry.undone && entry.memberId == undone->memberId &&
                   groupOf(entry.action) == groupOf(undone->action)) {
          laterLive = true;
        }
      }
      REQUIRE(undoneEntry != nullptr);
      CHECK_FALSE(laterLive);
      if (groupOf(undone->action) == 0) {
        CHECK(targetBefore.state == undone->result.state);
        CHECK(site.member(undone->memberId).state == undoneEntry->before.memberState);
      }
    }
  }
  // The sequences exercise what they check.
  CHECK(undosAccepted > 20);
  CHECK(undosSuperseded > 20);
  CHECK(rolesChanged > 20);
}
