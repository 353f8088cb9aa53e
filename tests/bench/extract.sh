#!/usr/bin/env bash
# Benchmark (not a test): restoring whole volumes. The 100,000-file volume of ntfs_tree.sh
# and the NTFS volume of the 8 GiB disk of convert.sh, each extracted whole, in the same run:
# `diskimg extract`, `tsk_recover -a` (The Sleuth Kit), an ntfs-3g read-only mount copied
# with `cp -a`, and `cp -a` of the same tree from a plain directory (the bytes alone: the
# limit). Wall time (best of two) and peak memory; outputs on tmpfs by default. Needs root
# (the mounts; the volumes are made once and cached).
#
#   tests/bench/extract.sh [BUILD_DIR]      (DISKIMG_BENCH_OUT: where outputs go)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
work=$build/bench
out=${DISKIMG_BENCH_OUT:-/dev/shm/diskimg-bench-extract}
diskimg=$build/examples/diskimg
source "$root/tests/bench/bench_disk.sh"
mkdir -p "$work" "$out"
[ -f "$work/ntfs-100k.img" ] || "$root/tests/bench/ntfs_tree.sh" "$build" > /dev/null
make_bench_disk "$work/p2v-8g.img"
mnt=$(mktemp -d)
loop=""
cleanup() {
  umount "$mnt" 2>/dev/null || true
  [ -z "$loop" ] || losetup -d "$loop" 2>/dev/null || true
  rmdir "$mnt"
  rm -rf "${out:?}"/*
}
trap cleanup EXIT

best_of_two() {  # best_of_two NAME COMMAND...: "seconds peak_kib" of the faster run
  local best="" timing
  for _ in 1 2; do
    rm -rf "${out:?}/$1"; sync
    /usr/bin/time -f "%e %M" -o "$work/time.txt" "${@:2}" > /dev/null 2>&1 || true
    timing=$(tail -1 "$work/time.txt")
    if [ -z "$best" ] || [ "$(echo "${timing%% *} < ${best%% *}" | bc -l)" = 1 ]; then best=$timing; fi
  done
  echo "$best"
}

bench_volume() {  # bench_volume LABEL DEVICE: DEVICE holds the NTFS volume
  local label=$1 device=$2
  cat "$device" > /dev/null  # every reader starts from the page cache
  printf '%s\n%-22s %9s %10s %10s\n' "$label" run seconds "peak MiB" files
  report() {
    read -r seconds peak <<< "$2"
    printf '%-22s %9.2f %10.1f %10s\n' "$1" "$seconds" "$(echo "$peak / 1024" | bc -l)" \
      "$(find "$out/$3" -type f 2>/dev/null | wc -l)"
  }
  report "diskimg extract" "$(best_of_two diskimg "$diskimg" extract "$device" / -o "$out/diskimg" --streams sidecar)" diskimg
  report "tsk_recover -a" "$(best_of_two tsk "tsk_recover" -a "$device" "$out/tsk")" tsk
  ntfs-3g -o ro "$device" "$mnt"
  report "ntfs-3g + cp -a" "$(best_of_two ntfs3g cp -a "$mnt/." "$out/ntfs3g")" ntfs3g
  rm -rf "${out:?}/plain"; cp -a "$mnt/." "$out/plain"
  umount "$mnt"
  report "cp -a (plain tree)" "$(best_of_two copy cp -a "$out/plain/." "$out/copy")" copy
  rm -rf "${out:?}"/*
}

bench_volume "100,000 files (ntfs-100k.img)" "$work/ntfs-100k.img"
start=$(sgdisk -i 1 "$work/p2v-8g.img" | sed -n 's/^First sector: \([0-9]*\).*/\1/p')
sectors=$(sgdisk -i 1 "$work/p2v-8g.img" | sed -n 's/^Partition size: \([0-9]*\) sectors.*/\1/p')
loop=$(losetup -f --show -r -o $((start * 512)) --sizelimit $((sectors * 512)) "$work/p2v-8g.img")
bench_volume "2 GiB in 2,000 files (p2v-8g.img, partition 1)" "$loop"
