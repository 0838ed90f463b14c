/* Kring C API: the core behind a narrow, byte-oriented boundary.
 *
 * Ops, outcomes and snapshots are Cap'n Proto messages (sdk/schema/kring.capnp); thread views
 * are JSON (docs/view-model.md). Buffers returned by a call belong to the engine and stay valid
 * until the next call on the same engine. Used by native apps and, compiled by Emscripten, by
 * the browser widget. An engine is not thread-safe; use one per thread or lock around it. */
#ifndef KRING_KRING_H_
#define KRING_KRING_H_

#include <stddef.h>
#include <stdint.h>

/* The enums (kring_role, kring_sort_order, kring_reason_code, kring_post_state, …), generated from
 * the schema when the core is built. */
#include "kring/kring_enums.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kring_engine kring_engine;

/* A new, empty engine for one site. Free it with kring_engine_destroy. */
kring_engine* kring_engine_create(const char* site_id, size_t site_id_size);
/* An engine restored from a site snapshot; NULL on failure, with the reason code (enum kring_reason_code) in *reason. */
kring_engine* kring_engine_restore(const uint8_t* snapshot, size_t size, int* reason);
void kring_engine_destroy(kring_engine* engine);

/* Applies one op; returns the Outcome message. Malformed bytes give a rejected Outcome
 * with reason malformed_op, never a crash. */
const uint8_t* kring_apply(kring_engine* engine, const uint8_t* op, size_t op_size, size_t* out_size);

/* Applies every op of a log of frames ([u32 little-endian size][op bytes]), encoding each
 * outcome as kring_apply would. Returns the number of frames, or -1 for a truncated log;
 * *accepted (may be NULL) receives the number accepted. */
int64_t kring_apply_log(kring_engine* engine, const uint8_t* log, size_t size, uint32_t* accepted);

const uint8_t* kring_site_snapshot(kring_engine* engine, size_t* out_size);
/* The thread as the engine's member (kring_set_actor) may see it; everything when none is set.
 * NULL when the engine has no such thread. */
const uint8_t* kring_thread_snapshot(kring_engine* engine, const char* key, size_t key_size, size_t* out_size);
/* Replaces or adds a thread in a replica. Returns 0, or a reason code (see kring_last_error). */
int kring_load_thread_snapshot(kring_engine* engine, const uint8_t* snapshot, size_t size);

/* The thread in display order as JSON (not NUL-terminated); NULL for an unknown thread.
 * viewer (may be empty) fills in each post's myVote. */
const char* kring_thread_view(kring_engine* engine, const char* key, size_t key_size, int sort_order,
                              const char* viewer, size_t viewer_size, size_t* out_size);

/* Community metrics (docs/metrics.md) for [from_ms, to_ms) as JSON; thread_kind -1 for both
 * kinds, 0 discussions, 1 questions. NULL when the window is empty or the kind out of range. */
const char* kring_metrics_json(kring_engine* engine, int64_t from_ms, int64_t to_ms, int thread_kind,
                               size_t* out_size);

/* An Outcome message as JSON: {"opId","status","code","message","events":[names]};
 * NULL when the bytes are not an Outcome. */
const char* kring_outcome_json(kring_engine* engine, const uint8_t* outcome, size_t size, size_t* out_size);

/* --- A client of kring-server (docs/protocol.md): the engine is the client's replica. --- */

enum kring_op_kind {
  /* a = thread key, b = title, c = the host's thread ticket or empty (docs/protocol.md), number = 0
   * discussion / 1 question */
  KRING_OP_CREATE_THREAD = 0,
  KRING_OP_POST = 1,          /* a = thread key, b = parent post id (empty: top level), c = body */
  KRING_OP_EDIT = 2,          /* a = post id, c = new body */
  KRING_OP_DELETE = 3,        /* a = post id */
  KRING_OP_VOTE = 4,          /* a = post id, number = 0 retract / 1 up / 2 down */
  KRING_OP_ACCEPT = 5,        /* a = answer id */
  KRING_OP_UNACCEPT = 6,      /* a = answer id */
  KRING_OP_FLAG = 7,          /* a = post id, number = reason (0 spam, 1 offensive, 2 off-topic, 3 other) */
  /* number = action (ModerationAction in kring.capnp: 0 approve … 17 editTitle); a = its target: the
   * post id, or the thread key (lock, unlock, pin, unpin, editTitle), or the member id (silence …
   * setTrustLevel); b = the action's argument: "spam" for a reject as spam, the end in ms for suspend,
   * the role number for setRole, the level for setTrustLevel, the new title for editTitle, else empty;
   * c = the reason for the audit log */
  KRING_OP_MODERATE = 8,
  KRING_OP_UNDO = 9,          /* a = the moderator action's op id, c = the reason */
  /* What the member read since the last batch (the trust levels count it): a = the thread keys
   * entered, one per line; b = seconds reading, in decimal; c = thread keys entered in an earlier
   * batch whose posts were seen since, one per line; number = posts seen (at most the posts of the
   * threads named in a and c) */
  KRING_OP_READING = 10
};

/* The local member, as the server's Welcome names them; kring_make_op signs ops with it.
 * Returns 0, or a reason code (invalid_member) for an empty id or a role out of range. */
int kring_set_actor(kring_engine* engine, const char* member_id, size_t member_id_size, const char* display_name,
                    size_t display_name_size, int role);

/* Op bytes of the given kind (enum kring_op_kind) by the actor, at time_ms (milliseconds since the
 * epoch; the server replaces it, and the sequence). Strings may be NULL when their size is 0;
 * unused ones are ignored. NULL for an unknown kind, a number out of range or a negative time. */
const uint8_t* kring_make_op(kring_engine* engine, int kind, const char* op_id, size_t op_id_size, const char* a,
                             size_t a_size, const char* b, size_t b_size, const char* c, size_t c_size, int number,
                             int64_t time_ms, size_t* out_size);

/* ClientMessage bytes, one per WebSocket binary frame. */
/* token: the host's signed token (empty for a guest). guest_credential: for a guest, the
 * "guestCredential" of an earlier Welcome (empty the first time); it brings the same guest back. */
const uint8_t* kring_encode_hello(kring_engine* engine, const char* site_id, size_t site_id_size, const char* token,
                                  size_t token_size, const char* client_id, size_t client_id_size,
                                  const char* guest_credential, size_t guest_credential_size, size_t* out_size);
/* A fresh token for the signed-in member, sent before the Welcome's "tokenExpiresAt"; the server
 * answers with a new Welcome, or an error and a closed connection. */
const uint8_t* kring_encode_refresh_token(kring_engine* engine, const char* token, size_t token_size, size_t* out_size);
/* last_sequence 0 asks for a snapshot. */
const uint8_t* kring_encode_subscribe(kring_engine* engine, const char* key, size_t key_size, uint64_t last_sequence,
                                      size_t* out_size);
/* NULL when the op bytes do not decode. */
const uint8_t* kring_encode_submit(kring_engine* engine, const uint8_t* op, size_t op_size, size_t* out_size);
const uint8_t* kring_encode_ping(kring_engine* engine, uint64_t nonce, size_t* out_size);

/* Takes one ServerMessage: a thread snapshot is loaded into the engine when its last part arrives
 * (the engine keeps the earlier parts), events are applied to it.
 * Returns JSON (not NUL-terminated), one of
 *   {"type":"welcome","member":{"id","displayName","role","reputation","trustLevel","state","stateUntil"},"policy":{"settings":{…},"watchedWords":[…]},"guestCredential","tokenExpiresAt"}
 *       guestCredential: a guest's credential to store ("" when signed in); tokenExpiresAt: ms, 0 for a guest
 *   {"type":"snapshot","threadKey","lastSequence"}
 *   {"type":"snapshot_part","threadKey","receivedBytes","totalBytes"}  more parts of it are due
 *   {"type":"events","threadKey","fromSequence","lastSequence","opIds":[distinct, in order]}
 *   {"type":"rejected","opId","code","message"}      code: snake_case reason name
 *   {"type":"error","code","message"}
 *   {"type":"pong","nonce"}
 *   {"type":"invalid","message"}  bytes that do not decode, or a snapshot or events the replica
 *                                 refuses; the engine is then unchanged (resubscribe for a snapshot). */
const char* kring_receive(kring_engine* engine, const uint8_t* message, size_t size, size_t* out_size);

/* The highest site sequence the engine has applied, of any thread. */
uint64_t kring_last_sequence(const kring_engine* engine);
/* The highest sequence the replica holds of one thread (its snapshot's, then its events'); 0 for a
 * thread it does not hold. Resubscribe to a thread with this, not with kring_last_sequence: another
 * thread's events may have arrived while this one's were still in flight. */
uint64_t kring_thread_last_sequence(const kring_engine* engine, const char* key, size_t key_size);
/* The message of the last failed call, NUL-terminated; empty when it succeeded. */
const char* kring_last_error(const kring_engine* engine);

/* Every enum's snake_case names as JSON ({"role":["member",…],"reason_code":[…],…}), index = value;
 * static, not NUL-terminated. Bindings build their tables from it instead of copying them. */
const char* kring_enum_tables(size_t* out_size);

#ifdef __cplusplus
}
#endif

#endif /* KRING_KRING_H_ */
