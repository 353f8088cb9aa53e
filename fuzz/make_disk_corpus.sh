#!/usr/bin/env bash
# Seeds for the whole-stack harnesses (disk_fuzzer, vhd_write_fuzzer): small disks made from
# the NTFS volume seeds (fuzz/corpus/ntfs_volume, made by make_ntfs_corpus.sh), partitioned
# by sfdisk and put into VHDs by qemu-img and by this project's own writer, each a sparse
# input (fuzz_support.hpp) of its non-zero bytes:
#   mbr-ntfs-fat        MBR: NTFS, FAT12, and an extended partition with a logical NTFS
#   gpt-ntfs            GPT: two NTFS partitions (compressed, attribute lists)
#   gpt-4k-ntfs         GPT on 4096-byte sectors: the 4Kn NTFS volume
#   whole-ntfs          an unpartitioned NTFS volume (the mftlist one)
#   qemu-dynamic.vhd    mbr-ntfs-fat in a dynamic VHD (qemu-img)
#   qemu-fixed.vhd      gpt-ntfs in a fixed VHD (qemu-img)
#   chain-2             disk.vhd (differencing, a few sectors changed) over parent.vhd (the
#                       dynamic one): files 1 and 2 of the input, found by the child's
#                       relative locator ".\parent.vhd"
#   chain-3             disk.vhd over parent.vhd over grandparent.vhd
# The LDM sample disks (../shared/ldm-samples) are not copied into the repository:
# make_ldm_seeds.py --disks makes seeds of them at fuzz time.
#
# Needs root (a loop device of 4096-byte sectors), sfdisk, mkfs.vfat, qemu-img and a build's tools: $DISKIMG (build/examples/diskimg)
# and $VHD_TOOL (build/tests/vhd_tool). Rewrites fuzz/corpus/disk.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
diskimg=${DISKIMG:-$root/build/examples/diskimg}
vhd_tool=${VHD_TOOL:-$root/build/tests/vhd_tool}
py=/usr/bin/python3
out=$here/corpus/disk
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rm -rf "$out"
mkdir -p "$out"
cd "$work"

volume() {  # volume NAME OUT: the NTFS volume seed NAME, unpacked
  "$py" "$here/sparse_image.py" unpack "$here/corpus/ntfs_volume/$1" "unpacked-$1" >/dev/null
  mv "unpacked-$1/disk.vhd" "$2"
  rm -r "unpacked-$1"
}
place() {  # place FILE IMAGE OFFSET
  dd if="$1" of="$2" bs=64K seek="$3" oflag=seek_bytes conv=notrunc,sparse status=none
}
pack() {  # pack SEED FILE...
  "$py" "$here/sparse_image.py" pack "$out/$1" "${@:2}"
}

volume small-512 small.ntfs
volume compressed compressed.ntfs
volume attrlist attrlist.ntfs
volume 4kn 4kn.ntfs
volume mftlist mftlist.ntfs
size() { stat -c %s "$1"; }

# MBR: NTFS at 1 MiB, FAT12 after it, an extended partition holding a logical NTFS.
truncate -s 8M mbr-ntfs-fat
sfdisk -q --no-reread mbr-ntfs-fat >/dev/null <<TABLE
label: dos
label-id: 0x0badcafe
start=2048, size=$(($(size small.ntfs) / 512)), type=7, bootable
start=4352, size=4096, type=1
start=8448, size=7936, type=f
start=8480, size=$(($(size compressed.ntfs) / 512)), type=7
TABLE
place small.ntfs mbr-ntfs-fat $((2048 * 512))
truncate -s 2M fat.img
mkfs.vfat -F 12 -n FUZZFAT -i 12345678 fat.img >/dev/null
place fat.img mbr-ntfs-fat $((4352 * 512))
place compressed.ntfs mbr-ntfs-fat $((8480 * 512))
pack mbr-ntfs-fat mbr-ntfs-fat

# GPT: two NTFS partitions.
truncate -s 8M gpt-ntfs
sfdisk -q --no-reread gpt-ntfs >/dev/null <<TABLE
label: gpt
start=2048, size=$(($(size compressed.ntfs) / 512)), type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7, name="compressed"
start=6144, size=$(($(size attrlist.ntfs) / 512)), type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7, name="attrlist"
TABLE
place compressed.ntfs gpt-ntfs $((2048 * 512))
place attrlist.ntfs gpt-ntfs $((6144 * 512))
pack gpt-ntfs gpt-ntfs

# GPT on 4096-byte sectors, holding the 4Kn volume.
truncate -s 4M gpt-4k-ntfs
loop=$(losetup --sector-size 4096 -f --show gpt-4k-ntfs)  # sfdisk takes the sector size from it
sfdisk -q "$loop" >/dev/null 2>&1 <<TABLE || true
label: gpt
start=256, size=$(($(size 4kn.ntfs) / 4096)), type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7, name="4kn"
TABLE
sync
losetup -d "$loop"
place 4kn.ntfs gpt-4k-ntfs $((256 * 4096))
pack gpt-4k-ntfs gpt-4k-ntfs

pack whole-ntfs mftlist.ntfs

# VHDs: qemu-img's dynamic and fixed ones.
qemu-img convert -q -f raw -O vpc -o subformat=dynamic mbr-ntfs-fat qemu-dynamic.vhd
qemu-img convert -q -f raw -O vpc -o subformat=fixed gpt-ntfs qemu-fixed.vhd
pack qemu-dynamic.vhd qemu-dynamic.vhd
pack qemu-fixed.vhd qemu-fixed.vhd

# Differencing chains, made by this project's writer in one directory, so that the child's
# relative locator names .\parent.vhd (the absolute one names this temporary directory).
# Each child changes a few sectors: the MBR's label ID, a sector of the first volume.
changed() {  # changed IN OUT SEED: IN with two sectors rewritten
  cp --sparse=always "$1" "$2"
  printf 'fuzz-%s' "$3" | dd of="$2" bs=1 seek=440 conv=notrunc status=none
  printf 'changed by child %s\n' "$3" | dd of="$2" bs=512 seek=$((2048 + 300)) conv=notrunc status=none
}
delta() {  # delta OLD NEW OUT: NEW's 64 KiB pieces that differ from OLD's, zeros elsewhere
  "$py" - "$@" <<'PY'
import sys
old, new = (open(p, "rb").read() for p in sys.argv[1:3])
with open(sys.argv[3], "wb") as out:
    out.truncate(len(new))
    for at in range(0, len(new), 65536):
        if new[at:at + 65536] != old[at:at + 65536]:
            out.seek(at)
            out.write(new[at:at + 65536])
PY
}
child() {  # child PARENT.vhd OLD.raw NEW.raw OUT.vhd: a differencing disk holding what changed
  delta "$2" "$3" delta.raw
  "$vhd_tool" fill "$4" delta.raw "$1"
  rm delta.raw
}
mkdir chain && cd chain
"$vhd_tool" fill grandparent.vhd ../mbr-ntfs-fat dynamic
changed ../mbr-ntfs-fat one.raw 1
child grandparent.vhd ../mbr-ntfs-fat one.raw parent.vhd
changed one.raw two.raw 2
child parent.vhd one.raw two.raw disk.vhd
"$vhd_tool" dump disk.vhd dumped.raw
cmp -s dumped.raw two.raw || { echo "chain-3 does not read as the disk it was made from" >&2; exit 1; }
pack chain-3 disk.vhd parent.vhd grandparent.vhd
cd ..
mkdir chain2 && cd chain2
"$vhd_tool" fill parent.vhd ../mbr-ntfs-fat dynamic
child parent.vhd ../mbr-ntfs-fat ../chain/one.raw disk.vhd
pack chain-2 disk.vhd parent.vhd
cd ..
ls -l "$out"
