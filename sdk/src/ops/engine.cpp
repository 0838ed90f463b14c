#include "kring/engine.h"

#include "ops/handlers.h"
#include "rules/admission.h"
#include "state/site_state.h"
#include "text/text.h"

namespace kring {

namespace {

// Checks every op shares, before its kind is looked at.
std::optional<Outcome> checkEnvelope(const OpContext& context) {
  const Op& op = context.op;
  const Limits& limits = context.state.limits;
  if (op.id.empty() || op.id.size() > limits.maxIdBytes || !isValidUtf8(op.id) || hasControlCharacters(op.id)) {
    return context.reject(ReasonCode::invalidId,
                          "An op id is 1 to " + std::to_string(limits.maxIdBytes) + " bytes of printable UTF-8.");
  }
  const Actor& actor = op.actor;
  if (actor.memberId.empty() || actor.memberId.size() > limits.maxMemberIdBytes || !isValidUtf8(actor.memberId) ||
      hasControlCharacters(actor.memberId)) {
    return context.reject(ReasonCode::invalidMember, "The member id is missing or not printable UTF-8.");
  }
  if (actor.displayName.size() > limits.maxDisplayNameBytes || !isValidUtf8(actor.displayName) ||
      hasControlCharacters(actor.displayName)) {
    return context.reject(ReasonCode::invalidMember, "The display name is longer than " +
                                                         std::to_string(limits.maxDisplayNameBytes) +
                                                         " bytes or not printable UTF-8.");
  }
  return std::nullopt;
}

struct Dispatch {
  OpContext& context;
  Outcome operator()(const CreateThread& body) const { return applyCreateThread(context, body); }
  Outcome operator()(const CreatePost& body) const { return applyCreatePost(context, body); }
  Outcome operator()(const EditPost& body) const { return applyEditPost(context, body); }
  Outcome operator()(const DeletePost& body) const { return applyDeletePost(context, body); }
  Outcome operator()(const CastVote& body) const { return applyCastVote(context, body); }
  Outcome operator()(const AcceptAnswer& body) const { return applyAcceptAnswer(context, body); }
  Outcome operator()(const UnacceptAnswer& body) const { return applyUnacceptAnswer(context, body); }
  Outcome operator()(const FlagPost& body) const { return applyFlagPost(context, body); }
  Outcome operator()(const Moderate& body) const { return applyModerate(context, body); }
  Outcome operator()(const UndoModeration& body) const { return applyUndoModeration(context, body); }
  Outcome operator()(const UpdatePolicy& body) const { return applyUpdatePolicy(context, body); }
  Outcome operator()(const RecordReading& body) const { return applyRecordReading(context, body); }
  Outcome operator()(const CheckAlerts& body) const { return applyCheckAlerts(context, body); }
  Outcome operator()(const ImportPost& body) const { return applyImportPost(context, body); }
  Outcome operator()(const ClaimImported& body) const { return applyClaimImported(context, body); }
  Outcome operator()(const FollowThread& body) const { return applyFollowThread(context, body); }
};

}  // namespace

Engine::Engine(std::string siteId, Limits limits) : state_(std::make_unique<SiteState>()) {
  state_->siteId = std::move(siteId);
  state_->limits = limits;
}

Engine::Engine(std::string siteId, Policy policy, Limits limits) : Engine(std::move(siteId), limits) {
  state_->setPolicy(std::move(policy));
}

const Policy& Engine::policy() const { return state_->policy; }

std::optional<MemberRecord> Engine::member(std::string_view memberId) const {
  std::uint32_t index = state_->findMember(std::string(memberId));
  if (index == kNone) return std::nullopt;
  return state_->memberRecord(index);
}

std::optional<PostRecord> Engine::post(std::string_view postId) const {
  std::uint32_t index = state_->findPost(std::string(postId));
  if (index == kNone) return std::nullopt;
  return state_->postRecord(index, SiteState::Detail::event);
}

Engine::Engine(std::unique_ptr<SiteState> state) : state_(std::move(state)) {}
Engine::~Engine() = default;
Engine::Engine(Engine&&) noexcept = default;
Engine& Engine::operator=(Engine&&) noexcept = default;
Engine Engine::copy() const { return Engine(std::make_unique<SiteState>(*state_)); }

Outcome Engine::apply(const Op& op) {
  OpContext context(*state_, op);
  if (auto rejection = checkEnvelope(context)) return std::move(*rejection);
  if (auto rejection = checkAdmission(context)) return std::move(*rejection);
  return std::visit(Dispatch{context}, op.body);
}

bool Engine::hasThread(std::string_view threadKey) const { return state_->findThread(std::string(threadKey)) != kNone; }

std::optional<ThreadKind> Engine::threadKind(std::string_view threadKey) const {
  std::uint32_t index = state_->findThread(std::string(threadKey));
  if (index == kNone) return std::nullopt;
  return state_->threads[index].kind;
}

std::optional<std::string> Engine::threadKeyOf(const Op& op) const {
  const SiteState& state = *state_;  // reads only: marks nothing for the next checkpoint
  auto threadOfPost = [&state](const std::string& postId) -> std::optional<std::string> {
    std::uint32_t post = state.findPost(postId);
    if (post == kNone) return std::nullopt;
    return state.threads[state.posts[post].thread].key;
  };
  return std::visit(
      [&](const auto& body) -> std::optional<std::string> {
        using Body = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<Body, CreateThread>) {
          return body.key;
        } else if constexpr (std::is_same_v<Body, CreatePost> || std::is_same_v<Body, ImportPost> ||
                             std::is_same_v<Body, FollowThread>) {
          return body.threadKey;
        } else if constexpr (std::is_same_v<Body, EditPost> || std::is_same_v<Body, DeletePost> ||
                             std::is_same_v<Body, CastVote> || std::is_same_v<Body, FlagPost>) {
          return threadOfPost(body.postId);
        } else if constexpr (std::is_same_v<Body, AcceptAnswer> || std::is_same_v<Body, UnacceptAnswer>) {
          return threadOfPost(body.answerId);
        } else if constexpr (std::is_same_v<Body, Moderate>) {
          if (targetsThread(body.action)) return body.threadKey;
          if (targetsMember(body.action)) return std::nullopt;  // site-wide: the member's record
          return threadOfPost(body.postId);
        } else if constexpr (std::is_same_v<Body, UndoModeration>) {
          const std::uint32_t* found = state.auditIndex.find(body.moderationId);
          if (found == nullptr) return std::nullopt;
          const AuditRecord& entry = state.audit[*found];
          if (entry.isPolicyChange || targetsMember(entry.action)) return std::nullopt;
          return entry.threadKey;
        } else {
          return std::nullopt;  // site-wide: policy, reading
        }
      },
      op.body);
}

const std::string& Engine::siteId() const { return state_->siteId; }
Sequence Engine::lastSequence() const { return state_->lastSequence; }

void Engine::skipTo(Sequence sequence) {
  if (sequence > state_->lastSequence) state_->lastSequence = sequence;
}

const Limits& Engine::limits() const { return state_->limits; }

}  // namespace kring
