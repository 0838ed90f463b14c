#!/usr/bin/env bash
# make format: the C and C++ sources through clang-format (.clang-format), the TypeScript through
# Prettier (.prettierrc.json). With --check it changes nothing and fails on a file that differs.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t native < <(git ls-files '*.c' '*.h' '*.cpp')
mapfile -t typescript < <(git ls-files 'host-adapters/web/*.ts')
prettier=host-adapters/web/node_modules/.bin/prettier
if [ "${1:-}" = "--check" ]; then
  clang-format --dry-run --Werror "${native[@]}"
  "$prettier" --config .prettierrc.json --check --log-level warn "${typescript[@]}"
else
  clang-format -i "${native[@]}"
  "$prettier" --config .prettierrc.json --write --log-level warn "${typescript[@]}"
fi
