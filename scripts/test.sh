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

phase() { echo "== $1 (at ${SECONDS} s)"; }

# -O1 with line tables: what ASan's documentation suggests, and a third quicker to compile
# than -O2 -g; stack traces keep their file and line.
phase "sanitized build (clang, ASan+UBSan, fuzz harnesses)"
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG" -DDISKIMG_FUZZ=ON >/dev/null
cmake --build build-fuzz -j "$jobs"
phase "sanitized tests"
ctest --test-dir build-fuzz --output-on-failure -j "$jobs"
phase "fuzzing"
bash scripts/fuzz.sh build-fuzz "${DISKIMG_FUZZ_SECONDS:-30}"

phase "normal build"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$jobs"
phase "normal tests"
ctest --test-dir build --output-on-failure -j "$jobs"
phase "done"
