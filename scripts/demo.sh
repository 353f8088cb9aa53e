#!/usr/bin/env bash
# README command (1): installs dependencies, builds the tool (the library and `diskimg`
# only: tests, bindings and fuzzers are the second command's) and runs the main job on the
# bundled sample disk (examples/sample-disk, made by its make.sh with real tools).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc)" --target diskimg-tool

sample=build/sample-disk.img
[ -f "$sample" ] || gzip -dc examples/sample-disk/sample-disk.img.gz > "$sample"
echo "== diskimg inspect $sample"
build/examples/diskimg inspect "$sample"
echo
echo "== diskimg convert $sample -o build/sample-disk.vhd (only what is in use)"
build/examples/diskimg convert "$sample" -o build/sample-disk.vhd --force
build/examples/diskimg check build/sample-disk.vhd
