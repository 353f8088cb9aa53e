#!/usr/bin/env bash
# Benchmark (not a test): `diskimg convert` of an 8 GiB disk whose NTFS volume holds about
# 2 GiB of files over stale random data, into a dynamic VHD and a dynamic VHDX, against, in
# the same run: qemu-img convert to a dynamic VHD and to a dynamic VHDX, ntfsclone --save-image and partclone.ntfs -c of the NTFS volume, and cat of
# just the used bytes (the physical limit). Wall time and peak memory from a timed run;
# bytes read and written from a second run under strace (its overhead is kept out of the
# times). Needs root (the ntfs-3g mount that fills the volume; the disk is cached).
#
#   tests/bench/convert.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
work=$build/bench
out=${DISKIMG_BENCH_OUT:-$work/convert-out}
disk=$work/p2v-8g.img
mkdir -p "$work" "$out"
source "$root/tests/fixtures/lib.sh"
source "$root/tests/bench/bench_disk.sh"

make_bench_disk "$disk"
start=$(sgdisk -i 1 "$disk" | sed -n 's/^First sector: \([0-9]*\).*/\1/p')
sectors=$(sgdisk -i 1 "$disk" | sed -n 's/^Partition size: \([0-9]*\) sectors.*/\1/p')
loop=$(losetup -f --show -r -o $((start * 512)) --sizelimit $((sectors * 512)) "$disk")
trap 'losetup -d "$loop"' EXIT
cat "$disk" > /dev/null  # warm the page cache for every tool alike

used=$("$build/examples/diskimg" usedmap --json "$disk" | /usr/bin/python3 -c '
import json, sys
m = json.load(sys.stdin)
print(m["used_clusters"] * m["cluster_size"], m["cluster_size"], m["total_clusters"])')
read -r used_bytes cluster_size total_clusters <<< "$used"

# cat of just the used bytes: the clusters the used map names, read and written in order.
"$build/examples/diskimg" usedmap --json "$disk" | /usr/bin/python3 -c '
import json, sys
m = json.load(sys.stdin)
for first, count in m["extents"]:
    print(first, count)' > "$work/extents.txt"
cat_used() {
  /usr/bin/python3 - "$loop" "$cluster_size" "$work/extents.txt" "$out/cat.raw" <<'PY'
import os, sys
device, cluster, extents, target = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
src = os.open(device, os.O_RDONLY)
dst = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
for line in open(extents):
    first, count = map(int, line.split())
    offset, remaining = first * cluster, count * cluster
    while remaining:
        piece = os.pread(src, min(remaining, 4 << 20), offset)
        os.pwrite(dst, piece, offset)
        offset += len(piece); remaining -= len(piece)
PY
}

declare -A commands=(
  [diskimg]="$build/examples/diskimg convert $disk -o $out/diskimg.vhd --force"
  [diskimg-2m]="$build/examples/diskimg convert $disk -o $out/diskimg-2m.vhd --force --block-size 2M"
  [qemu-img]="qemu-img convert -f raw -O vpc -o subformat=dynamic $disk $out/qemu.vhd"
  [diskimg-vhdx]="$build/examples/diskimg convert $disk -o $out/diskimg.vhdx --force"
  [qemu-img-vhdx]="qemu-img convert -f raw -O vhdx -o subformat=dynamic $disk $out/qemu.vhdx"
  [ntfsclone]="ntfsclone --save-image --force --quiet -o $out/ntfsclone.img $loop"
  [partclone]="partclone.ntfs -c -q -L /dev/null -s $loop -o $out/partclone.img"
  [cat-used]="cat_used"
)
declare -A outputs=([diskimg]=$out/diskimg.vhd [diskimg-2m]=$out/diskimg-2m.vhd [qemu-img]=$out/qemu.vhd
         [diskimg-vhdx]=$out/diskimg.vhdx [qemu-img-vhdx]=$out/qemu.vhdx [ntfsclone]=$out/ntfsclone.img
         [partclone]=$out/partclone.img [cat-used]=$out/cat.raw)

printf '%-14s %9s %12s %14s %14s %14s\n' tool seconds "peak MiB" "bytes read" "bytes written" "output bytes"
for tool in diskimg diskimg-2m qemu-img diskimg-vhdx qemu-img-vhdx ntfsclone partclone cat-used; do
  # Best of two timed runs: the first run after another tool's output pays for its writeback.
  best=""
  for _ in 1 2; do
    rm -f "${outputs[$tool]}"; sync
    if [ "$tool" = cat-used ]; then
      /usr/bin/time -f "%e %M" -o "$work/time.txt" \
        bash -c "$(declare -f cat_used); loop=$loop cluster_size=$cluster_size work=$work out=$out; cat_used"
    else
      /usr/bin/time -f "%e %M" -o "$work/time.txt" ${commands[$tool]} > /dev/null 2>&1
    fi
    run_time=$(tail -1 "$work/time.txt")
    if [ -z "$best" ] || [ "$(echo "${run_time%% *} < ${best%% *}" | bc -l)" = 1 ]; then best=$run_time; fi
  done
  timing=$best
  size=$(stat -c %s "${outputs[$tool]}")
  rm -f "${outputs[$tool]}"
  # Bytes through read/write system calls, from a second run under strace.
  if [ "$tool" = cat-used ]; then
    bytes=$(io_bytes bash -c "$(declare -f cat_used); loop=$loop cluster_size=$cluster_size work=$work out=$out; cat_used")
  else
    bytes=$(io_bytes ${commands[$tool]})
  fi
  rm -f "${outputs[$tool]}"
  read -r seconds peak_kib <<< "$timing"
  read -r bytes_read bytes_written <<< "$bytes"
  printf '%-14s %9.2f %12.1f %14d %14d %14d\n' "$tool" "$seconds" "$(echo "$peak_kib / 1024" | bc -l)" \
    "$bytes_read" "$bytes_written" "$size"
done
echo "used bytes: $used_bytes; clusters: $total_clusters of $cluster_size bytes;" \
     "memory budget: 64 MiB + $(( (total_clusters + 7) / 8 / 1024 )) KiB (one bit per cluster)"
