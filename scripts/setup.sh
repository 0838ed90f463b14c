#!/usr/bin/env bash
# Installs everything the build and tests need on a fresh Debian 12 machine.
# Idempotent: each step checks before it acts, so a second run takes seconds.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
deps="$root/build/deps"
mkdir -p "$deps"

packages=(
  build-essential cmake ninja-build pkg-config clang-format
  emscripten node-acorn binaryen nodejs
  capnproto libcapnp-dev
  libboost1.81-dev libboost-json1.81-dev
  catch2 libsqlite3-dev libssl-dev openssl libcli11-dev libmd4c-dev zlib1g-dev
  postgresql libpq-dev libpqxx-dev
  clang-14 libclang-rt-14-dev
  dpkg-dev
  chromium
  libcurl4-openssl-dev libxml2-dev python3-aiosmtpd
  libicu-dev  # the core's Unicode folding tables (sdk/unicode)
  zopfli  # the widget's .gz files (host-adapters/web/build.mjs)
)

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Cap'n Proto for wasm: Debian packages no wasm build, so build kj + capnp (lite) from Debian's source package.
# Twice: -O2 for the core that tests and benchmarks run (with -Oz its accessors are not inlined and the
# wasm core runs at a fifth of native speed), and -Oz for the widget's browser core, where bytes count.
capnp_version="$(dpkg-query -W -f='${Version}' libcapnp-dev | sed 's/-.*//')"
# Built with the source's path mapped away: kj's messages carry __FILE__, and an absolute path made the
# widget's bytes depend on where the repository was cloned.
capnp_builds=("capnp-wasm:-O2:o2-lto-mapped" "capnp-wasm-oz:-Oz:oz-lto-mapped")
capnp_needed=()
for build in "${capnp_builds[@]}"; do
  IFS=: read -r dir _ tag <<<"$build"
  [ -f "$deps/$dir/.built-$capnp_version-$tag" ] || capnp_needed+=("$build")
done
if [ ${#capnp_needed[@]} -gt 0 ]; then
  sources=/etc/apt/sources.list.d/debian.sources
  if [ -f "$sources" ] && ! grep -q 'deb-src' "$sources"; then
    "${sudo_cmd[@]}" sed -i 's/^Types: deb$/Types: deb deb-src/' "$sources"
    "${sudo_cmd[@]}" apt-get update -qq
  fi
  src_parent="$deps/capnp-src"
  rm -rf "$src_parent" && mkdir -p "$src_parent"
  (cd "$src_parent" && apt-get source -qq --download-only "capnproto=$(dpkg-query -W -f='${Version}' libcapnp-dev)" >/dev/null 2>&1 \
     || apt-get source -qq --download-only capnproto >/dev/null)
  (cd "$src_parent" && dpkg-source -x --no-check ./*.dsc src >/dev/null)
  src="$src_parent/src"
  # kj traps on its first exception in wasm when built with -pthread.
  sed -i 's/if (NOT ANDROID)/if (NOT ANDROID AND NOT EMSCRIPTEN)/' "$src/CMakeLists.txt"
  export NODE_PATH=/usr/share/nodejs
  for build in "${capnp_needed[@]}"; do
    IFS=: read -r dir optimise tag <<<"$build"
    capnp_wasm="$deps/$dir"
    rm -rf "$capnp_wasm" "$src_parent/build"
    emcmake cmake -S "$src" -B "$src_parent/build" -G Ninja \
      -DCMAKE_BUILD_TYPE=Release -DCAPNP_LITE=ON -DBUILD_TESTING=OFF -DWITH_OPENSSL=OFF -DWITH_ZLIB=OFF \
      -DCMAKE_CXX_FLAGS="-fwasm-exceptions -fno-rtti $optimise -flto -ffile-prefix-map=$src=capnp" \
      -DCMAKE_INSTALL_PREFIX="$capnp_wasm" >/dev/null
    cmake --build "$src_parent/build" --target kj capnp -j"$(nproc)" >/dev/null
    mkdir -p "$capnp_wasm/lib" "$capnp_wasm/include"
    cp "$src_parent/build/src/kj/libkj.a" "$src_parent/build/src/capnp/libcapnp.a" "$capnp_wasm/lib/"
    (cd "$src/src" && find kj capnp -name '*.h' -exec cp --parents {} "$capnp_wasm/include/" \;)
    touch "$capnp_wasm/.built-$capnp_version-$tag"
    echo "setup: built Cap'n Proto $capnp_version ($optimise) for wasm in $capnp_wasm"
  done
  rm -rf "$src_parent"
fi

# Boost.JSON header-only in wasm needs an include folder holding only boost/.
mkdir -p "$deps/boost-include"
[ -e "$deps/boost-include/boost" ] || ln -s /usr/include/boost "$deps/boost-include/boost"

# npm packages from the committed lockfile.
if [ -f "$root/package-lock.json" ]; then
  stamp="$root/node_modules/.lock-stamp"
  if [ ! -f "$stamp" ] || ! cmp -s "$root/package-lock.json" "$stamp"; then
    (cd "$root" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$root/package-lock.json" "$stamp"
  fi
fi

# The widget's packages (Lit, DOMPurify, marked, esbuild, TypeScript, playwright-core) from its own lockfile.
web="$root/host-adapters/web"
stamp="$web/node_modules/.lock-stamp"
if [ ! -f "$stamp" ] || ! cmp -s "$web/package-lock.json" "$stamp"; then
  (cd "$web" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$web/package-lock.json" "$stamp"
fi
