#!/usr/bin/env bash
# Seed corpora for the NTFS fuzzers. Needs root (ntfs-3g mounts) and scripts/setup.sh's
# packages; the Release tool (build/examples/diskimg, or $DISKIMG) finds pieces to cut out.
#
# ntfs_volume: one small volume per kind of fixture (tests/fixtures/ntfs/README.md), made
#   here by mkntfs and filled through ntfs-3g with a frozen clock (tests/fixtures/lib.sh) as
#   make_ntfs_fixtures.sh fills the fixtures, but with a few files each instead of thousands:
#     small-512      512-byte clusters: directories, resident and nonresident files, named
#                    streams (on a file and a directory), DOS 8.3 aliases, Unicode names,
#                    deleted files, an empty file
#     compressed     LZNT1: a compressible file, a unit stored raw, a zero unit, a resident one
#     sparse         sparse runs, and a file initialized only in part
#     attrlist       a file with 40 hard links (ntfs-3g's nonresident attribute list), and the
#                    growth stages 3 and 4 made by ntfs_edit.py (a resident attribute list,
#                    and a nonresident one of its own)
#     4kn            4096-byte sectors (4 KiB FILE records), an $INDEX_ALLOCATION
#     64k            64 KiB clusters
#     mftlist        the $MFT's own $DATA continued in extension records 16 and 17 through a
#                    resident attribute list (ntfs_edit.py --mft-extents)
#   each cut by ntfs_seed.py to the non-zero bytes of its used clusters (a sparse input of
#   30 to 70 KiB; the volumes are 1 to 3 MiB). make_disk_corpus.sh puts these on
#   partitioned disks and into VHDs.
# ntfs_boot, ntfs_record, ntfs_attribute_list, ntfs_index, lznt1: pieces of those volumes
#   and of every fixture volume (boot sectors, MFT records incl. ones with attribute lists,
#   attribute list values, INDX blocks, compressed clusters), cut out with The Sleuth Kit.
#
# Rewrites fuzz/corpus/{ntfs_*,lznt1}.
set -euo pipefail
shopt -s nullglob
export LC_ALL=C.UTF-8
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
source "$root/tests/fixtures/lib.sh"
need mkntfs ntfs-3g faketime mountpoint setfattr istat icat fls gzip
[ "$(id -u)" -eq 0 ] || { echo "make_ntfs_corpus.sh: needs root for the ntfs-3g mounts" >&2; exit 1; }
diskimg=${DISKIMG:-$root/build/examples/diskimg}
py=/usr/bin/python3
corpus=$here/corpus
work=$(mktemp -d)
cleanup() {
  local dir
  for dir in "${!ntfs3g_pid[@]}"; do umount "$dir" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
for kind in ntfs_boot ntfs_record ntfs_attribute_list ntfs_index lznt1 ntfs_volume; do
  rm -rf "${corpus:?}/$kind"; mkdir -p "$corpus/$kind"
done
mnt=$work/mnt

new_volume() {  # new_volume NAME SIZE SECTOR_SIZE CLUSTER_SIZE
  truncate -s "$2" "$work/$1.img"
  mkntfs -q -F -Q -T -s "$3" -c "$4" -L "$1" "$work/$1.img" >/dev/null 2>&1
}

random_bytes() {  # random_bytes SEED SIZE
  "$py" -c 'import random, sys; sys.stdout.buffer.write(random.Random(int(sys.argv[1])).randbytes(int(sys.argv[2])))' "$1" "$2"
}

# --- the volumes

new_volume small-512 1100K 512 512
mount_ntfs3g "$work/small-512.img" "$mnt" streams_interface=windows
mkdir -p "$mnt/dir" "$mnt/docs/a/b" "$mnt/unicode" "$mnt/doomed" "$mnt/docs/Long Directory Name"
for i in $(seq 1 30); do echo "file $i" > "$mnt/dir/file$i.txt"; done
numbered_blocks big 12 512 > "$mnt/big.txt"
: > "$mnt/empty.txt"
for size in 0 511 513 4097; do random_bytes "$size" "$size" > "$mnt/docs/a/size-$size.bin"; done
text_lines deep 1500 > "$mnt/docs/a/b/deep.txt"
printf 'a small resident named stream\n' > "$mnt/big.txt:small"
numbered_blocks big-stream 4 512 > "$mnt/big.txt:big"
printf 'a named stream on a directory\n' > "$mnt/dir:note"
printf 'unicode\n' > "$mnt/unicode/Ünïcødé ☃ 日本語.txt"
printf 'astral\n' > "$mnt/unicode/emoji 😀 astral 𝄞.txt"
printf 'Case\n' > "$mnt/unicode/Case.txt"
printf 'case\n' > "$mnt/unicode/case.txt"
text_lines long-file-name 300 > "$mnt/docs/Long File Name.txt"
setfattr -h -n system.ntfs_dos_name -v "LONGFI~1.TXT" "$mnt/docs/Long File Name.txt"
setfattr -h -n system.ntfs_dos_name -v "LONGDI~1" "$mnt/docs/Long Directory Name"
text_lines keep 100 > "$mnt/doomed/keep.txt"
text_lines gone 3000 > "$mnt/doomed/gone.txt"
rm "$mnt/doomed/gone.txt"
unmount_ntfs3g "$mnt"

new_volume compressed 1100K 512 512   # a compression unit is 16 clusters: 8 KiB here
mount_ntfs3g "$work/compressed.img" "$mnt" compression,streams_interface=windows
mkdir "$mnt/compressed"
setfattr -h -v 0x00000800 -n system.ntfs_attrib_be "$mnt/compressed"
text_lines lorem 20000 > "$mnt/compressed/lorem.txt"
{ random_bytes 5 8192; head -c 8192 /dev/zero; text_lines mixed 8192; text_lines tail 1000; } \
  > "$mnt/compressed/mixed.bin"
text_lines small 100 > "$mnt/compressed/small-resident.txt"
unmount_ntfs3g "$mnt"

new_volume sparse 1100K 512 512
mount_ntfs3g "$work/sparse.img" "$mnt" streams_interface=windows
"$py" - "$mnt" <<'PY'
import random, sys
where = sys.argv[1]
with open(f"{where}/holes.bin", "wb") as f:
    f.write(b"sparse head\n" * 100)
    f.seek(300000)
    f.write(random.Random(11).randbytes(3000) + b"island\n" * 300)
    f.seek(2 << 20)          # longer than the volume: sparse runs past its clusters
    f.write(b"t" * 100)
with open(f"{where}/tail-uninitialized.bin", "wb") as f:
    f.write(b"initialized part\n" * 100)
    f.truncate(200000)
PY
unmount_ntfs3g "$mnt"

new_volume attrlist 1100K 512 512
mount_ntfs3g "$work/attrlist.img" "$mnt" streams_interface=windows
mkdir -p "$mnt/links" "$mnt/growth"
text_lines link-target 200 > "$mnt/links/target.txt"
for i in $(seq -f %02g 40); do ln "$mnt/links/target.txt" "$mnt/links/link-$i"; done
numbered_blocks stage3-attrlist.bin 4 512 > "$mnt/growth/stage3-attrlist.bin"
numbered_blocks stage4-nonresident-attrlist.bin 4 512 > "$mnt/growth/stage4-nonresident-attrlist.bin"
stage3=$(stat -c %i "$mnt/growth/stage3-attrlist.bin")
stage4=$(stat -c %i "$mnt/growth/stage4-nonresident-attrlist.bin")
# ntfs_edit.py moves $DATA into a free record of the $MFT: made and freed here.
for i in $(seq 8); do : > "$mnt/reserve-$i"; done
rm "$mnt"/reserve-*
unmount_ntfs3g "$mnt"
"$py" "$root/tests/fixtures/ntfs_edit.py" "$work/attrlist.img" "$stage3" --list resident >/dev/null
"$py" "$root/tests/fixtures/ntfs_edit.py" "$work/attrlist.img" "$stage4" --list nonresident >/dev/null

new_volume 4kn 2M 4096 4096
mount_ntfs3g "$work/4kn.img" "$mnt" streams_interface=windows
mkdir -p "$mnt/many" "$mnt/docs"
for i in $(seq -f %03g 60); do echo "many $i" > "$mnt/many/entry-$i.txt"; done
numbered_blocks big 5 4096 > "$mnt/docs/big.txt"
printf 'a small resident named stream\n' > "$mnt/docs/big.txt:small"
unmount_ntfs3g "$mnt"

new_volume 64k 3M 512 65536
mount_ntfs3g "$work/64k.img" "$mnt" streams_interface=windows
mkdir -p "$mnt/many" "$mnt/docs"
for i in $(seq -f %03g 60); do echo "many $i" > "$mnt/many/entry-$i.txt"; done
numbered_blocks big 2 65536 > "$mnt/docs/big.txt"
unmount_ntfs3g "$mnt"

new_volume mftlist 2M 512 4096
mount_ntfs3g "$work/mftlist.img" "$mnt" streams_interface=windows
"$py" - "$mnt" <<'PY'
import os, sys
for i in range(60):
    os.makedirs(f"{sys.argv[1]}/files/group-{i // 20}", exist_ok=True)
    with open(f"{sys.argv[1]}/files/group-{i // 20}/file-{i:03d}.txt", "w") as f:
        f.write(f"file {i}\n" * (200 if i % 8 == 7 else 1))
PY
unmount_ntfs3g "$mnt"
# Records 64 on (the files) continue in extension record 16, 96 on in record 17.
"$py" "$root/tests/fixtures/ntfs_edit.py" "$work/mftlist.img" 0 --mft-extents 16:16,24:17 >/dev/null

for name in small-512 compressed sparse attrlist 4kn 64k mftlist; do
  "$py" "$here/ntfs_seed.py" "$work/$name.img" "$corpus/ntfs_volume/$name"
  gzip -9 -n -c "$work/$name.img" > "$work/$name.img.gz"
done

# --- pieces of every fixture volume and of the volumes above

attribute_id() {  # attribute_id IMAGE RECORD TYPE: the id istat shows as "(TYPE-ID)"
  istat "$1" "$2" | sed -n "s/.*(${3}-\([0-9]*\)).*/\1/p" | head -n 1
}
for gz in "$root"/tests/fixtures/ntfs/*.img.gz "$work"/*.img.gz; do
  name=$(basename "$gz" .img.gz)
  image=$work/$name.img
  gzip -dc "$gz" > "$image"
  fls "$image" >/dev/null 2>&1 || continue   # TSK cannot open it (2 MiB clusters)
  dd if="$image" of="$corpus/ntfs_boot/$name" bs=512 count=1 status=none
  record_size=$("$diskimg" inspect --json "$image" | "$py" -c \
    'import json,sys; print(json.load(sys.stdin)["volumes"][0]["ntfs"]["mft_record_size"])')
  icat "$image" 0 > "$work/mft"
  records="0 3 5 10"
  stages=${gz%.img.gz}.stages.json
  if [ -f "$stages" ]; then
    records="$records $("$py" -c 'import json,sys; print(" ".join(str(s["record"]) for s in json.load(open(sys.argv[1]))))' "$stages")"
    for record in $("$py" -c 'import json,sys; print(" ".join(str(s["record"]) for s in json.load(open(sys.argv[1])) if s["attribute_list"] != "none"))' "$stages"); do
      id=$(attribute_id "$image" "$record" 32)
      [ -n "$id" ] && icat "$image" "$record-32-$id" > "$corpus/ntfs_attribute_list/$name-$record"
    done
  fi
  for record in $records; do
    dd if="$work/mft" of="$corpus/ntfs_record/$name-$record" bs="$record_size" skip="$record" \
      count=1 status=none
  done
  # The INDX blocks of the largest directory's $INDEX_ALLOCATION.
  directory=$("$diskimg" ls -r --json "$image" | "$py" -c '
import json, sys
entries = json.load(sys.stdin)
dirs = {}
for e in entries:
    parent = e["path"].rsplit("/", 1)[0] or "/"
    dirs[parent] = dirs.get(parent, 0) + 1
biggest = max((p for p in dirs if p != "/"), key=lambda p: dirs[p], default=None)
print(next((e["record"] for e in entries if e["path"] == biggest), 5))')
  id=$(attribute_id "$image" "$directory" 160)
  if [ -n "$id" ]; then
    icat "$image" "$directory-160-$id" > "$work/indx"
    split -b 4096 -d -a 3 "$work/indx" "$corpus/ntfs_index/$name-"
    find "$corpus/ntfs_index" -name "$name-*" | sort | tail -n +5 | xargs -r rm
  fi
  # The stored clusters of a compressed file's first compression unit.
  compressed=$("$diskimg" ls -r --json "$image" | "$py" -c '
import json, sys
print(" ".join(str(e["record"]) for e in json.load(sys.stdin) if "compress" in e["path"].lower() and not e["is_dir"]))')
  for record in $compressed; do
    "$diskimg" stat --json "$image" --record "$record" | "$py" -c '
import json, sys
info = json.load(sys.stdin)
for a in info["attributes"]:
    if a["type"] == 128 and "compressed" in a["flags"] and a.get("runs"):
        for vcn, lcn, length in a["runs"]:
            if lcn is not None:
                print(lcn, min(length, 16)); break
        break' | while read -r lcn count; do
      cluster=$("$diskimg" inspect --json "$image" | "$py" -c \
        'import json,sys; print(json.load(sys.stdin)["volumes"][0]["ntfs"]["cluster_size"])')
      dd if="$image" of="$corpus/lznt1/$name-$record" bs="$cluster" skip="$lcn" count="$count" status=none
    done
  done
  rm "$image"
done
du -sh "$corpus"/ntfs_* "$corpus"/lznt1
