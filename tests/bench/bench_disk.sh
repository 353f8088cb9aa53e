# Shared by the benchmarks: the 8 GiB disk they convert. Sourced, not run.

# Makes DISK unless it exists: 8 GiB of stale random bytes, GPT, one NTFS partition with
# about 2 GiB of files (40 directories of up to 50 files of 4 KiB to 3 MiB, written through
# ntfs-3g). Needs root (loop device, ntfs-3g).
make_bench_disk() {  # make_bench_disk DISK
  local disk=$1 start sectors loop mnt
  [ -f "$disk" ] && return 0
  echo "bench: making $disk (8 GiB of stale random bytes, GPT, NTFS with ~2 GiB of files)"
  head -c 8G /dev/urandom > "$disk.tmp"
  sgdisk -o -n 1:2048:0 -t 1:EBD0A0A2-B9E5-4433-87C0-68B6B72699C7 "$disk.tmp" >/dev/null
  start=$(sgdisk -i 1 "$disk.tmp" | sed -n 's/^First sector: \([0-9]*\).*/\1/p')
  sectors=$(sgdisk -i 1 "$disk.tmp" | sed -n 's/^Partition size: \([0-9]*\) sectors.*/\1/p')
  loop=$(losetup -f --show -o $((start * 512)) --sizelimit $((sectors * 512)) "$disk.tmp")
  mkntfs -q -F -Q -L bench "$loop" >/dev/null 2>&1
  mnt=$(mktemp -d)
  ntfs-3g "$loop" "$mnt"
  fill_with_files "$mnt" $((2 << 30))
  umount "$mnt"; rmdir "$mnt"; losetup -d "$loop"
  mv "$disk.tmp" "$disk"
}

# Writes 40 directories of up to 50 files of 4 KiB to 3 MiB of random bytes into MNT (an
# ntfs-3g mount), LIMIT bytes in all: the same names and sizes for the same LIMIT.
fill_with_files() {  # fill_with_files MNT LIMIT
  /usr/bin/python3 - "$1" "$2" <<'PY'
import os, random, sys
root, limit = sys.argv[1], int(sys.argv[2])
rng = random.Random(8)
total = 0
for d in range(40):
    os.makedirs(f"{root}/dir{d:02}", exist_ok=True)
    for f in range(50):
        size = rng.choice([4096, 65536, 1 << 20, 3 << 20])
        with open(f"{root}/dir{d:02}/file{f:03}.bin", "wb") as out:
            out.write(os.urandom(size))
        total += size
        if total > limit:
            sys.exit(0)
PY
}

# Copies the byte ranges listed in RANGES ("offset length" lines, in disk order) from SOURCE
# into TARGET in 8 MiB pread/pwrite pieces, then fsyncs: what reading exactly the used
# clusters costs, the benchmarks' reference.
copy_ranges() {  # copy_ranges SOURCE TARGET RANGES
  /usr/bin/python3 - "$1" "$2" "$3" <<'PY'
import os, sys
source, target, ranges = sys.argv[1:4]
src = os.open(source, os.O_RDONLY)
dst = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
piece = memoryview(bytearray(8 << 20))
for line in open(ranges):
    offset, remaining = map(int, line.split())
    while remaining:
        n = os.preadv(src, [piece[:min(remaining, len(piece))]], offset)
        os.pwrite(dst, piece[:n], offset)
        offset += n
        remaining -= n
os.fsync(dst)
PY
}

io_bytes() {  # io_bytes COMMAND...: "READ WRITTEN", the bytes COMMAND moves through read and write system calls (a run under strace; $work holds its trace)
  strace -f -qq -e trace=read,pread64,write,pwrite64 -o "$work/strace.txt" "$@" > /dev/null 2>&1
  /usr/bin/python3 -c '
import re, sys
read = written = 0
for line in open(sys.argv[1]):
    # threads interleave: a call may end on a "<... pread64 resumed>" line
    m = re.search(r"(read|pread64|write|pwrite64)(?:\(| resumed>).*=\s+(\d+)", line)
    if m:
        if m.group(1).startswith(("read", "pread")): read += int(m.group(2))
        else: written += int(m.group(2))
print(read, written)' "$work/strace.txt"
}

# The cold runs of convert_cold.sh and convert_ldm_cold.sh: three rounds, each running every
# tool of the array `tools` (its command in the associative array `commands`) with the page
# cache dropped before, interleaved so that a slow moment of the machine touches them all.
# Appends each run's seconds and peak resident KiB to the associative arrays `times` and
# `rss` (space-separated, by tool). A tool named copy* is a shell function (no peak memory).
# `before_run TOOL`, when the caller defines it, runs first in the run's own subshell (to
# place it in a cgroup). OUT holds the output the commands write (removed before each run).
cold_rounds() {  # cold_rounds OUT
  local out=$1 round tool begin end
  for round in 1 2 3; do
    for tool in "${tools[@]}"; do
      rm -f "$out/out.vhd"
      sync
      echo 3 > /proc/sys/vm/drop_caches
      begin=$(date +%s.%N)
      (
        if declare -F before_run > /dev/null; then before_run "$tool"; fi
        case $tool in
          copy*) ${commands[$tool]} > /dev/null 2>&1; echo 0 > "$out/rss" ;;
          *) /usr/bin/time -f %M -o "$out/rss" ${commands[$tool]} > /dev/null 2>&1 ;;
        esac
      )
      end=$(date +%s.%N)
      times[$tool]+="$(echo "$end - $begin" | bc -l) "
      rss[$tool]+="$(cat "$out/rss") "
    done
    echo "round $round done" >&2
  done
}

median() { printf '%s\n' $1 | sort -n | sed -n 2p; }  # median "T1 T2 T3"
