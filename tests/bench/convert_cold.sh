#!/usr/bin/env bash
# Benchmark (not a test): `diskimg convert` of the 8 GiB benchmark disk (bench_disk.sh) as
# P2V meets it, from a disk that is not in memory: the page cache is dropped before every
# run (`echo 3 > /proc/sys/vm/drop_caches`). In the same run, interleaved, three rounds:
# diskimg to a dynamic VHD, qemu-img convert to one, ntfsclone --save-image of the volume,
# and a single-threaded copy of exactly the used clusters in 8 MiB pread/pwrite pieces (the
# limit the disk sets); each from the image file and from a read-only loop device over it.
# Reports the median of the three rounds and each tool's ratio to the copy. Needs root.
#
#   tests/bench/convert_cold.sh [BUILD_DIR]      (DISKIMG_BENCH_OUT: where outputs go)
#
# Outputs go to tmpfs by default: what is measured is reading a cold disk. (diskimg syncs
# its output before putting it in place; on this machine's virtual disk that took 2.7 s of
# a 9.7 s run when the output shared the disk. The copy syncs too, so the ratio holds
# either way.)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
work=$build/bench
out=${DISKIMG_BENCH_OUT:-/dev/shm/diskimg-bench-cold}
disk=$work/p2v-8g.img
diskimg=$build/examples/diskimg
mkdir -p "$work" "$out"
source "$root/tests/bench/bench_disk.sh"
make_bench_disk "$disk"

start=$(sgdisk -i 1 "$disk" | sed -n 's/^First sector: \([0-9]*\).*/\1/p')
disk_loop=$(losetup -f --show -r "$disk")
volume_loop=$(losetup -f --show -r -o $((start * 512)) "$disk")
trap 'losetup -d "$disk_loop" "$volume_loop"; rm -rf "${out:?}"' EXIT

# The used clusters, as byte ranges of the disk.
"$diskimg" usedmap --json "$disk" | /usr/bin/python3 -c '
import json, sys
m = json.load(sys.stdin)
base = int(sys.argv[1]) * 512
for first, count in m["extents"]:
    print(base + first * m["cluster_size"], count * m["cluster_size"])' "$start" > "$work/used-ranges.txt"

copy_used() {  # copy_used SOURCE TARGET: the used ranges, in disk order, 8 MiB at a time
  copy_ranges "$1" "$2" "$work/used-ranges.txt"
}

declare -A commands=(
  [diskimg]="$diskimg convert $disk -o $out/out.vhd --force"
  [diskimg-loop]="$diskimg convert $disk_loop -o $out/out.vhd --force"
  [qemu-img]="qemu-img convert -f raw -O vpc -o subformat=dynamic $disk $out/out.vhd"
  [qemu-img-loop]="qemu-img convert -f raw -O vpc -o subformat=dynamic $disk_loop $out/out.vhd"
  [ntfsclone-loop]="ntfsclone --save-image --force --quiet -o $out/out.vhd $volume_loop"
  [copy]="copy_used $disk $out/out.vhd"
  [copy-loop]="copy_used $disk_loop $out/out.vhd"
)
tools=(diskimg diskimg-loop qemu-img qemu-img-loop ntfsclone-loop copy copy-loop)
declare -A times rss
cold_rounds "$out"

copy=$(median "${times[copy]}")
copy_loop=$(median "${times[copy-loop]}")
echo "used bytes: $(awk '{ s += $2 } END { printf "%.0f", s }' "$work/used-ranges.txt"); caches dropped before each run"
printf '%-16s %9s %9s %9s   %s\n' tool median "/ copy" "peak MiB" "runs (s)"
for tool in "${tools[@]}"; do
  m=$(median "${times[$tool]}")
  base=$copy
  case $tool in *-loop) base=$copy_loop ;; esac
  printf '%-16s %9.2f %8.2fx %9.1f   %s\n' "$tool" "$m" "$(echo "$m / $base" | bc -l)" \
    "$(echo "$(median "${rss[$tool]}") / 1024" | bc -l)" "${times[$tool]}"
done
