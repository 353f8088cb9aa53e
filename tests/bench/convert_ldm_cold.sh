#!/usr/bin/env bash
# Benchmark (not a test): `diskimg convert` of an LDM striped volume of two disks, cold,
# against the same volume on one disk. Issue 18's target: the two disks converted faster
# than the same bytes from one (convert reads the columns' next chunks ahead on both disks).
#
#   tests/bench/convert_ldm_cold.sh [BUILD_DIR]     (DISKIMG_BENCH_OUT: where outputs go)
#
# The disks: the real Windows 2003 R2 striped pair of ../shared/ldm-samples (DISKIMG_LDM_SAMPLES),
# grown to 1.5 GiB each by tests/bench/ldm_scale.py (Stripe1 becomes 2.96 GiB, 128-sector
# chunks); a new NTFS made by mkntfs on a file of the volume's size, ~2 GiB of files written
# through ntfs-3g (bench_disk.sh's fill_with_files), and that file's bytes laid out over the
# two disks' columns. The one disk: an MBR disk (sfdisk) with the same file at 1 MiB. Before
# any timing, the volume diskimg reads from the two disks must equal the file (all but the
# boot sector's hidden-sectors field, which convert sets), and ldmtool must list Stripe1.
# Then three interleaved rounds, caches dropped before each run, medians, peak memory.
# Needs root (ntfs-3g, drop_caches).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
work=$build/bench/ldm
out=${DISKIMG_BENCH_OUT:-/dev/shm/diskimg-bench-ldm}
samples=${DISKIMG_LDM_SAMPLES:-$root/../shared/ldm-samples}
diskimg=$build/examples/diskimg
source "$root/tests/bench/bench_disk.sh"
mkdir -p "$work" "$out"
trap 'rm -rf "${out:?}"' EXIT
disk1=$work/striped-1.img disk2=$work/striped-2.img single=$work/single.img

make_ldm_bench() {
  [ -f "$single" ] && return 0
  echo "bench: making two 1.5 GiB LDM disks with a striped NTFS volume of ~2 GiB of files"
  tar -C "$work" -SJxf "$samples/ldm-data.tar.xz" ldm-2003r2-striped-1.img ldm-2003r2-striped-2.img
  read -r sectors offset1 offset2 < <(/usr/bin/python3 "$root/tests/bench/ldm_scale.py" \
    "$work/ldm-2003r2-striped-1.img" "$work/ldm-2003r2-striped-2.img" "$disk1" "$disk2" $((3 << 20)))
  rm -f "$work"/ldm-2003r2-striped-*.img
  truncate -s $((sectors * 512)) "$work/volume.img"
  mkntfs -q -F -Q -c 4096 -L striped "$work/volume.img" >/dev/null 2>&1
  local mnt; mnt=$(mktemp -d)
  ntfs-3g "$work/volume.img" "$mnt"
  fill_with_files "$mnt" $((2 << 30))
  umount "$mnt"; rmdir "$mnt"
  # Stripe1's chunk k (128 sectors) is chunk k/2 of column k%2 (Disk4-01 on disk 1, Disk5-01 on disk 2).
  /usr/bin/python3 - "$work/volume.img" "$disk1" "$disk2" "$offset1" "$offset2" <<'PY'
import os, sys
volume, d1, d2, o1, o2 = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
chunk = 128 * 512
src = os.open(volume, os.O_RDONLY)
columns = [(os.open(d1, os.O_WRONLY), o1), (os.open(d2, os.O_WRONLY), o2)]
size = os.fstat(src).st_size
for k in range(size // chunk):
    data = os.pread(src, chunk, k * chunk)
    if data.count(0) == len(data):
        continue  # keep the disks sparse
    fd, base = columns[k % 2]
    os.pwrite(fd, data, base + (k // 2) * chunk)
for fd, _ in columns:
    os.fsync(fd)
PY
  truncate -s $((sectors * 512 + (2 << 20))) "$single.tmp"
  echo "2048,$sectors,7" | sfdisk -q "$single.tmp" >/dev/null
  dd if="$work/volume.img" of="$single.tmp" bs=8M seek=1M oflag=seek_bytes conv=sparse,notrunc status=none
  check_ldm_bench
  mv "$single.tmp" "$single"
}

check_ldm_bench() {  # the two disks hold the file's volume, as diskimg and ldmtool see them
  local group listing
  group=$(ldmtool -d "$disk1" -d "$disk2" scan 2>/dev/null | tr -d '[]" \n')
  listing=$(ldmtool -d "$disk1" -d "$disk2" show volume "$group" Stripe1 2>/dev/null)
  grep -q '"type" : "striped"' <<< "$listing"
  "$diskimg" convert "$disk1" "$disk2" --volume 0 --format raw --all-sectors -o "$out/volume.raw" --force >/dev/null
  /usr/bin/python3 - "$out/volume.raw" "$work/volume.img" <<'PY'
import os, sys
raw, volume = open(sys.argv[1], "rb"), open(sys.argv[2], "rb")
size = os.fstat(volume.fileno()).st_size
# convert sets the hidden-sectors field (0x1C) of the boot sector and of its backup, the last sector
allowed = {base + i for base in (0, size - 512) for i in range(0x1C, 0x20)}
raw.seek(1 << 20)
at = 0
while at < size:
    a, b = raw.read(8 << 20), volume.read(8 << 20)
    if a != b:
        wrong = [at + i for i in range(len(b)) if i >= len(a) or a[i] != b[i]]
        if not set(wrong) <= allowed:
            sys.exit(f"the striped volume differs from the file at byte {min(set(wrong) - allowed)}")
    at += len(b)
PY
  rm -f "$out/volume.raw"
  echo "bench: the striped volume equals the file it was made from"
}

make_ldm_bench

copy_used() {  # copy_used SOURCE TARGET: the one disk's used clusters, in disk order
  copy_ranges "$1" "$2" "$work/used-ranges.txt"
}
"$diskimg" usedmap --json "$single" | /usr/bin/python3 -c '
import json, sys
m = json.load(sys.stdin)
for first, count in m["extents"]:
    print((1 << 20) + first * m["cluster_size"], count * m["cluster_size"])' > "$work/used-ranges.txt"

# Each run from the files (both disks on this machine's one virtual disk) and from read-only
# loop devices each limited to 100 MB/s by a blkio cgroup: disks of their own, as an LDM
# group's are (a limit the one virtual disk can serve twice over, 400 MB/s here).
loops=() cgroup=/sys/fs/cgroup/blkio/diskimg-bench
for image in "$disk1" "$disk2" "$single"; do loops+=("$(losetup -f --show -r "$image")"); done
mkdir -p "$cgroup"
for loop in "${loops[@]}"; do
  echo "$(lsblk -dno MAJ:MIN "$loop" | tr -d ' ') $((100 * 1000 * 1000))" > "$cgroup/blkio.throttle.read_bps_device"
done
trap 'losetup -d "${loops[@]}"; rmdir "$cgroup"; rm -rf "${out:?}"' EXIT

declare -A commands=(
  [two-disks]="$diskimg convert $disk1 $disk2 --volume 0 -o $out/out.vhd --force"
  [one-disk]="$diskimg convert $single -o $out/out.vhd --force"
  [copy]="copy_used $single $out/out.vhd"
  [two-disks-100MB/s]="$diskimg convert ${loops[0]} ${loops[1]} --volume 0 -o $out/out.vhd --force"
  [one-disk-100MB/s]="$diskimg convert ${loops[2]} -o $out/out.vhd --force"
  [copy-100MB/s]="copy_used ${loops[2]} $out/out.vhd"
)
tools=(two-disks one-disk copy two-disks-100MB/s one-disk-100MB/s copy-100MB/s)
declare -A times rss
before_run() {  # the throttled runs join the cgroup that limits their loop devices
  case $1 in *MB/s) echo "$BASHPID" > "$cgroup/cgroup.procs" ;; esac
}
cold_rounds "$out"

echo "used bytes: $(awk '{ s += $2 } END { printf "%.0f", s }' "$work/used-ranges.txt"); caches dropped before each run"
printf '%-18s %9s %12s %10s   %s\n' run median "/ one disk" "peak MiB" "runs (s)"
for tool in "${tools[@]}"; do
  m=$(median "${times[$tool]}")
  one=$(median "${times[one-disk]}")
  case $tool in *MB/s) one=$(median "${times[one-disk-100MB/s]}") ;; esac
  printf '%-18s %9.2f %11.2fx %10.1f   %s\n' "$tool" "$m" "$(echo "$m / $one" | bc -l)" \
    "$(echo "$(median "${rss[$tool]}") / 1024" | bc -l)" "${times[$tool]}"
done
