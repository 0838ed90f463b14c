#!/bin/sh
# Prints raw and gzip sizes of the wasm core's files.
for file in "$@"; do
  raw=$(wc -c < "$file")
  gz=$(gzip -9 -c "$file" | wc -c)
  printf 'wasm size: %-16s raw %7d bytes  gzip %7d bytes\n' "$(basename "$file")" "$raw" "$gz"
done
