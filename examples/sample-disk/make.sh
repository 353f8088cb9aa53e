#!/usr/bin/env bash
# Makes the bundled sample disk: a 64 MiB GPT disk as Windows lays one out (EFI system
# partition, Microsoft reserved, an NTFS "Windows" volume with files, a recovery volume),
# whose free space holds stale bytes from before it was partitioned, as a used disk does.
# Needs root for the ntfs-3g FUSE mount. Rewrites sample-disk.img.gz beside this script.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../../tests/fixtures/lib.sh"
need sgdisk mkntfs mkfs.vfat ntfs-3g gzip
work=$(mktemp -d)
trap 'mountpoint -q "$work/mnt" && umount "$work/mnt"; rm -rf "$work"' EXIT
cd "$work"

# Stale data everywhere first: a repeated, compressible pattern keeps the .gz small.
/usr/bin/python3 - <<'PY'
line = b"stale sector from the disk's previous life -- must not reach the VHD --\n"
block = (line * (1 + 65536 // len(line)))[:65536]
with open("sample-disk.img", "wb") as disk:
    for _ in range(64 * 16):
        disk.write(block)
PY
sgdisk -Z sample-disk.img >/dev/null 2>&1 || true
sgdisk -o \
  -n 1:2048:+8M -t 1:C12A7328-F81F-11D2-BA4B-00A0C93EC93B -c 1:"EFI system partition" \
  -n 2:0:+16M   -t 2:E3C9E316-0B5C-4DB8-817D-F92DF00215AE -c 2:"Microsoft reserved partition" \
  -n 3:0:+32M   -t 3:EBD0A0A2-B9E5-4433-87C0-68B6B72699C7 -c 3:"Basic data partition" \
  -n 4:0:0      -t 4:DE94BBA4-06D1-4D40-A16A-BFD50179D6AC -c 4:"Recovery" -A 4:set:0 \
  sample-disk.img >/dev/null
first() { sgdisk -i "$1" sample-disk.img | sed -n 's/^First sector: \([0-9]*\).*/\1/p'; }
sectors() { sgdisk -i "$1" sample-disk.img | sed -n 's/^Partition size: \([0-9]*\) sectors.*/\1/p'; }
make_fat_at  sample-disk.img $(($(first 1) * 512)) $(($(sectors 1) * 512)) 512 SYSTEM
make_ntfs_at sample-disk.img $(($(first 4) * 512)) $(($(sectors 4) * 512)) 512 Recovery

# The Windows volume gets files through ntfs-3g, so NTFS is written by a real driver.
windows_offset=$(($(first 3) * 512))
windows_size=$(($(sectors 3) * 512))
dd if=sample-disk.img of=windows.ntfs bs=512 skip=$(first 3) count=$(sectors 3) status=none
mkntfs -q -F -Q -T -p "$(first 3)" -H 255 -S 63 -L Windows windows.ntfs 2>/dev/null
mkdir mnt
ntfs-3g windows.ntfs mnt
mkdir -p mnt/Users/Public/Documents mnt/Windows/System32
printf 'Hello from the sample disk.\r\n' > mnt/Users/Public/Documents/readme.txt
/usr/bin/python3 -c '
import random
random.seed(2026)
open("mnt/Windows/System32/kernel.bin", "wb").write(random.randbytes(1 << 20))
for n in range(40):
    open(f"mnt/Windows/System32/driver{n:02}.sys", "w").write(f"driver {n}\n" * (50 * n + 1))
'
umount mnt
dd if=windows.ntfs of=sample-disk.img bs=512 seek=$(first 3) conv=notrunc status=none
test "$windows_size" -eq "$(stat -c %s windows.ntfs)"
: "$windows_offset"

gzip -9 -n -c sample-disk.img > "$here/sample-disk.img.gz"
ls -l "$here/sample-disk.img.gz"
