#!/usr/bin/env bash
# Builds and runs every test: README command (2), and what CI runs (.ci/run).
#  1. installs dependencies (scripts/setup.sh, idempotent);
#  2. a clang build with ASan+UBSan: unit and command-line tests, then every libFuzzer
#     harness for DISKIMG_FUZZ_SECONDS (default 30) each;
#  3. the normal build: every test, the install/consumer test included.
# Exits non-zero when anything fails.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
jobs=$(nproc)

bash scripts/setup.sh

echo "== sanitized build (clang, ASan+UBSan, fuzz harnesses)"
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DDISKIMG_FUZZ=ON >/dev/null
cmake --build build-fuzz -j "$jobs"
ctest --test-dir build-fuzz --output-on-failure -j "$jobs"
bash scripts/fuzz.sh build-fuzz "${DISKIMG_FUZZ_SECONDS:-30}"

echo "== normal build"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$jobs"
ctest --test-dir build --output-on-failure -j "$jobs"
