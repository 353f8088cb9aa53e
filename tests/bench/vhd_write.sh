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
mkdir -p "$work"

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

best_of() {  # best_of COMMAND...: the best wall seconds of 3 runs
  local best="" start end seconds
  for _ in 1 2 3; do
    case "$*" in *" fill "*|*" convert -f raw "*) rm -f "$work"/out-*.vhd ;; esac
    start=$(date +%s.%N)
    "$@" > /dev/null
    end=$(date +%s.%N)
    seconds=$(echo "$end - $start" | bc -l)
    if [ -z "$best" ] || [ "$(echo "$seconds < $best" | bc -l)" = 1 ]; then best=$seconds; fi
  done
  echo "$best"
}

write_diskimg=$(best_of "$build/tests/vhd_tool" fill "$work/out-diskimg.vhd" "$raw" dynamic)
mv "$work/out-diskimg.vhd" "$work/kept-diskimg.vhd"
write_qemu=$(best_of qemu-img convert -f raw -O vpc -o subformat=dynamic,force_size=on "$raw" "$work/out-qemu.vhd")
mv "$work/kept-diskimg.vhd" "$work/out-diskimg.vhd"
read_diskimg=$(best_of sh -c "'$build/tests/vhd_tool' dump '$work/out-diskimg.vhd' > /dev/null")
read_qemu=$(best_of sh -c "qemu-img convert -f vpc -O raw '$work/out-qemu.vhd' /dev/stdout > /dev/null")
qemu-img compare -f vpc -F raw "$work/out-diskimg.vhd" "$raw" > /dev/null && echo "diskimg output identical to the raw image (qemu-img compare)"

printf '%-34s %10s %10s %8s\n' "" "diskimg" "qemu-img" "ratio"
printf '%-34s %10.2f %10.2f %7.2fx\n' "write 4 GiB dynamic VHD (s)" "$write_diskimg" "$write_qemu" "$(echo "$write_qemu / $write_diskimg" | bc -l)"
printf '%-34s %10.2f %10.2f %7.2fx\n' "read it back whole (s)" "$read_diskimg" "$read_qemu" "$(echo "$read_qemu / $read_diskimg" | bc -l)"
printf '%-34s %10d %10d\n' "file size (bytes)" "$(stat -c %s "$work/out-diskimg.vhd")" "$(stat -c %s "$work/out-qemu.vhd")"
rm -f "$work"/out-*.vhd
