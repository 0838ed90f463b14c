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

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kring_engine kring_engine;

enum kring_sort_order { KRING_SORT_TOP = 0, KRING_SORT_NEWEST = 1, KRING_SORT_OLDEST = 2 };

/* A new, empty engine for one site. Free it with kring_engine_destroy. */
kring_engine* kring_engine_create(const char* site_id, size_t site_id_size);
/* An engine restored from a site snapshot; NULL on failure, with the reason code in *reason. */
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
/* NULL when the engine has no such thread. */
const uint8_t* kring_thread_snapshot(kring_engine* engine, const char* key, size_t key_size, size_t* out_size);
/* Replaces or adds a thread in a replica. Returns 0, or a reason code (see kring_last_error). */
int kring_load_thread_snapshot(kring_engine* engine, const uint8_t* snapshot, size_t size);

/* The thread in display order as JSON (not NUL-terminated); NULL for an unknown thread.
 * viewer (may be empty) fills in each post's myVote. */
const char* kring_thread_view(kring_engine* engine, const char* key, size_t key_size, int sort_order,
                              const char* viewer, size_t viewer_size, size_t* out_size);

/* An Outcome message as JSON: {"opId","status","code","message","events":[names]};
 * NULL when the bytes are not an Outcome. */
const char* kring_outcome_json(kring_engine* engine, const uint8_t* outcome, size_t size, size_t* out_size);

uint64_t kring_last_sequence(const kring_engine* engine);
/* The message of the last failed call, NUL-terminated; empty when it succeeded. */
const char* kring_last_error(const kring_engine* engine);

#ifdef __cplusplus
}
#endif

#endif /* KRING_KRING_H_ */
