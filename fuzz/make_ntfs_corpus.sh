#!/usr/bin/env bash
# Seed corpora for the NTFS fuzzers, cut out of volumes that mkntfs and ntfs-3g made:
# a tiny volume made here (the whole-volume seed) and the NTFS fixtures of
# tests/fixtures/ntfs/ (boot sectors, MFT records incl. ones with attribute lists, attribute
# list values, INDX blocks, compressed clusters). The Sleuth Kit's icat extracts raw
# attribute bytes. Needs root for the ntfs-3g mount. Rewrites fuzz/corpus/{ntfs_*,lznt1}.
set -euo pipefail
shopt -s nullglob
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
diskimg=${DISKIMG:-$root/build/examples/diskimg}
corpus=$here/corpus
work=$(mktemp -d)
trap 'mountpoint -q "$work/mnt" && umount "$work/mnt"; rm -rf "$work"' EXIT
for kind in ntfs_boot ntfs_record ntfs_attribute_list ntfs_index lznt1 ntfs_volume; do
  rm -rf "${corpus:?}/$kind"; mkdir -p "$corpus/$kind"
done

# The whole-volume seed: the smallest volume mkntfs makes, with a directory and files.
truncate -s 1050K "$work/tiny.ntfs"
mkntfs -q -F -Q -T -c 512 -L tiny "$work/tiny.ntfs" >/dev/null 2>&1
mkdir "$work/mnt"
ntfs-3g "$work/tiny.ntfs" "$work/mnt"
mkdir "$work/mnt/dir"
for i in $(seq 1 30); do echo "file $i" > "$work/mnt/dir/file$i.txt"; done
head -c 20000 /dev/zero | tr '\0' 'x' > "$work/mnt/big.txt"
umount "$work/mnt"
cp "$work/tiny.ntfs" "$corpus/ntfs_volume/tiny.ntfs"

# Pieces of every fixture volume.
attribute_id() {  # attribute_id IMAGE RECORD TYPE: the id istat shows as "(TYPE-ID)"
  istat "$1" "$2" | sed -n "s/.*(${3}-\([0-9]*\)).*/\1/p" | head -n 1
}
for gz in "$root"/tests/fixtures/ntfs/*.img.gz "$work/tiny.ntfs"; do
  name=$(basename "$gz" .img.gz)
  image=$work/$name.img
  case "$gz" in *.gz) gzip -dc "$gz" > "$image" ;; *) cp "$gz" "$image" ;; esac
  fls "$image" >/dev/null 2>&1 || continue   # TSK cannot open it (2 MiB clusters)
  dd if="$image" of="$corpus/ntfs_boot/$name" bs=512 count=1 status=none
  record_size=$("$diskimg" inspect --json "$image" | /usr/bin/python3 -c \
    'import json,sys; print(json.load(sys.stdin)["volumes"][0]["ntfs"]["mft_record_size"])')
  icat "$image" 0 > "$work/mft"
  records="0 3 5 10"
  if [ -f "${gz%.img.gz}.stages.json" ]; then
    records="$records $(/usr/bin/python3 -c 'import json,sys; print(" ".join(str(s["record"]) for s in json.load(open(sys.argv[1]))))' "${gz%.img.gz}.stages.json")"
    for record in $(/usr/bin/python3 -c 'import json,sys; print(" ".join(str(s["record"]) for s in json.load(open(sys.argv[1])) if s["attribute_list"] != "none"))' "${gz%.img.gz}.stages.json"); do
      id=$(attribute_id "$image" "$record" 32)
      [ -n "$id" ] && icat "$image" "$record-32-$id" > "$corpus/ntfs_attribute_list/$name-$record"
    done
  fi
  for record in $records; do
    dd if="$work/mft" of="$corpus/ntfs_record/$name-$record" bs="$record_size" skip="$record" \
      count=1 status=none
  done
  # The INDX blocks of the largest directory's $INDEX_ALLOCATION.
  directory=$("$diskimg" ls -r --json "$image" | /usr/bin/python3 -c '
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
  compressed=$("$diskimg" ls -r --json "$image" | /usr/bin/python3 -c '
import json, sys
print(" ".join(str(e["record"]) for e in json.load(sys.stdin) if "compress" in e["path"].lower() and not e["is_dir"]))')
  for record in $compressed; do
    "$diskimg" stat --json "$image" --record "$record" | /usr/bin/python3 -c '
import json, sys
info = json.load(sys.stdin)
for a in info["attributes"]:
    if a["type"] == 128 and "compressed" in a["flags"] and a.get("runs"):
        for vcn, lcn, length in a["runs"]:
            if lcn is not None:
                print(lcn, min(length, 16)); break
        break' | while read -r lcn count; do
      cluster=$("$diskimg" inspect --json "$image" | /usr/bin/python3 -c \
        'import json,sys; print(json.load(sys.stdin)["volumes"][0]["ntfs"]["cluster_size"])')
      dd if="$image" of="$corpus/lznt1/$name-$record" bs="$cluster" skip="$lcn" count="$count" status=none
    done
  done
done
du -sh "$corpus"/ntfs_* "$corpus"/lznt1
