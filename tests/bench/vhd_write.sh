#!/usr/bin/env bash
# Benchmark (not a test): write a 4 GiB dynamic VHD from a raw image that is half zeros,
# then read it back whole; the same with `qemu-img convert` in the same run.
#
#   tests/bench/vhd_write.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
work=$build/bench
raw=$work/half-zeros.raw
# Outputs go to memory (tmpfs) by default: the disk's writeback throttling otherwise decides
# the figures, differently from run to run. DISKIMG_BENCH_OUT=DIR measures a real disk.
out=${DISKIMG_BENCH_OUT:-/dev/shm/diskimg-bench}
mkdir -p "$work" "$out"

if [ ! -f "$raw" ]; then
  echo "bench: making $raw (4 GiB: 2 MiB of data, 2 MiB of zeros, alternating)"
  /usr/bin/python3 - "$raw" <<'PY'
import os, sys
chunk = 2 << 20
data = os.urandom(chunk)
with open(sys.argv[1], "wb") as out:
    out.truncate(4 << 30)
    for index in range(0, (4 << 30) // chunk, 2):
        out.seek(index * chunk)
        out.write(data)
PY
fi
cat "$raw" > /dev/null  # page cache warm for both

seconds_of() {  # seconds_of COMMAND...: wall seconds of one run, after a sync
  sync
  local start end
  start=$(date +%s.%N)
  "$@" > /dev/null
  end=$(date +%s.%N)
  echo "$end - $start" | bc -l
}

min() { if [ -z "$1" ] || [ "$(echo "$2 < $1" | bc -l)" = 1 ]; then echo "$2"; else echo "$1"; fi; }

# The two tools take turns, 6 runs each, and which goes first alternates: the first large
# allocation after the other tool's run pays for the memory the kernel is still reclaiming.
# Each keeps its best.
write_diskimg="" write_qemu="" read_diskimg="" read_qemu=""
diskimg_write() { write_diskimg=$(min "$write_diskimg" "$(seconds_of "$build/tests/vhd_tool" fill "$out/out-diskimg.vhd" "$raw" dynamic)"); }
qemu_write() { write_qemu=$(min "$write_qemu" "$(seconds_of qemu-img convert -f raw -O vpc -o subformat=dynamic,force_size=on "$raw" "$out/out-qemu.vhd")"); }
diskimg_read() { read_diskimg=$(min "$read_diskimg" "$(seconds_of "$build/tests/vhd_tool" dump "$out/out-diskimg.vhd" "$out/back.raw")"); rm -f "$out/back.raw"; }
qemu_read() { read_qemu=$(min "$read_qemu" "$(seconds_of qemu-img convert -f vpc -O raw "$out/out-qemu.vhd" "$out/back.raw")"); rm -f "$out/back.raw"; }
for run in 1 2 3 4 5 6; do
  rm -f "$out"/out-*.vhd "$out/back.raw"
  if [ $((run % 2)) = 1 ]; then
    diskimg_write; qemu_write; diskimg_read; qemu_read
  else
    qemu_write; diskimg_write; qemu_read; diskimg_read
  fi
done
qemu-img compare -f vpc -F raw "$out/out-diskimg.vhd" "$raw" > /dev/null && echo "diskimg output identical to the raw image (qemu-img compare)"

printf '%-34s %10s %10s %8s\n' "" "diskimg" "qemu-img" "ratio"
printf '%-34s %10.2f %10.2f %7.2fx\n' "write 4 GiB dynamic VHD (s)" "$write_diskimg" "$write_qemu" "$(echo "$write_qemu / $write_diskimg" | bc -l)"
printf '%-34s %10.2f %10.2f %7.2fx\n' "read back to a sparse raw file (s)" "$read_diskimg" "$read_qemu" "$(echo "$read_qemu / $read_diskimg" | bc -l)"
printf '%-34s %10d %10d\n' "file size (bytes)" "$(stat -c %s "$out/out-diskimg.vhd")" "$(stat -c %s "$out/out-qemu.vhd")"
rm -f "$out"/out-*.vhd
