#!/usr/bin/env bash
# The build itself refuses an upward include: a scratch configuration adds a probe file to a
# layer (DISKIMG_LAYER_PROBE), and building that layer must fail when the probe includes a
# header from above it, and succeed when it includes one from below.
# Usage: probe_test.sh SOURCE_DIR WORK_DIR GENERATOR CXX_COMPILER
set -euo pipefail
source_dir=$1 work=$2 generator=$3 compiler=$4
rm -rf "$work"

probe() {  # LAYER HEADER -> builds the layer's probe object; prints the build log
  local build="$work/$1-$(echo "$2" | tr '/.' '__')"
  cmake -S "$source_dir" -B "$build" -G "$generator" -DCMAKE_CXX_COMPILER="$compiler" \
    -DDISKIMG_TESTS=OFF -DDISKIMG_TOOL=OFF -DDISKIMG_PYTHON=OFF \
    -DDISKIMG_LAYER_PROBE="$1:$2" >/dev/null
  cmake --build "$build" --target "lib/CMakeFiles/diskimg_$1.dir/__/layers/$1/probe/layer_probe.cpp.o" 2>&1
}

if log=$(probe ntfs diskimg/convert/plan.hpp); then
  echo "FAIL: the ntfs layer built with an include of diskimg/convert/plan.hpp"; exit 1
fi
grep -q "diskimg/convert/plan.hpp: No such file or directory" <<<"$log" ||
  { echo "FAIL: the ntfs probe failed for another reason:"; echo "$log"; exit 1; }
echo "ok: ntfs including convert/plan.hpp does not build"

if log=$(probe convert layout/gpt_structures.hpp); then
  echo "FAIL: the convert layer built with layout's private gpt_structures.hpp"; exit 1
fi
grep -q "gpt_structures.hpp: No such file or directory" <<<"$log" ||
  { echo "FAIL: the convert probe failed for another reason:"; echo "$log"; exit 1; }
echo "ok: convert including layout's private gpt_structures.hpp does not build"

probe ntfs diskimg/source/byte_source.hpp >/dev/null ||
  { echo "FAIL: the ntfs layer cannot include diskimg/source/byte_source.hpp"; exit 1; }
echo "ok: ntfs including source/byte_source.hpp builds"
rm -rf "$work"
