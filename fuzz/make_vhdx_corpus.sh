#!/usr/bin/env bash
# Seeds for vhdx_fuzzer (and disk_fuzzer): small VHDX files made by qemu-img and qemu-io
# (dynamic with data in a few blocks, fixed, a log left by a write that was stopped before
# it was replayed) and by diskimg's own writer (differencing chains, 4096-byte sectors,
# partial blocks with sector bitmaps), each packed by sparse_image.py to its non-zero
# bytes. Rewrites fuzz/corpus/vhdx.
#
#   fuzz/make_vhdx_corpus.sh BUILD_DIR   (its tests/vhd_tool writes diskimg's files)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
vhd_tool=$(realpath "${1:?usage: make_vhdx_corpus.sh BUILD_DIR}")/tests/vhd_tool
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
pack() { /usr/bin/python3 "$here/sparse_image.py" pack "$here/corpus/vhdx/$1" "${@:2}"; }
rm -rf "$here/corpus/vhdx"
mkdir -p "$here/corpus/vhdx"

# qemu: dynamic with 1 MiB blocks and three written, fixed.
qemu-img create -q -f vhdx -o block_size=1M,subformat=dynamic qemu-dynamic.vhdx 8M
qemu-io -f vhdx -c "write -P 0x5a 0 64k" -c "write -P 0xa5 3M 16k" -c "write -P 0x11 7M 4k" qemu-dynamic.vhdx >/dev/null
pack qemu-dynamic qemu-dynamic.vhdx
qemu-img create -q -f vhdx -o block_size=1M,subformat=fixed qemu-fixed.vhdx 4M
qemu-io -f vhdx -c "write -P 0x3c 1M 8k" qemu-fixed.vhdx >/dev/null
pack qemu-fixed qemu-fixed.vhdx

# A log qemu wrote and never applied: qemu-io's first write to a new file makes 8 pwrites
# (both headers naming the log, the payload, both headers again, the log entry's two
# sectors, then the BAT in place); strace kills it at the 8th, before the BAT changes.
qemu-img create -q -f vhdx -o block_size=1M qemu-dirty.vhdx 8M
strace -f -qq -o /dev/null -e trace=pwrite64 -e inject=pwrite64:signal=KILL:when=8 \
  qemu-io -f vhdx -c "write -P 0x77 2M 4k" qemu-dirty.vhdx >/dev/null 2>&1 || true
pack qemu-dirty-log qemu-dirty.vhdx

# diskimg's writer (tests/tools/vhd_tool): a parent with data in two blocks, a child that
# changes part of a block (its sector bitmap) and adds a block, as one input (disk.vhd is
# the child, parent.vhd its parent); the same with 4096-byte sectors; a fixed one.
pattern() { /usr/bin/python3 -c "import sys; sys.stdout.buffer.write(bytes([$1]) * $2)"; }
for sector in 512 4096; do
  truncate -s 4M parent.raw child.raw
  pattern 0x21 4096 | dd of=parent.raw bs=64K seek=0 conv=notrunc status=none
  pattern 0x42 4096 | dd of=parent.raw bs=4K seek=640 conv=notrunc status=none
  pattern 0x63 1024 | dd of=child.raw bs=1K seek=3 conv=notrunc status=none
  pattern 0x84 4096 | dd of=child.raw bs=4K seek=960 conv=notrunc status=none
  rm -f parent.vhdx parent.vhd disk.vhdx
  "$vhd_tool" fill parent.vhdx parent.raw dynamic 1048576 "$sector"
  mv parent.vhdx parent.vhd  # the name the harness gives the second file, in the child's locator
  "$vhd_tool" fill disk.vhdx child.raw parent.vhd 1048576 "$sector"
  pack "diskimg-chain-$sector" disk.vhdx parent.vhd
done
"$vhd_tool" fill fixed.vhdx parent.raw fixed 1048576
pack diskimg-fixed fixed.vhdx
ls -l "$here/corpus/vhdx"
