#!/bin/sh
# A native developer's install: cmake --install into a fresh prefix, then a C program outside the
# source and build trees built with pkg-config's flags alone, linked shared and static, run.
# Usage: install_pkg_config.sh <build dir> <install_client.c>
set -eu
build_dir=$1
client_source=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

cmake --install "$build_dir" --prefix "$prefix" > "$work/install.log"
cp "$client_source" "$work/client.c"
cd "$work"
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"

fail() { echo "install_pkg_config: $*" >&2; exit 1; }
[ -f "$prefix/include/kring/kring.h" ] && [ -f "$prefix/include/kring/kring_enums.h" ] ||
  fail "cmake --install put no kring.h and kring_enums.h in $prefix/include/kring"
pkg-config --exists kring || fail "cmake --install put no kring.pc in $prefix/lib/pkgconfig"
abi=$(sed -n 's/^#define KRING_ABI_VERSION \([0-9]*\)$/\1/p' "$prefix/include/kring/kring.h")
version=$(pkg-config --modversion kring)
[ -n "$abi" ] || fail "the installed kring.h names no KRING_ABI_VERSION"
expected="kring $version
thread: accepted
post: accepted
view: title Boots, post shown"

# Shared: the library's SONAME follows the ABI, the program needs it, and runs from the prefix.
readelf -d "$prefix/lib/libkring.so" | grep -q "(SONAME).*\[libkring.so.$abi\]" || fail "libkring.so has no SONAME libkring.so.$abi"
readelf --dyn-syms -W "$prefix/lib/libkring.so" | awk '$1 ~ /^[0-9]+:$/ && $7 != "UND" && $8 != "" { print $8 }' | grep -v '^kring_' \
  && fail "libkring.so exports more than the kring_ calls"
# shellcheck disable=SC2046  # pkg-config's flags are words
cc -o client-shared client.c $(pkg-config --cflags --libs kring)
readelf -d client-shared | grep -q "(NEEDED).*\[libkring.so.$abi\]" || fail "client-shared does not need libkring.so.$abi"
shared=$(LD_LIBRARY_PATH="$prefix/lib" ./client-shared) || fail "client-shared exited with $?"
[ "$shared" = "$expected" ] || fail "client-shared printed:
$shared
expected:
$expected"

# Static: libkring.a and everything pkg-config --static lists, no shared library at all.
# shellcheck disable=SC2046
cc -static -o client-static client.c $(pkg-config --static --cflags --libs kring)
readelf -d client-static | grep -q NEEDED && fail "client-static needs a shared library"
static=$(./client-static) || fail "client-static exited with $?"
[ "$static" = "$expected" ] || fail "client-static printed:
$static
expected:
$expected"
echo "install_pkg_config: kring $version (ABI $abi) links shared and static from $prefix"
