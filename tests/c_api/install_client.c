/* A native developer's first program: built from the installed kring.h and kring.pc alone
 * (install_pkg_config.sh copies it out of the source tree). It prints what the test compares. */
#include <stdio.h>
#include <string.h>

#include <kring/kring.h>

/* Whether text (size bytes, not NUL-terminated) holds part. */
static int contains(const char* text, size_t size, const char* part) {
  const size_t length = strlen(part);
  for (size_t i = 0; i + length <= size; ++i) {
    if (memcmp(text + i, part, length) == 0) return 1;
  }
  return 0;
}

/* Applies op bytes and prints the outcome's status as kring_outcome_json gives it. */
static int apply(kring_engine* engine, const char* what, const uint8_t* op, size_t op_size) {
  size_t size = 0;
  const uint8_t* outcome = kring_apply(engine, op, op_size, &size);
  const char* json = outcome ? kring_outcome_json(engine, outcome, size, &size) : NULL;
  if (json == NULL) return 0;
  printf("%s: %s\n", what, contains(json, size, "\"status\":\"accepted\"") ? "accepted" : "not accepted");
  return 1;
}

int main(void) {
  const uint8_t* op = NULL;
  size_t op_size = 0;
  size_t size = 0;
  kring_engine* engine = kring_engine_create("acme", 4);
  if (engine == NULL || kring_abi_version() != KRING_ABI_VERSION) return 2;
  printf("kring %s\n", kring_version());
  if (kring_set_actor(engine, "ann", 3, "Ann", 3, KRING_ROLE_STAFF) != KRING_OK) return 3;
  if (kring_op_create_thread(engine, "t-1", "/boots", "Boots", KRING_THREAD_KIND_QUESTION, NULL, 1700000000000, &op,
                             &op_size) != KRING_OK ||
      !apply(engine, "thread", op, op_size)) {
    return 4;
  }
  if (kring_op_post(engine, "p-1", "/boots", NULL, "Do they run small?", 1700000001000, &op, &op_size) != KRING_OK ||
      !apply(engine, "post", op, op_size)) {
    return 5;
  }
  const char* view = kring_thread_view(engine, "/boots", 6, KRING_SORT_TOP, NULL, 0, &size);
  if (view == NULL) return 6;
  printf("view: title %s, post %s\n", contains(view, size, "\"title\":\"Boots\"") ? "Boots" : "missing",
         contains(view, size, "\"body\":\"Do they run small?\"") ? "shown" : "missing");
  kring_engine_destroy(engine);
  return 0;
}
