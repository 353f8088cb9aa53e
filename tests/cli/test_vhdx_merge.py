"""`diskimg merge` of a differencing VHDX, whole and killed for real at many points (strace
sends SIGKILL at its Nth pwrite, before that write happens). Every result is the old parent,
the merged parent (the child not yet removed), or a marked parent that `check`
reports, that reads right through the child, and that a second merge finishes. The parent
is read by qemu-img (which cannot read the differencing child): the expected bytes are the
chain as libvhdi reads it before the merge."""
import os
import shutil
import subprocess

import pytest

from conftest import DISKIMG, run

MiB = 1 << 20
SIZE = 16 * MiB

pytestmark = pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed")
STRACED = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0")

LIBVHDI_READ = """
import sys, pyvhdi
parent = pyvhdi.file(); parent.open(sys.argv[2])
child = pyvhdi.file(); child.open(sys.argv[1]); child.set_parent(parent)
out = open(sys.argv[3], "wb"); offset = 0
while offset < child.media_size:
    piece = child.read_buffer_at_offset(min(1 << 20, child.media_size - offset), offset)
    out.write(piece); offset += len(piece)
"""


def qemu_raw(path, out):
    subprocess.run(["qemu-img", "convert", "-f", "vhdx", "-O", "raw", str(path), str(out)], check=True)
    return out.read_bytes()


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """A parent qemu-img made (data in most of its 16 blocks of 1 MiB) and a child diskimg
    made over it that changes whole blocks, parts of blocks and a block the parent lacks;
    the old parent's bytes and the chain's, as qemu and libvhdi read them."""
    work = tmp_path_factory.mktemp("vhdx-merge")
    data = bytearray(os.urandom(SIZE))
    data[9 * MiB:10 * MiB] = bytes(MiB)  # a block the parent does not allocate
    (work / "parent.raw").write_bytes(data)
    subprocess.run(["qemu-img", "convert", "-f", "raw", "-O", "vhdx", "-o", "block_size=1M",
                    str(work / "parent.raw"), str(work / "parent.vhdx")], check=True)
    changes = bytearray(SIZE)
    for offset, length in [(1 * MiB, MiB), (4 * MiB + 4096, 65536), (9 * MiB + 512, 3000), (15 * MiB, MiB)]:
        changes[offset:offset + length] = os.urandom(length)
    (work / "changes.raw").write_bytes(changes)
    subprocess.run([os.environ["VHD_TOOL"], "fill", str(work / "child.vhdx"), str(work / "changes.raw"),
                    str(work / "parent.vhdx"), str(MiB)], check=True)
    subprocess.run(["/usr/bin/python3", "-c", LIBVHDI_READ, str(work / "child.vhdx"), str(work / "parent.vhdx"),
                    str(work / "chain.raw")], check=True)
    old = qemu_raw(work / "parent.vhdx", work / "old.raw")
    new = (work / "chain.raw").read_bytes()
    assert old != new and len(new) == SIZE
    return work, old, new


def fresh_copy(pair, name):
    work = pair[0]
    directory = work / name
    directory.mkdir()
    for file in ("parent.vhdx", "child.vhdx"):
        shutil.copyfile(work / file, directory / file)
    return directory


def test_a_merged_parent_reads_as_the_chain_did(pair):
    directory = fresh_copy(pair, "whole")
    run("merge", directory / "child.vhdx")
    assert not (directory / "child.vhdx").exists()
    assert qemu_raw(directory / "parent.vhdx", directory / "merged.raw") == pair[2]
    assert subprocess.run(["qemu-img", "check", "-f", "vhdx", str(directory / "parent.vhdx")],
                          capture_output=True).returncode == 0
    assert run("check", directory / "parent.vhdx").stdout.strip().endswith(": ok")


def test_merge_killed_anywhere_leaves_old_merged_or_reported(pair):
    work, old, new = pair
    counting = fresh_copy(pair, "count")
    log = counting / "strace.log"
    subprocess.run(["strace", "-f", "-qq", "-o", str(log), "-e", "trace=pwrite64", DISKIMG, "merge",
                    str(counting / "child.vhdx")], check=True, capture_output=True, env=STRACED)
    total = sum(1 for line in log.read_text().splitlines() if "pwrite64(" in line)
    assert total > 10
    seen = {"old": 0, "merged": 0, "marked": 0}
    for point in sorted(set(range(1, total + 1, max(1, total // 30))) | {total}):
        directory = fresh_copy(pair, f"kill-{point}")
        parent, child = directory / "parent.vhdx", directory / "child.vhdx"
        killed = subprocess.run(["strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=pwrite64",
                                 "-e", f"inject=pwrite64:signal=KILL:when={point}", DISKIMG, "merge", str(child)],
                                capture_output=True, env=STRACED)
        assert killed.returncode != 0
        assert child.exists(), f"kill at {point}: the child is gone before the merge finished"
        check = run("check", parent, check=False)
        if check.returncode == 0:
            # Unmarked: the old parent, or the merged one (stopped before the child was
            # removed), never a mix (qemu reading it, after replaying any log).
            copy = directory / "copy.vhdx"
            shutil.copyfile(parent, copy)
            subprocess.run(["qemu-img", "check", "-q", "-r", "all", "-f", "vhdx", str(copy)], capture_output=True)
            now = qemu_raw(copy, directory / "now.raw")
            assert now in (old, new), f"kill at {point}: check says ok, and the parent is a mix"
            seen["old" if now == old else "merged"] += 1
        else:
            assert "merge" in check.stdout and "interrupted" in check.stdout or "not closed cleanly" in check.stdout, \
                check.stdout
            seen["marked"] += 1
        # Whatever it left, merging again finishes the merge.
        run("merge", child)
        assert not child.exists()
        assert qemu_raw(parent, directory / "merged.raw") == new, f"kill at {point}: the second merge"
    assert seen["marked"] >= 3 and seen["old"] >= 1, seen
