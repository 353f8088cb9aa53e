#!/usr/bin/env bash
# Benchmark (not a test): an incremental conversion. The 8 GiB disk of convert.sh (state A)
# and a copy of it in which 1% of the used data was overwritten in place through ntfs-3g,
# spread over 200 files (state B). With A converted once (not timed), B is converted in
# the same run: in full; with --parent A.vhd (exact, and --changes mft); the same into
# VHDX; and `qemu-img convert -B A.qcow2 -O qcow2` (qemu's overlay of what differs from a
# backing file, the nearest open equivalent). Wall time and peak memory from the best of
# two timed runs; bytes read and written from a run under strace. Needs root (ntfs-3g).
#
#   tests/bench/incremental.sh [BUILD_DIR]      (DISKIMG_BENCH_OUT: where outputs go)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
work=$build/bench
out=${DISKIMG_BENCH_OUT:-$work/incremental-out}
disk=$work/p2v-8g.img
changed=$work/p2v-8g-changed.img
diskimg=$build/examples/diskimg
mkdir -p "$work" "$out"
source "$root/tests/bench/bench_disk.sh"
make_bench_disk "$disk"

partition() {  # partition IMAGE: "START SECTORS" of partition 1
  echo "$(sgdisk -i 1 "$1" | sed -n 's/^First sector: \([0-9]*\).*/\1/p')" \
       "$(sgdisk -i 1 "$1" | sed -n 's/^Partition size: \([0-9]*\) sectors.*/\1/p')"
}

if [ ! -f "$changed" ]; then
  echo "bench: making $changed (1% of the used bytes overwritten in 200 files)"
  cp "$disk" "$changed.tmp"
  read -r start sectors <<< "$(partition "$changed.tmp")"
  loop=$(losetup -f --show -o $((start * 512)) --sizelimit $((sectors * 512)) "$changed.tmp")
  mnt=$(mktemp -d)
  ntfs-3g "$loop" "$mnt"
  used=$("$diskimg" usedmap --json "$disk" | /usr/bin/python3 -c '
import json, sys
m = json.load(sys.stdin)
print(m["used_clusters"] * m["cluster_size"])')
  /usr/bin/python3 - "$mnt" "$used" <<'PY'
import os, random, sys
root, used = sys.argv[1], int(sys.argv[2])
rng = random.Random(15)
files = sorted(os.path.join(d, f) for d, _, names in os.walk(root) for f in names)
per_file = used // 100 // 200  # 1% of the used bytes, in 200 files
chosen = rng.sample([f for f in files if os.path.getsize(f) >= per_file], 200)
for path in chosen:
    with open(path, "r+b") as handle:
        handle.seek(rng.randrange(0, os.path.getsize(path) - per_file + 1))
        handle.write(os.urandom(per_file))
print(f"bench: {len(chosen)} files, {per_file} bytes each, {len(chosen) * per_file} bytes")
PY
  umount "$mnt"; rmdir "$mnt"; losetup -d "$loop"
  mv "$changed.tmp" "$changed"
fi

# The previous state, converted once (not timed).
[ -f "$out/A.vhd" ] || "$diskimg" convert "$disk" -o "$out/A.vhd"
[ -f "$out/A.vhdx" ] || "$diskimg" convert "$disk" -o "$out/A.vhdx"
# qemu's backing file holds A's used data as A.vhd does (-B compares nothing with it, see
# below; a qcow2 of all 8 GiB would not leave the page cache room for the rest).
[ -f "$out/A.qcow2" ] || qemu-img convert -f vpc -O qcow2 "$out/A.vhd" "$out/A.qcow2"

# What a child must at least hold: the blocks (512 KiB for VHD, 1 MiB for VHDX) with a
# sector that differs between A and B, computed here from the two images alone.
read -r changed_bytes changed_blocks changed_vhdx_blocks <<< "$(/usr/bin/python3 - "$disk" "$changed" <<'PY'
import sys
a, b = open(sys.argv[1], "rb"), open(sys.argv[2], "rb")
piece, block, offset, sectors, blocks = 1 << 20, 512 << 10, 0, 0, set()
while True:
    x, y = a.read(piece), b.read(piece)
    if not x:
        break
    if x != y:
        for s in range(0, len(x), 512):
            if x[s:s + 512] != y[s:s + 512]:
                sectors += 1
                blocks.add((offset + s) // block)
    offset += len(x)
print(sectors * 512, len(blocks), len({n // 2 for n in blocks}))
PY
)"

cat "$changed" "$out/A.vhd" "$out/A.vhdx" "$out/A.qcow2" > /dev/null  # every tool reads from the cache

# qemu-img convert -B writes the output as an overlay of the backing file, leaving out only
# what the source itself leaves unallocated over that same backing file: from a raw disk it
# copies every sector (it does not compare contents).
declare -A commands=(
  [full]="$diskimg convert $changed -o $out/full.vhd --force"
  [exact]="$diskimg convert $changed -o $out/child.vhd --parent $out/A.vhd --force"
  [mft]="$diskimg convert $changed -o $out/child-mft.vhd --parent $out/A.vhd --changes mft --force"
  [exact-vhdx]="$diskimg convert $changed -o $out/child.vhdx --parent $out/A.vhdx --force"
  [mft-vhdx]="$diskimg convert $changed -o $out/child-mft.vhdx --parent $out/A.vhdx --changes mft --force"
  [qemu-qcow2]="qemu-img convert -f raw -O qcow2 -B $out/A.qcow2 -F qcow2 $changed $out/child.qcow2"
)
declare -A outputs=([full]=$out/full.vhd [exact]=$out/child.vhd [mft]=$out/child-mft.vhd
                    [exact-vhdx]=$out/child.vhdx [mft-vhdx]=$out/child-mft.vhdx [qemu-qcow2]=$out/child.qcow2)
declare -A seconds=()
declare -A sizes=()

printf '%-11s %9s %10s %14s %14s %14s\n' run seconds "peak MiB" "bytes read" "bytes written" "output bytes"
for run in full exact mft exact-vhdx mft-vhdx qemu-qcow2; do
  best=""
  for _ in 1 2; do
    rm -f "${outputs[$run]}"; sync
    /usr/bin/time -f "%e %M" -o "$work/time.txt" ${commands[$run]} > /dev/null 2>&1
    timing=$(tail -1 "$work/time.txt")
    if [ -z "$best" ] || [ "$(echo "${timing%% *} < ${best%% *}" | bc -l)" = 1 ]; then best=$timing; fi
  done
  sizes[$run]=$(stat -c %s "${outputs[$run]}")
  rm -f "${outputs[$run]}"
  bytes=$(io_bytes ${commands[$run]})
  rm -f "${outputs[$run]}"
  read -r run_seconds peak_kib <<< "$best"
  read -r bytes_read bytes_written <<< "$bytes"
  seconds[$run]=$run_seconds
  printf '%-11s %9.2f %10.1f %14d %14d %14d\n' "$run" "$run_seconds" "$(echo "$peak_kib / 1024" | bc -l)" \
    "$bytes_read" "$bytes_written" "${sizes[$run]}"
done
bound=$((changed_blocks * 512 * 1024 + 1024 * 1024))
vhdx_bound=$((changed_vhdx_blocks * 1024 * 1024 + 1024 * 1024))
echo "changed between A and B: $changed_bytes bytes, in $changed_blocks blocks of 512 KiB (VHD) and" \
     "$changed_vhdx_blocks of 1 MiB (VHDX); child bounds (those blocks + 1 MiB): $bound and $vhdx_bound bytes"
ratio() { echo "scale=2; $1 / $2" | bc -l; }
echo "exact / full time: $(ratio "${seconds[exact]}" "${seconds[full]}") (target <= 1.3);" \
     "full / mft time: $(ratio "${seconds[full]}" "${seconds[mft]}") (target >= 10);" \
     "VHD child: $(ratio "${sizes[exact]}" "$bound") of its bound, VHDX child:" \
     "$(ratio "${sizes[exact-vhdx]}" "$vhdx_bound") (target <= 1)"
