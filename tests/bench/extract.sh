#!/usr/bin/env bash
# Benchmark (not a test): restoring whole volumes. The 100,000-file volume of ntfs_tree.sh
# and the NTFS volume of the 8 GiB disk of convert.sh, each extracted whole, in the same run:
# `diskimg extract`, `tsk_recover -a` (The Sleuth Kit), an ntfs-3g read-only mount copied
# with `cp -a`, and `cp -a` of the same tree from a plain directory (the bytes alone: the
# limit). diskimg and tsk_recover read the image file (the partition by its offset);
# ntfs-3g needs a device, so it mounts a read-only loop device over the partition (a
# mount per run, its time counted), and diskimg is timed through that device too. Wall
# time (median of DISKIMG_BENCH_RUNS runs, 3 unless set: writing to tmpfs varies by half
# from run to run here; with an even count, the lower middle run) and peak memory; outputs
# on tmpfs by default. Last, two references for what writing alone costs: the same file
# sizes written with nothing read (write_floor.cpp, built here with c++), bare and with the
# metadata diskimg sets on each file.
# Needs root (the mounts; the volumes are made once and cached).
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
c++ -O2 -std=c++20 -o "$work/write_floor" "$root/tests/bench/write_floor.cpp"
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

runs=${DISKIMG_BENCH_RUNS:-3}
if ! [[ $runs =~ ^[1-9][0-9]*$ ]]; then
  echo "extract.sh: DISKIMG_BENCH_RUNS must be a count of runs, not '$runs'" >&2
  exit 2
fi
median_run() {  # median_run NAME COMMAND...: "seconds peak_kib" of the median of $runs runs
  local times=()
  for _ in $(seq "$runs"); do
    rm -rf "${out:?}/$1"; sync
    # A run that fails is not a time: the row says so instead (report prints "failed").
    if ! /usr/bin/time -f "%e %M" -o "$work/time.txt" "${@:2}" > /dev/null 2> "$work/stderr.txt"; then
      echo "extract.sh: $1 failed: $(tail -3 "$work/stderr.txt")" >&2
      echo failed
      return 0
    fi
    times+=("$(tail -1 "$work/time.txt")")
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p"
}

bench_volume() {  # bench_volume LABEL IMAGE SECTOR_OFFSET: the NTFS volume at that sector of IMAGE
  local label=$1 image=$2 sector=$3 volume=() tsk_offset=() device
  if [ "$sector" != 0 ]; then volume=(--volume 0); tsk_offset=(-o "$sector"); fi
  # The file's readers first, then the device's: the device caches its own copy of the
  # bytes, and reading it all can push the file's copy out of the page cache.
  cat "$image" > /dev/null
  printf '%s\n%-28s %9s %10s %10s\n' "$label" run seconds "peak MiB" files
  report() {
    if [ "$2" = failed ]; then
      printf '%-28s %9s\n' "$1" failed
      return
    fi
    read -r seconds peak <<< "$2"
    printf '%-28s %9.2f %10.1f %10s\n' "$1" "$seconds" "$(echo "$peak / 1024" | bc -l)" \
      "$(find "$out/$3" -type f 2>/dev/null | wc -l)"
  }
  report "diskimg extract" \
    "$(median_run diskimg "$diskimg" extract "$image" "${volume[@]}" / -o "$out/diskimg" --streams sidecar)" diskimg
  report "tsk_recover -a" "$(median_run tsk tsk_recover -a "${tsk_offset[@]}" "$image" "$out/tsk")" tsk
  device=$(losetup -f --show -r -o $((sector * 512)) "$image")
  loop=$device
  cat "$device" > /dev/null
  report "diskimg extract (loop dev)" \
    "$(median_run diskimg "$diskimg" extract "$device" / -o "$out/diskimg" --streams sidecar)" diskimg
  # Mounted afresh for each run: a second cp -a of the same mount reads the kernel's cache
  # of the FUSE files (2 s where the first took 5.6 s), not ntfs-3g.
  report "ntfs-3g + cp -a (loop dev)" "$(median_run ntfs3g bash -c \
    'ntfs-3g -o ro "$1" "$2" && cp -a "$2/." "$3"; status=$?; umount "$2"; exit $status' \
    - "$device" "$mnt" "$out/ntfs3g")" ntfs3g
  ntfs-3g -o ro "$device" "$mnt"
  rm -rf "${out:?}/plain"; cp -a "$mnt/." "$out/plain"
  umount "$mnt"
  losetup -d "$device"; loop=""
  report "cp -a (plain tree)" "$(median_run copy cp -a "$out/plain/." "$out/copy")" copy
  report "write floor (write_floor)" "$(median_run floor "$work/write_floor" "$out/plain" "$out/floor")" floor
  report "write floor, with metadata" \
    "$(median_run floor "$work/write_floor" "$out/plain" "$out/floor" metadata)" floor
  rm -rf "${out:?}"/*
}

bench_volume "100,000 files (ntfs-100k.img)" "$work/ntfs-100k.img" 0
start=$(sgdisk -i 1 "$work/p2v-8g.img" | sed -n 's/^First sector: \([0-9]*\).*/\1/p')
bench_volume "2 GiB in 2,000 files (p2v-8g.img, partition 1)" "$work/p2v-8g.img" "$start"
