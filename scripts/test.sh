#!/usr/bin/env bash
# make test: each phase in turn, then every test, and at the end a table of where the minutes went
# (each phase's wall time; each test group's summed test time, which ctest -j overlaps).
set -uo pipefail
cd "$(dirname "$0")/.."
jobs="${JOBS:-$(nproc)}"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
declare -a phases=()
status=0

phase() {
  local name="$1"
  shift
  local start=$SECONDS
  "$@"
  local result=$?
  phases+=("$(printf '%-38s %6ds%s' "$name" $((SECONDS - start)) "$([ $result -eq 0 ] || echo '  FAILED')")")
  return $result
}

run_all() {
  phase setup bash scripts/setup.sh || return 1
  phase "native build" bash -c 'cmake --preset native >/dev/null && cmake --build build/native -j '"$jobs" || return 1
  phase "wasm build" bash -c 'cmake --preset wasm >/dev/null && cmake --build build/wasm -j '"$jobs" || return 1
  phase "web build" bash -c 'cd host-adapters/web && node_modules/.bin/tsc --noEmit -p . && node build.mjs' || return 1
  phase "fuzz build" bash -c 'cmake --preset fuzz >/dev/null && cmake --build build/fuzz -j '"$jobs" || return 1
  phase "tests (ctest -j $jobs)" bash -c 'ctest --test-dir build/native --output-on-failure -j '"$jobs"' 2>&1 | tee '"$log"'; exit ${PIPESTATUS[0]}'
}

run_all || status=1

echo
echo "make test: where the time went"
for line in "${phases[@]}"; do echo "  $line"; done
if [ -s "$log" ]; then
  echo "  test groups (summed test time; ctest runs them side by side):"
  # "12/429 Test #17: core:a name ...   Passed    0.37 sec": the group is the name's prefix before ':'.
  sed -n 's/^ *[0-9]*\/[0-9]* Test *#[0-9]*: \(.*\) \.\.*.* \([0-9.]*\) sec$/\1\t\2/p' "$log" |
    awk -F'\t' '{ group = $1; if (index(group, ":") > 0) group = substr(group, 1, index(group, ":") - 1);
                  time[group] += $2; count[group]++ }
                END { for (g in time) printf "    %-36s %6.0fs  %4d tests\n", g, time[g], count[g] }' | sort -k2 -n -r
fi
exit $status
