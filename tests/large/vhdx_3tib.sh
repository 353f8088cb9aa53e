#!/usr/bin/env bash
# Not a CI test (needs root for the loop device and the ntfs-3g mount, and a few minutes):
# a 3 TiB sparse disk with a GPT (sgdisk) and an NTFS volume (mkntfs -Q) holding a few
# files (written through ntfs-3g) converts to a dynamic VHDX that qemu-img reads with the
# exact size and checks clean, and that diskimg reads back file by file (cat of each file
# through the VHDX equals the file ntfs-3g wrote). VHD cannot hold it (2040 GiB at most).
#
#   tests/large/vhdx_3tib.sh [BUILD_DIR] [WORK_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
work=${2:-$(mktemp -d /var/tmp/diskimg-3tib.XXXXXX)}
diskimg=$build/examples/diskimg
disk=$work/disk-3t.img
mnt=$work/mnt
loop=""
cleanup() {
  mountpoint -q "$mnt" && umount "$mnt"
  [ -n "$loop" ] && losetup -d "$loop"
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$mnt"

truncate -s 3T "$disk"
sgdisk -o -n 1:2048:0 -t 1:0700 -c 1:data "$disk" >/dev/null
# The partition through a loop device of its own (no udev here to make loopNp1).
read -r start sectors < <(sfdisk --json "$disk" | /usr/bin/python3 -c '
import json, sys
p = json.load(sys.stdin)["partitiontable"]["partitions"][0]
print(p["start"], p["size"])')
loop=$(losetup --show -f -o $((start * 512)) --sizelimit $((sectors * 512)) "$disk")
mkntfs -Q -q -F -L big -s 512 -p "$start" -H 255 -S 63 "$loop"
ntfs-3g "$loop" "$mnt"
mkdir -p "$mnt/dir/sub"
head -c 5000000 /dev/urandom > "$mnt/dir/random.bin"
seq 1 200000 > "$mnt/dir/sub/numbers.txt"
echo "three tebibytes" > "$mnt/hello.txt"
truncate -s 1G "$mnt/sparse.bin" && printf 'end' | dd of="$mnt/sparse.bin" bs=1 seek=$(( (1 << 30) - 3 )) conv=notrunc status=none
( cd "$mnt" && find . -type f -printf '%P\n' | sort | while read -r f; do echo "$(sha256sum < "$f" | cut -c1-64) $f"; done ) > "$work/expected.txt"
umount "$mnt"
losetup -d "$loop"; loop=""

echo "== convert (3 TiB, a few MiB used)"
/usr/bin/time -f "%e s, %M KiB peak" "$diskimg" convert "$disk" -o "$work/disk.vhdx"
ls -ls "$work/disk.vhdx"

echo "== qemu-img info / check"
size=$(qemu-img info --output=json "$work/disk.vhdx" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["virtual-size"])')
[ "$size" = "$(stat -c %s "$disk")" ] || { echo "qemu-img: virtual size $size, the disk has $(stat -c %s "$disk")"; exit 1; }
echo "virtual size $size: exact"
qemu-img check -f vhdx "$work/disk.vhdx"

echo "== diskimg reads every file back through the VHDX"
"$diskimg" inspect "$work/disk.vhdx"
volume=$("$diskimg" inspect --json "$work/disk.vhdx" | /usr/bin/python3 -c '
import json, sys
print(next(v["index"] for v in json.load(sys.stdin)["volumes"] if v["filesystem"] == "ntfs"))')
while read -r hash file; do
  got=$("$diskimg" cat --volume "$volume" "$work/disk.vhdx" "/$file" | sha256sum | cut -c1-64)
  [ "$got" = "$hash" ] || { echo "/$file: $got, ntfs-3g wrote $hash"; exit 1; }
  echo "/$file: same bytes"
done < "$work/expected.txt"
echo "ok"
