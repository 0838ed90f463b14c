/* Kring C API: the core behind a narrow, byte-oriented boundary (docs/c-api.md).
 *
 * Ops, outcomes and snapshots are Cap'n Proto messages (sdk/schema/kring.capnp); thread views,
 * outcomes described for people and server messages received are JSON (docs/view-model.md). Used by
 * native apps and, compiled by Emscripten, by the browser widget.
 *
 * ERRORS, one style. A call that can fail returns a kring_status (KRING_OK, 0, on success) or a
 * pointer that is NULL on failure. Every call on an engine, except the getters marked "getter",
 * records its result there: on success kring_last_status(engine) is KRING_OK and
 * kring_last_error(engine) is ""; on failure they give the status and a message for people.
 *   status > 0  the core refused the input: a reason of the schema (enum kring_reason_code,
 *               e.g. KRING_REASON_MALFORMED_SNAPSHOT, KRING_REASON_UNKNOWN_THREAD);
 *   status < 0  the call was wrong or failed (enum kring_error): NULL engine, NULL buffer, an enum
 *               value out of range, an op before kring_set_actor, or an exception inside the core.
 * An op the engine rejects is not a failed call: kring_apply succeeds and returns the rejected
 * Outcome (with its reason code). No C++ exception ever leaves a kring_ function.
 *
 * OWNERSHIP. Every pointer a call returns (op bytes, outcomes, snapshots, JSON, error messages)
 * belongs to the engine and stays valid until the next call on the same engine (getters
 * excepted); copy what you keep. JSON is not NUL-terminated: use its size. Inputs are only read
 * during the call and may be freed after it; an input may be the engine's own last output
 * (kring_encode_submit of kring_op_post's bytes).
 *
 * STRINGS. Byte calls take (pointer, size) pairs; the pointer may be NULL only when the size is 0.
 * The typed op makers (kring_op_*) take NUL-terminated UTF-8; their optional strings may be NULL
 * (empty), their required ones (op id, targets) may not.
 *
 * THREADS. An engine is not thread-safe: use one per thread or lock around it. Engines share
 * nothing, and the calls without an engine (version, enum tables) are safe from any thread. */
#ifndef KRING_KRING_H_
#define KRING_KRING_H_

#include <stddef.h>
#include <stdint.h>

/* The schema's enums as C constants, generated from sdk/schema/kring.capnp when the core is built:
 *   enum kring_role              KRING_ROLE_MEMBER, _MODERATOR, _STAFF, _ADMIN
 *   enum kring_thread_kind       KRING_THREAD_KIND_DISCUSSION, _QUESTION
 *   enum kring_vote_direction    KRING_VOTE_NONE (retract), _UP, _DOWN
 *   enum kring_flag_reason       KRING_FLAG_REASON_SPAM, _OFFENSIVE, _OFF_TOPIC, _OTHER
 *   enum kring_moderation_action KRING_ACTION_APPROVE … KRING_ACTION_EDIT_TITLE
 *   enum kring_sort_order        KRING_SORT_TOP, _NEWEST, _OLDEST
 *   enum kring_outcome_status    KRING_STATUS_ACCEPTED, _HELD, _REJECTED
 *   enum kring_reason_code       KRING_REASON_NONE (0), KRING_REASON_MALFORMED_OP, … (a status > 0)
 *   and kring_thread_state, kring_post_state, kring_member_state, kring_watch_action.
 * Their snake_case names, as JSON uses them, come from kring_enum_tables(). */
#include "kring/kring_enums.h"

#ifdef __cplusplus
extern "C" {
#endif

/* --- Versions --- */

#define KRING_VERSION_MAJOR 0
#define KRING_VERSION_MINOR 2
#define KRING_VERSION_PATCH 0
/* Bumped on any incompatible change to this header; 2: typed op makers, kring_status, guards;
 * 3: kring_make_op removed (the typed makers are the one way to make an op). */
#define KRING_ABI_VERSION 3

/* "0.2.0": the library's version, static and NUL-terminated. */
const char* kring_version(void);
/* The KRING_ABI_VERSION the library was built with: a program compares it with the header's. */
uint32_t kring_abi_version(void);
/* The sync protocol version (docs/protocol.md) that kring_encode_hello announces. */
uint32_t kring_protocol_version(void);

/* --- Errors --- */

typedef int32_t kring_status; /* KRING_OK, a reason (> 0, enum kring_reason_code) or an error (< 0) */
#define KRING_OK 0
enum kring_error {
  KRING_ERROR_NULL_ENGINE = -1,   /* the engine is NULL */
  KRING_ERROR_NULL_ARGUMENT = -2, /* a NULL buffer with a nonzero size, or a required pointer NULL */
  KRING_ERROR_OUT_OF_RANGE = -3,  /* an enum value or a number outside its range */
  KRING_ERROR_NO_ACTOR = -4,      /* an op or a submit before kring_set_actor */
  KRING_ERROR_INTERNAL = -5       /* the core failed (out of memory, or a bug): destroy the engine */
};

typedef struct kring_engine kring_engine;

/* The status of the last call on the engine (KRING_OK after a success); KRING_ERROR_NULL_ENGINE
 * for NULL. Getter. */
kring_status kring_last_status(const kring_engine* engine);
/* The message of the last call on the engine, NUL-terminated; "" after a success. Never NULL.
 * Getter. */
const char* kring_last_error(const kring_engine* engine);

/* --- Engines --- */

/* A new, empty engine for one site; NULL only when site_id is NULL with a nonzero size or memory
 * runs out (there is no engine to hold the message then). Free it with kring_engine_destroy. */
kring_engine* kring_engine_create(const char* site_id, size_t site_id_size);
/* An engine restored from a site snapshot, or NULL; *status (may be NULL) receives KRING_OK or why
 * not (KRING_REASON_MALFORMED_SNAPSHOT, KRING_REASON_UNSUPPORTED_VERSION, …). */
kring_engine* kring_engine_restore(const uint8_t* snapshot, size_t size, kring_status* status);
/* An independent copy of the engine: its state and its local member (kring_set_actor). A client
 * predicts its own ops on a copy, so the replica holds only what the server sent. NULL for a NULL
 * engine or when memory runs out. Free it with kring_engine_destroy. */
kring_engine* kring_engine_copy(const kring_engine* engine);
/* Frees the engine and everything it returned. NULL is ignored. */
void kring_engine_destroy(kring_engine* engine);

/* --- Applying ops (an authoritative engine, or a replica predicting) --- */

/* Applies one op; returns the Outcome message, NULL only on a failed call. Bytes that do not decode
 * give a rejected Outcome with reason malformed_op: the call itself succeeds. */
const uint8_t* kring_apply(kring_engine* engine, const uint8_t* op, size_t op_size, size_t* out_size);

/* What kring_apply_log found in a log. */
typedef struct kring_log_report {
  uint32_t frames;            /* frames in the log, each applied */
  uint32_t accepted;          /* ops stored: accepted or held */
  uint32_t undecodable;       /* frames that are not an op: each rejected as malformed_op */
  uint32_t first_undecodable; /* the index of the first of them; UINT32_MAX when there is none */
} kring_log_report;
/* Applies every frame of a log ([u32 little-endian size][op bytes], …) in order, as kring_apply
 * would. *report (may be NULL) says what it found. A truncated log (its frames overrun its size)
 * applies nothing and fails with KRING_REASON_MALFORMED_OP. */
kring_status kring_apply_log(kring_engine* engine, const uint8_t* log, size_t size, kring_log_report* report);

/* --- Snapshots and views --- */

const uint8_t* kring_site_snapshot(kring_engine* engine, size_t* out_size);
/* The thread as the engine's member (kring_set_actor) may see it; everything when none is set.
 * NULL for a thread the engine does not hold (KRING_REASON_UNKNOWN_THREAD). */
const uint8_t* kring_thread_snapshot(kring_engine* engine, const char* key, size_t key_size, size_t* out_size);
/* Replaces or adds a thread in a replica. */
kring_status kring_load_thread_snapshot(kring_engine* engine, const uint8_t* snapshot, size_t size);

/* The thread in display order as JSON (docs/view-model.md); NULL for an unknown thread
 * (KRING_REASON_UNKNOWN_THREAD). viewer (may be empty) fills in each post's myVote. */
const char* kring_thread_view(kring_engine* engine, const char* key, size_t key_size, enum kring_sort_order order,
                              const char* viewer, size_t viewer_size, size_t* out_size);

/* The policy the engine holds (a replica's: the Welcome's, then the policy events'), as JSON
 * (docs/policy.md: {"settings":{…},"watchedWords":[…]}). */
const char* kring_policy_json(kring_engine* engine, size_t* out_size);
/* kring_metrics_json's thread_kind for both kinds together. */
#define KRING_THREAD_KIND_ANY (-1)
/* Community metrics (docs/metrics.md) for [from_ms, to_ms) as JSON; thread_kind an enum
 * kring_thread_kind or KRING_THREAD_KIND_ANY. NULL (KRING_ERROR_OUT_OF_RANGE) for an empty window
 * or another kind. */
const char* kring_metrics_json(kring_engine* engine, int64_t from_ms, int64_t to_ms, int thread_kind, size_t* out_size);

/* An Outcome message as JSON: {"opId","status","code","message","events":[names]}; NULL when the
 * bytes are not an Outcome. */
const char* kring_outcome_json(kring_engine* engine, const uint8_t* outcome, size_t size, size_t* out_size);
/* Who is told of an op the engine has just applied (op: its bytes; outcome: what kring_apply
 * returned), as JSON: [{"recipientId","kind","threadKey","postId","actorId"}, …], kind one of reply,
 * answer, answer_accepted, followed_thread (docs/notifications.md). Names, never text. */
const char* kring_notification_intents_json(kring_engine* engine, const uint8_t* op, size_t op_size,
                                            const uint8_t* outcome, size_t outcome_size, size_t* out_size);

/* --- Ops, signed by the local member --- */

/* The local member, as the server's Welcome names them (kring_receive's "member"): the ops below
 * are signed with it. KRING_REASON_INVALID_MEMBER for an empty id, KRING_ERROR_OUT_OF_RANGE for a
 * role outside enum kring_role; the engine then keeps the actor it had. */
kring_status kring_set_actor(kring_engine* engine, const char* member_id, size_t member_id_size,
                             const char* display_name, size_t display_name_size, enum kring_role role);

/* Typed op makers, the one way to make an op: one per op kind of the schema. Each writes the op's bytes (for
 * kring_apply or kring_encode_submit) to *out and their size to *out_size; both are set to NULL and 0 on failure. op_id
 * is the client's idempotency key (the new post's or thread's id too; unique per client, e.g.
 * "<client id>-<counter>"). time_ms: milliseconds since the epoch, >= 0 (the server replaces it).
 * They fail with KRING_ERROR_NO_ACTOR before kring_set_actor, KRING_ERROR_NULL_ARGUMENT for a NULL
 * required string or out pointer, KRING_ERROR_OUT_OF_RANGE for an enum value outside its enum or
 * a negative time. The rules (rights, limits, text) are the engine's: it answers them when the op
 * is applied. */

/* A thread under the host's key (a product SKU, a URL path). ticket (may be NULL): the host's
 * signed approval (docs/protocol.md, "Thread tickets"). */
kring_status kring_op_create_thread(kring_engine* engine, const char* op_id, const char* key, const char* title,
                                    enum kring_thread_kind kind, const char* ticket, int64_t time_ms,
                                    const uint8_t** out, size_t* out_size);
/* A post (parent_id NULL or "": top level) or a reply to parent_id, Markdown body. */
kring_status kring_op_post(kring_engine* engine, const char* op_id, const char* thread_key, const char* parent_id,
                           const char* body, int64_t time_ms, const uint8_t** out, size_t* out_size);
kring_status kring_op_edit(kring_engine* engine, const char* op_id, const char* post_id, const char* body,
                           int64_t time_ms, const uint8_t** out, size_t* out_size);
kring_status kring_op_delete(kring_engine* engine, const char* op_id, const char* post_id, int64_t time_ms,
                             const uint8_t** out, size_t* out_size);
/* KRING_VOTE_NONE retracts the member's vote. */
kring_status kring_op_vote(kring_engine* engine, const char* op_id, const char* post_id,
                           enum kring_vote_direction direction, int64_t time_ms, const uint8_t** out, size_t* out_size);
kring_status kring_op_accept(kring_engine* engine, const char* op_id, const char* answer_id, int64_t time_ms,
                             const uint8_t** out, size_t* out_size);
kring_status kring_op_unaccept(kring_engine* engine, const char* op_id, const char* answer_id, int64_t time_ms,
                               const uint8_t** out, size_t* out_size);
kring_status kring_op_flag(kring_engine* engine, const char* op_id, const char* post_id, enum kring_flag_reason reason,
                           int64_t time_ms, const uint8_t** out, size_t* out_size);

/* A moderator's action whose only argument is its target: the post id (approve, reject, hide,
 * restore, feature, uphold/dismiss flags), the thread key (lock, unlock, pin, unpin) or the member id
 * (silence, ban, unban, erase). reason is required: it goes to the audit log. The actions with an argument
 * have their own makers below (KRING_ERROR_OUT_OF_RANGE here). */
kring_status kring_op_moderate(kring_engine* engine, const char* op_id, enum kring_moderation_action action,
                               const char* target, const char* reason, int64_t time_ms, const uint8_t** out,
                               size_t* out_size);
/* Reject as spam: the post is removed, the spam filter learns from it and its author pays. */
kring_status kring_op_reject_as_spam(kring_engine* engine, const char* op_id, const char* post_id, const char* reason,
                                     int64_t time_ms, const uint8_t** out, size_t* out_size);
kring_status kring_op_suspend(kring_engine* engine, const char* op_id, const char* member_id, int64_t until_ms,
                              const char* reason, int64_t time_ms, const uint8_t** out, size_t* out_size);
kring_status kring_op_set_role(kring_engine* engine, const char* op_id, const char* member_id, enum kring_role role,
                               const char* reason, int64_t time_ms, const uint8_t** out, size_t* out_size);
kring_status kring_op_set_trust_level(kring_engine* engine, const char* op_id, const char* member_id,
                                      uint8_t trust_level, const char* reason, int64_t time_ms, const uint8_t** out,
                                      size_t* out_size);
kring_status kring_op_edit_title(kring_engine* engine, const char* op_id, const char* thread_key, const char* title,
                                 const char* reason, int64_t time_ms, const uint8_t** out, size_t* out_size);
/* Undoes the moderator action whose op id is moderation_id. */
kring_status kring_op_undo(kring_engine* engine, const char* op_id, const char* moderation_id, const char* reason,
                           int64_t time_ms, const uint8_t** out, size_t* out_size);
/* The site's policy as JSON (docs/policy.md: {"settings":{…},"watchedWords":[…]}); an admin's op.
 * KRING_REASON_INVALID_POLICY with the field's path for JSON it refuses. Native builds only: the
 * JSON reader stays out of the browser's core. */
kring_status kring_op_update_policy(kring_engine* engine, const char* op_id, const char* policy_json, int64_t time_ms,
                                    const uint8_t** out, size_t* out_size);
/* What the member read since the last batch (trust levels count it): the threads entered, the
 * threads entered in an earlier batch whose posts were seen since (either list may be NULL when its
 * count is 0), posts seen and seconds spent reading. */
kring_status kring_op_reading(kring_engine* engine, const char* op_id, const char* const* thread_keys,
                              size_t thread_key_count, const char* const* read_thread_keys,
                              size_t read_thread_key_count, uint32_t posts_seen, uint32_t seconds_reading,
                              int64_t time_ms, const uint8_t** out, size_t* out_size);
/* Follow a thread (following non-zero: a new post in it tells the member) or stop following it.
 * Starting a thread or posting in it follows it too, unless the member chose here before. */
kring_status kring_op_follow(kring_engine* engine, const char* op_id, const char* thread_key, int following,
                             int64_t time_ms, const uint8_t** out, size_t* out_size);

/* --- A client of kring-server (docs/protocol.md): the engine is the client's replica --- */

/* ClientMessage bytes, one per WebSocket binary frame. */
/* token: the host's signed token (empty for a guest). guest_credential: for a guest, the
 * "guestCredential" of an earlier Welcome (empty the first time); it brings the same guest back. */
const uint8_t* kring_encode_hello(kring_engine* engine, const char* site_id, size_t site_id_size, const char* token,
                                  size_t token_size, const char* client_id, size_t client_id_size,
                                  const char* guest_credential, size_t guest_credential_size, size_t* out_size);
/* A fresh token for the signed-in member, sent before the Welcome's "tokenExpiresAt"; the server
 * answers with a new Welcome, or an error and a closed connection. */
const uint8_t* kring_encode_refresh_token(kring_engine* engine, const char* token, size_t token_size, size_t* out_size);
/* last_sequence 0 asks for a snapshot; after a reconnect, kring_thread_last_sequence. */
const uint8_t* kring_encode_subscribe(kring_engine* engine, const char* key, size_t key_size, uint64_t last_sequence,
                                      size_t* out_size);
/* Protocol 3: the same, but a snapshot is the thread's first page in `order` (docs/protocol.md, "Paged
 * threads"): a big thread arrives in pages, and the engine holds part of it. The thread view then
 * says what it lacks ("unloadedTopLevel", "unloadedVisible", each post's "unloadedReplies"). */
const uint8_t* kring_encode_subscribe_paged(kring_engine* engine, const char* key, size_t key_size,
                                            uint64_t last_sequence, enum kring_sort_order order, size_t* out_size);
/* The next page of one list of a paged thread: the replies of parent_id, or (empty) its top-level
 * posts. KRING_ERROR_OUT_OF_RANGE when the engine already holds the whole list. The answer is a
 * snapshot that kring_receive adds to the thread ("continues": true). */
const uint8_t* kring_encode_load_page(kring_engine* engine, const char* key, size_t key_size, const char* parent_id,
                                      size_t parent_id_size, size_t* out_size);
/* Markdown to have the server render (protocol 2): answered by a "rendered" message whose one body
 * carries request_id as its postId (docs/protocol.md). */
const uint8_t* kring_encode_render(kring_engine* engine, const char* request_id, size_t request_id_size,
                                   const char* markdown, size_t markdown_size, size_t* out_size);
/* NULL when the bytes are not an op (KRING_REASON_MALFORMED_OP) or before kring_set_actor. */
const uint8_t* kring_encode_submit(kring_engine* engine, const uint8_t* op, size_t op_size, size_t* out_size);
const uint8_t* kring_encode_ping(kring_engine* engine, uint64_t nonce, size_t* out_size);

/* Takes one ServerMessage: a thread snapshot is loaded into the engine when its last part arrives
 * (the engine keeps the earlier parts), events are applied to it.
 * Returns JSON (not NUL-terminated), one of
 *   {"type":"welcome","member":{"id","displayName","role","reputation","trustLevel","state","stateUntil"},"guestCredential","tokenExpiresAt","readOnly","needsTicketToStart","preferencesUrl"}
 *       the Welcome's policy is the engine's from then on: kring_policy_json
 *       guestCredential: a guest's credential to store ("" when signed in); tokenExpiresAt: ms, 0 for a guest
 *       readOnly: a guest on a site that takes no guest posts (guestPosting false): it reads, and its
 *       ops are refused with KRING_REASON_SIGN_IN_REQUIRED; needsTicketToStart: a new thread's first
 *       post by this member needs the host's ticket (the policy's threadCreateMinTrustLevel);
 *       preferencesUrl: this member's own mail preferences page, signed for them (open it in a
 *       browser); "" when the server mails them nothing
 *   {"type":"snapshot","threadKey","lastSequence","continues"}  continues: a page added to a paged thread
 *   {"type":"snapshot_part","threadKey","receivedBytes","totalBytes"}  more parts of it are due
 *   {"type":"events","threadKey","fromSequence","lastSequence","opIds":[distinct, in order]}
 *   {"type":"rejected","opId","code","message"}      code: snake_case reason name
 *   {"type":"error","code","message"}
 *   {"type":"pong","nonce"}
 *   {"type":"invalid","message"}  bytes that do not decode, or a snapshot or events the replica
 *                                 refuses; the engine is then unchanged (resubscribe for a snapshot).
 * Describing a message, "invalid" included, is a successful call; NULL only on a failed one. */
const char* kring_receive(kring_engine* engine, const uint8_t* message, size_t size, size_t* out_size);

/* The highest site sequence the engine has applied, of any thread; 0 for NULL. Getter. */
uint64_t kring_last_sequence(const kring_engine* engine);
/* The highest sequence the replica holds of one thread (its snapshot's, then its events'); 0 for a
 * thread it does not hold. Resubscribe to a thread with this, not with kring_last_sequence: another
 * thread's events may have arrived while this one's were still in flight. Getter. */
uint64_t kring_thread_last_sequence(const kring_engine* engine, const char* key, size_t key_size);
/* 1 when the member follows the thread (a new post in it tells them: kring_op_follow), else 0. A
 * replica knows this of its own member only. Getter. */
int kring_thread_following(const kring_engine* engine, const char* key, size_t key_size, const char* member_id,
                           size_t member_id_size);

/* Every enum's snake_case names as JSON ({"role":["member",…],"reason_code":[…],…}), index = value;
 * static, not NUL-terminated. Bindings build their tables from it instead of copying them. */
const char* kring_enum_tables(size_t* out_size);

#ifdef __cplusplus
}
#endif

#endif /* KRING_KRING_H_ */
