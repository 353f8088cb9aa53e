#!/usr/bin/env bash
# Benchmark (not a test): each shadow copy of the Windows sample disk (../shared/vss-sample,
# DISKIMG_VSS_SAMPLE), read whole and listed whole, diskimg against libvshadow in the same
# run. Issue 16's target: at least 5x faster than libvshadow.
#
#   tests/bench/vss.sh [BUILD_DIR]
#
# Rows, per copy (warm caches: the image is 118 MiB of data in a 64 GiB sparse file):
#   read, every byte: diskimg's Python File in 8 MiB reads; pyvshadow's read_buffer_at_offset
#     in 8 MiB reads (64 GiB each, almost all zeros; a read inside a hole gives diskimg's one
#     shared bytes object of zeros, pyvshadow a new one it fills);
#   read into one buffer: diskimg's File.readinto of one 8 MiB bytearray, every byte (what
#     a reader that must fill memory costs: copy 2 is then zeros written at memory speed);
#   read, holes skipped: diskimg's File with os.SEEK_DATA (the source says where data may
#     be), reading 8 MiB at each place (what convert and the tests do);
#   tree: `diskimg ls -r --snapshot N` against `fls -r -p` on the copy as vshadowmount (FUSE,
#     libvshadow) shows it.
# Needs root (FUSE). On a machine doing other work, run it under `chrt -f 10` (vshadowmount,
# started here, inherits the policy too): both sides then run ahead of the rest.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
sample=${DISKIMG_VSS_SAMPLE:-$root/../shared/vss-sample}
work=$build/bench/vss
diskimg=$build/examples/diskimg
mkdir -p "$work"
[ -f "$work/ntfs.raw" ] || tar -xzSf "$sample/ntfs.tgz" -C "$work"
disk=$work/ntfs.raw
mnt=$(mktemp -d)
vshadowmount -o 1048576 "$disk" "$mnt" >/dev/null
trap 'umount "$mnt"; rmdir "$mnt"' EXIT

median_seconds() {  # median_seconds RUNS COMMAND...: the median wall time of RUNS runs
  local runs=$1; shift
  for _ in $(seq "$runs"); do seconds "$@"; done | sort -n | awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)] }'
}

seconds() {  # seconds COMMAND...: its wall time; a failure stops the benchmark
  # The shell's own clock (EPOCHREALTIME): no process is started to read it, which with
  # date(1) added 2-5 ms to each run, as much as a tree listing takes.
  local begin end
  begin=$EPOCHREALTIME
  "$@" > "$work/output.txt" || { echo "vss.sh: $* failed" >&2; kill $$; }
  end=$EPOCHREALTIME
  echo "$end - $begin" | bc -l
}

read_diskimg() {  # read_diskimg N MODE: MODE all, into (readinto) or data
  PYTHONPATH=$build/python /usr/bin/python3 - "$disk" "$1" "$2" <<'PY'
import os, sys, diskimg
path, index, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
piece = 8 << 20
total = 0
buffer = bytearray(piece)
with diskimg.open(path).volumes[0].snapshots[index - 1].open() as f:
    size = f.seek(0, 2)
    position = 0
    while position < size:
        if mode == "data":
            try:
                position = f.seek(position, os.SEEK_DATA)
            except OSError:
                break
        f.seek(position)
        if mode == "into":
            total += f.readinto(memoryview(buffer)[:min(piece, size - position)])
        else:
            total += len(f.read(min(piece, size - position)))
        position += piece
print(total)
PY
}

read_pyvshadow() {  # read_pyvshadow N
  /usr/bin/python3 - "$disk" "$1" <<'PY'
import os, sys, pyvshadow
path, index = sys.argv[1], int(sys.argv[2])
class Window:
    def __init__(self, f): self.f, self.pos = f, 0; self.size = os.fstat(f.fileno()).st_size - (1 << 20)
    def seek(self, offset, whence=0): self.pos = [offset, self.pos + offset, self.size + offset][whence]; return self.pos
    def tell(self): return self.pos
    def read(self, n=-1):
        n = self.size - self.pos if n < 0 else min(n, self.size - self.pos)
        data = os.pread(self.f.fileno(), n, (1 << 20) + self.pos); self.pos += len(data); return data
    def get_size(self): return self.size
volume = pyvshadow.volume()
volume.open_file_object(Window(open(path, "rb")))
store = volume.get_store(index - 1)
total, piece = 0, 8 << 20
for offset in range(0, store.get_size(), piece):
    total += len(store.read_buffer_at_offset(min(piece, store.get_size() - offset), offset))
print(total)
PY
}

printf '%-6s %-28s %10s %10s %8s\n' copy task diskimg libvshadow ratio
for n in 1 2; do
  a=$(seconds read_diskimg "$n" all); b=$(seconds read_pyvshadow "$n")
  printf '%-6s %-28s %10.3f %10.3f %7.1fx\n' "$n" "read, every byte" "$a" "$b" "$(echo "$b / $a" | bc -l)"
  a=$(seconds read_diskimg "$n" into)
  printf '%-6s %-28s %10.3f %10.3f %7.1fx\n' "$n" "read into one buffer" "$a" "$b" "$(echo "$b / $a" | bc -l)"
  a=$(seconds read_diskimg "$n" data)
  printf '%-6s %-28s %10.3f %10.3f %7.1fx\n' "$n" "read, holes skipped" "$a" "$b" "$(echo "$b / $a" | bc -l)"
  # Tens of milliseconds each: the median of 15 runs.
  a=$(median_seconds 15 "$diskimg" ls -r --snapshot "$n" "$disk"); b=$(median_seconds 15 fls -r -p "$mnt/vss$n")
  printf '%-6s %-28s %10.3f %10.3f %7.1fx\n' "$n" "tree (ls -r / fls -r -p)" "$a" "$b" "$(echo "$b / $a" | bc -l)"
done
