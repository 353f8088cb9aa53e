#!/usr/bin/env bash
# Seed corpora for the layout fuzzers: tiny disks partitioned by sfdisk (the fuzzers read
# the whole input as a disk, so seeds must be small). Rewrites fuzz/corpus/{mbr,gpt}.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

truncate -s 64K mbr-extended
sfdisk -q --no-reread mbr-extended <<'TABLE' 2>/dev/null
label: dos
label-id: 0x0badcafe
start=4, size=20, type=7, bootable
start=30, size=90, type=f
start=32, size=10, type=83
start=50, size=10, type=7
start=70, size=10, type=c
TABLE

truncate -s 20K gpt-small
sfdisk -q --no-reread gpt-small <<'TABLE' 2>/dev/null
label: gpt
table-length: 4
first-lba: 3
start=4, size=10, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name="EFI"
start=20, size=10, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7, name="Données"
TABLE

mkdir -p "$here/corpus/mbr" "$here/corpus/gpt"
cp mbr-extended "$here/corpus/mbr/"
cp gpt-small "$here/corpus/gpt/"
cp gpt-small "$here/corpus/mbr/"
ls -l "$here/corpus"/*
