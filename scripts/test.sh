#!/usr/bin/env bash
# Builds and runs every test: README command (2), and what CI runs (.ci/run).
#  1. installs dependencies (scripts/setup.sh, idempotent);
#  2. a clang build with ASan+UBSan: the unit, command-line and Python tests, then every
#     libFuzzer harness for DISKIMG_FUZZ_SECONDS (default 30) each;
#  3. the normal build: the tests a sanitized build cannot run (installation, layering,
#     documentation).
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
# A libFuzzer run keeps one core busy: the fuzzing (its time is wall-clock time) and the
# normal build share the machine, and the fuzzing's report follows when both are done.
phase "fuzzing (in the background), normal build"
bash scripts/fuzz.sh build-fuzz "${DISKIMG_FUZZ_SECONDS:-30}" > build-fuzz/fuzz-output.txt 2>&1 &
fuzzing=$!

# The unit, command-line and Python suites ran above, under the sanitizers. The normal build
# adds what a sanitized one cannot test (installing the library and the Python package,
# the layering of the headers, the architecture drawing, the API reference): only the
# targets those need are built, to keep CI within its time.
normal=0
# At a lower priority: the fuzzer's one core keeps its speed, and its per-input time limit
# (wall time) keeps its meaning.
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null &&
  nice -n 10 cmake --build build -j "$jobs" --target diskimg-tool diskimg_python &&
  phase "normal tests" &&
  nice -n 10 ctest --test-dir build --output-on-failure -j "$jobs" -E '^(unit|cli/.*|python/.*)$' || normal=$?

fuzz_status=0
wait "$fuzzing" || fuzz_status=$?
phase "fuzzing report"
cat build-fuzz/fuzz-output.txt
# What pytest skipped, and why (-rs): the data or tools a suite lacked, never silently.
skips=$(grep -h '^SKIPPED \[' build-fuzz/Testing/Temporary/LastTest.log 2>/dev/null | sort -u || true)
if [ -n "$skips" ]; then
  echo "Tests skipped (what they lacked):"
  echo "$skips" | sed 's/^/  /'
else
  echo "No test was skipped."
fi
phase "done"
if [ "$normal" -ne 0 ] || [ "$fuzz_status" -ne 0 ]; then
  echo "test.sh: failed (normal build and tests: exit $normal; fuzzing: exit $fuzz_status)" >&2
  exit 1
fi
